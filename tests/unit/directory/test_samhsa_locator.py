"""Reading the SAMHSA listings shipped in src/offramp/data/samhsa_georgia, quirks included."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pytest

from offramp.core.directory.listing import LISTING_SCHEMA, ListingKind, listing_warnings
from offramp.core.directory.samhsa_locator import (
    GEORGIA_FILES,
    GEORGIA_FOLDER,
    decode_source,
    read_georgia_bundle,
    read_listing,
)
from offramp.core.intake.errors import IntakeError

MOUD = GEORGIA_FOLDER / "moud_sites_ga.csv"
OTP = GEORGIA_FOLDER / "opioid_treatment_programs_ga.csv"
MENTAL = GEORGIA_FOLDER / "mental_health_ga.csv"
SUBSTANCE = GEORGIA_FOLDER / "substance_use_treatment_ga.csv"


@pytest.fixture(scope="module")
def bundle() -> pl.DataFrame:
    return read_georgia_bundle()


def row(frame: pl.DataFrame, file: str, source_row: int) -> dict[str, object]:
    rows = frame.filter(source_file=file, source_row=source_row).to_dicts()
    assert len(rows) == 1
    return rows[0]


def rewrite(source: Path, target: Path, old: str, new: str) -> Path:
    """A copy of a packaged file with one piece of text replaced (bytes otherwise unchanged)."""
    data = source.read_bytes()
    assert data.count(old.encode()) >= 1
    target.write_bytes(data.replace(old.encode(), new.encode(), 1))
    return target


def test_it_ships_the_four_files_inside_the_package() -> None:
    assert (
        Path(__file__).resolve().parents[3] / "src" / "offramp" / "data" / "samhsa_georgia" == GEORGIA_FOLDER
    )
    assert sorted(p.name for p in GEORGIA_FOLDER.glob("*.csv")) == sorted(GEORGIA_FILES.values())
    assert (GEORGIA_FOLDER / "SOURCE.md").is_file()


def test_it_reads_the_exact_row_counts(bundle: pl.DataFrame) -> None:
    counts = dict(bundle.group_by("kind").len().iter_rows())
    assert counts == {
        "substance_use_treatment": 284,
        "moud": 242,
        "opioid_treatment_program": 75,
        "mental_health": 205,
    }
    assert bundle.height == 806
    assert bundle.schema == pl.Schema(LISTING_SCHEMA)
    assert bundle.select(
        pl.col("source_row").min().alias("first"), pl.col("source_row").max().alias("last")
    ).row(0) == (
        2,
        285,
    )


def test_it_puts_the_swapped_moud_coordinates_back_inside_georgia(bundle: pl.DataFrame) -> None:
    first = row(bundle, "moud_sites_ga.csv", 2)
    assert (first["name"], first["latitude"], first["longitude"]) == (
        "Private Clinic North",
        34.978762,
        -85.275236,
    )
    moud = bundle.filter(kind="moud")
    inside = moud.filter(
        pl.col("latitude").is_between(30, 35.1) & pl.col("longitude").is_between(-85.7, -80.7)
    )
    assert inside.height == 242
    assert listing_warnings(bundle).height == 0


def test_it_decodes_non_ascii_names(bundle: pl.DataFrame) -> None:
    # the only non-ASCII names of the Georgia subset are in the MOUD file (UTF-8 right single quote)
    assert row(bundle, "moud_sites_ga.csv", 200)["name"] == "REAGAN\u2019S PHARMACY"
    assert row(bundle, "moud_sites_ga.csv", 207)["name"] == "PHYSICIAN\u2019S PHARMACY"
    assert row(bundle, "moud_sites_ga.csv", 238)["name"] == "HORTON\u2019S DRUG STORE"


def test_it_falls_back_to_cp1252(tmp_path: Path) -> None:
    # The Georgia opioid treatment program file, documented as cp1252, holds only ASCII bytes ...
    assert max(OTP.read_bytes()) < 0x80
    assert decode_source(OTP.read_bytes(), str(OTP))[1] == "utf-8"
    # ... so the fallback is shown on the real MOUD names written by a Windows program (’ is 0x92).
    windows = tmp_path / "moud_sites.csv"
    windows.write_bytes(MOUD.read_bytes().decode("utf-8").encode("cp1252"))
    assert b"REAGAN\x92S PHARMACY" in windows.read_bytes()
    assert decode_source(windows.read_bytes(), str(windows))[1] == "cp1252"
    frame = read_listing(windows, ListingKind.MOUD)
    assert frame.filter(source_row=200).get_column("name").to_list() == ["REAGAN\u2019S PHARMACY"]
    assert frame.height == 242


def test_it_pads_mental_health_zips_that_lost_their_leading_zeros(
    bundle: pl.DataFrame, tmp_path: Path
) -> None:
    # Georgia ZIP codes start with 3, so the packaged file has none to pad ...
    mental = bundle.filter(kind="mental_health")
    assert mental.get_column("zip").str.len_chars().unique().to_list() == [5]
    assert mental.filter(pl.col("zip") != pl.col("zip_raw")).height == 0
    # ... the national file does (Newark NJ 07101 stored as the integer 7101; Holtsville NY 00501 as 501)
    national = rewrite(
        MENTAL, tmp_path / "mental_health.csv", ",Eastman,GA,31023,6720,", ",Newark,NJ,7101,6720,"
    )
    national = rewrite(national, national, ",Dublin,GA,31021,NA,", ",Holtsville,NY,501,NA,")
    frame = read_listing(national, ListingKind.MENTAL_HEALTH)
    assert frame.filter(source_row=2).select("zip", "zip_raw", "zip4", "state").row(0) == (
        "07101",
        "7101",
        "6720",
        "NJ",
    )
    assert frame.filter(source_row=3).select("zip", "zip_raw").row(0) == ("00501", "501")
    assert listing_warnings(frame).select("source_row", "message").rows() == [
        (2, "zip: '7101' padded to '07101' (the source stored it as a number and lost the leading zeros)"),
        (3, "zip: '501' padded to '00501' (the source stored it as a number and lost the leading zeros)"),
    ]


def test_it_reads_na_and_empty_cells_as_null(bundle: pl.DataFrame) -> None:
    moud = row(bundle, "moud_sites_ga.csv", 2)  # name2, street2 and zip4 are the text NA
    assert (moud["name2"], moud["street2"], moud["zip4"]) == (None, None, None)
    substance = row(bundle, "substance_use_treatment_ga.csv", 3)  # name2, street2, zip4 are empty
    assert (substance["name2"], substance["street2"], substance["zip4"]) == (None, None, None)
    mental = row(bundle, "mental_health_ga.csv", 3)  # zip4 NA, the rest filled in
    assert (mental["zip4"], mental["street2"], mental["phone"]) == (None, "Building 9", "478-272-1190 x1177")
    text_columns = [name for name, dtype in LISTING_SCHEMA.items() if dtype == pl.String()]
    leftovers = bundle.select(pl.sum_horizontal(pl.col(text_columns).is_in(["", "NA"]).sum())).item()
    assert leftovers == 0
    assert bundle.filter(kind="moud").get_column("name2").null_count() == 152


def test_it_reads_the_placeholder_website_as_none(bundle: pl.DataFrame) -> None:
    mental = bundle.filter(kind="mental_health")
    assert mental.get_column("website").null_count() == 18
    assert row(bundle, "mental_health_ga.csv", 2)["website"] == "http://www.dodgecountyhospital.com"


def test_it_normalises_moud_categories(bundle: pl.DataFrame) -> None:
    moud = bundle.filter(kind="moud")
    assert dict(moud.group_by("category").len().iter_rows()) == {
        "buprenorphine": 61,
        "methadone": 64,
        "naltrexone": 117,
    }
    assert row(bundle, "moud_sites_ga.csv", 200)["category_raw"] == "naltrexone/vivitrol"
    assert bundle.filter(pl.col("kind") != "moud").get_column("category").null_count() == 564


def test_it_names_file_row_and_column_of_a_missing_column(tmp_path: Path) -> None:
    broken = rewrite(MOUD, tmp_path / "moud_sites_ga.csv", ",countyName,", ",county_name,")
    with pytest.raises(IntakeError) as caught:
        read_listing(broken, ListingKind.MOUD)
    assert str(caught.value) == (
        f"{broken}:1:countyName: '' — expected this column in the header row of a moud listing"
    )


def test_it_refuses_a_listing_without_a_name(tmp_path: Path) -> None:
    broken = rewrite(OTP, tmp_path / "otp.csv", "Access Health Treatment Center,", "NA,")
    with pytest.raises(IntakeError) as caught:
        read_listing(broken, ListingKind.OPIOID_TREATMENT_PROGRAM)
    assert str(caught.value) == f"{broken}:2:ID: '' — expected the program's name"


def test_it_flags_coordinates_outside_georgia(tmp_path: Path) -> None:
    # row 2 with latitude and longitude swapped, as the MOUD file would read without the fix
    swapped = rewrite(SUBSTANCE, tmp_path / "substance.csv", ",32.18702,-83.174682", ",-83.174682,32.18702")
    frame = read_listing(swapped, ListingKind.SUBSTANCE_USE_TREATMENT)
    assert listing_warnings(frame).select("source_row", "message").rows() == [
        (
            2,
            "coordinates: (-83.174682, 32.18702) lie outside Georgia (latitude 30 to 35.1, "
            "longitude -85.7 to -80.7); check the address",
        )
    ]


def test_it_keeps_listing_keys_stable(bundle: pl.DataFrame, tmp_path: Path) -> None:
    assert bundle.get_column("listing_key").n_unique() == 806
    assert (
        read_georgia_bundle().get_column("listing_key").to_list()
        == bundle.get_column("listing_key").to_list()
    )
    # the key is a digest of file, names, address and category (case and spacing ignored), never the row
    expected = hashlib.sha256(
        "\x1f".join(
            [
                "substance_use_treatment_ga.csv",
                "community mental health center",
                "eastman annex",
                "621 plaza avenue",
                "",
                "31023",
                "",
            ]
        ).encode()
    ).hexdigest()[:32]
    assert row(bundle, "substance_use_treatment_ga.csv", 2)["listing_key"] == expected
    # a new first row shifts every row number but changes no existing key
    data = SUBSTANCE.read_bytes()
    header, rest = data.split(b"\r\n", 1)
    shifted = tmp_path / "substance_use_treatment_ga.csv"
    shifted.write_bytes(
        header + b"\r\nNew Program,,1 Main Street,,Atlanta,GA,30303,,Fulton,33.75,-84.39\r\n" + rest
    )
    again = read_listing(shifted, ListingKind.SUBSTANCE_USE_TREATMENT)
    assert again.filter(name="Community Mental Health Center", name2="Eastman Annex").select(
        "source_row", "listing_key"
    ).row(0) == (3, expected)
    original = bundle.filter(kind="substance_use_treatment").get_column("listing_key")
    assert original.is_in(again.get_column("listing_key").implode()).all()


def test_it_tells_apart_listings_that_share_name_and_street(bundle: pl.DataFrame) -> None:
    # two programs of one provider at one address (name2 differs) and one MOUD site per medication
    ascensa = bundle.filter(street1="139 Renaissance Parkway NE", kind="substance_use_treatment")
    assert ascensa.select("source_row", "name", "name2").rows() == [
        (188, "Ascensa Health at St Judes Recovery", "Day Outpatient Program"),
        (199, "Ascensa Health at St Judes Recovery", "Family Care Center"),
    ]
    assert ascensa.get_column("listing_key").n_unique() == 2
    decatur = bundle.filter(kind="moud", name="Alliance Recovery Center", name2="Decatur")
    assert sorted(decatur.get_column("category").to_list()) == ["buprenorphine", "methadone", "naltrexone"]
    assert decatur.get_column("listing_key").n_unique() == 3


def test_it_reads_a_national_size_file(tmp_path: Path) -> None:
    header, *rows = MOUD.read_bytes().decode("utf-8").rstrip("\r\n").split("\r\n")
    copies = [line.replace(",", f" {n},", 1) for n in range(62) for line in rows]  # 15,004 distinct sites
    national = tmp_path / "moud_sites.csv"
    national.write_text("\r\n".join([header, *copies]) + "\r\n", encoding="utf-8", newline="")
    frame = read_listing(national, ListingKind.MOUD)
    assert frame.height == 15_004
    assert frame.get_column("listing_key").n_unique() == 15_004
    assert listing_warnings(frame).height == 0
