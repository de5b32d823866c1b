"""The consent ledger in each state the matrix tests walk through, for the treatment tests.

`make_consent(case, by, state, kind=..., roles=...)` stores a consent in that state: none (nothing
stored), valid, expired (ended yesterday), revoked (revoked today) or out of scope (it covers the other
kind of SUD information than `kind`, the one the test looks at); `changes` override any field.
A consent whose purposes include the charging decision is a charging-use consent, with counsel offered
and declined (core refuses a charging-use consent without that record).
`expected_state` is what core `decide_access` should answer a user of `role`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from django.contrib.auth.models import User
from django.utils import timezone
from tests.integration.helpers import cases_csv, load_cases

from offramp.core.screening import Administration, AdministrationMode
from offramp.core.screening.consent import AccessState
from offramp.web.cases.models import Case
from offramp.web.treatment.models import ConsentRecord, ConsentRevocation, Screening

STATES = ("none", "valid", "expired", "revoked", "out_of_scope")
#: DAST-10 answers scoring 3 (moderate: a positive screen)
DAST_3 = [True, True, True, True, False, False, False, False, False, False]


def screened_case(tmp_path: Path, screener: User, case_id: str, person_id: str) -> Case:
    """A case imported from offramp-csv with one DAST-10 screening (score 3) on file."""
    load_cases(cases_csv(tmp_path, [{"case_id": case_id, "person_id": person_id}]))
    case = Case.objects.select_related("person").get(case_key=case_id)
    admin = Administration.record(
        "dast-10",
        DAST_3,
        administered_by="Pat Screener",
        administered_at=dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC),
        mode=AdministrationMode.PHONE,
    )
    Screening.create_from(case, admin, screener)
    return case


#: what an out-of-scope consent covers instead of the information a test looks at
OTHER_INFORMATION = {"screening_results": "treatment_reports", "treatment_reports": "screening_results"}


def make_consent(
    case: Case,
    by: User,
    state: str,
    *,
    kind: str,
    roles: Sequence[str],
    purposes: Sequence[str] = ("monitor_diversion",),
    program: str = "Northside Recovery Services",
    **changes: object,
) -> ConsentRecord | None:
    if state == "none":
        return None
    today = timezone.localdate()
    fields: dict[str, object] = {
        "person": case.person,
        "case": case,
        "disclosing_program": program,
        "recipient_roles": list(roles),
        "recipient_usernames": [],
        "purposes": list(purposes),
        "information": [OTHER_INFORMATION[kind] if state == "out_of_scope" else kind],
        "signed_on": today - dt.timedelta(days=30),
        "starts_on": today - dt.timedelta(days=30),
        "expires_on": today + (dt.timedelta(days=-1) if state == "expired" else dt.timedelta(days=365)),
        "created_by": by,
        "patient_name": "Jordan Example",
    }
    if "charging_decision" in purposes:
        fields |= {
            "kind": "charging_use",
            "warning_read": True,
            "counsel_offered": True,
            "counsel_response": "declined",
            "counsel_offered_by": "Casey Coordinator",
            "counsel_offered_on": today - dt.timedelta(days=30),
        }
    row = ConsentRecord.objects.create(**(fields | changes))
    if state == "revoked":
        ConsentRevocation.objects.create(consent=row, revoked_on=today, recorded_by=by)
    return row


def expected_state(role: str, state: str, roles: Sequence[str]) -> AccessState:
    if state == "valid":
        return AccessState.VALID if role in roles else AccessState.OUT_OF_SCOPE
    return AccessState(state)
