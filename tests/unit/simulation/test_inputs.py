"""What a what-if run over stored cases is given (core.simulation.inputs): the evaluation frame with each
case's race, and how many changed cases the report names."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from offramp.core.evaluation.frame import case_frame
from offramp.core.generate import generate_cases, write_cases_csv
from offramp.core.intake import parse_file
from offramp.core.simulation.inputs import SAMPLE_WITH_CASE_ACCESS, sample_size, whatif_frame


def test_the_frame_gets_each_cases_race_in_the_batch_order(tmp_path: Path) -> None:
    write_cases_csv(generate_cases(20, 3), tmp_path / "c.csv")
    batch = parse_file(tmp_path / "c.csv", "offramp-csv")
    keys = case_frame(batch)["case_key"].to_list()
    race = pl.DataFrame({"case_key": list(reversed(keys[1:])), "race": ["black"] * (len(keys) - 1)})
    frame = whatif_frame(batch, race)
    assert frame["case_key"].to_list() == keys
    assert frame["race"].to_list() == [None, *["black"] * (len(keys) - 1)]  # no race row: unknown
    assert frame.drop("race").equals(case_frame(batch))


def test_only_a_reader_who_may_open_cases_gets_named_cases() -> None:
    assert sample_size(True) == SAMPLE_WITH_CASE_ACCESS > 0
    assert sample_size(False) == 0
