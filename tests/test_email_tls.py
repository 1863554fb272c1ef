"""E-mail to an SMTP server that speaks TLS: STARTTLS with a login, TLS from the first byte, and
a certificate the app does not trust. A real aiosmtpd server and a real certificate (openssl)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from discussion.models import EmailStatus
from tests.helpers import require
from tests.smtp_server import SMTPServer
from tests.test_email import outgoing, queue_test_mail
from tests.test_organisations import KOMMUNAL, with_organisations


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1: (cert, key) PEM files; the cert is its own CA."""
    if shutil.which("openssl") is None:
        require("openssl", "the openssl command is not installed (Debian package openssl)")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "smtp.pem", folder / "smtp.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return str(cert), str(key)


@pytest.fixture
def tls_server(certificate):
    servers = []

    def start(security: str, **options) -> SMTPServer:
        server = SMTPServer(security=security, certificate=certificate, **options)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def test_starttls_with_a_login_delivers(app, sample_posts, tls_server, certificate):
    server = tls_server("starttls", logins={"samtal": "hemligt lösen"})
    with_organisations(app, server, KOMMUNAL)
    app.config.update(
        SAMTAL_SMTP_CA_FILE=certificate[0],
        SAMTAL_SMTP_USER="samtal",
        SAMTAL_SMTP_PASSWORD="hemligt lösen",
    )
    outgoing_id = queue_test_mail(app)
    assert outgoing(app, outgoing_id).status == EmailStatus.SENT
    assert len(server.to("lasare@example.se")) == 1
    assert server.logged_in == ["samtal"]


def test_tls_from_the_first_byte_delivers(app, sample_posts, tls_server, certificate):
    server = tls_server("tls")
    with_organisations(app, server, KOMMUNAL)
    app.config["SAMTAL_SMTP_CA_FILE"] = certificate[0]
    outgoing_id = queue_test_mail(app)
    assert outgoing(app, outgoing_id).status == EmailStatus.SENT
    assert len(server.to("lasare@example.se")) == 1


def test_a_wrong_password_is_kept_and_retried_not_sent(app, sample_posts, tls_server, certificate):
    server = tls_server("starttls", logins={"samtal": "rätt"})
    with_organisations(app, server, KOMMUNAL)
    app.config.update(
        SAMTAL_SMTP_CA_FILE=certificate[0], SAMTAL_SMTP_USER="samtal", SAMTAL_SMTP_PASSWORD="fel"
    )
    row = outgoing(app, queue_test_mail(app))
    assert server.messages == [] and server.logged_in == []
    assert "535" in row.last_error
    assert row.status == EmailStatus.FAILED  # a 5xx login refusal needs the operator, not a retry


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_a_certificate_the_app_does_not_trust_sends_nothing(
    app, sample_posts, tls_server, security
):
    server = tls_server(security)
    with_organisations(app, server, KOMMUNAL)  # no SAMTAL_SMTP_CA_FILE: the system's CAs
    row = outgoing(app, queue_test_mail(app))
    assert server.messages == []
    assert row.status == EmailStatus.FAILED and row.attempts == 1
    assert "CERTIFICATE_VERIFY_FAILED" in row.last_error
