"""offramp-csv: the example file, normalisation, and the exact message for each kind of bad value."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from offramp.core.evaluation.frame import case_frame
from offramp.core.intake import offramp_csv
from offramp.core.intake.batch import CASE_SCHEMA, CHARGE_SCHEMA, PERSON_SCHEMA, WARNING_SCHEMA
from offramp.core.intake.common import this_year
from offramp.core.intake.errors import FieldError, IntakeError

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "cases.csv"

#: a valid row with every fact known; tests change one or two cells
GOOD: dict[str, str] = {
    "case_id": "C1",
    "person_id": "P1",
    "received_date": "2024-03-01",
    "birth_year": "1990",
    "sex": "male",
    "race": "black",
    "ethnicity": "not_hispanic_latino",
    "zip": "60624",
    "statute": "720 ILCS 570/402(c)",
    "charge_title": "POSSESSION OF CONTROLLED SUBSTANCE",
    "offense_kind": "possession",
    "severity": "felony",
    "drug": "fentanyl",
    "quantity_g": "0.5",
    "weapon": "false",
    "violence": "false",
    "sale_to_minor": "false",
    "near_school": "false",
    "cash_usd": "20",
    "packaging": "false",
    "scales_or_ledgers": "false",
    "organizer_role": "false",
    "prior_felonies": "0",
    "prior_violent": "0",
    "prior_drug_sales": "0",
    "on_supervision": "false",
    "days_since_release": "30",
    "prior_overdose": "true",
    "injection_use": "false",
    "victim_count": "0",
    "narrative": "One packet found.",
}


def write_csv(tmp_path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    path = tmp_path / "cases.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header or list(GOOD), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def row(**changes: str) -> dict[str, str]:
    return {**GOOD, **changes}


def parse_error(path: Path) -> IntakeError:
    with pytest.raises(IntakeError) as caught:
        offramp_csv.parse(path)
    return caught.value


def test_it_parses_the_example_file() -> None:
    batch = offramp_csv.parse(EXAMPLE)

    assert batch.source_format == "offramp-csv"
    assert (batch.cases.height, batch.persons.height, batch.charges.height) == (10, 9, 10)
    assert batch.victims.height == 0
    assert batch.referrals.height == 0
    assert batch.warnings.height == 0
    first = batch.cases.row(0, named=True)
    assert first["case_key"] == "CCR-2024-0001"
    assert first["source_row"] == 2
    assert first["received_date"] == dt.date(2024, 1, 8)
    assert first["primary_drug"] == "fentanyl"
    assert first["days_since_release"] == 21
    assert first["agency"] == "Chicago Police Department"
    assert batch.cases["primary_offense_kind"].unique().sort().to_list() == [
        "delivery",
        "manufacture",
        "other",
        "paraphernalia",
        "possession",
        "possession_with_intent",
        "trafficking",
    ]


def test_it_derives_nibrs_codes_and_grams() -> None:
    charges = offramp_csv.parse(EXAMPLE).charges.filter(
        pl.col("case_key").is_in(["CCR-2024-0001", "CCR-2024-0006", "CCR-2024-0007"])
    )

    assert charges.select("case_key", "nibrs_code", "quantity", "quantity_unit").rows() == [
        ("CCR-2024-0001", "35A", 0.3, "g"),
        ("CCR-2024-0006", "35B", None, None),
        ("CCR-2024-0007", None, None, None),
    ]


def test_it_outputs_the_record_schemas(tmp_path: Path) -> None:
    batch = offramp_csv.parse(write_csv(tmp_path, [GOOD])).conformed()

    assert batch.cases.schema == pl.Schema(CASE_SCHEMA)
    assert batch.persons.schema == pl.Schema(PERSON_SCHEMA)
    assert batch.charges.schema == pl.Schema(CHARGE_SCHEMA)


def test_it_reads_blank_as_unknown_not_false(tmp_path: Path) -> None:
    blank = {name: "" for name in GOOD} | {
        "case_id": "C1",
        "person_id": "P1",
        "received_date": "2024-03-01",
        "offense_kind": "possession",
    }
    batch = offramp_csv.parse(write_csv(tmp_path, [blank]))

    case = batch.cases.row(0, named=True)
    assert (case["weapon"], case["prior_felonies"], case["cash_usd"], case["victim_count"]) == (
        None,
        None,
        None,
        None,
    )
    assert case["stage"] == "received"
    person = batch.persons.row(0, named=True)
    assert (person["sex"], person["sex_raw"], person["race"], person["ethnicity"]) == (
        "unknown",
        None,
        "unknown",
        "unknown",
    )


def test_it_maps_aliases_and_keeps_the_raw_text(tmp_path: Path) -> None:
    source = row(
        sex=" M ", race="Black or African American", ethnicity="Latinx", weapon="TRUE", drug="Fentanyl"
    )
    batch = offramp_csv.parse(write_csv(tmp_path, [source]))

    person = batch.persons.row(0, named=True)
    assert (person["sex"], person["sex_raw"]) == ("male", "M")
    assert (person["race"], person["race_raw"]) == ("black", "Black or African American")
    assert (person["ethnicity"], person["ethnicity_raw"]) == ("hispanic_latino", "Latinx")
    assert batch.cases["weapon"].to_list() == [True]
    assert batch.charges.select("drug", "drug_raw").row(0) == ("fentanyl", "Fentanyl")


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("received_date", "2024-13-01", "a date as YYYY-MM-DD"),
        ("received_date", "03/01/2024", "a date as YYYY-MM-DD"),
        ("sex", "Mal", "one of male | female | other | unknown (or blank if unknown)"),
        (
            "offense_kind",
            "possesion",
            "one of possession | possession_with_intent | delivery | manufacture | trafficking | "
            "paraphernalia | other",
        ),
        ("weapon", "yes", "true or false (or blank if unknown)"),
        ("prior_felonies", "-2", "a whole number of at least 0 (or blank if unknown)"),
        ("prior_felonies", "2.5", "a whole number of at least 0 (or blank if unknown)"),
        ("quantity_g", "-1", "a number of at least 0 (or blank if unknown)"),
        ("zip", "6060", "a 5-digit ZIP code (or ZIP+4, 12345-6789) (or blank if unknown)"),
        ("case_id", "", "a value"),
    ],
)
def test_it_names_file_row_field_value_and_expectation(
    tmp_path: Path, field: str, value: str, expected: str
) -> None:
    path = write_csv(tmp_path, [row(**{field: value})])

    error = parse_error(path)

    assert str(error) == f"{path}:2:{field}: {value!r} — expected {expected}"


def test_it_names_every_missing_header_column(tmp_path: Path) -> None:
    header = [name for name in GOOD if name not in ("zip", "weapon")]
    path = write_csv(tmp_path, [GOOD], header=header)

    error = parse_error(path)

    assert error.errors == [
        FieldError(str(path), 1, "weapon", "", "this column in the header row"),
        FieldError(str(path), 1, "zip", "", "this column in the header row"),
    ]


def test_it_rejects_a_repeated_case_id_on_the_later_row(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [row(case_id="C1"), row(case_id="C2"), row(case_id="C1")])

    error = parse_error(path)

    assert str(error) == (
        f"{path}:4:case_id: 'C1' — expected a case_id not used on an earlier row (row 2 has it)"
    )


def test_it_rejects_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(b"")

    error = parse_error(path)

    assert str(error) == f"{path}:1:header: '' — expected a header row naming the columns"


def test_it_rejects_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [])
    with path.open("ab") as handle:
        handle.write(",".join(row(narrative="caf\u00e9").values()).encode("cp1252") + b"\n")

    error = parse_error(path)

    assert len(error.errors) == 1
    only = error.errors[0]
    assert (only.file, only.row, only.field, only.value) == (str(path), 0, "file", "cases.csv")
    assert only.expected.startswith("a UTF-8 CSV file (")


def test_it_lists_every_error_in_the_file_not_just_the_first(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [
            row(case_id="C1", weapon="maybe"),
            row(case_id="C2", received_date="2024-02-30", prior_violent="-1"),
            row(case_id="C1", zip="ABCDE"),
        ],
    )

    error = parse_error(path)

    file = str(path)
    assert error.total == 5
    assert error.errors == [
        FieldError(file, 2, "weapon", "maybe", "true or false (or blank if unknown)"),
        FieldError(file, 3, "prior_violent", "-1", "a whole number of at least 0 (or blank if unknown)"),
        FieldError(file, 3, "received_date", "2024-02-30", "a date as YYYY-MM-DD"),
        FieldError(file, 4, "case_id", "C1", "a case_id not used on an earlier row (row 2 has it)"),
        FieldError(
            file, 4, "zip", "ABCDE", "a 5-digit ZIP code (or ZIP+4, 12345-6789) (or blank if unknown)"
        ),
    ]


def test_it_imports_implausible_values_with_a_warning_on_their_row(tmp_path: Path) -> None:
    young = str(this_year() - 5)
    path = write_csv(
        tmp_path,
        [row(case_id="C1"), row(case_id="C2", person_id="P2", received_date="1946-03-01", birth_year=young)],
    )

    batch = offramp_csv.parse(path)

    assert batch.cases["received_date"].to_list() == [dt.date(2024, 3, 1), dt.date(1946, 3, 1)]
    warnings = batch.warnings.sort("field")
    assert warnings.select(list(WARNING_SCHEMA)).rows() == [
        (
            3,
            "birth_year",
            young,
            f"implausible birth_year: outside {this_year() - 100}–{this_year() - 10}; imported, please check "
            "the source",
            "C2",
        ),
        (
            3,
            "received_date",
            "1946-03-01",
            f"implausible received_date: outside 1980–{this_year()}; imported, please check the source",
            "C2",
        ),
    ]


def test_it_warns_when_a_persons_rows_disagree(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [row(case_id="C1", sex="male"), row(case_id="C2", sex="female")])

    batch = offramp_csv.parse(path)

    assert batch.persons.select("person_key", "sex").rows() == [("P1", "male")]
    assert batch.warnings.select("row", "field", "value", "case_key").rows() == [
        (2, "sex", "female|male", "C1")
    ]
    assert batch.warnings["message"].to_list() == [
        "person's rows disagree on sex; the first row's value is kept"
    ]


LATER = ["trafficking_org_ties", "weapon_in_connection", "last_violent_conviction_year", "on_moud"]


def test_a_file_without_the_later_fact_columns_reads_them_as_unknown(tmp_path: Path) -> None:
    """Files written before these facts existed stay valid: the columns are optional, blank means unknown."""
    cases = offramp_csv.parse(write_csv(tmp_path, [row()])).cases
    assert cases.select(LATER).row(0) == (None, None, None, None)


def test_it_reads_the_later_facts_when_the_file_has_them(tmp_path: Path) -> None:
    header = [*GOOD, *LATER]
    values = {"trafficking_org_ties": "true", "weapon_in_connection": "false",
              "last_violent_conviction_year": "2019", "on_moud": "true"}  # fmt: skip
    cases = offramp_csv.parse(write_csv(tmp_path, [row(**values)], header)).cases
    assert cases.select(LATER).row(0) == (True, False, 2019, True)


def test_a_bad_later_fact_is_named_by_row_and_field(tmp_path: Path) -> None:
    header = [*GOOD, *LATER]
    path = write_csv(
        tmp_path, [row(), row(case_id="C2", on_moud="sometimes", last_violent_conviction_year="x")], header
    )
    errors = {(e.row, e.field) for e in parse_error(path).errors}
    assert errors == {(3, "on_moud"), (3, "last_violent_conviction_year")}


def test_the_issue_13_facts_are_read_and_bad_ones_named_by_row_and_field(tmp_path: Path) -> None:
    """The bars, eligibility, pretrial and own-account facts: optional columns, checked like the others."""
    header = [*GOOD, "sought_help_for_overdose", "prior_failures_to_appear", "noncitizen"]
    good = row(sought_help_for_overdose="true", prior_failures_to_appear="2", noncitizen="")
    cases = offramp_csv.parse(write_csv(tmp_path, [good], header)).cases
    assert cases.select(header[-3:]).row(0) == (True, 2, None)
    bad = row(case_id="C2", sought_help_for_overdose="maybe", prior_failures_to_appear="-1", noncitizen="no")
    errors = {(e.row, e.field) for e in parse_error(write_csv(tmp_path, [good, bad], header)).errors}
    assert errors == {(3, "sought_help_for_overdose"), (3, "prior_failures_to_appear"), (3, "noncitizen")}


def test_it_reads_a_pill_count_as_the_charges_dosage_units(tmp_path: Path) -> None:
    """Issue 12: 200 counterfeit pills are a quantity (unit dosage_unit), not a blank read as "user"; a
    weight, when given, wins; the evaluation frame carries the count as `dosage_units`."""
    header = [*GOOD, "dosage_units"]
    rows = [
        row(case_id="C1", quantity_g="", dosage_units="200"),
        row(case_id="C2", quantity_g="2.5", dosage_units="30"),
        row(case_id="C3", quantity_g="", dosage_units=""),
    ]
    batch = offramp_csv.parse(write_csv(tmp_path, rows, header))
    assert batch.charges.select("quantity", "quantity_unit", "quantity_raw").rows() == [
        (200.0, "dosage_unit", "200"),
        (2.5, "g", "2.5"),
        (None, None, None),
    ]
    frame = case_frame(batch)
    assert frame.select("quantity_g", "dosage_units").rows() == [(None, 200.0), (2.5, None), (None, None)]
