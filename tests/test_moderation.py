"""The queue: tabs, each action and bulk action with its audit entry, edits, bans, the log,
unanswered comments, and authors' work on their posts (questions, closing, policy)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from discussion.extensions import db
from discussion.models import (
    Ban,
    Comment,
    CommentRevision,
    CommentState,
    ModerationDecision,
    ModerationPolicy,
    Post,
    Question,
    utcnow,
)
from discussion.posts import importing as post_service
from discussion.spam import scoring as spam
from tests.helpers import SAMPLE_POSTS, csrf_token
from tests.staff import (
    KOMMUNAL,
    STRATEGER,
    add_approved_comments,
    add_staff,
    answer,
    comment_by_id,
    decisions,
    latest_comment,
    login_as,
    question_id,
    staff_post,
)

QUESTION = "Vad tror du?"


pytestmark = pytest.mark.usefixtures("spam_check_passes")


@pytest.fixture
def staff(app, sample_posts):
    app.config["SAMTAL_MODERATION_POLICY"] = "pre"
    return add_staff(app)


def pending(app, client, body="Väntar", *, email="lasare@example.se", slug=STRATEGER, q=QUESTION):
    """A reader's comment, waiting under pre-moderation; its id."""
    response = answer(client, slug, question_id(app, slug, q), body, email=email)
    assert "visas när den har granskats" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    comment = latest_comment(app)
    assert comment.state == CommentState.PENDING
    return comment.id


def queue_html(client, tab="vantar") -> str:
    response = client.get(f"/moderera/?flik={tab}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def tab_count(html: str, label: str) -> int:
    return int(re.search(rf">{label} <span class=\"count\">(\d+)</span>", html).group(1))


# --- the queue page ----------------------------------------------------------------------------


def test_a_queue_item_shows_what_a_moderator_needs(app, client, staff):
    parent = pending(app, client, "Första kommentaren", email="forsta@example.se")
    earlier = pending(app, client, "Skräpigt", email="karin@example.se")
    with app.app_context():
        db.session.get(Comment, parent).state = CommentState.APPROVED
        db.session.get(Comment, earlier).state = CommentState.SPAM
        db.session.commit()
    qid = question_id(app, STRATEGER, QUESTION)
    answer(client, STRATEGER, qid, "Ett **svar**", email="karin@example.se", parent_id=parent)
    reply = latest_comment(app).id
    with app.app_context():
        db.session.get(Comment, reply).spam_score = 0.42
        db.session.get(Comment, reply).spam_reasons = ["ny skribent"]
        db.session.commit()
    login_as(client, "moderator")
    html = queue_html(client)
    item = html.split(f'id="k-{reply}"')[1].split("</li>")[0]
    assert "Strateger sökes. Eller kontaktnät?" in item and QUESTION in item
    assert "Svar till <bdi>Anna</bdi>:" in item and "Första kommentaren" in item
    assert "<strong><bdi>Anna</bdi></strong>" in item and "karin@example.se" in item
    assert "Tidigare: 0 godkända, 0 avvisade, 1 skräp" in item
    assert "Spampoäng 0.42: ny skribent" in item
    assert "Skäl: förhandsmoderering" in item
    assert "Har väntat" in item
    assert "<strong>svar</strong>" in item  # the sanitised HTML, as readers would see it
    assert tab_count(html, "Väntar") == 1 and tab_count(html, "Skräp") == 1
    assert tab_count(html, "Godkända") == 1
    assert "Kortkommandon" in html and "<kbd>j</kbd>" in html
    assert 'src="/static/moderation.js"' in html


def test_spam_reasons_are_worded_in_the_moderators_language(app, client, staff):
    comment_id = pending(app, client, "Köp här", email="kop@example.se")
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        comment.spam_score = 0.93
        comment.spam_reasons = [
            spam.reason("banned_word", word="viagra"),
            spam.reason("links", count=3),
            spam.reason("rate", count=7, by="ip"),
        ]
        db.session.commit()
    login_as(client, "moderator")
    swedish = queue_html(client).split(f'id="k-{comment_id}"')[1].split("</li>")[0]
    assert (
        "Spampoäng 0.93: Förbjudet ord: viagra, 3 länkar, "
        "7 kommentarer senaste timmen från samma IP-adress" in swedish
    )
    english = client.get("/moderera/?flik=vantar&lang=en").get_data(as_text=True)
    item = english.split(f'id="k-{comment_id}"')[1].split("</li>")[0]
    assert (
        "Banned word: viagra, 3 links, 7 comments in the last hour from the same IP address" in item
    )
    assert "Förbjudet" not in item


def _token(client) -> str:
    return csrf_token(client, f"/{STRATEGER}")


def test_tabs_are_newest_first_and_paginated(app, client, staff):
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == STRATEGER))
        now = utcnow()
        for number in range(25):
            db.session.add(
                Comment(
                    post_id=post.id,
                    question_id=question_id(app, STRATEGER, QUESTION),
                    author_name=f"Läsare {number:02d}",
                    body_raw="x",
                    body_html="<p>x</p>",
                    state=CommentState.PENDING,
                    created_at=now - timedelta(minutes=100 - number),
                )
            )
        db.session.commit()
    login_as(client, "moderator")
    first = queue_html(client)
    names = re.findall(r"<strong><bdi>(Läsare \d+)</bdi></strong>", first)
    assert names[:3] == ["Läsare 24", "Läsare 23", "Läsare 22"] and len(names) == 20
    assert "Sida 1 av 2" in first
    second = client.get("/moderera/?flik=vantar&sida=2").get_data(as_text=True)
    assert re.findall(r"<strong><bdi>(Läsare \d+)</bdi></strong>", second) == [
        f"Läsare {n:02d}" for n in range(4, -1, -1)
    ]


# --- each action, with its audit entry --------------------------------------------------------


@pytest.mark.parametrize(
    "action, state, visible",
    [
        ("approve", "approved", True),
        ("reject", "rejected", False),
        ("spam", "spam", False),
        ("not_spam", "approved", True),
    ],
)
def test_each_action_moves_the_comment_and_writes_the_log(
    app, client, staff, action, state, visible
):
    comment_id = pending(app, client, "Min åsikt om saken")
    login_as(client, "moderator")
    response = staff_post(
        client,
        f"/moderera/kommentar/{comment_id}",
        {
            "action": action,
            "reason": "Motiverat",
            "seen": "pending",
            "next": "/moderera/?flik=vantar",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/moderera/?flik=vantar"
    assert comment_by_id(app, comment_id).state == state
    assert decisions(app, comment_id)[-1] == (
        action,
        "pending",
        state,
        staff["moderator"],
        "Motiverat",
    )
    assert comment_by_id(app, comment_id).decided_at is not None
    page = client.get(f"/{STRATEGER}").get_data(as_text=True)
    assert ("Min åsikt om saken" in page) is visible


def test_a_rejected_comment_leaves_its_replies_readable(app, client, staff):
    parent = pending(app, client, "Förälder")
    login_as(client, "moderator")
    staff_post(client, f"/moderera/kommentar/{parent}", {"action": "approve"})
    answer(client, STRATEGER, question_id(app, STRATEGER, QUESTION), "Barnet", parent_id=parent)
    staff_post(client, f"/moderera/kommentar/{parent}", {"action": "reject"})
    page = client.get(f"/{STRATEGER}").get_data(as_text=True)
    assert "Förälder" not in page and "Barnet" in page
    assert "Kommentaren är borttagen." in page


def test_a_decision_made_meanwhile_is_not_silently_overwritten(app, client, staff):
    comment_id = pending(app, client)
    login_as(client, "moderator")
    staff_post(client, f"/moderera/kommentar/{comment_id}", {"action": "spam", "seen": "pending"})
    late = staff_post(
        client, f"/moderera/kommentar/{comment_id}", {"action": "approve", "seen": "pending"}
    )
    assert late.status_code == 302
    assert comment_by_id(app, comment_id).state == CommentState.SPAM
    assert [d[0] for d in decisions(app, comment_id)] == ["processed", "spam"]
    assert "redan ändrats av någon annan" in client.get("/moderera/").get_data(as_text=True)


def test_edit_keeps_the_original_and_renders_the_new_text(app, client, staff):
    comment_id = pending(app, client, "Ring mig på 070-123 45 67, *gärna*")
    login_as(client, "author")
    response = staff_post(
        client,
        f"/moderera/kommentar/{comment_id}/redigera",
        {"body": "Ring mig, *gärna* <script>x</script>", "reason": "telefonnummer"},
    )
    assert response.status_code == 302
    comment = comment_by_id(app, comment_id)
    assert comment.body_raw == "Ring mig, *gärna* <script>x</script>"
    assert "<em>gärna</em>" in comment.body_html and "<script>" not in comment.body_html
    assert comment.state == CommentState.PENDING
    with app.app_context():
        revision = db.session.scalar(select(CommentRevision))
        assert revision.body_raw == "Ring mig på 070-123 45 67, *gärna*"
        assert revision.edited_by_id == staff["author"]
    assert decisions(app, comment_id)[-1] == (
        "edit",
        "pending",
        "pending",
        staff["author"],
        "telefonnummer",
    )


def test_an_edit_gives_the_comment_the_fingerprint_of_its_new_text(app, client, staff):
    """The spam check finds duplicates by fingerprint: it must see the text as edited."""
    from discussion.spam.signals import fingerprint

    comment_id = pending(app, client, "Köp billiga klockor här")
    login_as(client, "moderator")
    staff_post(client, f"/moderera/kommentar/{comment_id}/redigera", {"body": "Bra inlägg"})
    edited = comment_by_id(app, comment_id)
    assert edited.body_fingerprint == fingerprint("Bra inlägg")
    assert edited.body_fingerprint != fingerprint("Köp billiga klockor här")


def test_an_empty_edit_is_refused(app, client, staff):
    comment_id = pending(app, client, "Originalet")
    login_as(client, "moderator")
    staff_post(client, f"/moderera/kommentar/{comment_id}/redigera", {"body": "  "})
    assert comment_by_id(app, comment_id).body_raw == "Originalet"


def test_ban_from_the_queue_rejects_the_commenter_s_next_comment(app, client, staff):
    comment_id = pending(app, client, "Troll", email="troll@example.se")
    login_as(client, "moderator")
    response = staff_post(
        client,
        f"/moderera/kommentar/{comment_id}/stang-av",
        {"by_email": "y", "by_ip": "y", "days": "7", "reason": "hot"},
    )
    assert response.status_code == 302
    with app.app_context():
        ban = db.session.scalar(select(Ban))
        assert ban.email_hash and ban.ip_hash and ban.reason == "hot"
        assert timedelta(days=6, hours=23) < ban.expires_at - utcnow() <= timedelta(days=7)
    assert "hot" in client.get("/moderera/avstangningar").get_data(as_text=True)
    client.post("/logga-ut", data={"csrf_token": _token(client)})
    answer(
        client, STRATEGER, question_id(app, STRATEGER, QUESTION), "Igen", email="troll@example.se"
    )
    assert latest_comment(app).state == CommentState.REJECTED
    login_as(client, "moderator")
    staff_post(client, f"/moderera/avstangningar/{ban.id}/hav")
    assert "Inga avstängningar gäller." in client.get("/moderera/avstangningar").get_data(
        as_text=True
    )


def test_an_author_cannot_ban_a_reader_from_the_whole_site(app, client, staff):
    """A ban applies to every post, so only moderators and admins may give one."""
    comment_id = pending(app, client, "Troll", email="troll@example.se")
    login_as(client, "author")
    assert "Stäng av skribenten" not in queue_html(client)
    response = staff_post(
        client, f"/moderera/kommentar/{comment_id}/stang-av", {"by_ip": "y", "days": ""}
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ban)) == 0
    client.post("/logga-ut", data={"csrf_token": _token(client)})
    answer(client, KOMMUNAL, question_id(app, KOMMUNAL), "Fortfarande välkommen")
    assert latest_comment(app).state == CommentState.PENDING  # pre-moderated, not banned


def test_a_ban_needs_something_to_ban(app, client, staff):
    comment_id = pending(app, client, "Utan e-post", email="")
    login_as(client, "moderator")
    staff_post(client, f"/moderera/kommentar/{comment_id}/stang-av", {"by_email": "y", "days": "1"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ban)) == 0
    assert "ingen e-postadress" in client.get("/moderera/").get_data(as_text=True)


# --- bulk actions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action, state",
    [("approve", "approved"), ("reject", "rejected"), ("spam", "spam"), ("not_spam", "approved")],
)
def test_bulk_actions_apply_to_the_selection_only(app, client, staff, action, state):
    ids = [pending(app, client, f"Kommentar {n}", email=f"l{n}@example.se") for n in range(3)]
    login_as(client, "moderator")
    response = staff_post(
        client,
        "/moderera/urval",
        {"action": action, "ids": [str(ids[0]), str(ids[2])], "reason": "rensning"},
    )
    assert response.status_code == 302
    assert [comment_by_id(app, i).state for i in ids] == [state, "pending", state]
    for comment_id in (ids[0], ids[2]):
        assert decisions(app, comment_id)[-1] == (
            action,
            "pending",
            state,
            staff["moderator"],
            "rensning",
        )
    assert len(decisions(app, ids[1])) == 1


def test_bulk_with_nothing_ticked_changes_nothing(app, client, staff):
    comment_id = pending(app, client)
    login_as(client, "moderator")
    staff_post(client, "/moderera/urval", {"action": "approve"})
    assert comment_by_id(app, comment_id).state == CommentState.PENDING
    assert "Markera minst en kommentar" in client.get("/moderera/").get_data(as_text=True)


def test_an_author_moderates_only_comments_on_their_own_posts(app, client, staff):
    mine = pending(app, client, "På JM:s inlägg")
    with app.app_context():
        other = Post(
            slug="annat",
            title="Annat inlägg",
            author_handle="@annan",
            published=utcnow().date(),
            body_markdown="x",
            body_html="<p>x</p>",
            author_id=staff["other_author"],
        )
        other.questions.append(Question(text="Vad tycker du?", position=0))
        db.session.add(other)
        db.session.commit()
    theirs = pending(app, client, "På annans inlägg", slug="annat", q="Vad tycker du?")
    login_as(client, "author")
    html = queue_html(client)
    assert "På JM:s inlägg" in html and "På annans inlägg" not in html
    assert tab_count(html, "Väntar") == 1
    forbidden = staff_post(client, "/moderera/urval", {"action": "approve", "ids": [mine, theirs]})
    assert forbidden.status_code == 403
    assert comment_by_id(app, mine).state == CommentState.PENDING


# --- the audit log -----------------------------------------------------------------------------


def test_the_audit_log_shows_who_when_what_and_why(app, client, staff):
    comment_id = pending(app, client, "Loggad")
    login_as(client, "moderator")
    staff_post(client, f"/moderera/kommentar/{comment_id}", {"action": "reject", "reason": "off"})
    staff_post(client, f"/moderera/kommentar/{comment_id}", {"action": "approve"})
    client.post("/logga-ut", data={"csrf_token": _token(client)})
    login_as(client, "admin")
    html = client.get(f"/moderera/logg?kommentar={comment_id}").get_data(as_text=True)
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]
    assert len(rows) == 3  # newest first: approve, reject, processed
    assert "mod@example.se" in rows[0] and "Godkänd" in rows[0] and "Avvisad → Godkänd" in rows[0]
    assert "off" in rows[1] and "Väntar → Avvisad" in rows[1]
    assert "systemet" in rows[2] and "förhandsmoderering" in rows[2]
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).where(ModerationDecision.comment_id == comment_id)
            )
            == 3
        )


# --- unanswered comments ----------------------------------------------------------------------


def test_unanswered_lists_reader_comments_without_a_staff_reply_oldest_first(app, client, staff):
    app.config["SAMTAL_MODERATION_POLICY"] = "post"
    qid = question_id(app, STRATEGER, QUESTION)
    answer(client, STRATEGER, qid, "Äldsta frågan")
    oldest = latest_comment(app).id
    answer(client, STRATEGER, qid, "Besvaras djupt ner")
    deep = latest_comment(app).id
    answer(client, STRATEGER, qid, "Läsarsvar", parent_id=deep)
    reader_reply = latest_comment(app).id
    answer(client, STRATEGER, qid, "Nyaste frågan")
    login_as(client, "author")
    answer(client, STRATEGER, qid, "Skribenten svarar", parent_id=reader_reply)
    html = client.get("/moderera/obesvarade").get_data(as_text=True)
    texts = re.findall(r'<div class="text"><p>(.*?)</p>', html)
    assert texts == ["Äldsta frågan", "Nyaste frågan"]
    assert f"svara={oldest}#svara-{oldest}" in html
    client.post("/logga-ut", data={"csrf_token": _token(client)})
    login_as(client, "other_author")
    html = client.get("/moderera/obesvarade").get_data(as_text=True)
    assert "Alla kommentarer har fått svar." in html


# --- posts: closing, policy, questions ------------------------------------------------------


def post_of(app, slug=STRATEGER) -> Post:
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == slug))
        db.session.expunge(post)
        return post


def test_a_closed_post_shows_a_notice_and_refuses_comments_with_409(app, client, staff):
    login_as(client, "author")
    post = post_of(app)
    staff_post(client, f"/moderera/inlagg/{post.id}", {"policy": "", "closed": "y"})
    client.post("/logga-ut", data={"csrf_token": _token(client)})
    page = client.get(f"/{STRATEGER}").get_data(as_text=True)
    assert page.count("Inlägget är stängt för nya kommentarer.") == 6
    assert 'class="comment-form"' not in page
    refused = client.post(  # the page has no form left: a stale one, or a script
        f"/{STRATEGER}/trad/{question_id(app, STRATEGER, QUESTION)}",
        data={"csrf_token": csrf_token(client, "/logga-in"), "name": "Sen", "body": "Sent"},
    )
    assert refused.status_code == 409
    assert "Inlägget är stängt för nya kommentarer. Din kommentar sparades inte." in (
        refused.get_data(as_text=True)
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def test_a_closed_thread_refuses_comments_and_the_others_stay_open(app, client, staff):
    qid = question_id(app, STRATEGER, QUESTION)
    login_as(client, "moderator")
    staff_post(client, f"/moderera/fraga/{qid}", {"action": "close"})
    client.post("/logga-ut", data={"csrf_token": _token(client)})
    page = client.get(f"/{STRATEGER}").get_data(as_text=True)
    thread = page.split(f'id="trad-{qid}"')[1].split("</section>")[0]
    assert "Tråden är stängd för nya kommentarer." in thread and "comment-form" not in thread
    assert page.split("<template")[0].count('class="comment-form"') == 5
    refused = answer(client, STRATEGER, qid, "För sent")
    assert refused.status_code == 409
    assert "Tråden är stängd" in refused.get_data(as_text=True)
    general = question_id(app, STRATEGER)
    assert answer(client, STRATEGER, general, "Här går det bra").status_code == 302
    login_as(client, "moderator")
    staff_post(client, f"/moderera/fraga/{qid}", {"action": "open"})
    assert answer(client, STRATEGER, qid, "Nu igen").status_code == 302


def test_a_post_s_policy_is_overridden_from_its_page(app, client, staff):
    app.config["SAMTAL_MODERATION_POLICY"] = "first_time"
    post = post_of(app)
    login_as(client, "author")
    page = client.get(f"/moderera/inlagg/{post.id}").get_data(as_text=True)
    assert "Webbplatsens: Första gången" in page
    staff_post(client, f"/moderera/inlagg/{post.id}", {"policy": "post"})
    assert post_of(app).moderation_policy == ModerationPolicy.POST
    assert post_of(app).closed is False
    client.post("/logga-ut", data={"csrf_token": _token(client)})
    answer(
        client, STRATEGER, question_id(app, STRATEGER, QUESTION), "Direkt", email="ny@example.se"
    )
    assert latest_comment(app).state == CommentState.APPROVED


def questions_of(app, slug=STRATEGER) -> list[tuple[str, bool]]:
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == slug))
        return [
            (q.text, q.hidden) for q in sorted(post.questions, key=lambda q: (q.position, q.id))
        ]


def test_an_author_edits_reorders_hides_and_adds_questions(app, client, staff):
    before = questions_of(app)
    first, second = (question_id(app, STRATEGER, text) for text, _hidden in before[:2])
    login_as(client, "author")
    staff_post(client, f"/moderera/fraga/{first}", {"action": "save", "text": "  Vad tycker  du? "})
    staff_post(client, f"/moderera/fraga/{second}", {"action": "up"})
    staff_post(client, f"/moderera/fraga/{first}", {"action": "hide"})
    staff_post(client, f"/moderera/inlagg/{post_of(app).id}/fragor", {"text": "Och sedan?"})
    after = questions_of(app)
    assert after[0] == (before[1][0], False)
    assert after[1] == ("Vad tycker du?", True)
    assert after[-2] == ("Och sedan?", False)
    assert after[-1] == ("Övriga kommentarer", False)  # the general thread stays last
    page = client.get(f"/{STRATEGER}").get_data(as_text=True)
    assert "Vad tycker du?" not in page and " Och sedan?</h2>" in page


def test_the_general_thread_cannot_be_hidden_or_reworded(app, client, staff):
    general = question_id(app, STRATEGER)
    login_as(client, "admin")
    staff_post(client, f"/moderera/fraga/{general}", {"action": "hide"})
    staff_post(client, f"/moderera/fraga/{general}", {"action": "save", "text": "Annat"})
    assert questions_of(app)[-1] == ("Övriga kommentarer", False)
    assert "Tråden för övriga kommentarer finns alltid kvar." in client.get(
        f"/moderera/inlagg/{post_of(app).id}"
    ).get_data(as_text=True)


def test_a_hidden_question_keeps_its_comments(app, client, staff):
    app.config["SAMTAL_MODERATION_POLICY"] = "post"
    qid = question_id(app, STRATEGER, QUESTION)
    answer(client, STRATEGER, qid, "Sparas")
    login_as(client, "author")
    staff_post(client, f"/moderera/fraga/{qid}", {"action": "hide"})
    assert "Sparas" not in client.get(f"/{STRATEGER}").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Comment.body_raw)) == "Sparas"
    staff_post(client, f"/moderera/fraga/{qid}", {"action": "show"})
    assert "Sparas" in client.get(f"/{STRATEGER}").get_data(as_text=True)


def test_reimport_neither_re_adds_a_reworded_question_nor_duplicates(app, client, staff):
    qid = question_id(app, STRATEGER, QUESTION)
    login_as(client, "author")
    staff_post(client, f"/moderera/fraga/{qid}", {"action": "save", "text": "Vad tror ni?"})
    count = len(questions_of(app))
    with app.app_context():
        report = post_service.import_files(post_service.post_files(SAMPLE_POSTS))
        assert not report.failed
    texts = [text for text, _hidden in questions_of(app)]
    assert len(texts) == count and "Vad tror ni?" in texts and QUESTION not in texts


def test_the_importer_gives_posts_their_author_and_rematches_on_reimport(app, staff):
    with app.app_context():
        posts = db.session.scalars(select(Post)).all()
        assert {post.author_id for post in posts} == {staff["author"]}
        for post in posts:
            post.author_id = None
        db.session.commit()
        post_service.import_files(post_service.post_files(SAMPLE_POSTS))
        assert {post.author_id for post in db.session.scalars(select(Post))} == {staff["author"]}


def test_posts_signed_by_no_account_have_no_author(app, sample_posts):
    with app.app_context():
        assert {post.author_id for post in db.session.scalars(select(Post))} == {None}


def test_the_posts_page_lists_only_an_author_s_own_posts(app, client, staff):
    login_as(client, "other_author")
    html = client.get("/moderera/inlagg").get_data(as_text=True)
    assert "Inga inlägg som du hanterar." in html
    client.post("/logga-ut", data={"csrf_token": _token(client)})
    login_as(client, "author")
    html = client.get("/moderera/inlagg").get_data(as_text=True)
    assert html.count("/moderera/inlagg/") == 5 and KOMMUNAL not in html


# --- accounts page ---------------------------------------------------------------------------


def test_an_admin_changes_roles_but_cannot_lock_themselves_out(app, client, staff):
    login_as(client, "admin")
    staff_post(client, f"/moderera/konton/{staff['moderator']}", {"role": "author", "active": "y"})
    staff_post(client, f"/moderera/konton/{staff['admin']}", {"role": "moderator", "active": "y"})
    html = client.get("/moderera/konton").get_data(as_text=True)
    assert "Du kan inte ta bort din egen administratörsbehörighet." in html
    with app.app_context():
        from discussion.models import User

        assert db.session.get(User, staff["moderator"]).role == "author"
        assert db.session.get(User, staff["admin"]).role == "admin"


# --- the reader's page stays cheap ----------------------------------------------------------


def test_the_post_page_costs_the_same_queries_for_staff_whatever_the_comments(app, client, staff):
    from tests.test_reader import counted_queries

    app.config["SAMTAL_MODERATION_POLICY"] = "post"
    qid = question_id(app, STRATEGER, QUESTION)
    login_as(client, "author")
    answer(client, STRATEGER, qid, "Skribentens svar")
    with counted_queries(app) as few:
        assert client.get(f"/{STRATEGER}").status_code == 200
    add_approved_comments(
        app, qid, 40, lambda number: {"user_id": staff["author"] if number % 2 else None}
    )
    with counted_queries(app) as many:
        html = client.get(f"/{STRATEGER}").get_data(as_text=True)
    assert html.count("badge-staff") >= 21
    assert len(few) == len(many)


# --- counts that stop counting -----------------------------------------------------------------


def test_tab_badges_and_pages_count_only_up_to_the_cap(app, client, staff, monkeypatch):
    """With a million comments an exact count reads the table: beyond the cap it says "fler"."""
    from discussion.models import User
    from discussion.moderation import listings, views
    from discussion.web import pagination

    app.config["SAMTAL_MODERATION_POLICY"] = "post"
    qid = question_id(app, STRATEGER, QUESTION)
    add_approved_comments(app, qid, 30)
    for module in (listings, views, pagination):
        monkeypatch.setattr(module, "COUNT_CAP", 5)
    login_as(client, "moderator")
    html = client.get("/moderera/?flik=godkanda").get_data(as_text=True)
    assert re.search(r"Godkända <span class=\"count\">fler än 5</span>", html)
    assert re.search(r"Väntar <span class=\"count\">0</span>", html)
    assert "Sida 1 av fler än 1" in html
    with app.app_context():
        counts = listings.tab_counts(db.session.get(User, staff["moderator"]))
    assert counts["godkanda"] == 6 and counts["vantar"] == 0
    deep = client.get("/moderera/?flik=godkanda&sida=2").get_data(as_text=True)
    assert "Sida 2 av" in deep, "a page beyond the cap is counted as far as it asks"
