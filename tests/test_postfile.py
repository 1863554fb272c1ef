"""Reading post files: the sample blog, the optional fields, and every kind of bad file."""

import dataclasses
import datetime
import pickle
from pathlib import Path

import pytest

from discussion.postfile import PostFileError, PostSource, parse_post, read_post

REPO = Path(__file__).parents[1]
SAMPLE_POSTS = REPO / "discussion/data/sample-blog/posts"
FIXTURE_POSTS = Path(__file__).parent / "fixtures/posts"

GOOD = """---
title: "Strateger sökes. Eller kontaktnät?"
slug: strateger-sokes
author: "@jmjobring"
date: 2013-09-26
---

Vad tror du?
"""


def post_with(front_matter: str, body: str = "Text.\n") -> str:
    return f"---\n{front_matter}---\n{body}"


def error_of(text: str) -> PostFileError:
    with pytest.raises(PostFileError) as caught:
        parse_post(text, "posts/x.md")
    return caught.value


# --- the sample blog -----------------------------------------------------------

SAMPLES = [
    ("2013-09-06-slapp-roi-och-borja-snacka-dhiv.md", "Släpp ROI och börja snacka DHIV", 6),
    ("2013-09-13-dansar-dina-kunder.md", "Dansar dina kunder?", 13),
    (
        "2013-09-20-pinterest-borjar-med-sponsrade-pins.md",
        "Pinterest börjar med ”sponsrade pins”",
        20,
    ),
    ("2013-09-26-strateger-sokes-eller-kontaktnat.md", "Strateger sökes. Eller kontaktnät?", 26),
    ("2013-09-27-kommunal-svarar.md", "Kommunal svarar…", 27),
]


@pytest.mark.parametrize(("name", "title", "day"), SAMPLES)
def test_sample_post(name, title, day):
    post = read_post(SAMPLE_POSTS / name)
    assert post.slug == name.removesuffix(".md")[len("2013-09-06-") :]
    assert post.title == title
    assert post.author == "@jmjobring"
    assert post.date == datetime.date(2013, 9, day)
    assert post.questions is None
    assert post.path == str(SAMPLE_POSTS / name)
    assert not post.body.startswith(("\n", "---"))
    assert "slug:" not in post.body
    assert post.body.rstrip("\n").splitlines()[-1].startswith("/ @jmjobring")


def test_sample_body_is_the_text_after_the_front_matter():
    post = read_post(SAMPLE_POSTS / "2013-09-26-strateger-sokes-eller-kontaktnat.md")
    assert post.body.startswith("Idag såg jag två platsannonser")
    assert post.body.endswith("Sun song\u00a0av Laura Veirs.\n")


def test_read_post_accepts_a_str_path():
    path = SAMPLE_POSTS / "2013-09-27-kommunal-svarar.md"
    assert read_post(str(path)) == read_post(path)


def test_parse_post():
    post = parse_post(GOOD, "posts/strateger.md")
    assert post == PostSource(
        slug="strateger-sokes",
        title="Strateger sökes. Eller kontaktnät?",
        author="@jmjobring",
        date=datetime.date(2013, 9, 26),
        body="Vad tror du?\n",
        questions=None,
        path="posts/strateger.md",
    )


def test_parse_post_default_path():
    assert parse_post(GOOD).path == "<string>"


def test_post_source_is_frozen():
    post = parse_post(GOOD)
    with pytest.raises(dataclasses.FrozenInstanceError):
        post.slug = "other"  # type: ignore[misc]


# --- optional and lenient fields -------------------------------------------------


def test_questions_from_front_matter_fixture():
    post = read_post(FIXTURE_POSTS / "2020-01-11-questions-in-front-matter.md")
    # normalised, repeats dropped, order kept
    assert post.questions == ["Vad tror du?", "Är det bra?"]
    assert post.date == datetime.date(2020, 1, 11)  # a quoted date works too


def test_empty_questions_list_means_no_questions():
    post = parse_post(GOOD.replace("---\n\n", "questions: []\n---\n\n"))
    assert post.questions == []


def test_unquoted_at_handle_is_accepted_as_author():
    post = parse_post(GOOD.replace('author: "@jmjobring"', "author: @jmjobring"))
    assert post.author == "@jmjobring"


def test_unquoted_number_title_is_kept_as_written():
    post = parse_post(GOOD.replace('title: "Strateger sökes. Eller kontaktnät?"', "title: 1.50"))
    assert post.title == "1.50"


def test_crlf_and_byte_order_mark():
    post = parse_post("\ufeff" + GOOD.replace("\n", "\r\n"))
    assert post.slug == "strateger-sokes"
    assert post.body == "Vad tror du?\n"


def test_unknown_keys_are_ignored():
    assert parse_post(GOOD.replace("---\n\n", "tags: [a, b]\n---\n\n")).slug == "strateger-sokes"


def test_slug_of_maximum_length():
    slug = "a" * 120
    assert parse_post(GOOD.replace("slug: strateger-sokes", f"slug: {slug}")).slug == slug


# --- bad files -------------------------------------------------------------------


def test_error_str_has_path_line_and_message():
    error = error_of(post_with("title: T\nauthor: x\ndate: 2013-09-26\n"))
    assert (error.path, error.line, error.message) == (
        "posts/x.md",
        1,
        "front matter: 'slug' is missing",
    )
    assert str(error) == "posts/x.md:1: front matter: 'slug' is missing"


def test_error_without_line():
    assert str(PostFileError("posts/x.md", None, "gone")) == "posts/x.md: gone"


def test_error_survives_pickling():
    error = pickle.loads(pickle.dumps(PostFileError("posts/x.md", 3, "bad")))
    assert (error.path, error.line, error.message) == ("posts/x.md", 3, "bad")


def test_several_missing_keys_are_named_together():
    error = error_of(post_with("title: T\n"))
    assert error.message == "front matter: 'slug', 'author', 'date' are missing"


def test_file_without_front_matter():
    error = error_of("# Rubrik\n\nText.\n")
    assert error.line == 1
    assert "'---'" in error.message


def test_front_matter_must_be_at_the_very_top():
    assert error_of("\n" + GOOD).line == 1


def test_unclosed_front_matter():
    error = error_of("---\ntitle: T\nslug: s\n\nText.\n")
    assert error.line == 1
    assert "closing" in error.message


@pytest.mark.parametrize("front_matter", ["", "- a\n- b\n", "just text\n"])
def test_front_matter_that_is_not_key_value_pairs(front_matter):
    error = error_of(post_with(front_matter))
    assert (error.line, error.message) == (1, "front matter: expected 'key: value' lines")


def test_yaml_syntax_error_has_the_line_of_the_problem():
    text = post_with("title: T\nslug: s\nauthor: x\n  date: 2013-09-26\n")
    error = error_of(text)
    assert error.line == 5
    assert error.message.startswith("front matter: invalid YAML: ")


def test_unclosed_quote_names_where_it_started():
    error = error_of(post_with('title: "T\nslug: s\nauthor: x\ndate: 2013-09-26\n'))
    assert "starts on line 2" in error.message


def test_reserved_character_gets_a_hint():
    error = error_of(post_with("title: T\nslug: s\nauthor: `x\ndate: 2013-09-26\n"))
    assert error.line == 4
    assert "in quotes" in error.message


def test_duplicate_key():
    error = error_of(post_with("title: T\nslug: a\nauthor: x\nslug: b\ndate: 2013-09-26\n"))
    assert (error.line, error.message) == (5, "front matter: 'slug' appears twice")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("title:", "'title' is empty"),
        ('title: "   "', "'title' is empty"),
        ("title: [a, b]", "'title' must be a text"),
        ("title:\n  a: b", "'title' must be a text"),
    ],
)
def test_bad_title(line, expected):
    error = error_of(post_with(f"{line}\nslug: s\nauthor: x\ndate: 2013-09-26\n"))
    assert (error.line, error.message) == (2, f"front matter: {expected}")


def test_empty_author():
    error = error_of(post_with("title: T\nslug: s\nauthor: ''\ndate: 2013-09-26\n"))
    assert (error.line, error.message) == (4, "front matter: 'author' is empty")


@pytest.mark.parametrize(
    "slug", ["Strateger", "strateger_sokes", "strateger--sokes", "-a", "a-", "sökes", "a b"]
)
def test_bad_slug(slug):
    error = error_of(post_with(f"title: T\nslug: {slug}\nauthor: x\ndate: 2013-09-26\n"))
    assert error.line == 3
    assert "'slug'" in error.message


def test_slug_too_long():
    error = error_of(post_with(f"title: T\nslug: {'a' * 121}\nauthor: x\ndate: 2013-09-26\n"))
    assert (error.line, error.message) == (3, "front matter: 'slug' is longer than 120")


@pytest.mark.parametrize(
    ("date", "fragment"),
    [
        ("2013-02-30", "not a real date"),
        ("2013-9-26", "must look like 2013-09-26"),
        ("26/9 2013", "must look like 2013-09-26"),
        ("2013-09-26 10:00:00", "must look like 2013-09-26"),
        ("20130926", "must look like 2013-09-26"),
        ("!!timestamp 2013-09-26 10:00:00", "without a time"),
        ("!!timestamp 2013-02-30", "day is out of range"),
    ],
)
def test_bad_date(date, fragment):
    error = error_of(post_with(f"title: T\nslug: s\nauthor: x\ndate: {date}\n"))
    assert error.line == 5
    assert fragment in error.message


def test_explicitly_tagged_date_object_is_accepted():
    post = parse_post(post_with("title: T\nslug: s\nauthor: x\ndate: !!timestamp 2013-09-26\n"))
    assert post.date == datetime.date(2013, 9, 26)


@pytest.mark.parametrize(
    ("questions", "line", "fragment"),
    [
        ("questions: Vad tror du?\n", 6, "must be a list"),
        ("questions:\n  - Vad tror du?\n  -\n", 8, "must be a text"),
        ("questions:\n  - Vad tror du?\n  - '  '\n", 8, "is empty"),
        ("questions:\n  - [a, b]\n", 7, "must be a text"),
    ],
)
def test_bad_questions(questions, line, fragment):
    error = error_of(post_with(f"title: T\nslug: s\nauthor: x\ndate: 2013-09-26\n{questions}"))
    assert error.line == line
    assert fragment in error.message


# --- reading files ------------------------------------------------------------------


def test_invalid_utf8_names_the_file_and_line(tmp_path):
    path = tmp_path / "latin1.md"
    text = post_with("title: T\nslug: s\nauthor: x\ndate: 2013-09-26\n", "\nHej.\nOch Umeå?\n")
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(PostFileError) as caught:
        read_post(path)
    assert caught.value.path == str(path)
    assert caught.value.line == 9
    assert "UTF-8" in caught.value.message
    assert "0xE5 in column 8" in caught.value.message
    assert str(caught.value).startswith(f"{path}:9: ")


def test_invalid_utf8_in_the_front_matter(tmp_path):
    path = tmp_path / "bad.md"
    path.write_bytes(b"---\ntitle: Ume\xe5\n")
    with pytest.raises(PostFileError) as caught:
        read_post(path)
    assert caught.value.line == 2


def test_missing_file(tmp_path):
    path = tmp_path / "nope.md"
    with pytest.raises(PostFileError) as caught:
        read_post(path)
    assert (caught.value.path, caught.value.line) == (str(path), None)
    assert "cannot read" in caught.value.message


def test_read_post_reports_parse_errors_with_the_file_name(tmp_path):
    path = tmp_path / "no-slug.md"
    path.write_text(post_with("title: T\nauthor: x\ndate: 2013-09-26\n"), encoding="utf-8")
    with pytest.raises(PostFileError, match=r"no-slug\.md:1: front matter: 'slug' is missing"):
        read_post(path)
