"""Times, for machines and for people. Stored times are naive UTC.

Machines (the API, feeds) get RFC 3339 in UTC. People get the site's time zone
(SAMTAL_TIMEZONE) in their language, inside `<time datetime>`; the page's script turns it into
a relative time ("för 5 minuter sedan") and keeps the exact time as its title.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime
from markupsafe import Markup, escape

PATTERN = "d MMM y HH:mm"


def iso_utc(moment: datetime) -> str:
    """RFC 3339 in UTC to the second, e.g. 2013-09-26T08:15:00Z (the API and the feeds)."""
    return moment.isoformat(timespec="seconds") + "Z"


def local(moment: datetime, pattern: str = PATTERN) -> str:
    """The time in the site's time zone, written as the current language writes it."""
    return format_datetime(moment, pattern)


def time_element(moment: datetime) -> Markup:
    """`<time>` with the exact UTC instant for machines and the local time for people."""
    full = local(moment, "long")
    return Markup('<time datetime="%s" title="%s" data-when>%s</time>') % (
        iso_utc(moment),
        escape(full),
        escape(local(moment)),
    )


FILTERS = {"local_time": local, "time_element": time_element}
