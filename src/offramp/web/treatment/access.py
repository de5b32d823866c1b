"""`sud_access`: may this user see this person's SUD information? Core `decide_access` decides; this builds its
inputs from the consent ledger and the user's roles, and audits every access and every refusal (a refusal
through accounts.access, like any other)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from offramp.core.screening.consent import AccessDecision, Consent, SudInformation, Viewer, decide_access
from offramp.web.accounts.access import audit_refusal
from offramp.web.accounts.roles import role_slugs_of
from offramp.web.audit.models import Action
from offramp.web.audit.record import record
from offramp.web.cases.models import Person
from offramp.web.treatment.models import ConsentRecord


def consents_of(person: Person) -> list[Consent]:
    rows = ConsentRecord.objects.filter(person=person).select_related("person", "revocation")
    return [row.to_core() for row in rows]


def viewer_of(user: Any) -> Viewer:
    return Viewer(username=user.get_username(), roles=frozenset(role_slugs_of(user)))


def sud_access(
    user: Any,
    person: Person,
    information: SudInformation | str,
    purpose: str = "monitor_diversion",
    today: dt.date | None = None,
) -> AccessDecision:
    decision = decide_access(
        consents_of(person),
        person_key=person.person_key,
        viewer=viewer_of(user),
        information=information,
        purpose=purpose,
        today=today or timezone.localdate(),
    )
    detail = {
        "state": decision.state.value,
        "consent": decision.consent_id or "",
        "information": str(information),
        "purpose": purpose,
    }
    if decision.allowed:
        record(
            Action.VIEW,
            object_type="sud_information",
            object_id=person.person_key,
            actor=user,
            detail={**detail, "reason": decision.reason},
        )
    else:
        audit_refusal(
            None,
            decision.reason,
            object_type="sud_information",
            object_id=person.person_key,
            actor=user,
            detail=detail,
        )
    return decision
