"""Atom feeds of approved comments, parsed and checked against what RFC 4287 requires."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from discussion.comments import lifecycle, posting
from discussion.extensions import db
from discussion.models import Comment, CommentState
from tests.test_reader import post_answer, question_id

A = "{http://www.w3.org/2005/Atom}"
SLUG = "strateger-sokes-eller-kontaktnat"
QUESTION = "Vad tror du?"


def feed(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    return ET.fromstring(response.data)


def assert_valid_atom(root: ET.Element) -> None:
    """The elements RFC 4287 requires of a feed and of each entry."""
    assert root.tag == f"{A}feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{A}{name}")) == 1, name
    assert root.find(f"{A}author/{A}name").text
    rels = {link.get("rel") for link in root.findall(f"{A}link")}
    assert {"self", "alternate"} <= rels
    for entry in root.findall(f"{A}entry"):
        for name in ("id", "title", "updated", "content"):
            assert len(entry.findall(f"{A}{name}")) == 1, name
        assert entry.find(f"{A}author/{A}name").text
        assert entry.find(f"{A}link[@rel='alternate']").get("href")
        assert entry.find(f"{A}content").get("type") == "html"
        assert entry.find(f"{A}updated").text.endswith("Z")


def ids(root: ET.Element) -> list[str]:
    return [entry.find(f"{A}id").text for entry in root.findall(f"{A}entry")]


def test_post_question_and_site_feeds_hold_approved_comments(app, client, sample_posts):
    asked = question_id(app, SLUG, QUESTION)
    general = question_id(app, SLUG, "Övriga kommentarer")
    post_answer(client, SLUG, asked, "Jag tror *så*.", name="Karin")
    post_answer(client, SLUG, general, "Bra inlägg <script>x</script>", name="Olle")
    post_answer(client, SLUG, asked, "Dolt svar.", name="Spam")
    with app.app_context():
        hidden = db.session.query(Comment).filter_by(author_name="Spam").one()
        lifecycle.change_state(hidden, CommentState.SPAM, action="spam")
        db.session.commit()
    per_post = feed(client, f"/{SLUG}/kommentarer.atom")
    per_question = feed(client, f"/{SLUG}/trad/{asked}/kommentarer.atom")
    site = feed(client, "/kommentarer.atom")
    for root in (per_post, per_question, site):
        assert_valid_atom(root)
    names = [e.find(f"{A}author/{A}name").text for e in per_post.findall(f"{A}entry")]
    assert names == ["Olle", "Karin"]  # newest first, the spam is left out
    [entry] = per_question.findall(f"{A}entry")
    assert entry.find(f"{A}content").text == "<p>Jag tror <em>så</em>.</p>\n"
    assert entry.find(f"{A}title").text == "Karin om ”Vad tror du?”"
    assert entry.find(f"{A}link").get("href").endswith(f"/{SLUG}#kommentar-1")
    assert "<script>" not in per_post.findall(f"{A}entry")[0].find(f"{A}content").text
    assert ids(site) == ids(per_post)


def test_entry_and_feed_ids_are_unique_and_stable(app, client, sample_posts):
    asked = question_id(app, SLUG, QUESTION)
    for n in range(3):
        post_answer(client, SLUG, asked, f"Svar {n}.")
    first = feed(client, f"/{SLUG}/kommentarer.atom")
    post_answer(client, SLUG, asked, "Ett till.")
    app.config["SERVER_NAME"] = None
    second = client.get(f"/{SLUG}/kommentarer.atom", base_url="http://annan.example")
    second = ET.fromstring(second.data)
    assert len(set(ids(second))) == len(ids(second)) == 4
    assert ids(second)[1:] == ids(first)
    assert second.find(f"{A}id").text == first.find(f"{A}id").text
    assert all(entry_id.startswith("tag:127.0.0.1,") for entry_id in ids(second))


def test_feeds_answer_304_until_something_changes(app, client, sample_posts):
    asked = question_id(app, SLUG, QUESTION)
    url = f"/{SLUG}/kommentarer.atom"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    post_answer(client, SLUG, asked, "Nytt.")
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_unknown_post_or_question_feed_is_404(app, client, sample_posts):
    assert client.get("/finns-inte/kommentarer.atom").status_code == 404
    assert client.get(f"/{SLUG}/trad/99999/kommentarer.atom").status_code == 404
    assert client.get(f"/{SLUG}/trad/{2**64}/kommentarer.atom").status_code == 404
    other = question_id(app, "dansar-dina-kunder", "Övriga kommentarer")
    assert client.get(f"/{SLUG}/trad/{other}/kommentarer.atom").status_code == 404


def test_control_characters_in_names_keep_the_feed_well_formed(app, client, sample_posts):
    asked = question_id(app, SLUG, QUESTION)
    with app.app_context():
        from discussion.models import Question

        comment = posting.post_comment(
            db.session.get(Question, asked), name="Bell\x07\x0bName", body="Hej."
        )
        db.session.commit()
        assert comment.id
    root = feed(client, f"/{SLUG}/kommentarer.atom")
    assert root.find(f"{A}entry/{A}author/{A}name").text == "BellName"
