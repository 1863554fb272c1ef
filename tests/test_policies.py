"""Where a new comment goes: the three policies, per-post overrides, the spam flag, staff, bans."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from discussion.auth import accounts
from discussion.comments import posting
from discussion.extensions import db
from discussion.models import (
    Ban,
    Comment,
    CommentState,
    ModerationPolicy,
    Post,
    Question,
    User,
    utcnow,
)
from discussion.moderation import bans
from discussion.moderation import decisions as moderating
from discussion.posts import editing
from discussion.spam import check
from tests.staff import (
    EMAILS,
    STRATEGER,
    add_staff,
    answer,
    decisions,
    latest_comment,
    login_as,
    question_id,
)

QUESTION = "Vad tror du?"


pytestmark = pytest.mark.usefixtures("spam_check_passes")


def use_policy(app, policy: str) -> None:
    app.config["SAMTAL_MODERATION_POLICY"] = policy


def post_as_reader(app, body="Ett svar", email="karin@example.se", ip="10.0.0.1") -> Comment:
    """Post and process a comment through the services, as the reader's form does."""
    with app.app_context():
        question = db.session.get(Question, question_id(app, STRATEGER, QUESTION))
        comment = posting.post_comment(question, name="Karin", body=body, email=email, ip=ip)
        db.session.commit()
        db.session.refresh(comment)
        db.session.expunge(comment)
        return comment


def test_post_moderation_publishes_at_once(app, sample_posts):
    use_policy(app, "post")
    comment = post_as_reader(app)
    assert comment.state == CommentState.APPROVED
    assert decisions(app, comment.id) == [
        ("processed", "received", "approved", None, "policy:post")
    ]


def test_pre_moderation_holds_every_comment_even_from_known_commenters(app, sample_posts):
    use_policy(app, "pre")
    first = post_as_reader(app)
    with app.app_context():
        db.session.get(Comment, first.id).state = CommentState.APPROVED
        db.session.commit()
    again = post_as_reader(app, "Ett till")
    assert again.state == CommentState.PENDING
    assert decisions(app, again.id)[-1][4] == "policy:pre"


def test_first_time_holds_a_new_commenter_until_one_comment_is_approved(app, sample_posts):
    use_policy(app, "first_time")
    add_staff(app)
    first = post_as_reader(app, email="Karin@Example.se")
    assert first.state == CommentState.PENDING
    second = post_as_reader(app, "Andra försöket")
    assert second.state == CommentState.PENDING
    with app.app_context():
        moderating.approve(db.session.get(Comment, first.id), admin())
        db.session.commit()
    third = post_as_reader(app, "Nu känner ni mig", email=" karin@example.se ")
    assert third.state == CommentState.APPROVED
    assert decisions(app, third.id)[-1][4] == "policy:known"


def test_first_time_knows_commenters_by_email_not_by_name(app, sample_posts):
    use_policy(app, "first_time")
    add_staff(app)
    known = post_as_reader(app, email="karin@example.se")
    with app.app_context():
        moderating.approve(db.session.get(Comment, known.id), admin())
        db.session.commit()
    # Same name "Karin", another address: still a first-timer.
    assert post_as_reader(app, email="annan@example.se").state == CommentState.PENDING


def test_first_time_holds_comments_without_an_email(app, sample_posts):
    use_policy(app, "first_time")
    with app.app_context():
        db.session.add(
            Comment(
                post_id=db.session.scalar(select(Post.id).where(Post.slug == STRATEGER)),
                question_id=question_id(app, STRATEGER, QUESTION),
                author_name="Gammal",
                body_raw="x",
                state=CommentState.APPROVED,
            )
        )
        db.session.commit()
    assert post_as_reader(app, email=None).state == CommentState.PENDING


def test_a_post_overrides_the_site_policy(app, sample_posts):
    use_policy(app, "post")
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == STRATEGER))
        editing.set_policy(post, ModerationPolicy.PRE)
        db.session.commit()
    assert post_as_reader(app).state == CommentState.PENDING
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == STRATEGER))
        editing.set_policy(post, None)
        db.session.commit()
    assert post_as_reader(app, "Igen").state == CommentState.APPROVED


def test_the_site_policy_is_a_checked_setting(tmp_path, monkeypatch):
    from discussion import create_app
    from tests.helpers import base_config

    monkeypatch.setenv("SAMTAL_MODERATION_POLICY", "pre-moderation")
    with pytest.raises(RuntimeError, match="SAMTAL_MODERATION_POLICY"):
        create_app(base_config(tmp_path))
    monkeypatch.setenv("SAMTAL_MODERATION_POLICY", "first-time")
    config = base_config(tmp_path)
    del config["SAMTAL_MODERATION_POLICY"]
    assert create_app(config).config["SAMTAL_MODERATION_POLICY"] == "first_time"


def test_flagged_comments_wait_even_under_post_moderation(app, sample_posts, monkeypatch):
    use_policy(app, "post")
    monkeypatch.setattr(
        check,
        "assess",
        lambda comment, setup=None: setattr(
            comment, "spam_score", 0.70 if "http" in comment.body_raw else 0.1
        ),
    )
    flagged = post_as_reader(app, "Köp nu: http://a.example")
    assert flagged.state == CommentState.PENDING
    assert decisions(app, flagged.id)[-1][4] == "spam:0.70"
    assert post_as_reader(app, "Inga länkar här").state == CommentState.APPROVED


def test_the_real_spam_check_keeps_obvious_spam_from_going_live(app, sample_posts, monkeypatch):
    monkeypatch.undo()  # the real check, model and all
    use_policy(app, "post")
    spam = post_as_reader(
        app,
        "CHECK OUT MY CHANNEL!!! Subscribe and win a free iPhone http://a.example "
        "http://b.example http://c.example http://d.example",
    )
    assert spam.state in (CommentState.PENDING, CommentState.SPAM)
    assert spam.spam_score is not None and spam.spam_reasons


def test_staff_replies_go_live_with_a_badge_under_pre_moderation(app, client, sample_posts):
    use_policy(app, "pre")
    add_staff(app)
    login_as(client, "moderator")
    qid = question_id(app, STRATEGER, QUESTION)
    response = answer(client, STRATEGER, qid, "Svar från redaktionen", name="Någon annan")
    assert response.status_code == 302
    comment = latest_comment(app)
    assert comment.state == CommentState.APPROVED and comment.user_id is not None
    assert comment.author_name == "Moa Moderator"  # the account's name, not the form's
    html = client.get(f"/{STRATEGER}").get_data(as_text=True)
    byline = html.split(f'id="kommentar-{comment.id}"')[1].split("</p>")[0]
    assert (
        "Moa Moderator" in byline
        and '<span class="badge badge-staff badge-moderator">Moderator</span>' in byline
    )
    assert "Du skriver som Moa Moderator" in html


def test_a_banned_commenter_s_later_comments_are_rejected(app, sample_posts):
    use_policy(app, "post")
    add_staff(app)
    earlier = post_as_reader(app, email="troll@example.se")
    with app.app_context():
        comment = db.session.get(Comment, earlier.id)
        ban = bans.ban_commenter(comment, admin(), by_email=True, by_ip=False, days=7)
        db.session.commit()
        ban_id = ban.id
    assert comment_state(app, earlier.id) == CommentState.APPROVED  # earlier ones stay
    later = post_as_reader(app, email="TROLL@example.se", ip="10.9.9.9")
    assert later.state == CommentState.REJECTED
    assert decisions(app, later.id)[-1][4] == f"ban:{ban_id}"
    assert post_as_reader(app, email="snall@example.se").state == CommentState.APPROVED


def test_an_ip_ban_applies_to_any_address_from_that_ip(app, sample_posts):
    use_policy(app, "post")
    add_staff(app)
    earlier = post_as_reader(app, email=None, ip="10.6.6.6")
    with app.app_context():
        bans.ban_commenter(
            db.session.get(Comment, earlier.id), admin(), by_email=False, by_ip=True, days=None
        )
        db.session.commit()
    assert post_as_reader(app, email="ny@example.se", ip="10.6.6.6").state == "rejected"
    assert post_as_reader(app, email="ny@example.se", ip="10.6.6.7").state == "approved"


def test_an_expired_ban_no_longer_applies(app, sample_posts):
    use_policy(app, "post")
    earlier = post_as_reader(app, email="troll@example.se")
    with app.app_context():
        db.session.add(
            Ban(email_hash=earlier.email_hash, expires_at=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()
    assert post_as_reader(app, email="troll@example.se").state == CommentState.APPROVED


def admin() -> User:
    """The admin of tests.staff.add_staff; call inside an app context."""
    return accounts.user_by_email(EMAILS["admin"])


def comment_state(app, comment_id: int) -> CommentState:
    with app.app_context():
        return db.session.get(Comment, comment_id).state
