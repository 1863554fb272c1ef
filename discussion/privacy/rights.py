"""What Samtal holds about a reader's address, to hand over or to erase.

Readers have no accounts: an address is known by the comments written with it (by its keyed
hash), its reply subscription, its verified organisation address, its verification links and
the e-mails sent to it. Reports and likes are stored without any address (a keyed IP hash and a
browser id), so no address leads to them; the download says so.

Erasing deletes the comments, except those with replies, which stay as "Kommentaren är
borttagen" (no name, address, hashes or text) so the replies keep their place; the audit log
gets an `Erasure` with counts and an `erased` entry per kept comment, never the data itself.
Bans stay: they hold only hashes, and a ban is not lifted by asking.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from ..comments import lifecycle
from ..comments.identity import identity_hash
from ..domains import parse_address
from ..extensions import db
from ..models import (
    Comment,
    CommentAnnouncement,
    CommentLike,
    CommentRevision,
    CommentState,
    DataRequest,
    EmailVerification,
    Erasure,
    ModerationDecision,
    OutgoingEmail,
    ReaderAddress,
    Report,
    User,
    VerifiedAddress,
)
from ..signing import site_url

# The rows that belong to a comment and go with it.
DEPENDANTS = (
    ModerationDecision,
    CommentLike,
    Report,
    CommentAnnouncement,
    EmailVerification,
)
ERASED = "erased"  # the audit action of a comment kept, emptied, for its replies' sake
NO_ADDRESS_NOTE = (
    "Reports and likes are stored without an address (a keyed hash of the IP address, cleared "
    "after the retention period, and a random browser id), so none can be tied to this address."
)


def address_key(email: str) -> str:
    """The normalised form the e-mail tables use; the trimmed, lower-cased text if invalid."""
    parsed = parse_address(email)
    return parsed.key if parsed else email.strip().lower()


def _hashes(email: str) -> set[str]:
    return {identity_hash(email), identity_hash(address_key(email))} - {None}


def comments_of(email: str) -> list[Comment]:
    return list(
        db.session.scalars(
            select(Comment)
            .where(Comment.email_hash.in_(_hashes(email)))
            .order_by(Comment.created_at, Comment.id)
        )
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment else None


def collect(email: str) -> dict:
    """Everything held about the address, as a JSON-ready document."""
    key = address_key(email)
    comments = comments_of(email)
    revisions: dict[int, list[CommentRevision]] = {}
    if comments:
        for revision in db.session.scalars(
            select(CommentRevision)
            .where(CommentRevision.comment_id.in_([comment.id for comment in comments]))
            .order_by(CommentRevision.created_at)
        ):
            revisions.setdefault(revision.comment_id, []).append(revision)
    reader = db.session.scalar(select(ReaderAddress).where(ReaderAddress.email == key))
    verified = db.session.scalars(select(VerifiedAddress).where(VerifiedAddress.email == key))
    links = db.session.scalars(select(EmailVerification).where(EmailVerification.email == key))
    emails = db.session.scalars(
        select(OutgoingEmail).where(OutgoingEmail.recipient == key).order_by(OutgoingEmail.id)
    )
    return {
        "address": key,
        "comments": [_comment(comment, revisions.get(comment.id, [])) for comment in comments],
        "subscription": None
        if reader is None
        else {
            "reply_notifications_confirmed_at": _iso(reader.replies_confirmed_at),
            "unsubscribed_at": _iso(reader.unsubscribed_at),
            "created_at": _iso(reader.created_at),
        },
        "verified_organisation_addresses": [
            {
                "organisation": row.organisation.name,
                "verified_at": _iso(row.verified_at),
                "expires_at": _iso(row.expires_at),
            }
            for row in verified
        ],
        "verification_links": [
            {
                "organisation": row.organisation.name,
                "comment_id": row.comment_id,
                "sent_at": _iso(row.created_at),
                "used_at": _iso(row.used_at),
            }
            for row in links
        ],
        "emails_sent": [
            {
                "kind": row.kind,
                "subject": row.subject,
                "status": str(row.status),
                "created_at": _iso(row.created_at),
            }
            for row in emails
        ],
        "reports": [],
        "reports_and_likes_note": NO_ADDRESS_NOTE,
    }


def _comment(comment: Comment, revisions: list[CommentRevision]) -> dict:
    return {
        "id": comment.id,
        "post": comment.post.title,
        "thread": comment.question.text,
        "url": site_url(f"/{comment.post.slug}#kommentar-{comment.id}"),
        "parent_id": comment.parent_id,
        "name": comment.author_name,
        "email": comment.email,
        "state": str(comment.state),
        "created_at": _iso(comment.created_at),
        "edited_at": _iso(comment.edited_at),
        "text": comment.body_raw,
        "html": comment.body_html,
        "earlier_texts": [revision.body_raw for revision in revisions],
        "reply_notifications": comment.notify_replies,
        "likes": comment.like_count or 0,
        "imported_from": comment.import_format,
    }


def erase(email: str, *, requested_by: str, user: User | None = None) -> Erasure:
    """Erase what the address has left here, and record that it happened (counts only).

    The caller commits.
    """
    key = address_key(email)
    hashes = _hashes(email)
    comments = comments_of(email)
    mine = {comment.id for comment in comments}
    children: dict[int, set[int]] = {}
    if mine:
        for child_id, parent_id in db.session.execute(
            select(Comment.id, Comment.parent_id).where(Comment.parent_id.in_(mine))
        ):
            children.setdefault(parent_id, set()).add(child_id)
    # A comment goes when nothing is left under it; the writer's own replies go first.
    gone: set[int] = set()
    changed = True
    while changed:
        changed = False
        for comment_id in mine - gone:
            if not children.get(comment_id, set()) - gone:
                gone.add(comment_id)
                changed = True
    kept = [comment for comment in comments if comment.id not in gone]
    for comment in kept:
        _empty(comment)
    db.session.flush()
    db.session.execute(delete(CommentRevision).where(CommentRevision.comment_id.in_(mine)))
    if gone:
        # Row by row what the foreign keys would cascade: SQLite does not enforce them here.
        for dependant in DEPENDANTS:
            db.session.execute(delete(dependant).where(dependant.comment_id.in_(gone)))
        db.session.execute(delete(Comment).where(Comment.id.in_(gone)))
    subscriptions = db.session.execute(delete(ReaderAddress).where(ReaderAddress.email == key))
    db.session.execute(delete(VerifiedAddress).where(VerifiedAddress.email == key))
    db.session.execute(delete(EmailVerification).where(EmailVerification.email == key))
    db.session.execute(delete(OutgoingEmail).where(OutgoingEmail.recipient == key))
    db.session.execute(delete(DataRequest).where(DataRequest.email_hash.in_(hashes)))
    record = Erasure(
        requested_by=requested_by,
        user=user,
        comments_deleted=len(gone),
        comments_replaced=len(kept),
        subscriptions_removed=subscriptions.rowcount
        + sum(1 for comment in comments if comment.notify_replies),
    )
    db.session.add(record)
    db.session.flush()
    return record


def _empty(comment: Comment) -> None:
    """Keep the comment's place in its thread, and nothing of its writer. A rejected or spam
    comment (hidden already, and its state final but for moderators) keeps its state."""
    if lifecycle.may_change(comment.state, CommentState.DELETED):
        lifecycle.change_state(comment, CommentState.DELETED, action=ERASED)
    else:
        lifecycle.record(comment, ERASED)
    comment.author_name = ""
    comment.email = None
    comment.email_hash = None
    comment.ip_hash = None
    comment.body_raw = ""
    comment.body_html = ""
    comment.body_fingerprint = None
    comment.signals = None
    comment.spam_reasons = None
    comment.notify_replies = False
