"""The what-if simulation's assumptions: how many jail and prison days a charged drug case is expected to
cost, and how often diversion is completed. Every value is an assumption with its note; an office replaces
the shipped file (policies/simulation/assumptions.yaml) with one built from its own data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from offramp.core.policy import policy_dir
from offramp.core.policy.pack import Outcome

SEVERITIES = ("felony", "misdemeanor")
SEVERITY_FIELDS = ("incarceration_share", "prison_share", "prison_days", "jail_days", "pretrial_jail_days")
#: outcomes that put the case before a court at once; diversion outcomes do so only when not completed
CHARGED = (str(Outcome.CHARGE_WITH_PLEA_GUIDANCE), str(Outcome.PROSECUTE))
DIVERTED = (str(Outcome.PRE_CHARGE_DIVERSION), str(Outcome.POST_CHARGE_DIVERSION))

FORMULA = """\
charged(s)  = incarceration_share(s): share of charged cases of severity s that end in incarceration
jail(s)     = pretrial_jail_days(s) + incarceration_share(s) x (1 - prison_share(s)) x jail_days(s)
prison(s)   = incarceration_share(s) x prison_share(s) x prison_days(s)
exposure(o) = 0 for decline; 1 - diversion_completion_rate for pre-/post-charge diversion;
              1 for charge_with_plea_guidance and prosecute (and for a case no rule decided)
days(case)  = exposure(outcome) x (jail(s) + prison(s)), s = the primary charge's severity
              (unknown severity costed as unknown_severity)
avoided     = sum over cases of max(0, days under baseline - days under draft)
added       = sum over cases of max(0, days under draft - days under baseline)
net avoided = avoided - added"""


def default_assumptions_path(folder: str | Path | None = None) -> Path:
    """simulation/assumptions.yaml in the policy folder `folder` (default: the shipped packs' folder).

    A sub-folder, so that the policy page and `pack_for` (which read every *.yaml in the policy folder
    as a pack) never take it for one."""
    return policy_dir(folder) / "simulation" / "assumptions.yaml"


class AssumptionsError(ValueError):
    """The assumptions file is missing a value or has one out of range."""


@dataclass(frozen=True)
class Value:
    """One assumed number and where it came from (its `reference:` or `note:`)."""

    value: float
    note: str


DEFAULT_SLOT_DAYS = Value(180.0, "Assumption (default; the file gives no program_slot_days).")


@dataclass(frozen=True)
class Assumptions:
    """Configurable assumptions (see FORMULA). `severity[s][field]` for s in SEVERITIES, field in
    SEVERITY_FIELDS."""

    diversion_completion_rate: Value
    severity: dict[str, dict[str, Value]]
    program_slot_days: Value = field(default_factory=lambda: DEFAULT_SLOT_DAYS)
    unknown_severity: str = "misdemeanor"
    unknown_severity_note: str = ""
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Assumptions:
        """Read an assumptions YAML file (default: `default_assumptions_path()`)."""
        where = Path(path) if path is not None else default_assumptions_path()
        try:
            data = yaml.safe_load(where.read_text(encoding="utf-8"))
        except OSError as exc:
            raise AssumptionsError(f"{where}: cannot read the assumptions file ({exc.strerror})") from exc
        except yaml.YAMLError as exc:
            raise AssumptionsError(f"{where}: not valid YAML: {exc}") from exc
        return cls.from_dict(data, source=str(where))

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "") -> Assumptions:
        if not isinstance(data, dict):
            raise AssumptionsError(f"{source}: expected a mapping of assumptions")
        rate = _value(data, ("diversion_completion_rate",), source)
        slot = _value(data, ("program_slot_days",), source) if "program_slot_days" in data else None
        severity: dict[str, dict[str, Value]] = {}
        for sev in SEVERITIES:
            severity[sev] = {f: _value(data, ("severity", sev, f), source) for f in SEVERITY_FIELDS}
        unknown = data.get("unknown_severity", {"value": "misdemeanor"})
        unknown_value = unknown.get("value") if isinstance(unknown, dict) else unknown
        if unknown_value not in SEVERITIES:
            raise AssumptionsError(f"{source}: unknown_severity must be one of {', '.join(SEVERITIES)}")
        result = cls(
            diversion_completion_rate=rate,
            severity=severity,
            program_slot_days=slot or DEFAULT_SLOT_DAYS,
            unknown_severity=str(unknown_value),
            unknown_severity_note=_note(unknown) if isinstance(unknown, dict) else "",
            source=source,
        )
        result.check()
        return result

    def check(self) -> None:
        """Shares lie in [0, 1] and days are not negative; AssumptionsError names the value otherwise."""
        shares = [("diversion_completion_rate", self.diversion_completion_rate.value)]
        for sev, values in self.severity.items():
            shares += [
                (f"severity.{sev}.{f}", values[f].value) for f in ("incarceration_share", "prison_share")
            ]
            for f in ("prison_days", "jail_days", "pretrial_jail_days"):
                if values[f].value < 0:
                    raise AssumptionsError(f"{self.source}: severity.{sev}.{f} must not be negative")
        if self.program_slot_days.value <= 0:
            raise AssumptionsError(f"{self.source}: program_slot_days must be more than 0")
        for name, share in shares:
            if not 0 <= share <= 1:
                raise AssumptionsError(f"{self.source}: {name} must be a share between 0 and 1, not {share}")

    def jail_days(self, severity: str) -> float:
        """Expected jail days of one charged case of `severity` (pretrial + sentenced)."""
        v = {k: x.value for k, x in self.severity[severity].items()}
        return v["pretrial_jail_days"] + v["incarceration_share"] * (1 - v["prison_share"]) * v["jail_days"]

    def prison_days(self, severity: str) -> float:
        """Expected prison days of one charged case of `severity`."""
        v = {k: x.value for k, x in self.severity[severity].items()}
        return v["incarceration_share"] * v["prison_share"] * v["prison_days"]

    def exposure(self, outcome: str | None) -> float:
        """The chance a case with `outcome` is charged and sentenced (see FORMULA)."""
        if outcome == str(Outcome.DECLINE):
            return 0.0
        if outcome in DIVERTED:
            return 1.0 - self.diversion_completion_rate.value
        return 1.0

    def days_exprs(self, outcome: pl.Expr, severity: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
        """(expected jail days, expected prison days) per row, as Polars expressions."""
        sev = severity.fill_null(self.unknown_severity)
        sev = pl.when(sev.is_in(list(SEVERITIES))).then(sev).otherwise(pl.lit(self.unknown_severity))
        exposure = outcome.replace_strict(
            {o.value: self.exposure(o.value) for o in Outcome}, default=1.0, return_dtype=pl.Float64
        )
        jail = sev.replace_strict({s: self.jail_days(s) for s in SEVERITIES}, return_dtype=pl.Float64)
        prison = sev.replace_strict({s: self.prison_days(s) for s in SEVERITIES}, return_dtype=pl.Float64)
        return exposure * jail, exposure * prison

    def table(self) -> list[dict[str, Any]]:
        """Every assumption as rows (name, value, note) for the report."""
        rows: list[dict[str, Any]] = [
            {
                "name": "diversion_completion_rate",
                "value": self.diversion_completion_rate.value,
                "note": self.diversion_completion_rate.note,
            },
            {
                "name": "program_slot_days",
                "value": self.program_slot_days.value,
                "note": self.program_slot_days.note,
            },
            {"name": "unknown_severity", "value": self.unknown_severity, "note": self.unknown_severity_note},
        ]
        for sev, values in self.severity.items():
            rows += [{"name": f"{sev}.{f}", "value": v.value, "note": v.note} for f, v in values.items()]
        rows += [
            {"name": f"expected jail days per charged {s} case", "value": round(self.jail_days(s), 2),
             "note": "derived (formula)"} for s in SEVERITIES
        ]  # fmt: skip
        rows += [
            {"name": f"expected prison days per charged {s} case", "value": round(self.prison_days(s), 2),
             "note": "derived (formula)"} for s in SEVERITIES
        ]  # fmt: skip
        return rows


def _note(node: dict[str, Any]) -> str:
    parts = [str(node[k]).strip() for k in ("reference", "note") if node.get(k)]
    return " ".join(parts)


def _value(data: dict[str, Any], path: tuple[str, ...], source: str) -> Value:
    node: Any = data
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    name = ".".join(path)
    if not isinstance(node, dict) or "value" not in node:
        raise AssumptionsError(f"{source}: {name} needs a `value:` (and a `reference:` or `note:`)")
    if not (node.get("reference") or node.get("note")):
        raise AssumptionsError(f"{source}: {name} needs a `reference:` or `note:` saying where it came from")
    raw = node["value"]
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise AssumptionsError(f"{source}: {name} must be a number, not {raw!r}")
    return Value(float(raw), _note(node))
