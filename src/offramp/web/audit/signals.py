"""Receivers that put sign-ins, lock-outs and every model change on the audit trail."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from offramp.web.audit.models import Action, AuditEvent, Outcome
from offramp.web.audit.record import record

#: models whose every change is audited (bulk imports are audited once per file by the importer)
AUDITED_APPS = {"cases", "auth", "otp_totp"}


@receiver(user_logged_in)
def on_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(Action.SIGN_IN, object_type="user", object_id=user.pk, request=request, actor=user)


@receiver(user_logged_out)
def on_sign_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(Action.SIGN_OUT, object_type="user", object_id=user.pk, request=request, actor=user)


@receiver(user_login_failed)
def on_sign_in_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    record(
        Action.SIGN_IN_FAILED,
        outcome=Outcome.FAILURE,
        request=request,
        actor_name=str(credentials.get("username", ""))[:150],
        object_type="user",
    )


@receiver(user_locked_out)
def on_locked_out(sender: Any, request: Any, username: str | None = None, **kwargs: Any) -> None:
    record(Action.LOCKED_OUT, outcome=Outcome.DENIED, request=request, actor_name=(username or "")[:150])


def _audited(sender: Any) -> bool:
    return sender is not AuditEvent and sender._meta.app_label in AUDITED_APPS


@receiver(post_save)
def on_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or not _audited(sender):
        return
    record(
        Action.CREATE if created else Action.CHANGE,
        object_type=sender._meta.label_lower,
        object_id=instance.pk,
        detail={"fields": sorted(kwargs["update_fields"])} if kwargs.get("update_fields") else None,
    )


@receiver(post_delete)
def on_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    if _audited(sender):
        record(Action.DELETE, object_type=sender._meta.label_lower, object_id=instance.pk)
