"""Celery's settings: what makes redelivery safe and keeps slow e-mail away from publishing."""

from __future__ import annotations

from pathlib import Path

import pytest

from discussion import config, create_app
from tests.helpers import base_config


@pytest.fixture
def celery(tmp_path):
    config = base_config(tmp_path) | {
        "SAMTAL_BROKER_URL": "redis://127.0.0.1:1/0",
        "SAMTAL_BROKER_VISIBILITY_TIMEOUT": 900,
        "SAMTAL_SWEEP_INTERVAL_SECONDS": 7,
    }
    app = create_app(config)
    celery = app.extensions["celery"]
    celery.loader.import_default_modules()
    celery.instance_path = Path(app.instance_path)
    return celery


def samtal_tasks(celery) -> dict:
    return {name: task for name, task in celery.tasks.items() if name.startswith("samtal.")}


def test_only_json_crosses_the_broker(celery):
    assert celery.conf.task_serializer == "json"
    assert celery.conf.accept_content == ["json"]


def test_a_task_is_acknowledged_after_it_ran_and_one_at_a_time(celery):
    assert celery.conf.task_acks_late is True
    assert celery.conf.task_reject_on_worker_lost is True
    assert celery.conf.worker_prefetch_multiplier == 1


def test_every_task_has_a_soft_limit_below_its_hard_limit(celery):
    tasks = samtal_tasks(celery)
    assert "samtal.process_comment" in tasks
    for name, task in tasks.items():
        soft = task.soft_time_limit or celery.conf.task_soft_time_limit
        hard = task.time_limit or celery.conf.task_time_limit
        assert soft and hard and soft < hard, name


def test_a_dead_workers_task_is_handed_out_again_after_the_visibility_timeout(celery):
    assert celery.conf.broker_transport_options["visibility_timeout"] == 900
    default = config.defaults()["SAMTAL_BROKER_VISIBILITY_TIMEOUT"]
    for name, task in samtal_tasks(celery).items():
        hard = task.time_limit or celery.conf.task_time_limit
        assert hard < default, f"{name} could be handed out again while still running"


def route(celery, task_name: str):
    return celery.amqp.router.route({}, task_name)


def test_e_mail_and_comments_have_queues_of_their_own(celery):
    email = route(celery, "samtal.send_email")
    comments = route(celery, "samtal.process_comment")
    assert email["queue"].name == "email"
    assert comments["queue"].name == "comments"
    assert email["queue"].routing_key != comments["queue"].routing_key, "it would reach both"
    for queue in celery.conf.task_queues:
        assert queue.exchange.name == queue.name == queue.routing_key


def test_beat_runs_the_sweep_on_its_setting_and_keeps_its_schedule_in_the_instance(celery):
    schedule = {entry["task"]: entry["schedule"] for entry in celery.conf.beat_schedule.values()}
    assert schedule["samtal.sweep"] == 7.0
    assert Path(celery.conf.beat_schedule_filename).parent == celery.instance_path


def test_worker_concurrency_comes_from_its_setting(tmp_path):
    def concurrency(value: int):
        app = create_app(base_config(tmp_path) | {"SAMTAL_WORKER_CONCURRENCY": value})
        return app.extensions["celery"].conf.worker_concurrency

    assert concurrency(3) == 3
    assert concurrency(0) is None  # Celery's default: one process per CPU core
