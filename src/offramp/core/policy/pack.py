"""Policy packs: the office's charging and diversion policy as a dated, versioned YAML file.

A pack (after OpenFisca's parameters and reforms) names the office, id, version and effective dates; its
parameters carry dated values, each with a `reference:` to the source; its rules say `when` (conditions
over findings, facts and parameters), `then` (an outcome, program types, conditions), `because` (plain
words a defendant could read), `reference`, an explicit `precedence` and `flags`. A rule without an
outcome is an *attached* rule: it never decides, but its flags and conditions are added to whatever
outcome is chosen (victim consultation, overdose responses). Its `bars` (legal bars such as Georgia's
911 medical amnesty) say `when`, `because` and `reference` and are checked before any rule: a bar that
holds declines the case whatever the rules say.

`read_source` keeps the YAML line of every node (via `yaml.compose`), so that the checker and the loader's
errors can name the line of each problem. Loading a file (shape and checks) is `registry.load_pack`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from offramp.core.enums import DescribedEnum

Path_ = tuple[str | int, ...]


class Outcome(DescribedEnum):
    """The outcomes a policy rule can recommend (the `then` of a rule), in order of increasing severity: the
    one vocabulary of decision outcomes (the web's Decision choices and the analytics are derived from it)."""

    DECLINE = ("decline", "Decline to charge: no case is filed.")
    PRE_CHARGE_DIVERSION = (
        "pre_charge_diversion",
        "Divert before charging: no charge is filed if the program is completed.",
    )
    POST_CHARGE_DIVERSION = (
        "post_charge_diversion",
        "Charge, then divert: the charge is dismissed and the record restricted on completion.",
    )
    CHARGE_WITH_PLEA_GUIDANCE = (
        "charge_with_plea_guidance",
        "Charge, with guidance for the plea offer (e.g. a mitigating-role reduction).",
    )
    PROSECUTE = ("prosecute", "Charge and prosecute.")

    @property
    def label(self) -> str:
        """The short name pages and forms show ("Pre-charge diversion"); the description says more."""
        return OUTCOME_LABELS[self]


#: the one list of decision outcomes is `Outcome`; these are its short labels (the web's choices use them)
OUTCOME_LABELS = {
    Outcome.DECLINE: "Decline to charge",
    Outcome.PRE_CHARGE_DIVERSION: "Pre-charge diversion",
    Outcome.POST_CHARGE_DIVERSION: "Post-charge diversion",
    Outcome.CHARGE_WITH_PLEA_GUIDANCE: "Charge, with plea guidance",
    Outcome.PROSECUTE: "Prosecute",
}


class Flag(DescribedEnum):
    SUPERVISOR_APPROVAL = ("supervisor_approval", "A supervisor must approve the decision.")
    VICTIM_CONSULTATION = (
        "victim_consultation",
        "Consult the victim before any offer, and track restitution.",
    )


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ParameterValue(_Model):
    start: dt.date = Field(alias="from")
    end: dt.date | None = Field(default=None, alias="to")
    value: float | dict[str, float]


class Parameter(_Model):
    description: str = ""
    unit: str = ""
    reference: str | None = None
    values: list[ParameterValue] = Field(min_length=1)


class Then(_Model):
    outcome: Outcome | None = None
    program_types: list[str] = Field(default_factory=list)
    conditions: list[str] = Field(default_factory=list)
    #: charge-guidance codes, each declared in the pack's `charge_guidance:` section (issue 13)
    charge: list[str] = Field(default_factory=list)


class ChargeGuidance(_Model):
    """One piece of charge guidance a rule may give (`then.charge`): what to charge, and on what authority.
    `office_choice` marks guidance that is the office's policy, not a rule of law."""

    text: str
    reference: str
    office_choice: bool = False


#: the plea options a pack may order, each read from the eligibility finding of the same name
#: (`<option>_eligible`, core.evaluation.criteria.eligibility; safety_valve: criteria.safety_valve)
PLEA_OPTIONS = (
    "pretrial_intervention",
    "conditional_discharge",
    "first_offender",
    "accountability_court",
    "safety_valve",
)


class Plea(_Model):
    """The office's plea guidance: the plea options in its order of preference (PLEA_OPTIONS) and the
    outcome it prefers to seek, in words (e.g. a non-incarceration outcome)."""

    order: list[str] = Field(min_length=1)
    preferred_outcome: str
    reference: str


class Rule(_Model):
    id: str
    precedence: int
    when: Any = None
    then: Then
    because: str
    reference: str | None = None
    flags: list[Flag] = Field(default_factory=list)


class Bar(_Model):
    """A legal bar or harm-reduction carve-out: a condition under which the law (not the office's
    preference) says the case is not charged. Bars are checked before any rule: when one holds, the
    outcome is a declination and the bar is what decided (docs/ARCHITECTURE.md#bars). A bar has no
    precedence, flags or conditions: declining is not condoning, and a bar comes with no strings."""

    id: str
    when: Any = None
    because: str
    reference: str | None = None


class Effective(_Model):
    start: dt.date = Field(alias="from")
    end: dt.date | None = Field(default=None, alias="to")


class Pack(_Model):
    id: str
    office: str
    version: str
    title: str = ""
    reference: str | None = None
    effective: Effective
    parameters: dict[str, Parameter]
    rules: list[Rule] = Field(min_length=1)
    #: legal bars, checked before any rule, in file order (the first that holds is the one shown as chosen)
    bars: list[Bar] = Field(default_factory=list)
    #: code -> charge guidance, for rules' `then.charge` (optional: a pack written before issue 13 has none)
    charge_guidance: dict[str, ChargeGuidance] = Field(default_factory=dict)
    #: the office's plea guidance (optional, as above)
    plea: Plea | None = None

    def ordered_rules(self) -> list[Rule]:
        """Rules by precedence, highest first; equal precedence keeps file order (stable sort)."""
        return sorted(self.rules, key=lambda r: -r.precedence)


@dataclass(frozen=True)
class Problem:
    """One problem in a pack file, at a line (1-based; 0 when the file as a whole is at fault)."""

    line: int
    message: str


class PackError(Exception):
    """The pack file cannot be loaded; `problems` names the line of each."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}:{p.line}: {p.message}" for p in problems))


@dataclass(frozen=True)
class Source:
    """A pack file's parsed data and the line of every node, keyed by its path (keys and list indexes)."""

    data: Any
    lines: dict[Path_, int]

    def line(self, path: Path_) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so that Pydantic reports a bad date at its line instead of
    the YAML parser failing on, say, 2023-02-30."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _index_lines(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _index_lines(value, (*path, str(key.value)), lines)
            lines[(*path, str(key.value))] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, (*path, i), lines)


def read_source(path: Path) -> Source:
    """Parse `path` as YAML, keeping lines; PackError if it is unreadable or not YAML."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PackError(path, [Problem(0, f"cannot read the file ({exc.strerror})")]) from exc
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PackError(path, [Problem(mark.line + 1 if mark else 0, f"not valid YAML: {exc}")]) from exc
    lines: dict[Path_, int] = {}
    if node is not None:
        _index_lines(node, (), lines)
    return Source(data, lines)


def validation_problems(source: Source, error: ValidationError) -> list[Problem]:
    """Pydantic's errors as Problems at the line of the offending node."""
    problems = []
    for e in error.errors():
        loc = tuple(x for x in e["loc"] if not (isinstance(x, str) and x in {"float", "dict[str,float]"}))
        where = ".".join(str(x) for x in loc) or "pack"
        problems.append(Problem(source.line(loc), f"{where}: {e['msg']}"))
    return problems


def parse_pack(source: Source, path: Path) -> Pack:
    """The Pack model of `source`; PackError (with lines) if its shape is wrong."""
    if not isinstance(source.data, dict):
        raise PackError(path, [Problem(1, "a pack must be a YAML mapping (id, office, version, ...)")])
    try:
        return Pack.model_validate(source.data)
    except ValidationError as exc:
        raise PackError(path, validation_problems(source, exc)) from exc
