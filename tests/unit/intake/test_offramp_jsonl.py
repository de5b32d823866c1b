"""offramp-jsonl: the example file, the same tables and normalisation as offramp-csv, and exact errors with
nested field paths."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from pydantic import ValidationError

from offramp.core.intake import offramp_csv, offramp_jsonl, parse_file
from offramp.core.intake.batch import TABLES, WARNING_SCHEMA
from offramp.core.intake.common import this_year
from offramp.core.intake.document import Case
from offramp.core.intake.errors import FieldError, IntakeError

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "cases.jsonl"

#: a valid case; tests copy and change it
GOOD: dict[str, Any] = {
    "case_id": "C1",
    "received_date": "2024-03-01",
    "person": {"person_id": "P1", "birth_year": 1990, "sex": "male", "race": "black", "zip": "60624"},
    "charges": [{"offense_kind": "possession", "drug": "fentanyl", "quantity": 0.5, "quantity_unit": "g"}],
}

Line = dict[str, Any] | str | bytes


def write_jsonl(tmp_path: Path, lines: list[Line]) -> Path:
    path = tmp_path / "cases.jsonl"
    encoded = [
        line if isinstance(line, bytes) else (line if isinstance(line, str) else json.dumps(line)).encode()
        for line in lines
    ]
    path.write_bytes(b"\n".join(encoded) + b"\n")
    return path


def case(**changes: Any) -> dict[str, Any]:
    return copy.deepcopy(GOOD) | changes


def parse_error(path: Path) -> IntakeError:
    with pytest.raises(IntakeError) as caught:
        offramp_jsonl.parse(path)
    return caught.value


def test_it_parses_the_example_file() -> None:
    batch = offramp_jsonl.parse(EXAMPLE)

    assert batch.source_format == "offramp-jsonl"
    assert (batch.cases.height, batch.persons.height, batch.charges.height, batch.victims.height) == (
        7,
        6,
        9,
        4,
    )
    assert batch.referrals.height == 0
    assert batch.warnings.height == 0
    assert batch.cases["source_row"].to_list() == [1, 2, 3, 4, 5, 6, 7]
    first = batch.cases.row(0, named=True)
    assert (
        first["case_key"],
        first["primary_offense_kind"],
        first["primary_drug"],
        first["victim_count"],
    ) == (
        "CCR-2024-0101",
        "possession_with_intent",
        "fentanyl",
        2,
    )
    charges = batch.charges.filter(pl.col("case_key") == "CCR-2024-0101")
    assert charges.select(
        "seq", "is_primary", "nibrs_code", "quantity", "quantity_unit", "quantity_raw"
    ).rows() == [
        (1, True, "35A", 3.5, "g", "41 pressed blue tablets, 3.5 g net"),
        (2, False, "35A", 4.0, "dosage_unit", "4"),
        (3, False, "35B", None, None, None),
    ]
    victims = batch.victims.filter(pl.col("case_key") == "CCR-2024-0101")
    assert victims.select("seq", "harm", "restitution_claimed_usd").rows() == [
        (1, "serious_injury", 4200.0),
        (2, "death", 9500.0),
    ]


def test_it_outputs_exactly_the_record_schemas() -> None:
    batch = offramp_jsonl.parse(EXAMPLE)

    for table, schema in TABLES.items():
        assert getattr(batch, table).schema == pl.Schema(schema), table
    assert batch.warnings.schema == pl.Schema(WARNING_SCHEMA)


def test_it_is_registered_as_offramp_jsonl() -> None:
    assert parse_file(EXAMPLE, "offramp-jsonl").cases.height == 7


def test_it_produces_the_same_tables_as_the_same_case_in_csv(tmp_path: Path) -> None:
    csv_row = {name: "" for name in offramp_csv.REQUIRED_HEADER} | {
        "case_id": "C1",
        "person_id": "P1",
        "received_date": "2024-03-01",
        "birth_year": "1990",
        "sex": "M",
        "race": "Black",
        "ethnicity": "n",
        "zip": "60624",
        "statute": "720 ILCS 570/402(c)",
        "offense_kind": "Possession",
        "drug": "Fentanyl",
        "quantity_g": "0.5",
        "weapon": "TRUE",
        "prior_felonies": "2",
        "narrative": "One packet.",
    }
    csv_path = tmp_path / "cases.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, offramp_csv.REQUIRED_HEADER)
        writer.writeheader()
        writer.writerow(csv_row)
    jsonl_case = {
        "case_id": "C1",
        "received_date": "2024-03-01",
        "person": {
            "person_id": "P1",
            "birth_year": 1990,
            "sex": "M",
            "race": "Black",
            "ethnicity": "n",
            "zip": "60624",
        },
        "charges": [
            {
                "statute": "720 ILCS 570/402(c)",
                "offense_kind": "Possession",
                "drug": "Fentanyl",
                "quantity": 0.5,
                "quantity_unit": "g",
            }
        ],
        "evidence": {"weapon": True},
        "history": {"prior_felonies": 2},
        "narrative": "One packet.",
    }

    from_csv = offramp_csv.parse(csv_path).conformed()
    from_jsonl = offramp_jsonl.parse(write_jsonl(tmp_path, [jsonl_case])).conformed()

    assert from_jsonl.persons.equals(from_csv.persons)
    assert from_jsonl.charges.equals(from_csv.charges)
    assert from_jsonl.cases.drop("source_row").equals(from_csv.cases.drop("source_row"))
    assert from_jsonl.persons.row(0) == (
        "P1",
        1990,
        "male",
        "M",
        "black",
        "Black",
        "not_hispanic_latino",
        "n",
        "60624",
    )


def test_it_uses_the_charge_marked_primary() -> None:
    charges = [
        {"offense_kind": "possession", "drug": "cannabis"},
        {"offense_kind": "delivery", "drug": "heroin", "primary": True},
    ]
    parsed = Case.model_validate(case(charges=charges))

    assert (parsed.primary_seq, parsed.primary_charge.drug) == (2, "heroin")


def test_it_records_the_primary_charge_on_the_case(tmp_path: Path) -> None:
    charges = [
        {"offense_kind": "possession", "drug": "cannabis"},
        {"offense_kind": "delivery", "drug": "heroin", "primary": True},
    ]
    batch = offramp_jsonl.parse(write_jsonl(tmp_path, [case(charges=charges)]))

    assert batch.cases.select("primary_offense_kind", "primary_drug").row(0) == ("delivery", "heroin")
    assert batch.charges.select("seq", "is_primary").rows() == [(1, False), (2, True)]


@pytest.mark.parametrize(
    ("changes", "victim_count"),
    [
        ({}, None),
        ({"victims": []}, 0),
        ({"victims": [{"harm": "property"}, {}]}, 2),
        ({"victims": [{"harm": "property"}], "victim_count": 3}, 3),
    ],
)
def test_it_counts_the_listed_victims_unless_told(
    tmp_path: Path, changes: dict[str, Any], victim_count: int | None
) -> None:
    batch = offramp_jsonl.parse(write_jsonl(tmp_path, [case(**changes)]))

    assert batch.cases["victim_count"].to_list() == [victim_count]


def test_it_normalises_aliases_and_keeps_the_raw_text(tmp_path: Path) -> None:
    person = {"person_id": "P1", "sex": " F ", "race": "Biracial", "ethnicity": "Latinx"}
    charges = [{"offense_kind": "DELIVERY", "drug": "FENTANYL", "nibrs_code": "35a", "severity": "Felony"}]
    victims = [{"harm": "Physical"}, {}]
    batch = offramp_jsonl.parse(
        write_jsonl(tmp_path, [case(person=person, charges=charges, victims=victims, stage="Diverted")])
    )

    assert batch.persons.select("sex", "sex_raw", "race", "race_raw", "ethnicity", "ethnicity_raw").row(
        0
    ) == (
        "female",
        "F",
        "multiracial",
        "Biracial",
        "hispanic_latino",
        "Latinx",
    )
    assert batch.charges.select("offense_kind", "drug", "drug_raw", "nibrs_code", "severity").row(0) == (
        "delivery",
        "fentanyl",
        "FENTANYL",
        "35A",
        "felony",
    )
    assert batch.victims.select("harm", "harm_raw").rows() == [("physical", "Physical"), ("unknown", None)]
    assert batch.cases["stage"].to_list() == ["diverted"]


def test_it_reads_blank_text_and_null_as_unknown(tmp_path: Path) -> None:
    person = {"person_id": "P1", "sex": "", "race": None}
    batch = offramp_jsonl.parse(
        write_jsonl(tmp_path, [case(person=person, agency="", narrative="   ", evidence={"weapon": None})])
    )

    assert batch.cases.select("agency", "narrative", "weapon", "stage").row(0) == (
        None,
        None,
        None,
        "received",
    )
    assert batch.persons.select("sex", "sex_raw", "race", "race_raw").row(0) == (
        "unknown",
        None,
        "unknown",
        None,
    )


def test_it_derives_the_nibrs_code_unless_given(tmp_path: Path) -> None:
    charges = [
        {"offense_kind": "paraphernalia"},
        {"offense_kind": "other"},
        {"offense_kind": "possession", "nibrs_code": "35B"},
        {"offense_kind": "delivery"},
    ]
    batch = offramp_jsonl.parse(write_jsonl(tmp_path, [case(charges=charges)]))

    assert batch.charges["nibrs_code"].to_list() == ["35B", None, "35B", "35A"]


def test_it_keeps_a_case_immutable() -> None:
    parsed = Case.model_validate(GOOD)

    with pytest.raises(ValidationError):
        parsed.case_id = "C2"  # type: ignore[misc]


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change to a case: set the dotted `path` (list positions from 1) to `value`."""

    def change(obj: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = obj
        for part in parents:
            node = node[int(part) - 1] if part.isdigit() else node.setdefault(part, {})
        node[last] = value

    return change


def _drop(name: str) -> Callable[[dict[str, Any]], None]:
    return lambda obj: obj.pop(name)


UNITS = "g | mg | kg | oz | lb | dosage_unit | ml"
KINDS = "possession | possession_with_intent | delivery | manufacture | trafficking | paraphernalia | other"


@pytest.mark.parametrize(
    ("change", "field", "value", "expected"),
    [
        (_set("received_date", "2024-13-01"), "received_date", "2024-13-01", "a date as YYYY-MM-DD"),
        (_set("received_date", "03/01/2024"), "received_date", "03/01/2024", "a date as YYYY-MM-DD"),
        (_set("received_date", 1709251200), "received_date", "1709251200", "a date as YYYY-MM-DD"),
        (
            _set("person.sex", "Mal"),
            "person.sex",
            "Mal",
            "one of male | female | other | unknown (or null if unknown)",
        ),
        (_set("charges.1.offense_kind", "sale"), "charges.1.offense_kind", "sale", f"one of {KINDS}"),
        (_set("evidence.weapon", "yes"), "evidence.weapon", "yes", "true or false (or null if unknown)"),
        (_set("evidence.weapon", 1), "evidence.weapon", "1", "true or false (or null if unknown)"),
        (
            _set("history.prior_felonies", -2),
            "history.prior_felonies",
            "-2",
            "a whole number of at least 0 (or null if unknown)",
        ),
        (
            _set("history.prior_felonies", 2.5),
            "history.prior_felonies",
            "2.5",
            "a whole number of at least 0 (or null if unknown)",
        ),
        (
            _set("charges.1.quantity", -1),
            "charges.1.quantity",
            "-1",
            "a number of at least 0 (or null if unknown)",
        ),
        (
            _set("person.zip", "6060"),
            "person.zip",
            "6060",
            "a 5-digit ZIP code (or ZIP+4, 12345-6789) (or null if unknown)",
        ),
        (
            _set("person.zip", 60624),
            "person.zip",
            "60624",
            "a 5-digit ZIP code (or ZIP+4, 12345-6789) (or null if unknown)",
        ),
        (
            _set("person.birth_year", this_year() + 1),
            "person.birth_year",
            str(this_year() + 1),
            "a year from 1850 to the current year (or null if unknown)",
        ),
        (
            _set("person.gender", "m"),
            "person.gender",
            "m",
            "one of the fields person_id, birth_year, sex, race, ethnicity, zip",
        ),
        (_drop("case_id"), "case_id", "", "non-empty text (required)"),
        (_set("case_id", "  "), "case_id", "  ", "non-empty text"),
        (_set("charges", []), "charges", "[]", "a list of charge objects, at least 1"),
        (
            _set("charges.1.quantity_unit", None),
            "charges.1.quantity_unit",
            "null",
            f"the unit of the quantity: one of {UNITS}",
        ),
    ],
)
def test_it_names_line_field_path_value_and_expectation(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], field: str, value: str, expected: str
) -> None:
    obj = case()
    change(obj)
    path = write_jsonl(tmp_path, [obj])

    error = parse_error(path)

    assert str(error) == f"{path}:1:{field}: {value!r} — expected {expected}"


def test_it_rejects_fewer_victims_counted_than_listed(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path, [case(victims=[{}, {}], victim_count=1)])

    error = parse_error(path)

    assert str(error) == f"{path}:1:victim_count: '1' — expected at least the number of victims listed (2)"


def test_it_rejects_two_primary_charges_at_the_second(tmp_path: Path) -> None:
    charges = [
        {"offense_kind": "delivery"},
        {"offense_kind": "possession", "primary": True},
        {"offense_kind": "delivery", "primary": True},
    ]
    path = write_jsonl(tmp_path, [case(charges=charges)])

    error = parse_error(path)

    assert str(error) == (
        f"{path}:1:charges.3.primary: 'true' — expected at most one charge with primary true "
        "(charge 2 already has it)"
    )


def test_it_rejects_a_line_that_is_not_json(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path, [GOOD, '{"case_id": "C2",'])

    error = parse_error(path)

    assert str(error) == (
        f'{path}:2:line: \'{{"case_id": "C2",\' — expected one JSON object on the line '
        "(Expecting property name enclosed in double quotes at column 18)"
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("[1, 2]", "a JSON object {...} describing one case"),
        ('"C1"', "a JSON object {...} describing one case"),
        ('{"case_id": "C1", "received_date": NaN}', "one JSON object on the line (NaN is not a JSON number)"),
    ],
)
def test_it_rejects_a_line_that_is_not_a_json_object(tmp_path: Path, line: str, expected: str) -> None:
    path = write_jsonl(tmp_path, [line])

    error = parse_error(path)

    assert str(error) == f"{path}:1:line: {line!r} — expected {expected}"


def test_it_rejects_a_repeated_case_id_on_the_later_line(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path, [case(case_id="C1"), "", case(case_id="C2"), case(case_id="C1")])

    error = parse_error(path)

    assert (
        str(error)
        == f"{path}:4:case_id: 'C1' — expected a case_id not used on an earlier line (line 1 has it)"
    )


def test_it_rejects_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_bytes(b"\n  \n")

    error = parse_error(path)

    assert (
        str(error)
        == f"{path}:0:file: 'cases.jsonl' — expected at least one case, as one JSON object per line"
    )


def test_it_rejects_a_line_that_is_not_utf8(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path, [GOOD, '{"case_id": "caf\u00e9"}'.encode("cp1252")])

    error = parse_error(path)

    assert str(error) == (
        f'{path}:2:line: \'{{"case_id": "caf\ufffd"}}\' — expected UTF-8 text '
        "(byte 0xe9 at column 17 is not UTF-8)"
    )


def test_it_accepts_a_byte_order_mark_and_counts_blank_lines(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path, [b"\xef\xbb\xbf" + json.dumps(case(case_id="C1")).encode(), "", case(case_id="C2")]
    )

    batch = offramp_jsonl.parse(path)

    assert batch.cases.select("case_key", "source_row").rows() == [("C1", 1), ("C2", 3)]


def test_it_lists_every_error_on_every_line(tmp_path: Path) -> None:
    second = case(case_id="C2", received_date="2024-02-30")
    second["charges"] = [{"offense_kind": "delivery"}, {"offense_kind": "possession", "drug": "spice"}]
    second["person"]["sex"] = "?"
    path = write_jsonl(
        tmp_path, [case(case_id="C1"), second, "not json", case(case_id="C1", evidence={"cash_usd": "12"})]
    )

    error = parse_error(path)

    file = str(path)
    drugs = (
        "fentanyl | heroin | prescription_opioid | cocaine | crack | methamphetamine | cannabis | "
        "other | none"
    )
    assert error.total == 6
    assert error.errors == [
        FieldError(file, 2, "charges.2.drug", "spice", f"one of {drugs} (or null if unknown)"),
        FieldError(file, 2, "person.sex", "?", "one of male | female | other | unknown (or null if unknown)"),
        FieldError(file, 2, "received_date", "2024-02-30", "a date as YYYY-MM-DD"),
        FieldError(
            file,
            3,
            "line",
            "not json",
            "one JSON object on the line (Expecting value at column 1)",
        ),
        FieldError(file, 4, "case_id", "C1", "a case_id not used on an earlier line (line 1 has it)"),
        FieldError(file, 4, "evidence.cash_usd", "12", "a number of at least 0 (or null if unknown)"),
    ]


def test_it_imports_implausible_values_with_a_warning_on_their_line(tmp_path: Path) -> None:
    young = this_year() - 5
    odd = case(case_id="C2", received_date="1946-03-01", history={"prior_felonies": 99})
    odd["person"] = {"person_id": "P2", "birth_year": young}
    odd["charges"] = [
        {"offense_kind": "possession"},
        {"offense_kind": "trafficking", "quantity": 200, "quantity_unit": "kg"},
    ]
    path = write_jsonl(tmp_path, [case(case_id="C1"), odd])

    batch = offramp_jsonl.parse(path)

    assert batch.cases["received_date"].to_list() == [dt.date(2024, 3, 1), dt.date(1946, 3, 1)]
    check = "imported, please check the source"
    assert batch.warnings.rows() == [
        (
            2,
            "charges.2.quantity",
            "200 kg",
            f"implausible charges.2.quantity (in grams): outside 0–100000; {check}",
            "C2",
        ),
        (
            2,
            "history.prior_felonies",
            "99",
            f"implausible history.prior_felonies: outside 0–60; {check}",
            "C2",
        ),
        (
            2,
            "person.birth_year",
            str(young),
            f"implausible person.birth_year: outside {this_year() - 100}–{this_year() - 10}; {check}",
            "C2",
        ),
        (
            2,
            "received_date",
            "1946-03-01",
            f"implausible received_date: outside 1980–{this_year()}; {check}",
            "C2",
        ),
    ]


def test_it_does_not_warn_on_a_plausible_quantity_in_another_unit(tmp_path: Path) -> None:
    charges = [{"offense_kind": "trafficking", "quantity": 90, "quantity_unit": "kg"}]

    batch = offramp_jsonl.parse(write_jsonl(tmp_path, [case(charges=charges)]))

    assert batch.warnings.height == 0


def test_it_warns_when_a_persons_lines_disagree(tmp_path: Path) -> None:
    other = case(case_id="C2")
    other["person"]["sex"] = "female"
    batch = offramp_jsonl.parse(write_jsonl(tmp_path, [case(case_id="C1"), other]))

    assert batch.persons.select("person_key", "sex").rows() == [("P1", "male")]
    assert batch.warnings.rows() == [
        (1, "person.sex", "female|male", "person's rows disagree on sex; the first row's value is kept", "C1")
    ]
