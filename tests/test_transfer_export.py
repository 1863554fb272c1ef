"""`comments export` and the admins' download: Samtal's JSON and WordPress's WXR, and the round
trip through a fresh instance."""

from __future__ import annotations

import json

from sqlalchemy import select

from discussion import create_app
from discussion.extensions import db
from discussion.models import Comment, CommentState, Organisation, Post, Question
from discussion.posts.importing import import_files, post_files
from discussion.transfer.formats import read
from tests.helpers import SAMPLE_POSTS, base_config
from tests.staff import STRATEGER, add_staff, login_as
from tests.test_transfer_formats import write
from tests.test_transfer_import import blog_wxr


def fill(app, runner, tmp_path) -> None:
    """Comments in every state, replies, a closing question's thread and an organisation's
    answer: a WordPress import, then a few written here."""
    path = write(tmp_path, "blog.xml", blog_wxr())
    assert runner.invoke(args=["comments", "import", "--format", "wxr", str(path)]).exit_code == 0
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.text == "Vad tror du?"))
        kommunal = Organisation(name="Kommunal", badge="Kommunal")
        db.session.add(kommunal)
        answer = Comment(
            post_id=question.post_id,
            question_id=question.id,
            author_name="Emma, Kommunal",
            email="emma@kommunal.se",
            body_raw="Vi menar *strateger*.",
            body_html="<p>Vi menar <em>strateger</em>.</p>\n",
            state=CommentState.APPROVED,
            organisation=kommunal,
        )
        db.session.add(answer)
        db.session.flush()
        for body, state in (("Ett svar till Emma", "approved"), ("Avvisad", "rejected")):
            db.session.add(
                Comment(
                    post_id=question.post_id,
                    question_id=question.id,
                    parent_id=answer.id,
                    author_name="Bo",
                    body_raw=body,
                    body_html=f"<p>{body}</p>\n",
                    state=CommentState(state),
                )
            )
        db.session.commit()


def threads(app) -> dict:
    """What readers and moderators see: per post and question, each comment with its parent's
    text, author, state, text and date."""
    with app.app_context():
        comments = db.session.scalars(select(Comment).order_by(Comment.id)).all()
        by_id = {comment.id: comment for comment in comments}
        return {
            (
                comment.post.slug,
                comment.question.text,
                by_id[comment.parent_id].body_raw if comment.parent_id else None,
                comment.author_name,
                str(comment.state),
                comment.body_raw,
                comment.created_at,
                comment.organisation.name if comment.organisation else None,
            )
            for comment in comments
        }


def export_cli(runner, *args):
    return runner.invoke(args=["comments", "export", *args])


def test_the_json_export_holds_posts_questions_and_comments_without_addresses(
    app, runner, sample_posts, tmp_path
):
    fill(app, runner, tmp_path)
    result = export_cli(runner, "--format", "json", str(tmp_path / "export.json"))
    assert result.exit_code == 0, result.output
    assert "Exported 5 posts as json" in result.output
    document = json.loads((tmp_path / "export.json").read_text(encoding="utf-8"))
    post = next(post for post in document["posts"] if post["slug"] == STRATEGER)
    assert [question["text"] for question in post["questions"]][-1] == "Övriga kommentarer"
    states = {comment["state"] for comment in post["comments"]}
    assert states == {"approved", "pending", "spam", "deleted", "rejected"}
    emma = next(comment for comment in post["comments"] if comment["author"] == "Emma, Kommunal")
    assert emma["badges"] == [{"kind": "organisation", "label": "Kommunal"}]
    assert emma["organisation"] == "Kommunal"
    assert "email" not in emma
    assert "asa@example.se" not in (tmp_path / "export.json").read_text(encoding="utf-8")


def test_addresses_go_out_only_when_asked_for(app, runner, sample_posts, tmp_path):
    fill(app, runner, tmp_path)
    path = tmp_path / "with.json"
    result = export_cli(runner, "--format", "json", "--with-personal-data", str(path))
    assert result.exit_code == 0, result.output
    assert "asa@example.se" in path.read_text(encoding="utf-8")


def test_one_post_alone_and_an_unknown_post(app, runner, sample_posts, tmp_path):
    fill(app, runner, tmp_path)
    path = tmp_path / "one.json"
    assert export_cli(runner, "--format", "json", "--post", STRATEGER, str(path)).exit_code == 0
    assert [post["slug"] for post in json.loads(path.read_text())["posts"]] == [STRATEGER]
    missing = export_cli(runner, "--format", "json", "--post", "finns-inte", str(tmp_path / "x"))
    assert missing.exit_code != 0 and "no post has the slug 'finns-inte'" in missing.output
    assert not (tmp_path / "x").exists()


def test_the_wxr_export_holds_the_published_comments_with_their_replies(
    app, runner, sample_posts, tmp_path
):
    fill(app, runner, tmp_path)
    path = tmp_path / "wordpress.xml"
    assert export_cli(runner, "--format", "wxr", str(path)).exit_code == 0
    source = read("wxr", path)
    bodies = {comment.body for comment in source.comments}
    assert "Tack!" in bodies and "Ett svar till Emma" in bodies
    assert not bodies & {"Billiga klockor", "Väntar här", "Borta", "Avvisad"}
    assert {comment.state for comment in source.comments} == {"approved"}
    reply = next(comment for comment in source.comments if comment.body == "Tack!")
    parent = next(comment for comment in source.comments if comment.source_id == reply.parent_id)
    assert parent.body.startswith("Bra skrivet!")
    assert {thread.slug for thread in source.threads} >= {STRATEGER}


def test_export_then_import_into_a_fresh_instance_gives_the_same_threads(
    app, runner, sample_posts, tmp_path
):
    fill(app, runner, tmp_path)
    path = tmp_path / "export.json"
    assert export_cli(runner, "--format", "json", "--with-personal-data", str(path)).exit_code == 0
    fresh = create_app(base_config(tmp_path / "fresh"))
    with fresh.app_context():
        db.create_all()
        db.session.add(Organisation(name="Kommunal", badge="Kommunal"))
        db.session.commit()
    result = fresh.test_cli_runner().invoke(
        args=["comments", "import", "--format", "samtal", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert "Posts created:" in result.output
    assert threads(fresh) == threads(app)
    with fresh.app_context():
        assert len(db.session.scalars(select(Post)).all()) == 5
        db.session.remove()
        db.engine.dispose()


def test_a_post_known_to_both_instances_takes_the_comments_into_its_questions(
    app, runner, sample_posts, tmp_path
):
    fill(app, runner, tmp_path)
    path = tmp_path / "export.json"
    assert export_cli(runner, "--format", "json", str(path)).exit_code == 0
    fresh = create_app(base_config(tmp_path / "fresh"))
    with fresh.app_context():
        db.create_all()
        import_files(post_files(SAMPLE_POSTS))
    result = fresh.test_cli_runner().invoke(
        args=["comments", "import", "--format", "samtal", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert "Posts created" not in result.output
    assert {row[:7] for row in threads(fresh)} == {row[:7] for row in threads(app)}
    with fresh.app_context():
        db.session.remove()
        db.engine.dispose()


def test_admins_download_the_same_json_from_the_staff_pages(
    app, client, runner, sample_posts, tmp_path
):
    fill(app, runner, tmp_path)
    add_staff(app)
    login_as(client, "admin")
    page = client.get("/moderera/inlagg").get_data(as_text=True)
    assert "/moderera/export.json" in page
    response = client.get("/moderera/export.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    document = response.get_json()
    assert document["format"] == "samtal-export" and len(document["posts"]) == 5
    assert "asa@example.se" not in response.get_data(as_text=True)
    with_addresses = client.get("/moderera/export.json?adresser=1").get_data(as_text=True)
    assert "asa@example.se" in with_addresses
    one = client.get(f"/moderera/export.json?inlagg={STRATEGER}").get_json()
    assert [post["slug"] for post in one["posts"]] == [STRATEGER]
    assert client.get("/moderera/export.json?inlagg=finns-inte").status_code == 404


def test_only_admins_may_download_everything(app, client, sample_posts):
    add_staff(app)
    login_as(client, "moderator")
    assert client.get("/moderera/export.json").status_code in (302, 403)
    assert "/moderera/export.json" not in client.get("/moderera/inlagg").get_data(as_text=True)
