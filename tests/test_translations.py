"""The English catalogue: complete for the current code, compiled, used, and switched to safely.

A new Swedish UI string without an English translation fails here; the commands that bring the
catalogue up to date are in the README ("Translations").
"""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po, write_po

from discussion import TRANSLATIONS, create_app
from discussion.extensions import db
from tests.helpers import ROOT, base_config, form_fields

EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
EN_MO = EN_PO.with_suffix(".mo")
# The same keywords as the README's `pybabel extract -k ...`.
KEYWORDS = DEFAULT_KEYWORDS | {"_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
SOURCE_TREES = {"discussion", "templates"}
EXTRACT_SECONDS = 60
STRATEGER = "strateger-sokes-eller-kontaktnat"


def _only_sources(path: str) -> bool:
    """Walk only the two trees babel.cfg names (never .venv, bench or instance folders)."""
    parts = Path(path).relative_to(ROOT).parts
    return parts[0] in SOURCE_TREES and not any(p.startswith((".", "_")) for p in parts)


def _extract_to(pot_path) -> None:
    with open(ROOT / "babel.cfg") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    catalog = Catalog(project="Samtal")
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, directory_filter=_only_sources
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    with open(pot_path, "wb") as handle:
        write_po(handle, catalog)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Catalog:
    """The messages of the current code, extracted as `pybabel extract` would, within a limit."""
    pot_path = tmp_path_factory.mktemp("i18n") / "messages.pot"
    pool = ThreadPoolExecutor(max_workers=1)
    started = time.monotonic()
    pool.submit(_extract_to, pot_path).result(timeout=EXTRACT_SECONDS)
    pool.shutdown(wait=False)
    assert time.monotonic() - started < EXTRACT_SECONDS
    with open(pot_path, "rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def english() -> Catalog:
    with open(EN_PO, "rb") as handle:
        return read_po(handle, locale="en")


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(strings) and all(s.strip() for s in strings)


def test_every_ui_string_has_an_english_translation(extracted, english):
    ids = [message.id for message in extracted if message.id]
    assert len(ids) > 300, "the extraction found too few messages: is babel.cfg right?"
    assert "Svara på frågan" in extracted and ("%(num)d kommentar", "%(num)d kommentarer") in [
        message.id for message in extracted
    ]
    missing = [message_id for message_id in ids if message_id not in english]
    untranslated = [
        message_id
        for message_id in ids
        if message_id in english
        and (english[message_id].fuzzy or not _translated(english[message_id]))
    ]
    assert not missing, f"not in {EN_PO.name} (run the README's pybabel commands): {missing}"
    assert not untranslated, f"untranslated or fuzzy in {EN_PO.name}: {untranslated}"


def test_english_keeps_the_placeholders_and_plural_forms(english):
    """Babel's own checks: the same %(name)s placeholders, and both English plural forms."""
    problems = {message.id: [str(e) for e in errors] for message, errors in english.check()}
    assert not problems
    assert english.num_plurals == 2


def test_compiled_catalogue_matches_the_po_file(english):
    def as_key(value):
        return tuple(value) if isinstance(value, list) else value

    with open(EN_MO, "rb") as handle:
        compiled = read_mo(handle)
    in_mo = {as_key(m.id): as_key(m.string) for m in compiled if m.id}
    in_po = {m.id: m.string for m in english if m.id and _translated(m) and not m.fuzzy}
    assert in_mo == in_po, f"{EN_MO.name} is out of date: run pybabel compile (README)"


# --- the pages ---------------------------------------------------------------------------------


def _html_lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def test_browser_asking_for_english_gets_english_pages(client, sample_posts):
    index = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert _html_lang(index) == "en"
    assert "<h1>Posts</h1>" in index and "<h1>Inlägg</h1>" not in index
    post = client.get(f"/{STRATEGER}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Answer the question" in post and "Svara på frågan" not in post
    assert "Write a comment" in post and "0 comments" in post


def test_swedish_stays_swedish_and_is_the_default(client, sample_posts):
    for headers in ({"Accept-Language": "sv-SE,sv;q=0.9,en;q=0.5"}, {}, {"Accept-Language": "de"}):
        page = client.get(f"/{STRATEGER}", headers=headers).get_data(as_text=True)
        assert _html_lang(page) == "sv"
        assert "Svara på frågan" in page and "Answer the question" not in page


def test_site_default_locale_applies_when_the_browser_asks_for_neither(tmp_path):
    app = create_app(base_config(tmp_path) | {"SAMTAL_DEFAULT_LOCALE": "en"})
    with app.app_context():
        db.create_all()
    page = app.test_client().get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert _html_lang(page) == "en" and "<h1>Posts</h1>" in page


def test_query_parameter_and_cookie_choose_the_language(client, sample_posts):
    asked = client.get(f"/{STRATEGER}?lang=en", headers={"Accept-Language": "sv"})
    assert "Answer the question" in asked.get_data(as_text=True)
    client.set_cookie("lang", "en")
    page = client.get(f"/{STRATEGER}", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert _html_lang(page) == "en" and "Answer the question" in page
    overridden = client.get("/?lang=sv").get_data(as_text=True)
    assert "<h1>Inlägg</h1>" in overridden
    client.set_cookie("lang", "klingon")
    assert "<h1>Inlägg</h1>" in client.get("/", headers={"Accept-Language": "sv"}).get_data(
        as_text=True
    )


def test_form_errors_follow_the_chosen_language(app, client, sample_posts):
    client.set_cookie("lang", "en")
    with app.app_context():
        from discussion.models import Post

        post = db.session.scalar(db.select(Post).where(Post.slug == STRATEGER))
        question_id = post.questions[0].id
    fields = form_fields(client, f"/{STRATEGER}")
    answer = client.post(f"/{STRATEGER}/trad/{question_id}", data=fields | {"name": "", "body": ""})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Enter your name." in html and "Write a comment." in html
    assert "Skriv ditt namn." not in html


def test_header_switch_sets_the_cookie_and_returns_to_the_page(client, sample_posts):
    page = client.get(f"/{STRATEGER}?svara=1").get_data(as_text=True)
    switch = re.search(r'<nav class="language"[^>]*>(.*?)</nav>', page, re.S).group(1)
    assert 'aria-current="true">Svenska</span>' in switch
    link = re.search(r'href="(/sprak/en\?next=[^"]+)"[^>]*>English</a>', switch).group(1)
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{STRATEGER}?svara=1"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=en;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    english = client.get(response.headers["Location"]).get_data(as_text=True)
    assert _html_lang(english) == "en" and "Answer the question" in english
    assert 'aria-current="true">English</span>' in english and ">Svenska</a>" in english
    client.get("/sprak/sv?next=/")
    assert "<h1>Inlägg</h1>" in client.get("/", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )


def test_switch_drops_a_lang_parameter_that_would_undo_the_choice(client):
    response = client.get("/sprak/sv", query_string={"next": "/?lang=en&sida=2"})
    assert response.headers["Location"] == "/?sida=2"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
        "/\n/evil.example",
        "evil.example",
        "",
    ],
)
def test_switch_never_redirects_off_the_site(client, target):
    response = client.get("/sprak/en", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert response.headers["Set-Cookie"].startswith("lang=en;")


def test_switch_refuses_a_language_we_do_not_have(client):
    response = client.get("/sprak/de?next=/")
    assert response.status_code == 404
    assert "Set-Cookie" not in response.headers or "lang=" not in response.headers["Set-Cookie"]


def test_pages_tell_caches_they_vary_by_language(client):
    vary = client.get("/").headers.get("Vary", "")
    assert "Accept-Language" in vary and "Cookie" in vary
