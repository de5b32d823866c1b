"""One way to refuse and audit (accounts/access.py): every refusal leaves exactly one `access_denied` event,
whether the decorator, `require_perms` inside a view, `refuse` for a rule, or a `PermissionDenied` raised
by code that does not know the helper (the 403 handler's safety net)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from tests.fixtures.users import Staff, client_for

from offramp.web.accounts.access import Refused, denied, permission_required_audited, refuse, require_perms
from offramp.web.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def refusals() -> list[tuple[str, str, str, str, str]]:
    return [
        (e.actor_name, e.outcome, e.object_type, e.object_id, e.detail["reason"])
        for e in AuditEvent.objects.filter(action="access_denied").order_by("id")
    ]


def test_it_records_one_event_for_a_refusal_by_the_decorator(staff: Staff) -> None:
    response = client_for(staff.erin).get("/decisions/queue/")

    assert response.status_code == 403
    assert "Access refused" in response.content.decode()
    assert refusals() == [
        ("erin", "denied", "path", "/decisions/queue/", "missing permission decisions.approve_decision")
    ]


def test_it_sends_anonymous_users_to_sign_in_without_an_event(db: None) -> None:
    response = Client().get("/decisions/queue/")

    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
    assert refusals() == []


def test_it_refuses_inside_a_view_with_require_perms(staff: Staff) -> None:
    request = RequestFactory().get("/somewhere/")
    request.user = staff.alice

    with pytest.raises(Refused) as raised:
        require_perms(request, "cases.view_case", "analytics.export_analytics")
    require_perms(request, "cases.view_case")  # held: returns quietly

    assert isinstance(raised.value, PermissionDenied)  # Django (and an API framework) answer 403
    assert raised.value.event is not None
    assert refusals() == [
        (
            "alice",
            "denied",
            "path",
            "/somewhere/",
            "missing permission cases.view_case, analytics.export_analytics",
        )
    ]


def test_it_refuses_for_a_rule_with_the_object_named(staff: Staff) -> None:
    request = RequestFactory().get("/cases/C-1/")
    request.user = staff.alice

    with pytest.raises(Refused):
        refuse(request, "sealed record", object_type="case", object_id="C-1", detail={"rule": "sealed"})

    event = AuditEvent.objects.get(action="access_denied")
    assert (event.object_type, event.object_id, event.detail) == (
        "case",
        "C-1",
        {"rule": "sealed", "reason": "sealed record"},
    )


def test_the_403_handler_adds_no_second_event_to_a_refusal_already_recorded(staff: Staff) -> None:
    request = RequestFactory().get("/x/")
    request.user = staff.erin
    with pytest.raises(Refused) as raised:
        require_perms(request, "cases.view_case")

    response = denied(request, raised.value)

    assert response.status_code == 403
    assert len(refusals()) == 1


def test_the_403_handler_records_a_refusal_raised_elsewhere(staff: Staff) -> None:
    request = RequestFactory().get("/admin/auth/user/add/")
    request.user = staff.erin

    response = denied(request, PermissionDenied("not staff"))

    assert response.status_code == 403
    assert refusals() == [("erin", "denied", "path", "/admin/auth/user/add/", "not staff")]


def test_the_decorator_marks_the_view_with_what_it_requires() -> None:
    @permission_required_audited("cases.view_case")
    def view(request: object) -> None:  # pragma: no cover - never called
        raise AssertionError

    assert view.required_permissions == ("cases.view_case",)  # type: ignore[attr-defined]
