"""Readers reporting a comment: no account, no JavaScript, a few per IP address per hour."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from .. import limits
from ..extensions import db
from ..models import Comment, row_by_id
from ..services import moderation
from . import bp
from .forms import ReportForm
from .views import post_or_404


@bp.post("/<slug>/kommentar/<int:comment_id>/anmal")
@limits.reports
def report(slug: str, comment_id: int):
    """Record a report; at the threshold the comment is hidden until a moderator decides."""
    post = post_or_404(slug)
    comment = row_by_id(Comment, comment_id, with_for_update=True)
    if comment is None or comment.post_id != post.id or not comment.visible:
        abort(404, _("Kommentaren finns inte eller visas inte längre."))
    form = ReportForm()
    if not form.validate():
        flash(_("Välj ett skäl till anmälan."), "error")
        return redirect(
            url_for(".post", slug=post.slug, anmal=comment.id, _anchor=f"anmal-{comment.id}")
        )
    moderation.report(comment, form.reason.data, ip=request.remote_addr, note=form.note.data)
    try:
        db.session.commit()
    except IntegrityError:  # the same reader's report, sent twice at once: it counts once
        db.session.rollback()
    flash(_("Tack! En moderator tittar på kommentaren."), "success")
    anchor = f"kommentar-{comment.id}" if comment.visible else f"trad-{comment.question_id}"
    return redirect(url_for(".post", slug=post.slug, _anchor=anchor))
