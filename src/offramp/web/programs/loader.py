"""Storing a frame of program listings: an idempotent upsert by listing_key, all or nothing.

Rows are written through `offramp.web.bulk.BulkWriter`, as cases are (Arrow staging on SQLite, COPY on
PostgreSQL): the ORM took about 15 s for the ~42,000 rows of the national files. The two fields that
need a database form of their own (the JSON warnings and imported_at) are prepared here as text.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import NamedTuple

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from offramp.core.programs import LISTING_SCHEMA
from offramp.web.bulk import BulkWriter
from offramp.web.programs.models import ProgramListing

#: columns an import writes, in order; the frame's columns plus the time of the import
WRITTEN = [*LISTING_SCHEMA, "imported_at"]


class LoadCounts(NamedTuple):
    """What a load did: listings created, rewritten because the source changed, and left alone."""

    new: int
    changed: int
    unchanged: int


def load_listings(frame: pl.DataFrame, *, now: dt.datetime | None = None) -> LoadCounts:
    """Upsert every row of `frame` (LISTING_SCHEMA) by listing_key in one transaction.

    A listing whose row_hash matches the stored one is not written at all, so loading the same files
    twice changes nothing (imported_at included). Listings missing from the frame are kept: a later
    referral may point at them, and a partial folder must not empty the directory.
    """
    missing = [name for name in LISTING_SCHEMA if name not in frame.columns]
    if missing:
        raise ValueError(f"frame lacks listing columns: {', '.join(missing)}")
    now = now or timezone.now()
    files = frame.get_column("source_file").unique().to_list()
    with transaction.atomic():
        stored = pl.DataFrame(
            list(
                ProgramListing.objects.filter(source_file__in=files).values_list(
                    "listing_key", "id", "row_hash"
                )
            ),
            schema={"listing_key": pl.String, "id": pl.Int64, "stored_hash": pl.String},
            orient="row",
        )
        matched = frame.select(list(LISTING_SCHEMA)).join(stored, on="listing_key", how="left")
        new = matched.filter(pl.col("id").is_null()).drop("id", "stored_hash")
        changed = matched.filter(pl.col("id").is_not_null() & (pl.col("row_hash") != pl.col("stored_hash")))
        insert_rows(new, now)
        update_rows(changed.drop("stored_hash"), now)
    return LoadCounts(
        new=new.height, changed=changed.height, unchanged=frame.height - new.height - changed.height
    )


def _ready(frame: pl.DataFrame, now: dt.datetime) -> pl.DataFrame:
    """WRITTEN columns as the database takes them: warnings as JSON text, imported_at as a timestamp."""
    stamp = ProgramListing._meta.get_field("imported_at").get_db_prep_save(now, connection)
    return frame.with_columns(
        pl.Series("warnings", [json.dumps(w) for w in frame.get_column("warnings").to_list()], pl.String),
        pl.lit(str(stamp)).alias("imported_at"),
    )


def _columns() -> list[str]:
    return [ProgramListing._meta.get_field(name).column for name in WRITTEN]


def insert_rows(frame: pl.DataFrame, now: dt.datetime) -> None:
    if frame.is_empty():
        return
    with BulkWriter() as writer:  # ids come from the table's own sequence
        writer.insert(ProgramListing, _ready(frame, now), _columns())
        writer.flush()


def update_rows(frame: pl.DataFrame, now: dt.datetime) -> None:
    """Rewrite the written fields of the rows in `frame`, found by their `id` column (listing_key is
    rewritten with its own value)."""
    if frame.is_empty():
        return
    with BulkWriter() as writer:
        writer.update(ProgramListing, _ready(frame, now), _columns())
