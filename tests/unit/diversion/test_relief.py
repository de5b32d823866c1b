"""Record relief: the eligibility entry on completion, and past convictions today's pack would not charge."""

from __future__ import annotations

import csv
import datetime as dt
import io

import polars as pl
import pytest

from offramp.core.evaluation.engine import evaluate
from offramp.core.evaluation.frame import frame_from_facts
from offramp.core.outcomes.relief import (
    CANDIDATE_SCHEMA,
    CONVICTION_DISPOSITIONS,
    DEFAULT_STATUTE,
    Disposition,
    ReliefStatute,
    eligibility_on_completion,
    retrospective_candidates,
    statute_for,
    to_csv,
)
from offramp.core.policy import resolve_pack

TODAY = dt.date(2025, 6, 1)
DONE = dt.date(2025, 5, 20)

#: five past cases, each with its disposition and the person
PAST: list[dict[str, object]] = [
    {"case_key": "P1", "person_key": "A", "received_date": dt.date(2015, 3, 2), "offense_kind": "possession",
     "drug": "cannabis", "quantity_g": 10.0, "disposition": "plea_guilty"},
    {"case_key": "H1", "person_key": "B", "received_date": dt.date(2016, 5, 1), "offense_kind": "trafficking",
     "drug": "cocaine", "quantity_g": 2000.0, "organizer_role": True, "disposition": "verdict_guilty"},
    {"case_key": "P2", "person_key": "C", "received_date": dt.date(2014, 1, 10), "offense_kind": "possession",
     "drug": "heroin", "quantity_g": 1.0, "disposition": "dismissed"},
    {"case_key": "S1", "person_key": "A", "received_date": dt.date(2013, 8, 1), "offense_kind": "delivery",
     "drug": "crack", "quantity_g": 1.5, "disposition": " Finding_Guilty "},
    {"case_key": "V1", "person_key": "D", "received_date": dt.date(2018, 8, 1), "offense_kind": "possession",
     "drug": "methamphetamine", "quantity_g": 1.0, "weapon": True, "weapon_in_connection": True,
     "disposition": "convicted"},
]  # fmt: skip

HISTORY_COLUMNS = ("case_key", "person_key", "received_date", "offense_kind", "drug", "disposition")


def history() -> pl.DataFrame:
    return pl.DataFrame([{c: row[c] for c in HISTORY_COLUMNS} for row in PAST])


def evaluated_today() -> pl.DataFrame:
    facts = [{k: v for k, v in row.items() if k not in ("person_key", "disposition")} for row in PAST]
    return evaluate(frame_from_facts(facts), resolve_pack("public-health"), on=TODAY)


# --- eligibility on completion -----------------------------------------------------------------------------


def test_completion_is_eligible_for_georgia_record_restriction_by_default() -> None:
    entry = eligibility_on_completion(DONE, "pre_charge_diversion")
    assert entry.eligible
    assert entry.statute == DEFAULT_STATUTE
    assert entry.statute.code == "O.C.G.A. § 35-3-37"
    assert entry.statute.title == "Review, correction and restriction of criminal history records"
    assert entry.statute.jurisdiction == "Georgia"
    assert entry.as_of == DONE
    assert entry.program_model == "pre_charge_diversion"
    assert "O.C.G.A. § 35-3-37" in entry.basis and "2025-05-20" in entry.basis


def test_the_statute_is_configurable_per_program_model() -> None:
    other = ReliefStatute("Example Code § 1-2-3", "Sealing after diversion", "Example State", "Example Code")
    office = {"post_plea": other, "drug_court_no_relief": None}
    assert statute_for("pre_plea", office) == DEFAULT_STATUTE  # not in the mapping: the default
    assert statute_for("pre_plea") == DEFAULT_STATUTE
    assert statute_for("post_plea", office) == other
    entry = eligibility_on_completion(DONE, "post_plea", statute_for("post_plea", office))
    assert entry.eligible and entry.statute == other and "Example Code § 1-2-3" in entry.basis
    none = eligibility_on_completion(
        DONE, "drug_court_no_relief", statute_for("drug_court_no_relief", office)
    )
    assert not none.eligible and none.statute is None
    assert "names no record-relief statute" in none.basis


# --- the retrospective report ------------------------------------------------------------------------------


def test_candidates_are_exactly_the_convictions_todays_pack_would_decline_or_divert() -> None:
    evaluated = evaluated_today()
    outcomes = dict(zip(evaluated["case_key"], evaluated["outcome"], strict=True))
    assert outcomes == {
        "P1": "decline",
        "H1": "prosecute",
        "P2": "decline",
        "S1": "pre_charge_diversion",
        "V1": "prosecute",
    }
    found = retrospective_candidates(history(), evaluated, pack=resolve_pack("public-health"))
    assert found.schema == pl.Schema(CANDIDATE_SCHEMA)
    # P2 is declined today but was dismissed, not convicted; H1 and V1 would still be prosecuted
    assert found.select("case_key", "person_key", "today_outcome", "rule").rows() == [
        ("S1", "A", "pre_charge_diversion", "divert-low-level-seller"),
        ("P1", "A", "decline", "decline-personal-use"),
    ]
    assert found["received_date"].to_list() == [dt.date(2013, 8, 1), dt.date(2015, 3, 2)]
    assert found["disposition"].to_list() == [" Finding_Guilty ", "plea_guilty"]
    assert found["because"][1].startswith("Possessing a small amount for your own use is not charged")


def test_because_comes_from_the_evaluated_frame_or_is_unknown() -> None:
    evaluated = evaluated_today().select("case_key", "outcome", "chosen_rule")
    assert retrospective_candidates(history(), evaluated)["because"].to_list() == [None, None]
    given = evaluated.with_columns(pl.lit("words").alias("because"))
    assert retrospective_candidates(history(), given)["because"].to_list() == ["words", "words"]


def test_no_conviction_or_no_evaluation_means_no_candidate() -> None:
    evaluated = evaluated_today()
    dismissed = history().with_columns(pl.lit("dismissed").alias("disposition"))
    assert retrospective_candidates(dismissed, evaluated).is_empty()
    assert retrospective_candidates(history(), evaluated.filter(pl.col("case_key") == "H1")).is_empty()
    assert {d.value for d in Disposition} >= CONVICTION_DISPOSITIONS


def test_csv_has_a_header_a_row_per_candidate_and_inert_formulas() -> None:
    found = retrospective_candidates(history(), evaluated_today(), pack=resolve_pack("public-health"))
    rows = list(csv.reader(io.StringIO(to_csv(found))))
    assert rows[0] == list(CANDIDATE_SCHEMA)
    assert [r[0] for r in rows[1:]] == ["S1", "P1"]
    assert rows[2][2] == "2015-03-02"
    risky = found.with_columns(
        pl.lit("=HYPERLINK(1)").alias("person_key"), pl.lit(None, pl.String).alias("drug")
    )
    rows = list(csv.reader(io.StringIO(to_csv(risky))))
    assert rows[1][1] == "'=HYPERLINK(1)"
    assert rows[1][4] == ""


@pytest.mark.parametrize("disposition", ["plea_guilty", "PLEA_GUILTY", "convicted", "verdict_guilty"])
def test_conviction_dispositions_are_read_case_insensitively(disposition: str) -> None:
    one = history().filter(pl.col("case_key") == "P1").with_columns(pl.lit(disposition).alias("disposition"))
    assert retrospective_candidates(one, evaluated_today())["case_key"].to_list() == ["P1"]
