"""HSDS sources as one set of tables: JSON objects flattened, CSV packages read, 1.x renamed to 3.0.

Every HSDS shape Offramp reads (3.0 JSON: a service, an organization with nested services and
locations, a list, a paginated page `{"contents": [...]}`; a 3.0 tabular data package; a 1.x tabular
data package) is turned into the same `Tables`: HSDS 3.0 table name -> frame of text columns, plus
`_file` and `_row` (the CSV's spreadsheet row, header = 1; for JSON the 1-based index of the top-level
record) so an error can name where the value came from. `hsds.tables_batch` maps them to the directory.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import polars as pl

from offramp.core.directory.batch import derived_id
from offramp.core.intake.errors import FieldError, IntakeError

Tables = dict[str, pl.DataFrame]

#: tables whose rows are entities with their own ids; rows of other tables (a language, a phone) may repeat
#: one id under several parents (the spec's own examples do), so they are deduplicated as whole rows
ENTITY_TABLES = ("organizations", "services", "locations", "service_at_location", "taxonomy_terms")


def dedupe(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    by = ["id"] if name in ENTITY_TABLES and "id" in frame.columns else None
    return frame.unique(by, keep="first", maintain_order=True)


#: 1.x file -> 3.0 table
V1_TABLES = {
    "services_at_location": "service_at_location",
    "physical_addresses": "addresses",
    "postal_addresses": "addresses",
}
#: 1.x id columns -> the entity they name (ids that are not UUIDs get derived_id("hsds1", entity, id))
V1_ID_COLUMNS: dict[str, dict[str, str]] = {
    "organizations": {"id": "organization"},
    "services": {"id": "service", "organization_id": "organization"},
    "locations": {"id": "location", "organization_id": "organization"},
    "service_at_location": {"id": "service_at_location", "service_id": "service", "location_id": "location"},
    "addresses": {"location_id": "location"},
    "phones": {"location_id": "location", "service_id": "service", "organization_id": "organization"},
    "languages": {"service_id": "service", "location_id": "location"},
    "regular_schedules": {"service_id": "service"},
    "eligibility": {"service_id": "service"},
    "payments_accepted": {"service_id": "service"},
}


def is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return len(text) == 36


def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    # blank text is "not given", as in the tabular reader (HSDS requires some strings, so exports write "")
    text = str(value).strip()
    return text or None


class _Collector:
    """Flattens nested HSDS 3.0 JSON objects into table rows, linking children to their parents."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.problems: list[FieldError] = []

    def add(self, table: str, obj: dict[str, Any], idx: int, **links: str | None) -> str | None:
        record: dict[str, Any] = {k: _scalar(v) for k, v in obj.items() if not isinstance(v, dict | list)}
        for key, value in links.items():
            if record.get(key) is None and value is not None:
                record[key] = value
        record["_file"], record["_row"] = self.file, idx
        self.rows[table].append(record)
        return record.get("id")

    def children(self, table: str, obj: dict[str, Any], key: str, idx: int, **links: str | None) -> None:
        for child in obj.get(key) or []:
            if isinstance(child, dict):
                self.add(table, child, idx, **links)

    def attributes(self, obj: dict[str, Any], idx: int, link_id: str | None, entity: str) -> None:
        for attribute in obj.get("attributes") or []:
            if not isinstance(attribute, dict):
                continue
            term = attribute.get("taxonomy_term")
            term_id = None
            if isinstance(term, dict):
                detail = term.get("taxonomy_detail")
                taxonomy = detail.get("name") if isinstance(detail, dict) else None
                term_id = self.add("taxonomy_terms", term, idx, taxonomy=_scalar(taxonomy))
            self.add(
                "attributes", attribute, idx, link_id=link_id, link_entity=entity, taxonomy_term_id=term_id
            )

    def organization(self, obj: dict[str, Any], idx: int) -> str | None:
        org_id = self.add("organizations", obj, idx)
        self.children("phones", obj, "phones", idx, organization_id=org_id)
        for location in obj.get("locations") or []:
            if isinstance(location, dict):
                self.location(location, idx, org_id)
        for service in obj.get("services") or []:
            if isinstance(service, dict):
                self.service(service, idx, org_id)
        return org_id

    def location(self, obj: dict[str, Any], idx: int, org_id: str | None) -> str | None:
        loc_id = self.add("locations", obj, idx, organization_id=org_id)
        self.children("addresses", obj, "addresses", idx, location_id=loc_id)
        self.children("phones", obj, "phones", idx, location_id=loc_id)
        self.children("languages", obj, "languages", idx, location_id=loc_id)
        return loc_id

    def service(self, obj: dict[str, Any], idx: int, org_id: str | None) -> str | None:
        org = obj.get("organization")
        if isinstance(org, dict):
            org_id = self.organization(org, idx) or org_id
        service_id = self.add("services", obj, idx, organization_id=org_id)
        for table in ("phones", "schedules", "languages", "cost_options"):
            self.children(table, obj, table, idx, service_id=service_id)
        self.attributes(obj, idx, service_id, "service")
        for sal in obj.get("service_at_locations") or []:
            if isinstance(sal, dict):
                self.service_at_location(sal, idx, service_id, org_id)
        return service_id

    def service_at_location(
        self, obj: dict[str, Any], idx: int, service_id: str | None = None, org_id: str | None = None
    ) -> None:
        service = obj.get("service")
        if isinstance(service, dict):
            service_id = self.service(service, idx, org_id) or service_id
        location = obj.get("location")
        location_id = self.location(location, idx, org_id) if isinstance(location, dict) else None
        sal_id = self.add("service_at_location", obj, idx, service_id=service_id, location_id=location_id)
        self.children(
            "schedules", obj, "schedules", idx, service_id=service_id, service_at_location_id=sal_id
        )

    def any(self, obj: Any, idx: int) -> None:
        """One top-level record, its kind told by its fields."""
        if not isinstance(obj, dict):
            self.problems.append(FieldError(self.file, idx, "record", str(obj)[:60], "an HSDS 3.0 object"))
        elif "service" in obj or ("location" in obj and "status" not in obj):
            self.service_at_location(obj, idx)
        elif "status" in obj or "service_at_locations" in obj or "organization" in obj:
            self.service(obj, idx, None)
        elif "location_type" in obj or "addresses" in obj:
            self.location(obj, idx, None)
        elif "website" in obj or "services" in obj or "locations" in obj or "tax_status" in obj:
            self.organization(obj, idx)
        # anything else (a taxonomy, a term, base.json) carries no directory record: skipped

    def tables(self) -> Tables:
        return {
            name: dedupe(
                name,
                pl.DataFrame(rows, infer_schema_length=None).with_columns(
                    pl.exclude("_row").cast(pl.String), pl.col("_row").cast(pl.Int64)
                ),
            )
            for name, rows in self.rows.items()
        }


def json_tables(paths: list[Path]) -> Tables:
    """The tables of HSDS 3.0 JSON files (see module docstring); invalid JSON is an IntakeError."""
    problems: list[FieldError] = []
    parts: list[Tables] = []
    for path in paths:
        collector = _Collector(str(path))
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            line = getattr(exc, "lineno", 0)
            problems.append(FieldError(str(path), line, "file", path.name, f"valid UTF-8 JSON ({exc})"))
            continue
        if isinstance(data, dict) and isinstance(data.get("contents"), list):
            data = data["contents"]
        for idx, obj in enumerate(data if isinstance(data, list) else [data], start=1):
            collector.any(obj, idx)
        problems.extend(collector.problems)
        parts.append(collector.tables())
    if problems:
        raise IntakeError(problems)
    return concat_tables(parts)


def concat_tables(parts: list[Tables]) -> Tables:
    names = dict.fromkeys(name for part in parts for name in part)
    out: Tables = {}
    for name in names:
        frame = pl.concat([part[name] for part in parts if name in part], how="diagonal_relaxed")
        out[name] = dedupe(name, frame)
    return out


def csv_tables(folder: Path) -> Tables:
    """Every CSV of a tabular data package, as text, with `_file` and `_row` (header = row 1)."""
    out: Tables = {}
    problems: list[FieldError] = []
    for path in sorted(folder.glob("*.csv")):
        try:
            text = path.read_bytes().decode("utf-8-sig")
            frame = pl.read_csv(text.encode("utf-8"), infer_schema=False)
        except UnicodeDecodeError:
            problems.append(FieldError(str(path), 0, "file", path.name, "a CSV file encoded in UTF-8"))
            continue
        except (pl.exceptions.NoDataError, pl.exceptions.ComputeError) as exc:
            problems.append(FieldError(str(path), 0, "file", path.name, f"a well-formed CSV file ({exc})"))
            continue
        out[path.stem] = frame.with_columns(
            pl.all().str.strip_chars().replace("", None),
            pl.lit(str(path)).alias("_file"),
            (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias("_row"),
        )
    if problems:
        raise IntakeError(problems)
    return out


def is_v1(folder: Path) -> bool:
    """A 1.x package names its files services_at_location / physical_addresses; 3.0 says
    service_at_location / addresses (and datapackage.json lists them)."""
    names = {p.name for p in folder.glob("*.csv")}
    package = folder / "datapackage.json"
    if package.is_file():
        try:
            text = package.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            text = ""
        names |= {name for name in ("services_at_location.csv", "service_at_location.csv") if name in text}
    if "service_at_location.csv" in names or "addresses.csv" in names:
        return False
    return bool(names & {"services_at_location.csv", "physical_addresses.csv", "regular_schedules.csv"})


def v1_to_v3(tables: Tables) -> Tables:
    """A 1.x package's tables under their 3.0 names and columns, ids that are not UUIDs derived."""
    out: Tables = {}
    for name, source in tables.items():
        target = V1_TABLES.get(name, name)
        frame = source
        if name in ("physical_addresses", "postal_addresses"):
            frame = frame.with_columns(pl.lit(name.split("_")[0]).alias("address_type"))
        if name == "organizations" and "url" in frame.columns and "website" not in frame.columns:
            frame = frame.rename({"url": "website"})
        if name == "services" and "fees" in frame.columns and "fees_description" not in frame.columns:
            frame = frame.rename({"fees": "fees_description"})
        if name == "languages" and "language" in frame.columns:
            frame = frame.rename({"language": "name"})
        for column, entity in V1_ID_COLUMNS.get(target, {}).items():
            if column in frame.columns:
                frame = frame.with_columns(v1_ids(pl.col(column), entity))
        out[target] = pl.concat([out[target], frame], how="diagonal_relaxed") if target in out else frame
    return out


def v1_ids(ids: pl.Expr, entity: str) -> pl.Expr:
    """A 1.x id kept when it is a UUID, else replaced by derived_id("hsds1", entity, id): stable per record."""

    def convert(values: pl.Series) -> pl.Series:
        return pl.Series(
            [v if v is None or is_uuid(v) else derived_id("hsds1", entity, v) for v in values.to_list()],
            dtype=pl.String,
        )

    return ids.map_batches(convert, return_dtype=pl.String)
