"""Stored cases back into the `CaseBatch` intake would have produced: the one way from the database to core.

`batch_for(queryset)` reads the cases a queryset selects, with their persons, charges, victims and imported
program referrals, in one query per table (each selected by a subquery of the queryset, never a Python loop
over rows), through `web.dbread`. Every path that evaluates stored cases starts here and hands the batch
to core (`core.evaluation.frame.case_frame`), so the primary charge, the quantity in grams and the age at
receipt are decided in one place: the case page, record relief, the analytics snapshot, the what-if page
and `offramp export cases` (whose file `offramp evaluate` reads) all see the same frame.

`read_batch` also returns the database ids (`case_id`, `person_id` per `case_key`), which the analytics
snapshot joins the office's own tables on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db.models import QuerySet

from offramp.core.intake.batch import (
    CASE_SCHEMA,
    CHARGE_SCHEMA,
    PERSON_SCHEMA,
    REFERRAL_SCHEMA,
    VICTIM_SCHEMA,
    CaseBatch,
    conform,
)
from offramp.web.dbread import as_int, read

#: the `source_format` of a batch read back from the database
SOURCE_FORMAT = "database"
#: source text columns left null when `raw_text=False` (the evaluation and the analytics never read them)
RAW_TEXT = frozenset(
    name
    for schema in (PERSON_SCHEMA, CASE_SCHEMA, CHARGE_SCHEMA, VICTIM_SCHEMA, REFERRAL_SCHEMA)
    for name in schema
    if name.endswith("_raw") or name == "narrative"
)
IDS_SCHEMA: dict[str, pl.DataType] = {"case_key": pl.String(), "case_id": pl.Int64(), "person_id": pl.Int64()}


@dataclass(frozen=True)
class StoredBatch:
    """A batch read from the database and the ids of its rows (`case_key`, `case_id`, `person_id`, row for
    row in the order of `batch.cases`)."""

    batch: CaseBatch
    ids: pl.DataFrame


def batch_for(cases: QuerySet[Any], *, raw_text: bool = True, staged: bool = True) -> CaseBatch:
    """The stored cases of `cases` as a `CaseBatch` (see `read_batch`)."""
    return read_batch(cases, raw_text=raw_text, staged=staged).batch


def read_batch(cases: QuerySet[Any], *, raw_text: bool = True, staged: bool = True) -> StoredBatch:
    """The stored cases of `cases`, ordered by id, with their persons, charges, victims and imported
    program referrals, and the database ids of each case.

    `raw_text=False` leaves the source text (`*_raw`, narrative) null: at a million cases it is most of the
    bytes, and no evaluation reads it. `staged=False` reads through Django's cursor on SQLite (one case
    for a page: no staging file to set up; see `web.dbread`)."""
    where, params = _selection(cases)

    def table(
        schema: dict[str, pl.DataType], sql_name: str, key: str, selected: str, order: str
    ) -> pl.DataFrame:
        # text left out is not selected at all: `conform` below adds it back as null. The order is the
        # database's (by the primary key or the (case, seq) unique index): no sort in Polars
        wanted = {n: t for n, t in schema.items() if raw_text or n not in RAW_TEXT}
        columns = [as_int(n) if t == pl.Boolean() else n for n, t in wanted.items()]
        sql = f"SELECT {key}, {', '.join(columns)} FROM {sql_name} WHERE {selected} ORDER BY {order}"
        return read(sql, {"_key": pl.Int64(), **wanted}, params, staged=staged)

    case_schema = {n: t for n, t in CASE_SCHEMA.items() if n != "person_key"}
    cases_read = table({"person_id": pl.Int64(), **case_schema}, "cases_case", "id", where.format("id"), "id")
    cases_read = cases_read.rename({"_key": "case_id"})
    # every case selected: every person read, and those without a case dropped here (cheaper than IN)
    of_cases = (
        "TRUE" if where == "TRUE" else f"id IN (SELECT person_id FROM cases_case WHERE {where.format('id')})"
    )
    persons = table(PERSON_SCHEMA, "cases_person", "id", of_cases, "id").rename({"_key": "id"})
    persons = persons.filter(pl.col("id").is_in(cases_read["person_id"].implode()))
    keys = cases_read.select("case_id", "case_key")
    ids = cases_read.select("case_key", "case_id", "person_id").join(
        persons.select(pl.col("id").alias("person_id"), "person_key"),
        on="person_id",
        how="left",
        maintain_order="left",
    )

    def children(schema: dict[str, pl.DataType], sql_name: str) -> pl.DataFrame:
        own = {n: t for n, t in schema.items() if n != "case_key"}
        rows = table(own, sql_name, "case_id", where.format("case_id"), "case_id, seq")
        return rows.join(keys, left_on="_key", right_on="case_id", how="inner", maintain_order="left")

    batch = CaseBatch(
        source_format=SOURCE_FORMAT,
        persons=conform(persons, PERSON_SCHEMA),
        cases=conform(cases_read.with_columns(ids["person_key"]), CASE_SCHEMA),
        charges=conform(children(CHARGE_SCHEMA, "cases_charge"), CHARGE_SCHEMA),
        victims=conform(children(VICTIM_SCHEMA, "cases_victim"), VICTIM_SCHEMA),
        referrals=conform(children(REFERRAL_SCHEMA, "cases_programreferral"), REFERRAL_SCHEMA),
    )
    return StoredBatch(batch=batch, ids=conform(ids, IDS_SCHEMA))


def _selection(cases: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    """A WHERE template (`{}` = the column holding a case id, or a person id for the persons table) and
    its parameters. A queryset without a filter selects every row, with no subquery to build."""
    if not cases.query.where and not cases.query.is_sliced:
        return "TRUE", ()
    sql, params = cases.order_by().values("pk").query.sql_with_params()
    return "{} IN (" + sql.replace("{", "{{").replace("}", "}}") + ")", tuple(params)
