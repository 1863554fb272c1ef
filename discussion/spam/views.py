"""The admin's word lists at /moderera/ord."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth.access import role_required
from ..models import Role, SpamWordKind
from . import words as spam_words

bp = Blueprint("spamfilter", __name__, url_prefix="/moderera/ord")


@bp.get("")
@role_required(Role.ADMIN)
def word_lists():
    """The banned and suspect words, with forms to add and remove them."""
    words = spam_words.all_words()
    return render_template(
        "moderation/words.html",
        banned=[w for w in words if w.kind == SpamWordKind.BANNED],
        suspect=[w for w in words if w.kind == SpamWordKind.SUSPECT],
    )


@bp.post("")
@role_required(Role.ADMIN)
def add_word():
    """Add a word to a list (or move it to the other one)."""
    kind = request.form.get("kind", "")
    if kind not in {"banned", "suspect"}:
        flash(_("Välj en lista."), "error")
        return redirect(url_for(".word_lists")), 303
    try:
        entry = spam_words.add(request.form.get("word", ""), kind)
    except ValueError:
        flash(_("Skriv ett ord eller en fras på högst 100 tecken."), "error")
    else:
        flash(_("”%(word)s” finns nu på listan.", word=entry.word), "success")
    return redirect(url_for(".word_lists")), 303


@bp.post("/ta-bort")
@role_required(Role.ADMIN)
def remove_word():
    """Take a word off its list."""
    word = request.form.get("word", "")
    if spam_words.remove(word):
        flash(_("”%(word)s” är borttaget.", word=word), "success")
    else:
        flash(_("”%(word)s” fanns inte på någon lista.", word=word), "error")
    return redirect(url_for(".word_lists")), 303
