"""Registering endpoints: a checked address, the events it wants, its secret."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select

from ..extensions import db
from ..models import WebhookDelivery, WebhookEndpoint
from ..refusals import Refusal
from . import addresses
from .events import EVENTS

SECRET_MAX_LENGTH = 200


class EndpointRefused(Refusal):
    """An endpoint that cannot be saved as it is; the message is fit to show."""


def all_endpoints() -> list[WebhookEndpoint]:
    return list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def save(
    endpoint: WebhookEndpoint | None,
    *,
    url: str,
    events: Iterable[str],
    secret: str = "",
    active: bool = True,
    slack: bool = False,
) -> WebhookEndpoint:
    """Create (`endpoint` None) or change an endpoint; a blank secret keeps or makes one.

    The address is resolved and refused when it points at a private network, unless
    SAMTAL_WEBHOOKS_ALLOW_PRIVATE allows it.
    """
    url = url.strip()
    addresses.check(url, allow_private=current_app.config["SAMTAL_WEBHOOKS_ALLOW_PRIVATE"])
    chosen = [event for event in EVENTS if event in set(events)]
    if not chosen:
        raise EndpointRefused(_("Välj minst en händelse."))
    secret = secret.strip()
    if len(secret) > SECRET_MAX_LENGTH:
        raise EndpointRefused(
            _("Hemligheten får vara högst %(max)d tecken.", max=SECRET_MAX_LENGTH)
        )
    if endpoint is None:
        endpoint = WebhookEndpoint()
        db.session.add(endpoint)
    endpoint.url = url
    endpoint.events = chosen
    endpoint.secret = secret or endpoint.secret or secrets.token_urlsafe(32)
    endpoint.active = bool(active)
    endpoint.slack = bool(slack)
    db.session.flush()
    return endpoint


def remove(endpoint: WebhookEndpoint) -> None:
    """Delete an endpoint and its delivery log."""
    db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    db.session.delete(endpoint)
