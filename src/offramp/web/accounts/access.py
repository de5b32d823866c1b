"""Refuse and audit, in one place: every refused request leaves exactly one audit event, like a granted one.

Three ways in, one event shape (`access_denied`, outcome `denied`, the refused path and the reason):

- `@permission_required_audited(*perms)` on a view: anonymous users go to sign-in, signed-in users without
  every permission get a 403.
- `require_perms(request, *perms)` inside a view (or an API endpoint) that decides part-way through, e.g. a
  page whose CSV download needs one more permission than the page.
- `refuse(request, reason, ...)` for any other refusal (a rule rather than a permission).

Each writes the audit event itself and raises `Refused` (a `PermissionDenied`, so Django, and later an API
framework, answer 403). The 403 handler (`denied`, below) renders the page and, for a `Refused`, records
nothing more; a `PermissionDenied` raised anywhere else (the admin, a third-party view) is still recorded
there, so no refusal goes unrecorded and none is recorded twice.

A refusal has no change to go with it, so its event is written on its own (in autocommit, or in whatever
transaction the caller has open); audit events of changes are written in the change's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from offramp.web.audit.models import Action, AuditEvent, Outcome
from offramp.web.audit.record import record

View = Callable[..., HttpResponse]

#: the longest reason kept in an audit event's detail
REASON_LENGTH = 300


class Refused(PermissionDenied):  # type: ignore[misc]  # Django is untyped here (no django-stubs)
    """A refusal already on the audit trail (`event`): answered 403 without a second event."""

    def __init__(self, reason: str, event: AuditEvent | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.event = event


def missing_permission(perms: tuple[str, ...] | list[str]) -> str:
    return f"missing permission {', '.join(perms)}"


def audit_refusal(
    request: HttpRequest | None,
    reason: str,
    *,
    object_type: str = "path",
    object_id: object = None,
    actor: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write the one audit event of a refusal. By default the object is the refused path; `detail` adds to
    the reason (which is always kept, cut to REASON_LENGTH)."""
    if object_id is None:
        object_id = request.path[:120] if request is not None else ""
    return record(
        str(Action.ACCESS_DENIED),  # str(): TextChoices members are str; mypy (no django-stubs) sees tuples
        outcome=str(Outcome.DENIED),
        request=request,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        detail={**(detail or {}), "reason": str(reason)[:REASON_LENGTH]},
    )


def refuse(
    request: HttpRequest,
    reason: str,
    *,
    object_type: str = "path",
    object_id: object = None,
    detail: dict[str, Any] | None = None,
) -> NoReturn:
    """Audit the refusal and raise `Refused` (a 403)."""
    event = audit_refusal(request, reason, object_type=object_type, object_id=object_id, detail=detail)
    raise Refused(reason, event)


def require_perms(request: HttpRequest, *perms: str) -> None:
    """Return if the signed-in user holds every permission in `perms`, else audit and raise `Refused`."""
    if not request.user.has_perms(perms):
        refuse(request, missing_permission(perms))


def permission_required_audited(*perms: str) -> Callable[[View], View]:
    """Anonymous users go to sign-in; signed-in users without every permission in `perms` are refused
    (audited, 403) before the view runs."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require_perms(request, *perms)
            return view(request, *args, **kwargs)

        # read by tests/architecture: every routed view says what it requires (kept by functools.wraps
        # through require_POST and the like)
        wrapped.required_permissions = perms  # type: ignore[attr-defined]
        return wrapped

    return decorator


def denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 403 page (settings' `handler403`). A refusal by this module (`Refused`) is already on the audit
    trail; any other `PermissionDenied` (the admin, a third-party view) is recorded here, with the path that
    was refused. It lives here, not in the audit app, so that audit never imports accounts."""
    if not isinstance(exception, Refused):
        audit_refusal(request, str(exception or ""))
    return render(request, "403.html", status=403)
