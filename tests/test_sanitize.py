"""Tests for discussion.sanitize: comment and post rendering must never emit script."""

import random
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from discussion.sanitize import COMMENT_TAGS, POST_TAGS, render_comment, render_post

POSTS_DIR = Path(__file__).resolve().parents[1] / "discussion" / "data" / "sample-blog" / "posts"
KOMMUNAL_POST = POSTS_DIR / "2013-09-27-kommunal-svarar.md"
PINTEREST_POST = POSTS_DIR / "2013-09-20-pinterest-borjar-med-sponsrade-pins.md"
SAFE_SCHEMES = {"", "http", "https", "mailto"}


class _ElementCollector(HTMLParser):
    """Collects (tag, attrs) of every start tag, the way a browser would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _ElementCollector()
    parser.feed(html)
    parser.close()
    return parser.elements


def tags(html: str) -> set[str]:
    return {tag for tag, _ in elements(html)}


def links(html: str) -> list[dict[str, str | None]]:
    return [attrs for tag, attrs in elements(html) if tag == "a"]


def is_safe_url(url: str) -> bool:
    """A browser-ish check: strip what browsers strip, then look at the scheme."""
    squashed = re.sub(r"[\x00-\x20\x7f]", "", url)
    return urlsplit(squashed).scheme.lower() in SAFE_SCHEMES


def assert_harmless(html: str, allowed_tags=COMMENT_TAGS) -> None:
    """No element outside the allow-list, no event handlers, no unsafe URLs."""
    for tag, attrs in elements(html):
        assert tag in allowed_tags, f"unexpected <{tag}> in {html!r}"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event handler {name} in {html!r}"
            if name in ("href", "src"):
                assert is_safe_url(value or ""), f"unsafe {name}={value!r} in {html!r}"
    assert "<script" not in html.lower()


def strip_front_matter(text: str) -> str:
    """Drop the YAML block between the first two '---' lines."""
    lines = text.splitlines(keepends=True)
    assert lines[0].strip() == "---"
    end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    return "".join(lines[end + 1 :])


# --- comments: hostile HTML -------------------------------------------------

HOSTILE_HTML = [
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    '<script src="https://evil.example/x.js" async></script>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "<img src=x onerror=alert(1)>",
    '<a href="x" onclick="alert(1)">klicka</a>',
    '<a href="https://example.se" onmouseover="alert(1)">hovra</a>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body { display: none }</style>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<!-- <script>alert(1)</script> -->",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<object data="javascript:alert(1)"></object>',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<body onload="alert(1)">',
    '<p style="background:url(javascript:alert(1))">x</p>',
    "*<img src=x onerror=alert(1)>*",
    "> <script>alert(1)</script>",
    "- <iframe src=//evil.example>",
]


@pytest.mark.parametrize("payload", HOSTILE_HTML)
def test_hostile_html_is_neutralised(payload):
    html = render_comment(payload)
    assert_harmless(html)
    assert not tags(html) & {"script", "img", "iframe", "style", "svg", "object", "form"}


@pytest.mark.parametrize(
    ("payload", "visible"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("Skriv <b>fet</b> så här", "Skriv &lt;b&gt;fet&lt;/b&gt; så här"),
        ("<!-- hemlig -->", "&lt;!-- hemlig --&gt;"),
        ('<a href="/x">x</a>', "&lt;a href=&quot;/x&quot;&gt;x&lt;/a&gt;"),
    ],
)
def test_raw_html_is_shown_as_text(payload, visible):
    html = render_comment(payload)
    assert visible in html
    assert tags(html) == {"p"}


# --- comments: hostile links ------------------------------------------------

HOSTILE_LINKS = [
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](jav&#9;ascript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&#x3A;alert(1))",
    "[x](%6Aavascript:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](\x01javascript:alert(1))",
    "[x](\x00javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](file:///etc/passwd)",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "<JaVaScRiPt:alert(1)>",
    "<data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==>",
    "<vbscript:msgbox(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "javascript:alert(1)",
    "javascript://example.com/%0aalert(1)",
    "[x](http://example.se \"t\" onclick='alert(1)')",
]


@pytest.mark.parametrize("payload", HOSTILE_LINKS)
def test_hostile_links_lose_their_href(payload):
    html = render_comment(payload)
    assert_harmless(html)
    for attrs in links(html):
        assert is_safe_url(attrs["href"])


def test_link_without_safe_href_becomes_text():
    html = render_comment("[klicka här](jav&#x09;ascript:alert(1))")
    assert links(html) == []
    assert "klicka här" in html


# --- comments: links that should work --------------------------------------


def test_rel_is_set_on_every_link():
    text = (
        "[länk](https://example.se/a) <https://example.se/b> "
        "https://example.se/c www.example.se [mejl](mailto:anna@example.se)"
    )
    found = links(render_comment(text))
    assert len(found) == 5
    for attrs in found:
        assert attrs["rel"] == "nofollow ugc noopener"
        assert "target" not in attrs


def test_bare_url_is_linkified():
    html = render_comment("Läs https://example.se/sida?a=1&b=2 först.")
    assert links(html) == [
        {"href": "https://example.se/sida?a=1&b=2", "rel": "nofollow ugc noopener"}
    ]
    assert html.endswith(" först.</p>\n")


def test_url_inside_code_is_not_linkified():
    assert links(render_comment("`https://example.se`")) == []
    assert links(render_comment("```\nhttps://example.se\n```")) == []


@pytest.mark.parametrize("text", ["[mejla](mailto:anna@example.se)", "<anna@example.se>"])
def test_mailto_links_work(text):
    (attrs,) = links(render_comment(text))
    assert attrs["href"] == "mailto:anna@example.se"


def test_link_title_is_kept():
    (attrs,) = links(render_comment('[x](https://example.se "En titel")'))
    assert attrs["title"] == "En titel"


def test_relative_and_fragment_links_are_kept():
    hrefs = [a["href"] for a in links(render_comment("[a](/inlagg/1) [b](#kommentar-3)"))]
    assert hrefs == ["/inlagg/1", "#kommentar-3"]


# --- comments: formatting --------------------------------------------------


def test_swedish_text_passes_unchanged():
    text = "Hej på dig! Räksmörgås, ÅÄÖ och åäö – ”citat” … 50+"
    assert render_comment(text) == f"<p>{text}</p>\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("*kursiv*", "<p><em>kursiv</em></p>\n"),
        ("_kursiv_", "<p><em>kursiv</em></p>\n"),
        ("**fet**", "<p><strong>fet</strong></p>\n"),
        ("`kod <b>`", "<p><code>kod &lt;b&gt;</code></p>\n"),
        ("```\nx < 1\n```", "<pre><code>x &lt; 1\n</code></pre>\n"),
        ("> citat", "<blockquote>\n<p>citat</p>\n</blockquote>\n"),
        ("- ett\n- två", "<ul>\n<li>ett</li>\n<li>två</li>\n</ul>\n"),
        ("1. ett\n2. två", "<ol>\n<li>ett</li>\n<li>två</li>\n</ol>\n"),
        ("3. tre\n4. fyra", '<ol start="3">\n<li>tre</li>\n<li>fyra</li>\n</ol>\n'),
    ],
)
def test_light_markdown_renders(text, expected):
    assert render_comment(text) == expected


def test_single_newline_becomes_br():
    assert render_comment("rad ett\nrad två") == "<p>rad ett<br>\nrad två</p>\n"


def test_blank_line_separates_paragraphs():
    assert render_comment("ett\n\ntvå") == "<p>ett</p>\n<p>två</p>\n"


@pytest.mark.parametrize(
    "text",
    ["# Rubrik", "Rubrik\n======", "![bild](https://example.se/x.png)", "ovan\n\n---\n\nnedan"],
)
def test_headings_images_and_rules_are_not_rendered(text):
    html = render_comment(text)
    assert tags(html) <= {"p", "br", "a"}
    assert_harmless(html)


def test_indented_text_is_not_a_code_block():
    assert render_comment("    indraget stycke") == "<p>indraget stycke</p>\n"


# --- comments: odd input ----------------------------------------------------


def test_nul_bytes_and_control_characters_are_removed():
    assert render_comment("a\x00b\x07c\x1bd\x7fe\x85f") == "<p>abcdef</p>\n"


def test_tab_is_kept():
    assert "\t" in render_comment("a\tb")


@pytest.mark.parametrize("text", ["ett\r\ntvå", "ett\rtvå"])
def test_carriage_returns_are_normalised(text):
    assert render_comment(text) == "<p>ett<br>\ntvå</p>\n"


def test_lone_surrogate_does_not_break_utf8_encoding():
    html = render_comment("a\ud800b")
    html.encode("utf-8")
    assert html == "<p>a\ufffdb</p>\n"


@pytest.mark.parametrize("text", ["", " ", "\n\n", "\x00"])
def test_empty_input_gives_empty_output(text):
    assert render_comment(text) == ""


def test_random_mixtures_of_hostile_fragments_stay_harmless():
    fragments = HOSTILE_HTML + HOSTILE_LINKS + ["*", "**", "`", "[", "](", ")", "<", ">", "\n"]
    fragments += ["&#", "&lt;", '"', "'", "=", "\x00", " ", "https://example.se", "> ", "- "]
    rng = random.Random(20130927)
    for _ in range(300):
        text = "".join(rng.choice(fragments) for _ in range(rng.randint(1, 12)))
        html = render_comment(text)
        assert_harmless(html)
        assert all(a.get("rel") == "nofollow ugc noopener" for a in links(html))


# --- posts ------------------------------------------------------------------


def test_kommunal_post_renders_the_quoted_reply_as_blockquote():
    html = render_post(strip_front_matter(KOMMUNAL_POST.read_text(encoding="utf-8")))
    quote = re.search(r"<blockquote>(.*)</blockquote>", html, re.S)
    assert quote is not None
    assert "Mvh Emma Nilsson, kommunikationschef Kommunal" in quote.group(1)
    assert "Så här resonerar jag:<br>" in quote.group(1)
    assert html.startswith("<p>Igår bloggade jag")
    assert "title:" not in html


def test_pasted_short_lines_stay_their_own_paragraphs():
    html = render_post(strip_front_matter(PINTEREST_POST.read_text(encoding="utf-8")))
    assert "<p>Skärmavbild 2013-09-20 kl. 08.49.25</p>" in html
    assert "<p>Andra som skriver om nyheten:<br>\nUsa Today<br>\nMashable</p>" in html


@pytest.mark.parametrize("path", sorted(POSTS_DIR.glob("*.md")), ids=lambda p: p.stem)
def test_every_sample_post_renders_within_the_allow_list(path):
    html = render_post(strip_front_matter(path.read_text(encoding="utf-8")))
    assert html.startswith("<p>")
    assert_harmless(html, POST_TAGS)


def test_post_keeps_headings_images_and_links():
    text = '# Rubrik\n\n## Under\n\n#### Djup\n\n![Skärmavbild](https://example.se/b.png "T")'
    text += "\n\n[länk](https://example.se)"
    found = elements(render_post(text))
    assert [tag for tag, _ in found if tag.startswith("h")] == ["h2", "h3", "h4"]
    assert ("img", {"src": "https://example.se/b.png", "alt": "Skärmavbild", "title": "T"}) in found
    assert ("a", {"href": "https://example.se", "rel": "noopener"}) in found


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "Text\n\n<script>alert(1)</script>\n\nmer",
        "<img src=x onerror=alert(1)>",
        '<iframe src="https://evil.example"></iframe>',
        "[x](javascript:alert(1))",
        "![x](javascript:alert(1))",
        "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        "![x](data:image/png;base64,iVBORw0KGgo=)",
        "<javascript:alert(1)>",
        "| a |\n|---|\n| <script>alert(1)</script> |",
    ],
)
def test_script_injection_in_post_is_neutralised(payload):
    html = render_post(payload)
    assert_harmless(html, POST_TAGS)
    for tag, attrs in elements(html):
        if tag == "img":
            assert attrs.get("src") in (None, "x")


def test_raw_html_in_post_is_escaped():
    assert render_post("<b>fet</b>") == "<p>&lt;b&gt;fet&lt;/b&gt;</p>\n"


# --- the fast path for typed text ----------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from discussion import sanitize  # noqa: E402


def full_render(text: str) -> str:
    """The path every comment took before the fast path: markdown-it, then bleach."""
    return sanitize._COMMENT_CLEANER.clean(sanitize._COMMENT_MD.render(sanitize._clean_text(text)))


# Typed text's pieces, and every character the fast path must refuse or get right.
PIECES = [
    "Jag håller med",
    "det",
    "är",
    "Åsa",
    "ö",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\n \n",
    ".",
    "...",
    "!",
    "?",
    ",",
    '"',
    "'",
    "(så)",
    "1",
    "1.",
    "2)",
    "-",
    "+",
    "=",
    "*",
    "_",
    "#",
    ">",
    "<",
    "&",
    "&amp;",
    "`",
    "~",
    "|",
    ":",
    "@",
    "\\",
    "[x](y)",
    "\t",
    "\xa0",
    "\u2028",
    "example.se",
    "www.example.se",
    "https://example.se",
    "a@b.se",
    "3.5",
    "\r\n",
    "\x00",
    "\ufeff",
    "*ja*",
    "*två ord*",
    "* ",
    "*",
    "**fet**",
    "[den här](https://example.se/artikel)",
    "[a](http://x.se/a?b=c#d)",
    "[a b](https://x.se)",
    "[ a](https://x.se)",
    "[a](https://x.se/å)",
    "[a](HTTPS://x.se)",
    "[a](javascript:alert)",
    "](",
    ")",
    "(",
]
TYPED = st.lists(st.sampled_from(PIECES), min_size=0, max_size=25).map("".join)


@settings(max_examples=3000, deadline=None)
@given(TYPED)
def test_the_fast_path_renders_typed_text_as_the_full_path_does(text):
    assert render_comment(text) == full_render(text)


@settings(max_examples=1500, deadline=None)
@given(st.text(max_size=80))
def test_the_fast_path_renders_any_text_as_the_full_path_does(text):
    assert render_comment(text) == full_render(text)


def test_the_fast_path_takes_typed_paragraphs_and_leaves_markdown_alone():
    """Both sides of the comparison above are exercised: typed text is claimed, markup is not."""
    typed = 'Hej "alla"!\n\nJag tycker så, ja.\nMen inte du?'
    assert sanitize._plain_comment_html(typed) == (
        "<p>Hej &quot;alla&quot;!</p>\n<p>Jag tycker så, ja.<br>\nMen inte du?</p>\n"
    )
    assert sanitize._plain_comment_html("Läs [den här](https://example.se/a), *verkligen*.") == (
        '<p>Läs <a href="https://example.se/a" rel="nofollow ugc noopener">den här</a>, '
        "<em>verkligen</em>.</p>\n"
    )
    for markup in ("**ja**", "- en", "1. ett", "> citat", "se example.se", "<b>x</b>", "a &amp; b"):
        assert sanitize._plain_comment_html(markup) is None, markup
