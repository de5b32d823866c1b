"""Stored traces are read through core's one schema: a trace stored before the schema had a version still
shows, and one that cannot be read says so instead of showing a guess."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from tests.fixtures.users import Staff
from tests.integration.decisions.small_pack import use_small_pack
from tests.integration.helpers import cases_csv, load_cases, no_static_finders  # noqa: F401

from offramp.core.decision import TraceError
from offramp.web.cases.models import Case
from offramp.web.decisions import recommend
from offramp.web.decisions.admin import redact_sud
from offramp.web.decisions.models import Decision

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]


@pytest.fixture
def case(tmp_path: Path, settings: Any) -> Case:
    use_small_pack(settings, tmp_path, outcome="post_charge_diversion", supervisor_approval=True)
    load_cases(cases_csv(tmp_path, [{"case_id": "T-1", "person_id": "P-T1"}]))
    return Case.objects.get(case_key="T-1")


def store(case: Case, staff: Staff, trace: dict[str, Any]) -> Decision:
    return Decision.objects.create(
        case=case, policy_id="small-office", policy_version="2024.1", trace=trace,
        recommended_outcome="post_charge_diversion", outcome="post_charge_diversion", accepted=True,
        decided_by=staff.alice, needs_supervisor=True,
    )  # fmt: skip


def test_a_trace_stored_before_versions_is_read_as_version_1(case: Case, staff: Staff) -> None:
    rec = recommend.recommend_case(case, staff.alice)
    before_versions = {k: v for k, v in rec.trace.to_dict().items() if k != "trace_version"}
    decision = store(case, staff, before_versions)
    assert Decision.objects.get(pk=decision.pk).decision_trace == rec.trace
    client = Client()
    client.force_login(staff.bob)
    page = client.get("/decisions/queue/").content.decode()
    assert "Rule <code>treat-sud</code> requires approval" in page


def test_a_malformed_trace_names_its_field(case: Case, staff: Staff) -> None:
    stored = recommend.recommend_case(case, staff.alice).trace.to_dict()
    stored["matched_rules"][0]["precedence"] = "high"
    decision = store(case, staff, stored)
    with pytest.raises(TraceError, match=r"matched_rules\.0\.precedence"):
        _ = Decision.objects.get(pk=decision.pk).matched_rules
    redacted = redact_sud(stored)  # the admin shows why, never the raw trace (it may hold a SUD screen)
    assert list(redacted) == ["unreadable trace"]
    assert "matched_rules.0.precedence: Input should be a valid integer" in redacted["unreadable trace"]


def test_a_row_stored_without_a_trace_has_no_rules(case: Case, staff: Staff) -> None:
    decision = store(case, staff, {})
    assert (decision.decision_trace, decision.matched_rules, redact_sud(decision.trace)) == (None, [], {})
