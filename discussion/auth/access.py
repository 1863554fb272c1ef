"""Who may do what: the role check every staff page and action goes through, on the server.

`@role_required(Role.MODERATOR)` lets in a logged-in, active account with that role, and an
admin always. Anyone else asking for a page (GET) is sent to the login page; anyone else
posting an action gets 403, so a forged or stale form never changes anything.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..models import Role

STAFF = (Role.AUTHOR, Role.MODERATOR, Role.ADMIN)


def has_role(user, *roles: Role | str) -> bool:
    """True if `user` is a logged-in staff account with one of `roles`; an admin has them all."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.role == Role.ADMIN or user.role in {Role(role) for role in roles}


def is_staff(user) -> bool:
    return has_role(user, *STAFF)


def role_required(*roles: Role | str) -> Callable:
    """Guard a view: pages redirect to the login, actions answer 403, for anyone without a role."""
    allowed = tuple(Role(role) for role in roles)

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if has_role(current_user, *allowed):
                return view(*args, **kwargs)
            return refuse()

        return guarded

    return decorate


def refuse():
    """Send a page request to the login, refuse an action outright."""
    if request.method in ("GET", "HEAD"):
        if current_user.is_authenticated:
            flash(_("Ditt konto får inte öppna den sidan. Logga in med ett annat konto."), "error")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    abort(403, _("Du har inte behörighet att göra det här."))


def current_staff():
    """The logged-in staff account (the object, not the proxy), or None for a reader."""
    if not is_staff(current_user):
        return None
    return current_user._get_current_object()
