"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, collecting what it is sent.

The server can be stopped and started again on the same port (an outage), told to refuse
recipients with a permanent 5xx, or to be slow, so tests see what the app's e-mail code does.
With a certificate it speaks STARTTLS (and then requires it) or TLS from the first byte, and
with `logins` it accepts only those users, and only over TLS.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes  # the message exactly as it came over the wire


class Collector:
    """The aiosmtpd handler: keeps each message; refuses `refuse` (550) and `defer` (451)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refuse: set[str] = set()
        self.defer: set[str] = set()
        self.delay = 0.0
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        if address.lower() in self.defer:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            time.sleep(self.delay)  # blocks the server's loop: a slow server, on purpose
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), message, envelope.content)
            )
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(
        self,
        *,
        security: str = "none",
        certificate: tuple[str, str] | None = None,
        logins: dict[str, str] | None = None,
    ) -> None:
        """`security`: "none", "starttls" or "tls"; `certificate`: (cert, key) PEM files."""
        self.handler = Collector()
        self.port = _free_port()
        self.security = security
        self.certificate = certificate
        self.logins = logins or {}
        self.logged_in: list[str] = []
        self._controller = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            user, password = auth_data.login.decode(), auth_data.password.decode()
            if self.logins.get(user) == password:
                self.logged_in.append(user)
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    def _tls_options(self) -> dict:
        if self.security == "none":
            return {}
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*self.certificate)
        if self.security == "tls":
            return {"ssl_context": context}
        return {"tls_context": context, "require_starttls": True}

    @property
    def messages(self) -> list[EmailMessage]:
        return [each.message for each in self.handler.received]

    def to(self, address: str) -> list[EmailMessage]:
        return [each.message for each in self.handler.received if address in each.rcpt_tos]

    def raw_to(self, address: str) -> list[bytes]:
        """The bytes of each message to `address`, as sent: headers before any parsing."""
        return [each.raw for each in self.handler.received if address in each.rcpt_tos]

    def start(self) -> None:
        options = self._tls_options()
        if self.logins:
            options |= {"authenticator": self._authenticate, "auth_require_tls": True}
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **options)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """Poll until `count` messages arrived (or the deadline passed); the messages."""
        deadline = time.monotonic() + timeout
        while len(self.handler.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages

    def config(self) -> dict:
        """The app settings that send to this server."""
        return {
            "SAMTAL_SMTP_HOST": "127.0.0.1",
            "SAMTAL_SMTP_PORT": self.port,
            "SAMTAL_SMTP_SECURITY": self.security,
            "SAMTAL_SMTP_TIMEOUT_SECONDS": 5,
        }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
