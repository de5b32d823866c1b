"""The request being served, so model signals can say where a change came from."""

from __future__ import annotations

from contextvars import ContextVar

from django.http import HttpRequest

current_request: ContextVar[HttpRequest | None] = ContextVar("offramp_current_request", default=None)
