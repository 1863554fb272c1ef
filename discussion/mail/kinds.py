"""Every kind of e-mail Samtal sends, in one list: its template, its subject and what it says.

Each kind is one small function that returns the subject and the template's context; `send`
renders it in the site's language (whoever's request caused it) and queues it in the outbox,
exactly once per event and recipient. `to_reader` marks e-mail to someone without an account:
it carries the one-click unsubscribe link and headers, and is never sent to an address that
unsubscribed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..models import OutgoingEmail
from . import outbox


@dataclass(frozen=True)
class Kind:
    name: str
    template: str  # templates/email/<template>.txt and .html
    to_reader: bool
    write: Callable[..., tuple[str, dict[str, Any]]]


KINDS: dict[str, Kind] = {}


def kind(name: str, *, template: str, to_reader: bool):
    def register(write):
        KINDS[name] = Kind(name, template, to_reader, write)
        return write

    return register


def send(name: str, *, event: str, recipient: str, **values: Any) -> OutgoingEmail | None:
    """Queue one e-mail of this kind for after the commit; None if already sent for `event`."""
    mail = KINDS[name]
    with force_locale(current_app.config["SAMTAL_DEFAULT_LOCALE"]):
        subject, context = mail.write(**values)
        return outbox.queue_email(
            event=event,
            recipient=recipient,
            kind=mail.name,
            subject=subject,
            template=mail.template,
            to_reader=mail.to_reader,
            **context,
        )


@kind("verification", template="verify_address", to_reader=True)
def verification(*, comment, organisation, address: str, link: str, hours: int):
    """To an organisation's address: press the link to publish this comment with the badge."""
    subject = _("Bekräfta din adress hos %(org)s", org=organisation.name)
    return subject, {
        "organisation": organisation,
        "comment": comment,
        "post": comment.post,
        "address": address,
        "link": link,
        "hours": hours,
    }


@kind("invite", template="invite", to_reader=True)
def invite(*, organisation, post, questions, inviter: str, post_url: str, domains):
    """To an organisation's contact: the post's questions and a link to answer them."""
    subject = _(
        "Vad säger %(org)s? En fråga från %(site)s",
        org=organisation.name,
        site=outbox.site_name(),
    )
    return subject, {
        "organisation": organisation,
        "post": post,
        "questions": questions,
        "inviter": inviter,
        "post_url": post_url,
        "domains": domains,
    }


@kind("author", template="organisation_answer", to_reader=False)
def organisation_answer(*, comment, marked_by, thread_url: str, queue_url: str):
    """To the post's author: an organisation has answered (or commented)."""
    organisation, post, question = comment.organisation, comment.post, comment.question
    if question.is_general:
        subject = _("%(org)s har kommenterat ”%(title)s”", org=organisation.name, title=post.title)
    else:
        subject = _("%(org)s har svarat på ”%(q)s”", org=organisation.name, q=question.text)
    return subject, {
        "organisation": organisation,
        "comment": comment,
        "post": post,
        "question": question,
        "marked_by": marked_by,
        "thread_url": thread_url,
        "queue_url": queue_url,
    }


@kind("reply", template="reply", to_reader=True)
def reply(*, reply, parent, thread_url: str):
    """To a reader who asked for it: someone replied to their comment."""
    subject = _("Nytt svar på din kommentar om ”%(title)s”", title=reply.post.title)
    return subject, {
        "reply": reply,
        "parent": parent,
        "post": reply.post,
        "question": reply.question,
        "thread_url": thread_url,
    }


@kind("confirm_replies", template="confirm_replies", to_reader=True)
def confirm_replies(*, post, confirm_url: str, days: int):
    """To a reader's address, once: do you want e-mail about replies? (double opt-in)"""
    subject = _("Vill du få e-post när någon svarar dig på %(site)s?", site=outbox.site_name())
    return subject, {"post": post, "confirm_url": confirm_url, "days": days}


@kind("digest", template="digest", to_reader=False)
def digest(*, comments, total: int, queue_url: str, comment_url):
    """To moderators, at most every SAMTAL_DIGEST_MINUTES: what waits in the queue."""
    subject = _("%(count)d kommentarer väntar på granskning", count=total)
    return subject, {
        "comments": comments,
        "total": total,
        "queue_url": queue_url,
        "comment_url": comment_url,
    }


# Not `to_reader`: the reader asked for this link themselves, so it reaches an address that
# unsubscribed from everything else, and it has no unsubscribe link of its own.
@kind("data_link", template="data_link", to_reader=False)
def data_link(*, link: str, hours: int):
    """To any address someone asked about: a link to download or erase what is held about it."""
    subject = _("Dina uppgifter hos %(site)s", site=outbox.site_name())
    return subject, {"link": link, "hours": hours}
