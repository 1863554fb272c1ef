"""In a real browser: no other site can frame Samtal's pages (clickjacking), and Samtal's own
pages run under their strict Content-Security-Policy without a single violation."""

from __future__ import annotations

import pytest
from flask import Flask

from discussion import create_app
from discussion.extensions import db
from discussion.models import Role
from discussion.posts.importing import import_files, post_files
from tests.helpers import SAMPLE_POSTS, base_config
from tests.staff import PASSWORD, STRATEGER, add_user

pytestmark = pytest.mark.browser


@pytest.fixture
def samtal(tmp_path, live_server):
    app = create_app(base_config(tmp_path))
    with app.app_context():
        db.create_all()
        import_files(post_files(SAMPLE_POSTS))
    add_user(app, "moa@example.se", Role.MODERATOR, name="Moa")
    return live_server(app)


def framer(target: str) -> Flask:
    """Another site (another port of the same host) that puts a page in a frame."""
    app = Flask("framer")

    @app.get("/")
    def page():
        return f'<!doctype html><title>Ram</title><iframe name="target" src="{target}"></iframe>'

    @app.get("/own")
    def own():
        return "<!doctype html><title>Egen</title><p>Samma webbplats.</p>"

    return app


def log_in(page, samtal: str) -> None:
    page.goto(f"{samtal}/logga-in")
    page.get_by_label("E-post").fill("moa@example.se")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{samtal}/moderera/")


def framed_text(page, url: str) -> str:
    page.goto(url)
    page.wait_for_load_state("load")
    frame = page.frame(name="target")
    try:
        return frame.locator("body").inner_text(timeout=2000)
    except Exception:  # a blocked frame holds the browser's error page, or nothing
        return ""


def test_no_other_site_can_frame_the_moderation_queue(samtal, live_server, page):
    log_in(page, samtal)
    assert "Moderera" in page.locator("h1").inner_text()  # the session works in this browser
    other = framer(f"{samtal}/moderera/")
    other_base = live_server(other)
    assert "Moderera" not in framed_text(page, other_base)
    assert "Godkänn" not in framed_text(page, other_base)
    # The control: the same frame shows a page its own site allows to be framed.
    same_site = live_server(framer(f"{other_base}/own"))
    assert "Samma webbplats" in framed_text(page, same_site)


def test_samtal_s_own_pages_break_no_rule_of_their_policy(samtal, page):
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    log_in(page, samtal)
    for path in (f"/{STRATEGER}", "/moderera/", "/moderera/obesvarade", "/", "/logga-in"):
        page.goto(samtal + path)
        page.wait_for_load_state("load")
    page.goto(f"{samtal}/moderera/")
    page.keyboard.press("j")  # moderation.js runs: it is a file of Samtal's own
    assert violations == []
