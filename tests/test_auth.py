"""Staff accounts: logging in and out, the session cookie, the role matrix, and the users CLI."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from discussion import create_app
from discussion.auth import accounts
from discussion.extensions import db
from discussion.models import Ban, Comment, CommentState, Post, Role, User
from tests.helpers import base_config, csrf_token
from tests.staff import (
    EMAILS,
    PASSWORD,
    STRATEGER,
    add_staff,
    add_user,
    answer,
    login,
    login_as,
    question_id,
    staff_post,
)

pytestmark = pytest.mark.usefixtures("spam_check_passes")

# --- logging in and out ------------------------------------------------------------------------


def test_login_sets_a_hardened_session_cookie_and_logout_ends_it(app, client, sample_posts):
    add_staff(app)
    response = login(client, EMAILS["moderator"], next_url="/moderera/?flik=skrap")
    assert response.status_code == 302
    assert response.headers["Location"] == "/moderera/?flik=skrap"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert client.get("/moderera/").status_code == 200
    logout = client.post("/logga-ut", data={"csrf_token": csrf_token(client, "/moderera/")})
    assert logout.status_code == 302
    assert client.get("/moderera/").status_code == 302


def copied_session(app, client):
    """Another browser holding a copy of `client`'s session cookie (a stolen cookie)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_logging_out_ends_every_copy_of_the_session(app, client, sample_posts):
    add_staff(app)
    login_as(client, "moderator")
    thief = copied_session(app, client)
    other_device = app.test_client()
    login_as(other_device, "moderator")
    assert thief.get("/moderera/").status_code == 200
    client.post("/logga-ut", data={"csrf_token": csrf_token(client, "/moderera/")})
    assert thief.get("/moderera/").status_code == 302
    assert other_device.get("/moderera/").status_code == 302  # logging out ends them all
    login_as(client, "moderator")
    assert client.get("/moderera/").status_code == 200


@pytest.mark.parametrize("change", ["set-password", "set-role", "disable", "web role"])
def test_a_new_password_role_or_a_disabled_account_ends_its_sessions(
    app, client, sample_posts, change
):
    add_staff(app)
    login_as(client, "moderator")
    thief = copied_session(app, client)
    runner = app.test_cli_runner()
    if change == "set-password":
        result = runner.invoke(
            args=["users", "set-password", EMAILS["moderator"]], input="ett helt nytt lösenord\n"
        )
    elif change == "set-role":
        result = runner.invoke(args=["users", "set-role", EMAILS["moderator"], "author"])
    elif change == "disable":
        result = runner.invoke(args=["users", "disable", EMAILS["moderator"]])
    else:
        admin = app.test_client()
        login_as(admin, "admin")
        with app.app_context():
            moderator_id = accounts.user_by_email(EMAILS["moderator"]).id
        result = staff_post(
            admin, f"/moderera/konton/{moderator_id}", {"role": "author", "active": "y"}
        )
        assert result.status_code == 302
    if change != "web role":
        assert result.exit_code == 0, result.output
    assert thief.get("/moderera/").status_code == 302
    assert client.get("/moderera/").status_code == 302


def test_an_unchanged_account_keeps_its_sessions(app, client, sample_posts):
    """Saving the accounts page without a change must not log anyone out."""
    add_staff(app)
    login_as(client, "moderator")
    admin = app.test_client()
    login_as(admin, "admin")
    with app.app_context():
        moderator_id = accounts.user_by_email(EMAILS["moderator"]).id
    staff_post(admin, f"/moderera/konton/{moderator_id}", {"role": "moderator", "active": "y"})
    assert client.get("/moderera/").status_code == 200


def test_a_staff_session_ends_after_the_idle_time(app, client, sample_posts):
    add_staff(app)
    app.config["SAMTAL_STAFF_IDLE_HOURS"] = 2
    login_as(client, "moderator")
    with client.session_transaction() as session:
        session["_seen"] -= 3600  # an hour ago: still fine, and the request renews it
    assert client.get("/moderera/").status_code == 200
    with client.session_transaction() as session:
        assert time.time() - session["_seen"] < 60
        session["_seen"] -= 3 * 3600
    response = client.get("/moderera/")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]


def test_the_cookie_is_not_secure_only_when_a_setting_says_development(tmp_path, monkeypatch):
    monkeypatch.setenv("SAMTAL_COOKIE_SECURE", "0")
    app = create_app(base_config(tmp_path))
    with app.app_context():
        db.create_all()
    add_user(app, "dev@example.se", Role.ADMIN)
    response = login(app.test_client(), "dev@example.se")
    assert response.status_code == 302
    assert "Secure" not in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]


def test_a_wrong_password_or_unknown_address_gets_the_same_swedish_answer(app, client):
    add_staff(app)
    wrong = login(client, EMAILS["admin"], password="not the password")
    unknown = login(client, "nobody@example.se")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "Fel e-postadress eller lösenord." in response.get_data(as_text=True)
    assert client.get("/moderera/").status_code == 302


def test_passwords_are_stored_as_scrypt_hashes(app):
    add_staff(app)
    with app.app_context():
        user = accounts.user_by_email(EMAILS["admin"])
        assert user.password_hash.startswith("scrypt:")
        assert PASSWORD not in user.password_hash
        with pytest.raises(accounts.AccountError):
            accounts.create_user("short@example.se", "kort", Role.ADMIN)


def test_login_never_redirects_to_another_site(app, client):
    add_staff(app)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        client.post("/logga-ut", data={"csrf_token": csrf_token(client, "/logga-in")})
        response = login(client, EMAILS["admin"], next_url=target)
        assert response.headers["Location"] == "/moderera/"


@pytest.mark.parametrize(
    "lang, message",
    [
        ("sv", "Fältet får inte vara längre än 200 tecken."),
        ("en", "Field cannot be longer than 200 characters."),
    ],
)
def test_wtforms_own_messages_follow_the_page_language(app, client, lang, message):
    """A validator without a message of ours speaks WTForms' words, in the reader's language."""
    token = csrf_token(client, f"/logga-in?lang={lang}")
    page = client.post(
        f"/logga-in?lang={lang}",
        data={"csrf_token": token, "email": "a@example.se", "password": "x" * 201},
    ).get_data(as_text=True)
    assert message in page


def test_a_disabled_account_cannot_log_in_and_its_session_ends(app, client):
    add_staff(app)
    login_as(client, "moderator")
    assert client.get("/moderera/").status_code == 200
    with app.app_context():
        accounts.set_active(accounts.user_by_email(EMAILS["moderator"]), False)
        db.session.commit()
    assert client.get("/moderera/").status_code == 302
    assert login(client, EMAILS["moderator"]).status_code == 401


def test_logout_is_a_post_only(app, client):
    """A link or image elsewhere cannot log anyone out: only a POST with its token does."""
    add_staff(app)
    login_as(client, "admin")
    assert client.get("/logga-ut").status_code in (404, 405)
    assert client.post("/logga-ut").status_code == 400
    assert client.get("/moderera/").status_code == 200


def test_login_is_rate_limited_with_a_swedish_page(tmp_path):
    app = create_app(base_config(tmp_path) | {"SAMTAL_LOGIN_RATE_LIMIT": "3 per minute"})
    with app.app_context():
        db.create_all()
    client = app.test_client()
    responses = [login(client, "nobody@example.se") for _ in range(4)]
    assert [response.status_code for response in responses] == [401, 401, 401, 429]
    assert "Du har skickat för mycket på kort tid" in responses[-1].get_data(as_text=True)
    assert "Retry-After" in responses[-1].headers
    assert client.get("/logga-in").status_code == 200  # only attempts are counted


@pytest.mark.redis
def test_login_attempts_are_counted_across_processes_in_redis(tmp_path, redis_url):
    """Two web processes (two apps) share one count through the broker's Redis."""
    apps = []
    for name in ("a", "b"):
        config = base_config(tmp_path / name) | {
            "SAMTAL_BROKER_URL": redis_url,
            "SAMTAL_LOGIN_RATE_LIMIT": "2 per minute",
        }
        apps.append(create_app(config))
        with apps[-1].app_context():
            db.create_all()
    first, second = (app.test_client() for app in apps)
    assert login(first, "nobody@example.se").status_code == 401
    assert login(second, "nobody@example.se").status_code == 401
    assert login(first, "nobody@example.se").status_code == 429


def test_the_rate_limit_storage_follows_the_broker(tmp_path):
    embedded = create_app(base_config(tmp_path))
    assert embedded.config["RATELIMIT_STORAGE_URI"] == "samtal-memory://"
    with_broker = create_app(base_config(tmp_path) | {"SAMTAL_BROKER_URL": "redis://h:6379/0"})
    assert with_broker.config["RATELIMIT_STORAGE_URI"] == "redis://h:6379/0"
    chosen = create_app(
        base_config(tmp_path)
        | {"SAMTAL_BROKER_URL": "redis://h:6379/0", "RATELIMIT_STORAGE_URI": "redis://r:1/2"}
    )
    assert chosen.config["RATELIMIT_STORAGE_URI"] == "redis://r:1/2"


def test_staff_forms_need_a_csrf_token(app, client, sample_posts):
    ids = add_staff(app)
    login_as(client, "admin")
    response = client.post(f"/moderera/konton/{ids['moderator']}", data={"role": "admin"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(User, ids["moderator"]).role == Role.MODERATOR


# --- the role matrix -----------------------------------------------------------------------


@pytest.fixture
def staffed(app, client, sample_posts):
    """Sample posts by @jmjobring, the staff cast, one pending comment and one ban."""
    ids = add_staff(app)
    qid = question_id(app, STRATEGER, "Vad tror du?")
    app.config["SAMTAL_MODERATION_POLICY"] = "pre"
    answer(client, STRATEGER, qid, "Väntar på granskning", email="lasare@example.se")
    with app.app_context():
        comment = db.session.scalar(select(Comment))
        assert comment.state == CommentState.PENDING
        ban = Ban(email_hash="x" * 64)
        db.session.add(ban)
        db.session.commit()
        post_id = db.session.scalar(select(Post.id).where(Post.slug == STRATEGER))
        ids |= {"comment": comment.id, "ban": ban.id, "post": post_id, "question": qid}
    return ids


def endpoints(ids) -> dict[str, tuple[str, str, dict]]:
    """Each staff page and action: (method, url, form data)."""
    c, p = ids["comment"], ids["post"]
    return {
        "queue": ("GET", "/moderera/", {}),
        "unanswered": ("GET", "/moderera/obesvarade", {}),
        "posts": ("GET", "/moderera/inlagg", {}),
        "post settings": ("GET", f"/moderera/inlagg/{p}", {}),
        "bans": ("GET", "/moderera/avstangningar", {}),
        "audit log": ("GET", "/moderera/logg", {}),
        "accounts": ("GET", "/moderera/konton", {}),
        "decide": ("POST", f"/moderera/kommentar/{c}", {"action": "reject"}),
        "bulk": ("POST", "/moderera/urval", {"action": "reject", "ids": str(c)}),
        "edit": ("POST", f"/moderera/kommentar/{c}/redigera", {"body": "Redigerad"}),
        "ban": ("POST", f"/moderera/kommentar/{c}/stang-av", {"by_email": "y", "days": "7"}),
        "lift ban": ("POST", f"/moderera/avstangningar/{ids['ban']}/hav", {}),
        "save post": ("POST", f"/moderera/inlagg/{p}", {"policy": "pre"}),
        "add question": ("POST", f"/moderera/inlagg/{p}/fragor", {"text": "Ny fråga?"}),
        "close thread": ("POST", f"/moderera/fraga/{ids['question']}", {"action": "close"}),
        "edit question": (
            "POST",
            f"/moderera/fraga/{ids['question']}",
            {"action": "save", "text": "Vad tror ni?"},
        ),
        "set role": (
            "POST",
            f"/moderera/konton/{ids['other_author']}",
            {"role": "author", "active": "y"},
        ),
    }


OK, LOGIN, FORBIDDEN = 200, "login", 403
DONE = 302  # an action done, redirecting back to its page
PAGES = ["queue", "unanswered", "posts", "post settings", "bans", "audit log", "accounts"]
ACTIONS = [
    "decide",
    "bulk",
    "edit",
    "ban",
    "lift ban",
    "save post",
    "add question",
    "close thread",
    "edit question",
    "set role",
]
EXPECTED = {
    # A reader has no account: every page sends to the login, every action is refused.
    "reader": {
        **dict.fromkeys(PAGES, LOGIN),
        **dict.fromkeys(ACTIONS, FORBIDDEN),
    },
    # The author of the sample posts moderates their comments and edits their questions.
    "author": {
        "queue": OK,
        "unanswered": OK,
        "posts": OK,
        "post settings": OK,
        "bans": LOGIN,
        "audit log": LOGIN,
        "accounts": LOGIN,
        "decide": DONE,
        "bulk": DONE,
        "edit": DONE,
        "ban": FORBIDDEN,  # a ban is site-wide: moderators only
        "lift ban": FORBIDDEN,
        "save post": DONE,
        "add question": DONE,
        "close thread": DONE,
        "edit question": DONE,
        "set role": FORBIDDEN,
    },
    # Another author may not touch those posts' comments or questions.
    "other_author": {
        "queue": OK,
        "unanswered": OK,
        "posts": OK,
        "post settings": FORBIDDEN,
        "bans": LOGIN,
        "audit log": LOGIN,
        "accounts": LOGIN,
        "decide": FORBIDDEN,
        "bulk": FORBIDDEN,
        "edit": FORBIDDEN,
        "ban": FORBIDDEN,
        "lift ban": FORBIDDEN,
        "save post": FORBIDDEN,
        "add question": FORBIDDEN,
        "close thread": FORBIDDEN,
        "edit question": FORBIDDEN,
        "set role": FORBIDDEN,
    },
    # A moderator moderates everything and closes threads, but the questions are the author's.
    "moderator": {
        "queue": OK,
        "unanswered": OK,
        "posts": OK,
        "post settings": OK,
        "bans": OK,
        "audit log": LOGIN,
        "accounts": LOGIN,
        "decide": DONE,
        "bulk": DONE,
        "edit": DONE,
        "ban": DONE,
        "lift ban": DONE,
        "save post": DONE,
        "add question": FORBIDDEN,
        "close thread": DONE,
        "edit question": FORBIDDEN,
        "set role": FORBIDDEN,
    },
    "admin": {
        **dict.fromkeys(PAGES, OK),
        **dict.fromkeys(ACTIONS, DONE),
    },
}


def outcome(response) -> int | str:
    if response.status_code == 302 and response.headers["Location"].startswith("/logga-in"):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("role", list(EXPECTED))
def test_role_matrix(app, client, staffed, role):
    """Each role against each staff page and action, checked on the server."""
    if role != "reader":
        login_as(client, role)
    seen = {}
    for name, (method, url, data) in endpoints(staffed).items():
        if method == "GET":
            seen[name] = outcome(client.get(url))
        else:
            seen[name] = outcome(staff_post(client, url, data))
    assert seen == EXPECTED[role]


def test_a_wrong_role_is_told_why_on_the_login_page(app, client, staffed):
    login_as(client, "author")
    response = client.get("/moderera/konton", follow_redirects=True)
    assert "Ditt konto får inte öppna den sidan" in response.get_data(as_text=True)


def test_actions_refused_to_readers_change_nothing(app, client, staffed):
    staff_post(client, f"/moderera/kommentar/{staffed['comment']}", {"action": "approve"})
    with app.app_context():
        assert db.session.get(Comment, staffed["comment"]).state == CommentState.PENDING


def test_unknown_ids_are_404(app, client, staffed):
    login_as(client, "admin")
    assert staff_post(client, "/moderera/kommentar/999", {"action": "approve"}).status_code == 404
    assert client.get("/moderera/inlagg/999").status_code == 404
    assert staff_post(client, "/moderera/fraga/999", {"action": "close"}).status_code == 404


# --- the users CLI -------------------------------------------------------------------------


def test_users_create_reads_the_password_from_stdin_and_matches_posts(app, runner, sample_posts):
    result = runner.invoke(
        args=["users", "create", "JM@Example.se", "--role", "author", "--handle", "@JMJobring"],
        input=f"{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "author of 5 posts" in result.output
    with app.app_context():
        user = accounts.authenticate("jm@example.se", PASSWORD)
        assert user is not None and user.role == Role.AUTHOR
        assert user.author_handle == "@jmjobring"


def test_users_create_refuses_duplicates_and_short_passwords(app, runner):
    ok = runner.invoke(args=["users", "create", "a@example.se", "--role", "admin"], input=PASSWORD)
    assert ok.exit_code == 0
    again = runner.invoke(
        args=["users", "create", "a@example.se", "--role", "admin"], input=PASSWORD
    )
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(args=["users", "create", "b@example.se", "--role", "admin"], input="kort")
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    bad_role = runner.invoke(args=["users", "create", "c@example.se", "--role", "boss"], input="x")
    assert bad_role.exit_code != 0


def test_users_list_set_role_and_disable(app, runner):
    add_user(app, "m@example.se", Role.MODERATOR)
    assert runner.invoke(args=["users", "set-role", "m@example.se", "admin"]).exit_code == 0
    listed = runner.invoke(args=["users", "list"]).output
    assert "m@example.se\tadmin\t-" in listed
    assert runner.invoke(args=["users", "disable", "m@example.se"]).exit_code == 0
    assert "m@example.se\tadmin\t-  disabled" in runner.invoke(args=["users", "list"]).output
    with app.app_context():
        assert accounts.authenticate("m@example.se", PASSWORD) is None
    missing = runner.invoke(args=["users", "disable", "nobody@example.se"])
    assert missing.exit_code != 0 and "no account" in missing.output


def test_users_set_password(app, runner):
    add_user(app, "m@example.se", Role.MODERATOR)
    result = runner.invoke(
        args=["users", "set-password", "m@example.se"], input="ett nytt lösenord\n"
    )
    assert result.exit_code == 0
    with app.app_context():
        assert accounts.authenticate("m@example.se", "ett nytt lösenord") is not None
        assert accounts.authenticate("m@example.se", PASSWORD) is None


# --- the demo --------------------------------------------------------------------------------


def test_the_demo_has_accounts_to_log_in_with_and_a_comment_to_moderate(app, runner, client):
    app.config["SAMTAL_MODERATION_POLICY"] = "first_time"  # the site's default
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "demo login (admin): admin@example.se / samtal-demo" in result.output
    page = client.get(f"/{STRATEGER}").get_data(as_text=True)
    assert (
        "Karin Lind" in page
        and '<span class="badge badge-staff badge-author">Skribent</span>' in page
    )
    assert login(client, "admin@example.se", password="samtal-demo").status_code == 302
    queue = client.get("/moderera/").get_data(as_text=True)
    assert 'Väntar <span class="count">1</span>' in queue and "Ny läsare" in queue
    with app.app_context():
        author = accounts.user_by_email("jm@example.se")
        assert author.author_handle == "@jmjobring" and author.role == Role.AUTHOR
        assert {post.author_id for post in db.session.scalars(select(Post))} == {author.id}
    assert runner.invoke(args=["demo", "load"]).exit_code == 0  # again: nothing new
    assert 'Väntar <span class="count">1</span>' in client.get("/moderera/").get_data(as_text=True)
