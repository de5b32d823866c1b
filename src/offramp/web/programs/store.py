"""Storing a `DirectoryBatch`: an idempotent upsert by UUID, all or nothing, and reading the directory back.

Each record gets a content hash (`row_hash`, BLAKE3 over the record's columns as imported, the house's
`cases.store.with_hash`). A record whose hash equals the stored one is not written at all, so importing the
same batch twice reports "0 created, 0 changed, N unchanged" and touches nothing. Records absent from a
batch are kept: a referral may point at them, and one source file must not empty the directory.

Capacity rule. A service's current capacity, vacancies, waitlist and capacity_updated come from whichever
report is dated later: an import's (`capacity_updated` in the file) or a coordinator's `CapacityUpdate`
(which sets them when saved). An import changes them only with figures dated after the stored ones, or
when neither is dated; figures dated on or before the stored date, or not dated while the stored ones are,
are ignored, so a coordinator's update is never overwritten by an older or same-day file. The content hash
leaves the capacity columns out (they are compared after this rule), so an unchanged file stays
"unchanged" after a coordinator's update. An import never touches the CapacityUpdate history.

Rows are written through `offramp.web.bulk.BulkWriter` (Arrow staging on SQLite, COPY on PostgreSQL), as
cases are: the national files are ~15,000 services with as many locations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import connection, models, transaction
from django.utils import timezone

from offramp.core.directory.batch import (
    LOCATION_SCHEMA,
    ORGANIZATION_SCHEMA,
    SERVICE_AT_LOCATION_SCHEMA,
    SERVICE_SCHEMA,
    DirectoryBatch,
)
from offramp.core.directory.merge import merge
from offramp.core.simulation import capacity_from_services
from offramp.web.bulk import BulkWriter
from offramp.web.cases.store import with_hash
from offramp.web.programs.models import (
    DirectoryImport,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
)

#: (batch attribute, model, schema) in the order they are written (parents first)
TABLES: tuple[tuple[str, type[models.Model], dict[str, pl.DataType]], ...] = (
    ("organizations", Organization, ORGANIZATION_SCHEMA),
    ("locations", Location, LOCATION_SCHEMA),
    ("services", Service, SERVICE_SCHEMA),
    ("service_at_locations", ServiceAtLocation, SERVICE_AT_LOCATION_SCHEMA),
)
ID_COLUMNS = ("id", "organization_id", "service_id", "location_id")
CAPACITY = ("capacity", "vacancies", "waitlist", "capacity_updated")
LOOKUP_CHUNK = 5_000
UUID_HEX = r"^[0-9a-f]{32}$"


@dataclass
class StoreCounts:
    """What an import did, over all four tables, and per table."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    directory_import: DirectoryImport | None = None

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        return (
            f"{self.total:,} records: {self.created:,} created, {self.updated:,} changed, "
            f"{self.unchanged:,} unchanged"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "tables": self.tables,
        }


class DirectoryStoreError(ValueError):
    """The batch cannot be stored as it is (an id that is not a UUID, one id twice in a table)."""


def store_directory(
    batch: DirectoryBatch,
    source: str,
    *,
    fmt: str = "",
    user: Any = None,
    actor_name: str = "",
    now: dt.datetime | None = None,
    progress: Callable[[int], object] | None = None,
    scope: DirectoryBatch | None = None,
) -> StoreCounts:
    """Upsert every record of `batch` by its UUID in one transaction and record a DirectoryImport.

    `scope`: when `batch` is the stored directory merged with a file (`merged_with_stored`), the file's
    own batch; records outside it that did not change are not counted as "unchanged" (they were not in the
    file). Raises DirectoryStoreError before writing anything when an id is not a UUID or repeats in a
    table; any database error rolls the whole import back.
    """
    now = now or timezone.now()
    frames = {name: _checked(name, getattr(batch, name)) for name, _, _ in TABLES}
    sources = {
        name: None if scope is None else source_hashes(name, getattr(scope, name)) for name, _, _ in TABLES
    }
    counts = StoreCounts()
    with transaction.atomic(), BulkWriter() as writer:
        _check_links(frames)
        changed_frames: list[tuple[type[models.Model], pl.DataFrame, list[str]]] = []
        for name, model, schema in TABLES:
            plan = _plan(frames[name], model, schema, sources[name])
            new = plan.filter(pl.col("stored_hash").is_null())
            changed = plan.filter(pl.col("stored_hash").is_not_null() & pl.col("changed"))
            columns = [*schema, "row_hash", "source_hash", "imported_at"]
            writer.insert(model, _ready(new, model, columns, now), _db_columns(model, columns))
            changed_frames.append(
                (model, _ready(changed, model, columns, now), _db_columns(model, columns[1:]))
            )
            same = plan.filter(~pl.col("changed"))
            in_file = sources[name]
            if in_file is not None:
                same = same.filter(pl.col("id").is_in(in_file.get_column("id").implode()))
            counts.tables[name] = {"created": new.height, "updated": changed.height, "unchanged": same.height}
            if progress is not None:
                progress(plan.height)
        writer.flush()
        for model, frame, db_columns in changed_frames:
            writer.update(model, frame.select([*frame.columns[1:], "id"]), db_columns)
        for table in counts.tables.values():
            counts.created += table["created"]
            counts.updated += table["updated"]
            counts.unchanged += table["unchanged"]
        counts.directory_import = DirectoryImport.objects.create(
            file_name=source[:500],
            source_format=fmt,
            created=counts.created,
            updated=counts.updated,
            unchanged=counts.unchanged,
            detail=counts.tables,
            warnings=len(batch.warnings),
            user=user,
            actor_name=actor_name or (user.get_username() if user is not None else ""),
            imported_at=now,
        )
    return counts


def _checked(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with its UUID columns as 32 lower-case hex digits (Django's stored form); refuses ids that are
    not UUIDs and ids that occur twice."""
    ids = [c for c in ID_COLUMNS if c in frame.columns]
    frame = frame.with_columns(
        pl.col(c).str.to_lowercase().str.replace_all("-", "", literal=True) for c in ids
    )
    for column in ids:
        bad = frame.filter(pl.col(column).is_not_null() & ~pl.col(column).str.contains(UUID_HEX))
        if column == "id":
            bad = pl.concat([bad, frame.filter(pl.col("id").is_null())])
        if bad.height:
            value = bad.get_column(column)[0]
            raise DirectoryStoreError(f"{name}: {column} {value!r} is not a UUID ({bad.height} such rows)")
    repeated = frame.filter(pl.col("id").is_duplicated())
    if repeated.height:
        raise DirectoryStoreError(
            f"{name}: id {repeated.get_column('id')[0]!r} occurs {repeated.height} times "
            "(merge duplicate records before storing)"
        )
    return frame


#: (table, column, parent table, parent model): the links a record must not break
LINKS: tuple[tuple[str, str, str, type[models.Model]], ...] = (
    ("locations", "organization_id", "organizations", Organization),
    ("services", "organization_id", "organizations", Organization),
    ("service_at_locations", "service_id", "services", Service),
    ("service_at_locations", "location_id", "locations", Location),
)


def _check_links(frames: dict[str, pl.DataFrame]) -> None:
    """Every link points at a record of the batch or one already stored; else DirectoryStoreError naming
    the first broken one (the database would refuse it too, but only at commit and less clearly)."""
    for table, column, parent, model in LINKS:
        targets = frames[table].get_column(column).drop_nulls().unique()
        missing = targets.filter(~targets.is_in(frames[parent].get_column("id").implode())).to_list()
        stored: set[str] = set()
        for start in range(0, len(missing), LOOKUP_CHUNK):
            chunk = missing[start : start + LOOKUP_CHUNK]
            stored |= {
                pk.hex for pk in model._default_manager.filter(pk__in=chunk).values_list("id", flat=True)
            }
        broken = sorted(set(missing) - stored)
        if broken:
            raise DirectoryStoreError(
                f"{table}: {column} {broken[0]!r} names no record in {parent} ({len(broken)} such ids)"
            )


def _hashable(frame: pl.DataFrame) -> pl.DataFrame:
    """List columns as JSON text, so `with_hash` can read them (null and [] stay different)."""
    return frame.with_columns(_json(c) for c, dtype in frame.schema.items() if isinstance(dtype, pl.List))


def _json(column: str) -> pl.Expr:
    encoded = pl.struct(pl.col(column).alias("v")).struct.json_encode()
    text = encoded.str.strip_prefix('{"v":').str.strip_suffix("}")
    return pl.when(pl.col(column).is_null()).then(None).otherwise(text).alias(column)


def source_hashes(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """id (hex) and source_hash: the digest of each record as its source gave it, before any merge."""
    return with_hash(_hashable(_checked(name, frame))).select("id", pl.col("row_hash").alias("source_hash"))


def _plan(
    frame: pl.DataFrame,
    model: type[models.Model],
    schema: dict[str, pl.DataType],
    sources: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The frame (list columns as JSON) with row_hash, source_hash, the stored hash (null if new) and
    `changed`; for services, the capacity columns resolved against the stored ones (module docstring)."""
    figures = CAPACITY if model is Service else ()
    hashed = with_hash(_hashable(frame.select(list(schema))), exclude=figures)
    stored = _stored(model, hashed.get_column("id").to_list(), figures)
    planned = hashed.join(stored, on="id", how="left")
    if sources is not None:
        planned = planned.join(sources.rename({"source_hash": "file_hash"}), on="id", how="left")
    else:
        planned = planned.with_columns(pl.lit(None, pl.String).alias("file_hash"))
    planned = planned.with_columns(
        pl.coalesce("file_hash", "stored_source", pl.lit("")).alias("source_hash")
    ).drop("file_hash")
    changed = (pl.col("row_hash") != pl.col("stored_hash")) | (
        pl.col("source_hash") != pl.col("stored_source")
    )
    if figures:
        stored_date, file_date = pl.col("s_capacity_updated"), pl.col("capacity_updated")
        from_file = (
            pl.col("stored_hash").is_null()
            | (file_date.is_not_null() & (stored_date.is_null() | (file_date > stored_date)))
            | (file_date.is_null() & stored_date.is_null())
        )
        planned = planned.with_columns(
            pl.when(from_file).then(pl.col(c)).otherwise(pl.col(f"s_{c}")).alias(c) for c in figures
        )
        differs = pl.any_horizontal([pl.col(c).ne_missing(pl.col(f"s_{c}")) for c in figures])
        changed = changed | (pl.col("stored_hash").is_not_null() & differs)
    planned = planned.with_columns(changed.fill_null(True).alias("changed"))
    return planned.drop("stored_source", *(f"s_{c}" for c in figures))


def _stored(model: type[models.Model], ids: list[str], figures: tuple[str, ...]) -> pl.DataFrame:
    """id, stored_hash and (services) the stored capacity figures as s_<column>, of the stored `ids`."""
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = ids[start : start + LOOKUP_CHUNK]
        rows = model._default_manager.filter(pk__in=chunk).values_list(
            "id", "row_hash", "source_hash", *figures
        )
        found += [(pk.hex, *rest) for pk, *rest in rows]
    schema: dict[str, pl.DataType] = {
        "id": pl.String(),
        "stored_hash": pl.String(),
        "stored_source": pl.String(),
        **{f"s_{c}": SERVICE_SCHEMA[c] for c in figures},
    }
    return pl.DataFrame(found, schema=schema, orient="row")


def _ready(
    frame: pl.DataFrame, model: type[models.Model], columns: list[str], now: dt.datetime
) -> pl.DataFrame:
    """`columns` as the database takes them: imported_at as the backend's timestamp text."""
    stamp = model._meta.get_field("imported_at").get_db_prep_save(now, connection)
    return frame.with_columns(pl.lit(str(stamp)).alias("imported_at")).select(columns)


def _db_columns(model: type[models.Model], columns: list[str]) -> list[str]:
    """Database column names (a foreign key's `organization_id` is found by its attname)."""
    return [model._meta.get_field(name).column for name in columns]


# --- reading the directory back ---------------------------------------------------------------------------


#: service fields merge() combines over every source (union, or "forbids" if any says so): a file's record
#: adds to them rather than replacing what other sources merged into the same service gave
COMBINED = ("service_types", "sources", "moud_policy")


def merged_with_stored(batch: DirectoryBatch) -> DirectoryBatch:
    """The stored directory with `batch` merged in (core `merge`, stored records first so they keep their
    ids): a program the directory already holds from another source becomes one record, not two.

    A record of `batch` whose id is already stored, and which its source changed since it was last
    stored (`source_hash`), replaces the stored fields it gives values for: a corrected file is an update.
    A field the file leaves blank keeps the stored value, since another source may have filled it; a record
    its source did not change leaves the stored one alone (so what other sources merged into it stays).
    Kinds of service, sources and MOUD policy are combined, never replaced."""
    stored = stored_batch()
    incoming = _batch(
        {
            name: getattr(batch, name).with_columns(
                _dashed(c) for c in ID_COLUMNS if c in getattr(batch, name).columns
            )
            for name, _, _ in TABLES
        },
        batch.warnings,
    )
    updated: dict[str, pl.DataFrame] = {}
    for name, model, schema in TABLES:
        new = getattr(incoming, name)
        hashes = source_hashes(name, new)
        known = _stored(model, hashes.get_column("id").to_list(), ())
        fresh = hashes.join(known, on="id", how="left").filter(
            pl.col("stored_source").is_null() | (pl.col("stored_source") != pl.col("source_hash"))
        )
        new = new.filter(_hex("id").is_in(fresh.get_column("id").implode()))
        replaced = [c for c in schema if not (name == "services" and c in COMBINED)]
        updated[name] = getattr(stored, name).update(new.select(replaced), on="id", include_nulls=False)
    return merge([_batch(updated), incoming])


def import_batch(
    batch: DirectoryBatch,
    source: str,
    *,
    fmt: str = "",
    user: Any = None,
    actor_name: str = "",
    progress: Callable[[int], object] | None = None,
) -> StoreCounts:
    """What `offramp programs import` does with a file's batch: merge it into the stored directory and
    store the result, counting against the file's own records. One transaction."""
    with transaction.atomic():
        merged = merged_with_stored(batch)
        return store_directory(
            merged, source, fmt=fmt, user=user, actor_name=actor_name, progress=progress, scope=batch
        )


def _batch(
    frames: dict[str, pl.DataFrame], warnings: tuple[tuple[str, int, str], ...] = ()
) -> DirectoryBatch:
    return DirectoryBatch.of(
        frames["organizations"],
        frames["services"],
        frames["locations"],
        frames["service_at_locations"],
        warnings,
    )


def stored_batch() -> DirectoryBatch:
    """Every stored record as a DirectoryBatch (ids in their dashed form): what export and matching read."""
    return _batch({name: _read_table(model, schema) for name, model, schema in TABLES})


def _read_table(model: type[models.Model], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    postgres = connection.vendor == "postgresql"
    selected = []
    for name, dtype in schema.items():
        column = _db_columns(model, [name])[0]
        text = postgres and (name in ID_COLUMNS or isinstance(dtype, pl.List))
        selected.append(f"{column}::text" if text else column)
    with connection.cursor() as cur:
        cur.execute(f"SELECT {', '.join(selected)} FROM {model._meta.db_table}")
        rows = cur.fetchall()
    raw_schema = {
        name: pl.String() if (name in ID_COLUMNS or isinstance(dtype, pl.List)) else dtype
        for name, dtype in schema.items()
    }
    frame = pl.DataFrame(rows, schema=raw_schema, orient="row")
    return frame.with_columns(
        [_dashed(c) for c in schema if c in ID_COLUMNS]
        + [pl.col(c).str.json_decode(d) for c, d in schema.items() if isinstance(d, pl.List)]
    )


def _hex(column: str) -> pl.Expr:
    return pl.col(column).str.to_lowercase().str.replace_all("-", "", literal=True)


def _dashed(column: str) -> pl.Expr:
    """A UUID column in its canonical lower-case 8-4-4-4-12 form, whichever form it came in."""
    hexed = pl.col(column).str.to_lowercase().str.replace_all("-", "", literal=True)
    return pl.concat_str(
        [
            hexed.str.slice(0, 8),
            hexed.str.slice(8, 4),
            hexed.str.slice(12, 4),
            hexed.str.slice(16, 4),
            hexed.str.slice(20, 12),
        ],
        separator="-",
    ).alias(column)


def capacity_by_program_type() -> dict[str, Any]:
    """Capacity per policy program type from the stored services (core `capacity_from_services`): what the
    what-if simulation sets program demand against, from the command line and from the web page."""
    values = list(Service.objects.values_list("service_types", "capacity", "vacancies"))
    services = pl.DataFrame(
        {
            "service_types": [list(v[0] or []) for v in values],
            "capacity": [v[1] for v in values],
            "vacancies": [v[2] for v in values],
        },
        schema={"service_types": pl.List(pl.String), "capacity": pl.Int64, "vacancies": pl.Int64},
    )
    return dict(capacity_from_services(services))
