"""Staff pages for organisations (/moderera/organisationer), their answers and the e-mail outbox.

Also the `orgs` command (cli.py). Admins register organisations and read the outbox; authors
and moderators mark answers by hand and invite organisations to a post's threads.
"""

from flask import Blueprint

bp = Blueprint("organisations", __name__, url_prefix="/moderera")

from . import views  # noqa: E402,F401  (the views register themselves on bp)
