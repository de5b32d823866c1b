"""Screening scores as legal-style cases (tests/policy_cases/scoring/*.yaml): an instrument and its answers
in, the band, whether it is a positive SUD screen and how the charging evaluation reads it (`sud_screen`)
out, each citing its source. Screening scores cannot be written as case facts, so they have this runner.

`reads_as` is the reading of one administration on its own: positive at a drug cut-off; taps2_needed for
TAPS-1 use; alcohol_or_tobacco for a tobacco or alcohol module at higher risk; else negative (the web's
`screen_value` combines a TAPS-1 with the modules given after it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from offramp.core.evaluation.frame import SUD_SCREEN_USED
from offramp.core.screening import score
from offramp.core.screening.scoring import Result

HERE = Path(__file__).parent / "scoring"


def reads_as(result: Result) -> str:
    if result.positive_substances:
        return "taps2_needed"
    if result.indicates_sud:
        return "positive"
    if not result.drug_evidence and result.band == "higher risk":
        return "alcohol_or_tobacco"
    return "negative"


def load() -> list[Any]:
    return [
        pytest.param(case, id=f"{file.stem}:{case['name']}")
        for file in sorted(HERE.glob("*.yaml"))
        for case in yaml.safe_load(file.read_text(encoding="utf-8"))["scores"]
    ]


@pytest.mark.parametrize("case", load())
def test_it_scores_the_case(case: dict[str, Any]) -> None:
    assert case["source"], "every case cites its source"
    result = score(case["instrument"], case["answers"])
    assert result.band == case["band"]
    assert result.indicates_sud is case["indicates_sud"]
    assert case["reads_as"] in SUD_SCREEN_USED
    assert reads_as(result) == case["reads_as"]
