"""What a what-if run over the stored cases is given: the evaluation frame of every case with its person's
race (the disparity table compares races), and how many changed cases the report explains.

The web page and the CLI hand over what they loaded (a `CaseBatch` and a case_key -> race table); the
joining is here so that both paths build the same frame.
"""

from __future__ import annotations

import polars as pl

from offramp.core.evaluation.frame import case_frame
from offramp.core.intake.batch import CaseBatch

#: changed cases the report explains for users who may open those cases (supervisors)
SAMPLE_WITH_CASE_ACCESS = 12


def whatif_frame(batch: CaseBatch, race: pl.DataFrame) -> pl.DataFrame:
    """The evaluation frame of `batch` with a `race` column from `race` (case_key, race); a case with no
    race row gets null (counted as unknown), and the frame keeps the batch's order."""
    frame = case_frame(batch)
    joined = frame.select("case_key").join(race, on="case_key", how="left", maintain_order="left")
    return frame.with_columns(joined["race"])


def sample_size(may_open_cases: bool) -> int:
    """The changed cases the report explains by case key: only for a reader who may open those cases
    (never an analyst, whose report is then aggregates only)."""
    return SAMPLE_WITH_CASE_ACCESS if may_open_cases else 0
