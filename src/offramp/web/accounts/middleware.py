from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

from offramp.web.accounts.mfa import mfa_url


class NoStoreForSignedInMiddleware:
    """Pages shown to a signed-in user hold criminal-justice information: no browser or proxy may keep
    them (after sign-out, Back must not show a cached case page)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


#: the URL names a signed-in user may reach before the second factor (the MFA pages and the ways out)
MFA_OPEN_URL_NAMES = ("accounts:mfa_enrol", "accounts:mfa_verify", "accounts:logout", "admin:logout")


class RequireMFAMiddleware:
    """With OFFRAMP_MFA=required, a password alone opens nothing: every request of a signed-in user whose
    session has not been verified with a TOTP code (django-otp's `user.is_verified()`) goes to the
    enrolment page (no confirmed device yet) or the code page. The MFA pages, sign-out and static files
    stay open. Must come after django_otp's OTPMiddleware, which installs `is_verified`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.OFFRAMP_MFA == "required":
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and not user.is_verified() and not _open(request):
                return redirect(mfa_url(user, request.get_full_path()))
        return self.get_response(request)


def _open(request: HttpRequest) -> bool:
    if request.path.startswith(settings.STATIC_URL):
        return True
    return any(request.path == reverse(name) for name in MFA_OPEN_URL_NAMES)
