"""42 CFR Part 2 consent (as amended by the 2024 final rule, 89 FR 12472): who may see a person's
substance-use-disorder (SUD) information, for what, and why not.

A consent is signed by the patient for one disclosing program. It is one of two kinds (`ConsentKind`), never
both:

- `monitoring`: disclosure to the office to monitor the person's progress in diversion (§2.35(a): e.g. "a
  prosecuting attorney who is withholding charges against the patient"). It never covers using the records
  to decide whether, or what, to charge.
- `charging_use`: the person's written consent to the use of the records in the charging decision. Part 2
  forbids using the records in a criminal proceeding against the patient "unless authorized by the consent
  of the patient" or by a court order under §2.65 (§2.32(a)(1), statement 1 of the 2024 text). Because a
  result can change the charging decision for or against the person, this kind needs a record that counsel
  was offered (`CounselOffer`; requiring the offer is an office choice, not a Part 2 element).

A consent names the recipients (people or roles in the office), what may be disclosed, when it starts, and
when it ends — a date or an event (e.g. "completion of the diversion program"). It may be revoked, unless it
was made irrevocable as §2.35(c) allows for criminal-justice referrals: then only until a time or event "no
later than the final disposition" of the action the consent was given for. Core refuses an irrevocable-until
date after the case's final disposition, and any irrevocable-until date while that disposition is not known
(the consent must then say "irrevocable until final disposition", an event). Expiry and revocation take
effect at once: every check is made at the moment of access.

`decide_access` is the single rule the web layer, exports and the policy engine ask. It returns whether the
information may be shown and, either way, the reason in words a user can read (shown in place of withheld
information, and written to the audit trail). Every disclosure carries `REDISCLOSURE_NOTICE` (§2.32(a)(1),
statement 1) and the consent's scope (`Consent.scope`: what, to whom, for what purpose, until when).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from offramp.core.enums import DescribedEnum

#: §2.32(a)(1), statement 1 of the 2024 final rule (89 FR 12472): the statement that accompanies each
#: disclosure made with the patient's consent (docs/SOURCES.md#cfr-2-32). Statement 2 ("42 CFR part 2
#: prohibits unauthorized use or disclosure of these records.") is the short alternative; Offramp uses
#: statement 1 because it says what matters here: no use against the patient without consent or court order.
REDISCLOSURE_NOTICE = (
    "This record which has been disclosed to you is protected by Federal confidentiality rules (42 CFR part 2). "
    "These rules prohibit you from using or disclosing this record, or testimony that describes the "
    "information contained in this record, in any civil, criminal, administrative, or legislative proceedings "
    "by any Federal, State, or local authority, against the patient, unless authorized by the consent of the "
    "patient, except as provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR "
    "2.64 or 2.65. In addition, the Federal rules prohibit you from making any other use or disclosure of this "
    "record unless at least one of the following applies: (i) Further use or disclosure is expressly permitted "
    "by the written consent of the individual whose information is being disclosed in this record or as "
    "otherwise permitted by 42 CFR part 2. (ii) You are a covered entity or business associate and have "
    "received the record for treatment, payment, or health care operations, or (iii) You have received the "
    "record from a covered entity or business associate as permitted by 45 CFR part 164, subparts A and E. A "
    "general authorization for the release of medical or other information is NOT sufficient to meet the "
    "required elements of written consent to further use or redisclose the record (see 42 CFR 2.31)."
)

#: read to the person before a charging-use consent is signed (the form shows it and asks that it was read)
CHARGING_USE_WARNING = (
    "If you sign this, the prosecutor may use your treatment and screening records when deciding whether to "
    "charge you and with what. A result in these records can change that decision for you or against you. "
    "You do not have to sign. You may talk to a lawyer before you decide."
)

#: the event an irrevocable consent may run to at the latest (§2.35(c))
FINAL_DISPOSITION = "final disposition of the case"


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


class ConsentKind(DescribedEnum):
    MONITORING = (
        "monitoring",
        "Disclosure to the office to monitor the person's progress in diversion (§2.35). Never covers the "
        "charging decision.",
    )
    CHARGING_USE = (
        "charging_use",
        "The person's written consent to the use of the records in the charging decision (§2.32(a)(1); "
        "otherwise only a court order under §2.65 allows it). Needs a record that counsel was offered.",
    )


#: the purposes each kind of consent can cover: a monitoring consent never covers the charging decision
KIND_PURPOSES: dict[str, frozenset[str]] = {
    ConsentKind.MONITORING.value: frozenset({Purpose.MONITOR_DIVERSION.value}),
    ConsentKind.CHARGING_USE.value: frozenset({Purpose.CHARGING_DECISION.value}),
}


class CounselResponse(DescribedEnum):
    ACCEPTED = ("accepted", "The person accepted the offer and spoke with counsel.")
    DECLINED = ("declined", "The person declined the offer of counsel.")


@dataclass(frozen=True)
class CounselOffer:
    """That counsel was offered before a charging-use consent was signed: yes/no, the answer, who, when."""

    offered: bool
    response: str | None  # CounselResponse value; None when not offered
    offered_by: str
    offered_on: dt.date | None

    def problems(self) -> list[str]:
        found: list[str] = []
        if not self.offered:
            found.append("counsel was not offered: offer counsel before the person signs (office choice)")
            return found
        if self.response not in CounselResponse.values():
            found.append("say whether the person accepted or declined counsel")
        if not self.offered_by.strip():
            found.append("name who offered counsel")
        if self.offered_on is None:
            found.append("give the date counsel was offered")
        return found

    def describe(self) -> str:
        if not self.offered:
            return "Counsel was not offered."
        when = self.offered_on.isoformat() if self.offered_on else "date not recorded"
        return f"Counsel offered by {self.offered_by} on {when}; the person {self.response}."


class ConsentError(ValueError):
    """A consent Part 2 (or the office) does not allow; the message says why, in words a user can read."""


class AccessState(DescribedEnum):
    NONE = ("none", "No consent from this person is on file for this information.")
    VALID = ("valid", "A consent in force covers this user and this information.")
    NOT_STARTED = ("not_started", "The consent on file does not start until a later date.")
    EXPIRED = ("expired", "The consent on file has expired (its end date or end event has passed).")
    REVOKED = ("revoked", "The person revoked the consent.")
    OUT_OF_SCOPE = (
        "out_of_scope",
        "A consent is in force, but it does not name this user or role, this information or this purpose "
        "(a monitoring consent never covers the charging decision).",
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
    kind: str = ConsentKind.MONITORING.value
    counsel: CounselOffer | None = None
    #: irrevocable until the final disposition of the case (an event, §2.35(c)), whatever its date
    irrevocable_until_disposition: bool = False
    #: the case's final disposition date when known (the latest an irrevocable-until may run to)
    final_disposition_on: dt.date | None = None
    patient_name: str = ""

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ConsentError("; ".join(problems))
        if self.revoked_on is not None and not self.revocable_on(self.revoked_on):
            until = self.irrevocable_until or FINAL_DISPOSITION
            raise ConsentError(f"consent {self.consent_id} is irrevocable until {until} (§2.35(c))")

    def problems(self) -> list[str]:
        """Every way this consent falls short of Part 2 (or the office's rule for charging use)."""
        found: list[str] = []
        if self.expires_on is None and self.expiry_event is None:
            found.append("a Part 2 consent needs an expiry date or an expiry event (§2.31(a)(7))")
        if self.kind not in KIND_PURPOSES:
            found.append(f"unknown consent kind {self.kind!r}: expected one of {', '.join(KIND_PURPOSES)}")
        elif self.kind == ConsentKind.CHARGING_USE.value:
            if self.counsel is None:
                found.append("a charging-use consent needs a record that counsel was offered")
            else:
                found.extend(self.counsel.problems())
        return found

    def signing_problems(self) -> list[str]:
        """`problems()` plus what is checked when the consent is recorded: the patient's name (§2.31(a)(1))
        and an irrevocable-until date no later than the case's final disposition (§2.35(c)). Checked then,
        not on every read, because the ledger keeps what was signed and the disposition date is learned
        later."""
        found = self.problems()
        if not self.patient_name.strip():
            found.append("the consent must name the patient (§2.31(a)(1))")
        if self.irrevocable_until is not None:
            if self.final_disposition_on is None:
                found.append(
                    "the case's final disposition is not known, so an irrevocable-until date cannot be shown "
                    "to be no later than it (§2.35(c)): make the consent irrevocable until final disposition"
                )
            elif self.irrevocable_until > self.final_disposition_on:
                found.append(
                    f"irrevocable until {self.irrevocable_until} is later than the final disposition on "
                    f"{self.final_disposition_on} (§2.35(c))"
                )
        return found

    def revocable_on(self, day: dt.date) -> bool:
        if self.irrevocable_until is not None and day < self.irrevocable_until:
            return False
        if self.irrevocable_until_disposition:
            return self.final_disposition_on is not None and day >= self.final_disposition_on
        return True

    @property
    def covered_purposes(self) -> frozenset[str]:
        """The purposes this consent covers: those it names that its kind allows."""
        return self.purposes & KIND_PURPOSES.get(self.kind, frozenset())

    @property
    def scope(self) -> str:
        """What, to whom, for what purpose, until when: shown with every disclosure under this consent."""
        what = "; ".join(_described(SudInformation, i) for i in sorted(self.information))
        whom = ", ".join(sorted(self.recipient_roles) + sorted(self.recipient_users)) or "no one named"
        why = (
            "; ".join(_described(Purpose, p) for p in sorted(self.covered_purposes))
            or "no purpose this kind of consent covers"
        )
        ends = [self.expires_on.isoformat()] if self.expires_on else []
        if self.expiry_event:
            ends.append(self.expiry_event)
        kind = self.kind.replace("_", " ")
        return (
            f"Consent {self.consent_id} ({kind}) from {self.disclosing_program}. What: {what}. To whom: {whom}. "
            f"For what purpose: {why}. Until: {' or '.join(ends)}."
        )


def _described(enum: type[DescribedEnum], value: str) -> str:
    """The member's description without its full stop (the value itself when unknown)."""
    member = enum.parse(value)
    return (member.description if member is not None else value).rstrip(".")


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
    scope: str | None = None  # the consent's scope (what, to whom, for what purpose, until when), likewise


def _ended(consent: Consent, today: dt.date) -> bool:
    if consent.expires_on is not None and today > consent.expires_on:
        return True
    return consent.expiry_event_on is not None and today >= consent.expiry_event_on


def _revoked(consent: Consent, today: dt.date) -> bool:
    return consent.revoked_on is not None and today >= consent.revoked_on


def _covers(consent: Consent, viewer: Viewer, information: str, purpose: str) -> bool:
    """Names the viewer, the information and the purpose, and the purpose is one its kind can cover: a
    monitoring consent never covers the charging decision, whatever purposes it lists."""
    named = viewer.username in consent.recipient_users or bool(viewer.roles & consent.recipient_roles)
    return named and information in consent.information and purpose in consent.covered_purposes


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
        return AccessDecision(True, state, reason, best.consent_id, REDISCLOSURE_NOTICE, best.scope)
    return AccessDecision(False, state, f"{state.description} (consent {best.consent_id})", best.consent_id)


_RANK = {
    AccessState.VALID: 0,
    AccessState.OUT_OF_SCOPE: 1,
    AccessState.NOT_STARTED: 2,
    AccessState.EXPIRED: 3,
    AccessState.REVOKED: 4,
    AccessState.NONE: 5,
}
