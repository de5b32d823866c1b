"""Reading Open Referral HSDS (3.0 JSON, 3.0 and 1.x tabular) and the offramp attribute encoding."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from offramp.core.directory.hsds import (
    OFFRAMP_TAXONOMY,
    decode_extensions,
    extension_attributes,
    extension_term,
    read_hsds,
)
from offramp.core.directory.hsds_tables import is_uuid
from offramp.core.directory.read import read_directory
from offramp.core.intake.errors import IntakeError

DATA = Path(__file__).resolve().parents[2] / "data"
EXAMPLES = DATA / "hsds_3.0_examples"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"


@pytest.mark.parametrize("variant", ["simple", "all_resources"])
def test_the_1x_sample_package(variant: str) -> None:
    batch = read_directory(DATA / "hsds_sample" / variant, "hsds")
    assert batch.counts == {"organizations": 10, "services": 13, "locations": 10, "service_at_locations": 13}
    assert all(is_uuid(i) for i in batch.services.get_column("id"))
    names = batch.services.get_column("name").to_list()
    assert "Never Homeless Helpline" in names


def test_the_1x_full_package_maps_addresses_languages_schedules() -> None:
    batch = read_hsds(DATA / "hsds_sample" / "all_resources")
    helpline = batch.services.filter(name="Never Homeless Helpline").row(0, named=True)
    assert helpline["languages"] == ["en", "es"]
    assert helpline["schedule_description"].startswith("Mon 09:00–17:00")
    assert helpline["eligibility_description"] == "adult"
    sanctuary = batch.locations.filter(id="30b83c60-64a1-11e6-8b77-86f30ca893d3").row(0, named=True)
    assert (sanctuary["address_1"], sanctuary["city"], sanctuary["postal_code"]) == (
        "Address 1",
        "New York City",
        "10001",
    )


@pytest.mark.parametrize(
    "name", ["csv", "service_full.json", "organization_full.json", "service_at_location_full.json"]
)
def test_30_examples_agree(name: str) -> None:
    batch = read_hsds(EXAMPLES / name)
    service = batch.services.row(0, named=True)
    assert (service["id"], service["name"], service["minimum_age"]) == (
        SERVICE_ID,
        "Community Counselling",
        12,
    )
    assert service["languages"] == ["ur"]
    assert service["cost"] == "fee"  # a cost option of 35 GBP
    assert batch.locations.get_column("address_1").to_list() == ["1-30 Main Street"]
    assert batch.service_at_locations.get_column("service_id").to_list() == [SERVICE_ID]
    assert any("not a possible place" in w[2] for w in batch.warnings)  # the example's latitude is 100


def test_a_paginated_list_and_a_folder_of_json() -> None:
    page = read_hsds(EXAMPLES / "service_list.json")
    assert page.services.get_column("id").to_list() == [SERVICE_ID]
    assert page.organizations.height == 1
    folder = read_hsds(EXAMPLES)  # every example file; the same records once
    assert folder.services.get_column("id").to_list() == [SERVICE_ID]


def test_reading_twice_is_identical() -> None:
    for path in (EXAMPLES / "csv", DATA / "hsds_sample" / "all_resources", EXAMPLES / "service_full.json"):
        a, b = read_directory(path, "hsds"), read_directory(path, "hsds")
        assert a.services.equals(b.services) and a.locations.equals(b.locations)


def test_extension_encoding_round_trips() -> None:
    service = {
        "service_types": ["residential", "moud_methadone"],
        "moud_policy": "forbids",
        "sex": "female",
        "offense_kinds": ["possession"],
        "plea_stages": ["pre_plea"],
        "residency_states": ["GA"],
        "residency_counties": ["Fulton"],
        "payments": ["medicaid"],
        "cost": "free",
        "capacity": 20,
        "vacancies": 0,
        "waitlist": 7,
        "capacity_updated": dt.date(2026, 11, 2),
    }
    pairs = extension_attributes(service)
    assert ("moud_policy:forbids", None) in pairs and ("vacancies", "0") in pairs
    fields, problems = decode_extensions(pairs)
    assert problems == [] and fields == service
    term = extension_term("service_type:residential")
    assert term["taxonomy"] == OFFRAMP_TAXONOMY and is_uuid(term["id"])
    assert decode_extensions([("capacity", "lots"), ("service_type:spa", None)])[1][0][0] == "capacity"


def offramp_service(tmp_path: Path, attributes: list[tuple[str, str | None]]) -> Path:
    service = json.loads((EXAMPLES / "service_full.json").read_text())
    service["attributes"] = [
        {
            "id": f"00000000-0000-4000-8000-{i:012d}",
            "link_type": "offramp",
            "value": value,
            "taxonomy_term": extension_term(code),
        }
        for i, (code, value) in enumerate(attributes)
    ]
    path = tmp_path / "service.json"
    path.write_text(json.dumps(service))
    return path


def test_offramp_attributes_come_back_as_fields(tmp_path: Path) -> None:
    path = offramp_service(
        tmp_path, [("service_type:moud_methadone", None), ("moud_policy:forbids", None), ("capacity", "12")]
    )
    service = read_hsds(path).services.row(0, named=True)
    assert service["service_types"] == ["moud_methadone"]
    assert (service["moud_policy"], service["capacity"]) == ("forbids", 12)


def test_a_bad_offramp_attribute_is_an_error(tmp_path: Path) -> None:
    path = offramp_service(tmp_path, [("waitlist", "soon")])
    with pytest.raises(IntakeError, match=r"service.json:1:attributes\[waitlist\]: 'soon'"):
        read_hsds(path)


def package(tmp_path: Path) -> Path:
    target = tmp_path / "package"
    shutil.copytree(EXAMPLES / "csv", target)
    return target


def edit(path: Path, column: str, value: str) -> None:
    frame = pl.read_csv(path, infer_schema=False)
    frame.with_columns(pl.lit(value).alias(column)).write_csv(path)


@pytest.mark.parametrize(
    ("file", "column", "value", "expected"),
    [
        ("services.csv", "name", "", "services.csv:2:name: '' — expected the service's name"),
        ("services.csv", "minimum_age", "twelve", "services.csv:2:minimum_age: 'twelve'"),
        ("services.csv", "id", "svc-1", "services.csv:2:id: 'svc-1' — expected a UUID"),
        (
            "service_at_location.csv",
            "location_id",
            "3a19ff88-4620-4d17-9830-ac1d859eb5d6",
            "service_at_location.csv:2:location_id",
        ),
    ],
)
def test_errors_name_file_row_and_field(
    tmp_path: Path, file: str, column: str, value: str, expected: str
) -> None:
    folder = package(tmp_path)
    edit(folder / file, column, value)
    with pytest.raises(IntakeError) as raised:
        read_directory(folder, "hsds")
    assert expected in str(raised.value)


def test_all_errors_are_reported_together(tmp_path: Path) -> None:
    folder = package(tmp_path)
    edit(folder / "services.csv", "maximum_age", "65.5")
    edit(folder / "locations.csv", "id", "not-a-uuid")
    with pytest.raises(IntakeError) as raised:
        read_hsds(folder)
    fields = {(Path(e.file).name, e.field) for e in raised.value.errors}
    assert {
        ("services.csv", "maximum_age"),
        ("locations.csv", "id"),
        ("service_at_location.csv", "location_id"),
    } <= fields


def test_invalid_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"id": "x",\n "name": }')
    with pytest.raises(IntakeError, match=r"broken.json:2:file"):
        read_directory(path, "hsds")
