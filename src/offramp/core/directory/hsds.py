"""Open Referral HSDS in and out of the directory: the `offramp` attribute encoding, and the readers.

HSDS 3.0 has no fields for most of what a diversion unit needs (capacity, vacancies, machine-readable
eligibility, MOUD policy...). Offramp carries them as HSDS `attributes` on the service, each pointing at a
taxonomy term of one taxonomy, `offramp`, so any HSDS consumer keeps them and Offramp reads them back:

* an enumerated value is a term whose code is `<prefix>:<value>`, e.g. `service_type:moud_methadone`,
  `moud_policy:forbids`, `offense_kind:possession`, `plea_stage:pre_plea`, `residency_state:GA`,
  `residency_county:Fulton`, `payment:medicaid`, `cost:free`, `sex:female`; the attribute's value is empty;
* a number or date is a term whose code is the field (`capacity`, `vacancies`, `waitlist`,
  `capacity_updated`), the attribute's `value` holding it (`"12"`, `"2026-11-02"`).

Ages, languages, schedules, fees and phones travel in HSDS's own fields. An empty list (e.g. "accepts no
offence kinds") cannot be told from "not said" in this encoding: both read back as null (= any / unknown).
`extension_attributes` encodes a service row; `decode_extensions` is its inverse. The export module writes
the attributes with `extension_term` (stable ids, so re-exports are identical).

The readers (`read_hsds`) detect the shape by content: JSON (3.0 objects, lists, paginated pages), a 3.0
tabular data package, or a 1.x tabular data package; see `hsds_json` and `hsds_tabular`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import polars as pl

from offramp.core.directory.batch import (
    SERVICE_SCHEMA,
    Cost,
    DirectoryBatch,
    MoudPolicy,
    Payment,
    ServiceType,
    Sex,
    derived_id,
)
from offramp.core.directory.hsds_tables import Tables, csv_tables, is_v1, json_tables, v1_to_v3
from offramp.core.enums import DescribedEnum, OffenseKind, PleaStage
from offramp.core.intake.errors import FieldError, IntakeError

#: the taxonomy whose terms carry Offramp's extensions
OFFRAMP_TAXONOMY = "offramp"
OFFRAMP_TAXONOMY_ID = derived_id("hsds-taxonomy", OFFRAMP_TAXONOMY)
OFFRAMP_TAXONOMY_DESCRIPTION = (
    "Offramp's extensions to HSDS 3.0 for diversion programs: kinds of service, MOUD policy, "
    "machine-readable eligibility, cost, capacity, vacancies and waitlist."
)

#: enumerated list fields of the service: field -> (code prefix, allowed values or None for free text)
LIST_FIELDS: dict[str, tuple[str, type[DescribedEnum] | None]] = {
    "service_types": ("service_type", ServiceType),
    "offense_kinds": ("offense_kind", OffenseKind),
    "plea_stages": ("plea_stage", PleaStage),
    "residency_states": ("residency_state", None),
    "residency_counties": ("residency_county", None),
    "payments": ("payment", Payment),
}

#: enumerated single-valued fields: field -> (code prefix, enum)
ENUM_FIELDS: dict[str, tuple[str, type[DescribedEnum]]] = {
    "moud_policy": ("moud_policy", MoudPolicy),
    "sex": ("sex", Sex),
    "cost": ("cost", Cost),
}

#: integer fields whose code is the field name and whose attribute value is the number
INT_FIELDS = ("capacity", "vacancies", "waitlist")
DATE_FIELDS = ("capacity_updated",)

_PREFIX_FIELD = {prefix: field for field, (prefix, _) in {**LIST_FIELDS, **ENUM_FIELDS}.items()}
_PREFIX_ENUM: dict[str, type[DescribedEnum] | None] = {
    prefix: enum for prefix, enum in [*LIST_FIELDS.values(), *ENUM_FIELDS.values()]
}

#: every service field the attributes carry
EXTENSION_FIELDS = (*LIST_FIELDS, *ENUM_FIELDS, *INT_FIELDS, *DATE_FIELDS)

Attribute = tuple[str, str | None]  # (taxonomy term code, attribute value)
Problem = tuple[str, str, str]  # (term code, value, what was expected)


def extension_attributes(service: Mapping[str, Any]) -> list[Attribute]:
    """The `offramp` attributes of one service row (a dict in SERVICE_SCHEMA, e.g. from
    `frame.iter_rows(named=True)`): (term code, value) pairs in schema order. Null fields give none."""
    out: list[Attribute] = []
    for field in EXTENSION_FIELDS:
        value = service.get(field)
        if value is None:
            continue
        if field in LIST_FIELDS:
            prefix = LIST_FIELDS[field][0]
            out.extend((f"{prefix}:{item}", None) for item in value if item is not None)
        elif field in ENUM_FIELDS:
            out.append((f"{ENUM_FIELDS[field][0]}:{value}", None))
        elif field in INT_FIELDS:
            out.append((field, str(int(value))))
        else:
            out.append((field, value.isoformat() if isinstance(value, dt.date) else str(value)))
    return out


def decode_extensions(attributes: Iterable[Attribute]) -> tuple[dict[str, Any], list[Problem]]:
    """The inverse of `extension_attributes`: service fields from (term code, value) pairs of the
    `offramp` taxonomy, plus the pairs that could not be read (code, value, expected). A list field absent
    from the attributes is left out of the result (the caller keeps null), so is a scalar."""
    fields: dict[str, Any] = {}
    problems: list[Problem] = []
    for raw_code, value in attributes:
        code = raw_code.strip()
        prefix, sep, item = code.partition(":")
        if sep:
            field = _PREFIX_FIELD.get(prefix)
            if field is None:
                problems.append((code, value or "", f"an offramp term code ({', '.join(_PREFIX_FIELD)}:...)"))
                continue
            enum = _PREFIX_ENUM[prefix]
            parsed = enum.parse(item) if enum is not None else None
            if enum is not None and parsed is None:
                problems.append((code, value or "", f"{prefix}:<one of {' | '.join(enum.values())}>"))
                continue
            text = parsed.value if parsed is not None else item.strip()
            if field in LIST_FIELDS:
                items = fields.setdefault(field, [])
                if text not in items:
                    items.append(text)
            else:
                fields[field] = text
        elif code in INT_FIELDS:
            number = _int_or_none(value)
            if number is None or number < 0:
                problems.append((code, value or "", "a whole number, 0 or more"))
            else:
                fields[code] = number
        elif code in DATE_FIELDS:
            try:
                fields[code] = dt.date.fromisoformat((value or "").strip()[:10])
            except ValueError:
                problems.append((code, value or "", "a date, YYYY-MM-DD"))
        else:
            problems.append((code, value or "", "an offramp term code"))
    return fields, problems


def _int_or_none(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


def extension_term(code: str) -> dict[str, str]:
    """The HSDS taxonomy_term object of an `offramp` code (stable id from the code)."""
    prefix, sep, item = code.partition(":")
    enum = _PREFIX_ENUM.get(prefix) if sep else None
    member = enum.parse(item) if enum is not None else None
    if member is not None:
        description = member.description
    elif sep:
        description = f"{prefix.replace('_', ' ').capitalize()}: {item}."
    else:
        description = f"{code.replace('_', ' ').capitalize()} (the attribute's value holds it)."
    return {
        "id": derived_id("hsds-term", OFFRAMP_TAXONOMY, code),
        "code": code,
        "name": code,
        "description": description,
        "taxonomy": OFFRAMP_TAXONOMY,
        "taxonomy_id": OFFRAMP_TAXONOMY_ID,
    }


def offramp_taxonomy() -> dict[str, str]:
    """The HSDS taxonomy object the `offramp` terms belong to."""
    return {"id": OFFRAMP_TAXONOMY_ID, "name": OFFRAMP_TAXONOMY, "description": OFFRAMP_TAXONOMY_DESCRIPTION}


# --- reading -------------------------------------------------------------------------------------------

#: language names a 1.x package (or a 3.0 language without a code) gives -> ISO 639-1
LANGUAGE_CODES: dict[str, str] = {
    "english": "en",
    "spanish": "es",
    "french": "fr",
    "chinese": "zh",
    "mandarin": "zh",
    "cantonese": "zh",
    "vietnamese": "vi",
    "korean": "ko",
    "russian": "ru",
    "arabic": "ar",
    "portuguese": "pt",
    "haitian creole": "ht",
    "german": "de",
    "italian": "it",
    "polish": "pl",
    "tagalog": "tl",
    "hindi": "hi",
    "urdu": "ur",
    "somali": "so",
    "american sign language": "sgn",
}

#: 1.x payments_accepted texts -> Payment
PAYMENT_WORDS: dict[str, str] = {
    "medicaid": Payment.MEDICAID.value,
    "medicare": Payment.MEDICARE.value,
    "private insurance": Payment.PRIVATE.value,
    "insurance": Payment.PRIVATE.value,
    "private": Payment.PRIVATE.value,
    "uninsured": Payment.UNINSURED.value,
    "self-pay": Payment.UNINSURED.value,
}

WEEKDAYS = {str(i): day for i, day in enumerate(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), start=1)}

#: 3.0 tables whose ids must be UUIDs
UUID_COLUMNS: dict[str, tuple[str, ...]] = {
    "organizations": ("id",),
    "services": ("id", "organization_id"),
    "locations": ("id", "organization_id"),
    "service_at_location": ("id", "service_id", "location_id"),
}

Warning = tuple[str, int, str]


def table(tables: Tables, name: str, columns: tuple[str, ...]) -> pl.DataFrame:
    """`tables[name]` with at least `columns` (text) and `_file`/`_row`; empty if the source has none."""
    frame = tables.get(name)
    if frame is None:
        return pl.DataFrame(
            schema={**{c: pl.String() for c in columns}, "_file": pl.String(), "_row": pl.Int64()}
        )
    return frame.with_columns([pl.lit(None, pl.String).alias(c) for c in columns if c not in frame.columns])


def errors_where(frame: pl.DataFrame, condition: pl.Expr, field: str, expected: str) -> list[FieldError]:
    bad = frame.filter(condition).select("_file", "_row", pl.col(field).fill_null(""))
    return [FieldError(file, int(row), field, value, expected) for file, row, value in bad.iter_rows()]


def check(tables: Tables, v1: bool) -> list[FieldError]:
    """Every fatal problem of the package at once (see module docstring of `read_hsds`)."""
    errors: list[FieldError] = []
    services = table(tables, "services", ("id", "name", "minimum_age", "maximum_age", "organization_id"))
    locations = table(tables, "locations", ("id",))
    sals = table(tables, "service_at_location", ("id", "service_id", "location_id"))
    errors += errors_where(services, pl.col("name").is_null(), "name", "the service's name")
    for frame, name in ((services, "services"), (locations, "locations"), (sals, "service_at_location")):
        errors += errors_where(frame, pl.col("id").is_null(), "id", f"the {name} record's id")
    for age in ("minimum_age", "maximum_age"):
        errors += errors_where(
            services,
            pl.col(age).is_not_null() & ~pl.col(age).str.contains(r"^\d{1,3}(\.0+)?$"),
            age,
            "an age in whole years (0-120)",
        )
    if not v1:
        for name, columns in UUID_COLUMNS.items():
            frame = table(tables, name, columns)
            for column in columns:
                bad = pl.col(column).is_not_null() & ~pl.col(column).str.contains(
                    r"(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
                )
                errors += errors_where(frame, bad, column, "a UUID (HSDS 3.0 ids are UUIDs)")
    errors += errors_where(
        sals,
        pl.col("location_id").is_null() | ~pl.col("location_id").is_in(locations.get_column("id").implode()),
        "location_id",
        "the id of a location in the source",
    )
    errors += errors_where(
        sals,
        pl.col("service_id").is_null() | ~pl.col("service_id").is_in(services.get_column("id").implode()),
        "service_id",
        "the id of a service in the source",
    )
    return errors


def first_per(frame: pl.DataFrame, key: str, value: pl.Expr, name: str) -> pl.DataFrame:
    return (
        frame.filter(pl.col(key).is_not_null())
        .group_by(key, maintain_order=True)
        .agg(value.drop_nulls().first().alias(name))
    )


def extension_frame(tables: Tables) -> tuple[pl.DataFrame, list[FieldError]]:
    """Service id -> the extension fields its `offramp` attributes carry (decode_extensions per service)."""
    attributes = table(tables, "attributes", ("link_id", "taxonomy_term_id", "value"))
    terms = table(tables, "taxonomy_terms", ("id", "code", "taxonomy", "taxonomy_id"))
    offramp = terms.filter(
        (pl.col("taxonomy").str.to_lowercase() == OFFRAMP_TAXONOMY)
        | (pl.col("taxonomy_id") == OFFRAMP_TAXONOMY_ID)
    ).select(pl.col("id").alias("taxonomy_term_id"), "code")
    joined = attributes.join(offramp, on="taxonomy_term_id", how="inner", maintain_order="left")
    rows: list[dict[str, Any]] = []
    errors: list[FieldError] = []
    for (link_id,), group in joined.group_by("link_id", maintain_order=True):
        pairs = list(group.select("code", "value").iter_rows())
        fields, problems = decode_extensions(pairs)
        where = group.select("_file", "_row", "code").rows()
        for code, value, expected in problems:
            file, row = next(((f, r) for f, r, c in where if c == code), (where[0][0], where[0][1]))
            errors.append(FieldError(file, int(row), f"attributes[{code}]", value, expected))
        rows.append({"id": link_id, **fields})
    schema = {"id": pl.String(), **{f: SERVICE_SCHEMA[f] for f in EXTENSION_FIELDS}}
    frame = pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)
    return frame, errors


def schedule_descriptions(tables: Tables) -> pl.DataFrame:
    """Service id -> one text of its schedules: the publisher's description, else days and hours."""
    schedules = table(
        tables, "schedules", ("service_id", "description", "byday", "opens_at", "closes_at", "freq")
    )
    regular = table(tables, "regular_schedules", ("service_id", "weekday", "opens_at", "closes_at"))
    hours = pl.concat_str(
        [pl.col("opens_at").str.slice(0, 5), pl.col("closes_at").str.slice(0, 5)], separator="–"
    )
    three = schedules.select(
        "service_id",
        pl.coalesce("description", pl.concat_str([pl.col("byday"), hours], separator=" ")).alias("text"),
    )
    one = regular.select(
        "service_id",
        pl.concat_str([pl.col("weekday").replace(WEEKDAYS), hours], separator=" ").alias("text"),
    )
    both = pl.concat([three, one]).filter(pl.col("service_id").is_not_null(), pl.col("text").is_not_null())
    return both.group_by("service_id", maintain_order=True).agg(
        pl.col("text").unique(maintain_order=True).str.join("; ").alias("schedule_description")
    )


def language_codes(tables: Tables) -> pl.DataFrame:
    """Service id -> ISO 639-1 codes (the `code`, else the name looked up in LANGUAGE_CODES)."""
    languages = table(tables, "languages", ("service_id", "code", "name"))
    code = pl.coalesce(
        pl.col("code").str.to_lowercase().str.slice(0, 3),
        pl.col("name").str.to_lowercase().str.strip_chars().replace_strict(LANGUAGE_CODES, default=None),
    )
    return (
        languages.select("service_id", code.alias("code"))
        .drop_nulls()
        .group_by("service_id", maintain_order=True)
        .agg(pl.col("code").unique(maintain_order=True).alias("languages"))
    )


def tables_batch(tables: Tables, v1: bool, fmt: str = "hsds") -> DirectoryBatch:
    """The directory records of an HSDS source's tables; IntakeError listing every fatal problem."""
    errors = check(tables, v1)
    extensions, extension_errors = extension_frame(tables)
    errors += extension_errors
    if errors:
        raise IntakeError(errors)
    warnings: list[Warning] = []
    orgs = table(tables, "organizations", ("id", "name", "alternate_name", "description", "email", "website"))
    phones = table(tables, "phones", ("number", "organization_id", "location_id", "service_id"))
    org_phone = first_per(phones, "organization_id", pl.col("number"), "phone").rename(
        {"organization_id": "id"}
    )
    loc_phone = first_per(phones, "location_id", pl.col("number"), "phone").rename({"location_id": "id"})
    organizations = orgs.join(org_phone, on="id", how="left", maintain_order="left")

    locs = table(tables, "locations", ("id", "organization_id", "name", "latitude", "longitude"))
    addresses = (
        table(
            tables,
            "addresses",
            (
                "location_id",
                "address_1",
                "address_2",
                "city",
                "region",
                "state_province",
                "postal_code",
                "address_type",
            ),
        )
        .with_columns(pl.col("address_type").str.to_lowercase().fill_null("physical").alias("address_type"))
        .sort(pl.col("address_type") != "physical", maintain_order=True)
    )
    address = addresses.unique("location_id", keep="first", maintain_order=True)
    for file, row, kind in (
        address.filter(pl.col("address_type") != "physical")
        .select("_file", "_row", "address_type")
        .iter_rows()
    ):
        warnings.append((file, int(row), f"address: no physical address; the {kind} address is used"))
    coordinates = [pl.col(axis).cast(pl.Float64, strict=False) for axis in ("latitude", "longitude")]
    locations = (
        locs.join(
            address.drop("_file", "_row", "id", strict=False),
            left_on="id",
            right_on="location_id",
            how="left",
            maintain_order="left",
        )
        .join(loc_phone, on="id", how="left", maintain_order="left")
        .with_columns(
            pl.when(coordinates[0].abs() <= 90).then(coordinates[0]).alias("latitude"),
            pl.when(coordinates[1].abs() <= 180).then(coordinates[1]).alias("longitude"),
            pl.col("region").alias("county"),
            pl.col("postal_code").str.strip_chars(),
        )
    )
    bad_coordinates = locs.filter(
        (pl.col("latitude").is_not_null() & ~(coordinates[0].abs() <= 90).fill_null(False))
        | (pl.col("longitude").is_not_null() & ~(coordinates[1].abs() <= 180).fill_null(False))
    )
    for file, row, lat, lon in bad_coordinates.select("_file", "_row", "latitude", "longitude").iter_rows():
        warnings.append((file, int(row), f"coordinates: ({lat}, {lon}) are not a possible place; left blank"))

    services = table(
        tables,
        "services",
        (
            "id",
            "organization_id",
            "name",
            "status",
            "fees_description",
            "eligibility_description",
            "minimum_age",
            "maximum_age",
        ),
    )
    eligibility = table(tables, "eligibility", ("service_id", "eligibility"))
    eligibility_text = eligibility.group_by("service_id", maintain_order=True).agg(
        pl.col("eligibility").drop_nulls().str.join("; ").alias("eligibility_v1")
    )
    payments = table(tables, "payments_accepted", ("service_id", "payment"))
    payment_lists = (
        payments.select(
            "service_id",
            pl.col("payment")
            .str.to_lowercase()
            .str.strip_chars()
            .replace_strict(PAYMENT_WORDS, default=None),
        )
        .drop_nulls()
        .group_by("service_id", maintain_order=True)
        .agg(pl.col("payment").unique(maintain_order=True).alias("payments_v1"))
    )
    costs = table(tables, "cost_options", ("service_id", "amount"))
    cost_of = costs.group_by("service_id").agg(
        pl.when((pl.col("amount").cast(pl.Float64, strict=False) > 0).any())
        .then(pl.lit(Cost.FEE.value))
        .when((pl.col("amount").cast(pl.Float64, strict=False) == 0).any())
        .then(pl.lit(Cost.FREE.value))
        .alias("cost_options_cost")
    )
    age = [pl.col(a).cast(pl.Float64, strict=False).cast(pl.Int32) for a in ("minimum_age", "maximum_age")]
    joined = (
        services.drop([f for f in EXTENSION_FIELDS if f in services.columns])
        .join(extensions, on="id", how="left", maintain_order="left")
        .join(
            schedule_descriptions(tables).rename({"service_id": "id"}),
            on="id",
            how="left",
            maintain_order="left",
        )
        .join(language_codes(tables).rename({"service_id": "id"}), on="id", how="left", maintain_order="left")
        .join(eligibility_text.rename({"service_id": "id"}), on="id", how="left", maintain_order="left")
        .join(payment_lists.rename({"service_id": "id"}), on="id", how="left", maintain_order="left")
        .join(cost_of.rename({"service_id": "id"}), on="id", how="left", maintain_order="left")
    )
    service_frame = joined.with_columns(
        age[0].alias("minimum_age"),
        age[1].alias("maximum_age"),
        pl.coalesce("eligibility_description", "eligibility_v1").alias("eligibility_description"),
        pl.coalesce("payments", "payments_v1").alias("payments"),
        pl.coalesce("cost", "cost_options_cost", pl.lit(Cost.UNKNOWN.value)).alias("cost"),
        pl.col("moud_policy").fill_null(MoudPolicy.UNKNOWN.value),
        pl.col("status").fill_null("active"),
        pl.concat_list(
            pl.format(
                f"{fmt}:{{}}:{{}}",
                pl.col("_file").map_elements(lambda f: Path(f).name, return_dtype=pl.String),
                pl.col("_row"),
            )
        ).alias("sources"),
    )
    sals = table(tables, "service_at_location", ("id", "service_id", "location_id"))
    unplaced = service_frame.filter(~pl.col("id").is_in(sals.get_column("service_id").implode()))
    for file, row in unplaced.select("_file", "_row").iter_rows():
        warnings.append((file, int(row), "service: no location (service_at_location); it cannot be matched"))
    return DirectoryBatch.of(organizations, service_frame, locations, sals, tuple(warnings))


def hsds_files(path: Path) -> tuple[str, list[Path]]:
    """("json" | "tabular-3" | "tabular-1", the files) for a file or a folder, told by content."""
    if path.is_file():
        return ("json", [path])
    if any(path.glob("*.csv")):
        return ("tabular-1" if is_v1(path) else "tabular-3", [path])
    files = sorted(path.glob("*.json"))
    if not files:
        raise IntakeError(
            [
                FieldError(
                    str(path),
                    0,
                    "file",
                    path.name,
                    "HSDS 3.0 JSON files or a tabular data package (CSV files)",
                )
            ]
        )
    return ("json", files)


def read_hsds(path: Path, progress: Callable[[int], None] | None = None) -> DirectoryBatch:
    """Read HSDS (3.0 JSON file or folder, 3.0 or 1.x tabular data package) into a DirectoryBatch.

    Fatal, all reported at once: a service without a name, an id that is not a UUID (3.0), a
    service_at_location naming a location or service the source lacks, an age that is not whole years,
    an `offramp` attribute that cannot be read, invalid JSON. Warnings: coordinates off the globe, a
    location with only a postal address, a service with no location."""
    kind, files = hsds_files(path)
    if kind == "json":
        tables = json_tables(files)
    else:
        tables = csv_tables(files[0])
        if kind == "tabular-1":
            tables = v1_to_v3(tables)
    batch = tables_batch(tables, v1=kind == "tabular-1")
    if progress is not None:
        progress(batch.services.height)
    return batch
