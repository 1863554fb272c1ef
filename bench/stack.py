"""The production stack: the Procfile's processes, a private Redis, a database of its own.

The tests (tests/test_nothing_lost.py, tests/test_production_stack.py) and bench/stack_load.py
start it the same way. A `Stack` belongs to one test module or one benchmark run. Its Redis is
a `redis-server` on a free port that a test may stop and start without touching the machine's
Redis; its PostgreSQL database is created for it and dropped after. Web, worker and beat run as
real processes with the Procfile's commands and settings only in their environment, each in a
process group of its own so that stopping (or SIGKILLing) one takes its children with it and
nothing outlives the module.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import itertools
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.harness import ROOT, VENV_BIN, free_port, wait_for
from discussion import config, create_app
from discussion.demo import SAMPLE_POSTS
from discussion.extensions import db
from discussion.posts.importing import import_files, post_files

POSTGRES_ADMIN_URL = os.environ.get(
    "SAMTAL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


class ServiceMissing(RuntimeError):
    """A program the stack needs is not on this machine."""


PROCFILE = ROOT / "Procfile"


def procfile_commands() -> dict[str, list[str]]:
    """Each process of the Procfile as an argument list, parsed the way honcho reads it."""
    from honcho.environ import parse_procfile

    processes = parse_procfile(PROCFILE.read_text(encoding="utf-8")).processes
    return {name: shlex.split(command) for name, command in processes.items()}


def wait_until(check: Callable[[], Any], timeout: float, what: str, interval: float = 0.1) -> Any:
    """Poll `check` until it returns something truthy; fail naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def _signal_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signum)


def _child_groups(pid: int) -> set[int]:
    """Process groups of `pid`'s children that left its group (honcho starts each in its own)."""
    groups = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parent, group = int(fields[1]), int(fields[2])
        if parent == pid and group != pid:
            groups.add(group)
    return groups


class Process:
    """A command in its own process group, its output in a log file."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log_path: Path):
        self.name = name
        self.log_path = log_path
        self.groups: set[int] | None = None  # set by terminate()
        with log_path.open("ab") as log:
            self.popen = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def running(self) -> bool:
        return self.popen.poll() is None

    def wait_for_log(self, text: str, timeout: float = 60) -> None:
        def seen() -> bool:
            if not self.running():
                raise AssertionError(f"{self.name} exited:\n{self.log()[-3000:]}")
            return text in self.log()

        try:
            wait_until(seen, timeout, f"{self.name} to log {text!r}", interval=0.2)
        except AssertionError as error:
            raise AssertionError(f"{error}; its log ends:\n{self.log()[-3000:]}") from None

    def kill(self) -> None:
        """SIGKILL the whole group at once, like a crashed host: no shutdown code runs."""
        _signal_group(self.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def terminate(self) -> None:
        """Ask the process to shut down (SIGTERM), once; note its children's groups first."""
        if self.groups is None:
            self.groups = {self.pid} | _child_groups(self.pid)
            if self.running():
                _signal_group(self.pid, signal.SIGTERM)

    def stop(self, timeout: float = 20) -> None:
        """Ask politely, then SIGKILL whatever is left of the group and its children's."""
        self.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=timeout)
        for group in self.groups:
            _signal_group(group, signal.SIGKILL)
        self.popen.wait(timeout=10)


class RedisServer:
    """A throwaway redis-server on a free loopback port, without persistence."""

    def __init__(self, workdir: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServiceMissing("redis-server is not on PATH")
        self.binary = binary
        self.workdir = workdir
        self.port = free_port()
        self.process: Process | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self):
        import redis

        return redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=5)

    def start(self) -> None:
        command = [self.binary, "--bind", "127.0.0.1", "--port", str(self.port)]
        command += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        self.process = Process("redis", command, dict(os.environ), self.workdir / "redis.log")
        wait_until(self._answers, 15, f"redis-server on port {self.port}")

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except Exception:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop(timeout=10)
            self.process = None

    def ensure_running(self) -> None:
        if self.process is None or not self.process.running():
            self.start()


def admin_connection():
    import psycopg

    """An autocommit connection to the server's admin database, e.g. to create databases."""
    return psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)


def create_database(prefix: str = "samtal_stack") -> str:
    """A new, empty PostgreSQL database; its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_database(name: str) -> None:
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sqlalchemy_url(database: str) -> str:
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{database}"


def psycopg_url(database: str) -> str:
    return f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{database}"


class Stack:
    """PostgreSQL database + private Redis + the Procfile's processes, for one test module."""

    def __init__(self, workdir: Path, settings: dict[str, str] | None = None):
        self.workdir = workdir
        self.redis = RedisServer(workdir)
        self.processes: list[Process] = []
        self._numbers = itertools.count()
        self.database = create_database()
        try:
            self.redis.start()
        except BaseException:
            drop_database(self.database)
            raise
        self.settings = {
            "SAMTAL_DATABASE_URL": sqlalchemy_url(self.database),
            "SAMTAL_BROKER_URL": self.redis.url(),
            "SAMTAL_SECRET_KEY": "stack-test-secret",
            "SAMTAL_INSTANCE_PATH": str(workdir / "instance"),
            "SAMTAL_MODERATION_POLICY": "post",
            "SAMTAL_COOKIE_SECURE": "0",
            "SAMTAL_WORKER_CONCURRENCY": "1",
            "SAMTAL_LOG_LEVEL": "INFO",
            # The tests post many comments from 127.0.0.1; the limits have tests of their own.
            "SAMTAL_COMMENT_RATE_LIMIT": "1000 per second",
            **(settings or {}),
        }

    def env(self, **overrides: str) -> dict[str, str]:
        """The environment of a stack process: ours, without the developer's SAMTAL_ settings."""
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("SAMTAL_")}
        path = f"{VENV_BIN}{os.pathsep}{inherited.get('PATH', '')}"
        return {**inherited, "PATH": path, **self.settings, **overrides}

    def app(self, **config_overrides: Any):
        """An app in this process configured from the same settings as the stack's processes."""
        mapping = config.from_environment(self.settings) | {"TESTING": True}
        return create_app(mapping | config_overrides)

    def add_sample_posts(self) -> None:
        """The tables and the sample posts in the stack's database, before any process starts."""
        app = self.app()
        with app.app_context():
            db.create_all()
            assert not import_files(post_files(SAMPLE_POSTS)).failed
            db.engine.dispose()

    def start(self, name: str, *extra_args: str, **env: str) -> Process:
        """Start the Procfile's process `name`, with extra arguments and settings."""
        return self.run(procfile_commands()[name] + list(extra_args), **env)

    def run(self, command: list[str], **env: str) -> Process:
        """Run a command in the project folder with the stack's settings (and `env`)."""
        label = f"{Path(command[0]).name}-{next(self._numbers)}"
        process = Process(label, command, self.env(**env), self.workdir / f"{label}.log")
        self.processes.append(process)
        return process

    def start_worker(self, node: str, **env: str) -> Process:
        """A Celery worker named `node`, ready to consume when this returns."""
        worker = self.start("worker", "--hostname", f"{node}@%h", **env)
        worker.wait_for_log(f"{node}@", timeout=60)
        worker.wait_for_log(" ready.", timeout=60)
        return worker

    def start_web(self, **env: str) -> str:
        """gunicorn on a free port; its base URL once /healthz answers."""
        bind = f"127.0.0.1:{free_port()}"
        web = self.start("web", SAMTAL_WEB_BIND=bind, **env)
        try:
            wait_for(f"http://{bind}/healthz", timeout=60)
        except RuntimeError:
            raise AssertionError(f"web did not start:\n{web.log()[-3000:]}") from None
        return f"http://{bind}"

    def stop_processes(self) -> None:
        """All at once: each process shuts down while the others do."""
        for process in self.processes:
            process.terminate()
        while self.processes:
            self.processes.pop().stop()

    def reset_broker(self) -> None:
        """Between tests: Redis up and empty, no process left from the last test."""
        self.stop_processes()
        self.redis.ensure_running()
        self.redis.client().flushall()

    def close(self) -> None:
        try:
            self.stop_processes()
            self.redis.stop()
        finally:
            drop_database(self.database)


class Reader:
    """A reader's browser over HTTP: keeps its cookies and sends the form's CSRF token."""

    _CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

    def __init__(self, base_url: str):
        self.base_url = base_url
        handler = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(handler, _NoRedirect)

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base_url + path))

    def post_comment(self, slug: str, question_id: int, text: str) -> int:
        """Answer a question as a reader would; the status of the answer to the POST."""
        status, page = self.get(f"/{slug}")
        assert status == 200, status
        form = {"csrf_token": self._CSRF.search(page).group(1), "name": "Läsare", "body": text}
        data = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(f"{self.base_url}/{slug}/trad/{question_id}", data=data)
        return self._open(request)[0]

    def post(self, path: str, form: dict[str, str]) -> tuple[int, str]:
        """POST a form; the status and body of the answer (a redirect is not followed)."""
        data = urllib.parse.urlencode(form).encode()
        return self._open(urllib.request.Request(self.base_url + path, data=data))

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
