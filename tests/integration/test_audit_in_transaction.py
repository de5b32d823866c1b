"""An audit event is written in the transaction of the change it records: a change whose event cannot be
written is rolled back, and an event never outlives the change it records. (Refusals and reads change
nothing; their events are written on their own, see test_refusals.py.)"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.db import transaction
from tests.factories import VictimFactory
from tests.fixtures.users import Staff, client_for
from tests.integration.helpers import cases_csv, import_cases, load_cases, no_static_finders  # noqa: F401

from offramp.core.intake import parse_file
from offramp.core.victims import restitution as core
from offramp.web.audit import record as audit_record
from offramp.web.audit.models import AuditEvent
from offramp.web.cases.models import Case
from offramp.web.cases.store import store_batch
from offramp.web.victims import ledger
from offramp.web.victims.models import LedgerEntry, RestitutionOrder, VictimConsultation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]

DAY = dt.date(2026, 4, 1)


class AuditDown(Exception):
    """The audit trail cannot be written (a full disk, a lost connection)."""


def failing_record(*args: Any, **kwargs: Any) -> None:
    raise AuditDown("audit trail unavailable")


@pytest.fixture
def case(staff: Staff) -> Case:
    return VictimFactory(case__case_key="A-1").case


def order_for(case: Case, staff: Staff) -> RestitutionOrder:
    """A $300 order for the case's victim, through the ledger service (which audits it)."""
    return ledger.create_order(
        case=case,
        victim=case.victims.get(),
        ordered_on=DAY,
        amount=Decimal("300.00"),
        description="Stolen bicycle",
        user=staff.carol,
    )


@pytest.fixture
def order(case: Case, staff: Staff) -> RestitutionOrder:
    return order_for(case, staff)


def test_a_payment_is_not_stored_when_its_audit_event_cannot_be(
    order: RestitutionOrder, staff: Staff
) -> None:
    events = AuditEvent.objects.count()
    with mock.patch.object(ledger, "record", failing_record), pytest.raises(AuditDown):
        ledger.append_entry(
            order, kind=core.EntryKind.PAYMENT, amount=Decimal("5.00"), on=DAY, user=staff.carol
        )

    assert list(LedgerEntry.objects.filter(order=order).values_list("seq", flat=True)) == [1]
    assert AuditEvent.objects.count() == events


def test_an_order_is_not_stored_when_its_audit_event_cannot_be(case: Case, staff: Staff) -> None:
    with mock.patch.object(ledger, "record", failing_record), pytest.raises(AuditDown):
        order_for(case, staff)

    assert not RestitutionOrder.objects.exists() and not LedgerEntry.objects.exists()


def test_a_consultation_posted_on_the_page_is_not_stored_without_its_event(case: Case, staff: Staff) -> None:
    form = {"victim": case.victims.get().pk, "consulted_on": "2026-04-01", "method": "in_person", "views": ""}
    with mock.patch("offramp.web.victims.views.record", failing_record), pytest.raises(AuditDown):
        client_for(staff.dave).post("/victims/cases/A-1/consult/", form)

    assert not VictimConsultation.objects.exists()
    assert not AuditEvent.objects.filter(object_type="victim_consultation").exists()


def test_an_import_is_rolled_back_when_its_audit_event_cannot_be(tmp_path: Path, db: None) -> None:
    batch = parse_file(cases_csv(tmp_path, [{"case_id": "I-1"}, {"case_id": "I-2"}]), "offramp-csv")

    with pytest.raises(AuditDown):
        store_batch(batch, file_name="f.csv", file_sha256="", actor_name="test", audit=failing_record)

    assert not Case.objects.exists()


def test_the_cli_import_stores_nothing_when_its_success_event_cannot_be_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], db: None
) -> None:
    real = audit_record.record

    def refuse_success(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("outcome") == "success":
            raise AuditDown("audit trail unavailable")
        return real(*args, **kwargs)

    path = cases_csv(tmp_path, [{"case_id": "I-1"}])
    with mock.patch.object(audit_record, "record", refuse_success):
        run = import_cases(capsys, path, "offramp-csv")

    assert run.rc == 1 and "nothing was imported" in run.err
    assert not Case.objects.exists()
    assert list(AuditEvent.objects.filter(action="import").values_list("outcome", flat=True)) == ["failure"]


def test_an_event_does_not_outlive_its_change(order: RestitutionOrder, staff: Staff) -> None:
    events = AuditEvent.objects.count()

    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), transaction.atomic():  # a caller's transaction that fails afterwards
        ledger.append_entry(
            order, kind=core.EntryKind.PAYMENT, amount=Decimal("5.00"), on=DAY, user=staff.carol
        )
        ledger.set_plan(order, monthly_ability=Decimal("25.00"), first_due=DAY, user=staff.carol)
        raise Abandoned

    assert LedgerEntry.objects.filter(order=order).count() == 1
    assert AuditEvent.objects.count() == events


def test_a_refused_payment_leaves_neither_entry_nor_creation_event(
    order: RestitutionOrder, staff: Staff
) -> None:
    with pytest.raises(core.LedgerError):
        ledger.append_entry(
            order, kind=core.EntryKind.PAYMENT, amount=Decimal("500.00"), on=DAY, user=staff.carol
        )

    assert LedgerEntry.objects.filter(order=order).count() == 1
    assert not AuditEvent.objects.filter(object_type="ledger_entry").exists()


def test_a_dry_run_changes_nothing_and_is_still_recorded(tmp_path: Path, db: None) -> None:
    batch = parse_file(cases_csv(tmp_path, [{"case_id": "I-1"}]), "offramp-csv")
    seen: list[int] = []

    summary = store_batch(
        batch,
        file_name="f.csv",
        file_sha256="",
        actor_name="test",
        dry_run=True,
        audit=lambda done: seen.append(AuditEvent.objects.create(action="import", detail=done.as_dict()).pk),
    )

    assert (summary.dry_run, summary.cases_new) == (True, 1)
    assert not Case.objects.exists()
    assert AuditEvent.objects.filter(pk__in=seen).count() == 1
