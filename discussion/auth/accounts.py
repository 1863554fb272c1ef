"""Staff accounts: creating them, checking their passwords and roles, matching posts to authors."""

from __future__ import annotations

import functools

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import Post, Role, User
from ..refusals import Refusal

PASSWORD_MIN_LENGTH = 10
PASSWORD_METHOD = "scrypt"


class AccountError(Refusal):
    """A request about accounts that cannot be done; the message is fit to show."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def normalise_handle(handle: str | None) -> str | None:
    """`@JMJobring`, `jmjobring` and ` @jmjobring ` all name the same author."""
    stripped = (handle or "").strip().lstrip("@").strip().lower()
    return f"@{stripped}" if stripped else None


def hash_password(password: str) -> str:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AccountError(f"the password must be at least {PASSWORD_MIN_LENGTH} characters")
    return generate_password_hash(password, method=PASSWORD_METHOD)


@functools.cache
def _decoy_hash() -> str:
    return generate_password_hash("no account has this password", method=PASSWORD_METHOD)


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def user_or_error(email: str) -> User:
    user = user_by_email(email)
    if user is None:
        raise AccountError(f"no account with the e-mail address {email}")
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active account with this address and password, or None.

    An unknown address still costs one password check, so response times do not tell
    which addresses have accounts.
    """
    user = user_by_email(email)
    if user is None:
        check_password_hash(_decoy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def create_user(
    email: str,
    password: str,
    role: Role | str,
    *,
    name: str | None = None,
    author_handle: str | None = None,
) -> User:
    """A new staff account; posts signed with its handle get it as their author."""
    email = normalise_email(email)
    if "@" not in email:
        raise AccountError(f"not an e-mail address: {email}")
    if user_by_email(email) is not None:
        raise AccountError(f"an account with {email} already exists")
    handle = normalise_handle(author_handle)
    if handle and db.session.scalar(select(User.id).where(User.author_handle == handle)):
        raise AccountError(f"another account already signs posts as {handle}")
    user = User(
        email=email,
        name=(name or email.split("@")[0]).strip(),
        author_handle=handle,
        password_hash=hash_password(password),
        role=Role(role),
        active=True,
    )
    db.session.add(user)
    db.session.flush()
    attach_posts(user)
    return user


def set_password(user: User, password: str) -> None:
    """A new password ends every session of the account: a stolen one stops working."""
    user.password_hash = hash_password(password)
    user.end_sessions()


def set_role(user: User, role: Role | str) -> None:
    """A new role ends the account's sessions, so no page keeps the old role's rights."""
    if user.role != Role(role):
        user.role = Role(role)
        user.end_sessions()


def set_active(user: User, active: bool) -> None:
    """Disabling ends the account's sessions too."""
    if bool(user.active) != active:
        user.active = active
        user.end_sessions()


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.email)))


def author_for_handle(handle: str | None) -> User | None:
    """The staff account that signs posts with this front-matter `author`, if any."""
    normalised = normalise_handle(handle)
    if normalised is None:
        return None
    return db.session.scalar(select(User).where(User.author_handle == normalised))


def attach_posts(user: User) -> int:
    """Give the account the posts signed with its handle; the number of posts matched."""
    if not user.author_handle:
        return 0
    matched = 0
    for post in db.session.scalars(select(Post).where(Post.author_id.is_(None))):
        if normalise_handle(post.author_handle) == user.author_handle:
            post.author_id = user.id
            matched += 1
    return matched
