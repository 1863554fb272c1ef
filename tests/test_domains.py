"""Domain matching on its own: an organisation is proved by its domain, never by a look-alike."""

from __future__ import annotations

import pytest

from discussion.domains import (
    DomainError,
    domain_suffixes,
    header_safe,
    matching_domain,
    normalise_domain,
    parse_address,
)
from discussion.jobs import backoff_schedule

REGISTERED = ["kommunal.se", "unionen.se", "xn--gteborg-90a.se"]


def org_domain(address: str) -> str | None:
    parsed = parse_address(address)
    return matching_domain(parsed.domain, REGISTERED) if parsed else None


@pytest.mark.parametrize(
    "address",
    [
        "emma.nilsson@kommunal.se",
        "Emma.Nilsson@Kommunal.SE",
        "emma@press.kommunal.se",
        "emma@a.b.kommunal.se",
        "emma@ｋｏｍｍｕｎａｌ.se",  # full-width: IDNA maps it to the real kommunal.se
        "emma@kommunal。se",  # ideographic full stop, likewise
        "  emma@kommunal.se  ",
    ],
)
def test_the_domain_and_its_subdomains_match(address):
    assert org_domain(address) == "kommunal.se"


@pytest.mark.parametrize(
    "address",
    [
        "emma@kommunal.se.example.net",  # the domain as a prefix of another
        "emma@evilkommunal.se",  # the domain as a suffix without a label boundary
        "emma@kommunal-se.example",
        "emma@kommunaI.se",  # capital i for l
        "emma@kommunаl.se",  # Cyrillic а: xn--kommunl-7fg.se
        "emma@xn--kommunl-7fg.se",  # the same, typed as punycode
        "emma@xn--kommunal-.se",
        "kommunal.se@evil.example",  # the domain as a local part
        '"emma@kommunal.se"@evil.example',  # quoted local part
        "emma@kommunal.se@evil.example",
        "emma@kommunal.se.",  # trailing dot
        "emma@kommunal.se\r\nBcc: victim@example.com",
        "emma@kommunal.se\x00",
        "emma@kommunal.se\u200b",  # zero-width space
        "Emma <emma@kommunal.se>",  # display names are not addresses
        "emma@[127.0.0.1]",
        "emma@se",
        "kommunal.se",
        "",
        None,
    ],
)
def test_look_alikes_do_not_match(address):
    assert org_domain(address) is None


def test_the_most_specific_registered_domain_wins():
    assert matching_domain("press.kommunal.se", ["kommunal.se", "press.kommunal.se"]) == (
        "press.kommunal.se"
    )
    assert domain_suffixes("a.kommunal.se") == ["a.kommunal.se", "kommunal.se", "se"]


def test_addresses_are_normalised_for_lookups():
    parsed = parse_address("Emma.Nilsson@Göteborg.SE")
    assert parsed.key == "emma.nilsson@xn--gteborg-90a.se"
    assert parsed.domain == "xn--gteborg-90a.se"
    assert org_domain("emma@göteborg.se") == "xn--gteborg-90a.se"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("kommunal.se", "kommunal.se"),
        (" Kommunal.SE. ", "kommunal.se"),
        ("Göteborg.se", "xn--gteborg-90a.se"),
        ("press.kommunal.se", "press.kommunal.se"),
    ],
)
def test_registered_domains_are_stored_in_ascii(typed, stored):
    assert normalise_domain(typed) == stored


@pytest.mark.parametrize(
    "typed", ["se", "", "@kommunal.se", "emma@kommunal.se", "kommu\nnal.se", "kommunal..se", "*.se"]
)
def test_bad_domains_are_refused(typed):
    with pytest.raises(DomainError):
        normalise_domain(typed)


def test_header_safe_text_has_no_line_breaks_or_controls():
    assert header_safe("Kommunal\r\nBcc: evil@example.com") == "Kommunal Bcc: evil@example.com"
    assert header_safe("a\x00b\x1b[31mc\u2028d") == "a b [31mc d"
    assert header_safe("Vad tror du?") == "Vad tror du?"
    assert len(header_safe("x" * 500, 100)) == 100


def test_the_back_off_doubles_and_covers_at_least_the_retry_period():
    waits = backoff_schedule(30, 3600)
    assert waits[:4] == [30, 60, 120, 240]
    assert sum(waits) >= 3600
    assert sum(waits[:-1]) < 3600  # and no more attempts than that needs
    assert max(backoff_schedule(30, 6 * 3600)) == 1800
