"""The spam check's reasons in words, in the moderator's language.

Reasons are stored as codes with their values (`spam.scoring.reason`), so each moderator
reads them in their own language; this is the one place that words them.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

# What a moderator's action says about the comment's text: spam (1) or not (0). Training reads
# it (spam.store), and so does the filter's record on the statistics page.
DECISION_LABELS = {"spam": 1, "not_spam": 0, "approve": 0, "reject": 0}


def spam_reason_text(reason: dict | str) -> str:
    """One reason the spam check gave (see `spam.scoring.reason`), in the reader's language.

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
