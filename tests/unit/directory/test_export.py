"""HSDS 3.0 export: every file validates against the spec's own schemas, ids are UUIDs, the output is
deterministic, and a bad batch writes nothing."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from offramp.core.directory.batch import SERVICE_SCHEMA, DirectoryBatch, MoudPolicy, ServiceType, derived_id
from offramp.core.directory.export import export_hsds
from offramp.core.directory.hsds import decode_extensions
from offramp.core.directory.read import read_directory
from offramp.core.directory.validate import (
    SCHEMA_FOLDER,
    HsdsValidationError,
    schema_names,
    validate,
    validate_service,
)

PROJECT_SCHEMAS = Path(__file__).resolve().parents[3] / "src" / "offramp" / "data" / "hsds_3.0"
EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "hsds_3.0_examples"  # the spec's own (SOURCE.md)

ORG_A, ORG_B = derived_id("test-org", "a"), derived_id("test-org", "b")
LOC_A, LOC_B = derived_id("test-loc", "a"), derived_id("test-loc", "b")
SVC_BUP, SVC_RES, SVC_GED = (derived_id("test-svc", n) for n in ("bup", "res", "ged"))


def small_batch(
    org_email: str | None = "intake@peachtree.example", **service_overrides: Any
) -> DirectoryBatch:
    """Two organizations, three services (one accepts MOUD, one forbids it), two locations."""
    organizations = pl.DataFrame(
        {
            "id": [ORG_A, ORG_B],
            "name": ["Peachtree Recovery", "Fulton Learning Center"],
            "description": ["Outpatient and residential treatment.", None],
            "email": [org_email, None],
            "website": ["https://peachtree.example", None],
            "phone": ["404-555-0100", None],
        }
    )
    services: dict[str, list[Any]] = {
        "id": [SVC_BUP, SVC_RES, SVC_GED],
        "organization_id": [ORG_A, ORG_A, ORG_B],
        "name": ["Buprenorphine clinic", "Residential program", "GED classes"],
        "status": ["active", "active", None],
        "description": ["Office-based buprenorphine.", "28-day residential.", None],
        "schedule_description": ["Mon-Fri 8am-4pm", None, "Tuesday and Thursday evenings"],
        "service_types": [
            [ServiceType.MOUD_BUPRENORPHINE.value, ServiceType.OUTPATIENT.value],
            [ServiceType.RESIDENTIAL.value],
            [ServiceType.EDUCATION.value],
        ],
        "moud_policy": [MoudPolicy.ACCEPTS.value, MoudPolicy.FORBIDS.value, None],
        "minimum_age": [18, 18, 16],
        "maximum_age": [None, 64, None],
        "sex": ["any", "male", None],
        "offense_kinds": [["possession"], ["possession", "possession_with_intent"], None],
        "plea_stages": [["pre_plea", "post_plea"], ["post_plea"], None],
        "residency_states": [["GA"], ["GA"], None],
        "residency_counties": [None, ["Fulton", "DeKalb"], None],
        "payments": [["medicaid", "uninsured"], ["private"], None],
        "languages": [["en", "es"], ["en"], None],
        "cost": ["sliding_scale", "fee", "free"],
        "capacity": [40, 24, None],
        "vacancies": [5, 0, None],
        "waitlist": [0, 7, None],
        "capacity_updated": [dt.date(2026, 11, 2), dt.date(2026, 11, 20), None],
        "sources": [["hsds:test.json:1"], ["hsds:test.json:2"], ["hsds:test.json:3"]],
    }
    for field, values in service_overrides.items():
        services[field] = values
    locations = pl.DataFrame(
        {
            "id": [LOC_A, LOC_B],
            "organization_id": [ORG_A, ORG_B],
            "name": ["Peachtree main office", None],
            "address_1": ["100 Peachtree St NW", "55 Trinity Ave SW"],
            "city": ["Atlanta", "Atlanta"],
            "state_province": ["GA", "GA"],
            "postal_code": ["30303", None],
            "county": ["Fulton", "Fulton"],
            "latitude": [33.7553, 33.7488],
            "longitude": [-84.3880, -84.3915],
            "phone": ["404-555-0101", None],
        }
    )
    sal = pl.DataFrame(
        {
            "id": [
                derived_id("test-sal", s, loc)
                for s, loc in ((SVC_BUP, LOC_A), (SVC_RES, LOC_A), (SVC_GED, LOC_B))
            ],
            "service_id": [SVC_BUP, SVC_RES, SVC_GED],
            "location_id": [LOC_A, LOC_A, LOC_B],
        }
    )
    return DirectoryBatch.of(organizations, pl.DataFrame(services), locations, sal)


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def services_of(folder: Path) -> dict[str, dict[str, Any]]:
    """The exported services by id, from services.json (an HSDS API list page)."""
    page = json.loads((folder / "services.json").read_text())
    assert page["total_items"] == page["size"] == len(page["contents"])
    return {s["id"]: s for s in page["contents"]}


def independent_validator(name: str) -> Draft202012Validator:
    """A validator built here from the copied schema files, not through offramp's `validate` module."""
    base = "https://hsds.test/schema/"
    resources = [
        (base + p.name, Resource.from_contents(json.loads(p.read_text()), default_specification=_draft()))
        for p in PROJECT_SCHEMAS.glob("*.json")
        if p.name != "openapi.json"
    ]
    registry: Registry[Any] = Registry().with_resources(resources)
    return Draft202012Validator(
        {"$ref": base + name + ".json"}, registry=registry, format_checker=FormatChecker()
    )


def _draft() -> Any:
    return DRAFT202012


# --- validate.py --------------------------------------------------------------------------------------


EXAMPLE_OBJECTS = {
    "service_full.json": "service",
    "organization_full.json": "organization",
    "location.json": "location",
    "service_at_location_full.json": "service_at_location",
    "taxonomy_term.json": "taxonomy_term",
    "taxonomy.json": "taxonomy",
}


@pytest.mark.parametrize(("file", "schema"), sorted(EXAMPLE_OBJECTS.items()))
def test_the_specs_own_examples_validate(file: str, schema: str) -> None:
    example = json.loads((EXAMPLES / file).read_text())
    assert validate(example, schema) == []


@pytest.mark.parametrize(
    "file", ["service_list.json", "organization_list.json", "service_at_location_list.json"]
)
def test_every_example_in_the_specs_list_pages_validates(file: str) -> None:
    schema = file.removesuffix("_list.json")
    contents = json.loads((EXAMPLES / file).read_text())["contents"]
    assert contents
    for item in contents:
        assert validate(item, schema) == []


def test_the_registry_resolves_refs_into_sibling_files() -> None:
    """A defect deep in a nested object (service -> service_at_locations -> location -> addresses) is
    found, which only happens if the $refs resolve to the sibling files."""
    service = json.loads((EXAMPLES / "service_full.json").read_text())
    del service["service_at_locations"][0]["location"]["addresses"][0]["country"]
    assert validate_service(service) == [
        "$.service_at_locations[0].location.addresses[0]: 'country' is a required property"
    ]


def test_a_broken_service_gives_errors_naming_the_path() -> None:
    service = json.loads((EXAMPLES / "service_full.json").read_text())
    del service["id"]
    service["organization"]["id"] = "not-a-uuid"
    service["minimum_age"] = "eighteen"
    service["status"] = "open"
    assert validate_service(service) == [
        "$.minimum_age: 'eighteen' is not of type 'number'",
        "$.organization.id: 'not-a-uuid' is not a 'uuid'",
        "$.status: 'open' is not one of ['active', 'inactive', 'defunct', 'temporarily closed']",
        "$: 'id' is a required property",
    ]


def test_an_unknown_schema_name_is_refused() -> None:
    with pytest.raises(ValueError, match=r"no HSDS 3\.0 schema named 'servce'"):
        validate({}, "servce")


def test_every_shipped_schema_is_a_valid_json_schema_with_its_licence_note() -> None:
    names = schema_names()
    assert {
        "service",
        "organization",
        "location",
        "service_at_location",
        "attribute",
        "taxonomy_term",
    } <= set(names)
    for name in names:
        Draft202012Validator.check_schema(json.loads((SCHEMA_FOLDER / f"{name}.json").read_text()))
    source = (SCHEMA_FOLDER / "SOURCE.md").read_text()
    assert "279fd2eb" in source and "CC BY-SA 4.0" in source


# --- export.py ----------------------------------------------------------------------------------------


def test_every_exported_object_validates_against_the_copied_schemas(tmp_path: Path) -> None:
    summary = export_hsds(small_batch(), tmp_path / "out")
    out = tmp_path / "out"
    assert (summary.organizations, summary.services, summary.locations) == (2, 3, 2)
    services = services_of(out)
    assert list(services) == sorted([SVC_BUP, SVC_RES, SVC_GED])
    checks = [(service, "service") for service in services.values()]
    for file, schema in [
        ("organizations.json", "organization"),
        ("locations.json", "location"),
        ("taxonomy_terms.json", "taxonomy_term"),
    ]:
        page = json.loads((out / file).read_text())
        assert page["total_items"] == len(page["contents"]) > 0
        checks += [(item, schema) for item in page["contents"]]
    for obj, schema in checks:
        assert validate(obj, schema) == []
        errors = [e.message for e in independent_validator(schema).iter_errors(obj)]
        assert errors == [], (schema, obj.get("id"), errors)


def walk_ids(obj: Any) -> list[str]:
    if isinstance(obj, dict):
        found = [v for k, v in obj.items() if (k == "id" or k.endswith("_id")) and isinstance(v, str)]
        return found + [i for v in obj.values() for i in walk_ids(v)]
    if isinstance(obj, list):
        return [i for v in obj for i in walk_ids(v)]
    return []


def test_every_id_is_a_uuid_and_links_resolve(tmp_path: Path) -> None:
    out = tmp_path / "out"
    export_hsds(small_batch(), out)
    ids = [i for p in out.rglob("*.json") for i in walk_ids(json.loads(p.read_text()))]
    assert len(ids) > 50
    for value in ids:
        assert str(uuid.UUID(value)) == value
    service = services_of(out)[SVC_RES]
    assert service["organization"]["id"] == service["organization_id"] == ORG_A
    (sal,) = service["service_at_locations"]
    assert sal["location"]["id"] == sal["location_id"] == LOC_A
    assert sal["location"]["addresses"][0]["postal_code"] == "30303"
    assert sal["location"]["addresses"][0]["region"] == "Fulton"


def test_the_extensions_travel_as_offramp_attributes_and_decode_back(tmp_path: Path) -> None:
    batch = small_batch()
    out = tmp_path / "out"
    export_hsds(batch, out)
    services = services_of(out)
    for row in batch.services.iter_rows(named=True):
        service = services[row["id"]]
        assert {a["taxonomy_term"]["taxonomy"] for a in service["attributes"]} == {"offramp"}
        fields, problems = decode_extensions(
            (a["taxonomy_term"]["code"], a.get("value")) for a in service["attributes"]
        )
        assert problems == []
        for name in ("service_types", "moud_policy", "sex", "offense_kinds", "plea_stages", "payments"):
            assert fields.get(name) == row[name], name
        for name in ("residency_states", "residency_counties", "cost", "capacity", "vacancies", "waitlist"):
            assert fields.get(name) == row[name], name
        assert fields.get("capacity_updated") == row["capacity_updated"]
        assert service.get("minimum_age") == row["minimum_age"]
        assert service.get("maximum_age") == row["maximum_age"]
        assert [lang["code"] for lang in service.get("languages", [])] == (row["languages"] or [])


def test_moud_policy_is_exported_per_service(tmp_path: Path) -> None:
    out = tmp_path / "out"
    export_hsds(small_batch(), out)

    def codes(service_id: str) -> set[str]:
        service = services_of(out)[service_id]
        return {a["taxonomy_term"]["code"] for a in service.get("attributes", [])}

    assert "moud_policy:accepts" in codes(SVC_BUP)
    assert "moud_policy:forbids" in codes(SVC_RES)
    assert not any(c.startswith("moud_policy:") for c in codes(SVC_GED))


def test_the_taxonomy_is_published_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    export_hsds(small_batch(), out)
    terms = json.loads((out / "taxonomy_terms.json").read_text())["contents"]
    codes = [t["code"] for t in terms]
    assert codes == sorted(codes)
    for member in ServiceType:
        assert f"service_type:{member.value}" in codes
    assert {"capacity", "vacancies", "waitlist", "capacity_updated", "residency_county:DeKalb"} <= set(codes)
    assert len({t["id"] for t in terms}) == len(terms)


def test_a_service_without_status_is_exported_active(tmp_path: Path) -> None:
    out = tmp_path / "out"
    export_hsds(small_batch(), out)
    assert services_of(out)[SVC_GED]["status"] == "active"


def test_re_export_is_byte_identical(tmp_path: Path) -> None:
    export_hsds(small_batch(), tmp_path / "one")
    reordered = small_batch()
    reordered = DirectoryBatch.of(
        reordered.organizations.reverse(),
        reordered.services.reverse(),
        reordered.locations.reverse(),
        reordered.service_at_locations.reverse(),
    )
    export_hsds(reordered, tmp_path / "two")
    one, two = files_of(tmp_path / "one"), files_of(tmp_path / "two")
    assert sorted(one) == [
        "README.md",
        "locations.json",
        "organizations.json",
        "services.json",
        "taxonomy_terms.json",
    ]
    assert one == two


def test_exporting_over_a_previous_export_replaces_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    export_hsds(small_batch(), out)
    fewer = small_batch()
    fewer = DirectoryBatch.of(
        fewer.organizations,
        fewer.services.filter(pl.col("id") != SVC_GED),
        fewer.locations,
        fewer.service_at_locations.filter(pl.col("service_id") != SVC_GED),
    )
    summary = export_hsds(fewer, out)
    assert summary.services == 2
    assert list(services_of(out)) == sorted([SVC_BUP, SVC_RES])
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging or backup folder left behind


def test_a_folder_that_is_not_an_export_is_not_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not an Offramp HSDS export"):
        export_hsds(small_batch(), out)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"name": ["Buprenorphine clinic", "  ", "GED classes"]},
            f"services row 2 id '{SVC_RES}' name '  ': ",
        ),
        (
            {"id": [SVC_BUP, "svc-2", SVC_GED]},
            "services.json id svc-2 $.id: 'svc-2' is not a 'uuid'",
        ),
        ({"status": ["active", "open", None]}, f"services.json id {SVC_RES} $.status: 'open' is not one of"),
        ({"organization_id": [ORG_A, ORG_A, derived_id("nobody")]}, "services row 3 id"),
        ({"org_email": "peachtree"}, f"organizations.json id {ORG_A} $.email: 'peachtree' is not a 'email'"),
    ],
)
def test_an_invalid_batch_raises_and_writes_nothing(
    tmp_path: Path, overrides: dict[str, list[Any]], expected: str
) -> None:
    out = tmp_path / "out"
    with pytest.raises(HsdsValidationError) as raised:
        export_hsds(small_batch(**overrides), out)
    assert any(m.startswith(expected) for m in raised.value.messages), raised.value.messages
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_leaves_the_previous_export_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    export_hsds(small_batch(), out)
    before = files_of(out)
    with pytest.raises(HsdsValidationError):
        export_hsds(small_batch(email=["not an email", None, None]), out)
    assert files_of(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_write_that_fails_midway_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk filling up after some files are written must not leave a partial export."""
    out = tmp_path / "out"
    export_hsds(small_batch(), out)
    before = files_of(out)
    written: list[str] = []
    real_write_text = Path.write_text

    def failing_write_text(self: Path, data: str, *args: Any, **kwargs: Any) -> int:
        if len(written) == 2:
            raise OSError(28, "No space left on device")
        written.append(self.name)
        return real_write_text(self, data, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", failing_write_text)
    with pytest.raises(OSError, match="No space left"):
        export_hsds(small_batch(), out)
    monkeypatch.undo()
    assert written
    assert files_of(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_export_then_import_gives_the_same_directory(tmp_path: Path) -> None:
    """The round trip through the importers' HSDS reader keeps every service field Offramp has, its
    extensions included. Two normalisations are expected: HSDS requires a status (null -> "active") and
    the reader reads a missing MOUD policy as "unknown"."""
    batch = small_batch()
    export_hsds(batch, tmp_path / "out")
    back = read_directory(tmp_path / "out", "hsds")
    assert back.counts == batch.counts
    assert back.warnings == ()
    kept = [c for c in SERVICE_SCHEMA if c != "sources"]
    expected = batch.services.with_columns(
        pl.col("status").fill_null("active"), pl.col("moud_policy").fill_null("unknown")
    )
    assert back.services.sort("id").select(kept).to_dicts() == expected.sort("id").select(kept).to_dicts()
    assert back.service_at_locations.sort("id").to_dicts() == batch.service_at_locations.sort("id").to_dicts()
    # HSDS requires an organization description and address fields and allows no null, so the export
    # writes "" where the directory has none; the reader reads "" back as not given
    assert back.organizations.sort("id").to_dicts() == batch.organizations.sort("id").to_dicts()
    assert back.locations.sort("id").to_dicts() == batch.locations.sort("id").to_dicts()
    assert back.locations.sort("id")["postal_code"][0] == "30303"
