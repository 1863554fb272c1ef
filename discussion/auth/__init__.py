"""Staff accounts on the web: logging in and out, and the session that carries the login."""

from flask import Blueprint, Flask

from ..extensions import db, login_manager
from ..models import User

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Reload the account on every request, so a disabled one is logged out at once."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


def init_app(app: Flask) -> None:
    # Fixed rules rather than settings: only `Secure` depends on the deployment.
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    login_manager.login_view = "auth.login"
    login_manager.init_app(app)
    app.register_blueprint(bp)


from . import views  # noqa: E402,F401  (the views register themselves on bp)
