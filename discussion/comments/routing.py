"""Where a processed comment goes, and why: one ordered list of rules, the first answer wins.

    staff         a staff reply goes live at once
    banned        a banned writer's comment is rejected (a ban is about a person, so the spam
                  labels stay clean for the model to learn from)
    spam          a score at the spam threshold goes to Skräp
    organisation  an organisation's address not yet proved is held for its verification link;
                  a proved one waits only if a moderator put its organisation under moderation
    flagged       a score at the queue threshold waits in Väntar
    policy        the post's moderation policy: post, pre or first_time

The verdict the rules read is the one stored on the comment (`spam.check.assess` wrote it when
the worker processed the comment), so routing again, when a writer confirms their address, needs
no model and no scoring. Reasons are short codes for the audit log, worded by
`moderation.labels.reason_text`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import exists, select

from ..domains import parse_address
from ..extensions import db
from ..models import Ban, Comment, CommentState, ModerationPolicy, Organisation, Post
from ..moderation.bans import active_ban, active_bans_of, ban_among
from ..organisations.register import organisations_for
from ..organisations.verification import awaiting_organisation
from ..spam.scoring import Thresholds

# Reason codes, as stored in the audit log: a code, or a code and a value ("ban:4").
STAFF = "staff"
BAN = "ban"
SPAM = "spam"
VERIFY = "verify"
ORGANISATION = "organisation"
POLICY = "policy"
KNOWN = "policy:known"


@dataclass(frozen=True)
class Routing:
    state: CommentState
    reason: str
    # For a held comment: the organisation whose verification link it waits for.
    organisation: Organisation | None = None


@dataclass(frozen=True)
class Known:
    """What the rules look up, read once for a batch of comments (a worker's batch): the
    active bans of their writers and the organisations of their addresses' domains."""

    bans: list[Ban]
    organisations: dict[str, Organisation | None]

    @classmethod
    def of(cls, comments: list[Comment]) -> Known:
        addresses = (parse_address(comment.email) for comment in comments)
        domains = {address.domain for address in addresses if address is not None}
        return cls(active_bans_of(comments), organisations_for(domains))


Rule = Callable[[Comment, Known | None], Routing | None]


def site_policy() -> ModerationPolicy:
    return ModerationPolicy(current_app.config["SAMTAL_MODERATION_POLICY"])


def effective_policy(post: Post) -> ModerationPolicy:
    """The post's own policy if it has one, else the site's."""
    if post.moderation_policy is not None:
        return ModerationPolicy(post.moderation_policy)
    return site_policy()


def _staff(comment: Comment, known: Known | None) -> Routing | None:
    if comment.user_id is not None:
        return Routing(CommentState.APPROVED, STAFF)
    return None


def _banned(comment: Comment, known: Known | None) -> Routing | None:
    if known is not None:
        ban = ban_among(known.bans, comment.email_hash, comment.ip_hash)
    else:
        ban = active_ban(comment.email_hash, comment.ip_hash)
    return Routing(CommentState.REJECTED, f"{BAN}:{ban.id}") if ban is not None else None


def _where_the_score_sends(comment: Comment) -> str:
    if comment.spam_score is None:
        return "normal"
    return Thresholds.from_config(current_app.config).route(comment.spam_score)


def _spam(comment: Comment, known: Known | None) -> Routing | None:
    if _where_the_score_sends(comment) == "spam":
        return Routing(CommentState.SPAM, f"{SPAM}:{comment.spam_score:.2f}")
    return None


def _organisation(comment: Comment, known: Known | None) -> Routing | None:
    organisation = comment.organisation
    if organisation is None:
        awaiting = awaiting_organisation(comment, known.organisations if known else None)
        if awaiting is None:
            return None
        return Routing(CommentState.HELD, f"{VERIFY}:{awaiting.id}", organisation=awaiting)
    if organisation.moderate_answers:
        return Routing(CommentState.PENDING, f"{ORGANISATION}:{organisation.id}")
    return None


def _flagged(comment: Comment, known: Known | None) -> Routing | None:
    if _where_the_score_sends(comment) == "pending":
        return Routing(CommentState.PENDING, f"{SPAM}:{comment.spam_score:.2f}")
    return None


def _policy(comment: Comment, known: Known | None) -> Routing:
    policy = effective_policy(comment.post)
    if policy == ModerationPolicy.POST:
        return Routing(CommentState.APPROVED, f"{POLICY}:{policy}")
    if policy == ModerationPolicy.FIRST_TIME and has_approved_comment(comment):
        return Routing(CommentState.APPROVED, KNOWN)
    # A proved organisation address is nobody's first time; pre-moderation still holds it.
    if policy == ModerationPolicy.FIRST_TIME and comment.organisation is not None:
        return Routing(CommentState.APPROVED, f"{ORGANISATION}:{comment.organisation.id}")
    return Routing(CommentState.PENDING, f"{POLICY}:{policy}")


RULES: tuple[Rule, ...] = (_staff, _banned, _spam, _organisation, _flagged, _policy)


def route(comment: Comment, known: Known | None = None) -> Routing:
    """The first rule's answer; the policy rule always answers. `known`: the lookups done
    beforehand for a batch (else each rule asks the database itself)."""
    for rule in RULES:
        routing = rule(comment, known)
        if routing is not None:
            return routing
    raise AssertionError("the policy rule always answers")


def has_approved_comment(comment: Comment) -> bool:
    """True if the commenter, known by e-mail hash, has had another comment approved."""
    if not comment.email_hash:
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Comment.email_hash == comment.email_hash,
                    Comment.state == CommentState.APPROVED,
                    Comment.id != comment.id,
                )
            )
        )
    )
