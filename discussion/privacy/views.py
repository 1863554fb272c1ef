"""/mina-uppgifter: a reader asks for a link, and the link's page downloads or erases their data."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.access import role_required
from ..config import DATA_LINK_HOURS
from ..extensions import db, limiter
from ..models import Role, utcnow
from ..web.errors import render_error
from . import links, rights
from .forms import DataRequestForm

bp = Blueprint("privacy", __name__, url_prefix="/mina-uppgifter")
staff_bp = Blueprint("privacy_staff", __name__, url_prefix="/moderera/konton/uppgifter")

request_limit = limiter.limit(
    lambda: current_app.config["SAMTAL_DATA_REQUEST_RATE_LIMIT"], methods=["POST"]
)


@bp.errorhandler(links.DataLinkError)
def link_failed(error: links.DataLinkError):
    db.session.rollback()
    return render_error(400, str(error))


@bp.route("", methods=["GET", "POST"])
@request_limit
def start():
    """Ask for a link; every address gets the same answer, whatever is held about it."""
    form = DataRequestForm()
    if request.method == "POST":
        if not form.validate():
            return render_template("privacy/start.html", form=form), 400
        links.request_link(form.email.data)
        db.session.commit()
        return render_template(
            "privacy/sent.html", address=form.email.data.strip(), hours=DATA_LINK_HOURS
        )
    return render_template("privacy/start.html", form=form)


def _download(document: dict) -> Response:
    name = f"mina-uppgifter-{utcnow():%Y%m%d}.json"
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/<token>")
def link(token: str):
    """The link's page: what is held, and the two buttons. Changes nothing."""
    opened = links.open_link(token)
    held = rights.collect(opened.email)
    page = render_template("privacy/link.html", token=token, email=opened.email, held=held)
    db.session.rollback()
    return page


@bp.post("/<token>")
def act(token: str):
    """Download the data as JSON, or erase it; either uses the link up."""
    opened = links.open_link(token)
    action = request.form.get("action")
    if action == "download":
        document = rights.collect(opened.email)
        links.use(opened)
        db.session.commit()
        return _download(document)
    if action == "erase" and request.form.get("confirm") == "yes":
        # Erasing removes the address's link rows too, this one with them: it cannot be reused.
        rights.erase(opened.email, requested_by="reader")
        db.session.commit()
        return render_template("privacy/erased.html")
    db.session.rollback()
    return render_error(400, _("Kryssa i att du vill radera allt och tryck på knappen igen."))


@staff_bp.post("")
@role_required(Role.ADMIN)
def staff_act():
    """An admin downloads or erases a reader's data, from the accounts page."""
    form = DataRequestForm()
    if not form.validate():
        flash(" ".join(form.email.errors), "error")
        return redirect(url_for("moderation.users", _anchor="lasare"))
    email = form.email.data.strip()
    if request.form.get("action") == "download":
        return _download(rights.collect(email))
    if request.form.get("action") == "erase" and request.form.get("confirm") == "yes":
        erasure = rights.erase(email, requested_by="admin", user=current_user)
        db.session.commit()
        flash(
            _(
                "Uppgifterna om adressen är raderade: %(deleted)d kommentarer borttagna, "
                "%(replaced)d ersatta.",
                deleted=erasure.comments_deleted,
                replaced=erasure.comments_replaced,
            ),
            "success",
        )
        return redirect(url_for("moderation.users", _anchor="lasare"))
    flash(_("Kryssa i att du vill radera allt och tryck på knappen igen."), "error")
    return redirect(url_for("moderation.users", _anchor="lasare"))
