"""Storing a parsed CaseBatch: all-or-nothing, idempotent, fast enough for a million rows.

Each case gets a content hash (`row_hash`, over the case, its person key and its charges, victims and
referrals). Rows whose key is new are inserted; rows whose hash differs are updated and their children
replaced; rows whose hash is unchanged are left alone — so importing the same file twice changes nothing.
New rows get their ids here (after the table's maximum, under a lock) so children can point at them
without a round trip. Everything runs in one transaction; a dry run rolls it back after counting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import polars as pl
import polars_hash as plh
from django.db import connection, models, transaction
from django.utils import timezone

from offramp.core.intake.batch import CaseBatch
from offramp.web.bulk import LOOKUP_CHUNK, BulkWriter, bulk_load_mode, reset_sequences
from offramp.web.cases.models import (
    Case,
    Charge,
    DataQualityWarning,
    ImportBatch,
    Person,
    ProgramReferral,
    Victim,
)

Progress = Callable[[int], None]

#: a load adding at least this many cases (and more than the table holds) rebuilds the case table's
#: secondary indexes afterwards instead of updating them row by row
DEFER_INDEXES_AT = 50_000
#: keys per lookup query on PostgreSQL (one array parameter)
PG_LOOKUP_CHUNK = 100_000
#: SQLite page cache for an import (KiB): index pages of a million-row table stay in memory
SQLITE_IMPORT_CACHE_KIB = 1_048_576

CHILDREN: tuple[tuple[type[models.Model], str], ...] = (
    (Charge, "charges"),
    (Victim, "victims"),
    (ProgramReferral, "referrals"),
)


@dataclass
class ImportSummary:
    batch_id: int | None
    rows: int
    cases_new: int
    cases_changed: int
    cases_unchanged: int
    persons_new: int
    persons_changed: int
    warnings: int
    dry_run: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _DryRunRollback(Exception):
    """Raised inside the transaction to undo a dry run after counting what it would do."""

    def __init__(self, summary: ImportSummary) -> None:
        self.summary = summary


def store_batch(
    batch: CaseBatch,
    *,
    file_name: str,
    file_sha256: str,
    actor_name: str,
    dry_run: bool = False,
    progress: Progress | None = None,
    audit: Callable[[ImportSummary], object] | None = None,
) -> ImportSummary:
    """Write `batch` in one transaction and return what changed. A dry run rolls everything back.

    `audit(summary)` records the import: called inside the import's transaction, so the cases and their
    audit event are stored together or not at all (a dry run changes nothing: its event is written after
    the rollback)."""
    tick = progress or (lambda n: None)
    try:
        with BulkWriter() as writer, transaction.atomic():
            _prepare_connection()
            summary = _store(batch, writer, file_name, file_sha256, actor_name, dry_run, tick)
            if dry_run:
                raise _DryRunRollback(summary)
            if audit is not None:
                audit(summary)
    except _DryRunRollback as rollback:
        if audit is not None:
            audit(rollback.summary)
        return rollback.summary
    return summary


def refresh_statistics() -> None:
    """After a large load, let the query planner see the new rows (ANALYZE samples, so it is quick and may
    run inside the import's transaction). PostgreSQL's autovacuum later sets the visibility map that lets
    the queue's capped counts skip the heap."""
    with connection.cursor() as cur:
        for model in (Person, Case, *[m for m, _ in CHILDREN]):
            cur.execute(f"ANALYZE {model._meta.db_table}")


def _prepare_connection() -> None:
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            # The default 2 MB cache makes every index insert a disk read once the table outgrows it;
            # two sorter threads let CREATE INDEX use both cores. SQLite's IMMEDIATE transaction
            # already serialises writers.
            cur.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
            cur.execute("PRAGMA threads = 2")
        else:
            # Memory for rebuilding indexes and validating foreign keys after a large load (this
            # transaction only).
            cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cur.execute("SET LOCAL work_mem = '256MB'")
            # One import at a time: ids are assigned from max(id).
            cur.execute(
                f"LOCK TABLE {Case._meta.db_table}, {Person._meta.db_table} IN SHARE ROW EXCLUSIVE MODE"
            )


def _store(
    batch: CaseBatch,
    writer: BulkWriter,
    file_name: str,
    file_sha256: str,
    actor_name: str,
    dry_run: bool,
    progress: Progress,
) -> ImportSummary:
    record = ImportBatch.objects.create(
        started_at=timezone.now(),
        source_format=batch.source_format,
        file_name=file_name[:500],
        file_sha256=file_sha256,
        actor_name=actor_name[:150],
        dry_run=dry_run,
        rows=batch.cases.height,
    )
    person_ids, persons_new, persons_changed = _write_persons(batch.persons, writer)
    progress(batch.cases.height // 10)

    cases = with_hash(_with_children_digest(batch), exclude=("source_row",)).drop("__children")
    plan = _plan(cases, Case, "case_key")
    cases = cases.join(person_ids, on="person_key", how="left").with_columns(
        pl.lit(batch.source_format).alias("source_format"), pl.lit(record.pk).alias("import_batch_id")
    )
    new_cases = _assign_ids(plan.filter(pl.col("id").is_null()).select("case_key").sort("case_key"), Case)
    new_cases = new_cases.join(cases, on="case_key")
    changed = plan.filter(pl.col("id").is_not_null() & pl.col("changed")).select("case_key", "id")
    changed_cases = changed.join(cases, on="case_key")

    case_cols = _columns(Case, exclude={"assigned_prosecutor"})
    touched = pl.concat([new_cases.select("case_key", "id"), changed.select("case_key", "id")])
    touched = touched.rename({"id": "case_id"})
    changed_ids = changed.get_column("id").to_list()
    for model, _ in (*CHILDREN, (DataQualityWarning, "warnings")):
        writer.delete_where_in(model, "case_id", changed_ids)
    writer.update(Case, changed_cases, [c for c in case_cols if c not in ("id", "case_key")])
    writer.insert(Case, new_cases, case_cols)
    for model, name in CHILDREN:
        children = getattr(batch, name).join(touched, on="case_key", how="inner").sort("case_id", "seq")
        writer.insert(model, _assign_ids(children, model), _columns(model, exclude=set()))
    warnings = batch.warnings.join(touched, on="case_key", how="inner").with_columns(
        pl.lit(record.pk).alias("import_batch_id")
    )
    writer.insert(
        DataQualityWarning,
        _assign_ids(warnings, DataQualityWarning),
        _columns(DataQualityWarning, exclude=set()),
    )
    progress(batch.cases.height // 2)
    with bulk_load_mode((Case, *[m for m, _ in CHILDREN]), new_cases.height, DEFER_INDEXES_AT):
        writer.flush()
    if new_cases.height >= DEFER_INDEXES_AT:
        refresh_statistics()
    reset_sequences((Person, Case, Charge, Victim, ProgramReferral, DataQualityWarning))
    progress(batch.cases.height - batch.cases.height // 10 - batch.cases.height // 2)

    summary = ImportSummary(
        batch_id=record.pk,
        rows=batch.cases.height,
        cases_new=new_cases.height,
        cases_changed=changed_cases.height,
        cases_unchanged=batch.cases.height - new_cases.height - changed_cases.height,
        persons_new=persons_new,
        persons_changed=persons_changed,
        warnings=warnings.height,
        dry_run=dry_run,
    )
    ImportBatch.objects.filter(pk=record.pk).update(
        finished_at=timezone.now(),
        cases_new=summary.cases_new,
        cases_changed=summary.cases_changed,
        cases_unchanged=summary.cases_unchanged,
        persons_new=persons_new,
        persons_changed=persons_changed,
        warnings=summary.warnings,
    )
    return summary


def _write_persons(persons: pl.DataFrame, writer: BulkWriter) -> tuple[pl.DataFrame, int, int]:
    """Insert new people, update changed ones; returns person_key -> person_id for the whole batch."""
    persons = with_hash(persons)
    plan = _plan(persons, Person, "person_key")
    new = _assign_ids(plan.filter(pl.col("id").is_null()).select("person_key").sort("person_key"), Person)
    new = new.join(persons, on="person_key")
    changed = plan.filter(pl.col("id").is_not_null() & pl.col("changed")).select("person_key", "id")
    changed = changed.join(persons, on="person_key")
    cols = _columns(Person, exclude=set())
    writer.insert(Person, new, cols)
    writer.update(Person, changed, [c for c in cols if c not in ("id", "person_key")])
    ids = pl.concat(
        [plan.filter(pl.col("id").is_not_null()).select("person_key", "id"), new.select("person_key", "id")]
    )
    return ids.rename({"id": "person_id"}), new.height, changed.height


def _with_children_digest(batch: CaseBatch) -> pl.DataFrame:
    """Cases plus `__children`: their charges, victims and referrals as text, so a changed charge
    makes a changed case."""
    cases = batch.cases
    parts = []
    for _, name in CHILDREN:
        frame: pl.DataFrame = getattr(batch, name)
        digest = (
            frame.sort("case_key", "seq")
            .select(
                "case_key",
                pl.concat_str(
                    pl.all().exclude("case_key").cast(pl.String).fill_null("∅"), separator="\x1f"
                ).alias("d"),
            )
            .group_by("case_key", maintain_order=True)
            .agg(pl.col("d").str.join("\x1e").alias(f"__{name}"))
        )
        cases = cases.join(digest, on="case_key", how="left")
        parts.append(pl.col(f"__{name}").fill_null(""))
    return cases.with_columns(pl.concat_str(parts, separator="\x1d").alias("__children")).drop(
        [f"__{name}" for _, name in CHILDREN]
    )


def with_hash(frame: pl.DataFrame, exclude: tuple[str, ...] = ()) -> pl.DataFrame:
    """`frame` plus `row_hash`: a digest of the row's content that is stable across Polars versions
    (BLAKE3 from polars-hash; Polars' own `hash` may change between releases, which would make every
    stored row look changed after an upgrade)."""
    content = pl.concat_str(
        [pl.col(c).cast(pl.String).fill_null("∅") for c in frame.columns if c not in exclude],
        separator="\x1f",
    )
    return (
        frame.with_columns(content.alias("__content"))
        .with_columns(plh.col("__content").chash.blake3().str.slice(0, 32).alias("row_hash"))
        .drop("__content")
    )


def _plan(frame: pl.DataFrame, model: type[models.Model], key: str) -> pl.DataFrame:
    """key, id (null if new), changed — by looking up the keys already stored."""
    existing = lookup_existing(model, key, frame.get_column(key).to_list())
    return (
        frame.select(key, "row_hash")
        .join(existing, on=key, how="left")
        .with_columns((pl.col("row_hash") != pl.col("row_hash_stored")).fill_null(True).alias("changed"))
        .select(key, "id", "changed")
    )


def lookup_existing(model: type[models.Model], key: str, keys: list[str]) -> pl.DataFrame:
    """key, id and stored row_hash of the rows of `model` whose `key` is among `keys`."""
    table = model._meta.db_table
    found: list[tuple[str, int, str]] = []
    if keys and model._default_manager.exists():  # a first import has nothing to look up
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                # one array parameter per query: planning a 5,000-parameter IN list costs more than the lookup
                for start in range(0, len(keys), PG_LOOKUP_CHUNK):
                    chunk = keys[start : start + PG_LOOKUP_CHUNK]
                    cur.execute(f"SELECT {key}, id, row_hash FROM {table} WHERE {key} = ANY(%s)", [chunk])
                    found.extend(cur.fetchall())
            else:
                for start in range(0, len(keys), LOOKUP_CHUNK):
                    chunk = keys[start : start + LOOKUP_CHUNK]
                    marks = ",".join(["%s"] * len(chunk))
                    cur.execute(f"SELECT {key}, id, row_hash FROM {table} WHERE {key} IN ({marks})", chunk)
                    found.extend(cur.fetchall())
    return pl.DataFrame(
        found, schema={key: pl.String, "id": pl.Int64, "row_hash_stored": pl.String}, orient="row"
    )


def _assign_ids(frame: pl.DataFrame, model: type[models.Model]) -> pl.DataFrame:
    """`frame` with fresh ids after the table's current maximum (the import holds the write lock)."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")
        (top,) = cur.fetchone()
    return (
        frame.drop("id", strict=False)
        .with_row_index("id", offset=int(top) + 1)
        .with_columns(pl.col("id").cast(pl.Int64))
    )


def _columns(model: type[models.Model], exclude: set[str]) -> list[str]:
    return [
        f.column for f in model._meta.concrete_fields if f.name not in exclude and f.column not in exclude
    ]
