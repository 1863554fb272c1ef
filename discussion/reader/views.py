"""What readers see and do: the list of posts, a post with its question threads, replying and
reporting (no account, no JavaScript needed for any of it)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..auth.access import current_staff
from ..comments import posting
from ..comments.threads import threads_of, visible_counts
from ..config import VERIFY_LINK_HOURS
from ..extensions import db
from ..models import Comment, Post, row_by_id
from ..moderation import reports
from ..organisations import verification
from ..posts.lookups import post_or_404, question_or_404, refuse_if_closed
from ..spam import signals
from ..web import limits
from .forms import CommentForm, ReportForm

bp = Blueprint("reader", __name__)


@bp.get("/")
def index():
    """The posts, newest first, with how many comments each shows."""
    posts = db.session.scalars(select(Post).order_by(Post.published.desc(), Post.id.desc())).all()
    counts = visible_counts([post.id for post in posts])
    return render_template("reader/index.html", posts=posts, counts=counts)


@bp.get("/<slug>")
def post(slug: str):
    """A post and, below it, one thread per closing question plus the general thread."""
    post = post_or_404(slug)
    return render_post_page(post)


def render_post_page(post: Post, form: CommentForm | None = None, form_target=None, status=200):
    """The post page; the reply form of one comment is shown when asked for (?svara=ID)."""
    threads = threads_of(post)
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
            form_ts=signals.form_timestamp(),
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
            form,
            question,
            staff,
            ip=request.remote_addr,
            writer_cookie=request.cookies.get(verification.COOKIE),
            form_time=request.form.get("ts"),
            trap=request.form.get("website"),
        )
    except posting.ThreadMismatch:
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


@bp.post("/<slug>/kommentar/<int:comment_id>/anmal")
@limits.reports
def report(slug: str, comment_id: int):
    """Record a report; at the threshold the comment is hidden until a moderator decides."""
    post = post_or_404(slug)
    comment = row_by_id(Comment, comment_id, with_for_update=True)
    if comment is None or comment.post_id != post.id or not comment.visible:
        abort(404, _("Kommentaren finns inte eller visas inte längre."))
    form = ReportForm()
    if not form.validate():
        flash(_("Välj ett skäl till anmälan."), "error")
        return redirect(
            url_for(".post", slug=post.slug, anmal=comment.id, _anchor=f"anmal-{comment.id}")
        )
    reports.report(comment, form.reason.data, ip=request.remote_addr, note=form.note.data)
    try:
        db.session.commit()
    except IntegrityError:  # the same reader's report, sent twice at once: it counts once
        db.session.rollback()
    flash(_("Tack! En moderator tittar på kommentaren."), "success")
    anchor = f"kommentar-{comment.id}" if comment.visible else f"trad-{comment.question_id}"
    return redirect(url_for(".post", slug=post.slug, _anchor=anchor))
