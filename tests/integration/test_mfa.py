"""Multi-factor authentication at sign-in (OFFRAMP_MFA): through real requests, a password alone opens
nothing once MFA is required; enrolment, good codes, wrong codes and throttling, all on the audit trail."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.fixtures.users import PASSWORD, Staff
from tests.integration import test_settings
from tests.integration.helpers import no_static_finders  # noqa: F401 - fixture
from tests.integration.test_settings import GOOD_KEY, last_error_line, load_settings

from offramp.web.audit.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]

ADDRESS = "198.51.100.7"
SIGN_IN = "/accounts/sign-in/"
SIGN_OUT = "/accounts/sign-out/"
ENROL = "/accounts/mfa/enrol/"
VERIFY = "/accounts/mfa/verify/"
QUEUE = "/"
ADMIN = "/admin/"


@pytest.fixture
def mfa_required(settings: Any) -> None:
    settings.OFFRAMP_MFA = "required"


def signed_in_with_password(name: str) -> Client:
    client = Client(REMOTE_ADDR=ADDRESS)
    response = client.post(SIGN_IN, {"username": name, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:1000]
    return client


def code(device: TOTPDevice, steps: int = 0) -> str:
    """The code the user's app shows now (or `steps` time steps from now)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    valid = {code(device, s) for s in range(-device.tolerance - 1, device.tolerance + 2)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)


def enrolled(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=True)


def mfa_events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_type="otp_device").order_by("id"))


# --- off: nothing changes -----------------------------------------------------------------------------------


def test_it_lets_a_password_sign_in_open_the_queue_when_mfa_is_off(staff: Staff, settings: Any) -> None:
    assert settings.OFFRAMP_MFA == "off"  # the default
    client = signed_in_with_password("alice")

    assert client.get(QUEUE).status_code == 200
    assert client.get(ADMIN).status_code == 302  # alice is not staff: the admin's own sign-in, not MFA
    assert not client.get(ADMIN)["Location"].startswith("/accounts/mfa/")


# --- required -----------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("mfa_required")
def test_it_sends_a_user_without_a_device_to_enrolment(staff: Staff) -> None:
    client = signed_in_with_password("alice")

    response = client.get(QUEUE)
    case_page = client.get("/cases/CCR-2024-0001/?tab=charges")

    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2F"
    assert case_page.status_code == 302
    assert unquote(case_page["Location"]) == f"{ENROL}?next=/cases/CCR-2024-0001/?tab=charges"
    assert AuditEvent.objects.filter(action__in=["view", "list"]).count() == 0


@pytest.mark.usefixtures("mfa_required")
def test_it_sends_a_user_with_a_device_to_the_code_page(staff: Staff) -> None:
    enrolled(staff.alice)
    client = signed_in_with_password("alice")

    response = client.get(QUEUE)
    enrol = client.get(ENROL)  # a second device needs the first one

    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2F"
    assert enrol.status_code == 302 and enrol["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=staff.alice).count() == 1


@pytest.mark.usefixtures("mfa_required")
def test_it_enrols_a_device_confirmed_with_a_code_then_opens_the_queue(staff: Staff) -> None:
    client = signed_in_with_password("alice")

    page = client.get(f"{ENROL}?next=%2F")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]  # the secret must not stay in a browser cache
    [device] = TOTPDevice.objects.filter(user=staff.alice)
    assert device.confirmed is False
    html = page.content.decode()
    uri = page.context["uri"]
    assert uri.startswith("otpauth://totp/Offramp%3Aalice?")
    query = parse_qs(urlsplit(uri).query)
    secret = query["secret"][0]
    assert (query["issuer"], query["digits"], query["period"]) == (["Offramp"], ["6"], ["30"])
    assert uri in html.replace("&amp;", "&")
    assert page.context["secret"].replace(" ", "") == secret
    assert client.get(ENROL).context["uri"] == uri  # reloading shows the same secret, no new device
    assert TOTPDevice.objects.filter(user=staff.alice).count() == 1

    confirmed = client.post(ENROL, {"token": code(device), "next": "/"})

    assert confirmed.status_code == 302
    assert confirmed["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get(QUEUE).status_code == 200
    [success] = mfa_events("sign_in")
    assert (success.actor, success.outcome, success.object_id, success.source, success.path) == (
        staff.alice,
        "success",
        device.persistent_id,
        ADDRESS,
        ENROL,
    )
    assert success.detail == {"factor": "totp", "step": "enrol"}
    # the device's creation and confirmation are on the trail as changes of the otp_totp model
    changes = AuditEvent.objects.filter(object_type="otp_totp.totpdevice", object_id=str(device.pk))
    assert {e.action for e in changes} >= {"create", "change"}


@pytest.mark.usefixtures("mfa_required")
def test_it_verifies_a_code_from_an_enrolled_device(staff: Staff) -> None:
    device = enrolled(staff.bob)
    client = signed_in_with_password("bob")
    assert client.get(QUEUE).status_code == 302

    response = client.post(VERIFY, {"token": code(device), "next": "/?stage=received"})

    assert response.status_code == 302
    assert response["Location"] == "/?stage=received"
    assert client.get(QUEUE).status_code == 200
    assert client.get(VERIFY)["Location"] == "/"  # verified: the code page sends on
    [success] = mfa_events("sign_in")
    assert (success.actor, success.detail) == (staff.bob, {"factor": "totp", "step": "verify"})


@pytest.mark.usefixtures("mfa_required")
def test_it_refuses_and_audits_a_wrong_code(staff: Staff) -> None:
    device = enrolled(staff.alice)
    client = signed_in_with_password("alice")

    response = client.post(VERIFY, {"token": wrong_code(device)})

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get(QUEUE).status_code == 302  # still not verified
    [failed] = mfa_events("sign_in_failed")
    assert (failed.actor, failed.actor_name, failed.outcome, failed.source, failed.path) == (
        staff.alice,
        "alice",
        "failure",
        ADDRESS,
        VERIFY,
    )
    assert failed.object_id == device.persistent_id
    assert failed.detail == {"factor": "totp", "step": "verify", "reason": "wrong code", "failures": 1}
    assert mfa_events("sign_in") == []


@pytest.mark.usefixtures("mfa_required")
def test_it_refuses_and_audits_a_wrong_code_at_enrolment(staff: Staff) -> None:
    client = signed_in_with_password("alice")
    client.get(ENROL)
    [device] = TOTPDevice.objects.filter(user=staff.alice)

    response = client.post(ENROL, {"token": wrong_code(device)})

    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed is False
    [failed] = mfa_events("sign_in_failed")
    assert failed.detail["step"] == "enrol" and failed.outcome == "failure"
    assert client.get(QUEUE)["Location"].startswith(ENROL)


@pytest.mark.usefixtures("mfa_required")
def test_it_throttles_codes_after_a_wrong_one(staff: Staff, settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a minute, doubling with each failure: no race with the clock
    device = enrolled(staff.alice)
    client = signed_in_with_password("alice")
    assert client.post(VERIFY, {"token": wrong_code(device)}).status_code == 200

    throttled = client.post(VERIFY, {"token": code(device)})  # even the right code, during the wait

    assert throttled.status_code == 429
    assert "Too many wrong codes" in throttled.content.decode()
    assert client.get(QUEUE).status_code == 302
    failures = [(e.outcome, e.detail["reason"]) for e in mfa_events("sign_in_failed")]
    assert failures == [("failure", "wrong code"), ("denied", "throttled")]
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # refused attempts do not extend the count

    # once the wait is over, a right code is accepted and the throttle is reset
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=device.throttling_failure_timestamp - dt.timedelta(seconds=61)
    )
    assert client.post(VERIFY, {"token": code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert client.get(QUEUE).status_code == 200


@pytest.mark.usefixtures("mfa_required")
def test_it_doubles_the_wait_with_each_failure(staff: Staff, settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device = enrolled(staff.alice)
    client = signed_in_with_password("alice")
    for _ in range(3):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)  # wait is over
        assert client.post(VERIFY, {"token": wrong_code(device)}).status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 3

    allowed, info = device.verify_is_allowed()

    assert allowed is False
    assert info is not None
    assert info["locked_until"] - device.throttling_failure_timestamp == dt.timedelta(minutes=4)
    assert client.post(VERIFY, {"token": code(device)}).status_code == 429


@pytest.mark.usefixtures("mfa_required")
def test_it_gates_the_admin_too(staff: Staff) -> None:
    device = enrolled(staff.grace)  # the administrator
    client = signed_in_with_password("grace")

    admin = client.get(ADMIN)
    audit = client.get("/admin/audit/auditevent/")

    assert (admin.status_code, audit.status_code) == (302, 302)
    assert admin["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    assert audit["Location"].startswith(VERIFY)
    client.post(VERIFY, {"token": code(device)})
    assert client.get(ADMIN).status_code == 200


@pytest.mark.usefixtures("mfa_required")
def test_it_gates_a_password_sign_in_through_the_admin_login(staff: Staff) -> None:
    client = Client(REMOTE_ADDR=ADDRESS)
    client.post("/admin/login/", {"username": "grace", "password": PASSWORD, "next": "/admin/"})

    response = client.get(ADMIN)

    assert response.status_code == 302
    assert response["Location"].startswith(ENROL)


@pytest.mark.usefixtures("mfa_required")
def test_it_lets_an_unverified_user_sign_out(staff: Staff) -> None:
    enrolled(staff.alice)
    client = signed_in_with_password("alice")
    assert client.get(VERIFY).status_code == 200

    response = client.post(SIGN_OUT)

    assert response.status_code == 302
    assert response["Location"] == SIGN_IN
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="sign_out", actor=staff.alice).count() == 1
    assert client.get(QUEUE)["Location"].startswith(SIGN_IN)  # anonymous again: the password page


@pytest.mark.usefixtures("mfa_required")
def test_it_keeps_the_sign_in_page_and_static_files_open(staff: Staff) -> None:
    anonymous = Client()
    assert anonymous.get(SIGN_IN).status_code == 200
    assert anonymous.get(VERIFY)["Location"].startswith(SIGN_IN)  # the MFA pages need the password first
    client = signed_in_with_password("alice")

    static = client.get("/static/offramp/offramp.css")

    assert static.status_code != 302


@pytest.mark.usefixtures("mfa_required")
def test_it_does_not_follow_a_next_address_off_the_site(staff: Staff) -> None:
    device = enrolled(staff.alice)
    client = signed_in_with_password("alice")

    response = client.post(VERIFY, {"token": code(device), "next": "https://evil.example/"})

    assert response.status_code == 302
    assert response["Location"] == "/"


# --- start-up -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"), [(None, "off"), ("required", "required"), (" Required ", "required")]
)
def test_it_reads_the_mfa_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str | None, expected: str
) -> None:
    monkeypatch.setattr(test_settings, "PRINT", "import offramp.web.settings as s; print(s.OFFRAMP_MFA)")
    env = {"OFFRAMP_MFA": value} if value is not None else {}

    result = load_settings(tmp_path, SECRET_KEY=GOOD_KEY, **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_it_refuses_an_mfa_setting_it_does_not_know(tmp_path: Path) -> None:
    result = load_settings(tmp_path, SECRET_KEY=GOOD_KEY, OFFRAMP_MFA="maybe")

    assert result.returncode != 0
    assert last_error_line(result) == (
        "django.core.exceptions.ImproperlyConfigured: OFFRAMP_MFA='maybe': expected one of required, off"
    )
