"""Date arithmetic that SQLite and PostgreSQL spell differently, as SQL expressions."""

from __future__ import annotations

from sqlalchemy import Date, Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class day(FunctionElement):
    """The calendar day (UTC) of a timestamp: a date (PostgreSQL) or 'YYYY-MM-DD' (SQLite)."""

    type = Date()
    inherit_cache = True


class week(FunctionElement):
    """The Monday starting a timestamp's ISO week: a date (PostgreSQL) or 'YYYY-MM-DD' (SQLite).

    A date, not text, on PostgreSQL: grouping and sorting by text costs a collation each time.
    """

    type = Date()
    inherit_cache = True


class seconds_between(FunctionElement):
    """Seconds from the first timestamp to the second."""

    type = Float()
    inherit_cache = True


def _args(element, compiler, kw) -> list[str]:
    return [compiler.process(clause, **kw) for clause in element.clauses]


@compiles(day)
def _day(element, compiler, **kw):
    (value,) = _args(element, compiler, kw)
    return f"CAST({value} AS DATE)"


@compiles(day, "sqlite")
def _day_sqlite(element, compiler, **kw):
    (value,) = _args(element, compiler, kw)
    return f"date({value})"


@compiles(week)
def _week(element, compiler, **kw):
    (value,) = _args(element, compiler, kw)
    return f"CAST(date_trunc('week', {value}) AS DATE)"


@compiles(week, "sqlite")
def _week_sqlite(element, compiler, **kw):
    # 'weekday 0' moves forward to Sunday (or stays on one); six days back is that week's Monday.
    (value,) = _args(element, compiler, kw)
    return f"date({value}, 'weekday 0', '-6 days')"


@compiles(seconds_between)
def _seconds(element, compiler, **kw):
    start, end = _args(element, compiler, kw)
    return f"extract(epoch from ({end} - {start}))"


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element, compiler, **kw):
    start, end = _args(element, compiler, kw)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"
