"""`comments import`: other systems' files into Samtal's threads, once, whole or not at all.

The sample files come from the writers of tests/test_transfer_formats.py, which follow each
exporter's real structure.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

import pytest
from sqlalchemy import func, select

from discussion.comments.identity import identity_hash
from discussion.extensions import db
from discussion.mail import notifications
from discussion.models import (
    Comment,
    CommentState,
    ImportRun,
    ModerationDecision,
    OutgoingEmail,
    Post,
)
from discussion.spam import store
from tests.staff import KOMMUNAL, STRATEGER
from tests.test_transfer_formats import (
    disqus,
    dsq_post,
    dsq_thread,
    isso_database,
    remark42_comment,
    remark42_lines,
    write,
    wxr,
    wxr_comment,
    wxr_item,
)

BLOG = "https://jobbloggen.example"


def blog_wxr() -> str:
    """Two posts Samtal knows, one it does not, and every kind of comment WordPress exports."""
    strateger = wxr_item(
        "\n".join(
            [
                wxr_comment("1", "Bra skrivet!\n\nHåller med.", author="Åsa Öberg"),
                wxr_comment("2", "Tack!", parent="1", author="Bo", email="bo@example.se"),
                wxr_comment("3", "Billiga klockor", approved="spam", author="Spammare"),
                wxr_comment("4", "Väntar här", approved="0", author="Cecilia"),
                wxr_comment("5", "Borta", approved="trash", author="Dan"),
                wxr_comment("6", "Ping", kind="pingback", author="En blogg"),
            ]
        ),
        post_id="12",
        slug=STRATEGER,
    )
    kommunal = wxr_item(
        wxr_comment("7", "Kommunal svarar bra.", author="Eva", date_gmt="2013-09-27 09:00:00"),
        post_id="13",
        slug=KOMMUNAL,
    )
    unknown = wxr_item(
        wxr_comment("8", "Om något annat") + wxr_comment("9", "Också", parent="8"),
        post_id="14",
        slug="ett-inlagg-som-inte-finns",
    )
    return wxr("\n".join([strateger, kommunal, unknown]))


def imported(app) -> dict[str, Comment]:
    with app.app_context():
        rows = db.session.scalars(select(Comment).where(Comment.import_id.is_not(None))).all()
        for row in rows:
            db.session.expunge(row)
        return {row.import_id: row for row in rows}


def import_cli(runner, *args):
    return runner.invoke(args=["comments", "import", *args])


def test_a_wordpress_export_comes_in_with_threads_states_authors_and_dates(
    app, runner, sample_posts, tmp_path
):
    path = write(tmp_path, "blog.xml", blog_wxr())
    result = import_cli(runner, "--format", "wxr", str(path))
    assert result.exit_code == 0, result.output
    comments = imported(app)
    assert set(comments) == {"1", "2", "3", "4", "5", "7"}
    states = {key: comment.state for key, comment in comments.items()}
    assert states == {
        "1": CommentState.APPROVED,
        "2": CommentState.APPROVED,
        "3": CommentState.SPAM,
        "4": CommentState.PENDING,
        "5": CommentState.DELETED,
        "7": CommentState.APPROVED,
    }
    first, reply = comments["1"], comments["2"]
    assert reply.parent_id == first.id and reply.question_id == first.question_id
    assert first.author_name == "Åsa Öberg"
    assert first.created_at == datetime(2013, 9, 26, 10, 11, 12)
    assert first.body_html == "<p>Bra skrivet!</p>\n<p>Håller med.</p>\n"
    assert first.ip_hash is None  # 2013 is far beyond the IP retention
    assert first.spam_score is None  # not scored as a new comment
    with app.app_context():
        assert first.email_hash == identity_hash("asa@example.se")
        general = db.session.scalar(select(Post).where(Post.slug == STRATEGER)).questions[-1]
        assert general.is_general and first.question_id == general.id
        assert db.session.scalar(select(func.count()).select_from(OutgoingEmail)) == 0
        assert notifications.sweep_unannounced() == []
        actions = db.session.scalars(select(ModerationDecision.action)).all()
        assert set(actions) == {"imported"} and len(actions) == 6
        run = db.session.scalar(select(ImportRun))
        assert (run.format, run.file_name, run.comment_count) == ("wxr", "blog.xml", 6)
    assert "Imported 6 comments" in result.output
    assert "Not imported: 2 comments in 1 threads no post matches" in result.output
    assert "ett-inlagg-som-inte-finns" in result.output
    assert "a pingback, not a reader's comment" in result.output


def test_the_same_file_imported_again_adds_nothing_and_says_so(app, runner, sample_posts, tmp_path):
    path = write(tmp_path, "blog.xml", blog_wxr())
    assert import_cli(runner, "--format", "wxr", str(path)).exit_code == 0
    again = import_cli(runner, "--format", "wxr", str(path))
    assert again.exit_code == 0, again.output
    assert "Nothing new: all 6 comments were imported before." in again.output
    assert len(imported(app)) == 6
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ImportRun)) == 1


def test_a_later_export_adds_only_its_new_comments_under_their_parents(
    app, runner, sample_posts, tmp_path
):
    path = write(tmp_path, "blog.xml", blog_wxr())
    assert import_cli(runner, "--format", "wxr", str(path)).exit_code == 0
    later = wxr(
        wxr_item(
            wxr_comment("1", "Bra skrivet!") + wxr_comment("20", "Ett nytt svar", parent="1"),
            slug=STRATEGER,
        )
    )
    result = import_cli(runner, "--format", "wxr", str(write(tmp_path, "later.xml", later)))
    assert result.exit_code == 0, result.output
    assert "Imported 1 comments" in result.output and "Skipped 1 comments" in result.output
    comments = imported(app)
    assert comments["20"].parent_id == comments["1"].id


def test_a_dry_run_says_what_would_happen_and_writes_nothing(app, runner, sample_posts, tmp_path):
    path = write(tmp_path, "blog.xml", blog_wxr())
    result = import_cli(runner, "--format", "wxr", "--dry-run", str(path))
    assert result.exit_code == 0, result.output
    assert "Would import 6 comments" in result.output
    assert "Dry run: nothing was written." in result.output
    assert imported(app) == {}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ImportRun)) == 0


@pytest.mark.parametrize(
    "content, message",
    [
        (blog_wxr()[:-400], "line"),
        (blog_wxr().replace("<wp:comment_id>4</wp:comment_id>", "<wp:comment_id>4<"), "line"),
        ("Det här är ingen export.\n", "not XML"),
        ("", "the file is empty"),
    ],
    ids=["truncated", "malformed", "text", "empty"],
)
def test_a_bad_file_imports_nothing_and_names_the_place(
    app, runner, sample_posts, tmp_path, content, message
):
    path = write(tmp_path, "bad.xml", content)
    result = import_cli(runner, "--format", "wxr", str(path))
    assert result.exit_code != 0
    assert message in result.output and "Nothing was imported." in result.output
    assert imported(app) == {}


def test_a_file_that_is_not_there_is_a_clear_error(runner, sample_posts, tmp_path):
    result = import_cli(runner, "--format", "wxr", str(tmp_path / "saknas.xml"))
    assert result.exit_code != 0 and "cannot read" in result.output


def test_a_failure_halfway_rolls_the_whole_import_back(
    app, runner, sample_posts, tmp_path, monkeypatch
):
    from discussion.transfer import importing

    monkeypatch.setattr(importing, "BATCH_SIZE", 1)
    calls = []
    original = importing.insert

    def failing_insert(table):
        calls.append(table)
        if len(calls) == 5:
            raise RuntimeError("the disk is full")
        return original(table)

    monkeypatch.setattr(importing, "insert", failing_insert)
    path = write(tmp_path, "blog.xml", blog_wxr())
    result = import_cli(runner, "--format", "wxr", str(path))
    assert result.exit_code != 0
    assert imported(app) == {}


def test_map_reads_old_addresses_as_new_ones(app, runner, sample_posts, tmp_path):
    moved = wxr(
        wxr_item(wxr_comment("1", "Hej"), slug="p-123").replace(
            f"{BLOG}/p-123/", "https://gamla.example/2013/09/p-123/"
        )
    )
    path = write(tmp_path, "moved.xml", moved)
    without = import_cli(runner, "--format", "wxr", "--dry-run", str(path))
    assert "Not imported: 1 comments" in without.output
    result = import_cli(
        runner,
        "--format",
        "wxr",
        "--map",
        f"https://gamla.example/2013/09/p-123/={BLOG}/{STRATEGER}/",
        "--map",
        "p-123=" + STRATEGER,
        str(path),
    )
    assert result.exit_code == 0, result.output
    assert "Imported 1 comments" in result.output


def test_a_map_without_an_equals_sign_is_refused(runner, sample_posts, tmp_path):
    path = write(tmp_path, "blog.xml", blog_wxr())
    result = import_cli(runner, "--format", "wxr", "--map", "gamla.example", str(path))
    assert result.exit_code == 2 and "OLD=NEW" in result.output


def test_nasty_comments_are_handled_and_reported(app, runner, sample_posts, tmp_path):
    chain = "".join(
        wxr_comment(str(number), f"Nivå {number}", parent=str(number - 1) if number > 1 else "0")
        for number in range(1, 7)
    )
    nasty = [
        wxr_comment("30", 'Hej<script>alert("stöld")</script> <b onclick="x()">där</b>'),
        wxr_comment("31", "Svar till en som saknas", parent="999"),
        wxr_comment("32", "Första"),
        wxr_comment("32", "Samma id igen"),
    ]
    path = write(tmp_path, "nasty.xml", wxr(wxr_item(chain + "".join(nasty), slug=STRATEGER)))
    result = import_cli(runner, "--format", "wxr", str(path))
    assert result.exit_code == 0, result.output
    comments = imported(app)
    assert "script" not in comments["30"].body_html and "onclick" not in comments["30"].body_html
    assert comments["30"].body_html == "<p>Hej <strong>där</strong></p>\n"
    assert comments["31"].parent_id is None
    assert comments["32"].body_raw == "Första"
    depth, current = 0, comments["6"]
    by_id = {comment.id: comment for comment in comments.values()}
    while current.parent_id:
        depth, current = depth + 1, by_id[current.parent_id]
    assert depth == 5 and current.import_id == "1"
    assert "replies nested up to 5 levels" in result.output
    assert "<script> in the body dropped with its content" in result.output
    assert "its parent '999' is not in the file" in result.output
    assert "a second comment with the id '32'" in result.output


def test_a_file_in_the_wrong_encoding_names_the_byte(app, runner, sample_posts, tmp_path):
    content = wxr(wxr_item(wxr_comment("1", "Hej från Åsa"), slug=STRATEGER))
    path = write(tmp_path, "latin1.xml", content.encode("latin-1"))
    result = import_cli(runner, "--format", "wxr", str(path))
    assert result.exit_code != 0
    assert "not UTF-8: byte 0x" in result.output and "Nothing was imported." in result.output


def test_a_disqus_export_comes_in(app, runner, sample_posts, tmp_path):
    content = disqus(
        dsq_thread("100", slug=STRATEGER),
        dsq_post("1", "100", "<p>Första</p>"),
        dsq_post("2", "100", "<p>Svar</p>", parent="1"),
        dsq_post("3", "100", "<p>Köp nu</p>", spam="true"),
        dsq_post("4", "100", "<p>Borta</p>", deleted="true"),
    )
    result = import_cli(runner, "--format", "disqus", str(write(tmp_path, "d.xml", content)))
    assert result.exit_code == 0, result.output
    comments = imported(app)
    assert comments["2"].parent_id == comments["1"].id
    assert comments["3"].state == CommentState.SPAM
    assert comments["4"].state == CommentState.DELETED


def test_an_isso_database_comes_in(app, runner, sample_posts, tmp_path):
    path = isso_database(
        tmp_path / "comments.db",
        [
            (1, 1, None, 1380189072.0, 1, "Första", "Åsa"),
            (1, 2, 1, 1380189100.0, 2, "Väntar", "Bo"),
            (2, 3, None, 1380275000.0, 4, "Borttagen", "Cissi"),
        ],
    )
    connection = sqlite3.connect(path)
    connection.execute(f"UPDATE threads SET uri = '/{STRATEGER}/' WHERE id = 1")
    connection.execute(f"UPDATE threads SET uri = '/{KOMMUNAL}/' WHERE id = 2")
    connection.commit()
    connection.close()
    result = import_cli(runner, "--format", "isso", str(path))
    assert result.exit_code == 0, result.output
    comments = imported(app)
    assert comments["2"].parent_id == comments["1"].id
    assert comments["2"].state == CommentState.PENDING
    assert comments["3"].state == CommentState.DELETED


def test_a_remark42_backup_comes_in(app, runner, sample_posts, tmp_path):
    url = f"{BLOG}/{STRATEGER}/"
    locator = {"site": "jobbloggen", "url": url}
    header = {"version": 1, "users": [], "posts": [{"url": url}]}
    content = remark42_lines(
        remark42_comment("a", locator=locator),
        remark42_comment("b", pid="a", locator=locator, orig="Svar *här*"),
        header=header,
    )
    result = import_cli(runner, "--format", "remark42", str(write(tmp_path, "r.jsonl", content)))
    assert result.exit_code == 0, result.output
    comments = imported(app)
    assert comments["b"].parent_id == comments["a"].id
    assert comments["b"].body_html == "<p>Svar <em>här</em></p>\n"


def test_imported_labels_teach_the_spam_model_unless_told_not_to(
    app, runner, sample_posts, tmp_path
):
    path = write(tmp_path, "blog.xml", blog_wxr())
    result = import_cli(runner, "--format", "wxr", str(path))
    assert "The spam model learns from 4 of them" in result.output
    with app.app_context():
        examples = dict(store.moderator_examples())
        assert examples["Billiga klockor"] == 1
        assert examples["Tack!"] == 0
        assert "Väntar här" not in examples and "Borta" not in examples


def test_no_train_keeps_imported_labels_out_of_the_spam_model(app, runner, sample_posts, tmp_path):
    path = write(tmp_path, "blog.xml", blog_wxr())
    result = import_cli(runner, "--format", "wxr", "--no-train", str(path))
    assert result.exit_code == 0 and "spam model learns" not in result.output
    with app.app_context():
        assert store.moderator_examples() == []


def test_a_moderators_later_decision_outweighs_the_imported_label(
    app, runner, sample_posts, tmp_path
):
    from discussion.moderation import decisions
    from tests.staff import add_user

    admin_id = add_user(app, "admin@example.se", "admin")
    assert (
        import_cli(runner, "--format", "wxr", str(write(tmp_path, "b.xml", blog_wxr()))).exit_code
        == 0
    )
    with app.app_context():
        from discussion.models import User

        spam = db.session.scalar(select(Comment).where(Comment.import_id == "3"))
        decisions.moderate(spam, "not_spam", db.session.get(User, admin_id))
        db.session.commit()
        assert dict(store.moderator_examples())["Billiga klockor"] == 0


def test_the_posts_staff_page_says_how_many_comments_came_from_where(
    app, client, runner, sample_posts, tmp_path
):
    from tests.staff import add_staff, login_as

    add_staff(app)
    assert (
        import_cli(
            runner, "--format", "wxr", str(write(tmp_path, "blog.xml", blog_wxr()))
        ).exit_code
        == 0
    )
    login_as(client, "moderator")
    with app.app_context():
        post_id = db.session.scalar(select(Post.id).where(Post.slug == STRATEGER))
    page = client.get(f"/moderera/inlagg/{post_id}").get_data(as_text=True)
    assert "5 kommentarer importerade" in page
    assert "blog.xml" in page and "WordPress" in page


def test_a_samtal_export_recreates_its_posts_in_an_empty_instance(app, runner, tmp_path):
    export = {
        "format": "samtal-export",
        "version": 1,
        "exported_at": "2026-01-31T12:00:00Z",
        "site": "Bloggen",
        "posts": [
            {
                "slug": "ny-post",
                "title": "Ny post",
                "author": "@jm",
                "published": "2013-09-26",
                "url": None,
                "body_markdown": "Text. Vad tror du?",
                "questions": [
                    {"id": 5, "text": "Vad tror du?", "kind": "closing", "position": 0},
                    {"id": 6, "text": "Övriga kommentarer", "kind": "general", "position": 10000},
                ],
                "comments": [
                    {
                        "id": 1,
                        "question_id": 5,
                        "parent_id": None,
                        "author": "Åsa",
                        "created": "2013-09-26T10:00:00Z",
                        "state": "approved",
                        "body_markdown": "Svar på frågan",
                    },
                    {
                        "id": 2,
                        "question_id": 5,
                        "parent_id": 1,
                        "author": "Bo",
                        "created": "2013-09-26T11:00:00Z",
                        "state": "rejected",
                        "body_markdown": "Ett avvisat svar",
                    },
                ],
            }
        ],
    }
    path = write(tmp_path, "export.json", json.dumps(export, ensure_ascii=False))
    result = import_cli(runner, "--format", "samtal", str(path))
    assert result.exit_code == 0, result.output
    assert "Posts created: ny-post." in result.output
    comments = imported(app)
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == "ny-post"))
        question = next(q for q in post.questions if q.text == "Vad tror du?")
        assert comments["1"].question_id == question.id
    assert comments["2"].state == CommentState.REJECTED


def test_the_import_keeps_its_promises_on_postgresql(postgres_url, tmp_path):
    """PostgreSQL hands the ids out from its sequence: replies still find their parents, and a
    comment posted afterwards gets an id of its own."""
    from discussion import create_app
    from discussion.posts.importing import import_files, post_files
    from tests.helpers import SAMPLE_POSTS, base_config

    app = create_app(base_config(tmp_path) | {"SQLALCHEMY_DATABASE_URI": postgres_url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        import_files(post_files(SAMPLE_POSTS))
    try:
        runner = app.test_cli_runner()
        path = write(tmp_path, "blog.xml", blog_wxr())
        assert import_cli(runner, "--format", "wxr", str(path)).exit_code == 0
        again = import_cli(runner, "--format", "wxr", str(path))
        assert "Nothing new: all 6 comments were imported before." in again.output
        comments = imported(app)
        assert comments["2"].parent_id == comments["1"].id
        with app.app_context():
            later = Comment(
                post_id=comments["1"].post_id,
                question_id=comments["1"].question_id,
                author_name="Ny",
                body_raw="Efteråt",
            )
            db.session.add(later)
            db.session.commit()
            assert later.id > max(comment.id for comment in comments.values())
    finally:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


@pytest.mark.parametrize(
    "format_name, content",
    [
        ("disqus", disqus(dsq_thread("100", slug=STRATEGER))[:-30]),
        ("isso", "Det här är ingen databas.\n"),
        ("remark42", remark42_lines(remark42_comment("a")) + "{inte json\n"),
        ("samtal", '{"format": "samtal-export", "version": 1, "posts": [{"slug": "x"}]}'),
    ],
)
def test_a_bad_file_of_every_format_imports_nothing(
    app, runner, sample_posts, tmp_path, format_name, content
):
    path = write(tmp_path, f"bad.{format_name}", content)
    result = import_cli(runner, "--format", format_name, str(path))
    assert result.exit_code == 1, result.output
    assert f"is not a readable {format_name} file" in result.output
    assert "Nothing was imported." in result.output
    assert imported(app) == {}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ImportRun)) == 0
