"""The pages an e-mail's links open: verify an address, confirm reply notifications, unsubscribe.

None needs an account: the signed token in the link is the permission. Each link shows a page
with one button first (GET changes nothing), so a mail scanner that follows links cannot use up
a single-use link or unsubscribe anyone.
"""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..extensions import csrf, db
from ..mail import subscriptions
from ..organisations import answers, verification
from ..web.cookies import set_cookie
from ..web.errors import render_error

bp = Blueprint("email_links", __name__, url_prefix="/epost")


@bp.errorhandler(verification.VerificationError)
def verification_failed(error: verification.VerificationError):
    """A bad, used or expired verification link: nothing is kept, the reader is told why."""
    db.session.rollback()
    return render_error(400, str(error))


@bp.get("/bekrafta/<token>")
def verify(token: str):
    """The page of a verification link: who is verified for which organisation, and a button."""
    pending = verification.open_verification(token)
    page = render_template("email_links/verify.html", verification=pending, token=token)
    db.session.rollback()
    return page


@bp.post("/bekrafta/<token>")
def confirm_verification(token: str):
    """Verify the address, publish the comments it held, and remember this browser."""
    verified = answers.confirm(token)
    first = next((c for c in verified.comments if c.visible), None)
    if first is not None:
        flash(
            _(
                "Tack! Adressen är bekräftad och din kommentar är publicerad "
                "med märket ”%(badge)s”.",
                badge=verified.organisation.badge,
            ),
            "success",
        )
        target = url_for("reader.post", slug=first.post.slug, _anchor=f"kommentar-{first.id}")
    else:
        flash(
            _("Tack! Adressen är bekräftad som %(org)s.", org=verified.organisation.name)
            + (" " + _("Kommentaren visas när den har granskats.") if verified.comments else ""),
            "success",
        )
        target = url_for("reader.index")
    value, max_age = verification.writer_cookie(verified.address)
    return set_cookie(redirect(target), verification.COOKIE, value, max_age)


@bp.get("/svar/<token>")
def confirm_replies(token: str):
    """The page of the double opt-in link for reply notifications."""
    return render_template("email_links/confirm_replies.html", token=token)


@bp.post("/svar/<token>")
def confirm_replies_done(token: str):
    done, reply = subscriptions.confirm_replies(token)
    if not done:
        return render_error(400, _("Länken är ogiltig eller har gått ut."))
    flash(_("Tack! Du får nu e-post när någon svarar på dina kommentarer."), "success")
    if reply is not None:
        anchor = f"kommentar-{reply.id}"
        return redirect(url_for("reader.post", slug=reply.post.slug, _anchor=anchor))
    return redirect(url_for("reader.index"))


@bp.get("/avregistrera/<token>")
def unsubscribe(token: str):
    """The unsubscribe page: one button, no login."""
    return render_template("email_links/unsubscribe.html", token=token)


@bp.post("/avregistrera/<token>")
@csrf.exempt  # RFC 8058 one-click: the mail client posts without our form; the token suffices
def unsubscribe_done(token: str):
    if subscriptions.unsubscribe(token) is None:
        return render_error(400, _("Länken är ogiltig."))
    return render_template("email_links/unsubscribed.html")
