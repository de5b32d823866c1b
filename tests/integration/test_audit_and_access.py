"""The audit trail and access control, through real requests: who signed in (or failed to) from where,
who looked at which case, who was refused, what each import did; and the trail itself cannot be edited."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from tests.fixtures.users import PASSWORD, Staff, client_for
from tests.integration.helpers import (
    EXAMPLE_CSV,
    example_csv_with,
    import_cases,
    load_cases,
    no_static_finders,  # noqa: F401 - fixture
)

from offramp.web.audit.models import AuditEvent
from offramp.web.cases import store
from offramp.web.cases.models import Case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]

ADDRESS = "198.51.100.7"
SIGN_IN = "/accounts/sign-in/"
CASE_KEY = "CCR-2024-0001"
CASE_PAGE = f"/cases/{CASE_KEY}/"
QUEUE = "/"

ALLOWED = [
    "alice",
    "bob",
    "carol",
    "dave",
    "grace",
]  # line prosecutor, supervisor, coordinator, advocate, admin
REFUSED = ["erin", "frank", "mallory"]  # analyst, auditor, no role


@pytest.fixture
def cases() -> None:
    load_cases(EXAMPLE_CSV)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def signed_in(staff: Staff, name: str) -> Client:
    return client_for(getattr(staff, name), REMOTE_ADDR=ADDRESS)


# --- signing in ---------------------------------------------------------------------------------------------


def test_it_records_a_sign_in_with_the_address_it_came_from(staff: Staff) -> None:
    client = Client(REMOTE_ADDR=ADDRESS)

    response = client.post(SIGN_IN, {"username": "alice", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    [event] = events("sign_in")
    assert (event.actor, event.actor_name, event.outcome, event.source) == (
        staff.alice,
        "alice",
        "success",
        ADDRESS,
    )
    assert (event.object_type, event.object_id, event.path) == ("user", str(staff.alice.pk), SIGN_IN)
    assert events("sign_in_failed") == []


def test_it_records_a_failed_sign_in_with_the_name_typed(staff: Staff) -> None:
    client = Client(REMOTE_ADDR=ADDRESS)

    response = client.post(SIGN_IN, {"username": "alice", "password": "not the password"})
    unknown = client.post(SIGN_IN, {"username": "nobody-here", "password": "whatever it is"})

    assert (response.status_code, unknown.status_code) == (200, 200)
    assert "_auth_user_id" not in client.session
    failed = [(e.actor_id, e.actor_name, e.outcome, e.source, e.path) for e in events("sign_in_failed")]
    assert failed == [
        (None, "alice", "failure", ADDRESS, SIGN_IN),
        (None, "nobody-here", "failure", ADDRESS, SIGN_IN),
    ]
    assert events("sign_in") == []


def test_it_locks_an_account_out_after_the_failure_limit(staff: Staff) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    client = Client(REMOTE_ADDR=ADDRESS)
    for _ in range(limit - 1):
        assert client.post(SIGN_IN, {"username": "alice", "password": "wrong guess"}).status_code == 200
    assert events("locked_out") == []

    last = client.post(SIGN_IN, {"username": "alice", "password": "wrong guess"})

    assert last.status_code == 429
    [locked] = events("locked_out")
    assert (locked.actor_name, locked.outcome, locked.source, locked.path) == (
        "alice",
        "denied",
        ADDRESS,
        SIGN_IN,
    )
    assert len(events("sign_in_failed")) == limit
    # now even the right password is refused, and the refusal is recorded again
    right = client.post(SIGN_IN, {"username": "alice", "password": PASSWORD})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert events("sign_in") == []
    assert len(events("locked_out")) == 2
    # the lock is per account and address: bob from the same address still signs in
    assert (
        Client(REMOTE_ADDR=ADDRESS).post(SIGN_IN, {"username": "bob", "password": PASSWORD}).status_code
        == 302
    )


# --- what people look at ------------------------------------------------------------------------------------


def test_it_records_who_viewed_which_case(staff: Staff, cases: None) -> None:
    client = signed_in(staff, "alice")

    response = client.get(CASE_PAGE, HTTP_USER_AGENT="pytest-browser/1.0")

    assert response.status_code == 200
    [event] = events("view")
    assert (event.actor, event.actor_name, event.outcome) == (staff.alice, "alice", "success")
    assert (event.object_type, event.object_id, event.path, event.source) == (
        "case",
        CASE_KEY,
        CASE_PAGE,
        ADDRESS,
    )
    assert event.user_agent == "pytest-browser/1.0"
    assert event.detail == {"person": "P-7Q2K9"}


def test_it_records_who_listed_the_queue_and_with_which_filters(staff: Staff, cases: None) -> None:
    client = signed_in(staff, "bob")

    assert client.get(QUEUE).status_code == 200
    assert client.get(QUEUE, {"stage": "received", "drug": "fentanyl"}).status_code == 200

    listed = [(e.actor_id, e.object_type, e.detail, e.path) for e in events("list")]
    assert listed == [
        (staff.bob.pk, "case_queue", {}, "/"),
        (
            staff.bob.pk,
            "case_queue",
            {"stage": "received", "drug": "fentanyl"},
            "/?stage=received&drug=fentanyl",
        ),
    ]


@pytest.mark.parametrize("name", ALLOWED)
def test_it_lets_case_roles_open_the_queue_and_a_case(staff: Staff, cases: None, name: str) -> None:
    client = signed_in(staff, name)

    assert client.get(QUEUE).status_code == 200
    assert client.get(CASE_PAGE).status_code == 200
    # the page is not refused; its SUD panels are withheld (no 42 CFR Part 2 consent on file), each audited
    denied = events("access_denied")
    assert [(e.actor_name, e.object_type, e.detail["information"], e.detail["state"]) for e in denied] == [
        (name, "sud_information", "screening_results", "none"),
        (name, "sud_information", "treatment_reports", "none"),
    ]
    assert [(e.actor_name, e.object_id) for e in events("view")] == [(name, CASE_KEY)]


@pytest.mark.parametrize("name", REFUSED)
def test_it_refuses_other_roles_and_records_the_refusal(staff: Staff, cases: None, name: str) -> None:
    client = signed_in(staff, name)

    queue = client.get(QUEUE)
    page = client.get(CASE_PAGE)

    assert (queue.status_code, page.status_code) == (403, 403)
    assert "Access refused" in page.content.decode()
    assert CASE_KEY not in page.content.decode()  # nothing of the case leaks into the refusal
    refused = [
        (e.actor_id, e.actor_name, e.outcome, e.object_type, e.object_id, e.path, e.source)
        for e in events("access_denied")
    ]
    user = getattr(staff, name)
    assert refused == [
        (user.pk, name, "denied", "path", QUEUE, QUEUE, ADDRESS),
        (user.pk, name, "denied", "path", CASE_PAGE, CASE_PAGE, ADDRESS),
    ]
    assert "missing permission" in events("access_denied")[0].detail["reason"]
    assert events("view") == [] and events("list") == []


@pytest.mark.parametrize(
    ("path", "next_"),
    [(CASE_PAGE, CASE_PAGE), ("/?stage=received", "/%3Fstage%3Dreceived")],
)
def test_it_sends_anonymous_visitors_to_sign_in(cases: None, path: str, next_: str) -> None:
    response = Client().get(path)

    assert response.status_code == 302
    assert response["Location"] == f"{SIGN_IN}?next={next_}"
    assert events("view") == [] and events("list") == []


# --- imports ------------------------------------------------------------------------------------------------


def test_it_records_a_successful_import_with_its_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert import_cases(capsys, EXAMPLE_CSV, "offramp-csv").rc == 0

    [event] = events("import")
    assert (event.outcome, event.object_type, event.object_id) == ("success", "file", str(EXAMPLE_CSV))
    assert event.actor_name.startswith("os:")
    assert event.source.startswith("cli@")
    detail = event.detail
    assert (detail["format"], detail["rows"], detail["cases_new"], detail["cases_changed"]) == (
        "offramp-csv",
        10,
        10,
        0,
    )
    assert (detail["cases_unchanged"], detail["persons_new"], detail["warnings"], detail["dry_run"]) == (
        0,
        9,
        0,
        False,
    )
    assert isinstance(detail["batch_id"], int)


def test_it_records_a_failed_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = example_csv_with(tmp_path, {2: {"received_date": "2024-13-45"}, 5: {"weapon": "perhaps"}})

    assert import_cases(capsys, path, "offramp-csv").rc == 1

    [event] = events("import")
    assert (event.outcome, event.object_type, event.object_id) == ("failure", "file", str(path))
    assert event.detail == {"format": "offramp-csv", "errors": 2}


def test_it_records_an_import_that_failed_while_storing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(store, "reset_sequences", fail)

    assert import_cases(capsys, EXAMPLE_CSV, "offramp-csv").rc == 1

    [event] = events("import")
    assert event.outcome == "failure"
    assert event.detail == {
        "format": "offramp-csv",
        "stage": "store",
        "error": "RuntimeError: disk full (simulated)",
    }
    assert Case.objects.count() == 0


def test_it_records_the_named_importer_and_refuses_one_without_permission(
    staff: Staff, capsys: pytest.CaptureFixture[str]
) -> None:
    refused = import_cases(capsys, EXAMPLE_CSV, "offramp-csv", "--user", "alice")
    assert refused.rc == 2
    assert refused.err == "offramp import: user 'alice' may not import cases\n"
    assert Case.objects.count() == 0

    allowed = import_cases(capsys, EXAMPLE_CSV, "offramp-csv", "--user", "grace")
    assert allowed.rc == 0

    imports = [(e.outcome, e.actor_name, e.actor_id) for e in events("import")]
    assert imports == [("denied", "alice", staff.alice.pk), ("success", "grace", staff.grace.pk)]
    assert Case.objects.count() == 10


# --- the trail itself ---------------------------------------------------------------------------------------


def test_it_refuses_to_change_or_delete_an_audit_event(staff: Staff) -> None:
    Client(REMOTE_ADDR=ADDRESS).post(SIGN_IN, {"username": "alice", "password": PASSWORD})
    [event] = events("sign_in")

    event.actor_name = "someone else"
    with pytest.raises(PermissionError, match="append-only"):
        event.save()
    with pytest.raises(PermissionError, match="append-only"):
        event.delete()

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_name, stored.action) == ("alice", "sign_in")


def test_it_records_an_admin_change_of_a_case(staff: Staff, cases: None) -> None:
    case = Case.objects.get(case_key=CASE_KEY)
    client = signed_in(staff, "grace")
    url = f"/admin/cases/case/{case.pk}/change/"
    form = client.get(url)
    assert form.status_code == 200
    data = {"stage": "declined", "assigned_prosecutor": str(staff.alice.pk), "_save": "Save"}
    for inline in form.context["inline_admin_formsets"]:  # the read-only inlines' management forms
        management = inline.formset.management_form
        data.update({f"{inline.formset.prefix}-{k}": v for k, v in management.initial.items()})

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert (case.stage, case.assigned_prosecutor) == ("declined", staff.alice)
    changes = [
        (e.actor_id, e.actor_name, e.object_type, e.object_id, e.path, e.source)
        for e in events("change")
        if e.object_type == "cases.case"
    ]
    assert changes == [(staff.grace.pk, "grace", "cases.case", str(case.pk), url, ADDRESS)]


def test_it_shows_the_audit_trail_read_only_in_the_admin(staff: Staff) -> None:
    Client(REMOTE_ADDR=ADDRESS).post(SIGN_IN, {"username": "alice", "password": PASSWORD})
    event = events("sign_in")[0]
    total = AuditEvent.objects.count()
    client = signed_in(staff, "grace")  # the administrator may read the trail
    base = "/admin/audit/auditevent/"

    listing = client.get(base)
    view = client.get(f"{base}{event.pk}/change/")
    add = client.get(f"{base}add/")
    change = client.post(f"{base}{event.pk}/change/", {"actor_name": "someone else", "action": "view"})
    delete = client.post(f"{base}{event.pk}/delete/", {"post": "yes"})
    bulk_delete = client.post(
        base, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    )

    assert listing.status_code == 200
    assert "delete_selected" not in listing.content.decode()
    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()
    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert bulk_delete.status_code in (200, 302)
    assert AuditEvent.objects.filter(pk=event.pk, actor_name="alice", action="sign_in").exists()
    # nothing was removed; the refusals themselves were added
    assert AuditEvent.objects.count() > total
    assert {e.object_id for e in events("access_denied")} == {
        f"{base}add/",
        f"{base}{event.pk}/change/",
        f"{base}{event.pk}/delete/",
    }
