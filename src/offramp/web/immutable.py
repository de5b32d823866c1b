"""`ImmutableModel`: the base of every row that records what happened (decisions, consents, screenings,
referral events, ledger entries, letters).

It lives outside any one app so that the apps that keep such records (decisions, treatment, diversion,
victims) share it without importing one another: treatment used to import decisions' models for it while
decisions' recommendation read treatment's screenings, a cycle between two apps.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class ImmutableModel(models.Model):
    """Rows that are written once: an update or delete would rewrite the record of what happened."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError(f"{type(self).__name__} rows are immutable; record a new one instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(f"{type(self).__name__} rows are immutable")
