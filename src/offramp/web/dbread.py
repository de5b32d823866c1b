"""Reading query results from Django's connection straight into Polars frames, fast, on both engines.

`read(sql, schema, params)` is the one low-level reader the web layer uses where a table is read whole (or
for many cases at once): the analytics snapshot and `cases.batch.batch_for`. It never builds model
instances, so a million rows cost seconds, not minutes.

- PostgreSQL: COPY (query) TO STDOUT as CSV, parsed by `pl.read_csv`. psycopg 3 binds `params` into the
  COPY statement on the client (COPY itself takes no server-side parameters).
- SQLite, outside a transaction: the result is written into a staging file by Django's own connection and
  read back through ADBC as Arrow (see `_read_staged` for why never the database file itself).
- SQLite inside a transaction (tests, or a caller's `atomic` block), or when the caller asks for it
  (`staged=False`, e.g. one case for a page): Django's cursor. A separate connection would not see the
  transaction's uncommitted rows, and ATTACH is refused inside a transaction.

Booleans must be selected as integers (`CAST(x AS INTEGER)`, see `as_int`) and dates as text or dates:
`cast_to` handles every form the three paths give.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connection

Params = Sequence[Any]


def as_int(column: str) -> str:
    """`column` selected as an integer: how a boolean column must be selected for `read`."""
    return f"CAST({column} AS INTEGER)"


def read(
    sql: str, schema: dict[str, pl.DataType], params: Params = (), *, staged: bool = True
) -> pl.DataFrame:
    """The rows of `sql` (its columns in `schema`'s order, named by `schema`) cast to `schema`.

    `params` are bound to the `%s` placeholders of `sql` (Django's style, e.g. from
    `queryset.query.sql_with_params()`). `staged=False` reads a small result through Django's cursor on
    SQLite rather than a staging file (a staging file costs a few milliseconds to set up)."""
    names = list(schema)
    if connection.vendor == "postgresql":
        return _read_copy(sql, schema, params)
    if staged and sqlite_file() is not None and not connection.in_atomic_block:
        frame = _read_staged(sql, params)
        frame.columns = names
        return cast_to(frame, schema)
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        rows = cursor.fetchall()
    if not rows:
        return pl.DataFrame(schema=schema)
    columns = list(zip(*rows, strict=True))
    frame = pl.DataFrame(
        {n: pl.Series(n, list(c), strict=False) for n, c in zip(names, columns, strict=True)}
    )
    return cast_to(frame, schema)


def _read_copy(sql: str, schema: dict[str, pl.DataType], params: Params) -> pl.DataFrame:
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", list(params) or None) as copy:
            for block in copy:
                buffer.write(block)
    if buffer.tell() == 0:
        return pl.DataFrame(schema=schema)
    buffer.seek(0)
    frame = pl.read_csv(buffer, has_header=False, new_columns=list(schema), infer_schema=False)
    return cast_to(frame, schema)


def sqlite_file() -> str | None:
    """The SQLite database's file, or None when it has none (in memory, a URI) or the engine is another."""
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:") or not Path(name).exists():
        return None
    return name


def _read_staged(sql: str, params: Params) -> pl.DataFrame:
    """SQLite at scale: Django's own connection writes the result into a fresh staging file (ATTACH +
    CREATE TABLE AS), and ADBC reads that file into Arrow. ADBC bundles its own SQLite library, and two
    SQLite libraries must never open the same database file in one process (closing one's file handle
    drops the POSIX locks the other holds, which can corrupt the database); the staging file is only ever
    opened by ADBC once Django has detached it. The same pattern as web/bulk.py, the other way round.
    ATTACH is refused inside a transaction, hence the cursor path there."""
    with tempfile.TemporaryDirectory(prefix="offramp-read-") as tmp:
        stage = Path(tmp) / "read.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute("ATTACH DATABASE %s AS offramp_read", [str(stage)])
            try:
                cursor.execute(f"CREATE TABLE offramp_read.result AS {sql}", list(params))
            finally:
                cursor.execute("DETACH DATABASE offramp_read")
        return pl.read_database_uri("SELECT * FROM result", f"sqlite:///{stage}", engine="adbc")


def cast_to(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """`frame` (columns named as `schema`) cast to `schema`: dates from ISO text or datetimes, booleans
    from 0/1 or PostgreSQL's t/f text, a column that came back all-null typed as asked."""
    exprs = []
    for name, dtype in schema.items():
        col = pl.col(name)
        have = frame.schema[name]
        if have == pl.Null:
            exprs.append(pl.lit(None, dtype).alias(name))
        elif dtype == pl.Date():
            if have == pl.String:
                exprs.append(col.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).alias(name))
            elif isinstance(have, pl.Datetime):
                exprs.append(col.dt.date().alias(name))
            else:
                exprs.append(col.cast(pl.Date).alias(name))
        elif dtype == pl.Boolean():
            if have == pl.String:
                exprs.append(col.replace_strict({"1": True, "0": False, "t": True, "f": False}, default=None,
                                                return_dtype=pl.Boolean).alias(name))  # fmt: skip
            else:
                exprs.append(col.cast(pl.Int64).cast(pl.Boolean).alias(name))
        elif isinstance(dtype, pl.Decimal) and have == pl.String:
            exprs.append(col.str.to_decimal(scale=dtype.scale).cast(dtype).alias(name))
        else:
            exprs.append(col.cast(dtype, strict=False).alias(name))
    return frame.select(exprs)
