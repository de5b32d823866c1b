"""The evaluation frame from a parsed batch: primary charge, grams, age."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from offramp.core.evaluation.frame import EVAL_COLUMNS, case_frame, frame_from_offramp_rows
from offramp.core.generate import generate_cases, write_cases_csv
from offramp.core.intake import parse_file
from offramp.core.intake.batch import CaseBatch


def test_it_builds_one_row_per_case_from_a_parsed_file(tmp_path: Path) -> None:
    rows = generate_cases(50, 4)
    write_cases_csv(rows, tmp_path / "c.csv")
    frame = case_frame(parse_file(tmp_path / "c.csv", "offramp-csv"))
    assert frame.height == 50
    assert dict(frame.schema) == EVAL_COLUMNS
    direct = frame_from_offramp_rows(rows)
    assert frame["case_key"].to_list() == direct["case_key"].to_list()
    assert frame["age_at_received"].to_list() == direct["age_at_received"].to_list()
    assert frame["offense_kind"].to_list() == direct["offense_kind"].to_list()


def test_it_converts_units_and_picks_the_primary_charge() -> None:
    batch = CaseBatch(
        source_format="test",
        persons=pl.DataFrame({"person_key": ["P1"], "birth_year": [1990]}),
        cases=pl.DataFrame({"case_key": ["K1", "K2"], "person_key": ["P1", "P1"],
                            "received_date": [dt.date(2024, 3, 1), dt.date(2025, 1, 1)]}),
        charges=pl.DataFrame({
            "case_key": ["K1", "K1", "K2"], "seq": [1, 2, 1], "is_primary": [False, True, True],
            "offense_kind": ["possession", "delivery", "possession"], "drug": ["heroin", "cocaine", "other"],
            "quantity": [1.0, 2.0, 3.0], "quantity_unit": ["g", "oz", "dosage_unit"],
        }),
    ).conformed()  # fmt: skip
    frame = case_frame(batch)
    assert frame["offense_kind"].to_list() == ["delivery", "possession"]
    assert frame["quantity_g"].to_list() == [2 * 28.349523125, None]
    assert frame["age_at_received"].to_list() == [34, 35]


def _one_case(charges: dict[str, list[object]] | None = None) -> CaseBatch:
    return CaseBatch(
        source_format="test",
        persons=pl.DataFrame({"person_key": ["P1"], "birth_year": [1990]}),
        cases=pl.DataFrame({"case_key": ["K1"], "person_key": ["P1"], "received_date": [dt.date(2024, 3, 1)],
                            "primary_offense_kind": ["possession"], "primary_drug": ["heroin"]}),
        charges=pl.DataFrame(charges) if charges else pl.DataFrame(),
    ).conformed()  # fmt: skip


def test_a_charge_without_a_drug_takes_the_case_s_drug() -> None:
    """The single-case page used to take the primary charge's drug even when blank; bulk evaluation took
    the case's own. One rule now (core's): the case's drug fills a blank on the charge."""
    frame = case_frame(_one_case({"case_key": ["K1"], "seq": [1], "is_primary": [True],
                                  "offense_kind": ["possession"], "drug": [None]}))  # fmt: skip
    assert frame["drug"].to_list() == ["heroin"]
    no_charge = case_frame(_one_case())
    assert (no_charge["offense_kind"][0], no_charge["drug"][0]) == ("possession", "heroin")


def test_needs_and_the_sud_screen_are_joined_by_case_key() -> None:
    batch = _one_case()
    plain = case_frame(batch)
    assert (plain["needs_assessed"][0], plain["sud_screen"][0]) == (None, None)
    frame = case_frame(
        batch,
        needs=pl.DataFrame({"case_key": ["K1", "other"], "needs_assessed": [["housing"], ["work"]]}),
        sud_screens=pl.DataFrame({"case_key": ["K1"], "sud_screen": ["withheld"]}),
    )
    assert frame.height == 1
    assert (frame["needs_assessed"].to_list(), frame["sud_screen"].to_list()) == ([["housing"]], ["withheld"])
    assert dict(frame.schema) == EVAL_COLUMNS


def test_it_refuses_a_sud_screen_outside_its_values() -> None:
    with pytest.raises(ValueError, match="sud_screen 'maybe'"):
        case_frame(_one_case(), sud_screens=pl.DataFrame({"case_key": ["K1"], "sud_screen": ["maybe"]}))
    with pytest.raises(ValueError, match="needs the column"):
        case_frame(_one_case(), needs=pl.DataFrame({"case_key": ["K1"]}))


def test_death_or_serious_injury_is_read_from_the_victims() -> None:
    """Victims' harm (core.enums.Harm): serious injury or death -> true; other recorded harm -> false; only
    unrecorded harm -> unknown; no victims at all (victim_count 0) -> false (O.C.G.A. 16-13-31(g)(2)(C))."""
    keys = ["K1", "K2", "K3", "K4", "K5"]
    batch = CaseBatch(
        source_format="test",
        persons=pl.DataFrame({"person_key": ["P1"], "birth_year": [1990]}),
        cases=pl.DataFrame({"case_key": keys, "person_key": ["P1"] * 5,
                            "received_date": [dt.date(2024, 3, 1)] * 5, "victim_count": [2, 1, 1, 0, 1]}),
        victims=pl.DataFrame({"case_key": ["K1", "K1", "K2", "K3"], "seq": [1, 2, 1, 1],
                              "harm": ["property", "death", "physical", "unknown"]}),
    ).conformed()  # fmt: skip
    frame = case_frame(batch)
    assert frame["death_or_serious_injury"].to_list() == [True, False, None, False, None]
