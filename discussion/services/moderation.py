"""Moderation: where a new comment goes, and the decisions staff make about comments and posts.

Every change of a comment's state or text goes through `comments.change_state`, so each one has
its audit entry (who, when, from which state to which, why). Reasons the system writes are short
codes (`policy:pre`, `ban:4`, ...) that the pages translate; a moderator's own reason is text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, or_, select, update

from ..config import COMMENT_MAX_LENGTH
from ..extensions import db
from ..models import (
    Ban,
    Comment,
    CommentRevision,
    CommentState,
    ModerationDecision,
    ModerationPolicy,
    Post,
    Question,
    QuestionKind,
    Report,
    User,
    utcnow,
)
from ..questions import normalise
from ..sanitize import render_comment
from . import comments

# What a moderator's action makes of a comment.
ACTIONS: dict[str, CommentState] = {
    "approve": CommentState.APPROVED,
    "reject": CommentState.REJECTED,
    "spam": CommentState.SPAM,
    "not_spam": CommentState.APPROVED,
}
# States a moderator may decide about; `received` and `held` are still on their way.
DECIDABLE = frozenset(
    {CommentState.PENDING, CommentState.APPROVED, CommentState.REJECTED, CommentState.SPAM}
)
REPORT_REASONS = ("spam", "personangrepp", "annat")
# A banned commenter's new comments are rejected (not marked spam): a ban is about a person,
# and spam labels are kept for what the spam check can learn from.
BANNED_STATE = CommentState.REJECTED


class ModerationError(ValueError):
    """A decision that cannot be made; the message is fit to show to the moderator."""


class StaleDecision(ModerationError):
    """Someone else decided about the comment after this moderator's page was loaded."""


# --- where a new comment goes ----------------------------------------------------------------


@dataclass(frozen=True)
class Routing:
    state: CommentState
    reason: str  # a code for the audit log, e.g. "policy:first_time"


def site_policy() -> ModerationPolicy:
    return ModerationPolicy(current_app.config["SAMTAL_MODERATION_POLICY"])


def effective_policy(post: Post) -> ModerationPolicy:
    """The post's own policy if it has one, else the site's."""
    if post.moderation_policy is not None:
        return ModerationPolicy(post.moderation_policy)
    return site_policy()


def check_spam(comment: Comment) -> Routing | None:
    """Score the comment and keep the verdict on it; a flagged one never goes live unseen."""
    from . import spamcheck  # here, not at the top: it loads scikit-learn, which web
    # processes do not need (they only send the work to the workers)

    verdict = spamcheck.check(comment)
    comment.spam_score, comment.spam_reasons = verdict.score, verdict.reasons
    where = spamcheck.route(verdict)
    if where == "normal":
        return None
    state = CommentState.SPAM if where == "spam" else CommentState.PENDING
    return Routing(state, f"spam:{verdict.score:.2f}")


def decide(comment: Comment) -> Routing:
    """Where a processed comment goes, and why: staff, bans, the spam check, then the policy."""
    if comment.user_id is not None:
        return Routing(CommentState.APPROVED, "staff")
    ban = active_ban(comment.email_hash, comment.ip_hash)
    if ban is not None:
        return Routing(BANNED_STATE, f"ban:{ban.id}")
    spam_routing = check_spam(comment)
    if spam_routing is not None:
        return spam_routing
    policy = effective_policy(comment.post)
    if policy == ModerationPolicy.POST:
        return Routing(CommentState.APPROVED, "policy:post")
    if policy == ModerationPolicy.FIRST_TIME and has_approved_comment(comment):
        return Routing(CommentState.APPROVED, "policy:known")
    return Routing(CommentState.PENDING, f"policy:{policy}")


def route(comment: Comment) -> CommentState:
    """The state a received comment moves to once processed."""
    return decide(comment).state


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


def active_ban(email_hash: str | None, ip_hash: str | None) -> Ban | None:
    matches = [Ban.email_hash == value for value in [email_hash] if value]
    matches += [Ban.ip_hash == value for value in [ip_hash] if value]
    if not matches:
        return None
    now = utcnow()
    return db.session.scalar(
        select(Ban)
        .where(or_(*matches), or_(Ban.expires_at.is_(None), Ban.expires_at > now))
        .order_by(Ban.id)
        .limit(1)
    )


# --- decisions about comments ------------------------------------------------------------------


def moderate(
    comment: Comment,
    action: str,
    user: User,
    *,
    reason: str | None = None,
    seen_state: str | None = None,
) -> ModerationDecision:
    """Apply a moderator's action; open reports on the comment are settled by it.

    `seen_state` is the state the moderator's page showed: if the comment has moved since,
    the decision is refused rather than silently overwriting someone else's.
    """
    if action not in ACTIONS:
        raise ModerationError(_("Okänd åtgärd."))
    if comment.state not in DECIDABLE:
        raise ModerationError(_("Kommentaren behandlas fortfarande och kan inte beslutas än."))
    if seen_state and seen_state != comment.state:
        raise StaleDecision(
            _("Kommentar %(id)d har redan ändrats av någon annan; se loggen.", id=comment.id)
        )
    resolve_reports(comment)
    return comments.change_state(
        comment, ACTIONS[action], action=action, user=user, reason=(reason or "").strip() or None
    )


def approve(comment: Comment, user: User, reason: str | None = None) -> ModerationDecision:
    return moderate(comment, "approve", user, reason=reason)


def reject(comment: Comment, user: User, reason: str | None = None) -> ModerationDecision:
    return moderate(comment, "reject", user, reason=reason)


def mark_spam(comment: Comment, user: User, reason: str | None = None) -> ModerationDecision:
    return moderate(comment, "spam", user, reason=reason)


def mark_not_spam(comment: Comment, user: User, reason: str | None = None) -> ModerationDecision:
    return moderate(comment, "not_spam", user, reason=reason)


@dataclass
class BulkResult:
    done: list[int]
    skipped: list[int]


def moderate_many(
    selection: Iterable[Comment], action: str, user: User, *, reason: str | None = None
) -> BulkResult:
    """One action on a selection; comments that cannot take it are skipped, not failed."""
    result = BulkResult(done=[], skipped=[])
    for comment in selection:
        try:
            moderate(comment, action, user, reason=reason)
        except ModerationError:
            result.skipped.append(comment.id)
        else:
            result.done.append(comment.id)
    return result


def edit_text(
    comment: Comment, user: User, body: str, reason: str | None = None
) -> ModerationDecision | None:
    """Replace a comment's text, keeping the previous text as a revision; None if unchanged."""
    body = body.strip()
    if not body:
        raise ModerationError(_("Texten får inte vara tom."))
    if len(body) > COMMENT_MAX_LENGTH:
        raise ModerationError(
            _("Kommentaren får vara högst %(max)d tecken.", max=COMMENT_MAX_LENGTH)
        )
    if comment.state not in DECIDABLE:
        raise ModerationError(_("Kommentaren behandlas fortfarande och kan inte redigeras än."))
    if body == comment.body_raw:
        return None
    db.session.add(
        CommentRevision(comment_id=comment.id, body_raw=comment.body_raw, edited_by_id=user.id)
    )
    comment.body_raw = body
    comment.body_html = render_comment(body)
    return comments.change_state(comment, comment.state, action="edit", user=user, reason=reason)


def ban_commenter(
    comment: Comment,
    user: User,
    *,
    by_email: bool,
    by_ip: bool,
    days: int | None,
    reason: str | None = None,
) -> Ban:
    """Keep the comment's writer out by e-mail hash and/or IP hash; None days means for good.

    The ban applies to comments processed from now on; this and earlier comments keep
    their state until a moderator decides about them.
    """
    email_hash = comment.email_hash if by_email else None
    ip_hash = comment.ip_hash if by_ip else None
    if by_email and not email_hash:
        raise ModerationError(_("Kommentaren har ingen e-postadress att stänga av."))
    if by_ip and not ip_hash:
        raise ModerationError(_("Kommentaren har ingen IP-adress att stänga av."))
    if not (email_hash or ip_hash):
        raise ModerationError(_("Välj e-postadress, IP-adress eller båda."))
    if days is not None and days <= 0:
        raise ModerationError(_("Avstängningen måste gälla minst en dag."))
    ban = Ban(
        email_hash=email_hash,
        ip_hash=ip_hash,
        reason=(reason or "").strip() or None,
        created_by_id=user.id,
        expires_at=utcnow() + timedelta(days=days) if days else None,
    )
    db.session.add(ban)
    db.session.flush()
    return ban


def lift_ban(ban: Ban) -> None:
    ban.expires_at = utcnow()


# --- reports from readers ----------------------------------------------------------------------


def report(comment: Comment, reason: str, *, ip: str | None, note: str | None = None) -> bool:
    """Record a reader's report; False if this reader had already reported the comment.

    At the threshold (setting SAMTAL_REPORT_THRESHOLD) a visible comment is hidden and waits
    in the queue's Anmälda tab until a moderator decides.
    """
    if reason not in REPORT_REASONS:
        raise ModerationError(_("Välj ett skäl till anmälan."))
    if comment.state != CommentState.APPROVED:
        raise ModerationError(_("Kommentaren visas inte och kan inte anmälas."))
    ip_hash = comments.identity_hash(ip)
    if ip_hash and db.session.scalar(
        select(exists().where(Report.comment_id == comment.id, Report.ip_hash == ip_hash))
    ):
        return False
    db.session.add(
        Report(
            comment_id=comment.id, reason=reason, note=(note or "").strip() or None, ip_hash=ip_hash
        )
    )
    comment.report_count = (comment.report_count or 0) + 1
    if comment.report_count >= current_app.config["SAMTAL_REPORT_THRESHOLD"]:
        comments.change_state(
            comment,
            CommentState.PENDING,
            action="reported",
            reason=f"reports:{comment.report_count}",
        )
    return True


def resolve_reports(comment: Comment) -> None:
    """A moderator's decision settles the open reports on a comment."""
    if not comment.report_count:
        return
    db.session.execute(
        update(Report)
        .where(Report.comment_id == comment.id, Report.resolved.is_(False))
        .values(resolved=True)
    )
    comment.report_count = 0


# --- posts and their threads -------------------------------------------------------------------


def set_post_closed(post: Post, closed: bool) -> None:
    post.closed = closed


def set_question_closed(question: Question, closed: bool) -> None:
    question.closed = closed


def set_policy(post: Post, policy: ModerationPolicy | str | None) -> None:
    """Override the site's policy for one post; None returns it to the site's."""
    post.moderation_policy = ModerationPolicy(policy) if policy else None


def _closing_questions(post: Post) -> list[Question]:
    return sorted(
        (q for q in post.questions if q.kind == QuestionKind.CLOSING),
        key=lambda q: (q.position, q.id or 0),
    )


def _clean_question(post: Post, text: str, *, keep: Question | None = None) -> str:
    cleaned = normalise(text)
    if not cleaned:
        raise ModerationError(_("Frågan får inte vara tom."))
    if len(cleaned) > 1000:
        raise ModerationError(_("Frågan får vara högst 1 000 tecken."))
    if any(q is not keep and normalise(q.text) == cleaned for q in post.questions):
        raise ModerationError(_("Inlägget har redan den frågan."))
    return cleaned


def _closing_only(question: Question) -> None:
    if question.is_general:
        raise ModerationError(_("Tråden för övriga kommentarer finns alltid kvar."))


def edit_question(question: Question, text: str) -> None:
    """Reword a question; the imported wording is remembered so a re-import does not re-add it."""
    _closing_only(question)
    cleaned = _clean_question(question.post, text, keep=question)
    if question.imported_text is None:
        question.imported_text = question.text
    question.text = cleaned


def add_question(post: Post, text: str) -> Question:
    cleaned = _clean_question(post, text)
    position = max((q.position for q in _closing_questions(post)), default=-1) + 1
    question = Question(text=cleaned, kind=QuestionKind.CLOSING, position=position)
    post.questions.append(question)
    db.session.flush()
    return question


def set_question_hidden(question: Question, hidden: bool) -> None:
    """Hide a thread from readers; its comments stay in the database."""
    _closing_only(question)
    question.hidden = hidden


def move_question(question: Question, offset: int) -> None:
    """Move a closing question up (-1) or down (+1) among its post's closing questions."""
    _closing_only(question)
    ordered = _closing_questions(question.post)
    index = ordered.index(question)
    target = index + offset
    if not 0 <= target < len(ordered):
        return
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, each in enumerate(ordered):
        each.position = position
