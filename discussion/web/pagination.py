"""Pages of a query for the staff lists: which page the URL asks for, and that page's rows."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import func, select

from ..extensions import db

PER_PAGE = 20


@dataclass
class Page:
    items: list[Any]
    total: int
    number: int
    per_page: int = PER_PAGE

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


def paginate(statement, number: int, per_page: int = PER_PAGE) -> Page:
    """One page of the statement's rows, the number clamped to the pages there are."""
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    number = min(max(1, number), max(1, math.ceil((total or 0) / per_page)))
    rows = db.session.scalars(statement.limit(per_page).offset((number - 1) * per_page))
    return Page(list(rows.unique()), total or 0, number, per_page)
