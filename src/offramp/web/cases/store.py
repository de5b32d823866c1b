"""Writing a parsed CaseBatch to the database: all-or-nothing, idempotent, fast enough for a million rows.

Why not the ORM: `bulk_create` of a million cases with their charges takes minutes and cannot tell a
re-import from a change. Instead each case gets a content hash (`row_hash`); rows whose key is new are
inserted, rows whose hash differs are updated (their charges, victims and referrals replaced), rows whose
hash is the same are left alone. New rows get their ids here so children can point at them without a
round trip; PostgreSQL sequences are moved past them at the end. SQLite takes rows via executemany on the
raw connection, PostgreSQL via COPY. All of it runs in one transaction.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import polars as pl
from django.db import connection, models, transaction
from django.utils import timezone

from offramp.core.records import CaseBatch
from offramp.web.cases.models import (
    Case,
    Charge,
    DataQualityWarning,
    ImportBatch,
    Person,
    ProgramReferral,
    Victim,
)

#: rows per executemany / COPY chunk, and per key lookup
CHUNK = 50_000
LOOKUP_CHUNK = 5_000

Progress = Callable[[int], None]


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


class DryRunRollback(Exception):
    """Raised inside the transaction to undo a dry run after counting what it would do."""


def store_batch(
    batch: CaseBatch,
    *,
    file_name: str,
    file_sha256: str,
    actor_name: str,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Write `batch` in one transaction and return what changed. A dry run rolls everything back."""
    summary: ImportSummary | None = None
    try:
        with transaction.atomic():
            _lock_tables()
            summary = _store(batch, file_name, file_sha256, actor_name, dry_run, progress or (lambda n: None))
            if dry_run:
                raise DryRunRollback
    except DryRunRollback:
        pass
    assert summary is not None  # noqa: S101 - _store always returns or raises
    return summary


#: SQLite page cache for an import (KiB): index pages of a million-row table stay in memory
SQLITE_IMPORT_CACHE_KIB = 1_048_576


def _lock_tables() -> None:
    # One import at a time: ids are assigned from max(id). SQLite's IMMEDIATE transactions already
    # serialise writers; PostgreSQL needs an explicit lock.
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            # The default 2 MB cache makes every index insert a disk read once the table outgrows it.
            cur.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"LOCK TABLE {Case._meta.db_table}, {Person._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")


def _store(
    batch: CaseBatch, file_name: str, file_sha256: str, actor_name: str, dry_run: bool, progress: Progress
) -> ImportSummary:
    now = timezone.now()
    record = ImportBatch.objects.create(
        started_at=now, source_format=batch.source_format, file_name=file_name[:500],
        file_sha256=file_sha256, actor_name=actor_name[:150], dry_run=dry_run, rows=batch.cases.height,
    )
    persons = with_hash(batch.persons)
    cases = with_hash(_case_content(batch), exclude=("source_row",)).drop("__children")

    person_ids, persons_new, persons_changed = _write_persons(persons, progress)
    case_plan = _plan(cases, Case, "case_key")
    cases = cases.join(person_ids, on="person_key", how="left").with_columns(
        pl.lit(batch.source_format).alias("source_format"), pl.lit(record.pk).alias("import_batch_id")
    )
    new_cases = _assign_ids(case_plan.filter(pl.col("id").is_null()), Case).join(
        cases, on="case_key"
    )
    changed_cases = case_plan.filter(pl.col("id").is_not_null() & pl.col("changed")).select("case_key", "id").join(
        cases, on="case_key"
    )
    case_cols = _columns(Case, exclude={"id", "assigned_prosecutor"})
    with indexes_deferred((Case,), new_cases.height):
        insert_rows(Case, new_cases, case_cols, progress)
    update_rows(Case, changed_cases, [c for c in case_cols if c not in ("case_key",)])

    touched = pl.concat([new_cases.select("case_key", "id"), changed_cases.select("case_key", "id")])
    _delete_children(changed_cases.get_column("id").to_list())
    for model, frame in ((Charge, batch.charges), (Victim, batch.victims), (ProgramReferral, batch.referrals)):
        children = frame.join(touched.rename({"id": "case_id"}), on="case_key", how="inner")
        insert_rows(model, _assign_ids(children, model), _columns(model, exclude=set()), progress=None)

    warnings = batch.warnings.join(touched.rename({"id": "case_id"}), on="case_key", how="inner")
    warnings = warnings.with_columns(pl.lit(record.pk).alias("import_batch_id"))
    insert_rows(DataQualityWarning, _assign_ids(warnings, DataQualityWarning),
                _columns(DataQualityWarning, exclude=set()), progress=None)
    _reset_sequences()

    summary = ImportSummary(
        batch_id=record.pk, rows=batch.cases.height, cases_new=new_cases.height,
        cases_changed=changed_cases.height,
        cases_unchanged=batch.cases.height - new_cases.height - changed_cases.height,
        persons_new=persons_new, persons_changed=persons_changed, warnings=warnings.height, dry_run=dry_run,
    )
    ImportBatch.objects.filter(pk=record.pk).update(
        finished_at=timezone.now(), cases_new=summary.cases_new, cases_changed=summary.cases_changed,
        cases_unchanged=summary.cases_unchanged, persons_new=persons_new, persons_changed=persons_changed,
        warnings=summary.warnings,
    )
    return summary


#: a load adding at least this many cases, and at least as many as the table holds, rebuilds the
#: queue indexes afterwards instead of updating them row by row (a sort beats a million B-tree inserts)
DEFER_INDEXES_AT = 50_000


@contextmanager
def indexes_deferred(models_: tuple[type[models.Model], ...], new_rows: int) -> Iterator[None]:
    """Drop the secondary indexes of `models_` for a large load and rebuild them from their own
    definitions afterwards, all inside the import's transaction. Constraint-backed indexes (primary and
    unique keys the importer relies on) stay."""
    if new_rows < DEFER_INDEXES_AT or models_[0].objects.count() > new_rows:
        yield
        return
    definitions = [d for model in models_ for d in _secondary_indexes(model._meta.db_table)]
    with connection.cursor() as cur:
        for name, _ in definitions:
            cur.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        yield
        for _, create_sql in definitions:
            cur.execute(create_sql)


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            # indexes made by CREATE INDEX keep their SQL; the table's own UNIQUE/PK indexes have none
            cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                        "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'", [table])
        else:
            cur.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || "
                "quote_ident(i.indexname))::regclass)",
                [table],
            )
        return [(name, sql) for name, sql in cur.fetchall()]


def _case_content(batch: CaseBatch) -> pl.DataFrame:
    """Cases with a text digest of their children, so a changed charge counts as a changed case."""
    digests = [
        frame.sort("case_key", "seq")
        .select("case_key", pl.concat_str(pl.all().exclude("case_key").cast(pl.String).fill_null("∅"),
                                         separator="\x1f").alias("d"))
        .group_by("case_key", maintain_order=True)
        .agg(pl.col("d").str.join("\x1e"))
        .rename({"d": f"__{name}"})
        for name, frame in (("c", batch.charges), ("v", batch.victims), ("r", batch.referrals))
    ]
    cases = batch.cases
    for digest in digests:
        cases = cases.join(digest, on="case_key", how="left")
    return cases.with_columns(
        pl.concat_str([pl.col(f"__{n}").fill_null("") for n in "cvr"], separator="\x1d").alias("__children")
    ).drop([f"__{n}" for n in "cvr"])


def with_hash(frame: pl.DataFrame, exclude: tuple[str, ...] = ()) -> pl.DataFrame:
    """`frame` plus `row_hash`: a stable digest (BLAKE2b, not Polars' seed-dependent hash) of its content."""
    content = frame.select(
        pl.concat_str(
            [pl.col(c).cast(pl.String).fill_null("∅") for c in frame.columns if c not in exclude],
            separator="\x1f",
        )
    ).to_series()
    hashes = [hashlib.blake2b(text.encode(), digest_size=16).hexdigest() for text in content]
    return frame.with_columns(pl.Series("row_hash", hashes, dtype=pl.String))


def _plan(frame: pl.DataFrame, model: type[models.Model], key: str) -> pl.DataFrame:
    """key, id (null if new), changed — by looking up the keys already stored."""
    existing = lookup_existing(model, key, frame.get_column(key).to_list())
    return (
        frame.select(key, "row_hash")
        .join(existing, on=key, how="left", suffix="_stored")
        .with_columns((pl.col("row_hash") != pl.col("row_hash_stored")).fill_null(True).alias("changed"))
        .select(key, "id", "changed")
    )


def lookup_existing(model: type[models.Model], key: str, keys: list[str]) -> pl.DataFrame:
    table = model._meta.db_table
    found: list[tuple[str, int, str]] = []
    with connection.cursor() as cur:
        for start in range(0, len(keys), LOOKUP_CHUNK):
            chunk = keys[start : start + LOOKUP_CHUNK]
            marks = ",".join(["%s"] * len(chunk))
            cur.execute(f"SELECT {key}, id, row_hash FROM {table} WHERE {key} IN ({marks})", chunk)
            found.extend(cur.fetchall())
    return pl.DataFrame(
        found, schema={key: pl.String, "id": pl.Int64, "row_hash_stored": pl.String}, orient="row"
    )


def _write_persons(persons: pl.DataFrame, progress: Progress) -> tuple[pl.DataFrame, int, int]:
    plan = _plan(persons, Person, "person_key")
    new = _assign_ids(plan.filter(pl.col("id").is_null()).select("person_key"), Person).join(
        persons, on="person_key"
    )
    changed = plan.filter(pl.col("id").is_not_null() & pl.col("changed")).select("person_key", "id").join(
        persons, on="person_key"
    )
    cols = _columns(Person, exclude=set())
    insert_rows(Person, new, cols, progress=None)
    update_rows(Person, changed, [c for c in cols if c not in ("id", "person_key")])
    ids = pl.concat([plan.filter(pl.col("id").is_not_null()).select("person_key", "id"),
                     new.select("person_key", "id")])
    return ids.rename({"id": "person_id"}), new.height, changed.height


def _assign_ids(frame: pl.DataFrame, model: type[models.Model]) -> pl.DataFrame:
    """`frame` with fresh ids after the table's current maximum (the tables are locked)."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")
        (top,) = cur.fetchone()
    return frame.drop("id", strict=False).with_row_index("id", offset=int(top) + 1).with_columns(
        pl.col("id").cast(pl.Int64)
    )


def _columns(model: type[models.Model], exclude: set[str]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if f.name not in exclude and f.column not in exclude]


def _sql_ready(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Columns in order, dates as ISO text (what Django stores in SQLite; PostgreSQL parses it too)."""
    return frame.select(
        [
            pl.col(c).dt.strftime("%Y-%m-%d").alias(c) if frame.schema[c] == pl.Date else pl.col(c)
            for c in columns
        ]
    )


def insert_rows(model: type[models.Model], frame: pl.DataFrame, columns: list[str], progress: Progress | None) -> None:
    if frame.height == 0:
        return
    table = model._meta.db_table
    ready = _sql_ready(frame, columns)
    if connection.vendor == "postgresql":
        _copy_rows(table, ready, columns, progress)
        return
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['?'] * len(columns))})"
    connection.ensure_connection()
    raw = connection.connection
    for chunk in _chunks(ready):
        raw.executemany(sql, chunk.iter_rows())
        if progress:
            progress(chunk.height)


def _copy_rows(table: str, frame: pl.DataFrame, columns: list[str], progress: Progress | None) -> None:
    with connection.cursor() as cur:
        pg = cur.cursor  # psycopg's own cursor, for COPY
        with pg.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as copy:
            for chunk in _chunks(frame):
                buffer = io.BytesIO()
                chunk.write_csv(buffer, include_header=False, null_value="\\N")
                copy.write(buffer.getvalue())
                if progress:
                    progress(chunk.height)


def update_rows(model: type[models.Model], frame: pl.DataFrame, columns: list[str]) -> None:
    if frame.height == 0:
        return
    table = model._meta.db_table
    assignments = ", ".join(f"{c} = %s" for c in columns)
    ready = _sql_ready(frame, [*columns, "id"])
    with connection.cursor() as cur:
        for chunk in _chunks(ready):
            cur.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", list(chunk.iter_rows()))


def _delete_children(case_ids: list[int]) -> None:
    if not case_ids:
        return
    with connection.cursor() as cur:
        for model in (Charge, Victim, ProgramReferral, DataQualityWarning):
            for start in range(0, len(case_ids), LOOKUP_CHUNK):
                chunk = case_ids[start : start + LOOKUP_CHUNK]
                marks = ",".join(["%s"] * len(chunk))
                cur.execute(f"DELETE FROM {model._meta.db_table} WHERE case_id IN ({marks})", chunk)


def _reset_sequences() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for model in (Person, Case, Charge, Victim, ProgramReferral, DataQualityWarning):
            table = model._meta.db_table
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL)"
                f" FROM {table}"
            )


def _chunks(frame: pl.DataFrame) -> Iterator[pl.DataFrame]:
    for start in range(0, frame.height, CHUNK):
        yield frame.slice(start, CHUNK)
