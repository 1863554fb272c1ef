"""The admins' download of the site's comments: the same JSON as `comments export --format json`."""

from __future__ import annotations

import io

from flask import Blueprint, Response, abort, request
from flask_babel import gettext as _

from ..auth.access import role_required
from ..models import Role, utcnow
from .exporting import UnknownPost, export

bp = Blueprint("transfer", __name__, url_prefix="/moderera")


@bp.get("/export.json")
@role_required(Role.ADMIN)
def download():
    """Every post (or `?inlagg=SLUG`), its questions and comments; addresses with `?adresser=1`."""
    slug = request.args.get("inlagg") or None
    personal_data = request.args.get("adresser") == "1"
    stream = io.StringIO()
    try:
        export("json", stream, slug=slug, personal_data=personal_data)
    except UnknownPost:
        abort(404, _("Det finns inget inlägg med adressen /%(slug)s.", slug=slug))
    name = f"samtal-{slug or 'alla'}-{utcnow():%Y%m%d-%H%M}.json"
    return Response(
        stream.getvalue(),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
