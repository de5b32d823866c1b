from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from offramp.web.accounts.roles import role_names_of


def roles(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's role names, for the page header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": []}
    return {"user_roles": role_names_of(user)}
