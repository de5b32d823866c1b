"""The referral lifecycle through the web layer: every transition stored once with its audit record, the
record-restriction entry on dismissal, termination after a graduated response and return to prosecution with
the reason, illegal steps refused with the allowed ones named, and optimistic locking that loses nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F
from django.utils import timezone
from tests.fixtures.users import Staff, client_for
from tests.integration.diversion.conftest import offer, step, walk
from tests.integration.helpers import no_static_finders  # noqa: F401

from offramp.core.diversion import lifecycle
from offramp.core.outcomes.relief import DEFAULT_STATUTE, ReliefStatute
from offramp.web.audit.models import AuditEvent
from offramp.web.cases.models import Case
from offramp.web.diversion import service
from offramp.web.diversion.models import RecordRestriction, Referral, ReferralEvent
from offramp.web.programs.models import Organization, Service

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]

HAPPY = ("accept", "refer", "complete_intake", "enroll", "report_progress", "complete", "dismiss")


def referral_events(referral: Referral) -> list[tuple[int, str, str, str]]:
    return list(
        ReferralEvent.objects.filter(referral=referral)
        .order_by("seq")
        .values_list("seq", "event", "from_state", "to_state")
    )


def audits(referral: Referral, outcome: str = "success") -> list[dict[str, object]]:
    return list(
        AuditEvent.objects.filter(object_type="referral", object_id=str(referral.pk), outcome=outcome)
        .order_by("id")
        .values_list("detail", flat=True)
    )


def test_the_happy_path_writes_one_event_and_one_audit_record_per_step(case: Case, staff: Staff) -> None:
    carol = client_for(staff.carol)
    assert offer(carol, case).status_code == 302
    referral = Referral.objects.get(case=case)
    assert (referral.state, referral.version, referral.program_code) == ("offered", 1, "BR9")
    walk(carol, referral, *HAPPY)

    referral = Referral.objects.get(pk=referral.pk)
    today = timezone.localdate()
    assert (referral.state, referral.version) == ("dismissed", 1 + len(HAPPY))
    assert referral.intake_due == referral.referred_on + dt.timedelta(days=14)
    assert referral.closed_on == today and referral.completed_on == today
    assert referral_events(referral) == [
        (1, "offer", "", "offered"),
        (2, "accept", "offered", "accepted"),
        (3, "refer", "accepted", "referred"),
        (4, "complete_intake", "referred", "intake_completed"),
        (5, "enroll", "intake_completed", "enrolled"),
        (6, "report_progress", "enrolled", "enrolled"),
        (7, "complete", "enrolled", "completed"),
        (8, "dismiss", "completed", "dismissed"),
    ]
    assert all(e.by_id == staff.carol.pk for e in ReferralEvent.objects.filter(referral=referral))
    trail = audits(referral)
    assert [(d["event"], d["from"], d["to"]) for d in trail] == [
        ("offer", None, "offered"),
        *[(e, f, t) for _, e, f, t in referral_events(referral)[1:]],
    ]
    assert set(AuditEvent.objects.filter(object_type="referral").values_list("actor_name", flat=True)) == {
        "carol"
    }

    restriction = RecordRestriction.objects.get(referral=referral)
    assert restriction.eligible is True
    assert restriction.statute_code == "O.C.G.A. § 35-3-37" == DEFAULT_STATUTE.code
    assert restriction.as_of == today and restriction.program_model == "pre_plea"
    dismissal = ReferralEvent.objects.get(referral=referral, event="dismiss")
    assert dismissal.disposition.startswith("Charges dismissed")

    page = carol.get(f"/cases/{case.case_key}/").content.decode()
    assert 'data-testid="restriction-statute">O.C.G.A. § 35-3-37<' in page
    assert 'data-testid="referral-state">dismissed<' in page


def test_the_statute_is_configurable(case: Case, staff: Staff, settings: object) -> None:
    settings.OFFRAMP_RELIEF_STATUTE = ReliefStatute(  # type: ignore[attr-defined]
        code="735 ILCS 5/5-915", title="Expungement and sealing", jurisdiction="Illinois", reference=""
    )
    carol = client_for(staff.carol)
    offer(carol, case, "ccsao:DC")
    referral = Referral.objects.get(case=case)
    walk(carol, referral, *HAPPY)
    restriction = RecordRestriction.objects.get(referral=referral)
    assert (restriction.eligible, restriction.statute_code) == (True, "735 ILCS 5/5-915")
    assert ReferralEvent.objects.get(referral=referral, event="dismiss").disposition.startswith(
        "Plea vacated"
    )


def test_no_statute_configured_records_not_eligible(case: Case, staff: Staff, settings: object) -> None:
    settings.OFFRAMP_RELIEF_STATUTE = None  # type: ignore[attr-defined]
    carol = client_for(staff.carol)
    offer(carol, case)
    referral = Referral.objects.get(case=case)
    walk(carol, referral, *HAPPY)
    restriction = RecordRestriction.objects.get(referral=referral)
    assert (restriction.eligible, restriction.statute_code) == (False, "")
    assert "names no record-relief statute" in restriction.basis


def test_termination_follows_a_graduated_response_and_returns_with_the_reason(
    case: Case, staff: Staff
) -> None:
    carol = client_for(staff.carol)
    offer(carol, case)
    referral = Referral.objects.get(case=case)
    walk(carol, referral, "accept", "refer", "complete_intake", "enroll", "flag_non_compliance")

    # straight termination for non-compliance is refused: a graduated response comes first
    refused = step(carol, referral, "terminate", reasons=["repeated_non_compliance"])
    assert refused.status_code == 400
    assert "no graduated response" in refused.content.decode()
    assert Referral.objects.get(pk=referral.pk).state == "non_compliant"

    # a response without saying which is refused too
    assert step(carol, referral, "respond").status_code == 400
    assert (
        step(carol, referral, "respond", response="warning", reason_text="Missed two sessions.").status_code
        == 302
    )
    assert Referral.objects.get(pk=referral.pk).state == "enrolled"
    walk(carol, referral, "flag_non_compliance")
    ok = step(
        carol, referral, "terminate", reasons=["repeated_non_compliance"], reason_text="Third missed week."
    )
    assert ok.status_code == 302
    # return to prosecution needs a reason
    assert step(carol, referral, "return_to_prosecution").status_code == 400
    back = step(
        carol,
        referral,
        "return_to_prosecution",
        reasons=["repeated_non_compliance"],
        reason_text="Per policy.",
    )
    assert back.status_code == 302

    referral = Referral.objects.get(pk=referral.pk)
    assert referral.state == "returned_to_prosecution" and referral.terminated_on is not None
    assert [e for _, e, _, _ in referral_events(referral)] == [
        "offer", "accept", "refer", "complete_intake", "enroll", "flag_non_compliance", "respond",
        "flag_non_compliance", "terminate", "return_to_prosecution",
    ]  # fmt: skip
    respond = ReferralEvent.objects.get(referral=referral, event="respond")
    assert (respond.response, respond.reason_text) == ("warning", "Missed two sessions.")
    returned = ReferralEvent.objects.get(referral=referral, event="return_to_prosecution")
    assert returned.reasons == ["repeated_non_compliance"] and returned.reason_text == "Per policy."
    assert returned.disposition == "Returned to prosecution: the charges may be filed or pursued."
    assert not RecordRestriction.objects.filter(referral=referral).exists()
    # three refusals are on the audit trail as denied; the ten steps as successes
    assert len(audits(referral, "denied")) == 3
    assert len(audits(referral)) == 10
    page = carol.get(f"/cases/{case.case_key}/").content.decode()
    assert "repeated non compliance" in page and "Third missed week." in page


def test_inability_to_pay_alone_never_terminates(case: Case, staff: Staff) -> None:
    carol = client_for(staff.carol)
    offer(carol, case)
    referral = Referral.objects.get(case=case)
    walk(carol, referral, "accept")
    refused = step(carol, referral, "terminate", reasons=["inability_to_pay"])
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "inability to pay restitution is never by itself a reason" in text
    assert "payment plan" in text
    assert (
        Referral.objects.get(pk=referral.pk).state,
        ReferralEvent.objects.filter(referral=referral).count(),
    ) == (
        "accepted",
        2,
    )
    # with another reason it goes through, and the inability to pay is noted as not counted
    assert (
        step(carol, referral, "terminate", reasons=["inability_to_pay", "person_withdrew"]).status_code == 302
    )
    event = ReferralEvent.objects.get(referral=referral, event="terminate")
    assert any("Inability to pay was not counted" in n for n in event.notes)


def test_an_illegal_step_is_refused_naming_the_allowed_ones_and_writes_nothing(
    case: Case, staff: Staff
) -> None:
    carol = client_for(staff.carol)
    offer(carol, case)
    referral = Referral.objects.get(case=case)
    before = (
        ReferralEvent.objects.count(),
        AuditEvent.objects.filter(outcome="success", object_type="referral").count(),
    )
    response = step(carol, referral, "enroll")
    assert response.status_code == 400
    text = response.content.decode()
    assert "cannot &#x27;enroll&#x27; a referral that is &#x27;offered&#x27;; allowed: accept, refuse" in text
    referral = Referral.objects.get(pk=referral.pk)
    assert (referral.state, referral.version) == ("offered", 1)
    after = (
        ReferralEvent.objects.count(),
        AuditEvent.objects.filter(outcome="success", object_type="referral").count(),
    )
    assert after == before
    denied = AuditEvent.objects.get(object_type="referral", outcome="denied")
    assert denied.detail["event"] == "enroll" and "allowed: accept, refuse" in denied.detail["why"]
    # an event that is not one at all, and the offer (which starts a referral), are refused as well
    assert step(carol, referral, "teleport").status_code == 400
    assert step(carol, referral, "offer").status_code == 400
    assert ReferralEvent.objects.count() == before[0]


def test_every_state_offers_exactly_its_legal_steps(case: Case, staff: Staff) -> None:
    carol = client_for(staff.carol)
    offer(carol, case)
    referral = Referral.objects.get(case=case)
    page = carol.get(f"/cases/{case.case_key}/").content.decode()
    assert 'data-testid="transition-accept"' in page and 'data-testid="transition-refuse"' in page
    assert 'data-testid="transition-enroll"' not in page
    walk(carol, referral, "accept", "refer")
    page = carol.get(f"/cases/{case.case_key}/").content.decode()
    shown = {e for e in lifecycle.Event if f'data-testid="transition-{e.value}"' in page}
    assert shown == set(lifecycle.legal_events(lifecycle.ReferralState.REFERRED))
    assert f'data-testid="intake-due">{Referral.objects.get(pk=referral.pk).intake_due.isoformat()}<' in page


def test_two_posts_of_the_same_version_lose_nothing(case: Case, staff: Staff) -> None:
    carol = client_for(staff.carol)
    other = client_for(staff.carol)
    offer(carol, case)
    referral = Referral.objects.get(case=case)
    first = step(carol, referral, "accept", version=1)
    second = step(other, referral, "refuse", version=1, reasons=["person_declined"])
    assert first.status_code == 302
    assert second.status_code == 409
    assert "Someone else changed this referral" in second.content.decode()
    referral = Referral.objects.get(pk=referral.pk)
    assert (referral.state, referral.version) == ("accepted", 2)
    assert referral_events(referral) == [(1, "offer", "", "offered"), (2, "accept", "offered", "accepted")]
    # the same step posted twice (a double click) is not applied twice either
    assert step(carol, referral, "refer", version=2).status_code == 302
    assert step(carol, referral, "refer", version=2).status_code == 409
    assert ReferralEvent.objects.filter(referral=referral, event="refer").count() == 1


def test_a_writer_that_loses_the_race_after_reading_stores_nothing(
    case: Case, staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both writers read version 1; the other commits between this one's read and its conditional UPDATE."""
    carol = client_for(staff.carol)
    offer(carol, case)
    referral = Referral.objects.get(case=case)
    real_apply = lifecycle.apply

    def apply_after_a_concurrent_write(*args: object, **kwargs: object) -> lifecycle.Outcome:
        outcome = real_apply(*args, **kwargs)  # type: ignore[arg-type]
        Referral.objects.filter(pk=referral.pk).update(state="refused", version=F("version") + 1)
        return outcome

    monkeypatch.setattr(lifecycle, "apply", apply_after_a_concurrent_write)
    with pytest.raises(service.StaleReferral):
        service.transition(referral.pk, 1, lifecycle.Event.ACCEPT, user=staff.carol)
    referral = Referral.objects.get(pk=referral.pk)
    assert (referral.state, referral.version) == ("refused", 2)  # the other writer's change stands
    assert referral_events(referral) == [(1, "offer", "", "offered")]
    assert not AuditEvent.objects.filter(object_type="referral", detail__event="accept").exists()


def test_a_stored_referral_cannot_be_saved_or_deleted_and_events_are_immutable(
    case: Case, staff: Staff
) -> None:
    offer(client_for(staff.carol), case)
    referral = Referral.objects.get(case=case)
    referral.state = "dismissed"
    with pytest.raises(PermissionError):
        referral.save()
    with pytest.raises(PermissionError):
        referral.delete()
    event = ReferralEvent.objects.get(referral=referral)
    event.to_state = "dismissed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_only_one_open_referral_per_case(case: Case, staff: Staff) -> None:
    carol = client_for(staff.carol)
    assert offer(carol, case).status_code == 302
    again = offer(carol, case, "ccsao:DC")
    assert again.status_code == 400
    assert "already has an open diversion referral" in again.content.decode()
    assert Referral.objects.filter(case=case).count() == 1


def test_a_directory_program_can_be_offered(case: Case, staff: Staff) -> None:
    org = Organization.objects.create(name="Northside Recovery")
    svc = Service.objects.create(organization=org, name="Outpatient MOUD program", plea_stages=["pre_plea"])
    carol = client_for(staff.carol)
    page = carol.get(f"/cases/{case.case_key}/").content.decode()
    assert f'value="service:{svc.pk}"' in page and 'value="ccsao:RJCC"' in page
    assert offer(carol, case, f"service:{svc.pk}").status_code == 302
    referral = Referral.objects.get(case=case)
    assert (referral.service_id, referral.program_code, referral.plea_stage) == (svc.pk, "", "pre_plea")
    assert referral.program_name == "Outpatient MOUD program"
    assert offer(carol, case, "service:not-a-uuid").status_code == 400


def test_the_statute_setting_accepts_a_relief_statute(settings: object) -> None:
    statute = ReliefStatute("X 1", "Sealing", "Somewhere", "ref")
    settings.OFFRAMP_RELIEF_STATUTE = statute  # type: ignore[attr-defined]
    assert service.relief_statute() is statute
