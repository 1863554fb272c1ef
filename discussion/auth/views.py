"""Staff accounts on the web: logging in and out, and the session that carries the login."""

import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..extensions import db, login_manager
from ..models import User, row_by_id
from ..web import limits
from . import accounts
from .forms import LoginForm

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(login_id: str) -> User | None:
    """Reload the account on every request, so a disabled one is logged out at once.

    A session carries `id.generation` (see `User.get_id`); raising the account's generation
    (logout, new password, new role, disabled) ends every session that carries an older one,
    including copies of the cookie.
    """
    account, _, generation = login_id.partition(".")
    if not (account.isascii() and account.isdigit() and generation.isascii()):
        return None
    user = row_by_id(User, int(account))
    if user is None or not user.active or generation != str(user.session_generation or 0):
        return None
    return user


def init_app(app: Flask) -> None:
    # Fixed rules rather than settings: only `Secure` depends on the deployment.
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    login_manager.login_view = "auth.login"
    login_manager.init_app(app)
    app.before_request(end_idle_sessions)
    app.register_blueprint(bp)


def safe_next(target: str | None, fallback: str = "moderation.queue") -> str:
    """Only a path on this site, so a `next` cannot be used to send someone elsewhere."""
    parts = urlsplit(target or "")
    if not target or parts.scheme or parts.netloc or not target.startswith("/"):
        return url_for(fallback)
    if target.startswith("//") or "\\" in target or not target.isprintable():
        return url_for(fallback)
    return target


SEEN = "_seen"  # in the session: when the staff member last made a request (Unix seconds)
SEEN_RESOLUTION = 60  # write the session cookie again at most once a minute for it


def mark_seen() -> None:
    session[SEEN] = int(time.time())


def end_idle_sessions():
    """A staff session that has not been used for SAMTAL_STAFF_IDLE_HOURS ends (before_request)."""
    if "_user_id" not in session:
        return
    now = int(time.time())
    seen = session.get(SEEN)
    idle = current_app.config["SAMTAL_STAFF_IDLE_HOURS"] * 3600
    if not isinstance(seen, int) or now - seen > idle:
        session.clear()
        return
    if now - seen >= SEEN_RESOLUTION:
        session[SEEN] = now


@bp.route("/logga-in", methods=["GET", "POST"])
@limits.logins
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
    mark_seen()
    flash(_("Du är inloggad som %(name)s.", name=user.name), "success")
    return redirect(safe_next(form.next.data))


@bp.post("/logga-ut")
def logout():
    """Log out everywhere; a POST with its CSRF token, so no link elsewhere can log anyone out.

    Every session of the account ends, on every device and in every copy of its cookie.
    """
    if current_user.is_authenticated:
        current_user._get_current_object().end_sessions()
        db.session.commit()
        logout_user()
    session.clear()
    flash(_("Du är utloggad."), "info")
    return redirect(url_for("reader.index"))
