from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from .. import limits
from ..auth.access import current_staff
from ..config import VERIFY_LINK_HOURS
from ..extensions import db
from ..models import Post, Question, row_by_id
from ..services import comments as comment_service
from ..services import spam_signals, verification
from . import bp, posting
from .forms import CommentForm


def post_or_404(slug: str) -> Post:
    post = db.session.scalar(select(Post).where(Post.slug == slug))
    if post is None:
        abort(404, _("Det finns inget inlägg med adressen /%(slug)s.", slug=slug))
    return post


def question_or_404(post: Post, question_id: int) -> Question:
    question = row_by_id(Question, question_id)
    if question is None or question.post_id != post.id or question.hidden:
        abort(404, _("Frågan finns inte i det här inlägget."))
    return question


def refuse_if_closed(post: Post, question: Question) -> None:
    """409 Conflict: the thread exists but is closed for now, and may open again."""
    if post.closed:
        abort(409, _("Inlägget är stängt för nya kommentarer. Din kommentar sparades inte."))
    if question.closed:
        abort(409, _("Tråden är stängd för nya kommentarer. Din kommentar sparades inte."))


@bp.get("/")
def index():
    """The posts, newest first, with how many comments each shows."""
    posts = db.session.scalars(select(Post).order_by(Post.published.desc(), Post.id.desc())).all()
    counts = comment_service.visible_counts([post.id for post in posts])
    return render_template("reader/index.html", posts=posts, counts=counts)


@bp.get("/<slug>")
def post(slug: str):
    """A post and, below it, one thread per closing question plus the general thread."""
    post = post_or_404(slug)
    return render_post_page(post)


def render_post_page(post: Post, form: CommentForm | None = None, form_target=None, status=200):
    """The post page; the reply form of one comment is shown when asked for (?svara=ID)."""
    threads = comment_service.threads_of(post)
    reply_to = form_target[1] if form_target else request.args.get("svara", type=int)
    return (
        render_template(
            "reader/post.html",
            post=post,
            threads=threads,
            form=form or CommentForm(formdata=None),
            form_target=form_target,
            reply_to=reply_to,
            report_to=request.args.get("anmal", type=int),
            form_ts=spam_signals.form_timestamp(),
        ),
        status,
    )


@bp.get("/<slug>/trad/<int:question_id>")
def thread(slug: str, question_id: int):
    """A thread has no page of its own: send the reader to it on the post's page."""
    post = post_or_404(slug)
    question = question_or_404(post, question_id)
    return redirect(url_for(".post", slug=post.slug, _anchor=f"trad-{question.id}"))


@bp.post("/<slug>/trad/<int:question_id>")
@limits.comments
def comment(slug: str, question_id: int):
    """Store a reader's answer or reply; the worker sanitises it after the commit."""
    post = post_or_404(slug)
    question = question_or_404(post, question_id)
    refuse_if_closed(post, question)
    staff = current_staff()
    form = CommentForm()
    posting.sign_as_staff(form, staff)
    if not form.validate():
        target = (question.id, form.parent())
        return render_post_page(post, form=form, form_target=target, status=422)
    try:
        comment = posting.submit(
            form, question, staff, request.form.get("ts"), request.form.get("website")
        )
    except comment_service.ThreadMismatch:
        abort(400, _("Kommentaren du svarar på hör inte till den här tråden."))
    if comment.visible:
        flash(_("Tack! Din kommentar är publicerad."), "success")
        anchor = f"kommentar-{comment.id}"
    elif organisation := verification.awaiting_organisation(comment):
        flash(
            _(
                "Tack! Adressen hör till %(org)s, så vi har skickat en länk till den. Klicka på "
                "länken inom %(hours)d timmar, så publiceras kommentaren med märket ”%(badge)s”.",
                org=organisation.name,
                badge=organisation.badge,
                hours=VERIFY_LINK_HOURS,
            ),
            "info",
        )
        anchor = f"trad-{question.id}"
    else:
        flash(_("Tack! Din kommentar är mottagen och visas när den har granskats."), "info")
        anchor = f"trad-{question.id}"
    return redirect(url_for(".post", slug=post.slug, _anchor=anchor))
