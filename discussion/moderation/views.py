"""Staff pages under /moderera: the queue, the audit log, unanswered comments, posts, accounts."""

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from ..auth import accounts
from ..auth.access import has_role, role_required
from ..comments.routing import site_policy
from ..extensions import db
from ..models import Ban, Comment, Erasure, Post, Question, Role, User, is_row_id, row_by_id, utcnow
from ..posts import editing
from ..refusals import commit_or_flash
from ..transfer import origins
from ..web.pagination import COUNT_CAP, page_number
from . import bans as ban_service
from . import decisions, listings
from .forms import (
    AccountForm,
    BanForm,
    BulkForm,
    DecisionForm,
    EditForm,
    NewQuestionForm,
    PostSettingsForm,
    QuestionForm,
)
from .labels import FILTERS

STAFF = (Role.AUTHOR, Role.MODERATOR)  # an admin passes every check anyway

bp = Blueprint("moderation", __name__, url_prefix="/moderera")


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
    app.register_blueprint(bp)


def me() -> User:
    """The logged-in account itself, not Flask-Login's proxy, so the ORM can store it."""
    return current_user._get_current_object()


def back_to(target: str | None) -> str:
    """Return to the moderation page the form came from, and never anywhere else."""
    if target and target.startswith("/moderera") and "//" not in target and "\\" not in target:
        return target
    return url_for(".queue")


def comment_to_moderate(comment_id: int) -> Comment:
    """The comment, if it exists and the user may moderate it (an author: only on their posts)."""
    comment = row_by_id(Comment, comment_id, with_for_update=True)
    if comment is None:
        abort(404, _("Kommentaren finns inte."))
    if not listings.may_moderate(me(), comment):
        abort(403, _("Kommentaren hör till ett inlägg du inte modererar."))
    return comment


def post_to_manage(post_id: int) -> Post:
    post = row_by_id(Post, post_id)
    if post is None:
        abort(404, _("Inlägget finns inte."))
    if not may_manage_post(post):
        abort(403, _("Inlägget är inte ditt."))
    return post


def may_manage_post(post: Post) -> bool:
    """Closing and policy: the post's author, moderators and admins."""
    return has_role(me(), Role.MODERATOR) or post.author_id == me().id


def may_edit_questions(post: Post) -> bool:
    """The questions are the author's words: only the post's author and admins change them."""
    return has_role(me(), Role.ADMIN) or post.author_id == me().id


def done_message(action: str, count: int = 1) -> str:
    messages = {
        "approve": ngettext("%(num)d kommentar godkänd.", "%(num)d kommentarer godkända.", count),
        "reject": ngettext("%(num)d kommentar avvisad.", "%(num)d kommentarer avvisade.", count),
        "spam": ngettext(
            "%(num)d kommentar markerad som skräp.",
            "%(num)d kommentarer markerade som skräp.",
            count,
        ),
        "not_spam": ngettext(
            "%(num)d kommentar godkänd som inte skräp.",
            "%(num)d kommentarer godkända som inte skräp.",
            count,
        ),
    }
    return messages[action]


def form_errors(form) -> str:
    """Every error of the form in one line (messages may be lazy strings)."""
    return " ".join(str(message) for messages in form.errors.values() for message in messages)


# --- the queue ---------------------------------------------------------------------------------


@bp.get("/")
@role_required(*STAFF)
def queue():
    """The moderation queue: one tab per state, newest first, paginated."""
    tab = listings.tab_named(request.args.get("flik"))
    return render_template(
        "moderation/queue.html",
        tab=tab,
        tabs=listings.tabs(),
        counts=listings.tab_counts(me()),
        count_cap=COUNT_CAP,
        page=listings.queue_page(me(), tab, page_number()),
        now=utcnow(),
        here=request.full_path.rstrip("?"),
        decision=DecisionForm(formdata=None),
        may_ban=has_role(me(), Role.MODERATOR),
    )


@bp.post("/kommentar/<int:comment_id>")
@role_required(*STAFF)
def decide(comment_id: int):
    """Approve, reject, mark as spam or not spam one comment."""
    comment = comment_to_moderate(comment_id)
    form = DecisionForm()
    if not form.validate():
        abort(400, _("Okänd åtgärd."))
    action = form.action.data
    commit_or_flash(
        lambda: decisions.moderate(
            comment, action, me(), reason=form.reason.data, seen_state=form.seen.data or None
        ),
        done_message(action),
    )
    return redirect(back_to(form.next.data))


@bp.post("/urval")
@role_required(*STAFF)
def bulk():
    """One action on every comment ticked in the list."""
    form = BulkForm()
    if not form.validate():
        abort(400, _("Okänd åtgärd."))
    ids = set(form.ids.data or [])
    if not ids:
        flash(_("Markera minst en kommentar först."), "error")
        return redirect(back_to(form.next.data))
    comments = db.session.scalars(
        select(Comment).where(Comment.id.in_(ids), listings.scope(me())).order_by(Comment.id)
    ).all()
    if len(comments) != len(ids):
        abort(403, _("Urvalet innehåller kommentarer du inte får moderera."))
    result = decisions.moderate_many(comments, form.action.data, me(), reason=form.reason.data)
    db.session.commit()
    flash(done_message(form.action.data, len(result.done)), "success")
    if result.skipped:
        flash(
            ngettext(
                "%(num)d kommentar hoppades över: den behandlas fortfarande.",
                "%(num)d kommentarer hoppades över: de behandlas fortfarande.",
                len(result.skipped),
            ),
            "info",
        )
    return redirect(back_to(form.next.data))


@bp.post("/kommentar/<int:comment_id>/redigera")
@role_required(*STAFF)
def edit(comment_id: int):
    """Change a comment's text; the original is kept as a revision and in the log."""
    comment = comment_to_moderate(comment_id)
    form = EditForm()
    if not form.validate():
        flash(form_errors(form), "error")
        return redirect(back_to(form.next.data))
    commit_or_flash(
        lambda: decisions.edit_text(comment, me(), form.body.data, form.reason.data),
        _("Texten är ändrad; originalet finns kvar i historiken."),
    )
    return redirect(back_to(form.next.data))


@bp.post("/kommentar/<int:comment_id>/stang-av")
@role_required(Role.MODERATOR)
def ban(comment_id: int):
    """Keep the comment's writer out: their next comments are rejected until the ban expires.

    Moderators and admins only: a ban applies to the whole site, and an author moderates only
    their own posts (they reject or mark as spam instead).
    """
    comment = comment_to_moderate(comment_id)
    form = BanForm()
    if not form.validate():
        flash(form_errors(form), "error")
        return redirect(back_to(form.next.data))
    commit_or_flash(
        lambda: ban_service.ban_commenter(
            comment,
            me(),
            by_email=form.by_email.data,
            by_ip=form.by_ip.data,
            days=form.days_or_none(),
            reason=form.reason.data,
        ),
        _("Skribenten är avstängd."),
    )
    return redirect(back_to(form.next.data))


@bp.get("/avstangningar")
@role_required(Role.MODERATOR)
def bans():
    """The bans still in force, newest first."""
    now = utcnow()
    active = db.session.scalars(
        select(Ban)
        .where((Ban.expires_at.is_(None)) | (Ban.expires_at > now))
        .order_by(Ban.id.desc())
    ).all()
    users = {user.id: user for user in accounts.list_users()}
    return render_template("moderation/bans.html", bans=active, users=users)


@bp.post("/avstangningar/<int:ban_id>/hav")
@role_required(Role.MODERATOR)
def lift_ban(ban_id: int):
    ban = row_by_id(Ban, ban_id)
    if ban is None:
        abort(404, _("Avstängningen finns inte."))
    ban_service.lift_ban(ban)
    db.session.commit()
    flash(_("Avstängningen är hävd."), "success")
    return redirect(url_for(".bans"))


# --- the log, unanswered comments ------------------------------------------------------------


@bp.get("/logg")
@role_required(Role.ADMIN)
def audit_log():
    """Every decision: who, when, which comment, from which state to which, and why."""
    comment_id = request.args.get("kommentar", type=int)
    comment_id = comment_id if is_row_id(comment_id) else None
    return render_template(
        "moderation/log.html",
        page=listings.audit_page(page_number(), comment_id),
        comment_id=comment_id,
        erasures=db.session.scalars(
            select(Erasure).order_by(Erasure.created_at.desc(), Erasure.id.desc()).limit(20)
        ).all(),
    )


@bp.get("/obesvarade")
@role_required(*STAFF)
def unanswered():
    """Readers' top-level comments that no one from staff has answered yet, oldest first."""
    return render_template(
        "moderation/unanswered.html",
        page=listings.unanswered_page(me(), page_number()),
        now=utcnow(),
    )


# --- posts: policy, closing, questions ---------------------------------------------------------


@bp.get("/inlagg")
@role_required(*STAFF)
def posts():
    """The posts this account may manage."""
    statement = select(Post).order_by(Post.published.desc(), Post.id.desc())
    if me().role == Role.AUTHOR:
        statement = statement.where(Post.author_id == me().id)
    return render_template("moderation/posts.html", posts=db.session.scalars(statement).all())


@bp.get("/inlagg/<int:post_id>")
@role_required(*STAFF)
def post_settings(post_id: int):
    """A post's moderation policy, whether it is closed, and its questions."""
    post = post_to_manage(post_id)
    return render_template(
        "moderation/post.html",
        post=post,
        imports=origins.imports_of_post(post.id),
        site_policy=site_policy(),
        edit_questions=may_edit_questions(post),
        new_question=NewQuestionForm(formdata=None),
    )


@bp.post("/inlagg/<int:post_id>")
@role_required(*STAFF)
def save_post_settings(post_id: int):
    post = post_to_manage(post_id)
    form = PostSettingsForm()
    if not form.validate():
        abort(400, _("Okänd policy."))
    editing.set_policy(post, form.policy.data or None)
    editing.set_post_closed(post, form.closed.data)
    db.session.commit()
    flash(_("Inställningarna är sparade."), "success")
    return redirect(url_for(".post_settings", post_id=post.id))


@bp.post("/inlagg/<int:post_id>/fragor")
@role_required(*STAFF)
def add_question(post_id: int):
    post = post_to_manage(post_id)
    if not may_edit_questions(post):
        abort(403, _("Bara inläggets skribent ändrar dess frågor."))
    form = NewQuestionForm()
    if not form.validate():
        flash(form_errors(form), "error")
    else:
        commit_or_flash(
            lambda: editing.add_question(post, form.text.data),
            _("Frågan är tillagd."),
        )
    return redirect(url_for(".post_settings", post_id=post.id))


QUESTION_ACTIONS = {
    "save": (lambda q, text: editing.edit_question(q, text), True),
    "up": (lambda q, text: editing.move_question(q, -1), True),
    "down": (lambda q, text: editing.move_question(q, 1), True),
    "hide": (lambda q, text: editing.set_question_hidden(q, True), True),
    "show": (lambda q, text: editing.set_question_hidden(q, False), True),
    "close": (lambda q, text: editing.set_question_closed(q, True), False),
    "open": (lambda q, text: editing.set_question_closed(q, False), False),
}


@bp.post("/fraga/<int:question_id>")
@role_required(*STAFF)
def change_question(question_id: int):
    """Edit, move, hide or show a question (its author), or close or open its thread."""
    question = row_by_id(Question, question_id)
    if question is None:
        abort(404, _("Frågan finns inte."))
    post = post_to_manage(question.post_id)
    form = QuestionForm()
    if not form.validate():
        abort(400, _("Okänd åtgärd."))
    work, needs_author = QUESTION_ACTIONS[form.action.data]
    if needs_author and not may_edit_questions(post):
        abort(403, _("Bara inläggets skribent ändrar dess frågor."))
    commit_or_flash(lambda: work(question, form.text.data or ""), _("Frågan är ändrad."))
    return redirect(url_for(".post_settings", post_id=post.id, _anchor=f"fraga-{question.id}"))


# --- accounts ----------------------------------------------------------------------------------


@bp.get("/konton")
@role_required(Role.ADMIN)
def users():
    """Staff accounts; new ones are made with `flask users create`."""
    return render_template("moderation/users.html", users=accounts.list_users(), roles=list(Role))


@bp.post("/konton/<int:user_id>")
@role_required(Role.ADMIN)
def change_user(user_id: int):
    user = row_by_id(User, user_id)
    if user is None:
        abort(404, _("Kontot finns inte."))
    form = AccountForm()
    if not form.validate():
        abort(400, _("Okänd roll."))
    if user.id == me().id and (form.role.data != Role.ADMIN or not form.active.data):
        flash(_("Du kan inte ta bort din egen administratörsbehörighet."), "error")
        return redirect(url_for(".users"))
    accounts.set_role(user, form.role.data)
    accounts.set_active(user, form.active.data)
    db.session.commit()
    flash(_("Kontot %(email)s är sparat.", email=user.email), "success")
    return redirect(url_for(".users"))
