"""Access checks that leave a trace: a refused request is on the audit trail, like a granted one."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def permission_required_audited(*perms: str) -> Callable[[View], View]:
    """Anonymous users go to sign-in; signed-in users without every permission in `perms` get a 403,
    which the 403 handler records as a refused access."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perms(perms):
                raise PermissionDenied(f"missing permission {', '.join(perms)}")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
