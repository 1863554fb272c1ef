"""Ids no row can have (beyond the database's integer range, zero, negative) are a 404 or a 400,
never a 500: every route is swept, with such ids in the path, the query and the form."""

from __future__ import annotations

import pytest

from tests.staff import STRATEGER, add_approved_comments, add_staff, login_as, question_id

HUGE = "99999999999999999999"
QUERIES = [
    "",
    f"?kommentar={HUGE}",
    f"?sida={HUGE}",
    f"?svara={HUGE}",
    f"?anmal={HUGE}",
    "?sida=-3",
    "?_method=DELETE",
    "?_method=DELETE&sida=2",
]
FORM = {
    "comment_id": HUGE,
    "organisation_id": HUGE,
    "ids": [HUGE, "1"],
    "action": "approve",
    "parent_id": HUGE,
    "name": "Karin",
    "body": "Ett svar.",
    "reason": "spam",
    "email": "karin@example.se",
    "domain": "example.se",
}


def path_for(rule, values: dict) -> str:
    built = rule.rule
    for argument in rule.arguments:
        converter = rule._converters[argument]
        value = HUGE if type(converter).__name__ == "IntegerConverter" else values.get(argument)
        pattern = next(part for part in built.split("/") if f"{argument}>" in part)
        built = built.replace(pattern, str(value if value is not None else "x"))
    return built


@pytest.fixture
def admin_client(app, sample_posts, client):
    app.config["WTF_CSRF_ENABLED"] = False  # the sweep must reach the views' own checks
    add_staff(app)
    # Several pages in the queue's Godkända tab and in the log, so the page links are built.
    add_approved_comments(app, question_id(app, STRATEGER, "Vad tror du?"), 45)
    login_as(client, "admin")
    return client


def test_no_route_answers_500_to_an_id_no_row_can_have(app, admin_client):
    values = {"slug": STRATEGER, "code": "sv", "token": "x", "filename": "samtal.css"}
    failures = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "auth.logout":  # the sweep runs logged in as an admin
            continue
        path = path_for(rule, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for query in QUERIES:
                if method == "GET":
                    response = admin_client.get(path + query)
                else:
                    response = admin_client.open(path + query, method=method, data=FORM)
                if response.status_code >= 500:
                    failures.append(f"{method} {path}{query}: {response.status_code}")
    assert failures == [], "\n".join(failures)
    assert admin_client.get("/moderera/konton").status_code == 200  # still the admin


def test_the_queue_with_a_method_argument_still_links_its_pages(app, admin_client):
    page = admin_client.get("/moderera/?flik=godkanda&_method=DELETE")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'rel="next"' in html and "_method" not in html.split('rel="next"', 1)[1][:200]


@pytest.mark.parametrize(
    "path",
    [
        f"/moderera/inlagg/{HUGE}",
        f"/moderera/utkorg/{HUGE}",
        "/moderera/utkorg/0",
        "/moderera/inlagg/0",
    ],
)
def test_an_unknown_staff_id_is_a_readable_404(admin_client, path):
    response = admin_client.get(path)
    assert response.status_code == 404
    assert "Sidan finns inte" in response.get_data(as_text=True)
