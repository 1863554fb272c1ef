"""Closing-question extraction: the sample blog, then one test per tricky case."""

import time
from pathlib import Path

import pytest

from discussion.questions import closing_questions, normalise, split_sentences

REPO = Path(__file__).parents[1]
SAMPLE_POSTS = REPO / "discussion/data/sample-blog/posts"
FIXTURE_POSTS = Path(__file__).parent / "fixtures/posts"


def body_of(path: Path) -> str:
    """The Markdown after the front matter, without going through postfile."""
    return path.read_text(encoding="utf-8").split("\n---\n", 1)[1]


# --- the sample blog -----------------------------------------------------------

SAMPLE_EXPECTATIONS = {
    "2013-09-26-strateger-sokes-eller-kontaktnat.md": [
        "Vad tycker du om det?",
        "Är det problematiskt eller självklart för den typen av jobb?",
        "Eller menar det egentligen något helt annat?",
        "Menar Kommunal kanske att man behöver nätverket av någon annan anledning?",
        "Vad tror du?",
    ],
    "2013-09-27-kommunal-svarar.md": [
        "Vad tror du, är jag ute och cyklar?",
        "Och vad tycker du om Emmas Nilssons svar nedan?",
    ],
    "2013-09-20-pinterest-borjar-med-sponsrade-pins.md": [],
    "2013-09-13-dansar-dina-kunder.md": [],
    "2013-09-06-slapp-roi-och-borja-snacka-dhiv.md": [],
}


def test_expectations_cover_every_sample_post():
    assert sorted(p.name for p in SAMPLE_POSTS.glob("*.md")) == sorted(SAMPLE_EXPECTATIONS)


@pytest.mark.parametrize("name", sorted(SAMPLE_EXPECTATIONS))
def test_sample_post(name):
    assert closing_questions(body_of(SAMPLE_POSTS / name)) == SAMPLE_EXPECTATIONS[name]


def test_sample_post_with_crlf_line_endings():
    body = body_of(SAMPLE_POSTS / "2013-09-26-strateger-sokes-eller-kontaktnat.md")
    assert "\r" not in body
    expected = SAMPLE_EXPECTATIONS["2013-09-26-strateger-sokes-eller-kontaktnat.md"]
    assert closing_questions(body.replace("\n", "\r\n")) == expected


def test_quoted_reply_after_the_questions_is_not_the_last_block():
    # Without the blockquote the last block of kommunal-svarar is the e-mail reply.
    body = body_of(SAMPLE_POSTS / "2013-09-27-kommunal-svarar.md")
    unquoted = "\n".join(line.removeprefix("> ").removeprefix(">") for line in body.split("\n"))
    assert closing_questions(unquoted) == []


def test_fixture_post_with_every_kind_of_trailing_material():
    # list of questions, then a screenshot, a sign-off, a link list and "-- Anna"
    body = body_of(FIXTURE_POSTS / "2020-01-10-tricky-closing-questions.md")
    assert closing_questions(body) == [
        "Vad tror du?",
        "Eller läser du mest (och kommenterar ibland?)",
    ]


# --- the tricky cases --------------------------------------------------------------


def test_sign_off_after_the_questions_is_skipped():
    assert closing_questions("Intro.\n\nVad tror du?\n\nTack på förhand!") == ["Vad tror du?"]
    assert closing_questions("Intro.\n\nVad tror du?\n\nTrevlig helg!\n") == ["Vad tror du?"]


def test_sign_off_is_at_most_five_words():
    body = "Vad tror du?\n\nJag återkommer med svaret nästa vecka."
    assert closing_questions(body) == []


def test_sign_off_is_one_sentence():
    assert closing_questions("Vad tror du?\n\nNej. Aldrig.") == []


def test_only_one_sign_off_is_skipped():
    assert closing_questions("Vad tror du?\n\nTack!\n\nHej då!") == []


# The placeholders and images below are followed by a sign-off: were they taken
# for text, they would be the last block once the sign-off is skipped.


def test_swedish_screenshot_placeholder_is_skipped():
    body = "Vad tror du?\n\nSkärmavbild 2013-09-20 kl. 08.49.25\n\nTack!"
    assert closing_questions(body) == ["Vad tror du?"]


def test_english_screenshot_placeholder_is_skipped():
    body = "Vad tror du?\n\nScreenshot 2020-01-01 at 10.00.00\n\nTack!"
    assert closing_questions(body) == ["Vad tror du?"]


def test_sentence_that_starts_like_a_screenshot_is_text():
    body = "Är det bra?\n\nScreenshot 2020-01-01 visar allt. Vad tror du?"
    assert closing_questions(body) == ["Vad tror du?"]


@pytest.mark.parametrize(
    "image",
    [
        "![alt](x.png)",
        '![Ett diagram](bilder/diagram.png "Diagrammet?")',
        "[![alt](x.png)](https://example.com/stor.png)",
        "![a](a.png) ![b](b.png)",
        '<img src="x.png" alt="Vad?">',
    ],
)
def test_image_line_is_skipped(image):
    assert closing_questions(f"Vad tror du?\n\n{image}\n\nTack!") == ["Vad tror du?"]


def test_inline_image_is_removed_from_the_sentence():
    body = "Vad tror du om ![ikon](ikon.png) den här?"
    assert closing_questions(body) == ["Vad tror du om den här?"]


def test_blockquote_at_the_end_is_ignored():
    body = "Vad tror du?\n\n> Är det här en fråga?\n>\n> Nej, ett citat?"
    assert closing_questions(body) == ["Vad tror du?"]


def test_blockquote_swallows_lazy_continuation_lines():
    body = "Vad tror du?\n\n> Citatet börjar här\noch fortsätter utan markering?"
    assert closing_questions(body) == ["Vad tror du?"]


def test_list_items_are_sentences_of_their_own():
    assert closing_questions("Intro.\n\n- Vad tror du?\n- Är det bra?") == [
        "Vad tror du?",
        "Är det bra?",
    ]
    # an item without a question mark is not glued to the next one
    assert closing_questions("Frågor:\n\n* Vad tror du\n* Är det bra?") == ["Är det bra?"]


def test_ordered_and_loose_lists_are_one_block():
    assert closing_questions("1. Vad tror du?\n2. Är det bra?") == ["Vad tror du?", "Är det bra?"]
    assert closing_questions("- Vad tror du?\n\n- Är det bra?") == ["Vad tror du?", "Är det bra?"]


def test_list_that_interrupts_a_paragraph_is_its_own_block():
    body = "Är det här en fråga i stycket?\n- Nej\n- Det här är listan"
    assert closing_questions(body) == []


def test_list_item_continuation_lines_belong_to_the_item():
    body = "- Vad tror du om\n  det här förslaget?\n- Bra"
    assert closing_questions(body) == ["Vad tror du om det här förslaget?"]


def test_questions_may_end_inside_quotes_or_brackets():
    body = "Hon frågade ”vad tror du?” Och sen (vad händer då?) Inget mer."
    assert closing_questions(body) == ["Hon frågade ”vad tror du?”", "Och sen (vad händer då?)"]


def test_abbreviations_and_numbers_do_not_split_a_question():
    body = "Använder du t.ex. Facebook, bl.a. för jobbet? Är version 3.5 bättre, dvs. snabbare?"
    assert closing_questions(body) == [
        "Använder du t.ex. Facebook, bl.a. för jobbet?",
        "Är version 3.5 bättre, dvs. snabbare?",
    ]


def test_ellipsis_ends_a_sentence():
    assert closing_questions("Jag vet inte… Vad tror du?") == ["Vad tror du?"]
    assert closing_questions("Jag vet inte... Vad tror du?") == ["Vad tror du?"]


def test_crlf_line_endings():
    body = "Intro.\r\n\r\nVad tror du?\r\nÄr det bra?\r\n\r\n-- Anna\r\n"
    assert closing_questions(body) == ["Vad tror du?", "Är det bra?"]


def test_dash_dash_signature_is_skipped():
    # If "-- Anna" were text, it would be taken for the sign-off instead.
    body = "Vad tror du?\n\nTack på förhand!\n\n-- Anna"
    assert closing_questions(body) == ["Vad tror du?"]


def test_slash_at_signature_is_skipped():
    body = "Vad tror du?\n\nTack!\n\n/ @jmjobring som idag lyssnar på Laura Veirs."
    assert closing_questions(body) == ["Vad tror du?"]


def test_trailing_link_list_is_skipped():
    body = "Vad tror du?\n\nLänkar till annonserna:\nUnionen söker – Stockholm\nKommunal söker"
    assert closing_questions(body) == ["Vad tror du?"]


def test_trailing_link_list_of_markdown_links_is_skipped():
    body = (
        "Vad tror du?\n\n**Läs mer:**\n\n"
        "- [Usa Today](https://www.usatoday.com/story/2013/09/20/pins.html)\n"
        "- <https://mashable.com/pins>\n"
    )
    assert closing_questions(body) == ["Vad tror du?"]


def test_colon_line_followed_by_sentences_is_not_a_link_list():
    body = "Intro?\n\nSå här tänker jag:\nDet blir bra. Vad tror du?"
    assert closing_questions(body) == ["Vad tror du?"]


def test_questions_earlier_in_the_text_are_not_closing_questions():
    body = "Vad tror du?\n\nJag tror att det här blir riktigt bra."
    assert closing_questions(body) == []


def test_heading_is_a_separator_not_a_block():
    assert closing_questions("Vad tror du?\n\n## Relaterat") == ["Vad tror du?"]
    assert closing_questions("Text utan frågor.\n\n## Vad tror du?") == []
    assert closing_questions("Vad tror du?\nEn rubrik\n---------") == []  # setext heading


def test_heading_like_line_is_a_paragraph_of_its_own():
    body = "Intro.\n\nTvå vägar framåt\nVad tror du?"
    assert closing_questions(body) == ["Vad tror du?"]


def test_code_block_at_the_end_is_ignored():
    body = "Vad tror du?\n\n```python\nprint('inte en fråga?')\n```"
    assert closing_questions(body) == ["Vad tror du?"]


def test_repeated_question_is_returned_once():
    assert closing_questions("Vad tror du? Jag undrar. Vad  tror du?") == ["Vad tror du?"]


def test_whitespace_and_nbsp_are_normalised():
    assert closing_questions("Vad\u00a0tror\n  du\tom det?") == ["Vad tror du om det?"]


@pytest.mark.parametrize("body", ["", "\n\n", "/ @jmjobring", "> bara ett citat?"])
def test_nothing_to_find(body):
    assert closing_questions(body) == []


# --- the helpers ---------------------------------------------------------------------


def test_normalise():
    assert normalise("  a\u00a0\u00a0b\r\n\tc \u2009d  ") == "a b c d"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ett. Två! Tre? Fyra… Fem", ["Ett.", "Två!", "Tre?", "Fyra…", "Fem"]),
        ("Va?! Nej.", ["Va?!", "Nej."]),
        (
            "Se t.ex. bilden, bl.a. den s.k. grafen. Ja.",
            ["Se t.ex. bilden, bl.a. den s.k. grafen.", "Ja."],
        ),
        ("Det kostar ca. 5 kr, dvs. inget. Ok.", ["Det kostar ca. 5 kr, dvs. inget.", "Ok."]),
        (
            "Use e.g. this, i.e. that, etc. and more. Ok.",
            ["Use e.g. this, i.e. that, etc. and more.", "Ok."],
        ),
        ("T. ex. så här. Ok.", ["T. ex. så här.", "Ok."]),
        ("Kl. 08.49 kom mailet. Ok.", ["Kl. 08.49 kom mailet.", "Ok."]),
        ("Version 3.5 är ute. Ok.", ["Version 3.5 är ute.", "Ok."]),
        ("Den 3. maj kom den. Ok.", ["Den 3. maj kom den.", "Ok."]),
        ("Äpplen, päron osv. Vad tror du?", ["Äpplen, päron osv.", "Vad tror du?"]),
        ("Äpplen osv. och päron.", ["Äpplen osv. och päron."]),
        ("Hon sa ”hej.” Sen gick hon.", ["Hon sa ”hej.”", "Sen gick hon."]),
        ("Se sajten (dn.se) nu.", ["Se sajten (dn.se) nu."]),
        ("", []),
    ],
)
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


# --- speed ---------------------------------------------------------------------------


def twenty_kilobyte_post() -> str:
    paragraphs = []
    for path in sorted(SAMPLE_POSTS.glob("*.md")):
        paragraphs += body_of(path).split("\n\n")[:-1]  # without signatures
    text, i = "", 0
    while len(text.encode()) < 20_000:
        text += paragraphs[i % len(paragraphs)] + "\n\n"
        i += 1
    return text + body_of(SAMPLE_POSTS / "2013-09-26-strateger-sokes-eller-kontaktnat.md")


def test_twenty_kilobyte_post_is_fast():
    body = twenty_kilobyte_post()
    assert len(closing_questions(body)) == 5
    runs = 50
    start = time.perf_counter()
    for _ in range(runs):
        closing_questions(body)
    per_call = (time.perf_counter() - start) / runs
    assert per_call < 0.005  # about 0.3 ms on a laptop; the margin is for slow CI


@pytest.mark.parametrize(
    "body",
    [
        "![" * 10_000,
        "[](" * 7_000,
        "[" * 20_000 + ":",
        "*" * 20_000,
        "a. " * 7_000,
        "?" * 20_000,
        "- a?\n" * 4_000,
        "> a\n" * 5_000,
        "t.ex. " * 3_000,
        "Skärmavbild 2013-09-20 " * 1_000,
    ],
)
def test_pathological_input_is_not_slow(body):
    start = time.perf_counter()
    closing_questions(body)
    assert time.perf_counter() - start < 0.5
