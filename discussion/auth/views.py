from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..extensions import db, limiter
from ..services import accounts
from . import bp
from .forms import LoginForm


def safe_next(target: str | None, fallback: str = "moderation.queue") -> str:
    """Only a path on this site, so a `next` cannot be used to send someone elsewhere."""
    parts = urlsplit(target or "")
    if not target or parts.scheme or parts.netloc or not target.startswith("/"):
        return url_for(fallback)
    if target.startswith("//") or "\\" in target or not target.isprintable():
        return url_for(fallback)
    return target


def _login_limit() -> str:
    return current_app.config["SAMTAL_LOGIN_RATE_LIMIT"]


@bp.route("/logga-in", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """The staff login; readers need no account."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/login.html", form=form), status
    user = accounts.authenticate(form.email.data, form.password.data)
    if user is None:
        db.session.rollback()
        form.password.errors.append(_("Fel e-postadress eller lösenord."))
        return render_template("auth/login.html", form=form), 401
    session.clear()
    login_user(user)
    flash(_("Du är inloggad som %(name)s.", name=user.name), "success")
    return redirect(safe_next(form.next.data))


@bp.post("/logga-ut")
def logout():
    """Log out; a POST with its CSRF token, so no link elsewhere can log anyone out."""
    if current_user.is_authenticated:
        logout_user()
    session.clear()
    flash(_("Du är utloggad."), "info")
    return redirect(url_for("reader.index"))
