"""Two coordinators acting on the same version at the same moment, on real separate database connections:
both read version 1 before either writes (a barrier holds them), then both try the conditional UPDATE. Exactly
one step is stored, the other is told to reload, and nothing is half-written (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from tests.fixtures.users import Staff

from offramp.core.diversion import Event, ReasonCode, lifecycle
from offramp.core.diversion.voluntariness import CounselStatus
from offramp.web.audit.models import AuditEvent
from offramp.web.cases.models import Case
from offramp.web.diversion import offer, service
from offramp.web.diversion.models import Referral, ReferralEvent

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_steps_on_one_version_store_exactly_one(
    case: Case, staff: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = offer.program_from_key("ccsao:BR9")
    assert program is not None
    referral = service.offer_diversion(case, program, staff.carol, counsel=CounselStatus.PRESENT)
    barrier = threading.Barrier(2, timeout=20)
    real_apply = lifecycle.apply

    def apply_then_wait(*args: object, **kwargs: object) -> lifecycle.Outcome:
        outcome = real_apply(*args, **kwargs)  # type: ignore[arg-type]
        barrier.wait()  # both have read version 1 and have core's answer; now both write
        return outcome

    monkeypatch.setattr(lifecycle, "apply", apply_then_wait)
    results: dict[str, str] = {}

    def act(name: str, event: Event, given: service.TransitionInput) -> None:
        try:
            service.transition(referral.pk, 1, event, given, staff.carol)
            results[name] = "stored"
        except service.StaleReferral:
            results[name] = "stale"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=("accept", Event.ACCEPT, service.TransitionInput())),
        threading.Thread(
            target=act,
            args=("refuse", Event.REFUSE, service.TransitionInput(reasons=(ReasonCode.PERSON_DECLINED,))),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results.values()) == ["stale", "stored"], results
    winner = next(name for name, what in results.items() if what == "stored")
    stored = Referral.objects.get(pk=referral.pk)
    assert (stored.version, stored.state) == (2, {"accept": "accepted", "refuse": "refused"}[winner])
    events = list(ReferralEvent.objects.filter(referral=referral).order_by("seq").values_list("seq", "event"))
    assert events == [(1, "offer"), (2, winner)]
    changes = AuditEvent.objects.filter(object_type="referral", action="change", outcome="success")
    assert [c.detail["event"] for c in changes] == [winner]
