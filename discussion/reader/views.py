"""What readers see and do: the posts, a post with its question threads, answering, replying,
liking, changing one's own comment, previewing and reporting. Everything works without
JavaScript; reader.js only saves reloads."""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..auth.access import current_staff
from ..comments import editing, likes, posting
from ..comments.badges import staff_role
from ..comments.threads import (
    SORTS,
    Thread,
    thread_page,
    threads_of,
    visible_counts,
)
from ..config import VERIFY_LINK_HOURS
from ..extensions import csrf, db
from ..models import MAX_ID, Comment, Post, Question, row_by_id
from ..moderation import reports
from ..organisations import verification
from ..posts.lookups import post_or_404, question_or_404, refuse_if_closed, thread_or_404
from ..refusals import Refusal
from ..sanitize import render_comment
from ..spam import signals
from ..web import limits
from . import avatars, browser, pages
from .forms import CommentForm, ReportForm

bp = Blueprint("reader", __name__)


@dataclass
class ThreadView:
    """One thread as this reader sees it: its order, its page of top-level comments."""

    thread: Thread
    sort: str
    page: int
    more: int  # top-level comments after this page

    @property
    def question(self) -> Question:
        return self.thread.question

    @property
    def runs(self) -> list:
        return self.thread.runs


def per_page() -> int:
    return current_app.config["SAMTAL_THREAD_PAGE"]


def page_start(page: int) -> int:
    """Where page `page` of a thread begins; a page beyond any thread is empty, no overflow."""
    return (min(page, MAX_ID // per_page()) - 1) * per_page()


def thread_view(thread: Thread, sort: str, page: int = 1) -> ThreadView:
    """A thread's page as read in SQL (threads.py): SAMTAL_THREAD_PAGE top-level comments
    with their replies, and how many follow, for "Visa fler"."""
    more = 0
    if thread.more:
        more = max(thread.top_level - page_start(page) - len(thread.runs), 1)
    return ThreadView(thread, sort, page, more)


def _own_on_post(post: Post) -> list[Comment]:
    """This browser's own comments on the post (none without a query if it has none)."""
    mine = browser.own_ids()
    if not mine:
        return []
    return list(
        db.session.scalars(select(Comment).where(Comment.id.in_(mine), Comment.post_id == post.id))
    )


def _waiting_ids(own: list[Comment]) -> set[int]:
    """Of the reader's own comments, the ones it still sees as waiting."""
    return {comment.id for comment in own if browser.shown_as_waiting(comment)}


def _sort_of(question_id: int, choices: dict[int, str]) -> str:
    return choices.get(question_id, "oldest")


@bp.get("/")
def index():
    """The posts, newest first, with how many comments each shows."""
    posts = db.session.scalars(select(Post).order_by(Post.published.desc(), Post.id.desc())).all()
    counts = visible_counts([post.id for post in posts])
    return render_template("reader/index.html", posts=posts, counts=counts)


@bp.get("/<slug>")
def post(slug: str):
    """A post and, below it, one thread per closing question plus the general thread.

    `?sortera=QUESTION.ORDER` changes one thread's order (remembered in the browser).
    """
    post = post_or_404(slug)
    chosen = request.args.get("sortera", "")
    question_id, _sep, order = chosen.partition(".")
    if question_id.isascii() and question_id.isdigit() and order in SORTS:
        browser.choose_sort(int(question_id), order)
    return render_post_page(post)


def render_post_page(
    post: Post,
    form: CommentForm | None = None,
    form_target=None,
    status: int = 200,
    preview: str | None = None,
    notice: str | None = None,
):
    """The post page. `form_target` is (question_id, parent_id) of the form sent back with its
    errors (or its preview), which is shown open, in place, with the reader's text.

    A page of the shape every reader shares comes from reader/pages.py's cache."""
    own = _own_on_post(post)
    waiting = _waiting_ids(own)
    choices = {**browser.sort_choices(), **_pending_sorts()}
    opened = {
        "reply_to": form_target[1] if form_target else request.args.get("svara", type=int),
        "report_to": request.args.get("anmal", type=int),
        "new_id": request.args.get("ny", type=int),
    }

    def render(parts: dict | None) -> tuple[str, list[int]]:
        threads = threads_of(post, waiting, limit=per_page(), sorts=choices, count_top_level=True)
        views = [thread_view(thread, _sort_of(thread.question.id, choices)) for thread in threads]
        context = {"form_ts": signals.form_timestamp(), **(parts or _reader_parts(views))}
        html = render_template(
            "reader/post.html",
            post=post,
            views=views,
            form=form or CommentForm(formdata=None),
            form_target=form_target,
            preview=preview,
            notice=notice,
            sorts=SORTS,
            **(context | opened),
        )
        return html, _shown(views)

    plain = form is None and status == 200 and preview is None and notice is None
    if plain and pages.shareable(waiting, opened["new_id"]):
        return pages.shared_page(post, choices, own, render)
    return pages.private(make_response(render(None)[0], status))


def _pending_sorts() -> dict[int, str]:
    """A choice made in this very request (its cookie is only set on the answer)."""
    return dict(g.get("samtal_sorts") or {})


@bp.get("/<slug>/trad/<int:question_id>")
def thread(slug: str, question_id: int):
    """One thread's further pages (?sida=2 …), for readers without JavaScript; page 1 is the
    post's page itself."""
    post = post_or_404(slug)
    question = question_or_404(post, question_id)
    page = max(request.args.get("sida", 1, type=int), 1)
    if page == 1:
        return redirect(url_for(".post", slug=post.slug, _anchor=f"trad-{question.id}"))
    view = _one_thread(post, question, page)
    return render_template(
        "reader/thread.html",
        post=post,
        view=view,
        form=CommentForm(formdata=None),
        form_target=None,
        **_reader_parts([view], reply_to=request.args.get("svara", type=int)),
        form_ts=signals.form_timestamp(),
        sorts=(),
    )


@bp.get("/<slug>/trad/<int:question_id>/fler")
def more(slug: str, question_id: int):
    """The next top-level comments of a thread as list items, for reader.js's "Visa fler"."""
    post = post_or_404(slug)
    question = question_or_404(post, question_id)
    page = max(request.args.get("sida", 2, type=int), 1)
    view = _one_thread(post, question, page)
    return render_template(
        "reader/_more.html",
        post=post,
        view=view,
        **_reader_parts([view]),
    )


def _one_thread(post: Post, question: Question, page: int) -> ThreadView:
    waiting = _waiting_ids(_own_on_post(post))
    sort = _sort_of(question.id, browser.sort_choices())
    thread = thread_page(
        question,
        sort,
        per_page(),
        offset=page_start(page),
        waiting_ids=waiting,
        count_top_level=True,
    )
    return thread_view(thread, sort, page)


def _shown(views: list[ThreadView]) -> list[int]:
    return [entry.comment.id for view in views for run in view.runs for entry in run]


def _reader_parts(views: list[ThreadView], **opened) -> dict:
    """What differs from one reader to the next on a page of comments: their likes, their own
    comments (and whether each may still change), and which comment's form is open or new."""
    liked = likes.liked_by(browser.browser_id(), _shown(views))
    return {
        "pressed": lambda comment_id: "true" if comment_id in liked else "false",
        "own": set(browser.own_ids()),
        "may_change": browser.may_change,
        "own_slot": lambda comment_id: "",
        "reply_to": None,
        "report_to": None,
        "new_id": None,
    } | opened


# --- answering and replying --------------------------------------------------------------------


@bp.post("/<slug>/trad/<int:question_id>")
@csrf.exempt  # the form checks its own token, so an expired one gives the form back, not an error
@limits.comments
@limits.previews
def comment(slug: str, question_id: int):
    """Store a reader's answer or reply; the worker sanitises it after the commit."""
    post, question = thread_or_404(slug, question_id)
    refuse_if_closed(post, question)
    staff = current_staff()
    form = CommentForm()
    posting.sign_as_staff(form, staff)
    target = (question.id, form.parent())
    if request.form.get("forhandsgranska"):
        return render_post_page(
            post, form=form, form_target=target, preview=render_comment(form.body.data or "")
        )
    if not form.validate():
        if set(form.errors) == {"csrf_token"}:
            form.csrf_token.errors = []
            form._errors = None  # WTForms caches the errors it collected
            notice = _(
                "Formuläret hade gått ut. Vi har förnyat det och sparat din text: skicka igen."
            )
            return render_post_page(post, form=form, form_target=target, status=400, notice=notice)
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
    browser.remember_own(comment.id)
    return redirect(
        url_for(".post", slug=post.slug, ny=comment.id, _anchor=f"kommentar-{comment.id}")
    )


def posted_message(comment: Comment) -> str:
    """What the writer is told beside their new comment."""
    if comment.visible:
        return _("Tack! Din kommentar är publicerad.")
    organisation = verification.awaiting_organisation(comment)
    if organisation is not None:
        return _(
            "Tack! Adressen hör till %(org)s, så vi har skickat en länk till den. Klicka på "
            "länken inom %(hours)d timmar, så publiceras kommentaren med märket ”%(badge)s”.",
            org=organisation.name,
            badge=organisation.badge,
            hours=VERIFY_LINK_HOURS,
        )
    return _("Tack! Din kommentar är mottagen och visas när den har granskats.")


def question_text(question: Question) -> str:
    """The general thread's name in the page's language (it is stored in Swedish)."""
    return _("Övriga kommentarer") if question.is_general else question.text


@bp.app_context_processor
def _reader_helpers() -> dict:
    return {
        "posted_message": posted_message,
        "avatar_url": avatars.avatar_url,
        "staff_role": staff_role,
        "question_text": question_text,
    }


@bp.app_template_filter("staff_badge")
def staff_badge(role: str) -> str:
    return {"author": _("Skribent"), "moderator": _("Moderator"), "admin": _("Administratör")}[role]


@bp.app_template_filter("sort_label")
def sort_label(order: str) -> str:
    return {"oldest": _("äldst först"), "newest": _("nyast först"), "liked": _("mest gillade")}[
        order
    ]


@bp.app_template_filter("sort_short")
def sort_short(order: str) -> str:
    """The order's name beside the thread's count, where "Ordning:" is only read aloud."""
    return {"oldest": _("äldst"), "newest": _("nyast"), "liked": _("mest gillade")}[order]


# --- a reader's own comment: changing it, deleting it -----------------------------------------


def own_comment_or_404(post: Post, comment_id: int, *, deleting: bool = False) -> Comment:
    comment = row_by_id(Comment, comment_id, with_for_update=True)
    if comment is None or comment.post_id != post.id:
        abort(404, _("Kommentaren finns inte."))
    if not browser.may_change(comment, deleting=deleting):
        abort(
            403,
            _("Du kan bara ändra dina egna kommentarer, från samma webbläsare och en kort stund."),
        )
    return comment


@bp.post("/<slug>/kommentar/<int:comment_id>/andra")
def edit_own(slug: str, comment_id: int):
    """The writer changes their text; it is checked again like a new comment."""
    post = post_or_404(slug)
    comment = own_comment_or_404(post, comment_id)
    try:
        changed = editing.edit_own(comment, request.form.get("body", ""))
    except Refusal as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".post", slug=post.slug, _anchor=f"kommentar-{comment_id}"))
    db.session.commit()
    target = {"ny": comment_id} if changed else {}
    return redirect(url_for(".post", slug=post.slug, _anchor=f"kommentar-{comment_id}", **target))


@bp.post("/<slug>/kommentar/<int:comment_id>/ta-bort")
def delete_own(slug: str, comment_id: int):
    """The writer takes their comment back; replies keep their place under "borttagen"."""
    post = post_or_404(slug)
    comment = own_comment_or_404(post, comment_id, deleting=True)
    editing.delete_own(comment)
    db.session.commit()
    flash(_("Din kommentar är borttagen."), "success")
    return redirect(url_for(".post", slug=post.slug, _anchor=f"trad-{comment.question_id}"))


# --- liking, reporting --------------------------------------------------------------------------


def _shown_comment_or_404(slug: str, comment_id: int) -> tuple[Post, Comment]:
    """The post and one of its visible comments, locked for the change about to be made."""
    post = post_or_404(slug)
    comment = row_by_id(Comment, comment_id, with_for_update=True)
    if comment is None or comment.post_id != post.id or not comment.visible:
        abort(404, _("Kommentaren finns inte eller visas inte längre."))
    return post, comment


@bp.post("/<slug>/kommentar/<int:comment_id>/gilla")
@limits.likes
def like(slug: str, comment_id: int):
    """Like a comment, or take the like back (one per browser)."""
    post, comment = _shown_comment_or_404(slug, comment_id)
    try:
        likes.toggle_like(comment, browser.ensure_browser_id(), request.remote_addr)
    except Refusal as error:
        db.session.rollback()
        abort(409, str(error))
    try:
        db.session.commit()
    except IntegrityError:  # the same browser's like, sent twice at once: it counts once
        db.session.rollback()
    return redirect(url_for(".post", slug=post.slug, _anchor=f"kommentar-{comment.id}"))


@bp.post("/<slug>/kommentar/<int:comment_id>/anmal")
@limits.reports
def report(slug: str, comment_id: int):
    """Record a report; at the threshold the comment is hidden until a moderator decides."""
    post, comment = _shown_comment_or_404(slug, comment_id)
    form = ReportForm()
    if not form.validate():
        flash(_("Välj ett skäl till anmälan."), "error")
        return redirect(
            url_for(".post", slug=post.slug, anmal=comment.id, _anchor=f"anmal-{comment.id}")
        )
    recorded = reports.report(
        comment, form.reason.data, ip=request.remote_addr, note=form.note.data
    )
    try:
        db.session.commit()
    except IntegrityError:  # the same reader's report, sent twice at once: it counts once
        db.session.rollback()
        recorded = False
    if recorded:
        flash(_("Tack! En moderator tittar på kommentaren."), "success")
    else:
        flash(_("Du har redan anmält den här kommentaren."), "info")
    anchor = f"kommentar-{comment.id}" if comment.visible else f"trad-{comment.question_id}"
    return redirect(url_for(".post", slug=post.slug, _anchor=anchor))


# --- pictures -----------------------------------------------------------------------------------


@bp.get("/avatar/<key>.svg")
def avatar(key: str):
    """A commenter's avatar, drawn from their keyed hash; the same forever, so cached for long."""
    if not avatars.KEY.match(key):
        abort(404)
    response = Response(avatars.identicon(key), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@bp.get("/favicon.ico")
def favicon():
    return current_app.send_static_file("favicon.svg")
