"""Words for the moderation pages: states, actions and the reason codes the system writes."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup

from ..comments import routing
from ..models import ModerationPolicy
from ..spam.labels import spam_reason_text
from ..text import scripts
from .reports import REPORTS


def state_label(state: str) -> str:
    labels = {
        "received": _("Mottagen"),
        "held": _("Väntar på verifiering"),
        "pending": _("Väntar"),
        "approved": _("Godkänd"),
        "rejected": _("Avvisad"),
        "spam": _("Skräp"),
        "deleted": _("Borttagen av skribenten"),
    }
    return labels.get(str(state), str(state))


def action_label(action: str) -> str:
    labels = {
        "processed": _("Sorterad automatiskt"),
        "approve": _("Godkänd"),
        "reject": _("Avvisad"),
        "spam": _("Markerad som skräp"),
        "not_spam": _("Markerad som inte skräp"),
        "edit": _("Texten redigerad"),
        "reported": _("Dold efter anmälningar"),
        "verified": _("Adressen verifierad"),
        "marked_organisation": _("Organisation markerad"),
        "edited": _("Ändrad av skribenten"),
        "deleted": _("Borttagen av skribenten"),
        "imported": _("Importerad"),
        "erased": _("Raderad på skribentens begäran"),
    }
    return labels.get(action, action)


def reason_text(reason: str | None, comment=None) -> str:
    """A system reason code in words (the codes are `comments.routing`'s and `reports`'s);
    a moderator's own reason as written. With the comment, the words fit it (a first-time
    check of a comment without an address is not about "this address")."""
    if not reason:
        return ""
    first_time = f"{routing.POLICY}:{ModerationPolicy.FIRST_TIME}"
    if reason == first_time and comment is not None and not comment.email_hash:
        return _("utan e-postadress: kommentaren granskas innan den visas")
    code, _sep, value = reason.partition(":")
    count = int(value) if value.isdigit() else 0
    fixed = {
        routing.STAFF: _("skriven av personal"),
        f"{routing.POLICY}:{ModerationPolicy.POST}": _("efterhandsmoderering: publiceras direkt"),
        f"{routing.POLICY}:{ModerationPolicy.PRE}": _("förhandsmoderering: allt granskas"),
        f"{routing.POLICY}:{ModerationPolicy.FIRST_TIME}": _(
            "första kommentaren från den här e-postadressen"
        ),
        routing.KNOWN: _("skribenten har fått en kommentar godkänd förut"),
    }
    if reason in fixed:
        return fixed[reason]
    if code == REPORTS and count:
        return ngettext("%(num)d anmälan", "%(num)d anmälningar", count)
    if code == routing.BAN and count:
        return _("skribenten är avstängd (avstängning %(id)d)", id=count)
    if code == routing.SPAM and value:
        return _("flaggad av spamkontrollen (poäng %(score)s)", score=value)
    if code == routing.VERIFY:
        return _("väntar på att skribenten verifierar organisationens adress")
    if code == routing.ORGANISATION:
        return _("verifierad adress hos en organisation")
    return reason


def report_reason_label(reason: str) -> str:
    labels = {"spam": _("Spam"), "personangrepp": _("Personangrepp"), "annat": _("Annat")}
    return labels.get(reason, reason)


def policy_label(policy: str | None) -> str:
    labels = {
        "post": _("Efterhand: publiceras direkt om inget flaggas"),
        "pre": _("Förhand: allt granskas först"),
        "first_time": _("Första gången: nya skribenter granskas"),
    }
    return labels.get(str(policy), str(policy))


def role_label(role: str) -> str:
    labels = {"author": _("Skribent"), "moderator": _("Moderator"), "admin": _("Administratör")}
    return labels.get(str(role), str(role))


SCRIPT_NAMES = {"LATIN": _l("latinska"), "CYRILLIC": _l("kyrilliska"), "GREEK": _l("grekiska")}


def mixed_script_warning(text: str | None) -> Markup:
    """A warning beside a name or address that mixes alphabets, empty for one alphabet."""
    found = scripts(text)
    if len(found) < 2:
        return Markup("")
    names = ", ".join(str(SCRIPT_NAMES.get(script, script.lower())) for script in found)
    return Markup(' <span class="mixed-script" title="%s">%s</span>') % (
        _("Blandar alfabet (%(names)s): kan vara en förväxlingsbar efterapning.", names=names),
        _("blandade alfabet"),
    )


FILTERS = {
    "spam_reason_text": spam_reason_text,
    "state_label": state_label,
    "action_label": action_label,
    "reason_text": reason_text,
    "mixed_script_warning": mixed_script_warning,
    "report_reason_label": report_reason_label,
    "policy_label": policy_label,
    "role_label": role_label,
}
