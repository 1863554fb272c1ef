"""How long Samtal keeps what it needs only for a while: IP address hashes.

An IP hash helps against spam and abuse for some weeks (rate signals, earlier spam from the
same network, one report and a few likes per network); after SAMTAL_IP_RETENTION_DAYS it is
cleared from comments, reports and likes by a daily beat task. Bans keep theirs until they
expire: that is what a ban is.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from ..extensions import db
from ..models import Comment, CommentLike, Report, utcnow

log = logging.getLogger(__name__)


def clear_old_ip_hashes() -> int:
    """Clear IP hashes older than the retention period; how many rows changed."""
    cutoff = utcnow() - timedelta(days=current_app.config["SAMTAL_IP_RETENTION_DAYS"])
    cleared = 0
    for model in (Comment, Report, CommentLike):
        result = db.session.execute(
            update(model)
            .where(model.created_at < cutoff, model.ip_hash.is_not(None))
            .values(ip_hash=None)
            .execution_options(synchronize_session=False)
        )
        cleared += result.rowcount
    db.session.commit()
    if cleared:
        log.info("cleared %d IP hashes older than %s", cleared, cutoff)
    return cleared
