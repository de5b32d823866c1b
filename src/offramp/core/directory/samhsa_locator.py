"""SAMHSA treatment-locator listings, as published by the OEPS data warehouse, read into one frame.

Four listing files (substance-use treatment, MOUD sites, opioid treatment programs, mental health) name the
same things differently and each has its own defect. This module maps every file onto one normalised
schema, `LISTING_SCHEMA`, so the web layer stores and shows them alike and a later step can export them as
Open Referral HSDS 3.0. The quirks are described in `src/offramp/data/samhsa_georgia/SOURCE.md`.

Reading runs as Polars expressions over whole columns (no per-row Python but the SHA-256 digests of the
keys), so the national files (~14,000 rows each) go through the same code unchanged.

Encoding: a file is decoded as strict UTF-8 first (a byte-order mark allowed) and only if that fails as
Windows-1252 (cp1252), the encoding of the opioid treatment program file. UTF-8 validates itself: a cp1252
file with any byte above 0x7F is practically never valid UTF-8, so success is strong evidence. cp1252 maps
nearly every byte to some character, so trying it first would "succeed" on UTF-8 files and silently turn
"é" into "Ã©". A file that is neither is refused.

Missing values: an empty cell and the text `NA` (after trimming) are null in every column.
Implausible values (a padded ZIP code, coordinates outside the state) are kept and listed in the row's
`warnings`; an unusable file (missing column, no program name) raises IntakeError naming file, row, column.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from offramp.core.directory.listing import (
    LISTING_SCHEMA,
    STATE_BOUNDS,
    ListingKind,
    MoudCategory,
    drop_repeated_listings,
    listing_key_of,
    row_hash_of,
)
from offramp.core.intake.errors import FieldError, IntakeError

#: the source's spellings of a MOUD category (lower case)
CATEGORY_ALIASES: dict[str, str] = {
    **{m.value: m.value for m in MoudCategory},
    "naltrexone/vivitrol": MoudCategory.NALTREXONE.value,
    "vivitrol": MoudCategory.NALTREXONE.value,
}

#: cell texts that mean "no value"
MISSING_MARKERS = ("", "NA")

SOURCE_NOTE = (
    "Public SAMHSA treatment-locator listing, published in the Opioid Environment Policy Scan (OEPS) v2.0 "
    "data warehouse, GeoDaCenter/opioid-policy-scan (Cox, Wimer, Lambert, Paykin et al. 2024; "
    "doi:10.5281/zenodo.5842465)"
)

TEXT_FIELDS = ("name", "name2", "street1", "street2", "city", "state", "county", "phone", "website")


@dataclass(frozen=True)
class ListingFormat:
    """How one kind of source file maps onto LISTING_SCHEMA.

    `columns` maps a normalised field to the source header that holds it; a field not named is null.
    `required` headers must be present (row 1); `lister` names the column saying who listed the site, and
    `latitude_check` a column that repeats the latitude (MOUD's trailing unnamed column).
    """

    kind: ListingKind
    georgia_file: str
    columns: Mapping[str, str]
    lister: str | None = None
    latitude_check: str | None = None

    @property
    def required(self) -> list[str]:
        return list(dict.fromkeys([*self.columns.values(), *([self.lister] if self.lister else [])]))


_ADDRESS = {
    "name": "name1",
    "name2": "name2",
    "street1": "street1",
    "street2": "street2",
    "city": "city",
    "state": "state",
    "zip": "zip",
    "zip4": "zip4",
}

FORMATS: dict[ListingKind, ListingFormat] = {
    ListingKind.SUBSTANCE_USE_TREATMENT: ListingFormat(
        ListingKind.SUBSTANCE_USE_TREATMENT,
        "substance_use_treatment_ga.csv",
        {**_ADDRESS, "county": "county", "latitude": "latitude", "longitude": "longitude"},
    ),
    ListingKind.MOUD: ListingFormat(
        ListingKind.MOUD,
        "moud_sites_ga.csv",
        # sic: the source's "Longitude" column holds the latitude and its "Latitude" the longitude
        {
            **_ADDRESS,
            "county": "countyName",
            "category": "category",
            "latitude": "Longitude",
            "longitude": "Latitude",
        },
        lister="source",
        latitude_check="",
    ),
    ListingKind.OPIOID_TREATMENT_PROGRAM: ListingFormat(
        ListingKind.OPIOID_TREATMENT_PROGRAM,
        "opioid_treatment_programs_ga.csv",
        {
            "name": "ID",
            "street1": "ADDRESS",
            "city": "CITY",
            "state": "STATE",
            "zip": "POSTAL",
            "latitude": "Latitude",
            "longitude": "Longitude",
        },
    ),
    ListingKind.MENTAL_HEALTH: ListingFormat(
        ListingKind.MENTAL_HEALTH,
        "mental_health_ga.csv",
        {
            **_ADDRESS,
            "county": "county",
            "phone": "phone",
            "website": "website",
            "latitude": "latitude",
            "longitude": "longitude",
        },
    ),
}

GEORGIA_FILES: dict[ListingKind, str] = {kind: fmt.georgia_file for kind, fmt in FORMATS.items()}

#: the Georgia listings shipped inside the package (src/offramp/data/samhsa_georgia)
GEORGIA_FOLDER = Path(__file__).resolve().parents[2] / "data" / "samhsa_georgia"


def decode_source(data: bytes, file: str) -> tuple[str, str]:
    """The text of `data` and the encoding that decoded it ("utf-8", else "cp1252"; see module docstring)."""
    for name, codec in (("utf-8", "utf-8-sig"), ("cp1252", "cp1252")):
        try:
            return data.decode(codec), name
        except UnicodeDecodeError:
            continue
    raise IntakeError(
        [FieldError(file, 0, "file", "", "a CSV file encoded in UTF-8 or Windows-1252 (cp1252)")]
    )


def read_raw(path: Path) -> pl.DataFrame:
    """Every cell as text, header as the file spells it (an empty header is named "")."""
    file = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IntakeError([FieldError(file, 0, "file", path.name, "an existing, readable file")]) from exc
    text, _ = decode_source(data, file)
    try:
        return pl.read_csv(io.BytesIO(text.encode("utf-8")), infer_schema=False)
    except pl.exceptions.NoDataError as exc:
        raise IntakeError([FieldError(file, 1, "header", "", "a header row naming the columns")]) from exc
    except pl.exceptions.ComputeError as exc:
        raise IntakeError(
            [FieldError(file, 0, "file", path.name, f"a well-formed CSV file ({exc})")]
        ) from exc


def require_headers(present: list[str], fmt: ListingFormat, file: str) -> None:
    missing = [name for name in fmt.required if name not in present]
    if missing:
        expected = f"this column in the header row of a {fmt.kind.value} listing"
        raise IntakeError([FieldError(file, 1, name, "", expected) for name in missing])


def text(header: str | None, present: list[str]) -> pl.Expr:
    """The trimmed text of a source column, null for a missing marker or an absent column."""
    if header is None or header not in present:
        return pl.lit(None, pl.String)
    value = pl.col(header).str.strip_chars()
    return pl.when(value.is_in(MISSING_MARKERS)).then(None).otherwise(value)


def read_listing(path: Path, kind: ListingKind) -> pl.DataFrame:
    """Read one listing file of `kind` into LISTING_SCHEMA, one row per listing (see module docstring)."""
    fmt = FORMATS[kind]
    file = str(path)
    raw = read_raw(path)
    present = raw.columns
    require_headers(present, fmt, file)
    frame = raw.with_row_index("source_row", offset=2).select(
        pl.lit(path.name).alias("source_file"),
        pl.col("source_row").cast(pl.Int64),
        pl.lit(kind.value).alias("kind"),
        *[text(fmt.columns.get(name), present).alias(name) for name in TEXT_FIELDS],
        text(fmt.columns.get("zip"), present).alias("zip_raw"),
        text(fmt.columns.get("zip4"), present).alias("zip4_raw"),
        text(fmt.columns.get("category"), present).alias("category_raw"),
        text(fmt.columns.get("latitude"), present).alias("latitude_raw"),
        text(fmt.columns.get("longitude"), present).alias("longitude_raw"),
        text(fmt.lister, present).alias("lister"),
        text(fmt.latitude_check, present).alias("latitude_check"),
    )
    reject_unnamed(frame, fmt, file)
    frame = frame.with_columns(
        pl.col("state").str.to_uppercase(),
        pl.when(pl.col("website").str.contains(r"(?i)^https?:/*$"))
        .then(None)
        .otherwise(pl.col("website"))
        .alias("website"),
        pl.col("category_raw")
        .str.to_lowercase()
        .replace_strict(CATEGORY_ALIASES, default=None)
        .alias("category"),
        *normalise_zip(),
        *parse_coordinates(),
    )
    frame = frame.with_columns(collect_warnings(fmt), source_note()).with_columns(listing_key_of())
    frame = drop_repeated_listings(frame)
    return frame.with_columns(row_hash_of()).select(
        [pl.col(name).cast(dtype) for name, dtype in LISTING_SCHEMA.items()]
    )


def reject_unnamed(frame: pl.DataFrame, fmt: ListingFormat, file: str) -> None:
    """A listing without a name cannot be shown or referred to: the file is refused, every such row named."""
    unnamed = frame.filter(pl.col("name").is_null()).get_column("source_row")
    if unnamed.len():
        header = fmt.columns["name"]
        raise IntakeError(
            [FieldError(file, int(row), header, "", "the program's name") for row in unnamed.head(200)],
            total=unnamed.len(),
        )


def normalise_zip() -> list[pl.Expr]:
    """5-digit zip and 4-digit zip4. A 1-4 digit ZIP lost its leading zeros (stored as a number): padded."""
    raw = pl.col("zip_raw").str.replace(r"\.0+$", "")
    plus4 = raw.str.extract(r"^\d{5}-?(\d{4})$", 1)
    zip4 = pl.col("zip4_raw").str.replace(r"\.0+$", "")
    return [
        pl.when(raw.str.contains(r"^\d{5}(-?\d{4})?$"))
        .then(raw.str.slice(0, 5))
        .when(raw.str.contains(r"^\d{1,4}$"))
        .then(raw.str.zfill(5))
        .alias("zip"),
        pl.when(zip4.str.contains(r"^\d{1,4}$"))
        .then(zip4.str.zfill(4))
        .when(zip4.is_null())
        .then(plus4)
        .alias("zip4"),
    ]


def parse_coordinates() -> list[pl.Expr]:
    """Latitude and longitude as numbers; null where unparseable or impossible (collect_warnings says so)."""
    lat = pl.col("latitude_raw").cast(pl.Float64, strict=False)
    lon = pl.col("longitude_raw").cast(pl.Float64, strict=False)
    return [
        pl.when(lat.abs() <= 90).then(lat).alias("latitude"),
        pl.when(lon.abs() <= 180).then(lon).alias("longitude"),
    ]


def collect_warnings(fmt: ListingFormat) -> pl.Expr:
    """One message per data-quality problem of the row: imported anyway, shown to whoever checks the data."""
    zip_raw, zip4_raw = pl.col("zip_raw"), pl.col("zip4_raw")
    lat, lon = pl.col("latitude"), pl.col("longitude")
    messages = [
        pl.when(zip_raw.is_not_null() & (pl.col("zip") != zip_raw.str.slice(0, 5))).then(
            pl.format(
                "zip: '{}' padded to '{}' (the source stored it as a number and lost the leading zeros)",
                zip_raw,
                pl.col("zip"),
            )
        ),
        pl.when(zip_raw.is_not_null() & pl.col("zip").is_null()).then(
            pl.format("zip: '{}' is not a ZIP code; left blank", zip_raw)
        ),
        pl.when(zip_raw.is_null()).then(pl.lit("zip: missing")),
        pl.when(zip4_raw.is_not_null() & pl.col("zip4").is_null()).then(
            pl.format("zip4: '{}' is not a ZIP+4 suffix; left blank", zip4_raw)
        ),
        pl.when(zip4_raw.is_not_null() & (pl.col("zip4") != zip4_raw)).then(
            pl.format("zip4: '{}' padded to '{}'", zip4_raw, pl.col("zip4"))
        ),
        pl.when(pl.col("category_raw").is_not_null() & pl.col("category").is_null()).then(
            pl.format(
                "category: '{}' is not one of {}; left blank",
                pl.col("category_raw"),
                pl.lit(" | ".join(MoudCategory.values())),
            )
        ),
    ]
    for axis in ("latitude", "longitude"):
        raw = pl.col(f"{axis}_raw")
        messages.append(
            pl.when(raw.is_not_null() & pl.col(axis).is_null()).then(
                pl.format(f"{axis}: '{{}}' is not a possible {axis}; left blank", raw)
            )
        )
    messages.append(
        pl.when(pl.col("latitude_raw").is_null() | pl.col("longitude_raw").is_null()).then(
            pl.lit("coordinates: missing; the listing cannot be placed on a map")
        )
    )
    for state, box in STATE_BOUNDS.items():
        outside = ~lat.is_between(box.lat_min, box.lat_max) | ~lon.is_between(box.lon_min, box.lon_max)
        messages.append(
            pl.when((pl.col("state") == state) & outside).then(
                pl.format(
                    f"coordinates: ({{}}, {{}}) lie outside {box.state_name} (latitude {box.lat_min:g} to "
                    f"{box.lat_max:g}, longitude {box.lon_min:g} to {box.lon_max:g}); check the address",
                    lat,
                    lon,
                )
            )
        )
    if fmt.latitude_check is not None:
        check = pl.col("latitude_check")
        messages.append(
            pl.when(check.is_not_null() & (check.cast(pl.Float64, strict=False) != lat).fill_null(True)).then(
                pl.format(
                    "latitude: the trailing unnamed column says '{}' but the latitude read is '{}'",
                    check,
                    lat,
                )
            )
        )
    return pl.concat_list(messages).list.drop_nulls().alias("warnings")


def source_note() -> pl.Expr:
    """Where the listing comes from, in words: the citation, the file and (MOUD) who listed the site."""
    return pl.concat_str(
        [
            pl.lit(SOURCE_NOTE),
            pl.format("; file {}", pl.col("source_file")),
            pl.when(pl.col("lister").is_not_null()).then(pl.format("; listed by {}", pl.col("lister"))),
        ],
        ignore_nulls=True,
    ).alias("source_note")


def read_bundle(
    folder: Path,
    files: Mapping[ListingKind, str],
    on_file: Callable[[ListingKind, int], None] | None = None,
) -> pl.DataFrame:
    """Read every listing file in `folder` named in `files` into one frame (LISTING_SCHEMA).

    Every missing file is reported before any is read. `on_file(kind, rows)` is called after each file,
    so a command can show progress without the core knowing about terminals."""
    missing = [name for name in files.values() if not (folder / name).is_file()]
    if missing:
        raise IntakeError(
            [
                FieldError(str(folder / name), 0, "file", name, "an existing, readable file")
                for name in missing
            ]
        )
    frames = []
    for kind, name in files.items():
        frames.append(read_listing(folder / name, kind))
        if on_file is not None:
            on_file(kind, frames[-1].height)
    return pl.concat(frames, how="vertical")


def read_georgia_bundle(
    folder: Path = GEORGIA_FOLDER, on_file: Callable[[ListingKind, int], None] | None = None
) -> pl.DataFrame:
    """The four Georgia listing files of `folder` (by default the copies shipped in the package)."""
    return read_bundle(folder, GEORGIA_FILES, on_file)
