"""The decision trace: why one case got its recommendation, as one typed, versioned object.

`explain` builds it, a Decision stores it as JSON (`to_dict`), and every later reader — the case page, the
supervisor queue, the admin, the analytics snapshot — reads it back through `from_dict`, the one schema.
Before this, each reader guessed among several dict shapes, so a change to the engine's output could
silently turn a finding into "unknown" on one page and not another.

Versions: the shape `Explanation.to_dict()` wrote before the schema had a version is version 1, and a
stored trace without `trace_version` is read as version 1. A trace from a newer Offramp is refused rather
than half-read. Reading is strict (unknown keys, missing keys and wrong types are errors), because a
stored decision is evidence: a trace that does not say what we expect must say so, naming the field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from offramp.core.policy.pack import Flag, Outcome

#: `sud_screen` values that come from a screening used under 42 CFR Part 2 consent (the evaluation frame's
#: SUD_SCREEN_USED, repeated here because the trace sits below the evaluation; a test keeps them equal)
SUD_SCREEN_USED = ("positive", "negative", "taps2_needed", "alcohol_or_tobacco")
#: the findings a used screening decides or feeds, hidden from readers without consent
SUD_SCREEN_FINDINGS = ("sud_indicated", "refer_for_clinical_assessment", "alcohol_or_tobacco_need", "needs")
#: what a rule may read that a SUD screening decides: those findings and the screening fact itself
SCREEN_NAMES = frozenset({*SUD_SCREEN_FINDINGS, "sud_screen"})

#: the version `to_dict` writes; raise it (and teach `_upgrade` the old one) when the shape changes
TRACE_VERSION = 1
VERSION_KEY = "trace_version"


class TraceError(ValueError):
    """A stored trace that cannot be read: every problem, each naming the field (`matched_rules.0.id`)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("the stored decision trace cannot be read: " + "; ".join(problems))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class FindingTrace(_Model):
    """One finding of the criteria: its value and the facts present, absent or unknown behind it."""

    name: str
    value: Any
    present: list[str]
    absent: list[str]
    unknown: list[str]
    description: str
    reference: str | None

    @property
    def shown(self) -> dict[str, Any]:
        """What holds and the facts that made it so, for a page (description and reference stay here)."""
        shown: dict[str, Any] = {"holds": self.value}
        for key in ("present", "absent", "unknown"):
            if getattr(self, key):
                shown[key] = getattr(self, key)
        return shown


class RuleTrace(_Model):
    """A rule that matched, as the pack said it when the case was evaluated."""

    id: str
    precedence: int
    outcome: Outcome | None
    program_types: list[str]
    conditions: list[str]
    because: str
    reference: str | None
    flags: list[Flag]
    #: the findings and facts the rule's `when` reads; None in a trace stored before this was recorded
    reads: list[str] | None = None

    def rests_on_screen(self) -> bool:
        """Whether the rule reads what a SUD screening decides (unknown for a trace stored without `reads`:
        then it is taken to, so that 42 CFR Part 2 redaction errs on the side of withholding)."""
        return self.reads is None or bool(set(self.reads) & SCREEN_NAMES)

    @property
    def supervisor_approval(self) -> bool:
        return Flag.SUPERVISOR_APPROVAL in self.flags

    @property
    def victim_consultation(self) -> bool:
        return Flag.VICTIM_CONSULTATION in self.flags


#: how a matched rule took part in the recommendation (DecisionTrace.rule_role), in words for a reader
RULE_ROLES = {
    "decided": "decided the case",
    "attached": "attached to the outcome",
    "offered": "offered; a declination carries no conditions",
    "also_matched": "also matched; lower precedence, did not decide (its reason is not shown as one)",
}

#: why a declination carries no conditions (IIP / Vital Strategies 2021 rec. 2)
NO_STRINGS = "declining is not condoning, and a declination comes with no strings"


@dataclass(frozen=True)
class RuleRow:
    """A matched rule as shown: its role (a RULE_ROLES key), the role in words, and the `because` shown."""

    rule: RuleTrace
    role: str
    label: str
    because: str | None


class BarTrace(_Model):
    """A legal bar that held (Georgia's 911 medical amnesty, harm-reduction supplies): checked before any
    rule, it declines the case; recording another outcome needs a written reason and a supervisor."""

    id: str
    because: str
    reference: str | None
    #: the findings and facts the bar's `when` reads
    reads: list[str] = Field(default_factory=list)

    def rests_on_screen(self) -> bool:
        return bool(set(self.reads) & SCREEN_NAMES)


class ParameterTrace(_Model):
    """A parameter's value on the evaluation date, the value the pack declared and the period in force."""

    name: str
    value: float | None
    declared: float | dict[str, float] | None
    start: dt.date | None = Field(alias="from")
    end: dt.date | None = Field(alias="to")
    unit: str
    reference: str | None


class ChargeGuidanceTrace(_Model):
    """One piece of charge guidance the deciding rule gave (`then.charge`), as the pack declared it."""

    code: str
    text: str
    reference: str
    office_choice: bool = False


class PleaOptionTrace(_Model):
    """One plea option in the office's order of preference: whether the facts make it eligible, why (or
    which facts were unknown), its source, and whether it needs a plea or admission that would count as a
    conviction under 8 U.S.C. 1101(a)(48)(A)."""

    option: str
    eligible: bool
    reasons: list[str]
    reference: str
    conviction_for_immigration: bool


class DecisionTrace(_Model):
    """Why one case got its recommendation: everything a stored decision keeps as its trace.

    `facts` holds JSON values only (dates as ISO text), so that a trace read back equals the one written.
    """

    policy_id: str
    policy_version: str
    office: str
    case_key: str
    evaluated_on: dt.date | None
    outcome: Outcome | None
    chosen_rule: str | None
    because: str | None
    flags: list[Flag]
    program_types: list[str]
    conditions: list[str]
    overdose_responses: list[str]
    parameters: list[ParameterTrace]
    findings: list[FindingTrace]
    matched_rules: list[RuleTrace]
    facts: dict[str, Any]
    #: what the recommendation was made without, or with, that a reader must know (SUD screening notes)
    notes: list[str] = Field(default_factory=list)
    #: the legal bars that held, in the pack's order (the first decided); [] in a trace stored before bars
    bars: list[BarTrace] = Field(default_factory=list)
    #: issue 13, each with a default so that a trace stored before reads as it was: the deciding rule's
    #: charge guidance, the plea options in the office's order, and the immigration warning (Padilla)
    charge_guidance: list[ChargeGuidanceTrace] = Field(default_factory=list)
    plea_options: list[PleaOptionTrace] = Field(default_factory=list)
    plea_preferred: str | None = None
    immigration_warning: bool = False
    immigration_text: str | None = None

    # --- the schema -----------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types only (dates as ISO text), with the schema version first."""
        body: dict[str, Any] = self.model_dump(mode="json", by_alias=True)
        return {VERSION_KEY: TRACE_VERSION, **body}

    @classmethod
    def from_dict(cls, data: Any) -> DecisionTrace:
        """Read a stored trace of any version this code knows; TraceError naming each bad field."""
        if not isinstance(data, dict):
            raise TraceError([f"expected a JSON object, not {type(data).__name__}"])
        try:
            return cls.model_validate(_upgrade(data))
        except ValidationError as exc:
            raise TraceError(
                [f"{'.'.join(str(x) for x in e['loc']) or 'trace'}: {e['msg']}" for e in exc.errors()]
            ) from exc

    # --- what the pages and the decision read ----------------------------------------------------------

    @property
    def supervisor_approval(self) -> bool:
        """A supervisor must approve. The engine's `flags` are those of the chosen rule and of the rules
        attached to any outcome; they, not "any matched rule", decide: a lower-precedence catch-all that
        also matched (and carries the flag) must not queue every case."""
        return Flag.SUPERVISOR_APPROVAL in self.flags

    @property
    def victim_consultation(self) -> bool:
        """The victim must be consulted before any offer (same rule as `supervisor_approval`)."""
        return Flag.VICTIM_CONSULTATION in self.flags

    def because_lines(self) -> list[str]:
        """The plain-words reason: the chosen rule's `because` only. A lower-precedence rule that also
        matched did not decide, and its `because` presumes it did ("There is a safety concern", "No rule
        above applied"), so it is never a reason. With no chosen rule, the attached rules' reasons."""
        if self.because:
            return [self.because]
        return [rule.because for rule in self.matched_rules if rule.outcome is None and rule.because]

    @property
    def barred(self) -> bool:
        """A legal bar holds: the recommendation is a declination the law requires, and recording any other
        outcome needs a written reason and a supervisor's approval."""
        return bool(self.bars)

    def bar_lines(self) -> list[str]:
        """Each bar that holds, in words, for the top of an explanation (bars come before any reason)."""
        return [f"{b.id}: {b.because} ({b.reference})" for b in self.bars]

    @property
    def declined(self) -> bool:
        return self.outcome == Outcome.DECLINE

    def bar_ids(self) -> list[str]:
        return [b.id for b in self.bars]

    def rule_role(self, rule: RuleTrace) -> str:
        """How a matched rule took part: RULE_ROLES' key."""
        if rule.id == self.chosen_rule:
            return "decided"
        if rule.outcome is None:
            return "offered" if self.declined else "attached"
        return "also_matched"

    def rule_rows(self) -> list[RuleRow]:
        """The matched rules as a reader sees them: each with its role and the `because` shown for it —
        the deciding rule's and the attached rules' own; none for a rule that also matched but did not
        decide (its text would state as a reason what did not decide the case)."""
        rows = []
        for rule in self.matched_rules:
            role = self.rule_role(rule)
            rows.append(
                RuleRow(rule, role, RULE_ROLES[role], None if role == "also_matched" else rule.because)
            )
        return rows

    def approval_rules(self) -> list[RuleTrace]:
        """The rules whose supervisor_approval flag is in force: the deciding rule and attached ones (the
        same rule as `supervisor_approval`), never a lower-precedence rule that did not decide."""
        return [
            r for r in self.matched_rules if r.supervisor_approval and self.rule_role(r) != "also_matched"
        ]

    def offers(self) -> list[str]:
        """On a declination: what the attached rules offer (treatment, naloxone, referrals), which are
        offers and never conditions of the declination (declining is not condoning: no strings)."""
        if not self.declined:
            return []
        return list(dict.fromkeys(c for r in self.matched_rules if r.outcome is None for c in r.conditions))

    def finding(self, name: str) -> FindingTrace | None:
        return next((f for f in self.findings if f.name == name), None)

    def finding_value(self, name: str) -> Any:
        """The value of finding `name`; None when the trace has no such finding."""
        found = self.finding(name)
        return None if found is None else found.value

    def finding_values(self) -> dict[str, Any]:
        return {f.name: f.value for f in self.findings}

    def parameter_dates(self) -> dict[str, str]:
        """{parameter: ISO date its value took effect}, for the parameters that had a value in force."""
        return {p.name: p.start.isoformat() for p in self.parameters if p.start is not None}

    def responses(self) -> list[str]:
        """The overdose responses called for, each once, in the engine's order."""
        return list(dict.fromkeys(self.overdose_responses))

    def without_sud(self, placeholder: str) -> DecisionTrace:
        """The trace without what a SUD screening contributed (42 CFR Part 2), for readers that cannot ask
        for consent: the `sud_screen` fact and the notes about it become `placeholder`, and when a screen
        was used, so do the findings it decided (`sud_indicated`, and `needs`, which it feeds) and every
        matched rule that reads them: its id and `because` become `placeholder`, and its conditions and
        program types go, here and from the recommendation's lists (unless a rule that reads no screening
        result asks for them too). The outcome stays: it is the office's decision, recorded apart."""
        facts = dict(self.facts)
        used = facts.get("sud_screen") in SUD_SCREEN_USED
        if facts.get("sud_screen") is not None:
            facts["sud_screen"] = placeholder
        notes = [placeholder] if self.notes else []
        if not used:
            return self.model_copy(update={"facts": facts, "notes": notes})
        findings = [
            f.model_copy(update={"value": placeholder, "present": [], "absent": [], "unknown": []})
            if f.name in SUD_SCREEN_FINDINGS
            else f
            for f in self.findings
        ]
        hidden = [r for r in self.matched_rules if r.rests_on_screen()]

        def drop(values: list[str], field: str) -> list[str]:
            """`values` without those only withheld rules asked for (the deciding rule's program types;
            its and the attached rules' conditions: the rules that make the recommendation's lists)."""
            makers = [r for r in self.matched_rules if r.id == self.chosen_rule or r.outcome is None]
            asked_by_kept = {v for r in makers if r not in hidden for v in getattr(r, field)}
            return [v for v in values if v in asked_by_kept]

        # each withheld rule gets its own label, so that which one decided still reads right
        names = {id(r): f"{placeholder} [rule {k}]" for k, r in enumerate(hidden, start=1)}
        rules = [
            r.model_copy(
                update={"id": names[id(r)], "because": placeholder, "conditions": [], "program_types": []}
            )
            if id(r) in names
            else r
            for r in self.matched_rules
        ]
        chosen = next((names[id(r)] for r in hidden if r.id == self.chosen_rule), None)
        bars = [
            b.model_copy(update={"id": f"{placeholder} [bar {k}]", "because": placeholder})
            if b.rests_on_screen()
            else b
            for k, b in enumerate(self.bars, start=1)
        ]
        chosen = chosen or next(
            (n.id for b, n in zip(self.bars, bars, strict=True) if b.id == self.chosen_rule and n is not b),
            None,
        )
        return self.model_copy(
            update={
                "bars": bars,
                "facts": facts,
                "findings": findings,
                "notes": notes,
                "matched_rules": rules,
                "chosen_rule": chosen or self.chosen_rule,
                "because": placeholder if chosen else self.because,
                "conditions": drop(self.conditions, "conditions"),
                "program_types": drop(self.program_types, "program_types"),
            }
        )

    def pretrial_lines(self) -> list[str]:
        """The pretrial position (criteria/pretrial.py) with its reasons; [] for a trace without one."""
        position = self.finding_value("pretrial_position")
        if position is None:
            return []
        custody = " (in custody now: this is decided first)" if self.facts.get("in_custody") else ""
        lines = ["Pretrial position:", f"  {position}{custody}"]
        reasons = self.finding_value("pretrial_reasons") or []
        if reasons:
            lines.append(f"  reasons: {', '.join(str(r) for r in reasons)}")
        return lines

    def to_text(self) -> str:
        """The explanation for a person to read (the `offramp explain` output)."""
        lines = [f"case {self.case_key} under {self.policy_id} {self.policy_version} ({self.office})"]
        in_custody = bool(self.facts.get("in_custody"))
        if in_custody:  # a person held now needs the release position before anything else
            lines += self.pretrial_lines()
        if self.bars:
            lines.append(
                "legal bars (checked before any rule; another outcome needs a reason and a supervisor):"
            )
            for bar in self.bars:
                lines += [
                    f"  ! {bar.id}",
                    f"      because: {bar.because}",
                    f"      reference: {bar.reference}",
                ]
        lines += [
            f"recommendation: {self.outcome} ({'bar' if self.chosen_rule in self.bar_ids() else 'rule'} "
            f"{self.chosen_rule})",
            f"  because: {'the legal bar above' if self.chosen_rule in self.bar_ids() else self.because}",
        ]
        lines += [f"  note: {note}" for note in self.notes]
        for label, items in (
            ("flags", [str(f) for f in self.flags]),
            ("program types", self.program_types),
            ("conditions", self.conditions),
            ("overdose responses", self.overdose_responses),
        ):
            if items:
                lines.append(f"  {label}: {'; '.join(items)}")
        offers = self.offers()
        if offers:
            lines.append(f"  offered (not conditions: {NO_STRINGS}): {'; '.join(offers)}")
        if not in_custody:
            lines += self.pretrial_lines()
        if self.charge_guidance:
            lines.append("Charge options:")
            for g in self.charge_guidance:
                policy = " (office choice)" if g.office_choice else ""
                lines.append(f"  - {g.text}{policy} [{g.code}; {g.reference}]")
        if self.plea_options:
            lines.append("Plea options (office's order of preference):")
            if self.plea_preferred:
                lines.append(f"  preferred outcome: {self.plea_preferred}")
            for o in self.plea_options:
                mark = "eligible" if o.eligible else "not eligible on the facts"
                conviction = (
                    "; counts as a conviction for immigration" if o.conviction_for_immigration else ""
                )
                lines.append(f"  - {o.option}: {mark}{conviction} ({o.reference})")
                lines += [f"      {r}" for r in o.reasons]
        if self.immigration_warning:
            lines.append("Immigration:")
            lines.append(f"  warning: {self.immigration_text}")
        lines.append("findings:")
        for f in self.findings:
            lines.append(f"  {f.name}: {f.value}")
            for key in ("present", "absent", "unknown"):
                if getattr(f, key):
                    lines.append(f"    {key}: {', '.join(getattr(f, key))}")
        lines.append("matched rules (highest precedence first):")
        for row in self.rule_rows():
            r = row.rule
            mark = "*" if row.role == "decided" else "-"
            lines.append(
                f"  {mark} {r.id} [precedence {r.precedence}] -> {r.outcome or 'attached'}: {row.label}"
            )
            if row.because:
                lines.append(f"      because: {row.because}")
            lines.append(f"      reference: {r.reference}")
        lines.append("parameters:")
        for p in self.parameters:
            period = f"{p.start} to {p.end or 'open'}"
            lines.append(f"  {p.name} = {p.value} (in force {period}; {p.reference})")
        lines.append("facts used:")
        lines += [f"  {k}: {'unknown' if v is None else v}" for k, v in self.facts.items()]
        return "\n".join(lines)


def _upgrade(data: dict[str, Any]) -> dict[str, Any]:
    """`data` in the current shape, without its version key. Version 1 (or none: traces stored before the
    schema had a version) is the current shape."""
    body = {k: v for k, v in data.items() if k != VERSION_KEY}
    version = data.get(VERSION_KEY, 1)
    if isinstance(version, bool) or not isinstance(version, int):
        raise TraceError([f"{VERSION_KEY}: expected a whole number, not {version!r}"])
    if version > TRACE_VERSION:
        raise TraceError(
            [
                f"{VERSION_KEY}: {version} was written by a newer Offramp (this one reads up to {TRACE_VERSION})"
            ]
        )
    if version < 1:
        raise TraceError([f"{VERSION_KEY}: {version} is not a version (the first is 1)"])
    return body


def read_trace(data: Any) -> DecisionTrace:
    """`DecisionTrace.from_dict`: the one way a stored trace is read."""
    return DecisionTrace.from_dict(data)
