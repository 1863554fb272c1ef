from __future__ import annotations

import pytest


def test_healthz_answers(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_on_the_embedded_default(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "broker": "in-process"}


def test_readyz_is_503_when_the_broker_is_unreachable(app, client):
    celery = app.extensions["celery"]
    celery.conf.task_always_eager = False
    celery.conf.broker_url = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["broker"] == "unreachable"


@pytest.mark.redis
def test_readyz_with_a_real_broker(stack_app):
    response = stack_app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "broker": "ok"}
