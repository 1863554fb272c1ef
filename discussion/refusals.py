"""Refusals: a request that cannot be done, with a message fit to show the person who asked.

Every domain's own errors (a moderation decision, an organisation, an account, a link) derive
from `Refusal`, so one helper turns any of them into a flash message on the staff pages, and a
view never shows a stack trace for what is only a "no".
"""

from __future__ import annotations

from collections.abc import Callable

from flask import flash

from .extensions import db


class Refusal(ValueError):
    """A request that cannot be done; the message is fit to show."""


def commit_or_flash(work: Callable[[], object], success: str) -> bool:
    """Run a change: commit and say so, or roll back and show why not. True if it was done."""
    try:
        work()
    except Refusal as error:
        db.session.rollback()
        flash(str(error), "error")
        return False
    db.session.commit()
    flash(success, "success")
    return True
