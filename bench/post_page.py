"""How fast the page of a post with 200 approved comments is served, next to a bare "hello".

    .venv/bin/python bench/post_page.py [--seconds 10] [--connections 16]

Seeds a fresh SQLite instance with the sample posts and 200 approved comments (half of them
replies), starts gunicorn with 2 sync workers on 127.0.0.1 and drives the post page with wrk,
then bench/hello_app.py under the same gunicorn settings and load, in the same run.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import gunicorn, say, wrk  # noqa: E402

SLUG = "strateger-sokes-eller-kontaktnat"


def seed(instance: Path, comments: int) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from discussion import create_app
    from discussion.extensions import db
    from discussion.models import Comment, CommentState, Post
    from discussion.posts.importing import import_files, post_files
    from discussion.sanitize import render_comment

    app = create_app({"INSTANCE_PATH": str(instance)})
    rng = random.Random(7)
    with app.app_context():
        upgrade()
        import_files(post_files(Path(app.root_path) / "data" / "sample-blog" / "posts"))
        post = db.session.scalar(select(Post).where(Post.slug == SLUG))
        made: list[Comment] = []
        for number in range(comments):
            question = post.questions[number % len(post.questions)]
            parents = [c for c in made if c.question_id == question.id]
            parent = rng.choice(parents) if parents and number % 2 else None
            text = f"Kommentar {number}: jag tror att *nätverket* spelar roll. " * rng.randint(1, 4)
            comment = Comment(
                post_id=post.id,
                question_id=question.id,
                parent_id=parent.id if parent else None,
                author_name=f"Läsare {number}",
                body_raw=text,
                body_html=render_comment(text),
                state=CommentState.APPROVED,
            )
            db.session.add(comment)
            db.session.flush()
            made.append(comment)
        db.session.commit()
    say(f"seeded {comments} approved comments on /{SLUG}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--comments", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp) / "instance"
        seed(instance, args.comments)
        env = {"SAMTAL_INSTANCE_PATH": str(instance)}
        with gunicorn("app:app", env) as base:
            wrk(f"{base}/{SLUG}", seconds=2, connections=args.connections)  # warm-up
            result = wrk(f"{base}/{SLUG}", seconds=args.seconds, connections=args.connections)
        with gunicorn("bench.hello_app:app", {}) as hello:
            wrk(f"{hello}/", seconds=2, connections=args.connections)
            ceiling = wrk(f"{hello}/", seconds=args.seconds, connections=args.connections)
    print(f"post page, {args.comments} comments, gunicorn 2 sync workers, SQLite:")
    print(f"  {result.row()}")
    print(f"Flask hello, same gunicorn settings:\n  {ceiling.row()}")
    ratio = result.requests_per_second / ceiling.requests_per_second
    print(f"post page / hello: {ratio:.2f}×")


if __name__ == "__main__":
    main()
