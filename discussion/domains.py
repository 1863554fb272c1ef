"""E-mail addresses and the organisations' domains they belong to: pure, no Flask, no database.

An organisation's identity is proved by its e-mail domain, so the comparison must not be fooled
by look-alikes. Addresses are parsed by email-validator (no quoted local parts, no display names,
no IP literals, no trailing dot) and domains compared in their ASCII (IDNA) form, label by label:
`kommunal.se` matches `kommunal.se` and `x.kommunal.se`, never `kommunal.se.example.net`,
`kommunaI.se` or a Cyrillic `kommunаl.se` (which is `xn--kommunl-7fg.se`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


class DomainError(ValueError):
    """A domain an admin typed cannot belong to an organisation."""


@dataclass(frozen=True)
class Address:
    """A parsed address: `key` for lookups and sending, `domain` in ASCII for matching."""

    key: str
    domain: str


@lru_cache(maxsize=1024)
def parse_address(text: str | None) -> Address | None:
    """The normalised address, or None if `text` is not one plain address.

    Remembered: one comment's address is parsed by its form, its organisation's lookup and its
    routing, and the answer (a frozen Address) depends on the text alone."""
    if not text or _CONTROL.search(text):
        return None
    try:
        valid = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError:
        return None
    domain = valid.ascii_domain.lower()
    return Address(key=f"{valid.local_part.lower()}@{domain}", domain=domain)


def normalise_domain(text: str) -> str:
    """The ASCII form of a domain to register, e.g. `Göteborg.se` → `xn--gteborg-90a.se`."""
    candidate = (text or "").strip().lower()
    if candidate.endswith("."):
        candidate = candidate[:-1]
    if not candidate or "@" in candidate or _CONTROL.search(candidate):
        raise DomainError(f"not a domain: {text!r}")
    parsed = parse_address(f"postmaster@{candidate}")
    if parsed is None:
        raise DomainError(f"not a domain: {text!r}")
    if "." not in parsed.domain:
        raise DomainError(f"a domain needs at least two labels: {text!r}")
    return parsed.domain


def domain_suffixes(domain: str) -> list[str]:
    """`a.kommunal.se` → [`a.kommunal.se`, `kommunal.se`, `se`]: the domains it can belong to."""
    labels = domain.lower().split(".")
    return [".".join(labels[index:]) for index in range(len(labels))]


def matching_domain(address_domain: str, registered: Iterable[str]) -> str | None:
    """The most specific registered domain that `address_domain` is, or is a subdomain of."""
    candidates = set(domain_suffixes(address_domain))
    matches = [domain for domain in registered if domain in candidates]
    return max(matches, key=len, default=None)


def header_safe(text: str, limit: int = 200) -> str:
    """Text fit for a header: control characters (CR, LF, …) become spaces, length is capped."""
    flat = _CONTROL.sub(" ", unicodedata.normalize("NFC", text or ""))
    flat = " ".join(flat.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
