"""One outcome vocabulary: core's `Outcome` is the list; the Decision model's choices, the match panel's
plea-stage rule and the labels pages show are derived from it, so a new outcome is added in one place."""

from __future__ import annotations

from offramp.core.policy.pack import OUTCOME_LABELS, Outcome
from offramp.web.decisions.models import Decision
from offramp.web.decisions.models import Outcome as DecisionOutcome
from offramp.web.decisions.templatetags.decisions import outcome_label
from offramp.web.programs.match import PRE_PLEA_OUTCOMES


def test_the_decision_choices_are_the_core_outcomes_with_their_labels() -> None:
    assert DecisionOutcome.choices == [(o.value, o.label) for o in Outcome]
    assert [m.name for m in DecisionOutcome] == [m.name for m in Outcome]
    assert set(OUTCOME_LABELS) == set(Outcome)
    for field in ("outcome", "recommended_outcome"):
        assert Decision._meta.get_field(field).choices == DecisionOutcome.choices


def test_the_labels_pages_show_are_cores() -> None:
    assert [outcome_label(o.value) for o in Outcome] == [
        "Decline to charge",
        "Pre-charge diversion",
        "Post-charge diversion",
        "Charge, with plea guidance",
        "Prosecute",
    ]
    assert outcome_label("not-an-outcome") == "not-an-outcome"


def test_the_match_panel_reads_its_plea_stage_rule_from_the_core_outcomes() -> None:
    assert all(isinstance(o, Outcome) for o in PRE_PLEA_OUTCOMES)
    assert "pre_charge_diversion" in PRE_PLEA_OUTCOMES
