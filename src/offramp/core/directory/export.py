"""Write a `DirectoryBatch` as Open Referral HSDS 3.0 JSON that the standard's own schemas accept.

Layout of the output folder (the shapes of the HSDS 3.0 API's responses, so an HSDS consumer reads them
as it would read an API):

* `services.json`: one page (the API's paginated list shape, GET /services, a single page holding
  everything) of "service full" objects (GET /services/{id}): each with its nested organization,
  `service_at_locations` -> `location` (addresses, phones), languages, schedule and the `offramp`
  attributes that carry Offramp's extensions (encoding: `offramp.core.directory.hsds`);
* `organizations.json`, `locations.json`, `taxonomy_terms.json`: one page each, so organizations and
  locations that no service uses are kept, and the `offramp` taxonomy (every term an extension can use)
  is published;
* `README.md`: what the folder is and how the extensions are encoded.

Why all-or-nothing: a half-written export looks like a complete directory to whoever receives it. Every
object is validated against the HSDS 3.0 schemas (`validate`) and the batch against Offramp's own rules
(non-empty names, unique ids, links that resolve) before anything is written; the files go to a temporary
folder that is renamed into place only when complete. The output is deterministic (sorted ids, sorted
keys, ids derived with `derived_id`), so exporting the same directory twice gives identical files.

What HSDS has no place for: a service's `sources` (provenance) are not exported. Address fields HSDS
requires but the directory lacks are written as "" (HSDS forbids null); the county goes in `region`.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from offramp.core.directory.batch import DirectoryBatch, derived_id
from offramp.core.directory.hsds import (
    ENUM_FIELDS,
    LIST_FIELDS,
    OFFRAMP_TAXONOMY,
    extension_attributes,
    extension_term,
    offramp_taxonomy,
)
from offramp.core.directory.validate import HsdsValidationError, validate

#: the first line of the README every export writes: how a folder is recognised as a previous export
#: that may be replaced
README_TITLE = "# Offramp directory export (Open Referral HSDS 3.0)"

#: HSDS requires a service status; a directory row without one is listed, so it is active
DEFAULT_STATUS = "active"

#: how many problems an error lists in full
MAX_LISTED = 200

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote: the folder and how many of each object."""

    out_dir: Path
    organizations: int
    services: int
    locations: int
    service_at_locations: int
    taxonomy_terms: int
    files: int


def export_hsds(batch: DirectoryBatch, out_dir: Path) -> ExportSummary:
    """Write `batch` as HSDS 3.0 JSON into `out_dir` (see the module docstring for the layout).

    Raises `HsdsValidationError` listing every problem, and writes nothing, if the batch breaks Offramp's
    rules or any object fails the HSDS 3.0 schemas. `out_dir` may be absent, empty, or a previous export
    (replaced as a whole); any other non-empty folder is refused with `FileExistsError`.
    """
    out_dir = Path(out_dir)
    _check_target(out_dir)
    organizations = {o["id"]: _organization(o) for o in batch.organizations.iter_rows(named=True)}
    locations = {loc["id"]: _location(loc) for loc in batch.locations.iter_rows(named=True)}
    sal_by_service: dict[str, list[Mapping[str, Any]]] = {}
    for sal in batch.service_at_locations.sort("id").iter_rows(named=True):
        sal_by_service.setdefault(sal["service_id"], []).append(sal)

    services: dict[str, JsonObject] = {}
    codes: set[str] = set()
    for row in batch.services.sort("id").iter_rows(named=True):
        service = _service(row, organizations, locations, sal_by_service.get(row["id"], []))
        services[row["id"]] = service
        codes.update(a["taxonomy_term"]["code"] for a in service.get("attributes", []))
    terms = [_taxonomy_term(code) for code in sorted(codes | set(_enumerated_codes()))]

    messages = batch_problems(batch)
    for sid, service in services.items():
        messages += [f"services.json id {sid} {m}" for m in validate(_shallow(service), "service")]
    checked: set[tuple[str, str | None]] = set()
    for sid, service in services.items():
        for attribute in service.get("attributes", []):
            key = (attribute["taxonomy_term"]["code"], attribute.get("value"))
            if key not in checked:
                checked.add(key)
                errors = validate(attribute, "attribute")
                messages += [f"services.json id {sid} attribute {key[0]} {m}" for m in errors]
    for oid, org in organizations.items():
        messages += [f"organizations.json id {oid} {m}" for m in validate(org, "organization")]
    for lid, loc in locations.items():
        messages += [f"locations.json id {lid} {m}" for m in validate(loc, "location")]
    for term in terms:
        messages += [f"taxonomy_terms.json code {term['code']} {m}" for m in validate(term, "taxonomy_term")]
    if messages:
        raise HsdsValidationError(_capped(messages))

    files: dict[str, object] = {"services.json": _page([services[k] for k in sorted(services)])}
    files["organizations.json"] = _page([organizations[k] for k in sorted(organizations)])
    files["locations.json"] = _page([locations[k] for k in sorted(locations)])
    files["taxonomy_terms.json"] = _page(terms)
    _write_atomically(out_dir, files, _readme(batch, len(terms)))
    return ExportSummary(
        out_dir=out_dir,
        organizations=len(organizations),
        services=len(services),
        locations=len(locations),
        service_at_locations=batch.service_at_locations.height,
        taxonomy_terms=len(terms),
        files=len(files) + 1,
    )


def batch_problems(batch: DirectoryBatch) -> list[str]:
    """What the HSDS schemas cannot see but makes an export wrong: empty names, duplicate ids, links
    to records that are not in the batch. One readable line per problem (table, row, field, expected)."""
    problems: list[str] = []
    tables = {
        "organizations": batch.organizations,
        "services": batch.services,
        "locations": batch.locations,
        "service_at_locations": batch.service_at_locations,
    }
    for table, frame in tables.items():
        numbered = frame.with_row_index("row", offset=1)
        dupes = numbered.filter(pl.col("id").is_duplicated() & pl.col("id").is_not_null())
        problems += [
            f"{table} row {r} id {i!r}: expected a unique id" for r, i in dupes.select("row", "id").rows()
        ]
        missing = numbered.filter(pl.col("id").is_null() | (pl.col("id").str.strip_chars() == ""))
        problems += [f"{table} row {r} id: expected an id (a UUID)" for (r,) in missing.select("row").rows()]
        if "name" in frame.columns and table != "locations":
            empty = numbered.filter(pl.col("name").is_null() | (pl.col("name").str.strip_chars() == ""))
            problems += [
                f"{table} row {r} id {i!r} name {n!r}: expected a non-empty name"
                for r, i, n in empty.select("row", "id", "name").rows()
            ]
    links = [
        ("services", "organization_id", "organizations"),
        ("locations", "organization_id", "organizations"),
        ("service_at_locations", "service_id", "services"),
        ("service_at_locations", "location_id", "locations"),
    ]
    for table, field, target in links:
        numbered = tables[table].with_row_index("row", offset=1)
        dangling = numbered.filter(
            pl.col(field).is_not_null() & ~pl.col(field).is_in(tables[target]["id"].implode())
        )
        problems += [
            f"{table} row {r} id {i!r} {field} {v!r}: expected the id of one of the batch's {target}"
            for r, i, v in dangling.select("row", "id", field).rows()
        ]
    return problems


def _compact(obj: Mapping[str, Any]) -> JsonObject:
    """`obj` without null values and empty lists: HSDS allows no null, and absent means unknown."""
    return {k: v for k, v in obj.items() if v is not None and v != []}


def _organization(row: Mapping[str, Any]) -> JsonObject:
    oid = row["id"]
    phones = [
        {"id": derived_id("hsds-phone", "organization", oid), "organization_id": oid, "number": row["phone"]}
    ]
    return _compact(
        {
            "id": oid,
            "name": row["name"],
            "alternate_name": row["alternate_name"],
            "description": row["description"] or "",  # required by HSDS
            "email": row["email"],
            "website": row["website"],
            "phones": phones if row["phone"] else None,
        }
    )


def _location(row: Mapping[str, Any]) -> JsonObject:
    lid = row["id"]
    address_fields = ("address_1", "address_2", "city", "state_province", "postal_code", "county")
    address = None
    if any(row[f] for f in address_fields):
        address = _compact(
            {
                "id": derived_id("hsds-address", lid),
                "location_id": lid,
                "address_1": row["address_1"] or "",
                "address_2": row["address_2"],
                "city": row["city"] or "",
                "region": row["county"],
                "state_province": row["state_province"] or "",
                "postal_code": row["postal_code"] or "",
                "country": "US",
                "address_type": "physical",
            }
        )
    phone = {"id": derived_id("hsds-phone", "location", lid), "location_id": lid, "number": row["phone"]}
    return _compact(
        {
            "id": lid,
            "location_type": "physical",
            "organization_id": row["organization_id"],
            "name": row["name"],
            "latitude": row["latitude"],
            "longitude": row["longitude"],
            "addresses": [address] if address else None,
            "phones": [phone] if row["phone"] else None,
        }
    )


def _service(
    row: Mapping[str, Any],
    organizations: Mapping[str, JsonObject],
    locations: Mapping[str, JsonObject],
    sals: Iterable[Mapping[str, Any]],
) -> JsonObject:
    sid = row["id"]
    schedule = {
        "id": derived_id("hsds-schedule", sid),
        "service_id": sid,
        "description": row["schedule_description"],
    }
    languages = [
        {"id": derived_id("hsds-language", sid, code), "service_id": sid, "code": code}
        for code in row["languages"] or []
        if code
    ]
    return _compact(
        {
            "id": sid,
            "organization_id": row["organization_id"],
            "name": row["name"],
            "alternate_name": row["alternate_name"],
            "description": row["description"],
            "url": row["url"],
            "email": row["email"],
            "status": row["status"] or DEFAULT_STATUS,
            "fees_description": row["fees_description"],
            "eligibility_description": row["eligibility_description"],
            "minimum_age": row["minimum_age"],
            "maximum_age": row["maximum_age"],
            "organization": organizations.get(row["organization_id"] or ""),
            "service_at_locations": [
                {
                    "id": sal["id"],
                    "service_id": sid,
                    "location_id": sal["location_id"],
                    "location": locations[sal["location_id"]],
                }
                for sal in sals
                if sal["location_id"] in locations  # a dangling link is reported by batch_problems
            ],
            "languages": languages,
            "schedules": [schedule] if row["schedule_description"] else None,
            "attributes": [_attribute(sid, code, value) for code, value in extension_attributes(row)],
        }
    )


def _shallow(service: JsonObject) -> JsonObject:
    """`service` without its nested organization, locations and attributes, for validation.

    Why: the service schema only `$ref`s organization.json, location.json and attribute.json for those.
    Each organization and location is one shared object validated once against its own schema, and an
    attribute differs between services only in its derived UUID id and its link_id (the service's id,
    validated here), so one attribute per (term code, value) is validated against attribute.json.
    Validating all of them inside every service made a 15,000-service export take about a minute.
    """
    shallow = {k: v for k, v in service.items() if k != "organization"}
    shallow["service_at_locations"] = [
        {k: v for k, v in sal.items() if k != "location"} for sal in service.get("service_at_locations", [])
    ]
    del shallow["attributes"]
    return shallow


def _attribute(service_id: str, code: str, value: str | None) -> JsonObject:
    term = extension_term(code)
    return _compact(
        {
            "id": derived_id("hsds-attribute", service_id, code),
            "link_id": service_id,
            "link_entity": "service",
            "link_type": code.partition(":")[0],
            "taxonomy_term_id": term["id"],
            "taxonomy_term": term,
            "value": value,
        }
    )


def _enumerated_codes() -> list[str]:
    """Every `offramp` term code an enumerated extension can take, so the taxonomy is published whole."""
    codes = [
        f"{prefix}:{value}"
        for prefix, enum in [*LIST_FIELDS.values(), *ENUM_FIELDS.values()]
        if enum is not None
        for value in enum.values()
    ]
    return [*codes, "capacity", "vacancies", "waitlist", "capacity_updated"]


def _taxonomy_term(code: str) -> JsonObject:
    return {**extension_term(code), "taxonomy_detail": offramp_taxonomy()}


def _page(contents: list[JsonObject]) -> JsonObject:
    """The HSDS 3.0 API's paginated list shape, one page holding every object."""
    return {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }


def _capped(messages: list[str]) -> list[str]:
    if len(messages) <= MAX_LISTED:
        return messages
    return [*messages[:MAX_LISTED], f"... and {len(messages) - MAX_LISTED} more"]


def _readme(batch: DirectoryBatch, terms: int) -> str:
    counts = ", ".join(f"{n} {table}" for table, n in batch.counts.items())
    return f"""{README_TITLE}

Written by `offramp programs export --format hsds`: {counts}, {terms} taxonomy terms.
Every object validates against the HSDS 3.0 JSON Schemas (openreferral/specification, schema/).

- `services.json`: an HSDS 3.0 API list page of "service full" objects (nested organization,
  service_at_locations with their location, languages, schedules, attributes).
- `organizations.json`, `locations.json`, `taxonomy_terms.json`: HSDS 3.0 API list pages (one page each).

Offramp's extensions (kinds of service, MOUD policy, eligibility, cost, capacity, vacancies, waitlist)
travel as service `attributes` whose taxonomy terms belong to the `{OFFRAMP_TAXONOMY}` taxonomy: an
enumerated value is the term code `<field>:<value>` (e.g. `service_type:moud_methadone`,
`moud_policy:forbids`); a number or date is the term code `capacity`, `vacancies`, `waitlist` or
`capacity_updated` with the attribute's `value` holding it. Ages, languages and schedules use HSDS's own
fields. Address fields HSDS requires but the directory lacks are empty strings; the county is `region`.
"""


def _check_target(out_dir: Path) -> None:
    if out_dir.exists() and (not out_dir.is_dir() or (any(out_dir.iterdir()) and not _is_export(out_dir))):
        raise FileExistsError(
            f"{out_dir}: exists and is not an Offramp HSDS export; choose a new or empty folder"
        )


def _is_export(folder: Path) -> bool:
    readme = folder / "README.md"
    return readme.is_file() and readme.read_text(encoding="utf-8").startswith(README_TITLE)


def _write_atomically(out_dir: Path, files: Mapping[str, object], readme: str) -> None:
    """Write every file into a temporary sibling folder, then rename it to `out_dir` (replacing a
    previous export only once the new one is complete)."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        for name, obj in files.items():
            # no indent: the C encoder, several times faster on 15,000 services
            text = json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
            (staging / name).write_text(text, encoding="utf-8")
        (staging / "README.md").write_text(readme, encoding="utf-8")
        staging.chmod(0o755)
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            out_dir.rename(old)
            try:
                staging.rename(out_dir)
            except OSError:
                old.rename(out_dir)  # put the previous export back
                raise
            shutil.rmtree(old)
        else:
            staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
