"""The statistics: each aggregate query on a small known site, on SQLite and PostgreSQL; the
page, its CSV downloads and who may see what; the spam filter's page and retraining from it."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from discussion.extensions import db
from discussion.models import (
    Comment,
    CommentState,
    ModerationDecision,
    Organisation,
    Post,
    SpamTraining,
    User,
)
from discussion.statistics import charts, queries
from tests.helpers import csrf_token
from tests.staff import KOMMUNAL, STRATEGER, add_staff, login_as

# A Wednesday noon; the site's comments are from this week (Monday 2026-11-23) and one older.
NOW = datetime(2026, 11, 25, 12, 0)
WEEK = "2026-11-23"


def _comment(post: Post, when: datetime, state: CommentState, **columns) -> Comment:
    question = columns.pop("question", None) or post.questions[0]
    comment = Comment(
        post_id=post.id,
        question_id=question.id,
        author_name="Läsare",
        body_raw="Text",
        body_html="<p>Text</p>",
        state=state,
        created_at=when,
        **columns,
    )
    db.session.add(comment)
    db.session.flush()
    return comment


def _decision(
    comment, seconds, to_state, *, action="processed", user=None, reason=None, start=None
):
    db.session.add(
        ModerationDecision(
            comment_id=comment.id,
            user_id=user,
            action=action,
            from_state=str(start or CommentState.RECEIVED),
            to_state=str(to_state),
            reason=reason,
            created_at=comment.created_at + timedelta(seconds=seconds),
        )
    )


def seed(app, staff: dict[str, int]) -> dict[str, int]:
    """Eight comments whose every figure is worked out by hand in the tests below."""
    approved, pending = CommentState.APPROVED, CommentState.PENDING
    spam, rejected = CommentState.SPAM, CommentState.REJECTED
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == STRATEGER))
        other = db.session.scalar(select(Post).where(Post.slug == KOMMUNAL))
        kommunal = Organisation(name="Kommunal", badge="Kommunal")
        db.session.add(kommunal)
        db.session.flush()
        tuesday, wednesday = NOW - timedelta(days=1, hours=2), NOW - timedelta(hours=3)
        moderator, author = staff["moderator"], staff["author"]
        # Published by the post's policy a minute after posting; a staff reply answers it.
        c1 = _comment(post, tuesday, approved, spam_score=0.1, spam_model_version="v1")
        _decision(c1, 60, approved)
        reply = _comment(
            post, tuesday + timedelta(hours=1), approved, parent_id=c1.id, user_id=author
        )
        # Flagged by the filter, released by a moderator after ten minutes: a false positive.
        c2 = _comment(post, wednesday, pending, spam_score=0.6, spam_model_version="v1")
        _decision(c2, 5, pending, reason="spam:0.60")
        c2.state = approved
        _decision(c2, 600, approved, action="approve", user=moderator, start=pending)
        # Sent to spam by the filter and confirmed by a moderator: a true positive.
        c3 = _comment(post, wednesday, spam, spam_score=0.95, spam_model_version="v1")
        _decision(c3, 5, spam, reason="spam:0.95")
        _decision(c3, 900, spam, action="spam", user=moderator, start=spam)
        # Let through, then marked spam by a moderator: a false negative.
        c4 = _comment(post, wednesday, spam, spam_score=0.1, spam_model_version="v1")
        _decision(c4, 5, approved)
        _decision(c4, 1200, spam, action="spam", user=moderator, start=approved)
        # Rejected by the post's author after five minutes, scored by another model version.
        c5 = _comment(post, wednesday, rejected, spam_score=0.2, spam_model_version="v2")
        _decision(c5, 300, rejected, action="reject", user=author, start=pending)
        # An organisation's answer on another post, never decided by anyone.
        _comment(other, wednesday, approved, organisation_id=kommunal.id)
        # Forty days old: outside 7 and 30 days, inside 365.
        _comment(post, NOW - timedelta(days=40), approved)
        db.session.commit()
        return {"c1": c1.id, "reply": reply.id, "post": post.id, "other": other.id}


def scope_of(app, role_user_id: int, days: int = 30, post_id=None) -> queries.Scope:
    user = db.session.get(User, role_user_id)
    return queries.Scope(user, days, post_id, now=NOW)


def test_every_query_on_a_known_site(app_on_each_database):
    staff = add_staff(app_on_each_database)
    ids = seed(app_on_each_database, staff)
    with app_on_each_database.app_context():
        where = scope_of(app_on_each_database, staff["moderator"])
        days = {d.day: d for d in queries.outcomes_per_day(where)}
        assert len(days) == 30
        assert days["2026-11-24"][1:] == (2, 0, 0, 0)
        assert days["2026-11-25"][1:] == (2, 0, 1, 2)
        assert sum(sum(d[1:]) for d in days.values()) == 7

        waits = {w.week: w for w in queries.decision_times_per_week(where)}
        # First decisions: 60, 600 (pending is no decision), 5, 5 and 300 seconds.
        assert waits[WEEK] == queries.WeekWait(WEEK, 5, 60.0, 600.0)
        assert all(w.decided == 0 for name, w in waits.items() if name != WEEK)

        assert queries.deciders(where) == {
            "filter": 1,
            "automatic": 1,
            "moderators": 2,
            "authors": 1,
        }

        found = {q.slug: q for q in queries.questions(where)}
        assert (found[STRATEGER].comments, found[STRATEGER].staff_answers) == (6, 1)
        assert (found[KOMMUNAL].comments, found[KOMMUNAL].organisation_answers) == (1, 1)

        unanswered = {w.week: w for w in queries.unanswered_per_week(where)}
        # Readers' published top-level comments: c1 (answered), c2 and the organisation's.
        assert unanswered[WEEK] == queries.WeekUnanswered(WEEK, 3, 2)

        assert queries.organisation_answers(where) == [("Kommunal", 1)]

        queue = app_on_each_database.config["SAMTAL_SPAM_QUEUE_THRESHOLD"]
        versions, per_week = queries.filter_record(where, queue)
        per_version = {r.key: r.metrics for r in versions}
        assert set(per_version) == {"v1", "v2"}
        v1, v2 = per_version["v1"], per_version["v2"]
        assert (v1.tp, v1.fp, v1.fn, v1.tn) == (1, 1, 1, 0)
        assert (v2.tp, v2.fp, v2.fn, v2.tn) == (0, 0, 0, 1)
        assert v1.precision == 0.5 and v1.recall == 0.5
        assert [(r.key, r.metrics.n) for r in per_week] == [(WEEK, 4)]

        year = scope_of(app_on_each_database, staff["moderator"], days=365)
        assert sum(sum(d[1:]) for d in queries.outcomes_per_day(year)) == 8
        one_post = scope_of(app_on_each_database, staff["moderator"], post_id=ids["other"])
        assert sum(sum(d[1:]) for d in queries.outcomes_per_day(one_post)) == 1


def test_an_author_counts_only_their_own_posts(app_on_each_database):
    staff = add_staff(app_on_each_database)
    seed(app_on_each_database, staff)
    with app_on_each_database.app_context():
        theirs = scope_of(app_on_each_database, staff["author"])
        others = scope_of(app_on_each_database, staff["other_author"])
        assert sum(sum(d[1:]) for d in queries.outcomes_per_day(theirs)) == 7
        assert sum(sum(d[1:]) for d in queries.outcomes_per_day(others)) == 0
        assert queries.questions(others) == []
        assert queries.organisation_answers(others) == []
        assert sum(queries.deciders(others).values()) == 0


def test_the_queries_group_in_the_database(app, sample_posts):
    """However many comments, each query sends one statement and gets a handful of rows."""
    staff = add_staff(app)
    seed(app, staff)
    statements = []
    with app.app_context():
        where = scope_of(app, staff["moderator"])
        from sqlalchemy import event

        def count(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            queries.outcomes_per_day(where)
            queries.decision_times_per_week(where)
            queries.deciders(where)
            queries.unanswered_per_week(where)
            queries.filter_record(where, 0.5)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 5
    assert all("GROUP BY" in statement for statement in statements)


def test_bars_stack_and_scale_to_a_round_top():
    chart = charts.stacked_bars(["a", "b"], [[3, 1], [0, 7]], ["x", "y"])
    assert charts.nice_top(8) == 10 and charts.nice_top(0) == 1 and charts.nice_top(120) == 200
    assert [r.series for r in chart.rects] == [0, 1, 1]
    first, second, third = chart.rects
    assert first.y + first.height == pytest.approx(chart.baseline)
    assert second.y + second.height == pytest.approx(first.y)
    assert third.height == pytest.approx(0.7 * (chart.baseline - charts.TOP))
    assert [t.label for t in chart.ticks] == ["0", "2.5", "5", "7.5", "10"]


# --- the page --------------------------------------------------------------------------------


def test_the_page_shows_charts_with_titles_and_tables(app, client, sample_posts):
    staff = add_staff(app)
    seed(app, staff)
    login_as(client, "moderator")
    html = client.get("/moderera/statistik?dagar=365").get_data(as_text=True)
    assert html.count("<svg") >= 5
    assert '<title id="utfall-title">Kommentarer per dag efter utfall</title>' in html
    assert "Spamfiltrets facit per modellversion" in html and "<table" in html
    english = client.get("/moderera/statistik?dagar=7", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "Comments per day by outcome" in english


def test_each_table_downloads_as_csv(app, client, sample_posts):
    staff = add_staff(app)
    seed(app, staff)
    login_as(client, "admin")
    response = client.get("/moderera/statistik/organisationer.csv?dagar=365")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Organisation", "Publicerade svar"]
    html = client.get("/moderera/statistik").get_data(as_text=True)
    for slug in ("utfall", "vantetid", "beslutade-av", "fragor", "obesvarade", "filtret-per-vecka"):
        assert f"/moderera/statistik/{slug}.csv?dagar=30" in html
        assert client.get(f"/moderera/statistik/{slug}.csv").status_code == 200
    assert client.get("/moderera/statistik/nix.csv").status_code == 404


def test_bad_periods_and_posts_are_refused_with_a_reason(app, client, sample_posts):
    staff = add_staff(app)
    ids = seed(app, staff)
    login_as(client, "other_author")
    refused = client.get("/moderera/statistik?dagar=8")
    assert refused.status_code == 400 and "7, 30 eller 365" in refused.get_data(as_text=True)
    assert client.get("/moderera/statistik?inlagg=abc").status_code == 404
    assert client.get(f"/moderera/statistik?inlagg={ids['post']}").status_code == 404
    own = client.get("/moderera/statistik").get_data(as_text=True)
    assert "0 kommentarer på 30 dagar" in own
    assert "Strateger" not in own  # not their post: not offered either


def test_readers_are_sent_to_the_login(client, sample_posts):
    response = client.get("/moderera/statistik")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]


# --- the spam filter's page ------------------------------------------------------------------


def test_moderators_see_the_last_training_and_admins_retrain_from_the_page(
    app, client, sample_posts, tmp_path
):
    app.config["SAMTAL_SPAM_MODEL_PATH"] = str(tmp_path / "model.joblib")
    staff = add_staff(app)
    seed(app, staff)
    login_as(client, "moderator")
    page = client.get("/moderera/spamfilter").get_data(as_text=True)
    assert "har inte tränats om här än" in page
    assert "Spamfiltrets facit per modellversion" in page
    refused = client.post(
        "/moderera/spamfilter/trana",
        data={"csrf_token": csrf_token(client, "/moderera/spamfilter")},
    )
    assert refused.status_code == 403

    client = app.test_client()
    login_as(client, "admin")
    token = csrf_token(client, "/moderera/spamfilter")
    # No broker in the embedded default: the task runs in this process, as comments are scored.
    response = client.post("/moderera/spamfilter/trana", data={"csrf_token": token})
    assert response.status_code == 303
    with app.app_context():
        training = db.session.scalar(select(SpamTraining))
        assert db.session.scalar(select(func.count()).select_from(SpamTraining)) == 1
        # The moderators' three spam/approve decisions and the author's rejection.
        assert training.site_decisions == 1  # one text: the seeded comments all say "Text"
    page = client.get("/moderera/spamfilter").get_data(as_text=True)
    assert training.version in page and "tränades senast" in page


def test_a_record_with_no_spam_in_it_says_so_rather_than_a_precision_of_zero(
    app, client, sample_posts
):
    staff = add_staff(app)
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == STRATEGER))
        # Let through by the filter and approved by a moderator: no spam anywhere.
        comment = _comment(
            post,
            NOW - timedelta(hours=3),
            CommentState.APPROVED,
            spam_score=0.1,
            spam_model_version="v1",
        )
        _decision(comment, 5, CommentState.PENDING, reason="policy:pre")
        _decision(
            comment,
            60,
            CommentState.APPROVED,
            action="approve",
            user=staff["moderator"],
            start=CommentState.PENDING,
        )
        db.session.commit()
    login_as(client, "moderator")
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/moderera/statistik/filtret-per-version.csv").get_data(as_text=True)
            )
        )
    )
    assert rows[1][:7] == ["v1", "1", "0", "0", "–", "–", "0.0"]
    html = client.get("/moderera/spamfilter").get_data(as_text=True)
    assert "varken flaggat någon som släpptes eller släppt igenom något skräp" in html
    assert "precision 0.00" not in html
