"""Georgia record-relief routes for past cases (O.C.G.A. 35-3-37(h), (j)(4); 42-8-66) and the disposition
report (docs/SOURCES.md#ocga-35-3-37-routes, docs/SOURCES.md#gcic-disposition-report)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import polars as pl
import pytest

from offramp.core.outcomes.relief import (
    CANDIDATE_SCHEMA,
    DISPOSITION_REPORT_SCHEMA,
    ReliefRoute,
    disposition_report,
    relief_route,
    retrospective_candidates,
)

R = ReliefRoute


@pytest.mark.parametrize(
    ("disposition", "severity", "prior_felonies", "prior_first_offender", "route"),
    [
        # 35-3-37(h): dismissed, nolle prossed, declined, diversion completed - whatever the severity
        ("dismissed", "felony", 3, True, R.RESTRICT_NON_CONVICTION),
        ("nolle_prosequi", "felony", 0, False, R.RESTRICT_NON_CONVICTION),
        ("Declined", None, None, None, R.RESTRICT_NON_CONVICTION),
        ("diverted_completed", "misdemeanor", 0, False, R.RESTRICT_NON_CONVICTION),
        # 35-3-37(j)(4): a misdemeanour conviction, on the person's petition to the court
        ("plea_guilty", "misdemeanor", 2, True, R.MISDEMEANOR_PETITION),
        # 42-8-66: a felony conviction with no previous felony and no First Offender before
        ("plea_guilty", "felony", 0, False, R.RETROACTIVE_FIRST_OFFENDER),
        ("finding_guilty", "Felony", None, None, R.RETROACTIVE_FIRST_OFFENDER),
        # a felony conviction is not restrictable under 35-3-37 (only after a pardon)
        ("plea_guilty", "felony", 1, False, R.NOT_RESTRICTABLE),
        ("plea_guilty", "felony", 0, True, R.NOT_RESTRICTABLE),
        # severity not on file: a person reviews
        ("convicted", None, 0, False, R.REVIEW),
        # neither a conviction nor a non-conviction ending: no route
        ("pending", "felony", 0, False, None),
        ("finding_not_guilty", "felony", 0, False, None),
    ],
)
def test_each_past_case_gets_the_route_georgia_law_gives_it(
    disposition: str,
    severity: str | None,
    prior_felonies: int | None,
    prior_first_offender: bool | None,
    route: ReliefRoute | None,
) -> None:
    assert relief_route(disposition, severity, prior_felonies, prior_first_offender) == route


def test_every_route_says_who_acts_and_under_what() -> None:
    assert "35-3-37(h)" in R.RESTRICT_NON_CONVICTION.description
    assert "35-3-37(j)(4)" in R.MISDEMEANOR_PETITION.description
    assert "42-8-66" in R.RETROACTIVE_FIRST_OFFENDER.description
    assert "consent" in R.RETROACTIVE_FIRST_OFFENDER.description
    assert "pardon" in R.NOT_RESTRICTABLE.description


HISTORY = pl.DataFrame(
    {
        "case_key": ["C-MISD", "C-FEL", "C-FEL2", "C-DISM", "C-NOLLE"],
        "person_key": ["P1", "P2", "P3", "P4", "P5"],
        "received_date": [dt.date(2020, 1, d) for d in range(1, 6)],
        "offense_kind": ["possession"] * 5,
        "drug": ["cocaine"] * 5,
        "disposition": ["plea_guilty", "plea_guilty", "finding_guilty", "dismissed", "nolle_prosequi"],
        "severity": ["misdemeanor", "felony", "felony", "felony", "felony"],
        "disposition_date": [dt.date(2021, 1, d) for d in range(1, 6)],
        "prior_felonies": [0, 0, 2, 0, 0],
        "prior_first_offender": [False, False, False, False, False],
    }
)
#: today's pack declines the misdemeanour and the first felony, would prosecute the second, and never
#: evaluated the dismissal or the nolle pros
EVALUATED = pl.DataFrame(
    {
        "case_key": ["C-MISD", "C-FEL", "C-FEL2", "C-DISM"],
        "outcome": ["decline", "pre_charge_diversion", "prosecute", "prosecute"],
        "chosen_rule": ["r1", "r2", "r3", "r4"],
        "because": ["b1", "b2", "b3", "b4"],
    }
)


def test_candidates_carry_their_route() -> None:
    found = retrospective_candidates(HISTORY, EVALUATED)
    assert list(found.columns) == list(CANDIDATE_SCHEMA)
    assert dict(zip(found["case_key"], found["route"], strict=True)) == {
        "C-MISD": "misdemeanor_petition",
        "C-FEL": "retroactive_first_offender",
    }


def test_dismissed_and_nolle_prossed_cases_are_candidates_when_asked_whatever_todays_outcome() -> None:
    found = retrospective_candidates(HISTORY, EVALUATED, non_convictions=True)
    assert found["case_key"].to_list() == ["C-MISD", "C-FEL", "C-DISM", "C-NOLLE"]
    assert (
        found.filter(pl.col("case_key").is_in(["C-DISM", "C-NOLLE"]))["route"].to_list()
        == ["restrict_non_conviction"] * 2
    )
    # a conviction today's pack would still prosecute stays out
    assert "C-FEL2" not in found["case_key"].to_list()


def test_the_disposition_report_lists_the_selected_cases() -> None:
    rows = pl.DataFrame(
        {
            "case_key": ["C-2", "C-1"],
            "person_key": ["P2", "P1"],
            "charge": ["O.C.G.A. 16-13-30(a) POSSESSION", "=HYPERLINK(1)"],
            "disposition": ["nolle_prosequi", "plea_guilty"],
            "disposition_date": [dt.date(2021, 3, 1), None],
            "route": ["restrict_non_conviction", "misdemeanor_petition"],
        }
    )
    text = disposition_report(rows)
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert list(parsed[0]) == list(DISPOSITION_REPORT_SCHEMA)
    assert [(r["case_id"], r["disposition"], r["disposition_date"]) for r in parsed] == [
        ("C-1", "plea_guilty", ""),
        ("C-2", "nolle_prosequi", "2021-03-01"),
    ]
    assert parsed[0]["charge"] == "'=HYPERLINK(1)"  # a formula is made inert


def test_the_disposition_report_refuses_a_case_without_a_disposition() -> None:
    rows = pl.DataFrame(
        {
            "case_key": ["C-9"],
            "person_key": ["P9"],
            "charge": ["x"],
            "disposition": [None],
            "disposition_date": [None],
        },
        schema_overrides={"disposition": pl.String, "disposition_date": pl.Date},
    )
    with pytest.raises(ValueError, match="disposition is blank for case C-9"):
        disposition_report(rows)
    with pytest.raises(ValueError, match="'charge' is missing"):
        disposition_report(rows.drop("charge"))
