"""Readers' likes: one per browser and comment, toggled, on visible comments only.

A like is stored with the hash of the browser's signed id and of the IP address. Clearing the
browser's cookies gives it a new id, so at most LIKES_PER_IP likes of one comment come from one
IP address: enough for a household or an office behind one address, not for a script.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..models import Comment, CommentLike, CommentState
from ..refusals import Refusal
from .identity import identity_hash

LIKES_PER_IP = 5


class LikeRefused(Refusal):
    """A like that cannot be given; the message is fit to show."""


class NotShown(LikeRefused):
    """Only a comment readers can see can be liked."""


class TooManyFromHere(LikeRefused):
    """One network has liked the comment LIKES_PER_IP times already."""


def toggle_like(comment: Comment, browser: str, ip: str | None) -> tuple[bool, int]:
    """Like the comment, or take the like back; (liked now, the comment's like count)."""
    if not comment.visible:
        raise NotShown(_("Kommentaren visas inte och kan inte gillas."))
    browser_hash = _browser_hash(browser)
    existing = db.session.scalar(
        select(CommentLike).where(
            CommentLike.comment_id == comment.id, CommentLike.browser_hash == browser_hash
        )
    )
    if existing is not None:
        db.session.delete(existing)
        return False, _count(comment, -1)
    ip_hash = identity_hash(ip)
    if ip_hash is not None:
        from_ip = db.session.scalar(
            select(func.count()).where(
                CommentLike.comment_id == comment.id, CommentLike.ip_hash == ip_hash
            )
        )
        if from_ip >= LIKES_PER_IP:
            raise TooManyFromHere(_("Kommentaren har redan gillats många gånger från din adress."))
    db.session.add(CommentLike(comment_id=comment.id, browser_hash=browser_hash, ip_hash=ip_hash))
    return True, _count(comment, +1)


def _count(comment: Comment, change: int) -> int:
    """Add to the count in the database itself, so two likes at once both count."""
    comment.like_count = Comment.like_count + change
    db.session.flush()
    db.session.refresh(comment, ["like_count"])
    return comment.like_count


def liked_on_post(browser: str | None, post_id: int) -> set[int]:
    """Which visible comments of the post this browser likes: its own likes, found by its hash,
    so that the cost is what the browser liked, not how many comments the post has."""
    if not browser:
        return set()
    browser_hash = _browser_hash(browser)
    return set(
        db.session.scalars(
            select(CommentLike.comment_id)
            .join(Comment, Comment.id == CommentLike.comment_id)
            .where(
                CommentLike.browser_hash == browser_hash,
                Comment.post_id == post_id,
                Comment.state == CommentState.APPROVED,
            )
        )
    )


def liked_by(browser: str | None, comment_ids: list[int]) -> set[int]:
    """Which of these comments this browser likes."""
    if not browser or not comment_ids:
        return set()
    browser_hash = _browser_hash(browser)
    return set(
        db.session.scalars(
            select(CommentLike.comment_id).where(
                CommentLike.browser_hash == browser_hash, CommentLike.comment_id.in_(comment_ids)
            )
        )
    )


def _browser_hash(browser: str) -> str:
    """How a browser's id is kept with its likes: hashed, like every identity."""
    return identity_hash(f"browser:{browser}")
