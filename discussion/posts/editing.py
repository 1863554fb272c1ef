"""What staff change about a post: its policy, whether it is closed, and its questions.

The questions are the author's words: only the post's author and admins edit them; closing
and the policy are also for moderators (the views check who may do what).
"""

from __future__ import annotations

from flask_babel import gettext as _

from ..extensions import db
from ..models import ModerationPolicy, Post, Question, QuestionKind
from ..questions import normalise
from ..refusals import Refusal


class PostError(Refusal):
    """A change to a post or its questions that cannot be done; the message is fit to show."""


def set_post_closed(post: Post, closed: bool) -> None:
    post.closed = closed


def set_question_closed(question: Question, closed: bool) -> None:
    question.closed = closed


def set_policy(post: Post, policy: ModerationPolicy | str | None) -> None:
    """Override the site's policy for one post; None returns it to the site's."""
    post.moderation_policy = ModerationPolicy(policy) if policy else None


def _closing_questions(post: Post) -> list[Question]:
    return sorted(
        (q for q in post.questions if q.kind == QuestionKind.CLOSING),
        key=lambda q: (q.position, q.id or 0),
    )


def _clean_question(post: Post, text: str, *, keep: Question | None = None) -> str:
    cleaned = normalise(text)
    if not cleaned:
        raise PostError(_("Frågan får inte vara tom."))
    if len(cleaned) > 1000:
        raise PostError(_("Frågan får vara högst 1 000 tecken."))
    if any(q is not keep and normalise(q.text) == cleaned for q in post.questions):
        raise PostError(_("Inlägget har redan den frågan."))
    return cleaned


def _closing_only(question: Question) -> None:
    if question.is_general:
        raise PostError(_("Tråden för övriga kommentarer finns alltid kvar."))


def edit_question(question: Question, text: str) -> None:
    """Reword a question; the imported wording is remembered so a re-import does not re-add it."""
    _closing_only(question)
    cleaned = _clean_question(question.post, text, keep=question)
    if question.imported_text is None:
        question.imported_text = question.text
    question.text = cleaned


def add_question(post: Post, text: str) -> Question:
    cleaned = _clean_question(post, text)
    position = max((q.position for q in _closing_questions(post)), default=-1) + 1
    question = Question(text=cleaned, kind=QuestionKind.CLOSING, position=position)
    post.questions.append(question)
    db.session.flush()
    return question


def set_question_hidden(question: Question, hidden: bool) -> None:
    """Hide a thread from readers; its comments stay in the database."""
    _closing_only(question)
    question.hidden = hidden


def move_question(question: Question, offset: int) -> None:
    """Move a closing question up (-1) or down (+1) among its post's closing questions."""
    _closing_only(question)
    ordered = _closing_questions(question.post)
    index = ordered.index(question)
    target = index + offset
    if not 0 <= target < len(ordered):
        return
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, each in enumerate(ordered):
        each.position = position
