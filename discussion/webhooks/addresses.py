"""Which endpoint addresses may be called: http(s) only, and never a private network.

An endpoint's host is resolved and every address it resolves to is checked (IPv4 and IPv6,
IPv4 inside IPv6 too), when an admin saves it and again at each delivery, since DNS can change
between the two. The delivery then connects to exactly the addresses that were checked.
SAMTAL_WEBHOOKS_ALLOW_PRIVATE lets private, loopback, link-local and reserved addresses through
(for an endpoint inside the same network, and for the tests' receiver on 127.0.0.1).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import gettext as _

from ..refusals import Refusal

URL_MAX_LENGTH = 2000

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(Refusal):
    """An endpoint that may not be called; the message is fit to show an admin."""


class BadURL(AddressRefused):
    """Not an http(s) URL with a host."""


class UnknownHost(AddressRefused):
    """The host does not resolve (now): at delivery time worth another try."""


class PrivateAddress(AddressRefused):
    """The host resolves to a private, loopback, link-local or reserved address."""


@dataclass(frozen=True)
class Target:
    """A checked endpoint: where to connect, and what to tell the server (Host, TLS name)."""

    scheme: str
    host: str
    port: int
    path: str  # with the query
    addresses: tuple[str, ...]


def parse_url(url: str):
    """The URL's parts, or BadURL: http or https, a host, no user name or password in it."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise BadURL(_("%(url)s är ingen giltig adress.", url=url)) from None
    if len(url) > URL_MAX_LENGTH or parts.scheme not in {"http", "https"} or not parts.hostname:
        raise BadURL(_("Ange en adress som börjar med https:// eller http://."))
    if parts.username is not None or parts.password is not None:
        raise BadURL(_("Adressen får inte innehålla användarnamn eller lösenord."))
    return parts, port or (443 if parts.scheme == "https" else 80)


def is_private(address: IPAddress) -> bool:
    """True for any address that is not a public one, including IPv4 wrapped in IPv6."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if inner is not None and is_private(inner):
            return True
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or not address.is_global
    )


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the host resolves to (a literal address is its own answer)."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnknownHost(_("Värden %(host)s finns inte (DNS svarar inte).", host=host)) from None
    found: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in answers:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


def check(url: str, *, allow_private: bool) -> Target:
    """The endpoint as it may be called now, or an AddressRefused saying why not."""
    parts, port = parse_url(url)
    addresses = resolve(parts.hostname, port)
    if not allow_private:
        for address in addresses:
            if is_private(address):
                raise PrivateAddress(_private_message(parts.hostname, address))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port, path, tuple(str(a) for a in addresses))


def _private_message(host: str, address: IPAddress) -> str:
    if host == str(address):
        return _(
            "%(address)s är en privat, lokal eller reserverad adress. Webhooks går bara till"
            " offentliga adresser (inställningen SAMTAL_WEBHOOKS_ALLOW_PRIVATE).",
            address=str(address),
        )
    return _(
        "%(host)s pekar på %(address)s, en privat, lokal eller reserverad adress. Webhooks går"
        " bara till offentliga adresser (inställningen SAMTAL_WEBHOOKS_ALLOW_PRIVATE).",
        host=host,
        address=str(address),
    )
