"""The supervisor queue: deviations and decisions under a supervisor_approval rule wait there; a supervisor
approves or returns them (a new DecisionApproval row, the Decision untouched); nobody else can."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from tests.fixtures.users import Staff
from tests.integration.decisions.small_pack import PACK_ID, VERSION, use_small_pack
from tests.integration.helpers import cases_csv, load_cases, no_static_finders, table_state  # noqa: F401

from offramp.web.audit.models import AuditEvent
from offramp.web.decisions.models import Decision, DecisionApproval

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]

QUEUE = "/decisions/queue/"


@pytest.fixture(autouse=True)
def small_pack(settings: Any, tmp_path: Path) -> None:
    use_small_pack(settings, tmp_path)


@pytest.fixture
def cases(tmp_path: Path) -> None:
    load_cases(cases_csv(tmp_path, [{"case_id": f"S-{n}", "person_id": f"P-S{n}"} for n in (1, 2, 3)]))


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def decide(client: Client, case_key: str, outcome: str, reason: str = "", recommended: str = "") -> None:
    recommended = recommended or "pre_charge_diversion"
    data = {
        "outcome": outcome,
        "reason": reason,
        "policy_id": PACK_ID,
        "policy_version": VERSION,
        "recommended_outcome": recommended,
        "supersedes": "",
    }
    response = client.post(f"/decisions/cases/{case_key}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]


def queued(client: Client) -> list[str]:
    page = client.get(QUEUE).content.decode()
    return [
        line.split('data-decision="')[1].split('"')[0]
        for line in page.splitlines()
        if "data-decision=" in line
    ]


def test_it_queues_a_deviation_but_not_an_accepted_recommendation(staff: Staff, cases: None) -> None:
    alice, bob = signed_in(staff.alice), signed_in(staff.bob)
    decide(alice, "S-1", "pre_charge_diversion")
    decide(alice, "S-2", "prosecute", reason="Third arrest this month for sales near the school.")
    deviation = Decision.objects.get(case__case_key="S-2")
    assert queued(bob) == [str(deviation.pk)]
    page = bob.get(QUEUE).content.decode()
    assert "Reason: “Third arrest this month for sales near the school.”" in page
    event = AuditEvent.objects.filter(object_type="decision_queue").first()
    assert event is not None
    assert (event.action, event.actor_name, event.detail) == ("list", "bob", {"count": 1})


def test_it_queues_an_accepted_decision_under_a_supervisor_approval_rule(
    staff: Staff, cases: None, settings: Any, tmp_path: Path
) -> None:
    use_small_pack(settings, tmp_path, outcome="post_charge_diversion", supervisor_approval=True)
    decide(signed_in(staff.alice), "S-3", "post_charge_diversion", recommended="post_charge_diversion")
    decision = Decision.objects.get()
    assert (decision.accepted, decision.needs_supervisor) == (True, True)
    bob = signed_in(staff.bob)
    assert queued(bob) == [str(decision.pk)]
    assert "Rule <code>treat-sud</code> requires approval" in bob.get(QUEUE).content.decode()


def test_it_lets_a_supervisor_approve_with_a_new_row_and_an_audit_event(staff: Staff, cases: None) -> None:
    decide(signed_in(staff.alice), "S-1", "decline", reason="Lab found no controlled substance.")
    decision = Decision.objects.get()
    before = table_state("decisions_decision")
    bob = signed_in(staff.bob)
    prefix = f"d{decision.pk}"
    response = bob.post(
        f"/decisions/{decision.pk}/review/", {f"{prefix}-verdict": "approved", f"{prefix}-note": "Agreed."}
    )
    assert (response.status_code, response["Location"]) == (302, QUEUE)
    approval = DecisionApproval.objects.get()
    assert (approval.decision_id, approval.verdict, approval.by, approval.note) == (
        decision.pk,
        "approved",
        staff.bob,
        "Agreed.",
    )
    assert table_state("decisions_decision") == before  # the decision row itself is untouched
    reloaded = Decision.objects.get()
    assert (reloaded.approved_by, reloaded.approved_at, reloaded.approval_note) == (
        staff.bob,
        approval.at,
        "Agreed.",
    )
    event = AuditEvent.objects.get(object_type="decision_approval")
    assert (event.action, event.actor_name, event.object_id) == ("create", "bob", str(decision.pk))
    assert event.detail == {"case": "S-1", "verdict": "approved", "note": "Agreed."}
    assert queued(bob) == []
    case_page = signed_in(staff.alice).get("/cases/S-1/").content.decode()
    assert "Approved by bob: “Agreed.”" in case_page


def test_it_requires_a_note_to_return_a_decision(staff: Staff, cases: None) -> None:
    decide(signed_in(staff.alice), "S-1", "decline", reason="Lab found no controlled substance.")
    decision = Decision.objects.get()
    prefix = f"d{decision.pk}"
    response = signed_in(staff.bob).post(
        f"/decisions/{decision.pk}/review/", {f"{prefix}-verdict": "returned", f"{prefix}-note": ""}
    )
    assert response.status_code == 400
    assert 'data-testid="note-error">Say why the decision is returned.' in response.content.decode()
    assert DecisionApproval.objects.count() == 0


def test_it_refuses_approval_by_a_line_prosecutor_and_records_the_refusal(staff: Staff, cases: None) -> None:
    alice = signed_in(staff.alice)
    decide(alice, "S-1", "decline", reason="Lab found no controlled substance.")
    decision = Decision.objects.get()
    prefix = f"d{decision.pk}"
    review = f"/decisions/{decision.pk}/review/"
    response = alice.post(review, {f"{prefix}-verdict": "approved", f"{prefix}-note": "Self-approved."})
    assert response.status_code == 403
    assert DecisionApproval.objects.count() == 0
    event = AuditEvent.objects.get(action="access_denied")
    assert (event.actor_name, event.outcome, event.object_id) == ("alice", "denied", review)
    assert event.detail == {"reason": "missing permission decisions.approve_decision"}
    assert alice.get(QUEUE).status_code == 403


def test_it_takes_a_corrected_decision_out_of_the_queue(staff: Staff, cases: None) -> None:
    alice = signed_in(staff.alice)
    decide(alice, "S-1", "decline", reason="Lab pending.")
    first = Decision.objects.get()
    response = alice.post(
        "/decisions/cases/S-1/",
        {
            "outcome": "pre_charge_diversion",
            "policy_id": PACK_ID,
            "policy_version": VERSION,
            "recommended_outcome": "pre_charge_diversion",
            "supersedes": first.pk,
        },
    )
    assert response.status_code == 302
    assert queued(signed_in(staff.bob)) == []
    assert Decision.objects.get(supersedes=first).accepted is True
