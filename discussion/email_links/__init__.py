"""The pages an e-mail's links open: verify an address, confirm reply notifications, unsubscribe.

None needs an account: the signed token in the link is the permission. Each link shows a page
with one button first (GET changes nothing), so a mail scanner that follows links cannot use up
a single-use link or unsubscribe anyone.
"""

from flask import Blueprint

bp = Blueprint("email_links", __name__, url_prefix="/epost")

from . import views  # noqa: E402,F401  (the views register themselves on bp)
