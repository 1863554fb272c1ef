"""Staff accounts on the web: logging in and out, and the session that carries the login."""

from flask import Blueprint, Flask

from ..extensions import login_manager
from ..models import User, row_by_id

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
    app.before_request(views.end_idle_sessions)
    app.register_blueprint(bp)


from . import views  # noqa: E402,F401  (the views register themselves on bp)
