"""A post's threads as readers see them, one page of top-level comments at a time.

A page is cut in SQL, so a thread of 50,000 comments costs what its page shows: its top-level
comments in the thread's order (an index per order; after a key, or from an offset), then
their replies by a recursive query down `parent_id`. Shown: visible comments, and the
writer's own waiting ones (in place, to them alone); a removed comment stays only as context
for a shown reply. Counts are counted in SQL, never by loading the rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, exists, func, literal, literal_column, or_, select, tuple_, union_all
from sqlalchemy.orm import aliased, joinedload

from ..extensions import db
from ..models import Comment, CommentState, Post, Question

SORTS = ("oldest", "newest", "liked")  # a thread's orders of top-level comments
EPOCH = datetime(1970, 1, 1)


@dataclass
class ThreadEntry:
    comment: Comment
    depth: int
    removed: bool = False  # not visible itself; shown only as context for its visible replies
    waiting: bool = False  # not visible yet; shown to its writer alone, in place
    parent_name: str | None = None  # whom a reply answers, for replies indented no further


@dataclass
class Thread:
    """One page of a thread: its top-level comments in order, each with its replies."""

    question: Question
    visible_count: int = 0  # visible comments of the whole thread, replies included
    runs: list[list[ThreadEntry]] = field(default_factory=list)  # one per top-level comment
    more: bool = False  # shown top-level comments follow this page
    top_level: int = 0  # top-level comments the thread shows this reader (if counted)

    @property
    def entries(self) -> list[ThreadEntry]:
        return [entry for run in self.runs for entry in run]


# --- the orders ------------------------------------------------------------------------------


def sort_key(comment: Comment, sort: str) -> tuple[int, ...]:
    """A key that grows along the order, so a page continues after its cursor's key.

    oldest: (created, id); newest: both negated; liked: (likes negated, created, id), so that
    ties are oldest first. Times are microseconds since 1970.
    """
    micros, ident = _micros(comment.created_at), comment.id
    if sort == "newest":
        return (-micros, -ident)
    if sort == "liked":
        return (-(comment.like_count or 0), micros, ident)
    return (micros, ident)


def _micros(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def _moment(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def _ordered(query: Select, sort: str) -> Select:
    """Top-level comments in the thread's order, as the thread's indexes hold them."""
    if sort == "newest":
        return query.order_by(Comment.created_at.desc(), Comment.id.desc())
    if sort == "liked":
        return query.order_by(Comment.like_count.desc(), Comment.created_at, Comment.id)
    return query.order_by(Comment.created_at, Comment.id)


def _after(sort: str, key: tuple[int, ...]) -> list:
    """Conditions for the comments after `key` in the order; liked: two ranges, in order.

    Each is one range of an index: (created, id) up or down; for liked, first the rest of the
    cursor's like count (created and id after it), then every smaller like count.
    """
    if sort == "newest":
        return [tuple_(Comment.created_at, Comment.id) < (_moment(-key[0]), -key[1])]
    if sort == "liked":
        likes, after = -key[0], (_moment(key[1]), key[2])
        return [
            (Comment.like_count == likes) & (tuple_(Comment.created_at, Comment.id) > after),
            Comment.like_count < likes,
        ]
    return [tuple_(Comment.created_at, Comment.id) > (_moment(key[0]), key[1])]


# --- reading ---------------------------------------------------------------------------------


_SHOWN_COMMENT = Comment.state == CommentState.APPROVED


@dataclass(frozen=True)
class Counts:
    visible: int = 0  # visible comments, replies included
    top_level: int = 0  # visible top-level comments


def _count(*conditions):
    """A thread's visible comments, counted in the (question, state, parent) index."""
    return (
        select(func.count())
        .select_from(Comment)
        .where(Comment.question_id == Question.id, _SHOWN_COMMENT, *conditions)
        .correlate(Question)
        .scalar_subquery()
    )


def _counted(top_level: bool) -> tuple:
    """A thread and its counts; the top-level one (for "Visa fler (N till)") only if asked."""
    return (Question, _count(), _count(Comment.parent_id.is_(None)) if top_level else literal(0))


def _questions_counted(post: Post, top_level: bool = False) -> list[tuple[Question, Counts]]:
    """The post's visible threads in order, each with its counts, in one statement."""
    rows = db.session.execute(
        select(*_counted(top_level))
        .where(Question.post_id == post.id, Question.hidden.is_(False))
        .order_by(Question.position, Question.id)
    )
    return [(question, Counts(visible, top)) for question, visible, top in rows]


def visible_questions(post: Post) -> list[Question]:
    return [question for question, _counts in _questions_counted(post)]


def threads_of(
    post: Post,
    waiting_ids: Iterable[int] = frozenset(),
    *,
    limit: int,
    sorts: dict[int, str] | None = None,
    sort: str = "oldest",
    count_top_level: bool = False,
) -> list[Thread]:
    """The first page of each of the post's visible threads.

    `waiting_ids`: comments not visible that their writer (this browser) still sees as waiting.
    `sorts`: a thread's order by its question id, where it is not `sort`. Three statements
    however many threads and comments: threads with their counts, removed context, the page.
    """
    counted = _questions_counted(post, count_top_level)
    return _pages(
        counted,
        {question.id: (sorts or {}).get(question.id, sort) for question, _ in counted},
        limit,
        waiting=frozenset(waiting_ids),
    )


def thread_page(
    question: Question,
    sort: str,
    limit: int,
    *,
    after: tuple[int, ...] | None = None,
    offset: int = 0,
    waiting_ids: Iterable[int] = frozenset(),
    count_top_level: bool = False,
) -> Thread:
    """`limit` shown top-level comments of one thread with their replies, after the sort key
    `after` (a cursor) or from `offset` (a page number's), and whether more follow."""
    _question, visible, top = db.session.execute(
        select(*_counted(count_top_level)).where(Question.id == question.id)
    ).one()
    return _pages(
        [(question, Counts(visible, top))],
        {question.id: sort},
        limit,
        after=after,
        offset=offset,
        waiting=frozenset(waiting_ids),
    )[0]


def _pages(
    counted: list[tuple[Question, Counts]],
    sorts: dict[int, str],
    limit: int,
    *,
    after: tuple[int, ...] | None = None,
    offset: int = 0,
    waiting: frozenset[int] = frozenset(),
) -> list[Thread]:
    if not counted:
        return []
    hidden, named = _hidden_shown([question.id for question, _ in counted], waiting)
    roots, replies = _page_rows(sorts, limit + 1, after, offset, waiting, named)
    threads = []
    for question, counts in counted:
        found = roots.get(question.id, [])
        own = [reply for reply in replies if reply.question_id == question.id]
        runs = [entries for _root, entries in _reading_order(found[:limit] + own, waiting)]
        threads.append(
            Thread(
                question,
                visible_count=counts.visible,
                runs=runs,
                more=len(found) > limit,
                top_level=counts.top_level + hidden.get(question.id, 0),
            )
        )
    return threads


def _shown(comment, waiting: frozenset[int]):
    """Shown to this reader: visible, or the reader's own and waiting (`comment`: the entity,
    an alias of it or a CTE's columns)."""
    visible = comment.state == CommentState.APPROVED
    return or_(visible, comment.id.in_(sorted(waiting))) if waiting else visible


def _shown_reply(comment, waiting: frozenset[int]):
    """Whether a shown reply sits right under `comment`."""
    reply = aliased(Comment)
    return exists().where(reply.parent_id == comment.id, _shown(reply, waiting))


# Top-level and not visible: its own small partial index, ix_comment_top_hidden. The state is
# a literal, so that SQLite too sees the index's condition in the query.
_TOP_HIDDEN = (Comment.parent_id.is_(None)) & (Comment.state != literal_column("'APPROVED'"))


def _hidden_shown(
    question_ids: list[int], waiting: frozenset[int]
) -> tuple[dict[int, int], set[int]]:
    """Per thread, how many of its top-level comments are not visible but shown all the same:
    the reader's own waiting ones, and removed ones with a shown reply somewhere below; and
    those of them a page must name, as no shown reply sits right under them.

    Only top-level comments not visible that have replies (or are the reader's) are read, by
    their own small index: a few, however long the thread. Most have a shown reply right under
    them; only the rest are walked down, by a recursive query.
    """
    reply = aliased(Comment)
    has_reply = exists().where(reply.parent_id == Comment.id)
    if waiting:
        has_reply = or_(Comment.id.in_(sorted(waiting)), has_reply)
    rows = db.session.execute(
        select(Comment.question_id, Comment.id, _shown_reply(Comment, waiting)).where(
            Comment.question_id.in_(question_ids), _TOP_HIDDEN, has_reply
        )
    ).all()
    counts: dict[int, int] = {}
    named = set(waiting)  # harmless where they are not top-level comments of these threads
    deeper: dict[int, int] = {}  # a root whose replies right under it are all removed
    for question_id, root, shown_below in rows:
        if shown_below or root in waiting:
            counts[question_id] = counts.get(question_id, 0) + 1
        else:
            deeper[root] = question_id
    if deeper:
        tree = (
            select(Comment.parent_id.label("root"), Comment.id, Comment.state)
            .where(Comment.parent_id.in_(sorted(deeper)))
            .cte("hidden_tree", recursive=True)
        )
        below = aliased(Comment)
        tree = tree.union_all(
            select(tree.c.root, below.id, below.state).where(below.parent_id == tree.c.id)
        )
        for root in db.session.scalars(
            select(tree.c.root).where(_shown(tree.c, waiting)).distinct()
        ):
            counts[deeper[root]] = counts.get(deeper[root], 0) + 1
            named.add(root)
    return counts, named


def _page_rows(
    sorts: dict[int, str],
    count: int,
    after: tuple[int, ...] | None,
    offset: int,
    waiting: frozenset[int],
    named: set[int],
) -> tuple[dict[int, list[Comment]], list[Comment]]:
    """Up to `count` shown top-level comments of each thread, in its order, and every reply
    below them, oldest first: one statement. The top-level comments are a UNION ALL of one
    index range per thread (two for most liked after a cursor); the replies a recursive walk
    down `parent_id` from them."""
    # Visible, or with a shown reply right under it (asked only of the few not visible), or
    # named: the reader's own, and those with a shown reply further down.
    shown = or_(_SHOWN_COMMENT, _shown_reply(Comment, waiting))
    if named:
        shown = or_(shown, Comment.id.in_(sorted(named)))
    branches = []
    for question_id, sort in sorts.items():
        base = select(Comment.id).where(
            Comment.question_id == question_id, Comment.parent_id.is_(None), shown
        )
        if after is None:
            branches.append(_ordered(base, sort).offset(offset).limit(count))
        else:  # one thread's next page
            branches += [
                _ordered(base.where(condition), sort).limit(count)
                for condition in _after(sort, after)
            ]
    if len(branches) == 1:
        top = branches[0].cte("top")
    else:
        top = union_all(*(branch.subquery().select() for branch in branches)).cte("top")
    tree = select(top.c.id).cte("tree", recursive=True)
    child = aliased(Comment)
    tree = tree.union_all(select(child.id).where(child.parent_id == tree.c.id))
    roots: dict[int, list[Comment]] = {}
    replies: list[Comment] = []
    for comment in db.session.scalars(
        select(Comment)
        .options(joinedload(Comment.organisation), joinedload(Comment.user))  # badges
        .join(tree, Comment.id == tree.c.id)
        .order_by(Comment.created_at, Comment.id)
    ).unique():
        if comment.parent_id is None:
            roots.setdefault(comment.question_id, []).append(comment)
        else:
            replies.append(comment)
    for question_id, found in roots.items():
        found.sort(key=lambda comment: sort_key(comment, sorts[question_id]))
        del found[count:]
    return roots, replies


def _reading_order(comments: list[Comment], waiting_ids=frozenset()):
    """Yield each top-level comment with its shown subtree, depth-first, oldest first.

    `comments`: the top-level ones first, in the thread's order, then their replies oldest
    first. Shown: visible comments, and the writer's own waiting ones. A removed comment stays
    only as context for a shown reply. Iterative, so a long chain of replies cannot exhaust
    the stack. Replies are newer than their parents, so one pass from the newest marks which
    subtrees hold something shown.
    """
    children: dict[int | None, list[Comment]] = {}
    names = {comment.id: comment.author_name for comment in comments}
    for comment in comments:
        children.setdefault(comment.parent_id, []).append(comment)
    shown = {comment.id for comment in comments if comment.visible or comment.id in waiting_ids}
    for comment in reversed(comments):
        if comment.id in shown and comment.parent_id is not None:
            shown.add(comment.parent_id)
    for root in children.get(None, []):
        if root.id not in shown:
            continue
        entries: list[ThreadEntry] = []
        stack = [(root, 0)]
        while stack:
            comment, depth = stack.pop()
            waiting = not comment.visible and comment.id in waiting_ids
            entries.append(
                ThreadEntry(
                    comment,
                    depth,
                    removed=not comment.visible and not waiting,
                    waiting=waiting,
                    parent_name=names.get(comment.parent_id) if comment.parent_id else None,
                )
            )
            replies = [child for child in children.get(comment.id, []) if child.id in shown]
            stack.extend((child, depth + 1) for child in reversed(replies))
        yield root, entries


def visible_counts(post_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(Comment.post_id, func.count())
        .where(Comment.post_id.in_(post_ids), Comment.state == CommentState.APPROVED)
        .group_by(Comment.post_id)
    )
    return {post_id: count for post_id, count in rows}
