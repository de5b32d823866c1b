"""A fake policy pack and explanation in the engine's shape, for the decision pages' tests: the pages must
be testable with a recommendation whose every word the test chose (and before the engine existed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from offramp.web.cases.models import Case
from offramp.web.decisions import recommend


@dataclass(frozen=True)
class FakePack:
    id: str = "public-health"
    version: str = "2024.1"
    office: str = "Test County State's Attorney"
    effective_from: dt.date = dt.date(2024, 1, 1)
    effective_to: dt.date | None = None


@dataclass(frozen=True)
class FakeExplanation:
    outcome: str = "pre_charge_diversion"
    supervisor_approval: bool = False
    rules: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        rules = self.rules or [
            {
                "id": "treat-sud",
                "precedence": 20,
                "then": {"outcome": self.outcome, "program_types": ["treatment"]},
                "because": "Treatment addresses the substance use behind the arrest.",
                "reference": "Office memo 2024-03 §2",
                "flags": {"supervisor_approval": self.supervisor_approval, "victim_consultation": False},
            },
            {
                "id": "overdose-response",
                "precedence": 90,
                "then": {"responses": ["naloxone kit", "MOUD continuity"]},
                "because": "Fentanyl use carries a high risk of overdose.",
                "reference": "Binswanger 2007",
                "flags": {"supervisor_approval": False, "victim_consultation": False},
            },
        ]
        return {
            "policy": {"id": "public-health", "version": "2024.1"},
            "outcome": self.outcome,
            "matched_rules": rules,
            "findings": {
                "seller_role": {"holds": "user", "indicators_present": [], "indicators_absent": ["scales"]},
                "overdose_risk": {"holds": True, "facts": ["fentanyl", "released 21 days ago"]},
            },
            "parameters": {"possession_threshold_g": {"value": 1.0, "since": "2024-01-01"}},
        }


def fake_recommender(explanation: FakeExplanation, pack: FakePack | None = None) -> Any:
    def recommend_case(case: Case, user: Any = None) -> recommend.Recommendation:
        return recommend.recommendation_from(explanation.to_dict(), case.case_key, pack or FakePack())

    return recommend_case


def use_fake(monkeypatch: pytest.MonkeyPatch, explanation: FakeExplanation | None = None) -> None:
    monkeypatch.setattr(recommend, "recommend_case", fake_recommender(explanation or FakeExplanation()))
