"""The SAMHSA locator listings as directory records: one organization, location and service per listing.

`offramp.core.directory.samhsa_locator.read_listing` already handles every quirk of the four files (cp1252, swapped
coordinate headers, `NA`, lost ZIP zeros) and gives one normalised row per listing with a `listing_key`
stable across re-imports. This module maps those rows onto the HSDS tables. Ids are uuid5 of the
listing_key, so importing the same file again gives identical ids; the listing's warnings become the
batch's warnings.

What a listing says about the service is only what the file it comes from says: a MOUD site provides its
medication (category), an opioid treatment program methadone, the substance-use file some treatment of
unknown level, the mental-health file mental-health treatment. Sites that provide MOUD accept people who
take it; the other files do not say (`unknown`). SAMHSA publishes no cost, capacity or eligibility.

The mapping runs as Polars expressions over whole columns; only the uuid5 ids are computed per row in
Python, chunk by chunk so a progress callback can move a bar on the national files (~15,000 rows).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from offramp.core.directory.batch import (
    Cost,
    DirectoryBatch,
    MoudPolicy,
    ServiceType,
    derived_id,
)
from offramp.core.directory.listing import ListingKind, MoudCategory
from offramp.core.directory.samhsa_locator import read_listing

#: the `offramp programs import --format` name of each listing kind (also the prefix of `sources`)
FORMAT_KINDS: dict[str, ListingKind] = {
    "samhsa-sut": ListingKind.SUBSTANCE_USE_TREATMENT,
    "samhsa-moud": ListingKind.MOUD,
    "samhsa-otp": ListingKind.OPIOID_TREATMENT_PROGRAM,
    "samhsa-mh": ListingKind.MENTAL_HEALTH,
}
KINDS = {kind.value: kind for kind in ListingKind}
KIND_FORMATS = {kind.value: fmt for fmt, kind in FORMAT_KINDS.items()}

#: a MOUD category -> the service type
CATEGORY_TYPES: dict[str, ServiceType] = {
    MoudCategory.BUPRENORPHINE.value: ServiceType.MOUD_BUPRENORPHINE,
    MoudCategory.METHADONE.value: ServiceType.MOUD_METHADONE,
    MoudCategory.NALTREXONE.value: ServiceType.MOUD_NALTREXONE,
}

#: how a service type reads in a generated service name ("<site> — buprenorphine, substance-use treatment")
TYPE_LABELS: dict[str, str] = {
    ServiceType.MOUD_BUPRENORPHINE.value: "buprenorphine",
    ServiceType.MOUD_METHADONE.value: "methadone",
    ServiceType.MOUD_NALTREXONE.value: "naltrexone",
    ServiceType.SUD_TREATMENT.value: "substance-use treatment",
    ServiceType.MENTAL_HEALTH.value: "mental-health treatment",
}

#: every source entry of a SAMHSA service starts with one of these (merge combines such services)
SOURCE_PREFIXES = tuple(f"{fmt}:" for fmt in FORMAT_KINDS)

CHUNK_ROWS = 2_000


def service_types_expr(kind: ListingKind) -> pl.Expr:
    """The service types a listing of `kind` offers (a MOUD site's by its category)."""
    if kind is ListingKind.MOUD:
        medication = pl.col("category").replace_strict(
            {k: v.value for k, v in CATEGORY_TYPES.items()}, default=ServiceType.SUD_TREATMENT.value
        )
        return pl.concat_list(medication)
    fixed = {
        ListingKind.SUBSTANCE_USE_TREATMENT: [ServiceType.SUD_TREATMENT.value],
        ListingKind.OPIOID_TREATMENT_PROGRAM: [
            ServiceType.MOUD_METHADONE.value,
            ServiceType.SUD_TREATMENT.value,
        ],
        ListingKind.MENTAL_HEALTH: [ServiceType.MENTAL_HEALTH.value],
    }[kind]
    return pl.lit(fixed, dtype=pl.List(pl.String))


def service_name_expr(site: pl.Expr, types: pl.Expr) -> pl.Expr:
    """ "<site> — <what it offers>", from the service types (so a merged service is named alike)."""
    order = list(TYPE_LABELS)
    labels = (
        types.list.eval(
            pl.element()
            .replace_strict(TYPE_LABELS, default=pl.element())
            .sort_by(pl.element().replace_strict({v: i for i, v in enumerate(order)}, default=len(order)))
        )
        .list.unique(maintain_order=True)
        .list.join(", ")
    )
    return pl.concat_str([site, pl.lit(" — "), labels])


def listing_batch(listings: pl.DataFrame, progress: Callable[[int], None] | None = None) -> DirectoryBatch:
    """Directory records for the listings of one file (LISTING_SCHEMA, a single kind)."""
    if listings.is_empty():
        return DirectoryBatch.empty()
    kind = KINDS[listings.get_column("kind")[0]]
    fmt = KIND_FORMATS[kind.value]
    keys = listings.get_column("listing_key").to_list()
    ids: dict[str, list[str]] = {"org": [], "location": [], "service": [], "sal": []}
    for start in range(0, len(keys), CHUNK_ROWS):
        chunk = keys[start : start + CHUNK_ROWS]
        for table, column in ids.items():
            column.extend(derived_id("samhsa", table, key) for key in chunk)
        if progress is not None:
            progress(len(chunk))
    frame = listings.with_columns(
        pl.Series("org_id", ids["org"], pl.String),
        pl.Series("location_id", ids["location"], pl.String),
        pl.Series("service_id", ids["service"], pl.String),
        pl.Series("sal_id", ids["sal"], pl.String),
        service_types_expr(kind).alias("service_types"),
    )
    organizations = frame.select(
        pl.col("org_id").alias("id"),
        "name",
        pl.col("name2").alias("alternate_name"),
        "website",
        "phone",
    )
    locations = frame.select(
        pl.col("location_id").alias("id"),
        pl.col("org_id").alias("organization_id"),
        "name",
        pl.col("street1").alias("address_1"),
        pl.col("street2").alias("address_2"),
        "city",
        pl.col("state").alias("state_province"),
        pl.col("zip").alias("postal_code"),
        "county",
        "latitude",
        "longitude",
        "phone",
    )
    accepts_moud = kind in (ListingKind.MOUD, ListingKind.OPIOID_TREATMENT_PROGRAM)
    services = frame.select(
        pl.col("service_id").alias("id"),
        pl.col("org_id").alias("organization_id"),
        service_name_expr(pl.col("name"), pl.col("service_types")).alias("name"),
        pl.concat_str([pl.lit(kind.description + " "), pl.col("source_note"), pl.lit(".")]).alias(
            "description"
        ),
        pl.col("website").alias("url"),
        pl.lit("active").alias("status"),
        "service_types",
        pl.lit((MoudPolicy.ACCEPTS if accepts_moud else MoudPolicy.UNKNOWN).value).alias("moud_policy"),
        pl.lit(Cost.UNKNOWN.value).alias("cost"),
        pl.concat_list(pl.format(f"{fmt}:{{}}:{{}}", pl.col("source_file"), pl.col("source_row"))).alias(
            "sources"
        ),
    )
    service_at_locations = frame.select(pl.col("sal_id").alias("id"), "service_id", "location_id")
    warnings = tuple(
        (file, int(row), message)
        for file, row, messages in frame.select("source_file", "source_row", "warnings").iter_rows()
        for message in messages or ()
    )
    return DirectoryBatch.of(organizations, services, locations, service_at_locations, warnings)


def read_samhsa(path: Path, fmt: str, progress: Callable[[int], None] | None = None) -> DirectoryBatch:
    """Read one SAMHSA listing file of format `fmt` (a key of FORMAT_KINDS) into a DirectoryBatch.

    `progress(n)` is called with the number of rows just mapped (an increment, as `tqdm.update` takes)."""
    return listing_batch(read_listing(path, FORMAT_KINDS[fmt]), progress)
