"""Times as Samtal writes them for machines: stored times are naive UTC, and say so."""

from __future__ import annotations

from datetime import datetime


def iso_utc(moment: datetime) -> str:
    """RFC 3339 in UTC to the second, e.g. 2013-09-26T08:15:00Z (the API and the feeds)."""
    return moment.isoformat(timespec="seconds") + "Z"
