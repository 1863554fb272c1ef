"""Importing posts: the CLI, idempotent re-imports, and bad files reported by name and line."""

from __future__ import annotations

import shutil

from sqlalchemy import func, select

from discussion.extensions import db
from discussion.models import GENERAL_THREAD_TEXT, Comment, Post, Question, QuestionKind
from tests.helpers import SAMPLE_POSTS

STRATEGER = [
    "Vad tycker du om det?",
    "Är det problematiskt eller självklart för den typen av jobb?",
    "Eller menar det egentligen något helt annat?",
    "Menar Kommunal kanske att man behöver nätverket av någon annan anledning?",
    "Vad tror du?",
]


def thread_texts(slug: str) -> list[str]:
    post = db.session.scalar(select(Post).where(Post.slug == slug))
    return [q.text for q in post.questions]


def test_import_creates_one_thread_per_closing_question_plus_general(app, runner):
    result = runner.invoke(args=["posts", "import", str(SAMPLE_POSTS)])
    assert result.exit_code == 0, result.output
    assert "5 created, 0 updated, 0 failed" in result.output
    with app.app_context():
        assert thread_texts("strateger-sokes-eller-kontaktnat") == STRATEGER + [GENERAL_THREAD_TEXT]
        assert thread_texts("kommunal-svarar") == [
            "Vad tror du, är jag ute och cyklar?",
            "Och vad tycker du om Emmas Nilssons svar nedan?",
            GENERAL_THREAD_TEXT,
        ]
        for slug in ("pinterest-borjar-med-sponsrade-pins", "dansar-dina-kunder"):
            assert thread_texts(slug) == [GENERAL_THREAD_TEXT]
        general = db.session.scalars(
            select(Question).where(Question.kind == QuestionKind.GENERAL)
        ).all()
        assert len(general) == 5


def test_import_shows_progress_per_file(runner):
    result = runner.invoke(args=["posts", "import", str(SAMPLE_POSTS)])
    assert "[1/5] 2013-09-06-slapp-roi-och-borja-snacka-dhiv.md" in result.output
    assert "[5/5] 2013-09-27-kommunal-svarar.md" in result.output


def test_reimport_updates_and_keeps_threads_and_comments(app, runner, tmp_path):
    folder = tmp_path / "posts"
    shutil.copytree(SAMPLE_POSTS, folder)
    assert runner.invoke(args=["posts", "import", str(folder)]).exit_code == 0
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == "kommunal-svarar"))
        question = post.questions[0]
        db.session.add(
            Comment(
                post_id=post.id,
                question_id=question.id,
                author_name="Anna",
                body_raw="Bra fråga",
            )
        )
        db.session.commit()
        question_ids = [q.id for q in post.questions]

    path = folder / "2013-09-27-kommunal-svarar.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace('title: "Kommunal svarar…"', 'title: "Kommunal har svarat"')
    text = text.replace(
        "Och vad tycker du om Emmas Nilssons svar nedan?",
        "Och vad tycker du om Emmas Nilssons svar nedan? Håller du med henne?",
    )
    path.write_text(text, encoding="utf-8")

    result = runner.invoke(args=["posts", "import", str(folder)])
    assert result.exit_code == 0, result.output
    assert "0 created, 5 updated, 0 failed" in result.output
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == "kommunal-svarar"))
        assert post.title == "Kommunal har svarat"
        assert [q.id for q in post.questions][:2] == question_ids[:2]
        texts = [q.text for q in post.questions]
        assert texts.count("Vad tror du, är jag ute och cyklar?") == 1
        assert "Håller du med henne?" in texts
        assert texts[-1] == GENERAL_THREAD_TEXT
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 1
        assert db.session.scalar(select(func.count()).select_from(Post)) == 5


def test_malformed_file_is_named_and_the_rest_still_import(app, runner, tmp_path):
    folder = tmp_path / "posts"
    shutil.copytree(SAMPLE_POSTS, folder)
    (folder / "2013-10-01-trasig.md").write_text(
        "---\ntitle: Trasig\nslug: trasig\nauthor: x\n---\n\nText utan datum.\n", encoding="utf-8"
    )
    result = runner.invoke(args=["posts", "import", str(folder)])
    assert result.exit_code == 1
    assert "2013-10-01-trasig.md" in result.output
    assert "5 created, 0 updated, 1 failed" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Post)) == 5


def test_questions_command_prints_one_per_line(runner):
    path = SAMPLE_POSTS / "2013-09-26-strateger-sokes-eller-kontaktnat.md"
    result = runner.invoke(args=["posts", "questions", str(path)])
    assert result.exit_code == 0
    assert result.output.splitlines() == STRATEGER


def test_questions_command_prints_nothing_for_a_post_without_questions(runner):
    path = SAMPLE_POSTS / "2013-09-20-pinterest-borjar-med-sponsrade-pins.md"
    result = runner.invoke(args=["posts", "questions", str(path)])
    assert result.exit_code == 0
    assert result.output == ""


def test_front_matter_questions_override_extraction(app, runner, tmp_path):
    path = tmp_path / "egen.md"
    path.write_text(
        "---\ntitle: Egen\nslug: egen\nauthor: x\ndate: 2020-01-01\n"
        "questions:\n  - Vilken är din favorit?\n  - Varför?\n---\n\nVad tror du?\n",
        encoding="utf-8",
    )
    assert runner.invoke(args=["posts", "questions", str(path)]).output.splitlines() == [
        "Vilken är din favorit?",
        "Varför?",
    ]
    assert runner.invoke(args=["posts", "import", str(path)]).exit_code == 0
    with app.app_context():
        assert thread_texts("egen") == ["Vilken är din favorit?", "Varför?", GENERAL_THREAD_TEXT]


def test_import_of_missing_path_fails_with_message(runner, tmp_path):
    result = runner.invoke(args=["posts", "import", str(tmp_path / "nope")])
    assert result.exit_code != 0
    assert "does not exist" in result.output
