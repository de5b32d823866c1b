"""`offramp import cases` end to end, through the real command: offramp-csv and offramp-jsonl files into
the database. All-or-nothing, idempotent, every error listed, warnings stored, dry runs write nothing.

ccsao-diversion has its own file (test_import_ccsao.py); the helpers are in helpers.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

import pytest
from django.db import connection
from tests.fixtures.clock import TODAY
from tests.integration.helpers import (
    CASE_TABLES,
    DATA_TABLES,
    EXAMPLE_CSV,
    EXAMPLE_JSONL,
    cases_csv,
    example_csv_with,
    import_cases,
    read_jsonl,
    snapshot,
    write_jsonl,
)

from offramp.web import bulk
from offramp.web.cases import store
from offramp.web.cases.models import Case, Charge, DataQualityWarning, ImportBatch, Person, Victim

pytestmark = pytest.mark.django_db

CSV = "offramp-csv"
JSONL = "offramp-jsonl"
#: plausible years end at the current one: the tests that name it run on the frozen day (tests/fixtures/clock.py)
YEAR = TODAY.year


def summary_prefix(
    path: Path,
    rows: int,
    fmt: str,
    verb: str,
    new: int,
    changed: int,
    unchanged: int,
    people_new: int,
    people_changed: int,
) -> str:
    return (
        f"{path}: {rows} rows ({fmt}) — {verb} {new} new cases, {changed} changed, {unchanged} unchanged; "
        f"{people_new} new people, {people_changed} changed; "
    )


def case_ids() -> dict[str, tuple[int, str, int | None]]:
    """case_key -> (id, row_hash, import_batch_id)."""
    return {
        k: (i, h, b)
        for k, i, h, b in Case.objects.values_list("case_key", "id", "row_hash", "import_batch_id")
    }


def charge_rows(exclude_case: str | None = None) -> list[tuple[object, ...]]:
    qs = Charge.objects.order_by("id")
    if exclude_case:
        qs = qs.exclude(case__case_key=exclude_case)
    return list(qs.values_list())


@pytest.fixture
def example_imported(capsys: pytest.CaptureFixture[str]) -> None:
    """The example CSV already stored, so "nothing changed" means more than "still empty"."""
    run = import_cases(capsys, EXAMPLE_CSV, CSV)
    assert run.rc == 0, run.err
    assert Case.objects.count() == 10


# --- 1. a good file ----------------------------------------------------------------------------------------


def test_it_imports_the_example_csv(capsys: pytest.CaptureFixture[str]) -> None:
    run = import_cases(capsys, EXAMPLE_CSV, CSV)

    assert run.rc == 0
    assert run.err == ""
    assert run.out.startswith(
        summary_prefix(EXAMPLE_CSV, 10, CSV, "imported", 10, 0, 0, 9, 0) + "0 data-quality warnings."
    )
    assert (Person.objects.count(), Case.objects.count(), Charge.objects.count()) == (9, 10, 10)
    assert Victim.objects.count() == 0
    assert DataQualityWarning.objects.count() == 0
    # one person, two cases (rows 2 and 11 share P-7Q2K9)
    assert sorted(Case.objects.filter(person__person_key="P-7Q2K9").values_list("case_key", flat=True)) == [
        "CCR-2024-0001",
        "CCR-2024-0010",
    ]

    batch = ImportBatch.objects.get()
    assert (batch.source_format, batch.file_name, batch.rows, batch.cases_new, batch.persons_new) == (
        CSV,
        str(EXAMPLE_CSV),
        10,
        10,
        9,
    )
    assert batch.file_sha256 == hashlib.sha256(EXAMPLE_CSV.read_bytes()).hexdigest()
    assert batch.finished_at is not None
    assert batch.dry_run is False


def test_it_shows_a_progress_bar_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    run = import_cases(capsys, EXAMPLE_CSV, CSV, "--progress")

    assert run.rc == 0
    assert "storing: 100%" in run.err
    assert "10/10" in run.err


def test_it_shows_no_progress_bar_when_output_is_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    run = import_cases(capsys, EXAMPLE_CSV, CSV)

    assert run.rc == 0
    assert "storing" not in run.err


def test_it_stores_every_value_of_a_csv_case(capsys: pytest.CaptureFixture[str]) -> None:
    import_cases(capsys, EXAMPLE_CSV, CSV)

    case = Case.objects.select_related("person").get(case_key="CCR-2024-0001")
    assert case.received_date == dt.date(2024, 1, 8)
    assert case.received_date_raw == "2024-01-08"
    assert (case.source_format, case.source_row, case.agency) == (CSV, 2, "Chicago Police Department")
    assert (case.stage, case.primary_offense_kind, case.primary_drug) == (
        "received",
        "possession",
        "fentanyl",
    )
    facts = (
        case.weapon,
        case.violence,
        case.sale_to_minor,
        case.near_school,
        case.packaging,
        case.scales_or_ledgers,
        case.organizer_role,
        case.on_supervision,
        case.prior_overdose,
        case.injection_use,
    )
    assert facts == (False, False, False, False, False, False, False, False, True, False)
    assert (case.cash_usd, case.prior_felonies, case.days_since_release, case.victim_count) == (
        12.0,
        0,
        21,
        0,
    )
    assert case.narrative.startswith("Stopped at a bus shelter; one foil packet")
    assert case.assigned_prosecutor_id is None
    person = case.person
    assert (person.person_key, person.birth_year, person.sex, person.sex_raw, person.race, person.zip) == (
        "P-7Q2K9",
        1996,
        "male",
        "male",
        "black",
        "60624",
    )

    charge = Charge.objects.get(case=case)
    assert (charge.seq, charge.is_primary) == (1, True)
    assert (charge.statute_raw, charge.title_raw) == (
        "720 ILCS 570/402(c)",
        "POSSESSION OF CONTROLLED SUBSTANCE",
    )
    assert (charge.offense_kind, charge.severity, charge.nibrs_code) == ("possession", "felony", "35A")
    assert (charge.drug, charge.drug_raw) == ("fentanyl", "fentanyl")
    assert (charge.quantity, charge.quantity_unit, charge.quantity_raw) == (0.3, "g", "0.3")


def test_it_stores_blank_csv_cells_as_unknown_not_false(capsys: pytest.CaptureFixture[str]) -> None:
    import_cases(capsys, EXAMPLE_CSV, CSV)

    case = Case.objects.select_related("person").get(case_key="CCR-2024-0008")  # a row of blanks
    for name in (
        "weapon",
        "violence",
        "sale_to_minor",
        "near_school",
        "packaging",
        "scales_or_ledgers",
        "organizer_role",
        "on_supervision",
        "prior_overdose",
        "injection_use",
        "cash_usd",
        "prior_felonies",
        "prior_violent",
        "prior_drug_sales",
        "days_since_release",
        "narrative",
    ):
        assert getattr(case, name) is None, name
    assert case.victim_count == 0
    assert case.stage == "received"  # blank stage cell: the default
    person = case.person
    assert (person.birth_year, person.sex, person.sex_raw, person.race, person.race_raw, person.zip) == (
        None,
        "unknown",
        None,
        "unknown",
        None,
        None,
    )


def test_it_keeps_the_source_text_beside_normalised_csv_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = example_csv_with(
        tmp_path,
        {
            0: {
                "received_date": " 2024-01-08 ",
                "sex": "M",
                "race": "African American",
                "ethnicity": "N",
                "drug": "FENTANYL",
                "quantity_g": "0.30",
                "weapon": "TRUE",
                "statute": "720 ILCS 570/402(c) ",
                "charge_title": "Poss. Contr. Subst.",
            }
        },
    )
    assert import_cases(capsys, path, CSV).rc == 0

    case = Case.objects.select_related("person").get(case_key="CCR-2024-0001")
    assert (case.received_date, case.received_date_raw, case.weapon) == (
        dt.date(2024, 1, 8),
        "2024-01-08",
        True,
    )
    person = case.person
    assert (
        person.sex,
        person.sex_raw,
        person.race,
        person.race_raw,
        person.ethnicity,
        person.ethnicity_raw,
    ) == ("male", "M", "black", "African American", "not_hispanic_latino", "N")
    charge = case.charges.get()
    assert (charge.drug, charge.drug_raw, charge.quantity, charge.quantity_raw) == (
        "fentanyl",
        "FENTANYL",
        0.3,
        "0.30",
    )
    assert (charge.statute_raw, charge.title_raw) == ("720 ILCS 570/402(c)", "Poss. Contr. Subst.")


def test_it_imports_the_example_jsonl(capsys: pytest.CaptureFixture[str]) -> None:
    run = import_cases(capsys, EXAMPLE_JSONL, JSONL)

    assert run.rc == 0
    assert run.err == ""
    assert run.out.startswith(
        summary_prefix(EXAMPLE_JSONL, 7, JSONL, "imported", 7, 0, 0, 6, 0) + "0 data-quality warnings."
    )
    assert (Person.objects.count(), Case.objects.count(), Charge.objects.count(), Victim.objects.count()) == (
        6,
        7,
        9,
        4,
    )
    case = Case.objects.select_related("person").get(case_key="CCR-2024-0103")  # a sparse line
    assert (case.received_date, case.received_date_raw, case.source_row) == (
        dt.date(2024, 3, 1),
        "2024-03-01",
        3,
    )
    assert (case.stage, case.agency, case.primary_offense_kind, case.primary_drug) == (
        "received",
        None,
        "possession",
        "cannabis",
    )
    assert (case.weapon, case.cash_usd, case.prior_felonies, case.prior_overdose, case.victim_count) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert (case.person.birth_year, case.person.sex, case.person.sex_raw) == (2003, "unknown", None)
    charge = case.charges.get()
    assert (charge.statute_raw, charge.title_raw, charge.quantity, charge.quantity_unit) == (
        "720 ILCS 550/4(d)",
        None,
        48.0,
        "g",
    )


# --- 10. JSONL: several charges and victims ----------------------------------------------------------------


def test_it_stores_every_charge_and_victim_of_a_jsonl_case_in_order(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert import_cases(capsys, EXAMPLE_JSONL, JSONL).rc == 0

    case = Case.objects.get(case_key="CCR-2024-0101")
    assert (case.primary_offense_kind, case.primary_drug, case.victim_count) == (
        "possession_with_intent",
        "fentanyl",
        2,  # no victim_count on the line: the victims listed
    )
    charges = list(
        case.charges.order_by("seq").values_list(
            "seq",
            "is_primary",
            "statute_raw",
            "title_raw",
            "offense_kind",
            "severity",
            "nibrs_code",
            "drug",
            "quantity",
            "quantity_unit",
            "quantity_raw",
        )
    )
    assert charges == [
        (
            1,
            True,
            "720 ILCS 570/401(a)(1.5)",
            "POSSESSION OF CONTROLLED SUBSTANCE WITH INTENT TO DELIVER",
            "possession_with_intent",
            "felony",
            "35A",
            "fentanyl",
            3.5,
            "g",
            "41 pressed blue tablets, 3.5 g net",
        ),
        (
            2,
            False,
            "720 ILCS 570/401(c)(1)",
            "DELIVERY OF CONTROLLED SUBSTANCE",
            "delivery",
            "felony",
            "35A",
            "fentanyl",
            4.0,
            "dosage_unit",
            "4",
        ),
        (
            3,
            False,
            "720 ILCS 600/3.5(a)",
            "POSSESSION OF DRUG PARAPHERNALIA",
            "paraphernalia",
            "misdemeanor",
            "35B",
            "none",
            None,
            None,
            None,
        ),
    ]
    victims = list(
        case.victims.order_by("seq").values_list("seq", "harm", "harm_raw", "restitution_claimed_usd")
    )
    assert victims == [(1, "serious_injury", "serious_injury", 4200.0), (2, "death", "death", 9500.0)]


def test_it_marks_a_later_jsonl_charge_primary_when_the_line_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    objects = read_jsonl()
    charges = objects[0]["charges"]
    charges[0].pop("primary")
    charges[1]["primary"] = True
    path = write_jsonl(tmp_path / "cases.jsonl", objects)

    assert import_cases(capsys, path, JSONL).rc == 0

    case = Case.objects.get(case_key="CCR-2024-0101")
    assert list(case.charges.order_by("seq").values_list("seq", "is_primary")) == [
        (1, False),
        (2, True),
        (3, False),
    ]
    assert (case.primary_offense_kind, case.primary_drug) == ("delivery", "fentanyl")


# --- 2. all or nothing --------------------------------------------------------------------------------------


def test_it_rejects_a_csv_whose_last_row_has_one_bad_cell_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], example_imported: None
) -> None:
    before = snapshot()
    # every other row is new (it would be inserted); only row 11's date is wrong
    changes = {i: {"case_id": f"NEW-{i}", "person_id": f"NEW-P{i}"} for i in range(9)}
    changes[9] = {"received_date": "2024-13-45"}
    path = example_csv_with(tmp_path, changes)

    run = import_cases(capsys, path, CSV)

    assert run.rc == 1
    assert run.out == ""
    assert run.err.splitlines() == [
        f"{path}:11:received_date: '2024-13-45' — expected a date as YYYY-MM-DD",
        f"offramp import: 1 error(s) in {path}; nothing was imported.",
    ]
    assert snapshot() == before
    assert not Case.objects.filter(case_key__startswith="NEW-").exists()


def test_it_rejects_a_jsonl_whose_last_line_has_one_bad_value_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], example_imported: None
) -> None:
    before = snapshot()
    objects = read_jsonl()
    objects[-1]["received_date"] = "2024-13-45"
    path = write_jsonl(tmp_path / "cases.jsonl", objects)

    run = import_cases(capsys, path, JSONL)

    assert run.rc == 1
    assert run.err.splitlines() == [
        f"{path}:7:received_date: '2024-13-45' — expected a date as YYYY-MM-DD",
        f"offramp import: 1 error(s) in {path}; nothing was imported.",
    ]
    assert snapshot() == before
    assert not Case.objects.filter(case_key="CCR-2024-0101").exists()


# --- 3. every error listed ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("frozen_today")
def test_it_lists_every_error_in_a_csv_not_just_the_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = example_csv_with(
        tmp_path,
        {
            1: {"birth_year": "19x0"},
            4: {"offense_kind": "smuggling"},
            7: {"weapon": "maybe"},
            8: {"case_id": "CCR-2024-0001"},
            9: {"received_date": "2024-02-30"},
        },
    )

    run = import_cases(capsys, path, CSV)

    assert run.rc == 1
    kinds = (
        "possession | possession_with_intent | delivery | manufacture | trafficking | paraphernalia | other"
    )
    assert run.err.splitlines() == [
        f"{path}:3:birth_year: '19x0' — expected a whole number from 1850 to {YEAR} (or blank if unknown)",
        f"{path}:6:offense_kind: 'smuggling' — expected one of {kinds}",
        f"{path}:9:weapon: 'maybe' — expected true or false (or blank if unknown)",
        f"{path}:10:case_id: 'CCR-2024-0001' — expected a case_id not used on an earlier row (row 2 has it)",
        f"{path}:11:received_date: '2024-02-30' — expected a date as YYYY-MM-DD",
        f"offramp import: 5 error(s) in {path}; nothing was imported.",
    ]
    assert {t: s.count for t, s in snapshot().items()} == dict.fromkeys(CASE_TABLES, 0)


def test_it_lists_every_error_in_a_jsonl_not_just_the_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    objects = read_jsonl()
    objects[2]["person"]["birth_year"] = "x"
    objects[3]["charges"][0]["quantity"] = -1
    objects[6]["received_date"] = "2024-13-45"
    path = write_jsonl(tmp_path / "cases.jsonl", objects)

    run = import_cases(capsys, path, JSONL)

    assert run.rc == 1
    assert run.err.splitlines() == [
        f"{path}:3:person.birth_year: 'x' — expected a whole number of at least 1850 (or null if unknown)",
        f"{path}:4:charges.1.quantity: '-1' — expected a number of at least 0 (or null if unknown)",
        f"{path}:7:received_date: '2024-13-45' — expected a date as YYYY-MM-DD",
        f"offramp import: 3 error(s) in {path}; nothing was imported.",
    ]
    assert Case.objects.count() == 0


# --- 4. a failure while storing -----------------------------------------------------------------------------


def _changed_and_new_file(tmp_path: Path) -> Path:
    """The example with one changed case and two new ones: an import of it writes to every case table."""
    path = example_csv_with(
        tmp_path, {2: {"charge_title": "AMENDED TITLE", "quantity_g": "15"}}, name="base.csv"
    )
    text = path.read_text(encoding="utf-8")
    extra = (
        cases_csv(
            tmp_path,
            [
                {"case_id": "NEW-1", "person_id": "NEW-P1"},
                {"case_id": "NEW-2", "person_id": "P-7Q2K9", "received_date": "1950-01-01"},
            ],
            name="extra.csv",
        )
        .read_text(encoding="utf-8")
        .split("\n", 1)[1]
    )
    out = tmp_path / "changed.csv"
    out.write_text(text + extra, encoding="utf-8")
    return out


def test_it_rolls_back_everything_when_storing_fails_after_the_rows_are_written(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    example_imported: None,
) -> None:
    before = snapshot()
    path = _changed_and_new_file(tmp_path)
    real_flush = bulk.BulkWriter.flush
    seen: list[int] = []

    def flush_then_fail(self: bulk.BulkWriter) -> None:
        real_flush(self)
        seen.append(Case.objects.count())  # the new rows really were written before the failure
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(bulk.BulkWriter, "flush", flush_then_fail)

    run = import_cases(capsys, path, CSV)

    assert seen == [12]
    assert run.rc == 1
    assert run.out == ""
    assert run.err == "offramp import: failed while storing: disk full (simulated); nothing was imported.\n"
    assert snapshot() == before
    assert Case.objects.get(case_key="CCR-2024-0003").charges.get().title_raw != "AMENDED TITLE"


def test_it_rolls_back_everything_when_the_last_step_of_storing_fails(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    example_imported: None,
) -> None:
    before = snapshot()
    path = _changed_and_new_file(tmp_path)

    def fail(models: object) -> None:
        assert Case.objects.filter(case_key="NEW-2").exists()  # written, and about to be rolled back
        raise RuntimeError("sequence reset failed (simulated)")

    monkeypatch.setattr(store, "reset_sequences", fail)

    run = import_cases(capsys, path, CSV)

    assert run.rc == 1
    assert "failed while storing: sequence reset failed (simulated); nothing was imported." in run.err
    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_it_rolls_back_a_failed_store_in_a_real_top_level_transaction(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside the test's own transaction the store's transaction is the real one (and on SQLite the
    staging file is attached and detached for real)."""
    assert import_cases(capsys, EXAMPLE_CSV, CSV).rc == 0
    before = snapshot()
    path = _changed_and_new_file(tmp_path)
    real_flush = bulk.BulkWriter.flush

    def flush_then_fail(self: bulk.BulkWriter) -> None:
        real_flush(self)
        raise RuntimeError("power cut (simulated)")

    monkeypatch.setattr(bulk.BulkWriter, "flush", flush_then_fail)
    run = import_cases(capsys, path, CSV)
    monkeypatch.undo()

    assert run.rc == 1
    assert "failed while storing: power cut (simulated)" in run.err
    assert snapshot() == before
    # the connection is usable afterwards and the same file then imports normally
    again = import_cases(capsys, path, CSV)
    assert again.rc == 0, again.err
    assert again.out.startswith(summary_prefix(path, 12, CSV, "imported", 2, 1, 9, 1, 0))


def test_it_rolls_back_a_jsonl_import_with_charges_and_victims_when_storing_fails(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, example_imported: None
) -> None:
    before = snapshot()
    real_flush = bulk.BulkWriter.flush
    written: list[tuple[int, int]] = []

    def flush_then_fail(self: bulk.BulkWriter) -> None:
        real_flush(self)
        written.append((Charge.objects.count(), Victim.objects.count()))
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(bulk.BulkWriter, "flush", flush_then_fail)

    run = import_cases(capsys, EXAMPLE_JSONL, JSONL)

    assert written == [(10 + 9, 4)]
    assert run.rc == 1
    assert "failed while storing: disk full (simulated); nothing was imported." in run.err
    assert snapshot() == before


# --- 5. implausible values: imported and flagged ------------------------------------------------------------


@pytest.mark.usefixtures("frozen_today")
def test_it_imports_implausible_csv_values_and_records_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = str(YEAR - 104)
    path = example_csv_with(tmp_path, {3: {"received_date": "1946-05-01", "birth_year": old}})

    run = import_cases(capsys, path, CSV)

    assert run.rc == 0
    assert run.out.startswith(
        summary_prefix(path, 10, CSV, "imported", 10, 0, 0, 9, 0) + "2 data-quality warnings."
    )
    assert sorted(run.err.splitlines()) == sorted(
        [
            f"warning: {path}:5:received_date: '1946-05-01' — "
            f"implausible received_date: outside 1980–{YEAR}; "
            "imported, please check the source",
            f"warning: {path}:5:birth_year: '{old}' — "
            f"implausible birth_year: outside {YEAR - 100}–{YEAR - 10}; "
            "imported, please check the source",
        ]
    )
    case = Case.objects.select_related("person").get(case_key="CCR-2024-0004")
    assert (case.received_date, case.person.birth_year) == (dt.date(1946, 5, 1), YEAR - 104)
    batch = ImportBatch.objects.get()
    stored = set(
        DataQualityWarning.objects.values_list("row", "field", "value", "case__case_key", "import_batch")
    )
    assert stored == {
        (5, "received_date", "1946-05-01", "CCR-2024-0004", batch.pk),
        (5, "birth_year", old, "CCR-2024-0004", batch.pk),
    }
    assert all(
        m.startswith("implausible ") for m in DataQualityWarning.objects.values_list("message", flat=True)
    )
    assert batch.warnings == 2


@pytest.mark.usefixtures("frozen_today")
def test_it_imports_implausible_jsonl_values_and_records_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    objects = read_jsonl()
    objects[2]["received_date"] = "1946-05-01"
    objects[2]["person"]["birth_year"] = YEAR - 104
    path = write_jsonl(tmp_path / "cases.jsonl", objects)

    run = import_cases(capsys, path, JSONL)

    assert run.rc == 0
    assert "2 data-quality warnings." in run.out
    assert f"warning: {path}:3:received_date: '1946-05-01' — implausible received_date" in run.err
    assert f"warning: {path}:3:person.birth_year: '{YEAR - 104}' — implausible person.birth_year" in run.err
    stored = set(DataQualityWarning.objects.values_list("row", "field", "value", "case__case_key"))
    assert stored == {
        (3, "received_date", "1946-05-01", "CCR-2024-0103"),
        (3, "person.birth_year", str(YEAR - 104), "CCR-2024-0103"),
    }
    assert Case.objects.get(case_key="CCR-2024-0103").received_date == dt.date(1946, 5, 1)


# --- 6. idempotent ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "make", "rows", "people"),
    [
        (CSV, lambda tmp: example_csv_with(tmp, {3: {"received_date": "1946-05-01"}}), 10, 9),
        (JSONL, lambda tmp: EXAMPLE_JSONL, 7, 6),
    ],
    ids=["csv", "jsonl"],
)
def test_it_changes_nothing_when_the_same_file_is_imported_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, make: object, rows: int, people: int
) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    first = import_cases(capsys, path, fmt)
    assert first.rc == 0
    assert first.out.startswith(summary_prefix(path, rows, fmt, "imported", rows, 0, 0, people, 0))
    before = snapshot()

    second = import_cases(capsys, path, fmt)

    assert second.rc == 0
    assert second.out.startswith(summary_prefix(path, rows, fmt, "imported", 0, 0, rows, 0, 0))
    after = snapshot()
    assert {t: after[t] for t in DATA_TABLES} == {t: before[t] for t in DATA_TABLES}
    assert after["cases_importbatch"].count == before["cases_importbatch"].count + 1
    latest = ImportBatch.objects.order_by("-id").first()
    assert (latest.cases_new, latest.cases_changed, latest.cases_unchanged) == (0, 0, rows)


# --- 7. a changed row ---------------------------------------------------------------------------------------


def test_it_updates_only_the_changed_csv_row_and_replaces_its_charge(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], example_imported: None
) -> None:
    ids_before = case_ids()
    others_before = charge_rows(exclude_case="CCR-2024-0003")
    first_batch = ImportBatch.objects.get().pk
    path = example_csv_with(tmp_path, {2: {"charge_title": "AMENDED TITLE", "quantity_g": "15"}})

    run = import_cases(capsys, path, CSV)

    assert run.rc == 0
    assert run.out.startswith(summary_prefix(path, 10, CSV, "imported", 0, 1, 9, 0, 0))
    ids_after = case_ids()
    second_batch = ImportBatch.objects.order_by("-id").first().pk
    changed_id, changed_hash, changed_batch = ids_after.pop("CCR-2024-0003")
    old_id, old_hash, _ = ids_before.pop("CCR-2024-0003")
    assert changed_id == old_id  # updated in place, not re-created
    assert changed_hash != old_hash
    assert changed_batch == second_batch
    assert ids_after == ids_before  # every other case untouched, still pointing at the first batch
    assert {b for _, _, b in ids_after.values()} == {first_batch}
    charges = list(
        Charge.objects.filter(case_id=changed_id).values_list("seq", "title_raw", "quantity", "quantity_raw")
    )
    assert charges == [(1, "AMENDED TITLE", 15.0, "15")]
    assert Charge.objects.count() == 10
    assert charge_rows(exclude_case="CCR-2024-0003") == others_before


def test_it_replaces_the_charges_of_a_changed_jsonl_case_without_duplicating_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert import_cases(capsys, EXAMPLE_JSONL, JSONL).rc == 0
    case_id = Case.objects.get(case_key="CCR-2024-0101").pk
    objects = read_jsonl()
    objects[0]["charges"][1]["quantity"] = 6
    objects[0]["victims"][1]["restitution_claimed_usd"] = 10000
    path = write_jsonl(tmp_path / "changed.jsonl", objects)

    run = import_cases(capsys, path, JSONL)

    assert run.out.startswith(summary_prefix(path, 7, JSONL, "imported", 0, 1, 6, 0, 0))
    assert Case.objects.get(case_key="CCR-2024-0101").pk == case_id
    assert list(Charge.objects.filter(case_id=case_id).order_by("seq").values_list("seq", "quantity")) == [
        (1, 3.5),
        (2, 6.0),
        (3, None),
    ]
    assert list(
        Victim.objects.filter(case_id=case_id).order_by("seq").values_list("seq", "restitution_claimed_usd")
    ) == [(1, 4200.0), (2, 10000.0)]
    assert (Charge.objects.count(), Victim.objects.count()) == (9, 4)


# --- 8. dry run ---------------------------------------------------------------------------------------------


def test_it_writes_nothing_on_a_dry_run_of_a_new_file(capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot()

    run = import_cases(capsys, EXAMPLE_CSV, CSV, "--dry-run")

    assert run.rc == 0
    lines = run.out.splitlines()
    assert lines[0].startswith(summary_prefix(EXAMPLE_CSV, 10, CSV, "would import", 10, 0, 0, 9, 0))
    assert lines[1] == "dry run: nothing was written."
    assert snapshot() == before
    assert Case.objects.count() == 0


def test_it_writes_nothing_on_a_dry_run_of_a_changed_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], example_imported: None
) -> None:
    before = snapshot()
    path = _changed_and_new_file(tmp_path)

    run = import_cases(capsys, path, CSV, "--dry-run")

    assert run.rc == 0
    assert run.out.startswith(
        summary_prefix(path, 12, CSV, "would import", 2, 1, 9, 1, 0) + "1 data-quality warnings."
    )
    assert "dry run: nothing was written.\n" in run.out
    assert snapshot() == before


def test_it_writes_nothing_on_a_dry_run_of_a_jsonl_file(capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot()

    run = import_cases(capsys, EXAMPLE_JSONL, JSONL, "--dry-run")

    assert run.rc == 0
    assert run.out.startswith(summary_prefix(EXAMPLE_JSONL, 7, JSONL, "would import", 7, 0, 0, 6, 0))
    assert run.out.splitlines()[1] == "dry run: nothing was written."
    assert snapshot() == before


# --- 9. bad arguments ---------------------------------------------------------------------------------------


def test_it_refuses_an_unknown_format(capsys: pytest.CaptureFixture[str], example_imported: None) -> None:
    before = snapshot()

    run = import_cases(capsys, EXAMPLE_CSV, "excel")

    assert run.rc == 2
    assert "argument --format: invalid choice: 'excel'" in run.err
    assert "offramp-csv" in run.err
    assert snapshot() == before


def test_it_refuses_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], example_imported: None
) -> None:
    before = snapshot()
    missing = tmp_path / "no-such-file.csv"

    run = import_cases(capsys, missing, CSV)

    assert run.rc == 1
    assert run.err.splitlines() == [
        f"{missing}:0:file: '{missing}' — expected an existing, readable file",
        f"offramp import: 1 error(s) in {missing}; nothing was imported.",
    ]
    assert snapshot() == before
    assert not os.path.exists(missing)


# --- large loads: indexes and foreign keys dropped and rebuilt in the same transaction ----------------------


def _constraints_of(table: str) -> list[tuple[str, bool, bool, tuple[str, ...]]]:
    with connection.cursor() as cur:
        found = connection.introspection.get_constraints(cur, table)
    return sorted(
        (name, bool(c["unique"]), bool(c["foreign_key"]), tuple(c["columns"]))
        for name, c in found.items()
        if not c["primary_key"]
    )


def test_it_rebuilds_every_index_and_foreign_key_after_a_large_load(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tables = ["cases_case", "cases_charge", "cases_victim", "cases_programreferral"]
    before = {t: _constraints_of(t) for t in tables}
    monkeypatch.setattr(store, "DEFER_INDEXES_AT", 1)  # treat the 10-row example as a large load

    run = import_cases(capsys, EXAMPLE_CSV, CSV)

    assert run.rc == 0, run.err
    assert {t: _constraints_of(t) for t in tables} == before
    assert Case.objects.count() == 10
    assert Charge.objects.filter(case__case_key="CCR-2024-0001").count() == 1
