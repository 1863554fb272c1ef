"""Every answer carries the security headers: pages, API, embed.js, feeds, static, errors."""

from __future__ import annotations

import re

import pytest

from tests.staff import STRATEGER, add_staff, login_as, question_id

pytestmark = pytest.mark.usefixtures("sample_posts")


def urls_of_every_route(app) -> list[str]:
    """One URL per GET route, with values that exist (or a readable 404 where they do not)."""
    qid = question_id(app, STRATEGER, "Vad tror du?")
    values = {"slug": STRATEGER, "question_id": qid, "filename": "samtal.css", "code": "en"}
    urls = [
        re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values.get(m.group(1), 1)), rule.rule)
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
    ]
    return urls + ["/finns-inte/alls/har", "/api/v1/finns-inte", "/static/finns-inte.css"]


def test_every_route_sends_the_security_headers(app, client):
    add_staff(app)
    login_as(client, "admin")
    seen_pages = 0
    for url in urls_of_every_route(app):
        response = client.get(url)
        headers = response.headers
        assert headers.get("X-Content-Type-Options") == "nosniff", url
        assert headers.get("X-Frame-Options") == "DENY", url
        assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", url
        policy = headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in policy, url
        assert "Strict-Transport-Security" not in headers, url  # plain http: no HSTS
        if response.mimetype == "text/html":
            seen_pages += 1
            script = next(part for part in policy.split("; ") if part.startswith("script-src"))
            assert script == "script-src 'self'", url
            assert "<script>" not in response.get_data(as_text=True), url  # nothing inline
    assert seen_pages > 15


def test_https_answers_add_hsts(client):
    for url in (f"/{STRATEGER}", "/api/v1/counts", "/embed.js", "/finns-inte"):
        response = client.get(url, base_url="https://samtal.example")
        assert response.headers.get("Strict-Transport-Security") == "max-age=31536000", url


def test_a_server_error_page_has_them_too(app, client, monkeypatch):
    from discussion.reader import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "render_post_page", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get(f"/{STRATEGER}")
    assert response.status_code == 500
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
