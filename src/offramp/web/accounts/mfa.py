"""The second factor at sign-in (CJIS Security Policy: multi-factor authentication for access to CJI).

With OFFRAMP_MFA=required, RequireMFAMiddleware sends a user who signed in with a password here before
any other page: to `enrol` the first time (a new TOTP secret for an authenticator app, confirmed with a
code from the app), to `verify` afterwards. A good code marks the session verified (`django_otp.login`);
every enrolment, good code and wrong code is on the audit trail, and wrong codes slow further attempts
down (django-otp's throttling: 1, 2, 4, 8 ... seconds between attempts, reset by a good code).
"""

from __future__ import annotations

import math
from base64 import b32encode
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timesince import timeuntil
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from offramp.web.audit.models import Action, Outcome
from offramp.web.audit.record import record

#: the name authenticator apps show next to the user name
ISSUER = "Offramp"
DEVICE_NAME = "authenticator app"


def confirmed_devices(user: Any) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id"))


def mfa_url(user: Any, next_path: str = "") -> str:
    """Where a signed-in but unverified user goes: enrolment without a confirmed device, else the code page."""
    exists = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    url = reverse("accounts:mfa_verify" if exists else "accounts:mfa_enrol")
    return f"{url}?{urlencode({'next': next_path})}" if next_path else url


def provisioning_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI (Key Uri Format) an authenticator app or password manager can import."""
    params = urlencode(
        {
            "secret": secret_base32(device),
            "issuer": ISSUER,
            "algorithm": "SHA1",
            "digits": device.digits,
            "period": device.step,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{quote(f'{ISSUER}:{device.user.get_username()}')}?{params}"


def secret_base32(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode("ascii")


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _wait(until: Any) -> str:
    seconds = math.ceil((until - timezone.now()).total_seconds())
    return f"{max(seconds, 1)} seconds" if seconds < 120 else timeuntil(until)


def _check_token(
    request: HttpRequest, devices: Sequence[TOTPDevice], step: str
) -> tuple[TOTPDevice | None, str, int]:
    """(the device that accepted the posted code, "", 200) or (None, the error to show, the status)."""
    token = "".join(request.POST.get("token", "").split())
    if not token:
        return None, "Enter the code your authenticator app shows.", 200
    allowed = [device for device in devices if device.verify_is_allowed()[0]]
    if not allowed:
        _, info = devices[0].verify_is_allowed()
        info = info or {}
        _audit_failure(request, devices[0], step, "throttled", Outcome.DENIED)
        wait = _wait(info["locked_until"]) if "locked_until" in info else "a while"
        return None, f"Too many wrong codes. Try again in {wait}.", 429
    for device in allowed:
        if device.verify_token(token):
            return device, "", 200
    _audit_failure(request, allowed[0], step, "wrong code", Outcome.FAILURE)
    return None, "That code is not right, or it has expired. Enter the code your app shows now.", 200


def _audit_failure(
    request: HttpRequest, device: TOTPDevice, step: str, reason: str, outcome: Outcome
) -> None:
    record(
        Action.SIGN_IN_FAILED,
        outcome=outcome,
        request=request,
        object_type="otp_device",
        object_id=device.persistent_id,
        detail={
            "factor": "totp",
            "step": step,
            "reason": reason,
            "failures": device.throttling_failure_count,
        },
    )


def _verified(request: HttpRequest, device: TOTPDevice, step: str) -> HttpResponse:
    request.session.cycle_key()  # the session now carries more trust: give it a new id
    otp_login(request, device)
    record(
        Action.SIGN_IN,
        request=request,
        object_type="otp_device",
        object_id=device.persistent_id,
        detail={"factor": "totp", "step": step},
    )
    return redirect(_next(request))


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in under MFA: a new secret for the user's authenticator app, confirmed with a code.

    Only a user with no confirmed device gets here; adding a second device needs the first one (or an
    administrator, who removes the lost device in the admin so the user enrols again)."""
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    if confirmed_devices(user):
        return redirect(mfa_url(user, request.GET.get("next", "")))
    error, status = "", 200
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-id").first()
        )
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        if request.method == "POST":
            accepted, error, status = _check_token(request, [device], "enrol")
            if accepted is not None:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
                return _verified(request, device, "enrol")
    secret = secret_base32(device)
    context = {
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "uri": provisioning_uri(device),
        "digits": device.digits,
        "error": error,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "accounts/mfa_enrol.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Every later sign-in: the code from the app enrolled before."""
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    error, status = "", 200
    with transaction.atomic():
        devices = list(
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("id")
        )
        if not devices:
            return redirect(mfa_url(user, request.GET.get("next", "")))
        if request.method == "POST":
            accepted, error, status = _check_token(request, devices, "verify")
            if accepted is not None:
                return _verified(request, accepted, "verify")
    context = {
        "digits": devices[0].digits,
        "error": error,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "accounts/mfa_verify.html", context, status=status)
