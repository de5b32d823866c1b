"""The offer letter (issue 13, defence view): a plain-language, printable letter for the person and their
lawyer. It reads what is stored: the referral (program, plea stage, counsel, admission), its conditions,
the case's latest decision trace (the reasons, the findings that held, and whatever eligibility or plea
options the trace carries), and the record-relief statute (setting OFFRAMP_RELIEF_STATUTE).

The letter leaves the office, so the decision trace is read without what a SUD screening contributed
(core `DecisionTrace.without_sud`, 42 CFR Part 2), whoever prints it, and it never carries statements
made in screening or diversion (not for prosecution, and not needed to explain the offer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from offramp.core.decision import TraceError
from offramp.core.diversion.voluntariness import CounselStatus
from offramp.core.enums import PleaStage
from offramp.web.decisions.service import latest_decision
from offramp.web.diversion import service
from offramp.web.diversion.models import Referral

#: the sender when OFFRAMP_OFFICE_NAME is blank (as on the victims' letters)
DEFAULT_OFFICE_NAME = "District Attorney's Office"
#: what the letter says in place of anything a SUD screening decided (42 CFR Part 2)
SUD_OMITTED = "not shown in this letter (42 CFR Part 2)"
#: trace fields the letter lists when present (added by other parts of issue 13; read, not required)
OPTIONAL_TRACE_PREFIXES = ("eligib", "plea")

VOLUNTARY = (
    "Taking part is your choice. You may say no, and you may talk to a lawyer before you decide. Saying no "
    "is not held against you: the case goes on in the ordinary way, and you keep every defence you have."
)
STATEMENTS = (
    "What you say during screening or in the program is not shared with the prosecutors handling your case "
    "(office policy: not for prosecution)."
)


@dataclass
class Letter:
    referral: Referral
    program_stage: str
    conditions: list[Any]
    because: list[str] = field(default_factory=list)
    findings: list[tuple[str, str]] = field(default_factory=list)
    program_types: list[str] = field(default_factory=list)
    policy_conditions: list[str] = field(default_factory=list)
    other_options: list[tuple[str, str]] = field(default_factory=list)
    decision_note: str = ""
    completion: str = ""
    counsel: str = ""
    admission: str = ""
    voluntary: str = VOLUNTARY
    statements: str = STATEMENTS


def _label(name: str) -> str:
    return name.replace("_", " ")


def _shown_value(value: Any) -> str | None:
    """A finding's value in words, or None when it did not hold (False, empty, unknown)."""
    if value is None or value is False or value in ([], ""):
        return None
    if value is True:
        return "yes"
    if isinstance(value, list | tuple):
        return ", ".join(_label(str(v)) for v in value)
    return _label(str(value))


def _completion(referral: Referral) -> str:
    stage = PleaStage.parse(referral.plea_stage or "")
    what = (
        stage.description
        if stage is not None
        else "When you complete the program, the charges are dismissed."
    )
    statute = service.relief_statute()
    if statute is None:
        return f"{what} The office's configuration names no record-restriction statute for this program."
    return (
        f"{what} Your record may then be restricted (closed to the public) under {statute.code} "
        f"({statute.title}, {statute.jurisdiction})."
    )


def _admission(referral: Referral) -> str:
    if referral.plea_stage == PleaStage.POST_PLEA.value:
        return "This program is entered after a guilty plea in court; talk to your lawyer before any plea."
    if referral.admission_required:
        return (
            "Office policy asks for an admission of the facts before this program. Talk to your lawyer first."
        )
    return "You do not have to admit guilt to take part."


def _counsel(referral: Referral) -> str:
    status = CounselStatus.parse(referral.counsel)
    recorded = status.description if status else "Not recorded."
    return f"{recorded} You have the right to talk to a lawyer before you decide."


def build(referral: Referral) -> Letter:
    stage = PleaStage.parse(referral.plea_stage or "")
    letter = Letter(
        referral=referral,
        program_stage=stage.description if stage else "",
        conditions=list(referral.conditions.all()),
        completion=_completion(referral),
        counsel=_counsel(referral),
        admission=_admission(referral),
    )
    decision = latest_decision(referral.case)
    if decision is None:
        letter.decision_note = "No charging decision is on file for this case yet."
        return letter
    try:
        trace = decision.decision_trace
    except TraceError:
        trace = None
    if trace is None:
        letter.decision_note = "The decision on file does not record its reasons."
        return letter
    trace = trace.without_sud(SUD_OMITTED)
    letter.because = trace.because_lines()
    letter.program_types = [_label(p) for p in trace.program_types]
    letter.policy_conditions = [_label(c) for c in trace.conditions]
    for finding in trace.findings:
        shown = _shown_value(finding.value)
        if shown is not None:
            letter.findings.append(((finding.description or _label(finding.name)).rstrip("."), shown))
    for key, value in trace.model_dump(mode="json").items():
        if key.startswith(OPTIONAL_TRACE_PREFIXES) and value:
            letter.other_options.append((_label(key), _plain(value)))
    return letter


def _plain(value: Any) -> str:
    """Any JSON value the trace may carry, in words (lists joined, objects as 'key: value')."""
    if isinstance(value, dict):
        return "; ".join(
            f"{_label(str(k))}: {_plain(v)}" for k, v in value.items() if v not in (None, "", [])
        )
    if isinstance(value, list):
        return "; ".join(_plain(v) for v in value)
    return _label(str(value)) if isinstance(value, str) else str(value)
