"""Samtal is a real package: a wheel carries its templates, static files, data and migrations,
and serves from a folder outside the checkout."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import textwrap
import tomllib
import venv
from pathlib import Path

from tests.helpers import ROOT

SERVE = """
import sys
from discussion import create_app

app = create_app()
assert "site-packages" in app.root_path, app.root_path  # the installed copy, not the checkout
client = app.test_client()
for path in ("/", "/strateger-sokes-eller-kontaktnat", "/embed.js", "/static/samtal.css"):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
print("served", app.template_folder)
"""


def test_every_package_of_the_checkout_is_in_the_wheel_list():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(project["tool"]["setuptools"]["packages"])
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for folder in ("discussion", "worker")
        for path in (ROOT / folder).rglob("__init__.py")
    }
    assert found | {"discussion.templates"} == listed


def test_a_wheel_installed_in_a_fresh_environment_serves_pages(tmp_path):
    wheels = tmp_path / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(wheels)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    [wheel] = wheels.glob("samtal-*.whl")

    # A fresh environment with the wheel alone; its dependencies are borrowed from this one
    # (a path entry, so nothing of the checkout, editable install included, comes along).
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", wheel],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]

    empty = tmp_path / "elsewhere"
    empty.mkdir()
    environment = {"SAMTAL_INSTANCE_PATH": str(empty / "instance"), "PATH": "/usr/bin:/bin"}
    for args in (["db", "upgrade"], ["demo", "load"]):
        done = subprocess.run(
            [python, "-m", "flask", "--app", "discussion:create_app", *args],
            cwd=empty,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]
    served = subprocess.run(
        [python, "-c", textwrap.dedent(SERVE)],
        cwd=empty,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert served.returncode == 0, served.stderr[-2000:]
    assert f"served {site}" in served.stdout
