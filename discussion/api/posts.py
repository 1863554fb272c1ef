"""A post sent by a blog through the API, made into the same PostSource a post file gives.

The blog sends Markdown, or the HTML it publishes; HTML is turned into Markdown first, so the
post is stored, rendered and searched for closing questions exactly as an imported file is.
"""

from __future__ import annotations

import datetime
import re

from bs4 import BeautifulSoup
from markdownify import MarkdownConverter

from ..postfile import SLUG_MAX_LENGTH, SLUG_PATTERN, PostSource
from ..questions import normalise
from .errors import ApiError, say
from .payload import clean_text

TITLE_MAX = 300
AUTHOR_MAX = 120
QUESTION_MAX = 1000
MAX_QUESTIONS = 50
UNWANTED = ("script", "style", "iframe", "noscript", "template", "object")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def html_to_markdown(html: str) -> str:
    """Markdown for a post's HTML; scripts, styles and embedded frames go, with their content."""
    soup = BeautifulSoup(html, "html.parser")
    for element in soup(UNWANTED):
        element.decompose()
    return MarkdownConverter(heading_style="ATX", bullets="-").convert_soup(soup).strip()


def source_from_json(slug: str, data: dict) -> PostSource:
    """Check a post's fields and build its source; 422 lists every field that is wrong."""
    problems: dict[str, list[str]] = {}

    def text(name: str, limit: int, required: bool = True) -> str | None:
        value = data.get(name)
        if value is None and not required:
            return None
        cleaned = normalise(value) if clean_text(value) else ""
        if not cleaned or len(cleaned) > limit:
            problems[name] = [say(f"Text, 1–{limit} tecken.", f"Text, 1-{limit} characters.")]
        return cleaned

    if len(slug) > SLUG_MAX_LENGTH or not SLUG_PATTERN.fullmatch(slug):
        problems["slug"] = [say("Små bokstäver a–z, siffror och '-'.", "Lowercase a-z, 0-9, '-'.")]
    title = text("title", TITLE_MAX)
    author = text("author", AUTHOR_MAX)
    published = _date(data.get("date"), problems)
    body = _body(data, problems)
    questions = _questions(data.get("questions"), problems)
    if problems:
        raise ApiError("validation_failed", fields=problems)
    return PostSource(
        slug=slug,
        title=title,
        author=author,
        date=published,
        body=body,
        questions=questions,
        path=f"api:{slug}",
    )


def _date(value, problems: dict) -> datetime.date | None:
    """The publication date; today if the blog sends none."""
    if value is None:
        return datetime.datetime.now(datetime.UTC).date()
    if isinstance(value, str) and DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    problems["date"] = [say("Ett datum som 2013-09-26.", "A date like 2013-09-26.")]
    return None


def _body(data: dict, problems: dict) -> str:
    markdown, html = data.get("markdown"), data.get("html")
    if (markdown is None) == (html is None) or not isinstance(markdown or html, str):
        problems["body"] = [
            say("Skicka antingen markdown eller html.", "Send either markdown or html.")
        ]
        return ""
    if not clean_text(markdown or html):
        problems["body"] = [say("Innehåller ett otillåtet tecken.", "Has a forbidden character.")]
        return ""
    text = markdown if markdown is not None else html_to_markdown(html)
    return text.strip() + "\n" if text.strip() else ""


def _questions(value, problems: dict) -> list[str] | None:
    """The closing questions the blog names itself; None means: find them in the text."""
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or len(value) > MAX_QUESTIONS
        or not all(clean_text(item) and 0 < len(normalise(item)) <= QUESTION_MAX for item in value)
    ):
        problems["questions"] = [
            say("En lista med högst 50 frågor.", "A list of at most 50 questions.")
        ]
        return None
    return list(dict.fromkeys(normalise(item) for item in value))
