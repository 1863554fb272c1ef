"""Readers' reports of comments: enough of them hide a comment until a moderator decides."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, select, update

from ..comments import lifecycle
from ..comments.identity import identity_hash
from ..extensions import db
from ..models import Comment, CommentState, Report
from ..refusals import Refusal

REPORT_REASONS = ("spam", "personangrepp", "annat")
REPORTS = "reports"  # the reason code of a comment hidden by reports, e.g. "reports:3"


class ReportError(Refusal):
    """A report that cannot be taken; the message is fit to show."""


def report(comment: Comment, reason: str, *, ip: str | None, note: str | None = None) -> bool:
    """Record a reader's report; False if this reader had already reported the comment.

    At the threshold (setting SAMTAL_REPORT_THRESHOLD) a visible comment is hidden and waits
    in the queue's Anmälda tab until a moderator decides.
    """
    if reason not in REPORT_REASONS:
        raise ReportError(_("Välj ett skäl till anmälan."))
    if comment.state != CommentState.APPROVED:
        raise ReportError(_("Kommentaren visas inte och kan inte anmälas."))
    ip_hash = identity_hash(ip)
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
        lifecycle.change_state(
            comment,
            CommentState.PENDING,
            action="reported",
            reason=f"{REPORTS}:{comment.report_count}",
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
