"""Refusals go through one helper (offramp.web.accounts.access), so each leaves exactly one audit event.

- Every page Offramp routes says what it requires: it is wrapped by `permission_required_audited`
  (or, for signing in and the second factor, is part of signing in itself).
- No web module raises `PermissionDenied` itself: it calls `require_perms` or `refuse`, which audit first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

WEB = Path(__file__).resolve().parents[2] / "src" / "offramp" / "web"
#: the sign-in flow: open to anonymous users (sign-in) or to any signed-in user (sign-out, MFA)
SIGN_IN_VIEWS = {"accounts:login", "accounts:logout", "accounts:mfa_enrol", "accounts:mfa_verify"}
#: modules allowed to raise PermissionDenied: the helper itself.
RAISERS = {WEB / "accounts" / "access.py"}


def routed(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, Any]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":  # Django's admin checks is_staff and model permissions itself
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from routed(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", entry.callback


def test_it_requires_permissions_on_every_routed_page() -> None:
    unguarded = [
        name
        for name, view in routed(get_resolver().url_patterns)
        if name not in SIGN_IN_VIEWS and not getattr(view, "required_permissions", None)
    ]
    assert unguarded == []


def test_no_web_module_raises_permission_denied_itself() -> None:
    raising = re.compile(r"raise\s+PermissionDenied\b")
    offenders = [
        str(path.relative_to(WEB))
        for path in sorted(WEB.rglob("*.py"))
        if path not in RAISERS and raising.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
