"""Writing whole Polars frames into tables, fast, inside the caller's transaction.

- SQLite: the frame goes through Arrow into a staging database file (ADBC, no per-row Python), which is
  ATTACHed to Django's connection and copied with one INSERT ... SELECT. Binding a million rows one by one
  through the sqlite3 module took 13 s for the case table alone; this takes about 3 s.
- PostgreSQL: COPY ... FROM STDIN with CSV written by Polars.
Inserts are queued by `insert` and written by `flush`, inside the import's transaction, so a failure leaves
nothing behind. On SQLite every queued frame is staged before the one ATTACH (a transaction keeps reading
an attached file as it was when first read); DETACH is not allowed inside a transaction, so `close()`
runs after it ends. Where an outer transaction is already open when the writer is made (tests run every
import inside one), no staging file is used: a file attached there can never be detached again on that
connection, and SQLite allows ten, so the eleventh such import would fail. Those inserts go row by row.
"""

from __future__ import annotations

import io
import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl
from django.db import DatabaseError, connection, models

CHUNK = 100_000
LOOKUP_CHUNK = 5_000
STAGE = "offramp_stage"
_stage_numbers = itertools.count()


def sql_ready(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Columns in order; dates as ISO text (what Django stores in SQLite; PostgreSQL parses it too)."""
    return frame.select(
        [
            pl.col(c).dt.strftime("%Y-%m-%d").alias(c) if frame.schema[c] == pl.Date else pl.col(c)
            for c in columns
        ]
    )


def _stage_parent() -> str | None:
    """Where staging files go: memory-backed /dev/shm when it exists (the file is scratch), else the
    system's temporary directory."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


class BulkWriter:
    """Inserts and updates frames on Django's default connection. Use as a context manager around the
    transaction: it cleans up its staging file when the transaction is over."""

    def __init__(self) -> None:
        self._stage_dir: Path | None = None
        self._alias = f"{STAGE}_{next(_stage_numbers)}"
        self._attached = False
        self._queued: list[tuple[str, pl.DataFrame, list[str]]] = []
        #: SQLite inside an outer transaction: plain INSERTs instead of a staging file (see the module doc)
        self._direct = connection.vendor == "sqlite" and connection.in_atomic_block

    def __enter__(self) -> BulkWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def insert(self, model: type[models.Model], frame: pl.DataFrame, columns: list[str]) -> None:
        """Queue `frame`'s rows for `model`'s table; written, in queue order, by `flush`."""
        if frame.height == 0:
            return
        ready = sql_ready(frame, columns)
        table = model._meta.db_table
        if connection.vendor == "sqlite" and not self._direct:
            self._stage(table, ready)
        self._queued.append((table, ready, columns))

    def flush(self) -> None:
        queued, self._queued = self._queued, []
        if connection.vendor == "postgresql":
            for table, frame, columns in queued:
                self._copy(table, frame, columns)
            return
        if not queued:
            return
        names = ", ".join
        if self._direct:
            with connection.cursor() as cur:
                for table, frame, columns in queued:
                    marks = ", ".join(["%s"] * len(columns))
                    for start in range(0, frame.height, CHUNK):
                        rows = list(frame.slice(start, CHUNK).iter_rows())
                        cur.executemany(f"INSERT INTO {table} ({names(columns)}) VALUES ({marks})", rows)
            return
        with connection.cursor() as cur:
            if not self._attached:
                cur.execute(f"ATTACH DATABASE %s AS {self._alias}", [str(self._stage_file)])
                self._attached = True
            for table, _, columns in queued:
                cur.execute(
                    f"INSERT INTO main.{table} ({names(columns)}) SELECT {names(columns)} FROM {self._alias}.{table}"
                )

    @property
    def _stage_file(self) -> Path:
        if self._stage_dir is None:
            self._stage_dir = Path(tempfile.mkdtemp(prefix="offramp-import-", dir=_stage_parent()))
        return self._stage_dir / "stage.sqlite3"

    def _stage(self, table: str, frame: pl.DataFrame) -> None:
        import adbc_driver_sqlite.dbapi as adbc  # noqa: PLC0415 — SQLite only (~0.1 s); PostgreSQL never loads it

        if self._attached:
            raise RuntimeError("BulkWriter: insert after flush; use a new writer")
        with adbc.connect(str(self._stage_file)) as stage:
            cursor = stage.cursor()
            cursor.adbc_ingest(table, frame.to_arrow(), mode="create")
            cursor.close()
            stage.commit()

    def update(self, model: type[models.Model], frame: pl.DataFrame, columns: list[str]) -> None:
        """UPDATE by id. Used for changed rows only, which are few next to new ones."""
        if frame.height == 0:
            return
        table = model._meta.db_table
        assignments = ", ".join(f"{c} = %s" for c in columns)
        ready = sql_ready(frame, [*columns, "id"])
        with connection.cursor() as cur:
            for start in range(0, ready.height, CHUNK):
                rows = list(ready.slice(start, CHUNK).iter_rows())
                cur.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", rows)

    def delete_where_in(self, model: type[models.Model], column: str, values: list[int]) -> None:
        with connection.cursor() as cur:
            for start in range(0, len(values), LOOKUP_CHUNK):
                chunk = values[start : start + LOOKUP_CHUNK]
                marks = ",".join(["%s"] * len(chunk))
                cur.execute(f"DELETE FROM {model._meta.db_table} WHERE {column} IN ({marks})", chunk)

    def _copy(self, table: str, frame: pl.DataFrame, columns: list[str]) -> None:
        with connection.cursor() as cur:
            pg = cur.cursor  # psycopg's own cursor, for COPY
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
            with pg.copy(sql) as copy:
                for start in range(0, frame.height, CHUNK):
                    buffer = io.BytesIO()
                    frame.slice(start, CHUNK).write_csv(buffer, include_header=False, null_value="\\N")
                    copy.write(buffer.getvalue())

    def close(self) -> None:
        if self._attached:
            try:
                with connection.cursor() as cur:
                    cur.execute(f"DETACH DATABASE {self._alias}")
            except DatabaseError:
                pass  # not expected: a writer made inside an outer transaction never attaches
            self._attached = False
        if self._stage_dir is not None:
            shutil.rmtree(self._stage_dir, ignore_errors=True)
            self._stage_dir = None


@contextmanager
def bulk_load_mode(models_: tuple[type[models.Model], ...], new_rows: int, threshold: int) -> Iterator[None]:
    """For a large load into `models_` (at least `threshold` new rows, and more than the first table
    holds), drop their secondary indexes — and on PostgreSQL their foreign keys — and rebuild them from
    their own definitions afterwards, inside the caller's transaction. One sort per index and one
    join per foreign key beat a million B-tree inserts and a million queued trigger checks.
    Constraint-backed indexes (primary and unique keys the importer relies on) stay."""
    if new_rows < threshold or models_[0]._default_manager.count() > new_rows:
        yield
        return
    tables = [model._meta.db_table for model in models_]
    indexes = [d for table in tables for d in secondary_indexes(table)]
    foreign_keys = (
        [fk for table in tables for fk in _foreign_keys(table)] if connection.vendor == "postgresql" else []
    )
    quote = connection.ops.quote_name
    with connection.cursor() as cur:
        for table, name, _ in foreign_keys:
            cur.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _ in indexes:
            cur.execute(f"DROP INDEX {quote(name)}")
        yield
        for _, create_sql in indexes:
            cur.execute(create_sql)
        for table, name, definition in foreign_keys:
            cur.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")


def _foreign_keys(table: str) -> list[tuple[str, str, str]]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        return [(table, name, definition) for name, definition in cur.fetchall()]


def secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of each index of `table` that no constraint owns."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            # indexes made by CREATE INDEX keep their SQL; the table's own UNIQUE/PK indexes have none
            cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'",
                [table],
            )
        else:
            cur.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || "
                "quote_ident(i.indexname))::regclass)",
                [table],
            )
        return [(name, sql) for name, sql in cur.fetchall()]


def reset_sequences(models_: tuple[type[models.Model], ...]) -> None:
    """Move PostgreSQL id sequences past ids the importer assigned itself."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for model in models_:
            table = model._meta.db_table
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL)"
                f" FROM {table}"
            )
