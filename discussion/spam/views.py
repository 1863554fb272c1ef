"""The spam filter's pages: its record and retraining at /moderera/spamfilter, the admin's
word lists at /moderera/ord.

Retraining is a task (`jobs.RETRAIN_SPAM_MODEL`) sent after the commit: a worker runs it, or
with no broker (the embedded default) the one process that also scores comments. The page
reads the training's record from the database and never loads the model file.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.access import role_required
from ..extensions import db
from ..jobs import RETRAIN_SPAM_MODEL, enqueue
from ..models import Role, SpamWordKind
from ..statistics import queries
from ..statistics.views import csv_url, filter_tables
from . import words as spam_words

bp = Blueprint("spamfilter", __name__, url_prefix="/moderera")


@bp.get("/spamfilter")
@role_required(Role.MODERATOR)
def filter_page():
    """When the model was last trained, on how many of the site's decisions, and its record."""
    where = queries.Scope(current_user._get_current_object(), days=365)
    return render_template(
        "moderation/spamfilter.html",
        trainings=queries.trainings(),
        tables=filter_tables(where),
        where=where,
        csv_url=csv_url,
    )


@bp.post("/spamfilter/trana")
@role_required(Role.ADMIN)
def retrain():
    """Ask for a new model now, rather than at the next scheduled retraining."""
    enqueue(db.session, RETRAIN_SPAM_MODEL)
    db.session.commit()
    flash(_("Omträningen är beställd. Den nya modellen visas här när den är klar."), "success")
    return redirect(url_for(".filter_page")), 303


@bp.get("/ord")
@role_required(Role.ADMIN)
def word_lists():
    """The banned and suspect words, with forms to add and remove them."""
    words = spam_words.all_words()
    return render_template(
        "moderation/words.html",
        banned=[w for w in words if w.kind == SpamWordKind.BANNED],
        suspect=[w for w in words if w.kind == SpamWordKind.SUSPECT],
    )


@bp.post("/ord")
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


@bp.post("/ord/ta-bort")
@role_required(Role.ADMIN)
def remove_word():
    """Take a word off its list."""
    word = request.form.get("word", "")
    if spam_words.remove(word):
        flash(_("”%(word)s” är borttaget.", word=word), "success")
    else:
        flash(_("”%(word)s” fanns inte på någon lista.", word=word), "error")
    return redirect(url_for(".word_lists")), 303
