"""Legal-style defence cases (defence.yaml), for both shipped packs: whether a diversion offer asks for an
admission of guilt (core `voluntariness.admission_rule` over the pack's `pre_charge_admission_required`),
and what each recorded answer about counsel says. The same rules the offer form and the letter use."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from offramp.core.diversion.voluntariness import CounselStatus, admission_rule
from offramp.core.policy import resolve_pack

FILE = Path(__file__).with_name("defence.yaml")
CASES: dict[str, list[dict[str, Any]]] = yaml.safe_load(FILE.read_text(encoding="utf-8"))
PACKS = ("public-health", "traditional")


def test_every_case_cites_a_source() -> None:
    cases = [c for group in CASES.values() for c in group]
    assert len(cases) >= 6
    assert all(str(c.get("source", "")).strip() for c in cases)


@pytest.mark.parametrize(
    ("case", "pack_id"),
    [pytest.param(c, p, id=f"{c['name']}:{p}") for c in CASES["admission_cases"] for p in PACKS],
)
def test_admission(case: dict[str, Any], pack_id: str) -> None:
    on = case["day"] if isinstance(case["day"], dt.date) else dt.date.fromisoformat(case["day"])
    rule = admission_rule(resolve_pack(pack_id), on, case["plea_stage"])
    assert rule.required is case["admission_required"][pack_id]
    if "why" in case:
        assert case["why"][pack_id] in rule.why


@pytest.mark.parametrize("case", [pytest.param(c, id=c["name"]) for c in CASES["counsel_cases"]])
def test_counsel(case: dict[str, Any]) -> None:
    status = CounselStatus(case["value"])
    for words in case["says"]:
        assert words in status.description
