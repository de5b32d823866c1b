from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from offramp.web.audit.context import current_request


class AuditContextMiddleware:
    """Makes the current request visible to audit signal receivers for the length of the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
