"""Staff pages for organisations (/moderera/organisationer) and their answers.

Admins register organisations; authors and moderators mark answers by hand and invite
organisations to a post's threads. Also the `orgs` command (cli.py).
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..auth.access import role_required
from ..domains import parse_address
from ..extensions import db
from ..models import Comment, CommentState, Organisation, Role, VerifiedAddress, row_by_id
from ..moderation import listings
from ..moderation.views import (
    STAFF,
    comment_to_moderate,
    form_errors,
    me,
    post_to_manage,
)
from ..refusals import commit_or_flash
from ..web.forms import ConfirmForm
from . import answers as answer_service
from . import register as organisation_service
from .forms import (
    DomainForm,
    InviteForm,
    MarkAnswerForm,
    ModerateAnswersForm,
    OrganisationForm,
)
from .register import OrganisationError

LISTED_ANSWERS = 50

bp = Blueprint("organisations", __name__, url_prefix="/moderera")


@bp.app_context_processor
def invite_choices():
    """Lets the post's staff page offer the invite form without knowing this blueprint."""
    return {"invitable_organisations": organisation_service.all_organisations}


def organisation_or_404(organisation_id: int) -> Organisation:
    organisation = row_by_id(Organisation, organisation_id)
    if organisation is None:
        abort(404, _("Organisationen finns inte."))
    return organisation


# --- the register (admins) -----------------------------------------------------------------------


@bp.get("/organisationer")
@role_required(Role.ADMIN)
def organisations():
    """The organisations, their domains and how many verified addresses each has."""
    verified = dict(
        db.session.execute(
            select(VerifiedAddress.organisation_id, func.count()).group_by(
                VerifiedAddress.organisation_id
            )
        ).all()
    )
    return render_template(
        "organisations/list.html",
        organisations=organisation_service.all_organisations(),
        verified=verified,
        form=OrganisationForm(formdata=None),
    )


@bp.post("/organisationer")
@role_required(Role.ADMIN)
def add_organisation():
    form = OrganisationForm()
    if not form.validate():
        flash(form_errors(form), "error")
    else:
        commit_or_flash(
            lambda: organisation_service.add_organisation(
                form.name.data,
                form.domain_list(),
                badge=form.badge.data or None,
                moderate_answers=form.moderate.data,
            ),
            _("%(name)s är registrerad.", name=form.name.data.strip()),
        )
    return redirect(url_for(".organisations"))


@bp.post("/organisationer/<int:organisation_id>/domaner")
@role_required(Role.ADMIN)
def add_domain(organisation_id: int):
    organisation = organisation_or_404(organisation_id)
    form = DomainForm()
    if not form.validate():
        abort(400, _("Ange en domän."))
    commit_or_flash(
        lambda: organisation_service.add_domain(organisation, form.domain.data),
        _("Domänen är tillagd."),
    )
    return redirect(url_for(".organisations"))


@bp.post("/organisationer/<int:organisation_id>/domaner/ta-bort")
@role_required(Role.ADMIN)
def remove_domain(organisation_id: int):
    organisation = organisation_or_404(organisation_id)
    form = DomainForm()
    if not form.validate():
        abort(400, _("Ange en domän."))
    commit_or_flash(
        lambda: organisation_service.remove_domain(organisation, form.domain.data),
        _("Domänen är borttagen."),
    )
    return redirect(url_for(".organisations"))


@bp.post("/organisationer/<int:organisation_id>/moderering")
@role_required(Role.ADMIN)
def set_moderated(organisation_id: int):
    organisation = organisation_or_404(organisation_id)
    form = ModerateAnswersForm()
    if not form.validate():
        abort(400)
    organisation.moderate_answers = form.moderate.data
    db.session.commit()
    flash(_("Inställningen är sparad."), "success")
    return redirect(url_for(".organisations"))


@bp.post("/organisationer/<int:organisation_id>/ta-bort")
@role_required(Role.ADMIN)
def remove_organisation(organisation_id: int):
    organisation = organisation_or_404(organisation_id)
    if not ConfirmForm().validate():
        abort(400)
    name = organisation.name
    organisation_service.remove_organisation(organisation)
    db.session.commit()
    flash(_("%(name)s är borttagen; svaren finns kvar utan märke.", name=name), "success")
    return redirect(url_for(".organisations"))


# --- answers: marked by hand, held for verification ----------------------------------------------


@bp.get("/organisationssvar")
@role_required(*STAFF)
def answers():
    """Comments waiting for an address to be verified, and the latest organisation answers."""
    visible = listings.scope(me())
    held = db.session.scalars(
        select(Comment)
        .options(joinedload(Comment.post), joinedload(Comment.question))
        .where(Comment.state == CommentState.HELD, visible)
        .order_by(Comment.created_at)
        .limit(LISTED_ANSWERS)
    ).all()
    marked = db.session.scalars(
        select(Comment)
        .options(joinedload(Comment.post), joinedload(Comment.organisation))
        .where(Comment.organisation_id.is_not(None), visible)
        .order_by(Comment.created_at.desc())
        .limit(LISTED_ANSWERS)
    ).all()
    return render_template(
        "organisations/answers.html",
        held=[(c, organisation_service.organisation_for(parse_address(c.email))) for c in held],
        marked=marked,
        organisations=organisation_service.all_organisations(),
    )


@bp.post("/organisationssvar")
@role_required(*STAFF)
def mark_answer():
    """Mark (or unmark) a comment as an organisation's answer; the author is told as usual."""
    form = MarkAnswerForm()
    if not form.validate():
        abort(400, _("Ange kommentarens nummer."))
    comment = comment_to_moderate(form.comment_id.data)
    organisation = (
        organisation_or_404(form.organisation_id.data) if form.organisation_id.data else None
    )
    answer_service.mark_answer(comment, organisation, me())
    db.session.commit()
    if organisation is None:
        flash(_("Kommentar %(id)d har inget organisationsmärke.", id=comment.id), "success")
    else:
        flash(
            _(
                "Kommentar %(id)d är markerad som svar från %(org)s.",
                id=comment.id,
                org=organisation.name,
            ),
            "success",
        )
    return redirect(url_for(".answers"))


@bp.post("/inlagg/<int:post_id>/bjud-in")
@role_required(*STAFF)
def invite(post_id: int):
    """E-mail a contact at an organisation the post's questions and a link to answer."""
    post = post_to_manage(post_id)
    form = InviteForm()
    if not form.validate():
        flash(form_errors(form), "error")
        return redirect(url_for("moderation.post_settings", post_id=post.id))
    organisation = organisation_or_404(form.organisation_id.data)
    try:
        row = answer_service.invite(organisation, post, form.email.data, user=me())
    except OrganisationError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("moderation.post_settings", post_id=post.id))
    db.session.commit()
    if row is None:
        flash(_("%(address)s är redan inbjuden till inlägget.", address=form.email.data), "info")
    else:
        flash(_("Inbjudan till %(org)s är skickad.", org=organisation.name), "success")
    return redirect(url_for("moderation.post_settings", post_id=post.id))
