"""The case queue query: filters and keyset pagination, so page 5,000 of a million cases is as fast as page 1.

Offset pagination reads and discards every earlier row; a keyset ("cases received before this one")
walks the (received_date, id) index from where the last page ended. The total is counted only up to a
cap, because an exact count of a million rows is work nobody reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from offramp.web.cases.models import Case

COUNT_CAP = 10_000


@dataclass(frozen=True)
class Cursor:
    received_date: dt.date
    id: int

    def encode(self) -> str:
        return f"{self.received_date.isoformat()}.{self.id}"

    @classmethod
    def decode(cls, text: str) -> Cursor | None:
        try:
            day, ident = text.split(".")
            return cls(dt.date.fromisoformat(day), int(ident))
        except ValueError:
            return None


@dataclass
class QueuePage:
    cases: list[Case]
    next_cursor: str | None
    total: int
    total_capped: bool


def filtered_cases(filters: dict[str, Any]) -> QuerySet[Case]:
    qs = Case.objects.all()
    if filters.get("stage"):
        qs = qs.filter(stage=filters["stage"])
    if filters.get("offense_kind"):
        qs = qs.filter(primary_offense_kind=filters["offense_kind"])
    if filters.get("drug"):
        qs = qs.filter(primary_drug=filters["drug"])
    if filters.get("received_from"):
        qs = qs.filter(received_date__gte=filters["received_from"])
    if filters.get("received_to"):
        qs = qs.filter(received_date__lte=filters["received_to"])
    if filters.get("q"):
        qs = qs.filter(case_key__startswith=filters["q"].strip())
    return qs


def queue_page(filters: dict[str, Any], cursor: Cursor | None, per_page: int) -> QueuePage:
    qs = filtered_cases(filters)
    total = qs[: COUNT_CAP + 1].count()
    page_qs = qs
    if cursor is not None:
        # "(received_date, id) < cursor", written as a range on the index's leading column: an OR of the
        # two cases made SQLite scan instead of seek (130 ms vs. 6 ms at row 500,000 of 1,000,000).
        page_qs = page_qs.filter(received_date__lte=cursor.received_date).exclude(
            received_date=cursor.received_date, id__gte=cursor.id
        )
    rows = list(page_qs.select_related("person").order_by("-received_date", "-id")[: per_page + 1])
    next_cursor = None
    if len(rows) > per_page:
        last = rows[per_page - 1]
        next_cursor = Cursor(last.received_date, last.pk).encode()
    return QueuePage(rows[:per_page], next_cursor, min(total, COUNT_CAP), total > COUNT_CAP)
