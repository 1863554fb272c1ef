"""Staff pages under /moderera: the queue, the audit log, unanswered comments, posts, accounts."""

from flask import Blueprint, Flask

from .labels import FILTERS

bp = Blueprint("moderation", __name__, url_prefix="/moderera")


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
    app.register_blueprint(bp)


from . import views  # noqa: E402,F401  (the views register themselves on bp)
