"""The victim-consultation block on the offer, the MOUD guard on conditions, progress (drug tests with
prescribed medication), the coordinator's board with its overdue and due-soon lists, the intake sweep, and
who may see and do what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from tests.fixtures.users import Staff, client_for
from tests.integration.diversion.conftest import offer, step, use_policy, walk
from tests.integration.helpers import no_static_finders  # noqa: F401

from offramp.core.diversion import Event
from offramp.core.diversion.voluntariness import CounselStatus
from offramp.web.audit.models import AuditEvent
from offramp.web.cases.models import Case
from offramp.web.diversion import offer as offers
from offramp.web.diversion import service
from offramp.web.diversion.models import Condition, ConditionEntry, Referral, ReferralEvent
from offramp.web.victims.models import Method, VictimConsultation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]

BOARD = "/diversion/board/"


def consult(case: Case, staff: Staff, agrees: bool | None = True) -> VictimConsultation:
    return VictimConsultation.objects.create(
        case=case,
        victim=case.victims.first(),
        consulted_on=timezone.localdate(),
        method=Method.PHONE,
        views="Wants the person to get treatment.",
        agrees_to_diversion=agrees,
        recorded_by=staff.dave,
    )


def referred_days_ago(case: Case, staff: Staff, days: int) -> Referral:
    """A referral offered, accepted and referred `days` ago (through the service, dated in the past)."""
    when = timezone.localdate() - dt.timedelta(days=days)
    program = offers.program_from_key("ccsao:BR9")
    assert program is not None
    referral = service.offer_diversion(case, program, staff.carol, counsel=CounselStatus.PRESENT, today=when)
    for version, event in enumerate((Event.ACCEPT, Event.REFER), start=1):
        referral = service.transition(referral.pk, version, event, user=staff.carol, today=when)
    return referral


# --- victim consultation ------------------------------------------------------------------------------------


def test_the_offer_is_blocked_until_the_victim_is_consulted(
    cases: dict[str, Case], staff: Staff, settings: Any, tmp_path: Path
) -> None:
    use_policy(settings, tmp_path, victim_consultation=True)
    case = cases["with_victim"]
    carol = client_for(staff.carol)
    refused = offer(carol, case)
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "requires the victim to be consulted before a diversion offer" in text
    assert "Record the victim consultation first." in text
    assert not Referral.objects.exists() and not ReferralEvent.objects.exists()
    denied = AuditEvent.objects.get(object_type="referral", outcome="denied")
    assert denied.detail["case"] == "D-2" and "consulted" in denied.detail["why"]

    consult(case, staff)
    assert offer(carol, case).status_code == 302
    referral = Referral.objects.get(case=case)
    event = ReferralEvent.objects.get(referral=referral)
    assert event.notes == ["Victim consulted before the offer."]
    created = AuditEvent.objects.get(object_type="referral", outcome="success")
    assert (
        created.detail["victim_consultation_required"] is True and created.detail["victim_consulted"] is True
    )


def test_no_consultation_is_needed_where_the_policy_does_not_ask(
    cases: dict[str, Case], staff: Staff
) -> None:
    assert offer(client_for(staff.carol), cases["with_victim"]).status_code == 302


def test_a_case_without_a_victim_is_not_blocked(
    cases: dict[str, Case], staff: Staff, settings: Any, tmp_path: Path
) -> None:
    use_policy(settings, tmp_path, victim_consultation=True)
    assert offer(client_for(staff.carol), cases["plain"]).status_code == 302


def test_a_program_needing_the_victim_s_agreement_waits_for_it(cases: dict[str, Case], staff: Staff) -> None:
    case = cases["with_victim"]
    carol = client_for(staff.carol)
    consult(case, staff, agrees=None)
    refused = offer(carol, case, "ccsao:RJCC")
    assert refused.status_code == 400 and "needs the victim&#x27;s agreement" in refused.content.decode()
    consult(case, staff, agrees=True)
    assert offer(carol, case, "ccsao:RJCC").status_code == 302


# --- conditions -----------------------------------------------------------------------------------------------


def add_condition(client: object, referral: Referral, **fields: str) -> object:
    data = {f"condition-{k}": v for k, v in fields.items()}
    return client.post(f"/diversion/referrals/{referral.pk}/conditions/", data)  # type: ignore[attr-defined]


def test_a_condition_that_would_stop_moud_is_refused_with_the_reason(case: Case, staff: Staff) -> None:
    carol = client_for(staff.carol)
    offer(carol, case)
    referral = Referral.objects.get(case=case)
    refused = add_condition(
        carol,
        referral,
        kind="drug_tests",
        target="12",
        description="Stay drug-free, no methadone or Suboxone.",
    )
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Refused: its text forbids or ends a medication for opioid use disorder" in text
    assert "MOUD is treatment, not drug use." in text
    assert not Condition.objects.exists()
    assert AuditEvent.objects.get(object_type="referral_condition").outcome == "denied"

    ok = add_condition(carol, referral, kind="treatment_attendance", target="12", description="Weekly group.")
    assert ok.status_code == 302
    condition = Condition.objects.get()
    assert (condition.kind, condition.target, condition.created_by_id) == (
        "treatment_attendance",
        Decimal("12.00"),
        staff.carol.pk,
    )


def test_progress_entries_fill_the_bar_and_drug_tests_respect_prescriptions(case: Case, staff: Staff) -> None:
    carol = client_for(staff.carol)
    offer(carol, case)
    referral = Referral.objects.get(case=case)
    add_condition(carol, referral, kind="community_service_hours", target="40")
    add_condition(carol, referral, kind="drug_tests", target="4")
    hours, tests = Condition.objects.order_by("id")
    r1 = carol.post(
        f"/diversion/conditions/{hours.pk}/entries/",
        {f"c{hours.pk}-on": "2026-03-01", f"c{hours.pk}-amount": "10"},
    )
    assert r1.status_code == 302
    r2 = carol.post(
        f"/diversion/conditions/{tests.pk}/entries/",
        {
            f"c{tests.pk}-on": "2026-03-02",
            f"c{tests.pk}-substances_found": "norbuprenorphine",
            f"c{tests.pk}-prescribed": "Suboxone",
        },
    )
    assert r2.status_code == 302
    r3 = carol.post(
        f"/diversion/conditions/{tests.pk}/entries/",
        {
            f"c{tests.pk}-on": "2026-03-09",
            f"c{tests.pk}-substances_found": "fentanyl",
            f"c{tests.pk}-prescribed": "",
        },
    )
    assert r3.status_code == 302
    results = list(
        ConditionEntry.objects.filter(condition=tests).order_by("on").values_list("amount", "test_result")
    )
    assert results == [(Decimal("1.00"), "negative"), (Decimal("1.00"), "positive")]
    # no amount for a count condition is a form error, nothing stored
    assert (
        carol.post(
            f"/diversion/conditions/{hours.pk}/entries/", {f"c{hours.pk}-on": "2026-03-03"}
        ).status_code
        == 400
    )
    assert ConditionEntry.objects.count() == 3

    page = carol.get(f"/cases/{case.case_key}/").content.decode()
    assert "10 of 40 hours (25.0%)" in page
    assert "2 of 4 tests (50.0%)" in page
    assert "only prescribed medication found" in page
    # a line prosecutor sees the progress, not the test results
    alice_page = client_for(staff.alice).get(f"/cases/{case.case_key}/").content.decode()
    assert "2 of 4 tests (50.0%)" in alice_page and "only prescribed medication found" not in alice_page
    # the audit trail says a test was entered, not what it found
    assert all(
        "fentanyl" not in str(e.detail)
        for e in AuditEvent.objects.filter(object_type="referral_condition_entry")
    )


def test_restitution_comes_with_a_payment_plan(case: Case, staff: Staff) -> None:
    carol = client_for(staff.carol)
    offer(carol, case)
    referral = Referral.objects.get(case=case)
    ok = add_condition(carol, referral, kind="restitution", target="300", monthly_ability_to_pay="25")
    assert ok.status_code == 302
    assert Condition.objects.get().plan_note == "Payment plan offered: 12 monthly payments of 25.00 USD."
    nothing = add_condition(carol, referral, kind="restitution", target="100", monthly_ability_to_pay="0")
    assert nothing.status_code == 302  # inability to pay never bars the condition: payment is deferred
    assert "deferred" in Condition.objects.order_by("-id").first().plan_note


# --- the board and the sweep --------------------------------------------------------------------------------


def test_the_board_lists_an_overdue_intake_first(cases: dict[str, Case], staff: Staff) -> None:
    late = referred_days_ago(cases["plain"], staff, 20)
    soon = referred_days_ago(cases["with_victim"], staff, 10)
    response = client_for(staff.carol).get(BOARD)
    assert response.status_code == 200
    page = response.content.decode()
    overdue = page.split('data-testid="board-overdue"')[1].split("</section>")[0]
    assert "/cases/D-1/" in overdue and "/cases/D-2/" not in overdue
    assert 'data-testid="days-overdue"><strong>6</strong>' in overdue
    assert late.intake_due.isoformat() in overdue
    due_soon = page.split('data-testid="board-due-soon"')[1].split("</section>")[0]
    assert "/cases/D-2/" in due_soon and soon.intake_due.isoformat() in due_soon
    assert 'data-testid="count-referred">2<' in page
    assert page.index("board-overdue") < page.index("board-due-soon") < page.index("board-counts")
    assert (
        AuditEvent.objects.filter(object_type="diversion_board", actor_name="carol", action="list").count()
        == 1
    )


def test_the_sweep_marks_overdue_intakes(
    cases: dict[str, Case], staff: Staff, capsys: pytest.CaptureFixture[str]
) -> None:
    late = referred_days_ago(cases["plain"], staff, 20)
    on_time = referred_days_ago(cases["with_victim"], staff, 14)  # due today: not overdue
    call_command("diversion", "sweep")
    assert Referral.objects.get(pk=late.pk).state == "intake_overdue"
    assert Referral.objects.get(pk=on_time.pk).state == "referred"
    event = ReferralEvent.objects.get(referral=late, event="miss_intake_deadline")
    assert (event.by_id, event.by_name) == (None, service.SWEEP_ACTOR)
    audit = AuditEvent.objects.get(object_type="referral", detail__event="miss_intake_deadline")
    assert audit.actor_name == service.SWEEP_ACTOR and audit.detail["to"] == "intake_overdue"
    assert "1 referral marked" in capsys.readouterr().out
    # run again: nothing left to mark
    call_command("diversion", "sweep")
    assert ReferralEvent.objects.filter(event="miss_intake_deadline").count() == 1


def test_the_sweep_terminates_where_the_policy_says_so(case: Case, staff: Staff, settings: object) -> None:
    settings.OFFRAMP_INTAKE_MISSED_TERMINATES = True  # type: ignore[attr-defined]
    late = referred_days_ago(case, staff, 20)
    service.sweep()
    referral = Referral.objects.get(pk=late.pk)
    assert referral.state == "terminated"
    assert ReferralEvent.objects.get(referral=late, event="miss_intake_deadline").reasons == [
        "intake_deadline_missed"
    ]


# --- access ---------------------------------------------------------------------------------------------------


def test_who_sees_the_board(staff: Staff) -> None:
    assert client_for(staff.carol).get(BOARD).status_code == 200
    assert client_for(staff.alice).get(BOARD).status_code == 200
    assert client_for(staff.bob).get(BOARD).status_code == 200
    for user in (staff.erin, staff.dave, staff.frank, staff.mallory):
        assert client_for(user).get(BOARD).status_code == 403, user.username
    assert AuditEvent.objects.filter(action="access_denied", path=BOARD).count() == 4


def test_a_line_prosecutor_sees_the_referral_but_cannot_move_it(case: Case, staff: Staff) -> None:
    carol = client_for(staff.carol)
    offer(carol, case)
    referral = Referral.objects.get(case=case)
    alice = client_for(staff.alice)
    assert step(alice, referral, "accept").status_code == 403
    assert offer(alice, case, "ccsao:DC").status_code == 403
    assert alice.post(f"/diversion/referrals/{referral.pk}/conditions/", {}).status_code == 403
    assert (Referral.objects.get(pk=referral.pk).state, ReferralEvent.objects.count()) == ("offered", 1)
    page = alice.get(f"/cases/{case.case_key}/").content.decode()
    assert 'data-testid="referral-history"' in page
    assert 'data-testid="transition-accept"' not in page and 'data-testid="offer-form"' not in page


def test_a_victim_advocate_sees_the_state_only(case: Case, staff: Staff) -> None:
    carol = client_for(staff.carol)
    offer(carol, case)
    referral = Referral.objects.get(case=case)
    walk(carol, referral, "accept", "refer")
    page = client_for(staff.dave).get(f"/cases/{case.case_key}/").content.decode()
    assert 'data-testid="referral-state">referred<' in page
    assert 'data-testid="referral-history"' not in page and 'data-testid="intake-due"' not in page
    assert 'data-testid="transition-' not in page
    assert step(client_for(staff.dave), referral, "complete_intake").status_code == 403


def test_the_panel_is_hidden_from_roles_without_case_access(case: Case, staff: Staff) -> None:
    offer(client_for(staff.carol), case)
    assert client_for(staff.erin).get(f"/cases/{case.case_key}/").status_code == 403
