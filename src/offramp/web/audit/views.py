from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from offramp.web.accounts.access import Refused, audit_refusal


def denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403 page. A refusal by accounts.access (`Refused`) is already on the audit trail; any other
    `PermissionDenied` (the admin, a third-party view) is recorded here, with the path that was refused."""
    if not isinstance(exception, Refused):
        audit_refusal(request, str(exception or ""))
    return render(request, "403.html", status=403)
