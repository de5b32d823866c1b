"""From a stored case to the policy's recommendation: the one adapter between the database and the engine.

The engine (offramp.core.evaluation) reads a Polars frame; a single case is a one-row frame with the trace
kept, so the page shows exactly what bulk evaluation would decide. The pack is the version of the office's
policy (setting OFFRAMP_POLICY: a pack id or a file) that was in force on the day the case was received,
because a case is judged by the rules of its day, not by whatever was merged last.

`recommend_case` is the seam tests replace with a fake: everything else in the app reads a Recommendation.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

from offramp.web.cases.models import Case

log = logging.getLogger(__name__)


class RecommendationUnavailable(Exception):
    """The policy could not be evaluated for this case (no engine, no pack, or the pack is broken)."""


@dataclass(frozen=True)
class Recommendation:
    """What the policy says about one case, and why, in the shape the pages and the Decision need."""

    case_key: str
    policy_id: str
    policy_version: str
    outcome: str
    because: list[str]
    matched_rules: list[dict[str, Any]]
    trace: dict[str, Any]
    findings: Any = None
    parameter_dates: dict[str, Any] = field(default_factory=dict)
    effective_from: str | None = None
    effective_to: str | None = None
    #: False when no version of the pack covers the case's date and the newest one was used instead
    in_force: bool = True
    #: the latest SUD screening as the engine saw it: "positive"/"negative" (used under consent),
    #: "withheld" (on file, not covered by consent), None (none on file); see SudScreen
    sud_screen: str | None = None
    #: what the page says about it: used under which consent, or why it was withheld
    sud_note: str = ""

    @property
    def sud_used(self) -> bool:
        return self.sud_screen in ("positive", "negative")

    def findings_value(self, name: str) -> Any:
        """The value of finding `name` (the engine gives a list of {"name", "value", ...}), None if absent."""
        if isinstance(self.findings, dict):
            return self.findings.get(name)
        for finding in self.findings or []:
            if isinstance(finding, dict) and finding.get("name") == name:
                return finding.get("value")
        return None

    @property
    def supervisor_approval(self) -> bool:
        return self._flagged("supervisor_approval")

    @property
    def victim_consultation(self) -> bool:
        return self._flagged("victim_consultation")

    @property
    def chosen_rule(self) -> str | None:
        return self.trace.get("chosen_rule")

    def _flagged(self, name: str) -> bool:
        """The engine's `flags` are those of the chosen rule and of the rules attached to any outcome.
        They, not "any matched rule", decide: every matched rule is reported, including lower-precedence
        catch-alls (`charge-otherwise` carries supervisor_approval) that would otherwise queue every case.
        A trace without `flags` falls back to any matched rule."""
        if "flags" in self.trace:
            return name in _flag_names(self.trace.get("flags"))
        return any(_flag(rule, name) for rule in self.matched_rules)

    @property
    def program_types(self) -> list[str]:
        return [str(p) for p in self.trace.get("program_types") or []]

    @property
    def conditions(self) -> list[str]:
        return [str(c) for c in self.trace.get("conditions") or []]

    @property
    def overdose_responses(self) -> list[str]:
        """The responses the overdose-risk finding calls for (naloxone, MOUD continuity ...), wherever the
        engine puts them: in the finding, or in the `then` of a matched rule."""
        found: list[str] = []
        risk = self.findings.get("overdose_risk") if isinstance(self.findings, dict) else None
        sources = [risk] if isinstance(risk, dict) else []
        sources.append(self.trace)
        sources += [rule.get("then") or {} for rule in self.matched_rules]
        for source in sources:
            for key in ("responses", "overdose_responses"):
                for item in source.get(key) or []:
                    if str(item) not in found:
                        found.append(str(item))
        return found

    @property
    def flags(self) -> dict[str, bool]:
        return {
            "supervisor_approval": self.supervisor_approval,
            "victim_consultation": self.victim_consultation,
        }


def _flag_names(flags: Any) -> list[str]:
    """Flag names from {"name": bool} or ["name", ...] (the engine's Rule keeps a list)."""
    if isinstance(flags, dict):
        return [str(name) for name, on in flags.items() if on]
    return [str(name) for name in flags or []]


def _flag(rule: dict[str, Any], name: str) -> bool:
    return name in _flag_names(rule.get("flags"))


def _with_flag_dict(rule: dict[str, Any]) -> dict[str, Any]:
    return {**rule, "flags": {name: True for name in _flag_names(rule.get("flags"))}}


def recommendation_from(
    trace: dict[str, Any],
    case_key: str,
    pack: Any = None,
    in_force: bool = True,
    sud: SudScreen | None = None,
) -> Recommendation:
    """Read an Explanation.to_dict() into a Recommendation (pack gives the effective dates, when known)."""
    # the engine's Explanation.to_dict() has policy_id/policy_version; the brief's shape nests "policy"
    policy = trace.get("policy") or {}
    # the engine's order: highest precedence first, the deciding rule before the ones attached to it
    rules = [_with_flag_dict(rule) for rule in trace.get("matched_rules") or [] if isinstance(rule, dict)]
    top = trace.get("because")
    if top:
        because = [str(line) for line in top] if isinstance(top, list) else [str(top)]
    else:
        because = [str(rule["because"]) for rule in rules if rule.get("because")]
    return Recommendation(
        case_key=case_key,
        policy_id=str(policy.get("id") or trace.get("policy_id") or getattr(pack, "id", "")),
        policy_version=str(
            policy.get("version") or trace.get("policy_version") or getattr(pack, "version", "")
        ),
        outcome=str(trace.get("outcome") or ""),
        because=because,
        matched_rules=rules,
        trace=trace,
        findings=trace.get("findings"),
        parameter_dates=parameter_dates_of(trace),
        effective_from=_iso(effective(pack)[0] or policy.get("effective_from")),
        effective_to=_iso(effective(pack)[1] or policy.get("effective_to")),
        in_force=in_force,
        sud_screen=sud.value if sud else None,
        sud_note=sud.note if sud else "",
    )


def parameter_dates_of(trace: dict[str, Any]) -> dict[str, Any]:
    """{parameter: date its value took effect} from the trace's parameters, in whichever shape they come:
    {"name": {"value": .., "since"/"date"/"effective_from": ..}} or a list of such dicts with a "name"."""
    parameters = trace.get("parameters") or {}
    items = (
        parameters.items()
        if isinstance(parameters, dict)
        else ((p.get("name") or p.get("id"), p) for p in parameters if isinstance(p, dict))
    )
    dates: dict[str, Any] = {}
    for name, value in items:
        if isinstance(value, dict):
            for key in ("since", "date", "effective_from", "from", "as_of"):
                if value.get(key) is not None:
                    dates[str(name)] = str(value[key])
                    break
    return dates


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


@dataclass(frozen=True)
class SudScreen:
    """The latest SUD screening of a case as one user's evaluation may use it (42 CFR Part 2)."""

    value: str | None  # "positive" | "negative" | "withheld" | None (no screening on file)
    note: str = ""


def sud_screen_for(case: Case, user: Any) -> SudScreen:
    """The case's latest screening, for `user`'s evaluation: used only when a consent in force covers the
    user, screening results and the purpose of a charging decision (core `decide_access`, audited by
    `sud_access` whichever way it goes); otherwise "withheld", with the reason. No user (a background job,
    a script): withheld, since no consent names "nobody"."""
    from offramp.core.consent import Purpose, SudInformation
    from offramp.core.screening import get_instrument
    from offramp.web.treatment.access import sud_access
    from offramp.web.treatment.models import Screening

    latest = Screening.objects.filter(case=case).first()
    if latest is None:
        return SudScreen(None)
    if user is None or not getattr(user, "is_authenticated", False):
        return SudScreen(
            "withheld", "Made without SUD screening results: no signed-in user to check consent for."
        )
    decision = sud_access(
        user, case.person, SudInformation.SCREENING_RESULTS, Purpose.CHARGING_DECISION.value
    )
    if not decision.allowed:
        return SudScreen("withheld", f"Made without SUD screening results: {decision.reason}")
    positive = get_instrument(latest.instrument).band_named(latest.band).indicates_sud
    value = "positive" if positive else "negative"
    return SudScreen(
        value,
        f"Uses the {latest.instrument} screening of {latest.administered_at:%Y-%m-%d} ({value} screen) under "
        f"consent {decision.consent_id}.",
    )


def assessed_needs(case: Case) -> list[str] | None:
    """The latest needs assessment's tags (core's, as stored); None when the case has none."""
    from offramp.web.treatment.models import NeedsAssessment  # treatment builds on decisions' models

    latest = NeedsAssessment.objects.filter(case=case).only("tags").first()
    return None if latest is None else list(latest.tags)


def frame_for(case: Case, sud: SudScreen | None = None) -> Any:
    """The case's one-row evaluation frame: the stored case read back as a `CaseBatch` (`batch_for`, the
    reader every path uses) and turned into the engine's columns by core `case_frame`, with the needs
    assessment's tags and the SUD screening as `user` may see it joined in. Core decides the primary
    charge and the grams, so the page evaluates exactly the row a bulk run would."""
    import polars as pl

    from offramp.core.evaluation.frame import case_frame
    from offramp.web.cases.batch import batch_for

    batch = batch_for(Case.objects.filter(pk=case.pk), raw_text=False, staged=False)
    needs = pl.DataFrame(
        {"case_key": [case.case_key], "needs_assessed": [assessed_needs(case)]},
        schema={"case_key": pl.String(), "needs_assessed": pl.List(pl.String())},
    )
    screens = pl.DataFrame(
        {"case_key": [case.case_key], "sud_screen": [sud.value if sud else None]},
        schema={"case_key": pl.String(), "sud_screen": pl.String()},
    )
    return case_frame(batch, needs=needs, sud_screens=screens)


def policy_dir() -> Path:
    return Path(settings.OFFRAMP_POLICY_DIR)


def pack_for(on: dt.date, policy: str | None = None) -> tuple[Any, bool]:
    """The version of the configured pack in force on `on`, and whether one was: a path names one file;
    an id picks, among the policy folder's files of that id, the version whose dates cover the day."""
    from offramp.core.policy import resolve_pack

    policy = policy or settings.OFFRAMP_POLICY
    if policy.endswith((".yaml", ".yml")) or "/" in policy:
        pack = resolve_pack(policy)
        return pack, covers(pack, on)
    versions = []
    for path in sorted(policy_dir().glob("*.y*ml")):
        try:
            pack = _load(str(path), path.stat().st_mtime_ns)
        except Exception:  # a broken file elsewhere in the folder must not hide the pack we want
            log.warning("policy file %s does not load", path, exc_info=True)
            continue
        if pack.id == policy:
            versions.append(pack)
    in_force = [p for p in versions if covers(p, on)]
    if in_force:
        return max(in_force, key=lambda p: effective(p)[0] or dt.date.min), True
    if versions:
        return max(versions, key=lambda p: effective(p)[0] or dt.date.min), False
    pack = resolve_pack(policy)
    return pack, covers(pack, on)


@lru_cache(maxsize=64)
def _load(path: str, mtime_ns: int) -> Any:
    """A pack file, parsed and checked once per change (the case page picks a version on every view)."""
    from offramp.core.policy import resolve_pack

    return resolve_pack(path)


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def effective(pack: Any) -> tuple[dt.date | None, dt.date | None]:
    """A pack's (first, last) day in force: `effective_from/to`, or the pack file's `effective: {from, to}`."""
    period = getattr(pack, "effective", None)
    start = getattr(pack, "effective_from", None) or getattr(period, "start", None)
    end = getattr(pack, "effective_to", None) or getattr(period, "end", None)
    return _date(start), _date(end)


def covers(pack: Any, on: dt.date) -> bool:
    start, end = effective(pack)
    # `to` is exclusive, as for parameter periods: a version ending 2024-01-01 hands over to one from then
    return (start is None or start <= on) and (end is None or on < end)


def recommend_case(case: Case, user: Any = None) -> Recommendation:
    """Evaluate the policy in force on the case's received date over the stored case, for `user`: a SUD
    screening on file is used only where 42 CFR Part 2 consent covers that user (`sud_screen_for`)."""
    sud = sud_screen_for(case, user)
    try:
        from offramp.core.evaluation.engine import explain

        pack, in_force = pack_for(case.received_date)
        explanation = explain(frame_for(case, sud), pack)
    except ImportError as exc:
        raise RecommendationUnavailable(f"the policy engine is not installed ({exc})") from exc
    except Exception as exc:
        log.exception("evaluating case %s failed", case.case_key)
        raise RecommendationUnavailable(f"the policy could not be evaluated: {exc}") from exc
    return recommendation_from(explanation.to_dict(), case.case_key, pack, in_force, sud)


def recommend_once(request: Any, case: Case) -> Recommendation:
    """`recommend_case` for the signed-in user, once per case per request: the decision panel and the
    match panel on one page read the same recommendation, and the consent check behind it is made (and
    audited) once."""
    cache: dict[int, Recommendation | RecommendationUnavailable] = request.__dict__.setdefault(
        "_offramp_recommendations", {}
    )
    if case.pk not in cache:
        try:
            cache[case.pk] = recommend_case(case, request.user)
        except RecommendationUnavailable as exc:
            cache[case.pk] = exc
    found = cache[case.pk]
    if isinstance(found, RecommendationUnavailable):
        raise found
    return found
