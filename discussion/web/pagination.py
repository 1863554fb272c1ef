"""Pages of a query for the staff lists: which page the URL asks for, and that page's rows."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import func, select

from ..extensions import db

PER_PAGE = 20
# A listing counts its rows this far and no further ("fler än 1000"): with a million comments
# an exact count reads the whole table, and nobody pages through a thousand of them.
COUNT_CAP = 1000
MAX_PAGE_NUMBER = 1_000_000  # a page number beyond this is the last page, whatever the URL says


@dataclass
class Page:
    items: list[Any]
    total: int
    number: int
    per_page: int = PER_PAGE
    capped: bool = False  # there are more rows than `total`: counting stopped there

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_number() -> int:
    """The page the URL asks for (?sida=N), 1 when it does not say."""
    return request.args.get("sida", 1, type=int)


def paginate(statement, number: int, per_page: int = PER_PAGE, cap: int | None = None) -> Page:
    """One page of the statement's rows, the number clamped to the pages there are.

    With `cap`, rows are counted only up to `cap` (or as far as the page asked for), and one
    more to know that there are more.
    """
    counted = statement.order_by(None)
    asked = min(max(1, number), MAX_PAGE_NUMBER)  # a number beyond any table's rows
    limit = None if cap is None else max(cap, asked * per_page)
    if limit is not None:
        counted = counted.limit(limit + 1)
    total = db.session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    capped = limit is not None and total > limit
    total = min(total, limit) if capped else total
    number = min(max(1, number), max(1, math.ceil(total / per_page)))
    rows = db.session.scalars(statement.limit(per_page).offset((number - 1) * per_page))
    return Page(list(rows.unique()), total, number, per_page, capped)
