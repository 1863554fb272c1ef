"""Webhooks: signed, once per event and endpoint, retried with back-off, never to a private
network unless allowed. Deliveries go to a real HTTP receiver on 127.0.0.1 (so the tests allow
private addresses, except where they prove the refusal)."""

from __future__ import annotations

import json
import re
import ssl
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from discussion.comments import lifecycle, posting, processing
from discussion.comments.identity import identity_hash
from discussion.extensions import db
from discussion.models import (
    Comment,
    CommentState,
    Question,
    User,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookStatus,
)
from discussion.moderation import decisions, reports
from discussion.organisations import answers
from discussion.organisations import register as organisations
from discussion.webhooks import addresses, delivery, endpoints, events
from tests.helpers import ROOT, SAMPLE_POSTS, csrf_token
from tests.staff import add_staff, login_as
from tests.test_email_tls import certificate  # noqa: F401  a fixture: a self-signed TLS pair
from tests.webhook_receiver import Receiver, Reply

SECRET = "delad-hemlighet"
EMAIL = "karin.svensson@example.se"
IP = "203.0.113.9"


def readme_verify():
    """The receiver's check exactly as the README shows it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"<!-- webhook-verify -->\n```python\n(.*?)```", text, re.S).group(1)
    scope: dict = {}
    exec(code, scope)  # noqa: S102  our own README's example
    return scope["verify"]


@pytest.fixture
def receiver():
    server = Receiver()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def hooks(app, sample_posts, spam_check_passes):
    app.config.update(
        SAMTAL_WEBHOOKS_ALLOW_PRIVATE=True,
        SAMTAL_WEBHOOKS_RETRY_FIRST_SECONDS=0.01,
        SAMTAL_WEBHOOKS_TIMEOUT_SECONDS=2,
        SAMTAL_BASE_URL="https://samtal.example",
    )
    return app


def add_endpoint(app, url: str, subscribed=tuple(events.EVENTS), **options) -> int:
    with app.app_context():
        endpoint = endpoints.save(
            None, url=url, events=subscribed, secret=options.pop("secret", SECRET), **options
        )
        db.session.commit()
        return endpoint.id


def a_question() -> Question:
    return db.session.scalar(select(Question).where(Question.text == "Vad tror du?"))


def post(body: str = "Nätverket betyder mest.", *, email: str = EMAIL) -> int:
    """A reader's comment through the one posting path, committed (processed in-process)."""
    comment = posting.post_comment(a_question(), name="Karin", body=body, email=email, ip=IP)
    db.session.commit()
    return comment.id


def rows(app, **where) -> list[WebhookDelivery]:
    with app.app_context():
        found = db.session.scalars(
            select(WebhookDelivery).filter_by(**where).order_by(WebhookDelivery.id)
        ).all()
        db.session.expunge_all()
        return found


# --- signing and the body -------------------------------------------------------------------------


def test_a_published_comment_arrives_signed_with_its_public_fields_only(hooks, receiver):
    add_endpoint(hooks, receiver.url)
    with hooks.app_context():
        comment_id = post()
        hidden = [EMAIL, identity_hash(EMAIL), db.session.get(Comment, comment_id).ip_hash]
    assert sorted(receiver.events()) == ["comment.published", "comment.received"]
    verify = readme_verify()
    for request in receiver.requests:
        assert verify(SECRET, request.headers, request.body)
        assert not verify("another secret", request.headers, request.body)
        assert not verify(SECRET, request.headers, request.body + b" ")
        assert request.headers["Content-Type"].startswith("application/json")
        assert not [value for value in hidden if value in request.body.decode()]
    (request,) = [r for r in receiver.requests if r.json["event"] == "comment.published"]
    published = request.json
    assert request.headers["X-Samtal-Event"] == "comment.published"
    assert published["id"].startswith("comment.published:")
    comment = published["comment"]
    assert comment["id"] == comment_id and comment["state"] == "approved"
    assert comment["author_name"] == "Karin"
    assert comment["html"].strip() == "<p>Nätverket betyder mest.</p>"
    assert comment["question"]["text"] == "Vad tror du?"
    assert published["links"] == {
        "comment": f"https://samtal.example/strateger-sokes-eller-kontaktnat#kommentar-{comment_id}",
        "queue": "https://samtal.example/moderera/?flik=godkanda",
    }
    assert published["time"].endswith("Z")


def test_a_slack_endpoint_gets_a_text_field_with_slack_links(hooks, receiver):
    add_endpoint(hooks, receiver.url, ["comment.published"], slack=True)
    with hooks.app_context():
        comment_id = post("Vi & <de andra> ser det.")
    (request,) = receiver.requests
    body = request.json
    assert list(body) == ["text"]
    assert "Vi &amp; &lt;de andra&gt; ser det." in body["text"]
    assert f"#kommentar-{comment_id}|Visa kommentaren>" in body["text"]
    assert readme_verify()(SECRET, request.headers, request.body)


# --- each event once per endpoint -----------------------------------------------------------------


def test_each_event_fires_once_per_subscribed_endpoint(hooks, receiver):
    everything = add_endpoint(hooks, receiver.url + "?alla")
    published_only = add_endpoint(hooks, receiver.url + "?publicerat", ["comment.published"])
    add_endpoint(hooks, receiver.url + "?av", active=False)
    ids = add_staff(hooks)
    hooks.config["SAMTAL_REPORT_THRESHOLD"] = 1
    with hooks.app_context():
        admin = db.session.get(User, ids["admin"])
        kommunal = organisations.add_organisation("Kommunal", ["kommunal.se"])
        reported = post("Först ut.")  # received, published
        answer = post("Vi på Kommunal svarar.", email="emma@example.se")  # received, published
        answers.mark_answer(db.session.get(Comment, answer), kommunal, admin)
        db.session.commit()  # organisation.answered
        reports.report(db.session.get(Comment, reported), "spam", ip="198.51.100.1")
        db.session.commit()  # report.threshold (hidden, back to the queue)
        hooks.config["SAMTAL_MODERATION_POLICY"] = "pre"
        rejected, spam = post("Vänta på mig."), post("Och på mig.")  # received, waiting
        decisions.moderate(db.session.get(Comment, rejected), "reject", admin)
        decisions.moderate(db.session.get(Comment, spam), "spam", admin)
        db.session.commit()
    by_endpoint = Counter((row.endpoint_id, row.event) for row in rows(hooks))
    assert by_endpoint == {
        (everything, "comment.received"): 4,
        (everything, "comment.published"): 2,
        (everything, "organisation.answered"): 1,
        (everything, "report.threshold"): 1,
        (everything, "comment.waiting"): 2,
        (everything, "comment.rejected"): 1,
        (everything, "comment.spam"): 1,
        (published_only, "comment.published"): 2,
    }
    assert len(receiver.requests) == 14
    assert Counter(request.path for request in receiver.requests) == {
        "/hook?alla": 12,
        "/hook?publicerat": 2,
    }
    ids_seen = [(request.path, request.json["id"]) for request in receiver.requests]
    assert len(set(ids_seen)) == len(ids_seen)
    answered = next(r.json for r in receiver.requests if r.json["event"] == "organisation.answered")
    assert answered["comment"]["organisation"] == {"name": "Kommunal", "badge": "Kommunal"}
    reported_body = next(r.json for r in receiver.requests if r.json["event"] == "report.threshold")
    assert reported_body["links"]["queue"].endswith("?flik=anmalda")
    assert all(row.status == WebhookStatus.SENT for row in rows(hooks))


def test_an_endpoint_added_after_comments_came_in_gets_the_next_events(hooks, receiver):
    """The active endpoints are remembered between events; adding one forgets them at once."""
    with hooks.app_context():
        post("Före någon webhook.")  # no endpoint yet: remembered as none
    endpoint_id = add_endpoint(hooks, receiver.url, ["comment.received"])
    with hooks.app_context():
        post("Efter.")
    assert [(row.endpoint_id, row.event) for row in rows(hooks)] == [
        (endpoint_id, "comment.received")
    ]


def test_an_endpoint_written_by_another_process_is_seen_once_the_known_ones_are_stale(
    hooks, receiver
):
    with hooks.app_context():
        post("Före.")
        # Another process's insert: this process's listeners never hear of it.
        db.session.execute(
            WebhookEndpoint.__table__.insert().values(
                url=receiver.url, secret="s", events=["comment.received"], active=True, slack=False
            )
        )
        db.session.commit()
        post("Inom fem sekunder.")
        assert rows(hooks) == []
        expires, known = hooks.extensions[events._KNOWN]  # five seconds later:
        hooks.extensions[events._KNOWN] = (expires - events.ENDPOINTS_FRESH_SECONDS, known)
        post("Senare.")
    assert [row.event for row in rows(hooks)] == ["comment.received"]


def test_a_rolled_back_change_records_and_sends_nothing(hooks, receiver):
    add_endpoint(hooks, receiver.url)
    hooks.config["SAMTAL_MODERATION_POLICY"] = "pre"
    with hooks.app_context():
        comment_id = post()
        receiver.requests.clear()
        lifecycle.change_state(db.session.get(Comment, comment_id), CommentState.SPAM, action="x")
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 2
    assert receiver.requests == []


def test_running_the_work_again_sends_nothing_again(hooks, receiver):
    """A redelivered task, a retry or the sweep after success: each delivery reached it once."""
    import worker.tasks as tasks

    add_endpoint(hooks, receiver.url)
    with hooks.app_context():
        comment_id = post()
        assert processing.process_comment(comment_id) is False  # processed already: no event
    assert len(receiver.requests) == 2
    with hooks.app_context():
        for row in rows(hooks):
            assert delivery.deliver(row.id) is None
            tasks.deliver_webhook.apply(args=[row.id])
        assert delivery.sweep_unsent() == []
    assert len(receiver.requests) == 2
    assert [row.attempts for row in rows(hooks)] == [1, 1]


@pytest.fixture
def unsent(hooks, receiver, monkeypatch):
    """A delivery row committed with its event, its task never sent."""
    from discussion import jobs

    add_endpoint(hooks, receiver.url, ["comment.received"])
    monkeypatch.setattr(jobs, "send_now", lambda *args: False)
    with hooks.app_context():
        posting.post_comment(a_question(), name="Karin", body="Hej då.", email=EMAIL)
        db.session.commit()
        row_id = db.session.scalar(select(WebhookDelivery.id))
    monkeypatch.undo()
    assert receiver.requests == []
    return row_id


@pytest.mark.postgres
@pytest.mark.redis
def test_two_workers_at_once_deliver_once(stack_app, receiver):
    """On PostgreSQL the row lock holds the second copy of the task until the first is done."""
    from discussion.posts.importing import import_files, post_files

    stack_app.config.update(SAMTAL_WEBHOOKS_ALLOW_PRIVATE=True, SAMTAL_MODERATION_POLICY="pre")
    with stack_app.app_context():
        assert not import_files(post_files(SAMPLE_POSTS)).failed
        db.session.commit()
    add_endpoint(stack_app, receiver.url, ["comment.received"])
    receiver.replies.append(Reply(delay=0.5))
    with stack_app.app_context():
        posting.post_comment(a_question(), name="Karin", body="Samtidigt.", email=EMAIL)
        db.session.info.clear()  # no task: the two copies below are the only senders
        db.session.commit()
        row_id = db.session.scalar(select(WebhookDelivery.id))

    def run() -> None:
        with stack_app.app_context():
            delivery.deliver(row_id)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(receiver.requests) == 1
    (row,) = rows(stack_app)
    assert row.status == WebhookStatus.SENT and row.attempts == 1


# --- retries, back-off and giving up --------------------------------------------------------------


def test_beats_sweep_sends_a_delivery_whose_task_was_lost(hooks, receiver, unsent):
    import worker.tasks as tasks

    hooks.config["SAMTAL_SWEEP_AFTER_SECONDS"] = 0
    with hooks.app_context():
        # the comment's processing and its delivery were both lost with the broker
        assert tasks.sweep.apply().get() == 2
        assert delivery.sweep_unsent() == []
    assert receiver.events() == ["comment.received"]
    assert rows(hooks)[0].status == WebhookStatus.SENT


def test_the_sweep_command_sends_lost_deliveries(hooks, receiver, unsent, runner):
    hooks.config["SAMTAL_SWEEP_AFTER_SECONDS"] = 0
    result = runner.invoke(args=["comments", "sweep"])
    assert result.exit_code == 0 and "1 webhooks sent again" in result.output
    assert receiver.events() == ["comment.received"]


def test_5xx_is_retried_with_doubling_waits_then_given_up_with_the_answer(hooks, receiver, unsent):
    hooks.config.update(SAMTAL_WEBHOOKS_MAX_ATTEMPTS=4, SAMTAL_WEBHOOKS_RETRY_FOR_SECONDS=3600)
    receiver.replies.extend([Reply(503, text="Service Unavailable: underhåll " + "x" * 900)] * 4)
    with hooks.app_context():
        waits = [delivery.deliver(unsent) for _ in range(4)]
    assert waits == [0.01, 0.02, 0.04, None]
    assert len(receiver.requests) == 4
    (row,) = rows(hooks)
    assert row.status == WebhookStatus.FAILED and row.attempts == 4
    assert row.last_status == 503
    assert row.last_response.startswith("Service Unavailable: underhåll")
    assert len(row.last_response) == delivery.ANSWER_KEPT


def test_a_retry_after_success_is_delivered(hooks, receiver, unsent):
    receiver.replies.append(Reply(502))
    with hooks.app_context():
        assert delivery.deliver(unsent) == 0.01
        assert delivery.deliver(unsent) is None
    (row,) = rows(hooks)
    assert row.status == WebhookStatus.SENT and row.attempts == 2 and row.last_status == 200
    assert receiver.requests[0].body == receiver.requests[1].body
    assert receiver.requests[0].json["id"] == receiver.requests[1].json["id"]


def test_a_timeout_is_retried_and_counts_as_an_attempt(hooks, receiver, unsent):
    hooks.config["SAMTAL_WEBHOOKS_TIMEOUT_SECONDS"] = 0.3
    receiver.replies.append(Reply(delay=1.5))
    with hooks.app_context():
        assert delivery.deliver(unsent) == 0.01
    (row,) = rows(hooks)
    assert row.status == WebhookStatus.QUEUED and row.last_status is None
    assert "timed out" in row.last_response
    assert row.next_attempt_at is not None


def test_a_connection_refused_is_retried(hooks, unsent):
    with hooks.app_context():
        endpoint = db.session.get(WebhookDelivery, unsent).endpoint
        endpoint.url = "http://127.0.0.1:1/hook"
        db.session.commit()
        assert delivery.deliver(unsent) == 0.01
    assert "ConnectionRefused" in rows(hooks)[0].last_response


@pytest.mark.parametrize("status", [400, 401, 404, 410, 301])
def test_4xx_and_redirects_fail_at_once(hooks, receiver, unsent, status):
    receiver.replies.append(Reply(status, text="nej"))
    with hooks.app_context():
        assert delivery.deliver(unsent) is None
    (row,) = rows(hooks)
    assert row.status == WebhookStatus.FAILED and row.attempts == 1
    assert (row.last_status, row.last_response) == (status, "nej")
    assert len(receiver.requests) == 1


def test_429_is_retried_after_its_retry_after(hooks, receiver, unsent):
    receiver.replies.append(Reply(429, headers={"Retry-After": "7"}))
    with hooks.app_context():
        assert delivery.deliver(unsent) == 7.0
    assert rows(hooks)[0].status == WebhookStatus.QUEUED


@pytest.fixture
def tls_receiver(certificate):  # noqa: F811  the fixture imported above
    server = Receiver(certificate)
    server.start()
    yield server
    server.stop()


def test_https_checks_the_certificate_of_the_checked_address(hooks, tls_receiver, monkeypatch):
    endpoint_id = add_endpoint(hooks, tls_receiver.url, ["comment.received"])
    with hooks.app_context():
        post()  # the system's authorities do not know the receiver's own certificate
    (refused,) = rows(hooks)
    assert refused.status == WebhookStatus.FAILED and refused.attempts == 1
    assert "SSLCertVerificationError" in refused.last_response
    assert tls_receiver.requests == []
    trusted = ssl.create_default_context(cafile=tls_receiver.certificate[0])
    monkeypatch.setattr(delivery, "tls_context", lambda: trusted)
    with hooks.app_context():
        delivery.send_again(db.session.get(WebhookDelivery, refused.id))
        db.session.commit()
    assert rows(hooks, endpoint_id=endpoint_id)[0].status == WebhookStatus.SENT
    assert tls_receiver.events() == ["comment.received"]


# --- private addresses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://172.16.5.4/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[fe80::1]/hook",
        "http://[fd00::5]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://100.64.0.1/hook",
        "http://240.0.0.1/hook",
    ],
)
def test_private_loopback_link_local_and_reserved_addresses_are_refused(app, url):
    with app.app_context(), pytest.raises(addresses.PrivateAddress, match="offentliga adresser"):
        addresses.check(url, allow_private=False)


def test_a_name_that_resolves_to_a_private_address_is_refused_naming_both(app):
    with app.app_context(), pytest.raises(addresses.PrivateAddress) as refused:
        addresses.check("http://localhost:8080/in", allow_private=False)
    assert re.match(r"localhost pekar på (127\.0\.0\.1|::1), en privat", str(refused.value))


def test_public_addresses_pass_and_the_setting_lets_private_ones_through(app):
    with app.app_context():
        target = addresses.check("https://93.184.216.34/a/b?c=1", allow_private=False)
        assert (target.host, target.port, target.path) == ("93.184.216.34", 443, "/a/b?c=1")
        assert addresses.check("http://127.0.0.1:9/x", allow_private=True).addresses == (
            "127.0.0.1",
        )


@pytest.mark.parametrize(
    "url", ["ftp://example.se/", "example.se/hook", "http:///hook", "https://u:p@example.se/"]
)
def test_what_is_no_http_url_is_refused(app, url):
    with app.app_context(), pytest.raises(addresses.BadURL):
        addresses.check(url, allow_private=True)


def test_an_address_that_turned_private_is_refused_at_delivery(hooks, receiver, unsent):
    """DNS can change after an endpoint was saved: each delivery checks again."""
    hooks.config["SAMTAL_WEBHOOKS_ALLOW_PRIVATE"] = False
    with hooks.app_context():
        assert delivery.deliver(unsent) is None
    (row,) = rows(hooks)
    assert row.status == WebhookStatus.FAILED and "127.0.0.1" in row.last_response
    assert receiver.requests == []


def test_an_endpoint_switched_off_after_the_event_gets_nothing(hooks, receiver, unsent):
    with hooks.app_context():
        db.session.get(WebhookDelivery, unsent).endpoint.active = False
        db.session.commit()
        assert delivery.deliver(unsent) is None
    (row,) = rows(hooks)
    assert row.status == WebhookStatus.FAILED and row.last_response == "Webhooken är avstängd."
    assert receiver.requests == []


# --- the admin's pages ----------------------------------------------------------------------------


@pytest.fixture
def admin(hooks, client):
    add_staff(hooks)
    login_as(client, "admin")
    return client


def form_post(client, url: str, data: dict, page: str = "/moderera/webhooks"):
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def test_an_admin_adds_an_endpoint_sends_a_test_and_reads_the_log(hooks, admin, receiver):
    answer = form_post(
        admin,
        "/moderera/webhooks",
        {"url": receiver.url, "events": ["comment.published", "comment.spam"], "active": "y"},
    )
    assert answer.status_code == 303
    page = admin.get(answer.headers["Location"]).get_data(as_text=True)
    secret = re.search(r'<code class="secret">([^<]+)</code>', page).group(1)
    endpoint_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    sent = form_post(admin, f"/moderera/webhooks/{endpoint_id}/test", {})
    assert sent.status_code == 303
    (request,) = receiver.requests
    assert request.json["event"] == "webhook.test" and request.json["comment"] is None
    assert readme_verify()(secret, request.headers, request.body)
    log = admin.get("/moderera/webhooks/leveranser").get_data(as_text=True)
    assert "webhook.test" in log and "Levererad" in log and "<strong>200</strong>" in log
    listing = admin.get("/moderera/webhooks").get_data(as_text=True)
    assert receiver.url in listing and "comment.spam" in listing
    english = admin.get("/moderera/webhooks/leveranser?lang=en").get_data(as_text=True)
    assert "Delivery log" in english and "Delivered" in english


def test_a_private_address_is_refused_on_the_page_with_the_text_kept(hooks, admin):
    hooks.config["SAMTAL_WEBHOOKS_ALLOW_PRIVATE"] = False
    answer = form_post(
        admin, "/moderera/webhooks", {"url": "http://127.0.0.1:8080/in", "events": ["comment.spam"]}
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "127.0.0.1 är en privat, lokal eller reserverad adress" in page
    assert page.count("offentliga adresser") == 1
    assert 'value="http://127.0.0.1:8080/in"' in page
    with hooks.app_context():
        assert endpoints.all_endpoints() == []


def test_an_endpoint_without_events_is_refused(hooks, admin, receiver):
    answer = form_post(admin, "/moderera/webhooks", {"url": receiver.url})
    assert answer.status_code == 422
    assert "Välj minst en händelse." in answer.get_data(as_text=True)


def test_an_admin_resends_a_failed_delivery_edits_and_removes(hooks, admin, receiver):
    endpoint_id = add_endpoint(hooks, receiver.url, ["comment.received"])
    page = f"/moderera/webhooks/{endpoint_id}"
    receiver.replies.append(Reply(404, text="ingen sådan krok"))
    form_post(admin, f"{page}/test", {}, page)
    (failed,) = rows(hooks, status=WebhookStatus.FAILED)
    assert (failed.last_status, failed.last_response) == (404, "ingen sådan krok")
    assert "Misslyckades" in admin.get(page).get_data(as_text=True)
    own_log = admin.get(f"/moderera/webhooks/leveranser?slutpunkt={endpoint_id}&status=failed")
    assert f"Leveranser till {receiver.url}." in own_log.get_data(as_text=True)
    assert "ingen sådan krok" in own_log.get_data(as_text=True)
    resent = form_post(admin, f"/moderera/webhooks/leveranser/{failed.id}/skicka-igen", {}, page)
    assert resent.status_code == 303
    assert rows(hooks)[0].status == WebhookStatus.SENT and len(receiver.requests) == 2
    saved = form_post(admin, page, {"url": receiver.url, "events": ["comment.spam"]}, page)
    assert saved.status_code == 303
    with hooks.app_context():
        (endpoint,) = endpoints.all_endpoints()
        assert endpoint.events == ["comment.spam"] and not endpoint.active
        assert endpoint.secret == SECRET  # a blank secret keeps the old one
    assert form_post(admin, f"{page}/ta-bort", {}, page).status_code == 303
    assert rows(hooks) == []
    with hooks.app_context():
        assert endpoints.all_endpoints() == []


@pytest.mark.parametrize("role", ["author", "moderator"])
def test_only_admins_see_or_change_webhooks(hooks, client, receiver, role):
    endpoint_id = add_endpoint(hooks, receiver.url)
    add_staff(hooks)
    login_as(client, role)
    for path in (
        "/moderera/webhooks",
        f"/moderera/webhooks/{endpoint_id}",
        "/moderera/webhooks/leveranser",
    ):
        answer = client.get(path)
        assert answer.status_code == 302 and "/logga-in" in answer.headers["Location"]
    token = csrf_token(client, "/moderera/")
    for path in (
        "/moderera/webhooks",
        f"/moderera/webhooks/{endpoint_id}",
        f"/moderera/webhooks/{endpoint_id}/test",
        f"/moderera/webhooks/{endpoint_id}/ta-bort",
    ):
        answer = client.post(path, data={"csrf_token": token, "url": receiver.url})
        assert answer.status_code == 403, path
    assert "/moderera/webhooks" not in client.get("/moderera/").get_data(as_text=True)
    assert receiver.requests == []
    with hooks.app_context():
        assert len(endpoints.all_endpoints()) == 1


def test_a_form_without_its_csrf_token_changes_nothing(hooks, admin, receiver):
    endpoint_id = add_endpoint(hooks, receiver.url)
    answer = admin.post(f"/moderera/webhooks/{endpoint_id}/test", data={})
    assert answer.status_code == 400
    assert receiver.requests == []


# --- a real worker on Redis -----------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_a_celery_worker_delivers_on_the_webhooks_queue_and_retries(
    stack_app, celery_worker, receiver
):
    from discussion.posts.importing import import_files, post_files
    from tests.test_email_stack import poll

    stack_app.config.update(
        SAMTAL_WEBHOOKS_ALLOW_PRIVATE=True, SAMTAL_WEBHOOKS_RETRY_FIRST_SECONDS=0.2
    )
    with stack_app.app_context():
        assert not import_files(post_files(SAMPLE_POSTS)).failed
        db.session.commit()
    add_endpoint(stack_app, receiver.url, ["comment.received"])
    receiver.replies.append(Reply(503))
    with stack_app.app_context():
        posting.post_comment(a_question(), name="Karin", body="Genom Redis.", email=EMAIL)
        db.session.commit()
    sent = poll(lambda: [row for row in rows(stack_app) if row.status == WebhookStatus.SENT])
    assert sent, rows(stack_app)
    assert sent[0].attempts == 2
    assert receiver.events() == ["comment.received", "comment.received"]
    assert json.loads(sent[0].body)["comment"]["text"] == "Genom Redis."
