"""`flask --app app users ...`: staff accounts from the command line."""

from __future__ import annotations

import sys
from contextlib import contextmanager

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..extensions import db
from ..models import Post, Role
from . import accounts

users_cli = AppGroup("users", help="Staff accounts: authors, moderators and admins.")
ROLES = click.Choice([role.value for role in Role])


def read_password() -> str:
    """Ask twice at a terminal; otherwise read the first line of stdin (for scripts)."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@contextmanager
def _account_errors():
    """Report a refused change as a one-line command error, with nothing of it kept."""
    try:
        yield
    except accounts.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None


def _user(email: str):
    with _account_errors():
        return accounts.user_or_error(email)


def _set_active(email: str, active: bool) -> None:
    user = _user(email)
    accounts.set_active(user, active)
    db.session.commit()
    click.echo(f"{user.email} is {'enabled' if active else 'disabled'}")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=ROLES, required=True, help="author, moderator or admin")
@click.option("--name", help="Name shown on staff replies (default: the part before @).")
@click.option("--handle", help="How the author signs posts in front matter, e.g. @jmjobring.")
def create(email: str, role: str, name: str | None, handle: str | None) -> None:
    """Create an account; the password is asked for, or read from stdin."""
    with _account_errors():
        user = accounts.create_user(email, read_password(), role, name=name, author_handle=handle)
    db.session.commit()
    posts = db.session.scalar(select(func.count()).where(Post.author_id == user.id))
    click.echo(f"created {user.email} ({user.role}), author of {posts} posts")


@users_cli.command("list")
def list_users() -> None:
    """Print every account: e-mail, role, handle, and whether it is disabled."""
    for user in accounts.list_users():
        state = "" if user.active else "  disabled"
        click.echo(f"{user.email}\t{user.role}\t{user.author_handle or '-'}{state}")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLES)
def set_role(email: str, role: str) -> None:
    """Change an account's role."""
    user = _user(email)
    accounts.set_role(user, role)
    db.session.commit()
    click.echo(f"{user.email} is now {user.role}")


@users_cli.command("disable")
@click.argument("email")
def disable(email: str) -> None:
    """Disable an account: it cannot log in, and its sessions end."""
    _set_active(email, False)


@users_cli.command("enable")
@click.argument("email")
def enable(email: str) -> None:
    """Enable a disabled account again."""
    _set_active(email, True)


@users_cli.command("set-password")
@click.argument("email")
def set_password(email: str) -> None:
    """Set a new password; asked for, or read from stdin."""
    user = _user(email)
    with _account_errors():
        accounts.set_password(user, read_password())
    db.session.commit()
    click.echo(f"password of {user.email} changed")
