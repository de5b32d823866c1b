"""The ccsao-diversion format, on files generated in the shape of the real CCSAO Diversion export."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import polars as pl
import pytest

from offramp.core.enums import CaseStage, Drug, Ethnicity, OffenseKind, Race, ReferralResult, Severity, Sex
from offramp.core.intake import parse_file
from offramp.core.intake.batch import (
    CASE_SCHEMA,
    CHARGE_SCHEMA,
    PERSON_SCHEMA,
    REFERRAL_SCHEMA,
    WARNING_SCHEMA,
)
from offramp.core.intake.ccsao import parse_diversion, vocab
from offramp.core.intake.ccsao.exports import (
    DISPOSITIONS,
    DIVERSION,
    EXPORTS,
    INITIATION,
    INTAKE,
    SENTENCING,
)
from offramp.core.intake.errors import IntakeError

HEADER = list(DIVERSION.header)

BASE: dict[str, str] = {
    "CASE_ID": "149765331439",
    "CASE_PARTICIPANT_ID": "175691153649",
    "RECEIVED_DATE": "01/01/2011 12:00:00 AM",
    "OFFENSE_CATEGORY": "Narcotics",
    "DIVERSION_PROGRAM": "DDPP",
    "REFERRAL_DATE": "05/24/2011 12:00:00 AM",
    "DIVERSION_COUNT": "1",
    "PRIMARY_CHARGE_OFFENSE_TITLE": "POSSESSION OF A CONTROLLED SUBSTANCE",
    "STATUTE": "720 ILCS 570/402(c)",
    "RACE": "Black",
    "GENDER": "Male",
    "DIVERSION_RESULT": "Graduated",
    "DIVERSION_CLOSED_DATE": "05/22/2012 06:51:00 PM",
}


def write_export(
    tmp_path: Path,
    rows: Sequence[Mapping[str, str]],
    header: Sequence[str] = HEADER,
    name: str = "diversion.csv",
) -> Path:
    """A CSV in the export's shape; each row is BASE updated with the given cells."""
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            cells = {**BASE, **row}
            writer.writerow([cells.get(h.strip().upper(), "") for h in header])
    return path


def parse_rows(tmp_path: Path, *rows: Mapping[str, str]) -> tuple[Path, pl.DataFrame, pl.DataFrame]:
    path = write_export(tmp_path, rows)
    batch = parse_diversion(path)
    return path, batch.referrals, batch.warnings


def errors_of(path: Path) -> list[tuple[int, str, str, str]]:
    with pytest.raises(IntakeError) as info:
        parse_diversion(path)
    return [(e.row, e.field, e.value, e.expected) for e in info.value.errors]


def test_it_maps_a_row_to_a_case_person_charge_and_referral(tmp_path: Path) -> None:
    batch = parse_diversion(write_export(tmp_path, [{}]))

    case = batch.cases.row(0, named=True)
    assert case["case_key"] == "CCSAO-149765331439-175691153649"
    assert case["person_key"] == "CCSAO-P175691153649"
    assert case["source_row"] == 2
    assert case["received_date"] == dt.date(2011, 1, 1)
    assert case["received_date_raw"] == "01/01/2011 12:00:00 AM"
    assert case["agency"] == "Cook County State's Attorney (open data)"
    assert case["stage"] == CaseStage.DIVERTED.value
    assert case["primary_offense_kind"] == OffenseKind.POSSESSION.value
    assert case["primary_drug"] is None  # the statute and title do not name the drug
    for unknown in ("weapon", "cash_usd", "near_school", "prior_felonies", "prior_overdose", "victim_count"):
        assert case[unknown] is None

    person = batch.persons.row(0, named=True)
    assert person == {
        "person_key": "CCSAO-P175691153649",
        "birth_year": None,
        "sex": Sex.MALE.value,
        "sex_raw": "Male",
        "race": Race.BLACK.value,
        "race_raw": "Black",
        "ethnicity": Ethnicity.UNKNOWN.value,
        "ethnicity_raw": None,
        "zip": None,
    }

    charge = batch.charges.row(0, named=True)
    assert (charge["seq"], charge["is_primary"]) == (1, True)
    assert charge["statute_raw"] == "720 ILCS 570/402(c)"
    assert charge["title_raw"] == "POSSESSION OF A CONTROLLED SUBSTANCE"
    assert (charge["offense_kind"], charge["severity"], charge["nibrs_code"]) == (
        "possession",
        "felony",
        "35A",
    )

    referral = batch.referrals.row(0, named=True)
    assert referral == {
        "case_key": "CCSAO-149765331439-175691153649",
        "seq": 1,
        "program_code": "DDPP",
        "program_raw": "DDPP",
        "referral_date": dt.date(2011, 5, 24),
        "referral_date_raw": "05/24/2011 12:00:00 AM",
        "diversion_count": 1,
        "result": ReferralResult.GRADUATED.value,
        "result_raw": "Graduated",
        "closed_date": dt.date(2012, 5, 22),
        "closed_date_raw": "05/22/2012 06:51:00 PM",
    }
    assert batch.source_format == "ccsao-diversion"
    assert batch.warnings.height == 0


def test_it_returns_every_table_in_its_contract_schema(tmp_path: Path) -> None:
    batch = parse_diversion(write_export(tmp_path, [{}, {"CASE_ID": "2"}]))
    for frame, schema in (
        (batch.persons, PERSON_SCHEMA),
        (batch.cases, CASE_SCHEMA),
        (batch.charges, CHARGE_SCHEMA),
        (batch.referrals, REFERRAL_SCHEMA),
        (batch.warnings, WARNING_SCHEMA),
    ):
        assert dict(frame.schema) == schema
    assert batch.cases.height == 2


def test_it_reads_dates_with_and_without_a_time(tmp_path: Path) -> None:
    _, referrals, _ = parse_rows(
        tmp_path,
        {"REFERRAL_DATE": "05/24/2011", "DIVERSION_PROGRAM": "DS"},
        {"REFERRAL_DATE": "05/22/2011 06:51:00 PM", "DIVERSION_PROGRAM": "DC"},
        {"REFERRAL_DATE": "01/01/2011 12:00:00 AM", "DIVERSION_PROGRAM": "MHC"},
        {"REFERRAL_DATE": "5/3/2011", "DIVERSION_PROGRAM": "VC"},
    )
    by_program = dict(referrals.select("program_code", "referral_date").iter_rows())
    assert by_program == {
        "DS": dt.date(2011, 5, 24),
        "DC": dt.date(2011, 5, 22),
        "MHC": dt.date(2011, 1, 1),
        "VC": dt.date(2011, 5, 3),
    }


def test_it_imports_a_1946_referral_and_flags_it(tmp_path: Path) -> None:
    _, referrals, warnings = parse_rows(tmp_path, {"REFERRAL_DATE": "01/01/1946 12:00:00 AM"})
    assert referrals["referral_date"].to_list() == [dt.date(1946, 1, 1)]
    assert warnings.select("row", "field", "value", "case_key").rows() == [
        (2, "REFERRAL_DATE", "01/01/1946 12:00:00 AM", "CCSAO-149765331439-175691153649")
    ]
    assert "implausible" in warnings["message"][0]


def test_it_flags_a_date_after_today(tmp_path: Path) -> None:
    future = (dt.date.today() + dt.timedelta(days=40)).strftime("%m/%d/%Y")
    _, referrals, warnings = parse_rows(tmp_path, {"DIVERSION_CLOSED_DATE": future})
    assert referrals["closed_date_raw"].to_list() == [future]
    assert warnings.select("field", "value").rows() == [("DIVERSION_CLOSED_DATE", future)]


def test_it_numbers_referrals_by_referral_date_then_source_row(tmp_path: Path) -> None:
    _, referrals, _ = parse_rows(
        tmp_path,
        {"DIVERSION_PROGRAM": "DC", "REFERRAL_DATE": "03/01/2012"},
        {"DIVERSION_PROGRAM": "DS", "REFERRAL_DATE": "01/15/2012"},
        {"DIVERSION_PROGRAM": "ACT", "REFERRAL_DATE": "03/01/2012"},
        {"CASE_ID": "77", "DIVERSION_PROGRAM": "VC", "REFERRAL_DATE": "01/01/2010"},
    )
    assert referrals.select("case_key", "seq", "program_code").rows() == [
        ("CCSAO-149765331439-175691153649", 1, "DS"),
        ("CCSAO-149765331439-175691153649", 2, "DC"),
        ("CCSAO-149765331439-175691153649", 3, "ACT"),
        ("CCSAO-77-175691153649", 1, "VC"),
    ]


def test_it_imports_an_exact_duplicate_row_once_with_a_warning(tmp_path: Path) -> None:
    _, referrals, warnings = parse_rows(tmp_path, {}, {"DIVERSION_PROGRAM": "BR9"}, {})
    assert referrals["program_code"].to_list() == ["DDPP", "BR9"]
    assert warnings.select("row", "field", "value").rows() == [(4, "DIVERSION_PROGRAM", "DDPP")]
    assert warnings["message"][0].startswith("repeats row 2")


def test_it_keeps_latinx_as_ethnicity_and_maps_each_race_and_gender(tmp_path: Path) -> None:
    values = ["Latinx", "Biracial", "White", "Asian", "Other", "Unknown", "", "BLACK "]
    genders = ["Female", "Male", "Unknown", "", "female", "Male", "Male", "Male"]
    rows = [
        {"CASE_PARTICIPANT_ID": str(i), "RACE": race, "GENDER": gender}
        for i, (race, gender) in enumerate(zip(values, genders, strict=True))
    ]
    persons = parse_diversion(write_export(tmp_path, rows)).persons
    got = persons.select("race", "race_raw", "ethnicity", "ethnicity_raw", "sex", "sex_raw").rows()
    assert got == [
        ("unknown", "Latinx", "hispanic_latino", "Latinx", "female", "Female"),
        ("multiracial", "Biracial", "unknown", None, "male", "Male"),
        ("white", "White", "unknown", None, "unknown", "Unknown"),
        ("asian", "Asian", "unknown", None, "unknown", None),
        ("other", "Other", "unknown", None, "female", "female"),
        ("unknown", "Unknown", "unknown", None, "male", "Male"),
        ("unknown", None, "unknown", None, "male", "Male"),
        ("black", "BLACK", "unknown", None, "male", "Male"),
    ]


def test_it_imports_an_unrecognised_race_or_gender_as_unknown_with_a_warning(tmp_path: Path) -> None:
    path = write_export(
        tmp_path, [{"RACE": "White [Hispanic or Latino]", "GENDER": "Male name, no gender given"}]
    )
    batch = parse_diversion(path)
    assert batch.persons.select("race", "race_raw", "sex").row(0) == (
        "unknown",
        "White [Hispanic or Latino]",
        "unknown",
    )
    assert batch.warnings.select("field", "value").rows() == [
        ("GENDER", "Male name, no gender given"),
        ("RACE", "White [Hispanic or Latino]"),
    ]


def test_it_maps_results_and_leaves_a_blank_result_pending(tmp_path: Path) -> None:
    _, referrals, _ = parse_rows(
        tmp_path,
        {"DIVERSION_PROGRAM": "DS", "DIVERSION_RESULT": "Graduated"},
        {"DIVERSION_PROGRAM": "DC", "DIVERSION_RESULT": "Failed"},
        {"DIVERSION_PROGRAM": "MHC", "DIVERSION_RESULT": "", "DIVERSION_CLOSED_DATE": ""},
        {"DIVERSION_PROGRAM": "VC", "DIVERSION_RESULT": " graduated "},
    )
    assert referrals.select("program_code", "result", "result_raw", "closed_date").rows() == [
        ("DS", "graduated", "Graduated", dt.date(2012, 5, 22)),
        ("DC", "failed", "Failed", dt.date(2012, 5, 22)),
        ("MHC", "pending", None, None),
        ("VC", "graduated", "graduated", dt.date(2012, 5, 22)),
    ]


def test_it_imports_an_unknown_program_code_with_a_warning(tmp_path: Path) -> None:
    _, referrals, warnings = parse_rows(
        tmp_path, {"DIVERSION_PROGRAM": " newp "}, {"DIVERSION_PROGRAM": "rjcc"}
    )
    assert referrals.select("program_code", "program_raw").rows() == [("NEWP", "newp"), ("RJCC", "rjcc")]
    assert warnings.select("row", "field", "value").rows() == [(2, "DIVERSION_PROGRAM", "newp")]
    assert "unknown CCSAO program code" in warnings["message"][0]


def test_it_reads_title_spelling_variants_and_promis_statutes(tmp_path: Path) -> None:
    intent = "POSSESSION OF CONTROLLED SUBSTANCE WITH INTENT TO DELIVER"
    delivery = "DELIVERY OF A CONTROLLED SUBSTANCE"
    rows = [
        {
            "CASE_ID": "1",
            "STATUTE": "720 ILCS 570/401(c)(2)",
            "PRIMARY_CHARGE_OFFENSE_TITLE": f"[{intent}/{delivery}]",
        },
        {
            "CASE_ID": "2",
            "STATUTE": "720 ILCS 570/401(c)(1)",
            "PRIMARY_CHARGE_OFFENSE_TITLE": f"[{intent}/ {delivery}]",
        },
        {
            "CASE_ID": "3",
            "STATUTE": "720 ILCS 570/401(d)",
            "PRIMARY_CHARGE_OFFENSE_TITLE": f"[{intent}//{delivery}]",
        },
        {
            "CASE_ID": "4",
            "STATUTE": "720-570\\402(C)",
            "PRIMARY_CHARGE_OFFENSE_TITLE": "POSS AMT CON SUB EXCEPT(A)/(D)",
        },
        {"CASE_ID": "5", "STATUTE": "", "PRIMARY_CHARGE_OFFENSE_TITLE": "POSS CANNABIS=720-550\\4(D)"},
        {"CASE_ID": "6", "STATUTE": "720 ILCS 5/16-25(a)(1)", "PRIMARY_CHARGE_OFFENSE_TITLE": "RETAIL THEFT"},
        {"CASE_ID": "7", "STATUTE": "", "PRIMARY_CHARGE_OFFENSE_TITLE": "SAME AS DEFENDANT #1"},
    ]
    charges = parse_diversion(write_export(tmp_path, rows)).charges
    got = charges.select("offense_kind", "drug", "severity", "nibrs_code").rows()
    assert got == [
        ("possession_with_intent", "cocaine", "felony", "35A"),
        ("possession_with_intent", "heroin", "felony", "35A"),
        ("possession_with_intent", None, "felony", "35A"),
        ("possession", None, "felony", "35A"),
        ("possession", "cannabis", "felony", "35A"),
        ("other", "none", None, None),
        ("other", None, None, None),
    ]
    # the source text is kept exactly as written
    assert charges["title_raw"][1] == f"[{intent}/ {delivery}]"
    assert charges["statute_raw"].to_list()[3:5] == ["720-570\\402(C)", None]
    assert charges["drug_raw"].to_list()[4] == "POSS CANNABIS=720-550\\4(D)"


def test_it_takes_the_charge_from_a_cases_first_row_and_warns_when_rows_disagree(tmp_path: Path) -> None:
    batch = parse_diversion(
        write_export(
            tmp_path,
            [
                {"STATUTE": "720 ILCS 550/4(a)", "PRIMARY_CHARGE_OFFENSE_TITLE": "POSSESSION OF CANNABIS"},
                {"DIVERSION_PROGRAM": "DS", "STATUTE": "720 ILCS 570/402(c)"},
            ],
        )
    )
    assert batch.charges.select("statute_raw", "drug", "severity").rows() == [
        (
            "720 ILCS 550/4(a)",
            Drug.CANNABIS.value,
            Severity.MISDEMEANOR.value,
        )  # received 2011: before P.A. 99-697
    ]
    assert batch.warnings.select("row", "field", "value").rows() == [
        (3, "PRIMARY_CHARGE_OFFENSE_TITLE", "POSSESSION OF A CONTROLLED SUBSTANCE"),
        (3, "STATUTE", "720 ILCS 570/402(c)"),
    ]
    assert "(row 2) is kept" in batch.warnings["message"][0]


def test_it_names_each_missing_column_at_row_1(tmp_path: Path) -> None:
    header = [h for h in HEADER if h not in ("STATUTE", "DIVERSION_RESULT")]
    path = write_export(tmp_path, [{}], header=header)
    assert [(row, field) for row, field, _, _ in errors_of(path)] == [(1, "DIVERSION_RESULT"), (1, "STATUTE")]


def test_it_matches_the_header_ignoring_case_and_surrounding_space(tmp_path: Path) -> None:
    header = [f"  {h.lower()} " for h in reversed(HEADER)] + ["EXTRA_COLUMN"]
    batch = parse_diversion(write_export(tmp_path, [{}], header=header))
    assert batch.referrals.select("program_code", "referral_date").row(0) == ("DDPP", dt.date(2011, 5, 24))
    assert batch.charges["statute_raw"].to_list() == ["720 ILCS 570/402(c)"]


def test_it_reports_every_invalid_value_with_file_row_column_and_expectation(tmp_path: Path) -> None:
    path = write_export(
        tmp_path,
        [
            {"REFERRAL_DATE": "13/45/2011"},
            {"DIVERSION_RESULT": "Completed", "DIVERSION_COUNT": "two"},
            {"CASE_ID": " ", "DIVERSION_COUNT": "-1"},
            {"RECEIVED_DATE": "yesterday"},
            {"RECEIVED_DATE": "", "DIVERSION_PROGRAM": " "},
        ],
    )
    with pytest.raises(IntakeError) as info:
        parse_diversion(path)
    errors = [(e.row, e.field, e.value) for e in info.value.errors]
    assert errors == [
        (2, "REFERRAL_DATE", "13/45/2011"),
        (3, "DIVERSION_COUNT", "two"),
        (3, "DIVERSION_RESULT", "Completed"),
        (4, "CASE_ID", ""),
        (4, "DIVERSION_COUNT", "-1"),
        (5, "RECEIVED_DATE", "yesterday"),
        (6, "DIVERSION_PROGRAM", ""),
        (6, "RECEIVED_DATE", ""),
    ]
    assert info.value.total == 8
    expected = {e.field: e.expected for e in info.value.errors}
    assert "MM/DD/YYYY" in expected["REFERRAL_DATE"]
    assert expected["DIVERSION_RESULT"].startswith("Graduated or Failed")
    assert "whole number" in expected["DIVERSION_COUNT"]
    assert str(info.value.errors[0]) == (
        f"{path}:2:REFERRAL_DATE: '13/45/2011' — expected a date as MM/DD/YYYY, optionally with a time "
        "(01/31/2011 12:00:00 AM)"
    )


def test_it_imports_a_referral_without_a_date_with_a_warning(tmp_path: Path) -> None:
    _, referrals, warnings = parse_rows(tmp_path, {"REFERRAL_DATE": ""})
    assert referrals.select("referral_date", "referral_date_raw").rows() == [(None, None)]
    assert warnings.select("row", "field", "message").rows() == [
        (2, "REFERRAL_DATE", "no referral date; referral imported without one")
    ]


def test_it_flags_a_referral_closed_before_it_began(tmp_path: Path) -> None:
    _, _, warnings = parse_rows(tmp_path, {"DIVERSION_CLOSED_DATE": "05/23/2011"})
    assert warnings.select("row", "field", "value").rows() == [(2, "DIVERSION_CLOSED_DATE", "05/23/2011")]


def test_it_imports_a_file_with_only_a_header_as_an_empty_batch(tmp_path: Path) -> None:
    batch = parse_diversion(write_export(tmp_path, []))
    assert (batch.cases.height, batch.referrals.height, batch.warnings.height) == (0, 0, 0)


def test_it_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "cp1252.csv"
    path.write_bytes((",".join(HEADER) + "\n").encode() + "1,2,caf\xe9\n".encode("cp1252"))
    assert [(row, field) for row, field, _, _ in errors_of(path)] == [(0, "file")]


def test_it_parses_50000_rows(tmp_path: Path) -> None:
    n = 50_000
    programs = list(vocab.DIVERSION_PROGRAM)
    charges = [
        ("720 ILCS 570/402(c)", "POSSESSION OF A CONTROLLED SUBSTANCE"),
        ("720-570\\401(C)(2)", "[POSSESSION OF CONTROLLED SUBSTANCE WITH INTENT TO DELIVER//DELIVERY]"),
        ("720 ILCS 550/4(d)", "POSS CANNABIS 30-500 GRAMS"),
        ("720 ILCS 5/16-25(a)(1)", "RETAIL THEFT"),
    ]
    frame = pl.DataFrame(
        {
            "CASE_ID": [str(100_000 + i // 2) for i in range(n)],
            "CASE_PARTICIPANT_ID": [str(900_000 + i // 2) for i in range(n)],
            "RECEIVED_DATE": [
                f"{1 + (i // 2) % 12:02d}/{1 + (i // 2) % 28:02d}/2013 12:00:00 AM" for i in range(n)
            ],
            "OFFENSE_CATEGORY": ["Narcotics"] * n,
            "DIVERSION_PROGRAM": [programs[i % len(programs)] for i in range(n)],
            "REFERRAL_DATE": [f"{1 + i % 12:02d}/{1 + i % 28:02d}/2014" for i in range(n)],
            "DIVERSION_COUNT": [str(1 + i % 3) for i in range(n)],
            "PRIMARY_CHARGE_OFFENSE_TITLE": [charges[(i // 2) % 4][1] for i in range(n)],
            "STATUTE": [charges[(i // 2) % 4][0] for i in range(n)],
            "RACE": [("Black", "White", "Latinx", "Asian")[(i // 2) % 4] for i in range(n)],
            "GENDER": [("Male", "Female")[(i // 2) % 2] for i in range(n)],
            "DIVERSION_RESULT": [("Graduated", "Failed", "")[i % 3] for i in range(n)],
            "DIVERSION_CLOSED_DATE": [
                f"{1 + i % 12:02d}/{1 + i % 28:02d}/2015 12:00:00 AM" for i in range(n)
            ],
        }
    )
    path = tmp_path / "big.csv"
    frame.write_csv(path)

    batch = parse_diversion(path)

    assert (batch.cases.height, batch.referrals.height, batch.warnings.height) == (25_000, 50_000, 0)
    assert batch.charges.group_by("offense_kind").len().sort("offense_kind").rows() == [
        ("other", 6_250),
        ("possession", 12_500),
        ("possession_with_intent", 6_250),
    ]


def test_it_describes_every_program_code_and_vocabulary_entry() -> None:
    assert sorted(vocab.DIVERSION_PROGRAM) == sorted(
        ["DDPP", "BR9", "DS", "DC", "MHC", "VC", "ACT", "ARI", "RJCC"]
    )
    for code, program in vocab.DIVERSION_PROGRAM.items():
        assert program.code == code
        assert program.name.strip() and program.description.strip(), code
    for table in (vocab.RACE, vocab.GENDER, vocab.DIVERSION_RESULT):
        assert table
        for key, term in table.items():
            assert key == key.strip().lower()
            assert term.description.strip(), key
    assert vocab.BLANK_RESULT.description.strip()
    assert (vocab.DIVERSION_PROGRAM["BR9"].plea, vocab.DIVERSION_PROGRAM["BR9"].months) == ("pre-plea", 12)
    assert (vocab.DIVERSION_PROGRAM["DC"].plea, vocab.DIVERSION_PROGRAM["DC"].months) == ("post-plea", 24)


def test_it_declares_all_five_exports_with_their_published_headers() -> None:
    assert sorted(EXPORTS) == ["dispositions", "diversion", "initiation", "intake", "sentencing"]
    assert len(DIVERSION.header) == 13
    assert (len(INTAKE.header), len(INITIATION.header), len(DISPOSITIONS.header)) == (17, 38, 33)
    assert INTAKE.header[-1] == "UPDATE_OFFENSE_CATEGORY"
    assert (
        INITIATION.header[-1]
        == DISPOSITIONS.header[-1]
        == SENTENCING.header[-1]
        == "UPDATED_OFFENSE_CATEGORY"
    )
    assert "BOND_ELECTROINIC_MONITOR_FLAG_CURRENT" in INITIATION.header
    assert "BOND_ELECTRONIC_MONITOR_FLAG_INITIAL" in INITIATION.header
    cut = DISPOSITIONS.header.index("CHARGE_DISPOSITION_REASON") + 1
    tail = DISPOSITIONS.header[DISPOSITIONS.header.index("AGE_AT_INCIDENT") :]
    assert SENTENCING.header[:cut] == DISPOSITIONS.header[:cut]
    assert SENTENCING.header[-len(tail) :] == tail
    assert SENTENCING.header[cut] == "SENTENCE_JUDGE"
    assert "LENGTH_OF_CASE_in_Days" in SENTENCING.header
    assert INITIATION.statute_columns == ("CHAPTER", "ACT", "SECTION")


def test_it_names_the_export_when_a_sentencing_file_misses_a_column(tmp_path: Path) -> None:
    header = [h for h in SENTENCING.header if h != "COMMITMENT_UNIT"]
    with pytest.raises(IntakeError) as info:
        SENTENCING.match_header(header, "sentencing.csv")
    assert [(e.row, e.field, e.expected) for e in info.value.errors] == [
        (1, "COMMITMENT_UNIT", "this column in the header row of a CCSAO Sentencing export")
    ]


def test_it_is_registered_as_ccsao_diversion(tmp_path: Path) -> None:
    batch = parse_file(write_export(tmp_path, [{}]), "ccsao-diversion")
    assert batch.source_format == "ccsao-diversion"
    assert batch.cases["case_key"].to_list() == ["CCSAO-149765331439-175691153649"]
