"""The admin's webhook pages at /moderera/webhooks: endpoints, a test button, the delivery log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..auth.access import role_required
from ..extensions import db
from ..models import Role, WebhookDelivery, WebhookEndpoint, WebhookStatus, is_row_id, row_by_id
from ..refusals import Refusal
from ..web.forms import ConfirmForm
from ..web.pagination import page_number, paginate
from . import delivery, endpoints, events
from .forms import EndpointForm

DELIVERIES_PER_PAGE = 50
RECENT = 10

bp = Blueprint("webhooks", __name__, url_prefix="/moderera/webhooks")


def endpoint_or_404(endpoint_id: int) -> WebhookEndpoint:
    endpoint = row_by_id(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        abort(404, _("Webhooken finns inte."))
    return endpoint


def _list_page(form: EndpointForm, status: int = 200):
    last = dict(
        db.session.execute(
            select(WebhookDelivery.endpoint_id, func.max(WebhookDelivery.id)).group_by(
                WebhookDelivery.endpoint_id
            )
        ).all()
    )
    latest = {
        row.endpoint_id: row
        for row in db.session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.id.in_(list(last.values())))
        )
    }
    return render_template(
        "webhooks/endpoints.html",
        endpoints=endpoints.all_endpoints(),
        latest=latest,
        form=form,
        events=events.EVENTS,
    ), status


@bp.get("")
@role_required(Role.ADMIN)
def endpoint_list():
    """Every endpoint with its last delivery, and the form for a new one."""
    return _list_page(EndpointForm(formdata=None, events=list(events.EVENTS)))


def _save(endpoint: WebhookEndpoint | None, form: EndpointForm) -> WebhookEndpoint | None:
    """Validate and save; None (with the error on the form) if it cannot be saved."""
    if not form.validate():
        return None
    try:
        saved = endpoints.save(
            endpoint,
            url=form.url.data,
            events=form.events.data or [],
            secret=form.secret.data or "",
            active=form.active.data,
            slack=form.slack.data,
        )
    except Refusal as refused:
        db.session.rollback()
        form.form_errors.append(str(refused))
        return None
    db.session.commit()
    return saved


@bp.post("")
@role_required(Role.ADMIN)
def add_endpoint():
    form = EndpointForm()
    endpoint = _save(None, form)
    if endpoint is None:
        return _list_page(form, 422)
    flash(_("Webhooken är sparad. Kopiera hemligheten till mottagaren."), "success")
    return redirect(url_for(".endpoint", endpoint_id=endpoint.id), 303)


def _endpoint_page(endpoint: WebhookEndpoint, form: EndpointForm, status: int = 200):
    recent = db.session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(RECENT)
    ).all()
    return render_template(
        "webhooks/endpoint.html", endpoint=endpoint, form=form, recent=recent, events=events.EVENTS
    ), status


@bp.get("/<int:endpoint_id>")
@role_required(Role.ADMIN)
def endpoint(endpoint_id: int):
    """One endpoint: its settings and secret, the test button and its latest deliveries."""
    found = endpoint_or_404(endpoint_id)
    form = EndpointForm(formdata=None, obj=found)
    form.secret.data = ""
    return _endpoint_page(found, form)


@bp.post("/<int:endpoint_id>")
@role_required(Role.ADMIN)
def save_endpoint(endpoint_id: int):
    found = endpoint_or_404(endpoint_id)
    form = EndpointForm()
    if _save(found, form) is None:
        return _endpoint_page(found, form, 422)
    flash(_("Webhooken är sparad."), "success")
    return redirect(url_for(".endpoint", endpoint_id=found.id), 303)


@bp.post("/<int:endpoint_id>/test")
@role_required(Role.ADMIN)
def send_test(endpoint_id: int):
    """Queue a signed test request to this endpoint; it shows in the log like any delivery."""
    found = endpoint_or_404(endpoint_id)
    if not ConfirmForm().validate():
        abort(400)
    events.send_test(found)
    db.session.commit()
    flash(_("Ett testanrop är skickat; svaret syns i leveransloggen."), "success")
    return redirect(url_for(".endpoint", endpoint_id=found.id), 303)


@bp.post("/<int:endpoint_id>/ta-bort")
@role_required(Role.ADMIN)
def remove_endpoint(endpoint_id: int):
    found = endpoint_or_404(endpoint_id)
    if not ConfirmForm().validate():
        abort(400)
    endpoints.remove(found)
    db.session.commit()
    flash(_("Webhooken och dess leveranslogg är borttagna."), "success")
    return redirect(url_for(".endpoint_list"), 303)


@bp.get("/leveranser")
@role_required(Role.ADMIN)
def deliveries():
    """Every delivery, newest first: status, attempts, the last answer and when."""
    status = request.args.get("status")
    endpoint_id = request.args.get("slutpunkt", type=int)
    endpoint_id = endpoint_id if is_row_id(endpoint_id) else None
    statement = select(WebhookDelivery).order_by(WebhookDelivery.id.desc())
    if status in set(WebhookStatus):
        statement = statement.where(WebhookDelivery.status == status)
    else:
        status = None
    if endpoint_id is not None:
        statement = statement.where(WebhookDelivery.endpoint_id == endpoint_id)
    return render_template(
        "webhooks/deliveries.html",
        page=paginate(statement, page_number(), DELIVERIES_PER_PAGE),
        status=status,
        endpoint_id=endpoint_id,
        endpoint=db.session.get(WebhookEndpoint, endpoint_id) if endpoint_id else None,
    )


@bp.post("/leveranser/<int:delivery_id>/skicka-igen")
@role_required(Role.ADMIN)
def send_again(delivery_id: int):
    """Queue a failed delivery again, e.g. after the receiver was mended."""
    row = row_by_id(WebhookDelivery, delivery_id)
    if row is None:
        abort(404, _("Leveransen finns inte."))
    if not ConfirmForm().validate():
        abort(400)
    delivery.send_again(row)
    db.session.commit()
    flash(_("Leveransen skickas igen."), "success")
    return redirect(url_for(".deliveries"), 303)
