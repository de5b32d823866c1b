"""The normalised program listing every source is read into: kinds, schema, keys and shared checks.

A listing is one program at one address as a public directory lists it. Sources (today the SAMHSA files
read by `samhsa`, later Open Referral HSDS) produce frames in `LISTING_SCHEMA`; the web layer stores them
field for field. Keys are SHA-256 digests of normalised text, so they are the same on every machine and
after any Polars upgrade.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import polars as pl

from offramp.core.enums import DescribedEnum


class ListingKind(DescribedEnum):
    SUBSTANCE_USE_TREATMENT = (
        "substance_use_treatment",
        "A facility SAMHSA lists for substance-use treatment (outpatient, residential or detoxification).",
    )
    MOUD = (
        "moud",
        "A site that provides a medication for opioid use disorder: buprenorphine, methadone or naltrexone.",
    )
    OPIOID_TREATMENT_PROGRAM = (
        "opioid_treatment_program",
        "A federally certified opioid treatment program (OTP), the only place that may dispense methadone "
        "for opioid use disorder.",
    )
    MENTAL_HEALTH = (
        "mental_health",
        "A mental-health treatment facility, such as a community service board or a crisis unit.",
    )


class MoudCategory(DescribedEnum):
    BUPRENORPHINE = ("buprenorphine", "Buprenorphine, prescribed by a clinician in an office or a clinic.")
    METHADONE = ("methadone", "Methadone, dispensed daily by a certified opioid treatment program.")
    NALTREXONE = ("naltrexone", "Extended-release naltrexone (Vivitrol), a monthly injection.")


LISTING_SCHEMA: dict[str, pl.DataType] = {
    "listing_key": pl.String(),
    "row_hash": pl.String(),
    "source_file": pl.String(),
    "source_row": pl.Int64(),
    "kind": pl.String(),
    "name": pl.String(),
    "name2": pl.String(),
    "street1": pl.String(),
    "street2": pl.String(),
    "city": pl.String(),
    "state": pl.String(),
    "zip": pl.String(),
    "zip_raw": pl.String(),
    "zip4": pl.String(),
    "county": pl.String(),
    "phone": pl.String(),
    "website": pl.String(),
    "category": pl.String(),
    "category_raw": pl.String(),
    "latitude": pl.Float64(),
    "longitude": pl.Float64(),
    "source_note": pl.String(),
    "warnings": pl.List(pl.String()),
}

#: what makes two rows the same listing; see `listing_key_of`
KEY_FIELDS = ("source_file", "name", "name2", "street1", "street2", "zip", "category")


@dataclass(frozen=True)
class Bounds:
    """A box around a state: coordinates outside it are flagged (a swapped pair or a bad geocode)."""

    state_name: str
    lat_min: float
    lat_max: float
    lon_min: float
    lon_max: float


STATE_BOUNDS: dict[str, Bounds] = {"GA": Bounds("Georgia", 30.0, 35.1, -85.7, -80.7)}


def sha256_column(values: pl.Series, name: str) -> pl.Series:
    """The first 32 hex digits of each value's SHA-256: stable across Polars and Python versions
    (unlike `Series.hash`), so keys survive an upgrade."""
    digests = [hashlib.sha256(value.encode("utf-8")).hexdigest()[:32] for value in values.to_list()]
    return pl.Series(name, digests, dtype=pl.String)


def listing_key_of() -> pl.Expr:
    """A key stable across re-imports: the file's name and the listing's name, address and MOUD category,
    with case and spacing ignored (never the row number, which shifts when the source adds a row).

    name2, street2 and category are in the key because the source reuses name1 + street1 + zip for
    different listings: two programs of one provider at one address, one MOUD site per medication."""
    parts = [
        pl.col(name).fill_null("").str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()
        for name in KEY_FIELDS
    ]
    joined = pl.concat_str(parts, separator="\x1f")
    return joined.map_batches(lambda s: sha256_column(s, "listing_key"), return_dtype=pl.String).alias(
        "listing_key"
    )


def row_hash_of() -> pl.Expr:
    """A digest of everything stored about the listing: a re-import tells changed rows from unchanged."""
    fields = [name for name in LISTING_SCHEMA if name not in ("listing_key", "row_hash")]
    parts = [
        pl.col(name).list.join("\x1e") if name == "warnings" else pl.col(name).cast(pl.String)
        for name in fields
    ]
    joined = pl.concat_str([p.fill_null("\x00") for p in parts], separator="\x1f")
    return joined.map_batches(lambda s: sha256_column(s, "row_hash"), return_dtype=pl.String).alias(
        "row_hash"
    )


def drop_repeated_listings(frame: pl.DataFrame) -> pl.DataFrame:
    """Keep the first row of each listing_key; the kept row's warnings name the rows that repeated it."""
    rows = frame.group_by("listing_key").agg(pl.col("source_row").sort().alias("rows"))
    repeated = rows.filter(pl.col("rows").list.len() > 1)
    if repeated.is_empty():
        return frame
    notes = repeated.select(
        "listing_key",
        pl.format(
            "duplicate: row(s) {} repeat this listing (same name, address and category) and were skipped",
            pl.col("rows").list.slice(1).cast(pl.List(pl.String)).list.join(", "),
        ).alias("repeat_note"),
    )
    kept = frame.unique("listing_key", keep="first", maintain_order=True).join(
        notes, on="listing_key", how="left", maintain_order="left"
    )
    return kept.with_columns(
        pl.concat_list("warnings", pl.col("repeat_note")).list.drop_nulls().alias("warnings")
    ).drop("repeat_note")


def listing_warnings(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per data-quality warning: source_file, source_row, listing_key, message."""
    return (
        frame.select("source_file", "source_row", "listing_key", pl.col("warnings").alias("message"))
        .explode("message", empty_as_null=True)
        .drop_nulls("message")
    )
