"""The production stack: docker-compose.yml, the Procfile and gunicorn's settings agree.

There is no Docker engine on our machines, so the compose file is checked by parsing it; the
same processes run without Docker from the Procfile (`honcho start`), which is what the tests
of the stack (tests/test_nothing_lost.py) start, so compose runs exactly what is tested.
"""

from __future__ import annotations

import json
import re
import runpy
import shlex

import pytest
import yaml
from sqlalchemy import select

from bench.harness import free_port
from bench.stack import Reader, procfile_commands, wait_until
from discussion import config
from discussion.extensions import db
from discussion.models import Post
from tests.helpers import ROOT, start_stack

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
APP_SERVICES = ("migrate", "web", "worker", "beat")
SETTING_VARIABLES = {setting.env for setting in config.SETTINGS}


def test_compose_has_the_whole_stack():
    assert {"postgres", "redis", "mailpit", "migrate", "web", "worker", "beat"} <= set(SERVICES)


def test_postgres_keeps_its_data_and_reports_health_with_pg_isready():
    postgres = SERVICES["postgres"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in postgres["volumes"])
    assert postgres["volumes"][0].split(":")[0] in COMPOSE["volumes"]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_services_and_a_finished_migration(name):
    depends_on = SERVICES[name]["depends_on"]
    assert isinstance(depends_on, dict), "depends_on needs conditions, not a plain list"
    for dependency, rule in depends_on.items():
        assert dependency in SERVICES
        if dependency == "migrate":
            assert rule["condition"] == "service_completed_successfully"
        else:
            assert rule["condition"] == "service_healthy"
            assert "healthcheck" in SERVICES[dependency], f"{dependency} has no healthcheck"
    assert "postgres" in depends_on or "migrate" in depends_on


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_are_configured_only_by_known_environment_variables(name):
    service = SERVICES[name]
    assert "env_file" not in service
    assert set(service["environment"]) <= SETTING_VARIABLES
    assert not any(arg.startswith("SAMTAL_") for arg in service["command"])


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_compose_runs_the_procfile_commands(name):
    assert SERVICES[name]["command"] == procfile_commands()[name]


def test_the_procfile_is_exactly_web_worker_and_beat_without_shell_tricks():
    raw = (ROOT / "Procfile").read_text(encoding="utf-8")
    assert set(procfile_commands()) == {"web", "worker", "beat"}
    for line in raw.splitlines():
        if line and not line.startswith("#"):
            assert not re.search(r"[$;&|<>`]", line), line


def test_the_image_starts_the_web_command_and_compose_migrates_with_flask_db_upgrade():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.M).group(1)
    assert json.loads(cmd) == procfile_commands()["web"]
    assert SERVICES["migrate"]["command"] == shlex.split("flask --app app db upgrade")
    for needed in ("Procfile", "gunicorn.conf.py"):
        assert needed in dockerfile


def test_e_mail_goes_to_mailpit():
    environment = SERVICES["worker"]["environment"]
    assert environment["SAMTAL_SMTP_HOST"] == "mailpit"
    assert environment["SAMTAL_SMTP_PORT"] == "1025"  # Mailpit's SMTP port
    assert "8025:8025" in SERVICES["mailpit"]["ports"]  # its web UI


def test_web_listens_on_all_interfaces_in_the_container_and_checks_readiness():
    web = SERVICES["web"]
    assert web["environment"]["SAMTAL_WEB_BIND"] == "0.0.0.0:8000"
    assert "8000:8000" in web["ports"]
    assert "/readyz" in " ".join(web["healthcheck"]["test"])


def test_gunicorn_reads_its_bind_address_and_workers_from_the_settings(monkeypatch):
    monkeypatch.setenv("SAMTAL_WEB_BIND", "127.0.0.1:8123")
    monkeypatch.setenv("SAMTAL_WEB_WORKERS", "3")
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["bind"] == "127.0.0.1:8123"
    assert settings["workers"] == 3


def test_readme_documents_the_way_without_docker():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    production = readme.split("## Production", 1)[1]
    for command in ("docker compose up", "honcho start", "flask --app app db upgrade"):
        assert command in production


# --- the same stack without Docker: `honcho start` -----------------------------------------------


@pytest.fixture(scope="module")
def stack(postgres_url, tmp_path_factory):
    stack = start_stack(tmp_path_factory.mktemp("honcho"))
    try:
        stack.add_sample_posts()
        yield stack
    finally:
        stack.close()


@pytest.mark.postgres
@pytest.mark.redis
def test_honcho_start_runs_web_worker_and_beat_and_a_comment_goes_live(stack):
    """The documented way without Docker, exactly: `honcho start` in the project folder."""
    bind = f"127.0.0.1:{free_port()}"
    honcho = stack.run(["honcho", "start", "--no-colour"], SAMTAL_WEB_BIND=bind)
    base = f"http://{bind}"
    wait_until(lambda: stack_answers(base), 60, "gunicorn under honcho")
    for name in ("web.1", "worker.1", "beat.1"):
        honcho.wait_for_log(name, timeout=60)
    honcho.wait_for_log(" ready.", timeout=60)

    app = stack.app()
    with app.app_context():
        question = db.session.scalar(select(Post).where(Post.slug == "kommunal-svarar")).questions[
            0
        ]
        question_id = question.id
    reader = Reader(base)
    assert reader.post_comment("kommunal-svarar", question_id, "Svar **via honcho**.") == 302
    wait_until(
        lambda: "<strong>via honcho</strong>" in reader.get("/kommunal-svarar")[1],
        60,
        "the comment to be processed by the worker and shown by gunicorn",
    )
    with app.app_context():
        db.engine.dispose()


def stack_answers(base: str) -> bool:
    try:
        return Reader(base).get("/readyz")[0] == 200
    except OSError:
        return False
