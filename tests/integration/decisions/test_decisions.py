"""Recording decisions from the case page: the recommendation and why, accepting it, deviating with a
reason, corrections as new rows, and the immutability of what was stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from tests.fixtures.users import Staff
from tests.integration.decisions.small_pack import PACK_ID, VERSION, use_small_pack
from tests.integration.helpers import cases_csv, load_cases, no_static_finders, table_state  # noqa: F401

from offramp.core.decision import TRACE_VERSION, read_trace
from offramp.web.audit.models import AuditEvent
from offramp.web.cases.models import Case
from offramp.web.decisions import recommend
from offramp.web.decisions.forms import DEVIATION_REASON_REQUIRED, STALE_HISTORY
from offramp.web.decisions.models import Decision

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]

CASE = "/cases/D-1/"
DECIDE = "/decisions/cases/D-1/"


@pytest.fixture
def case(tmp_path: Path) -> Case:
    load_cases(cases_csv(tmp_path, [{"case_id": "D-1", "person_id": "P-D1"}]))
    return Case.objects.get(case_key="D-1")


@pytest.fixture(autouse=True)
def small_pack(settings: Any, tmp_path: Path) -> None:
    use_small_pack(settings, tmp_path)


@pytest.fixture
def alice(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.alice)
    return client


def form_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "outcome": "pre_charge_diversion",
        "reason": "",
        "policy_id": PACK_ID,
        "policy_version": VERSION,
        "recommended_outcome": "pre_charge_diversion",
        "supersedes": "",
    }
    return data | changes


def test_it_shows_the_recommendation_and_why_on_the_case_page(alice: Client, case: Case) -> None:
    page = alice.get(CASE).content.decode()
    assert '<strong data-testid="policy">small-office 2024.1</strong>, in force from 2024-01-01' in page
    assert '<span data-testid="recommended-outcome">Pre-charge diversion</span>' in page
    assert '<p data-testid="because">Treatment addresses the substance use behind the arrest.</p>' in page
    assert '<span data-testid="program-types">treatment</span>' in page
    assert '<span data-testid="conditions">offer a naloxone kit</span>' in page  # the attached rule's
    assert (
        '<td>20</td><td><code>treat-sud</code> <strong data-testid="chosen-rule">chosen</strong></td>' in page
    )
    assert (
        '<td>90</td><td><code>overdose-response</code></td><td data-testid="rule-role">attached to the outcome'
        "</td><td>attached to the chosen outcome" in page
    )
    assert "<td>Office memo 2024-03 §2</td>" in page
    assert "<li>naloxone</li>" in page  # the overdose-risk finding's responses (the example: fentanyl)
    assert '<th scope="row">overdose risk</th><td>holds: yes; present: ' in page
    assert 'data-testid="decision-form"' in page


def test_it_keeps_the_case_page_when_the_policy_cannot_be_evaluated(
    alice: Client, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(case: Case, user: object = None) -> recommend.Recommendation:
        raise recommend.RecommendationUnavailable("the policy engine is not installed (test)")

    monkeypatch.setattr(recommend, "recommend_case", broken)
    response = alice.get(CASE)
    page = response.content.decode()
    assert response.status_code == 200
    assert "No recommendation: the policy engine is not installed (test)" in page
    assert 'data-testid="decision-form"' not in page


def test_it_records_an_accepted_decision_with_the_policy_and_trace(
    alice: Client, staff: Staff, case: Case
) -> None:
    response = alice.post(DECIDE, form_data())
    assert (response.status_code, response["Location"]) == (302, "/cases/D-1/#decision")
    decision = Decision.objects.get()
    assert (decision.case_id, decision.policy_id, decision.policy_version) == (
        case.pk,
        PACK_ID,
        VERSION,
    )
    assert (decision.recommended_outcome, decision.outcome, decision.accepted) == (
        "pre_charge_diversion",
        "pre_charge_diversion",
        True,
    )
    assert (decision.deviation_reason, decision.needs_supervisor, decision.supersedes) == ("", False, None)
    assert decision.decided_by == staff.alice
    assert decision.trace["trace_version"] == TRACE_VERSION
    assert read_trace(decision.trace) == recommend.recommend_case(case, staff.alice).trace
    assert decision.parameter_dates["personal_use_grams"] == "2024-01-01"
    event = AuditEvent.objects.get(object_type="decision")
    assert (event.action, event.outcome, event.object_id, event.actor_name) == (
        "create",
        "success",
        str(decision.pk),
        "alice",
    )
    assert event.detail["case"] == "D-1"
    assert event.detail["policy"] == "small-office 2024.1"
    page = alice.get(CASE).content.decode()
    assert f"<td>{decision.pk} <strong>latest</strong></td>" in page
    assert "Pre-charge diversion (accepted)" in page


def test_it_refuses_a_deviation_without_a_reason(alice: Client, case: Case) -> None:
    response = alice.post(DECIDE, form_data(outcome="prosecute", reason="   "))
    assert response.status_code == 400
    assert (
        f'<span class="usa-error-message" role="alert" data-testid="reason-error">{DEVIATION_REASON_REQUIRED}'
        in (response.content.decode())
    )
    assert Decision.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="decision").exists()


def test_it_records_a_deviation_with_its_reason_for_a_supervisor(alice: Client, case: Case) -> None:
    alice.post(DECIDE, form_data(outcome="decline", reason="Lab result: no controlled substance."))
    decision = Decision.objects.get()
    assert (decision.outcome, decision.accepted, decision.needs_supervisor) == ("decline", False, True)
    assert decision.deviation_reason == "Lab result: no controlled substance."


def test_it_records_a_correction_as_a_new_decision_and_leaves_the_old_one_unchanged(
    alice: Client, case: Case
) -> None:
    alice.post(DECIDE, form_data())
    first = Decision.objects.get()
    before = table_state("decisions_decision")
    alice.post(
        DECIDE, form_data(outcome="decline", reason="Victim asked for no charge.", supersedes=first.pk)
    )
    second = Decision.objects.exclude(pk=first.pk).get()
    assert (second.supersedes_id, second.outcome, second.needs_supervisor) == (first.pk, "decline", True)
    first_again = Decision.objects.get(pk=first.pk)
    assert (first_again.outcome, first_again.accepted, first_again.decided_at) == (
        first.outcome,
        True,
        first.decided_at,
    )
    assert table_state("decisions_decision").count == before.count + 1
    page = alice.get(CASE).content.decode()
    assert f"<td>{second.pk} (corrects {first.pk}) <strong>latest</strong></td>" in page
    assert f"<td>{first.pk}</td>" in page


def test_it_refuses_a_decision_from_a_page_opened_before_another_decision(alice: Client, case: Case) -> None:
    alice.post(DECIDE, form_data())
    response = alice.post(DECIDE, form_data(outcome="decline", reason="Stale page."))
    assert response.status_code == 400
    assert STALE_HISTORY in response.content.decode()
    assert Decision.objects.count() == 1


def test_it_refuses_to_update_or_delete_a_stored_decision(alice: Client, case: Case) -> None:
    alice.post(DECIDE, form_data())
    decision = Decision.objects.get()
    decision.outcome = "prosecute"
    with pytest.raises(PermissionError, match="Decision rows are immutable"):
        decision.save()
    with pytest.raises(PermissionError, match="Decision rows are immutable"):
        decision.delete()
    assert Decision.objects.get().outcome == "pre_charge_diversion"


def test_it_refuses_a_decision_from_a_role_that_cannot_decide(staff: Staff, case: Case) -> None:
    client = Client()
    client.force_login(staff.dave)  # victim advocate: reads cases, records no decisions
    response = client.post(DECIDE, form_data())
    assert response.status_code == 403
    assert Decision.objects.count() == 0
    event = AuditEvent.objects.get(action="access_denied")
    assert (event.actor_name, event.object_id) == ("dave", DECIDE)
    assert 'data-testid="decision-form"' not in client.get(CASE).content.decode()
