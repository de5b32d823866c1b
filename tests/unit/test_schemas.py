"""The published JSON Schemas: current, valid, complete, and in agreement with the parsers and examples."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from offramp.core.enums import Drug, Harm, OffenseKind, QuantityUnit, Sex
from offramp.core.intake import json_schemas as schemas
from offramp.core.intake import offramp_csv, offramp_jsonl
from offramp.core.intake.document import ZIP_PATTERN
from offramp.core.intake.json_schemas import SCHEMAS, csv_row_schema, jsonl_case_schema, render, write_schemas

DOCS = Path(__file__).resolve().parents[2] / "docs"
REGENERATE = ".venv/bin/python -m offramp.core.intake.json_schemas docs/schemas"


def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def error_paths(schema: dict[str, Any], instance: object) -> list[str]:
    return sorted(".".join(str(p) for p in e.absolute_path) for e in validator(schema).iter_errors(instance))


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_it_publishes_the_current_schemas(name: str) -> None:
    published = DOCS / "schemas" / name
    generated = render(SCHEMAS[name]())

    assert published.is_file(), f"docs/schemas/{name} is missing: run {REGENERATE}"
    assert published.read_text(encoding="utf-8") == generated, (
        f"docs/schemas/{name} is out of date: run {REGENERATE}"
    )


def test_it_writes_sorted_indented_files_with_a_trailing_newline(tmp_path: Path) -> None:
    written = write_schemas(tmp_path / "out")

    assert [p.name for p in written] == ["offramp-csv.schema.json", "offramp-jsonl.schema.json"]
    text = written[1].read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert text.startswith('{\n  "$comment": ')
    assert list(json.loads(text)) == sorted(json.loads(text))


def test_it_regenerates_from_the_module_entry_point(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert schemas.main([str(tmp_path)]) == 0

    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "offramp-csv.schema.json",
        "offramp-jsonl.schema.json",
    ]
    assert capsys.readouterr().out.splitlines() == [
        str(tmp_path / "offramp-csv.schema.json"),
        str(tmp_path / "offramp-jsonl.schema.json"),
    ]


@pytest.mark.parametrize(
    ("build", "schema_id"),
    [
        (csv_row_schema, "https://offramp.example/schemas/offramp-csv.schema.json"),
        (jsonl_case_schema, "https://offramp.example/schemas/offramp-jsonl.schema.json"),
    ],
)
def test_it_builds_valid_draft_2020_12_schemas(build: Any, schema_id: str) -> None:
    schema = build()

    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == schema_id


def test_it_lists_each_enum_value_with_its_description_in_the_jsonl_schema() -> None:
    defs = jsonl_case_schema()["$defs"]

    assert defs["Sex"]["enum"] == ["male", "female", "other", "unknown"]
    assert defs["Sex"]["x-enum-descriptions"] == [m.description for m in Sex]
    for enum in (OffenseKind, Drug, QuantityUnit, Harm):
        assert defs[enum.__name__]["enum"] == enum.values()
        assert defs[enum.__name__]["x-enum-descriptions"] == [m.description for m in enum]


def test_it_allows_blank_only_where_a_csv_column_may_be_unknown() -> None:
    properties = csv_row_schema()["properties"]

    assert properties["sex"]["enum"] == ["male", "female", "other", "unknown", ""]
    assert properties["sex"]["x-enum-descriptions"][-1] == "Blank: not known."
    assert properties["weapon"]["enum"] == ["true", "false", ""]
    assert properties["offense_kind"]["enum"] == OffenseKind.values()
    assert properties["received_date"]["pattern"] == r"^\d{4}-\d{2}-\d{2}$"
    assert properties["zip"]["pattern"] == r"^$|^\d{5}(-\d{4})?$"
    assert properties["prior_felonies"]["pattern"] == r"^$|^\d+$"


def test_it_covers_every_csv_column() -> None:
    schema = csv_row_schema()

    assert schema["required"] == offramp_csv.REQUIRED_HEADER
    assert list(schema["properties"]) == [c.name for c in offramp_csv.COLUMNS + offramp_csv.OPTIONAL_COLUMNS]


def test_it_describes_every_field() -> None:
    csv_schema = csv_row_schema()
    jsonl_schema = jsonl_case_schema()
    objects = [jsonl_schema, *(d for d in jsonl_schema["$defs"].values() if "properties" in d)]

    undescribed = [name for name, p in csv_schema["properties"].items() if not p.get("description")]
    undescribed += [name for o in objects for name, p in o["properties"].items() if not p.get("description")]
    assert undescribed == []


def test_it_matches_the_csv_bounds_in_the_model() -> None:
    numeric = [c for c in offramp_csv.COLUMNS if c.kind in ("int", "float")]
    model_bounds = {}
    for column in numeric:
        model, field = schemas.CSV_MEANING[column.name]
        ge = [m.ge for m in model.model_fields[field].metadata if hasattr(m, "ge")]
        model_bounds[column.name] = ge[0] if ge else None

    assert model_bounds == {c.name: c.minimum for c in numeric}
    assert ZIP_PATTERN == offramp_csv.ZIP_PATTERN


def test_it_validates_every_example_csv_row() -> None:
    with (DOCS / "examples" / "cases.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    assert len(rows) == 10
    assert [error_paths(csv_row_schema(), row) for row in rows] == [[]] * 10
    assert offramp_csv.parse(DOCS / "examples" / "cases.csv").cases.height == 10


def test_it_rejects_bad_csv_rows_in_the_schema() -> None:
    with (DOCS / "examples" / "cases.csv").open(newline="", encoding="utf-8") as handle:
        good = next(csv.DictReader(handle))
    bad = good | {"weapon": "yes", "zip": "6060", "offense_kind": "", "received_date": "01/08/2024"}
    del bad["case_id"]

    assert error_paths(csv_row_schema(), bad) == ["", "offense_kind", "received_date", "weapon", "zip"]


def test_it_validates_every_example_jsonl_line() -> None:
    lines = (DOCS / "examples" / "cases.jsonl").read_text(encoding="utf-8").splitlines()

    assert len(lines) == 7
    assert [error_paths(jsonl_case_schema(), json.loads(line)) for line in lines] == [[]] * 7
    assert offramp_jsonl.parse(DOCS / "examples" / "cases.jsonl").cases.height == 7


def test_it_rejects_bad_jsonl_cases_in_the_schema() -> None:
    bad = {
        "case_id": "C1",
        "received_date": "2024-02-30",
        "person": {"person_id": "P1", "sex": "M", "zip": 60624},
        "charges": [{"offense_kind": "possession", "quantity": -1}],
        "evidence": {"weapon": "yes"},
        "nickname": "x",
    }

    assert error_paths(jsonl_case_schema(), bad) == [
        "",
        "charges.0.quantity",
        "evidence.weapon",
        "person.sex",
        "person.zip",
        "received_date",
    ]
