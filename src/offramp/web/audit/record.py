"""Writing audit events. Every view of a person's case, every change, import and export, every refusal."""

from __future__ import annotations

import getpass
import socket
from typing import Any

from django.http import HttpRequest

from offramp.web.audit.context import current_request
from offramp.web.audit.models import Action, AuditEvent, Outcome


def client_address(request: HttpRequest) -> str:
    # Behind the office's reverse proxy the address is in X-Forwarded-For only if the proxy is trusted;
    # we record both so an auditor can tell.
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return f"{remote} (fwd {forwarded})" if forwarded else remote


def cli_source() -> str:
    return f"cli@{socket.gethostname()}"


def record(
    action: Action | str,
    *,
    object_type: str = "",
    object_id: object = "",
    outcome: Outcome | str = Outcome.SUCCESS,
    request: HttpRequest | None = None,
    actor: Any = None,
    actor_name: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. Without a request, the current request (if any) or the command line is used."""
    request = request or current_request.get()
    source, agent, path = cli_source(), "", ""
    if request is not None:
        source = client_address(request)
        agent = request.META.get("HTTP_USER_AGENT", "")[:300]
        path = request.get_full_path()[:500]
        user = getattr(request, "user", None)
        if actor is None and user is not None and user.is_authenticated:
            actor = user
    if actor is not None and not actor_name:
        actor_name = actor.get_username()
    if request is None and not actor_name:
        actor_name = f"os:{getpass.getuser()}"
    return AuditEvent.objects.create(
        action=str(action),
        outcome=str(outcome),
        object_type=object_type,
        object_id=str(object_id),
        actor=actor,
        actor_name=actor_name,
        source=source[:120],
        user_agent=agent,
        path=path,
        detail=detail or {},
    )
