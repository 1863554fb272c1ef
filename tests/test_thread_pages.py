"""A thread larger than a page, cut in SQL: the post page's "Visa fler" pages and the API's
cursor pages in every order, on SQLite and on PostgreSQL, with removed comments kept as
context, a reader's own waiting comments in place, counts, and a first page that reads only
its own rows."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, select

from discussion.api.threads import cache as api_cache
from discussion.comments.threads import SORTS, sort_key
from discussion.extensions import db
from discussion.models import Comment, CommentState, ModerationPolicy, Post, Question
from discussion.reader import pages
from tests.staff import STRATEGER, add_approved_comments, answer

PER_PAGE = 3
START = datetime(2026, 1, 1, 12, 0, 0, 123456)
A, R, S, D, P = (
    CommentState.APPROVED,
    CommentState.REJECTED,
    CommentState.SPAM,
    CommentState.DELETED,
    CommentState.PENDING,
)
# Top-level comments: (state, likes). Ties of likes, so that most liked falls back on oldest.
ROOTS = [(A, 2), (A, 0), (A, 5), (R, 2), (A, 0), (A, 5), (S, 1), (A, 2), (D, 0), (A, 3), (R, 4)]


@pytest.fixture
def app(app_on_each_database):
    app_on_each_database.config["SAMTAL_THREAD_PAGE"] = PER_PAGE
    api_cache.clear()
    pages.cache.clear()
    return app_on_each_database


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def thread(app) -> dict:
    """A thread of eleven top-level comments, nine of them shown (two only as context for a
    reply, one of them for a reply further down), with replies nested and removed in between.
    Ids by name."""
    with app.app_context():
        question = db.session.scalar(
            select(Question).join(Post).where(Post.slug == STRATEGER, Question.text.like("Vad%"))
        )
        ids: dict[str, int] = {}

        def add(name, state, minute, parent=None, likes=0):
            comment = Comment(
                post_id=question.post_id,
                question_id=question.id,
                parent_id=ids[parent] if parent else None,
                author_name=f"Läsare {name}",
                body_raw=name,
                body_html=f"<p>{name}</p>",
                state=state,
                like_count=likes,
                created_at=START + timedelta(minutes=minute),
            )
            db.session.add(comment)
            db.session.flush()
            ids[name] = comment.id

        for number, (state, likes) in enumerate(ROOTS):
            add(f"r{number}", state, number * 10, likes=likes)
        add("a3", A, 31, "r3")  # r3 is rejected: shown as removed, for its reply
        add("a1", A, 11, "r1")
        add("b1", R, 12, "a1")  # removed in the middle of a chain
        add("c1", A, 13, "b1")
        add("x5", P, 51, "r5")  # waits, and is not this reader's: not shown
        add("x6", S, 61, "r6")  # r6 and its reply are spam: nothing shown
        add("y10", R, 101, "r10")  # r10 and its reply are removed, but not the reply below
        add("z10", A, 102, "y10")
        db.session.commit()
        ids["question"] = question.id
    return ids


def shown_roots(app, thread, sort: str) -> list[int]:
    """The shown top-level comments in the order, the slow way: every one, sorted in Python."""
    with app.app_context():
        roots = [
            db.session.get(Comment, thread[f"r{n}"]) for n in (0, 1, 2, 3, 4, 5, 7, 9, 10)
        ]  # r6 (spam, spam reply) and r8 (deleted, no reply) are not shown
        return [c.id for c in sorted(roots, key=lambda comment: sort_key(comment, sort))]


def api_pages(client, qid: int, sort: str) -> list[dict]:
    """Every API page of the thread, following `next` from the post's first page."""
    first = client.get(f"/api/v1/posts/{STRATEGER}?limit={PER_PAGE}&sort={sort}").get_json()
    page = next(q for q in first["questions"] if q["id"] == qid)
    found = [page]
    while page["next"]:
        page = client.get(
            f"/api/v1/posts/{STRATEGER}/questions/{qid}/comments",
            query_string={"limit": PER_PAGE, "sort": sort, "after": page["next"]},
        ).get_json()
        found.append(page)
    return found


@pytest.mark.parametrize("sort", SORTS)
def test_the_api_pages_through_a_thread_in_every_order(app, client, thread, sort):
    found = api_pages(client, thread["question"], sort)
    assert [len(page["comments"]) for page in found] == [3, 3, 3]
    roots = [comment for page in found for comment in page["comments"]]
    assert [comment["id"] for comment in roots] == shown_roots(app, thread, sort)
    assert {page["comment_count"] for page in found} == {11}  # approved, replies included
    by_id = {comment["id"]: comment for comment in roots}
    removed = by_id[thread["r3"]]
    assert removed["removed"] is True and removed["html"] is None
    assert [reply["id"] for reply in removed["replies"]] == [thread["a3"]]
    chain = by_id[thread["r1"]]["replies"][0]
    assert chain["id"] == thread["a1"]
    assert chain["replies"][0]["id"] == thread["b1"] and chain["replies"][0]["removed"]
    assert chain["replies"][0]["replies"][0]["id"] == thread["c1"]
    assert by_id[thread["r5"]]["replies"] == []  # its reply waits, and is nobody's here
    deep = by_id[thread["r10"]]
    assert deep["removed"] and deep["replies"][0]["removed"]
    assert deep["replies"][0]["replies"][0]["id"] == thread["z10"]


@pytest.mark.parametrize("sort", SORTS)
def test_a_cursor_of_one_order_is_refused_by_another(client, thread, sort):
    cursor = api_pages(client, thread["question"], sort)[0]["next"]
    other = next(order for order in SORTS if order != sort)
    response = client.get(
        f"/api/v1/posts/{STRATEGER}/questions/{thread['question']}/comments",
        query_string={"sort": other, "after": cursor},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_cursor"


def section(html: str, qid: int) -> str:
    start = html.index(f'id="trad-{qid}"')
    return html[start : html.index("</section>", start)]


def top_level(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'class="comment depth-0[^"]*" id="kommentar-(\d+)"', html)]


def page_pages(client, qid: int, sort: str) -> list[str]:
    """The thread's section on the post's page, then each "Visa fler" page, without JS."""
    html = client.get(f"/{STRATEGER}?sortera={qid}.{sort}").get_data(as_text=True)
    found = [section(html, qid)]
    while link := re.search(r'<p class="more"><a href="([^"]+)"', found[-1]):
        found.append(section(client.get(link.group(1).replace("&amp;", "&")).get_data(True), qid))
    return found


@pytest.mark.parametrize("sort", SORTS)
def test_the_post_page_pages_through_a_thread_in_every_order(app, client, thread, sort):
    found = page_pages(client, thread["question"], sort)
    assert [len(top_level(html)) for html in found] == [3, 3, 3]
    assert [n for html in found for n in top_level(html)] == shown_roots(app, thread, sort)
    assert "Visa fler (6 till)" in found[0] and "Visa fler (3 till)" in found[1]
    assert all("11 kommentarer" in html for html in found)
    everything = "".join(found)
    assert f'id="kommentar-{thread["x5"]}"' not in everything
    assert f'id="kommentar-{thread["r8"]}"' not in everything
    removed = re.search(
        rf'<li class="comment depth-0 removed" id="kommentar-{thread["r3"]}"', everything
    )
    assert removed is not None
    assert everything.index(f'id="kommentar-{thread["a3"]}"') > removed.start()


def test_a_small_thread_has_no_more_link_and_every_comment(app, client, thread):
    app.config["SAMTAL_THREAD_PAGE"] = 50
    html = section(client.get(f"/{STRATEGER}").get_data(as_text=True), thread["question"])
    assert len(top_level(html)) == 9 and 'class="more"' not in html


def test_own_waiting_comments_are_shown_in_place_across_the_page_boundary(
    app, client, thread, spam_check_passes
):
    """A reply waiting under a comment of page 2 shows on page 2 to its writer alone; a
    waiting answer, the newest, shows at the end of the last page; both count for the pages."""
    with app.app_context():
        db.session.execute(
            Post.__table__.update().values(moderation_policy=ModerationPolicy.PRE)
        )  # every comment waits
        db.session.commit()
    qid = thread["question"]
    assert answer(client, STRATEGER, qid, "Mitt svar.", parent_id=thread["r4"]).status_code == 302
    assert answer(client, STRATEGER, qid, "Min egen fråga.").status_code == 302
    with app.app_context():
        mine = db.session.scalars(
            select(Comment.id).where(Comment.state == P).order_by(Comment.id.desc()).limit(2)
        ).all()
    own_answer, own_reply = mine
    found = page_pages(client, qid, "oldest")
    assert [len(top_level(html)) for html in found] == [3, 3, 3, 1]  # its own answer: one more
    assert f'id="kommentar-{own_reply}"' in found[1]
    assert top_level(found[3]) == [own_answer]
    assert found[1].index(f'id="kommentar-{own_reply}"') > found[1].index(
        f'id="kommentar-{thread["r4"]}"'
    )
    assert "Väntar på granskning" in found[1] and "Visa fler (7 till)" in found[0]
    stranger = page_pages(app.test_client(), qid, "oldest")
    assert [len(top_level(html)) for html in stranger] == [3, 3, 3]
    assert "Väntar på granskning" not in "".join(stranger)
    newest = page_pages(client, qid, "newest")
    assert top_level(newest[0])[0] == own_answer


def test_a_removed_comment_on_the_next_page_keeps_its_place_there(app, client, thread):
    """r3 (removed, with a reply) is the first of page 2 in the oldest order."""
    found = api_pages(client, thread["question"], "oldest")
    assert found[1]["comments"][0]["id"] == thread["r3"]
    assert found[1]["comments"][0]["removed"] is True


# --- what the first page reads ----------------------------------------------------------------


@pytest.fixture
def big_thread(app) -> int:
    """A thread of 300 top-level comments, the first ten with a reply each."""
    with app.app_context():
        question = db.session.scalar(
            select(Question).join(Post).where(Post.slug == STRATEGER, Question.text.like("Vad%"))
        )
        qid = question.id
    add_approved_comments(
        app, qid, 300, lambda n: {"created_at": START + timedelta(seconds=n), "like_count": n % 4}
    )
    with app.app_context():
        roots = db.session.scalars(
            select(Comment).where(Comment.question_id == qid).order_by(Comment.id).limit(10)
        ).all()
        for root in roots:
            db.session.add(
                Comment(
                    post_id=root.post_id,
                    question_id=qid,
                    parent_id=root.id,
                    author_name="Svar",
                    body_raw="Svar",
                    body_html="<p>Svar</p>",
                    state=A,
                    created_at=root.created_at + timedelta(milliseconds=1),
                )
            )
        db.session.commit()
    return qid


class Reads:
    """Comment rows the ORM loads, and every statement sent with its parameters."""

    def __init__(self, app):
        self.rows = 0
        self.statements: list[tuple[str, object]] = []
        with app.app_context():
            self.engine = db.engine

    def _loaded(self, target, context):
        self.rows += 1

    def _sent(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append((statement, parameters))

    def __enter__(self):
        event.listen(Comment, "load", self._loaded)
        event.listen(self.engine, "before_cursor_execute", self._sent)
        return self

    def __exit__(self, *exc):
        event.remove(Comment, "load", self._loaded)
        event.remove(self.engine, "before_cursor_execute", self._sent)


@pytest.mark.parametrize("sort", SORTS)
def test_the_first_and_next_pages_read_only_their_own_rows(app, client, big_thread, sort):
    with Reads(app) as first:
        body = client.get(f"/api/v1/posts/{STRATEGER}?limit=5&sort={sort}").get_json()
    page = next(q for q in body["questions"] if q["id"] == big_thread)
    assert len(page["comments"]) == 5 and page["comment_count"] == 310
    # Five top-level comments, the sixth that says there is more, and their replies (the first
    # ten have one each); a next page most liked first reads two ranges of six. Never 310.
    most = 2 * 6 + 10
    assert first.rows <= most
    with Reads(app) as following:
        body = client.get(
            f"/api/v1/posts/{STRATEGER}/questions/{big_thread}/comments",
            query_string={"limit": 5, "sort": sort, "after": page["next"]},
        ).get_json()
    assert len(body["comments"]) == 5
    assert following.rows <= most
    with Reads(app) as html:
        assert client.get(f"/{STRATEGER}?sortera={big_thread}.{sort}").status_code == 200
    assert html.rows <= (PER_PAGE + 1) * 2 + 20  # its page, the other threads (a few comments)
    assert_no_scan_of_comments(app, first.statements + following.statements + html.statements)


def test_the_page_costs_the_same_statements_for_a_small_and_a_large_thread(app, client, thread):
    with Reads(app) as small:
        client.get(f"/api/v1/posts/{STRATEGER}?limit=5")
    add_approved_comments(app, thread["question"], 200)
    api_cache.clear()
    with Reads(app) as large:
        client.get(f"/api/v1/posts/{STRATEGER}?limit=5")
    # The version, the post, its threads with their counts, the removed comments shown as
    # context (and the walk below those whose replies are all removed), the page.
    assert len(small.statements) == len(large.statements) <= 6


def assert_no_scan_of_comments(app, statements) -> None:
    """Every statement reads the comment table through an index, never by a full scan.

    PostgreSQL with sequential scans priced out: it still takes one where no index serves the
    statement, so a plan without one shows an index can (at this size it would rather scan).
    """
    with app.app_context(), db.engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            prefix = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
            rows = connection.exec_driver_sql(prefix + statement, parameters).all()
            plan = "\n".join(str(row[-1]) for row in rows)
            if postgres:
                assert not re.search(r"Seq Scan on comment\b", plan), (statement, plan)
            else:
                # SQLite: SEARCH is a range of an index, SCAN the whole table or index.
                assert not re.search(r"\bSCAN comment\b", plan), (statement, plan)
