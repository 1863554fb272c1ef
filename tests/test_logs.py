"""Structured logs: the comment id on every line about a comment, as text or JSON."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest
from sqlalchemy import select

from discussion import create_app, logs
from discussion.comments import posting
from discussion.extensions import db
from discussion.models import Post
from tests.helpers import base_config


@pytest.fixture
def captured():
    """Whatever the root logger writes through a Samtal handler, in JSON, line by line."""
    stream = io.StringIO()
    handler = logs.handler("json", stream)
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(old_level)


def record(message: str, **extra) -> logging.LogRecord:
    made = logging.LogRecord("samtal.test", logging.INFO, __file__, 1, message, (), None)
    made.__dict__.update(extra)
    logs.ContextFilter().filter(made)
    return made


def test_text_lines_end_with_the_bound_fields():
    with logs.bound(comment_id=12, task="samtal.process_comment"):
        line = logs.TextFormatter().format(record("processed"))
    assert line.endswith("INFO samtal.test processed comment_id=12 task=samtal.process_comment")


def test_a_line_outside_any_comment_has_no_fields_and_the_binding_ends_with_the_block():
    with logs.bound(comment_id=12):
        pass
    assert logs.TextFormatter().format(record("idle")).endswith("samtal.test idle")


def test_extra_on_a_line_wins_over_the_bound_field():
    with logs.bound(comment_id=1):
        entry = json.loads(logs.JsonFormatter().format(record("reply", comment_id=2)))
    assert entry["comment_id"] == 2


def test_json_lines_are_one_object_with_the_exception():
    try:
        raise ValueError("trasig")
    except ValueError:
        failing = logging.LogRecord(
            "samtal.test", logging.ERROR, __file__, 1, "fel %s", ("å",), sys.exc_info()
        )
    entry = json.loads(logs.JsonFormatter().format(failing))
    assert entry["level"] == "ERROR" and entry["message"] == "fel å"
    assert "ValueError: trasig" in entry["exception"]


def test_fields_of_call_finds_the_comment_id_by_parameter_name():
    def process(comment_id: int, force: bool = False): ...

    assert logs.fields_of_call(process, (7,), {}) == {"comment_id": 7}
    assert logs.fields_of_call(process, (), {"comment_id": 8}) == {"comment_id": 8}
    assert logs.fields_of_call(lambda post_id: None, (7,), {}) == {}


def test_every_line_about_a_posted_comment_carries_its_id(app, sample_posts, captured):
    """Posting (web) and processing (the task, in-process here) both log with the id."""
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.slug == "kommunal-svarar"))
        comment = posting.post_comment(post.questions[-1], name="A", body="Hej")
        db.session.commit()
        comment_id = comment.id
    about = [e for e in captured() if f"comment {comment_id} " in e["message"]]
    assert {e["message"].split()[2] for e in about} >= {"received", "processed:"}
    assert all(e.get("comment_id") == comment_id for e in about)
    processed = next(e for e in about if "processed" in e["message"])
    assert processed["task"] == "samtal.process_comment"


def test_the_log_format_is_a_setting_checked_at_start_up(monkeypatch, tmp_path):
    monkeypatch.setenv("SAMTAL_LOG_FORMAT", "xml")
    with pytest.raises(RuntimeError, match="SAMTAL_LOG_FORMAT"):
        create_app(base_config(tmp_path))


def test_create_app_installs_one_handler_in_the_chosen_format(tmp_path):
    create_app(base_config(tmp_path) | {"SAMTAL_LOG_FORMAT": "json"})
    create_app(base_config(tmp_path) | {"SAMTAL_LOG_FORMAT": "json"})
    ours = [h for h in logging.getLogger().handlers if h.get_name() == "samtal"]
    assert len(ours) == 1
    assert isinstance(ours[0].formatter, logs.JsonFormatter)
