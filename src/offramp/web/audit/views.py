from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from offramp.web.audit.models import Action, Outcome
from offramp.web.audit.record import record


def denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403 page; every refusal is put on the audit trail with the path that was refused."""
    record(
        Action.ACCESS_DENIED,
        outcome=Outcome.DENIED,
        request=request,
        object_type="path",
        object_id=request.path[:120],
        detail={"reason": str(exception or "")[:300]},
    )
    return render(request, "403.html", status=403)
