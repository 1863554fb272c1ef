"""The outbox for admins (/moderera/utkorg): every e-mail, sent, waiting or failed, with the
server's last answer, and a button to send a failed one again."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..auth.access import role_required
from ..extensions import db
from ..models import EmailStatus, OutgoingEmail, Role, row_by_id
from ..web.forms import ConfirmForm
from ..web.pagination import page_number, paginate
from .outbox import outbox_dir, send_again

OUTBOX_PER_PAGE = 50

bp = Blueprint("mail", __name__, url_prefix="/moderera")


@bp.get("/utkorg")
@role_required(Role.ADMIN)
def outbox():
    """Every e-mail, newest first: sent, waiting or failed, with the last error."""
    status = request.args.get("status")
    statement = select(OutgoingEmail).order_by(OutgoingEmail.id.desc())
    if status in set(EmailStatus):
        statement = statement.where(OutgoingEmail.status == status)
    counts = dict(
        db.session.execute(
            select(OutgoingEmail.status, func.count()).group_by(OutgoingEmail.status)
        ).all()
    )
    return render_template(
        "mail/outbox.html",
        page=paginate(statement, page_number(), OUTBOX_PER_PAGE),
        counts=counts,
        status=status,
        outbox_dir=outbox_dir(),
    )


def outgoing_or_404(outgoing_id: int) -> OutgoingEmail:
    row = row_by_id(OutgoingEmail, outgoing_id)
    if row is None:
        abort(404, _("E-postmeddelandet finns inte."))
    return row


@bp.get("/utkorg/<int:outgoing_id>")
@role_required(Role.ADMIN)
def outgoing_email(outgoing_id: int):
    """One e-mail as it was written, with its delivery history."""
    return render_template("mail/outgoing.html", row=outgoing_or_404(outgoing_id))


@bp.post("/utkorg/<int:outgoing_id>/skicka-igen")
@role_required(Role.ADMIN)
def send_again_view(outgoing_id: int):
    """Queue a failed e-mail again, e.g. after the SMTP settings were mended."""
    row = outgoing_or_404(outgoing_id)
    if not ConfirmForm().validate():
        abort(400)
    send_again(row)
    db.session.commit()
    flash(_("Meddelandet skickas igen."), "success")
    return redirect(url_for(".outbox"))
