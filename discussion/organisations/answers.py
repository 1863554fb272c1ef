"""Organisations' answers: published when their writer confirms the address, marked by staff
by hand, and invited by e-mail. Each one the post's author hears about."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask_babel import gettext as _

from .. import signing
from ..comments import lifecycle, routing
from ..domains import parse_address
from ..extensions import db
from ..mail import kinds, notifications
from ..models import (
    Comment,
    CommentState,
    Organisation,
    OutgoingEmail,
    Post,
    QuestionKind,
    User,
    utcnow,
)
from .register import OrganisationError
from .verification import address_key, open_verification, remember

log = logging.getLogger(__name__)


@dataclass
class Verified:
    address: str
    organisation: Organisation
    comments: list[Comment]


def confirm(token: str) -> Verified:
    """Use a link: verify the address and publish the one comment it was sent for, with the badge.

    The comment must still be held and written with the link's address. It is routed again with
    its badge, reading the spam verdict stored on it (no scoring in a web process): it may
    still wait for a moderator. A link sent before links were per comment verifies the address
    but publishes nothing: staff can publish its comments by hand at /moderera/organisationssvar.
    """
    verification = open_verification(token)
    verification.used_at = utcnow()
    organisation = verification.organisation
    remember(verification.email, organisation)
    published = []
    comment = verification.comment
    if (
        comment is not None
        and comment.state == CommentState.HELD
        and comment.organisation_id is None
        and address_key(comment.email) == verification.email
    ):
        comment.organisation = organisation
        where = routing.route(comment)
        lifecycle.change_state(comment, where.state, action="verified", reason=where.reason)
        published.append(comment)
    db.session.commit()
    log.info("verification %s used: %d comments", verification.id, len(published))
    return Verified(verification.email, organisation, published)


def invite(
    organisation: Organisation, post: Post, recipient: str, *, user: User | None = None
) -> OutgoingEmail | None:
    """E-mail a contact the post's questions and a link to answer; None if already invited."""
    if parse_address(recipient) is None:
        raise OrganisationError(_("%(address)s är ingen e-postadress.", address=recipient))
    visible = [question for question in post.questions if not question.hidden]
    anchor = f"trad-{visible[0].id}" if visible else None
    return kinds.send(
        "invite",
        event=f"invite:{post.id}:{organisation.id}",
        recipient=recipient,
        organisation=organisation,
        post=post,
        questions=[q.text for q in visible if q.kind == QuestionKind.CLOSING],
        inviter=user.name if user is not None else post.author_handle,
        post_url=signing.absolute_url("reader.post", slug=post.slug, _anchor=anchor),
        domains=[each.domain for each in organisation.domains],
    )


def mark_answer(comment: Comment, organisation: Organisation | None, user: User) -> None:
    """Staff mark (or unmark) a comment as an organisation's answer, e.g. one sent by e-mail.

    A held comment is published by it; a visible one notifies the author at once; any other
    notifies when a moderator approves it.
    """
    if comment.organisation_id == (organisation.id if organisation else None):
        return
    comment.organisation = organisation
    reason = organisation.name if organisation else None
    if organisation is not None and comment.state == CommentState.HELD:
        lifecycle.change_state(
            comment, CommentState.APPROVED, action="marked_organisation", user=user, reason=reason
        )
        return
    lifecycle.record(comment, "marked_organisation", user=user, reason=reason)
    if organisation is not None:
        notifications.announce_organisation_answer(comment, marked_by=user)
