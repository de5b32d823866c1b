"""The SAMHSA locator lists as directory records (offramp.core.directory.samhsa / read)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from offramp.core.directory.batch import derived_id
from offramp.core.directory.listing import ListingKind
from offramp.core.directory.read import FORMATS, read_directory
from offramp.core.directory.samhsa import read_samhsa
from offramp.core.directory.samhsa_locator import GEORGIA_FOLDER, read_listing
from offramp.core.intake.errors import IntakeError

GEORGIA = GEORGIA_FOLDER  # the copy shipped in the package
FILES = {
    "samhsa-sut": ("substance_use_treatment_ga.csv", ListingKind.SUBSTANCE_USE_TREATMENT, 284),
    "samhsa-moud": ("moud_sites_ga.csv", ListingKind.MOUD, 242),
    "samhsa-otp": ("opioid_treatment_programs_ga.csv", ListingKind.OPIOID_TREATMENT_PROGRAM, 75),
    "samhsa-mh": ("mental_health_ga.csv", ListingKind.MENTAL_HEALTH, 205),
}


@pytest.mark.parametrize("fmt", list(FILES))
def test_one_record_of_each_table_per_listing(fmt: str) -> None:
    name, kind, readme_rows = FILES[fmt]
    listings = read_listing(GEORGIA / name, kind)
    assert listings.height == readme_rows  # the Georgia files repeat no listing exactly
    batch = read_samhsa(GEORGIA / name, fmt)
    assert set(batch.counts.values()) == {readme_rows}
    assert batch.service_at_locations.join(batch.services, left_on="service_id", right_on="id").height == (
        readme_rows
    )
    first = listings.row(0, named=True)
    assert batch.services.get_column("id")[0] == derived_id("samhsa", "service", first["listing_key"])
    assert batch.organizations.get_column("name")[0] == first["name"]
    assert batch.services.get_column("sources")[0].to_list() == [f"{fmt}:{name}:2"]


def test_service_types_and_moud_policy_follow_the_list() -> None:
    types = {fmt: read_samhsa(GEORGIA / FILES[fmt][0], fmt).services for fmt in FILES}
    assert types["samhsa-sut"].get_column("service_types").to_list()[0] == ["sud_treatment"]
    assert types["samhsa-otp"].get_column("service_types").to_list()[0] == ["moud_methadone", "sud_treatment"]
    assert set(types["samhsa-mh"].get_column("service_types").list.first()) == {"mental_health"}
    moud_types = set(types["samhsa-moud"].get_column("service_types").list.first())
    assert moud_types == {"moud_buprenorphine", "moud_methadone", "moud_naltrexone"}
    assert types["samhsa-moud"].get_column("moud_policy").unique().to_list() == ["accepts"]
    assert types["samhsa-otp"].get_column("moud_policy").unique().to_list() == ["accepts"]
    assert types["samhsa-sut"].get_column("moud_policy").unique().to_list() == ["unknown"]
    assert types["samhsa-mh"].get_column("cost").unique().to_list() == ["unknown"]


def test_swapped_moud_coordinates_land_in_georgia() -> None:
    locations = read_directory(GEORGIA / "moud_sites_ga.csv", "samhsa-moud").locations
    assert locations.get_column("latitude").is_between(30, 35.1).all()
    assert locations.get_column("longitude").is_between(-85.7, -80.7).all()


def test_a_moud_site_listed_per_medication_becomes_one_service() -> None:
    batch = read_directory(GEORGIA / "moud_sites_ga.csv", "samhsa-moud")
    assert batch.services.height < 242
    several = batch.services.filter(pl.col("service_types").list.len() > 1)
    assert several.height > 0
    assert (several.get_column("sources").list.len() > 1).all()


def test_cp1252_otp_file_is_decoded(tmp_path: Path) -> None:
    data = (GEORGIA / "opioid_treatment_programs_ga.csv").read_bytes()
    assert b"Access Health" in data
    path = tmp_path / "otp.csv"
    path.write_bytes(data.replace(b"Access Health", "Accès Health".encode("cp1252"), 1))
    names = read_samhsa(path, "samhsa-otp").organizations.get_column("name")
    assert "Accès Health Treatment Center" in names.to_list()


def test_mental_health_zip_padding_is_a_warning(tmp_path: Path) -> None:
    source = GEORGIA / "mental_health_ga.csv"
    text = source.read_text()
    row = pl.read_csv(source, infer_schema=False).row(0, named=True)
    path = tmp_path / "mh.csv"
    path.write_text(text.replace(f",{row['zip']},", ",2134,", 1))
    batch = read_samhsa(path, "samhsa-mh")
    assert batch.locations.get_column("postal_code")[0] == "02134"
    assert any(w[1] == 2 and "padded to '02134'" in w[2] for w in batch.warnings)


def test_reading_twice_gives_identical_frames() -> None:
    for fmt, (name, _, _) in FILES.items():
        a, b = read_directory(GEORGIA / name, fmt), read_directory(GEORGIA / name, fmt)
        for table in ("organizations", "services", "locations", "service_at_locations"):
            assert getattr(a, table).equals(getattr(b, table)), (fmt, table)


def test_a_folder_holding_the_file_reads_that_file() -> None:
    assert read_directory(GEORGIA, "samhsa-otp").services.equals(
        read_directory(GEORGIA / "opioid_treatment_programs_ga.csv", "samhsa-otp").services
    )


def test_unknown_format_and_missing_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="samhsa-moud"):
        read_directory(GEORGIA, "samhsa")
    with pytest.raises(IntakeError, match=r"nothing\.csv"):
        read_directory(tmp_path / "nothing.csv", "samhsa-moud")
    with pytest.raises(IntakeError, match="moud"):
        read_directory(tmp_path, "samhsa-moud")
    assert "hsds" in FORMATS


def test_a_listing_without_a_name_refuses_the_file(tmp_path: Path) -> None:
    frame = pl.read_csv(GEORGIA / "moud_sites_ga.csv", infer_schema=False)
    path = tmp_path / "moud.csv"
    frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 3).then(None).otherwise("name1").alias("name1")
    ).write_csv(path)
    with pytest.raises(IntakeError) as raised:
        read_directory(path, "samhsa-moud")
    assert f"{path}:5:name1" in str(raised.value)


def test_fifteen_thousand_rows_with_progress(tmp_path: Path) -> None:
    raw = pl.read_csv(GEORGIA / "moud_sites_ga.csv", infer_schema=False)
    copies = [raw.with_columns(pl.col("name1") + f" #{i}") for i in range(15_000 // raw.height + 1)]
    path = tmp_path / "moud_national.csv"
    pl.concat(copies).head(15_000).write_csv(path)
    seen: list[int] = []
    batch = read_samhsa(path, "samhsa-moud", seen.append)
    # the speed target (15,000 rows in under 5 s) is bench/bench_samhsa.py's, not a timed test's
    assert batch.services.height == 15_000
    assert sum(seen) == 15_000 and len(seen) > 1
