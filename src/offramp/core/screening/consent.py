"""42 CFR Part 2 consent: who may see a person's substance-use-disorder (SUD) information, and why not.

A consent is signed by the patient for one disclosing program. It names the recipients (people or roles in
the office), the purpose (monitoring progress in diversion, §2.35), what may be disclosed, when it starts,
and when it ends — a date or an event (e.g. "completion of the diversion program"). It may be revoked, unless
it was made irrevocable until a date or event as §2.35 allows for criminal-justice referrals. Expiry and
revocation take effect at once: every check is made at the moment of access.

`decide_access` is the single rule the web layer, exports and the policy engine ask. It returns whether the
information may be shown and, either way, the reason in words a user can read (shown in place of withheld
information, and written to the audit trail). Every disclosure carries `REDISCLOSURE_NOTICE` (§2.32).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from offramp.core.enums import DescribedEnum

#: §2.32(a)(1), as amended by the 2024 final rule: the statement that must accompany each disclosure
REDISCLOSURE_NOTICE = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."


class SudInformation(DescribedEnum):
    SCREENING_RESULTS = (
        "screening_results",
        "Scores and bands of SUD screening instruments (UNCOPE, DAST-10 ...).",
    )
    TREATMENT_REPORTS = (
        "treatment_reports",
        "Attendance, drug-test and progress reports from a treatment program.",
    )
    DIAGNOSIS = ("diagnosis", "A clinician's diagnosis or level-of-care placement (e.g. an ASAM level name).")


class Purpose(DescribedEnum):
    MONITOR_DIVERSION = (
        "monitor_diversion",
        "Monitoring the person's progress in diversion, e.g. while charges are withheld (§2.35).",
    )
    CHARGING_DECISION = (
        "charging_decision",
        "Informing a charging or diversion decision the person asked for.",
    )


class AccessState(DescribedEnum):
    NONE = ("none", "No consent from this person is on file for this information.")
    VALID = ("valid", "A consent in force covers this user and this information.")
    NOT_STARTED = ("not_started", "The consent on file does not start until a later date.")
    EXPIRED = ("expired", "The consent on file has expired (its end date or end event has passed).")
    REVOKED = ("revoked", "The person revoked the consent.")
    OUT_OF_SCOPE = (
        "out_of_scope",
        "A consent is in force, but it does not name this user or role, this information or this purpose.",
    )


@dataclass(frozen=True)
class Consent:
    """One signed consent (a ledger row; never edited — revocation is recorded as `revoked_on`)."""

    consent_id: str
    person_key: str
    disclosing_program: str
    recipient_users: frozenset[str]
    recipient_roles: frozenset[str]
    purposes: frozenset[str]
    information: frozenset[str]
    signed_on: dt.date
    starts_on: dt.date
    expires_on: dt.date | None = None
    expiry_event: str | None = None
    expiry_event_on: dt.date | None = None  # when the named event happened, once it has
    irrevocable_until: dt.date | None = None
    revoked_on: dt.date | None = None

    def __post_init__(self) -> None:
        if self.expires_on is None and self.expiry_event is None:
            raise ValueError("a Part 2 consent needs an expiry date or an expiry event (§2.31(a))")
        if (
            self.revoked_on is not None
            and self.irrevocable_until
            and self.revoked_on < self.irrevocable_until
        ):
            raise ValueError(f"consent {self.consent_id} is irrevocable until {self.irrevocable_until}")


@dataclass(frozen=True)
class Viewer:
    username: str
    roles: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class AccessDecision:
    allowed: bool
    state: AccessState
    reason: str
    consent_id: str | None = None
    notice: str | None = None  # the redisclosure notice, on every allowed access


def _ended(consent: Consent, today: dt.date) -> bool:
    if consent.expires_on is not None and today > consent.expires_on:
        return True
    return consent.expiry_event_on is not None and today >= consent.expiry_event_on


def _revoked(consent: Consent, today: dt.date) -> bool:
    return consent.revoked_on is not None and today >= consent.revoked_on


def _covers(consent: Consent, viewer: Viewer, information: str, purpose: str) -> bool:
    named = viewer.username in consent.recipient_users or bool(viewer.roles & consent.recipient_roles)
    return named and information in consent.information and purpose in consent.purposes


def decide_access(
    consents: Iterable[Consent],
    *,
    person_key: str,
    viewer: Viewer,
    information: SudInformation | str,
    purpose: Purpose | str,
    today: dt.date,
) -> AccessDecision:
    """May `viewer` see `information` about `person_key` for `purpose` today? The most permissive state
    wins (a valid consent among expired ones allows); otherwise the reason names the closest consent's state."""
    info, why = str(information), str(purpose)
    mine = [c for c in consents if c.person_key == person_key]
    if not mine:
        return AccessDecision(False, AccessState.NONE, AccessState.NONE.description)
    ranked: list[tuple[int, AccessState, Consent]] = []
    for c in mine:
        if _revoked(c, today):
            state = AccessState.REVOKED
        elif _ended(c, today):
            state = AccessState.EXPIRED
        elif today < c.starts_on:
            state = AccessState.NOT_STARTED
        elif not _covers(c, viewer, info, why):
            state = AccessState.OUT_OF_SCOPE
        else:
            state = AccessState.VALID
        ranked.append((_RANK[state], state, c))
    _, state, best = min(ranked, key=lambda r: (r[0], r[2].consent_id))
    if state is AccessState.VALID:
        reason = f"Consent {best.consent_id} from {best.disclosing_program} covers this ({why})."
        return AccessDecision(True, state, reason, best.consent_id, REDISCLOSURE_NOTICE)
    return AccessDecision(False, state, f"{state.description} (consent {best.consent_id})", best.consent_id)


_RANK = {
    AccessState.VALID: 0,
    AccessState.OUT_OF_SCOPE: 1,
    AccessState.NOT_STARTED: 2,
    AccessState.EXPIRED: 3,
    AccessState.REVOKED: 4,
    AccessState.NONE: 5,
}
