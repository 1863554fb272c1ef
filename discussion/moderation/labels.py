"""Words for the moderation pages: states, actions and the reason codes the system writes."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext


def state_label(state: str) -> str:
    labels = {
        "received": _("Mottagen"),
        "held": _("Väntar på verifiering"),
        "pending": _("Väntar"),
        "approved": _("Godkänd"),
        "rejected": _("Avvisad"),
        "spam": _("Skräp"),
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
    }
    return labels.get(action, action)


def reason_text(reason: str | None) -> str:
    """A system reason code in words; a moderator's own reason as written."""
    if not reason:
        return ""
    code, _sep, value = reason.partition(":")
    count = int(value) if value.isdigit() else 0
    fixed = {
        "staff": _("skriven av personal"),
        "policy:post": _("efterhandsmoderering: publiceras direkt"),
        "policy:pre": _("förhandsmoderering: allt granskas"),
        "policy:first_time": _("första kommentaren från den här e-postadressen"),
        "policy:known": _("skribenten har fått en kommentar godkänd förut"),
    }
    if reason in fixed:
        return fixed[reason]
    if code == "links" and count:
        return ngettext("%(num)d länk", "%(num)d länkar", count)
    if code == "reports" and count:
        return ngettext("%(num)d anmälan", "%(num)d anmälningar", count)
    if code == "ban" and count:
        return _("skribenten är avstängd (avstängning %(id)d)", id=count)
    if code == "spam" and value:
        return _("flaggad av spamkontrollen (poäng %(score)s)", score=value)
    if code == "verify":
        return _("väntar på att skribenten verifierar organisationens adress")
    if code == "organisation":
        return _("verifierad adress hos en organisation")
    return reason


def spam_reason_text(reason: dict | str) -> str:
    """One reason the spam check gave (see `spam.reason`), in the reader's language.

    Comments scored before reasons were stored as codes kept Swedish text: shown as it is.
    """
    if isinstance(reason, str):
        return reason
    code = reason.get("code")
    count = int(reason.get("count") or 0)
    by_email = reason.get("by") == "email"
    if code == "model":
        return _("Textmodellen: %(p).2f", p=float(reason.get("probability", 0.0)))
    if code == "links":
        return ngettext("%(num)d länk", "%(num)d länkar", count)
    if code == "shortener":
        return _("Länkförkortare (%(hosts)s)", hosts=", ".join(reason.get("hosts", [])))
    if code == "link_only":
        return _("Bara en länk") if count == 1 else _("Bara länkar")
    if code == "name_link":
        return _("Länk i namnet")
    if code == "banned_word":
        return _("Förbjudet ord: %(word)s", word=reason.get("word", ""))
    if code == "suspect_word":
        return _("Misstänkt ord: %(word)s", word=reason.get("word", ""))
    if code == "honeypot":
        return _("Det dolda fältet var ifyllt (robot)")
    if code == "timestamp_missing":
        return _("Formulärets tidsstämpel saknas")
    if code == "timestamp_forged":
        return _("Formulärets tidsstämpel är förfalskad")
    if code == "fast":
        return _(
            "Skickad %(s).1f s efter att formuläret visades", s=float(reason.get("seconds", 0))
        )
    if code == "duplicate":
        threads, names = int(reason.get("threads") or 0), int(reason.get("names") or 0)
        if threads and names:
            return _(
                "Samma text finns i %(threads)d andra trådar och under %(names)d andra namn",
                threads=threads,
                names=names,
            )
        if threads:
            return ngettext(
                "Samma text finns i %(num)d annan tråd",
                "Samma text finns i %(num)d andra trådar",
                threads,
            )
        return ngettext(
            "Samma text finns under %(num)d annat namn",
            "Samma text finns under %(num)d andra namn",
            names,
        )
    if code == "rate":
        if by_email:
            return _("%(n)d kommentarer senaste timmen från samma e-postadress", n=count)
        return _("%(n)d kommentarer senaste timmen från samma IP-adress", n=count)
    if code == "history":
        if by_email:
            return _("Tidigare skräp från samma e-postadress: %(n)d", n=count)
        return _("Tidigare skräp från samma IP-adress: %(n)d", n=count)
    return str(code)


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


FILTERS = {
    "state_label": state_label,
    "action_label": action_label,
    "reason_text": reason_text,
    "spam_reason_text": spam_reason_text,
    "report_reason_label": report_reason_label,
    "policy_label": policy_label,
    "role_label": role_label,
}
