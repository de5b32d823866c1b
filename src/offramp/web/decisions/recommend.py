"""From a stored case to the policy's recommendation: the one adapter between the database and the engine.

The engine (offramp.core.evaluation) reads a Polars frame; a single case is a one-row frame with the trace
kept, so the page shows exactly what bulk evaluation would decide. The pack is the version of the office's
policy (setting OFFRAMP_POLICY: a pack id or a file) that was in force on the day the case was received,
because a case is judged by the rules of its day, not by whatever was merged last.

`recommend_case` is where every page gets a Recommendation: the core decision trace (core.decision) with the
pack's dates and the consent note. Which pack version is in force is core's (`core.policy.registry`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings

from offramp.core.decision import BarTrace, DecisionTrace, FindingTrace, RuleRow, RuleTrace
from offramp.core.decision.trace import ChargeGuidanceTrace, PleaOptionTrace
from offramp.core.evaluation.explain import explain
from offramp.core.evaluation.frame import case_frame
from offramp.core.policy import Outcome, Pack, registry
from offramp.core.policy.registry import effective
from offramp.core.screening import reading
from offramp.core.screening.consent import Purpose, SudInformation
from offramp.core.screening.reading import SCREEN_VALUE_TEXT, ScreeningOnFile
from offramp.web.cases.batch import batch_for
from offramp.web.cases.models import Case
from offramp.web.treatment.access import sud_access
from offramp.web.treatment.models import NeedsAssessment, Screening

log = logging.getLogger(__name__)


class RecommendationUnavailable(Exception):
    """The policy could not be evaluated for this case (no pack, or the pack is broken)."""


@dataclass(frozen=True)
class Recommendation:
    """What the policy says about one case: the core decision trace (which answers every question about
    the evaluation), plus what only the web knows: the pack version's dates, whether a version covered the
    case's date, and what the consent check said about the SUD screening."""

    trace: DecisionTrace
    effective_from: str | None = None
    effective_to: str | None = None
    #: False when no version of the pack covers the case's date and the newest one was used instead
    in_force: bool = True
    #: the latest SUD screening as the engine saw it: "positive"/"negative"/"taps2_needed"/
    #: "alcohol_or_tobacco" (used under consent; core SUD_SCREEN_USED),
    #: "withheld" (on file, not covered by consent), None (none on file); see SudScreen
    sud_screen: str | None = None
    #: what the page says about it: used under which consent, or why it was withheld
    sud_note: str = ""

    @property
    def case_key(self) -> str:
        return self.trace.case_key

    @property
    def policy_id(self) -> str:
        return self.trace.policy_id

    @property
    def policy_version(self) -> str:
        return self.trace.policy_version

    @property
    def outcome(self) -> str:
        return self.trace.outcome.value if self.trace.outcome else ""

    @property
    def bars(self) -> list[BarTrace]:
        """The legal bars that hold, shown before the reason (checked before any rule)."""
        return self.trace.bars

    @property
    def because(self) -> list[str]:
        return self.trace.because_lines()

    @property
    def chosen_rule(self) -> str | None:
        return self.trace.chosen_rule

    @property
    def matched_rules(self) -> list[RuleTrace]:
        return self.trace.matched_rules

    @property
    def rule_rows(self) -> list[RuleRow]:
        return self.trace.rule_rows()

    @property
    def offers(self) -> list[str]:
        return self.trace.offers()

    @property
    def findings(self) -> list[FindingTrace]:
        return self.trace.findings

    @property
    def parameter_dates(self) -> dict[str, str]:
        return self.trace.parameter_dates()

    @property
    def program_types(self) -> list[str]:
        return self.trace.program_types

    @property
    def conditions(self) -> list[str]:
        return self.trace.conditions

    @property
    def overdose_responses(self) -> list[str]:
        return self.trace.responses()

    # issue 13: charge and plea guidance, immigration warning (read from the trace; defaults for old ones)
    @property
    def charge_guidance(self) -> list[ChargeGuidanceTrace]:
        return self.trace.charge_guidance

    @property
    def plea_options(self) -> list[PleaOptionTrace]:
        return self.trace.plea_options

    @property
    def plea_preferred(self) -> str | None:
        return self.trace.plea_preferred

    @property
    def immigration_warning(self) -> bool:
        return self.trace.immigration_warning

    @property
    def immigration_text(self) -> str | None:
        return self.trace.immigration_text

    @property
    def supervisor_approval(self) -> bool:
        return self.trace.supervisor_approval

    @property
    def victim_consultation(self) -> bool:
        return self.trace.victim_consultation

    @property
    def sud_used(self) -> bool:
        return self.sud_screen not in (None, "withheld")


def recommendation_from(
    trace: DecisionTrace, pack: Pack, in_force: bool = True, sud: SudScreen | None = None
) -> Recommendation:
    """The page's Recommendation of an explanation under `pack` (whose dates the page shows)."""
    start, end = effective(pack)
    return Recommendation(
        trace=trace,
        effective_from=start.isoformat(),
        effective_to=end.isoformat() if end else None,
        in_force=in_force,
        sud_screen=sud.value if sud else None,
        sud_note=sud.note if sud else "",
    )


@dataclass(frozen=True)
class SudScreen:
    """The latest SUD screening of a case as one user's evaluation may use it (42 CFR Part 2)."""

    value: str | None  # a used value (screen_value) | "withheld" | None (no screening on file)
    note: str = ""


def sud_screen_for(case: Case, user: Any) -> SudScreen:
    """The case's latest screening, for `user`'s evaluation: used only when a charging-use consent in force
    covers the user, screening results and the purpose of a charging decision (a monitoring consent never
    does; core `decide_access`, audited by
    `sud_access` whichever way it goes); otherwise "withheld", with the reason. No user (a background job,
    a script): withheld, since no consent names "nobody"."""
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
    value = screen_value(case, latest)
    return SudScreen(
        value,
        f"Uses the {latest.instrument} screening of {latest.administered_at:%Y-%m-%d} "
        f"({SCREEN_VALUE_TEXT[value]}) under consent {decision.consent_id}. Scope: {decision.scope}",
    )


def on_file(row: Screening) -> ScreeningOnFile:
    return ScreeningOnFile(row.instrument, row.band, row.answers, row.administered_at)


def screen_value(case: Case, latest: Screening) -> str:
    """The `sud_screen` value of the case's latest screening: core `reading.screen_value` over the rows."""
    taps = Screening.objects.filter(case=case, instrument__startswith="taps-")
    return reading.screen_value(on_file(latest), [on_file(row) for row in taps])


def assessed_needs(case: Case) -> list[str] | None:
    """The latest needs assessment's tags (core's, as stored); None when the case has none."""
    latest = NeedsAssessment.objects.filter(case=case).only("tags").first()
    return None if latest is None else list(latest.tags)


def frame_for(case: Case, sud: SudScreen | None = None) -> Any:
    """The case's one-row evaluation frame: the stored case read back as a `CaseBatch` (`batch_for`, the
    reader every path uses) and turned into the engine's columns by core `case_frame`, with the needs
    assessment's tags and the SUD screening as `user` may see it joined in. Core decides the primary
    charge and the grams, so the page evaluates exactly the row a bulk run would."""
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
    """The office's policy folder (setting OFFRAMP_POLICY_DIR)."""
    return Path(settings.OFFRAMP_POLICY_DIR)


def pack_for(on: dt.date, policy: str | None = None) -> tuple[Pack, bool]:
    """The version of the configured pack (setting OFFRAMP_POLICY, or `policy`) in force on `on`, and
    whether one was: core's `registry.pack_for` over the office's policy folder."""
    return registry.pack_for(on, policy or settings.OFFRAMP_POLICY, policy_dir())


def recommend_case(case: Case, user: Any = None) -> Recommendation:
    """Evaluate the policy in force on the case's received date over the stored case, for `user`: a SUD
    screening on file is used only where 42 CFR Part 2 consent covers that user (`sud_screen_for`)."""
    sud = sud_screen_for(case, user)
    try:
        pack, in_force = pack_for(case.received_date)
        explanation = explain(frame_for(case, sud), pack)
    except Exception as exc:
        log.exception("evaluating case %s failed", case.case_key)
        raise RecommendationUnavailable(f"the policy could not be evaluated: {exc}") from exc
    return recommendation_from(explanation, pack, in_force, sud)


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


def overrides_bar(rec: Recommendation, outcome: str) -> bool:
    """Whether recording `outcome` goes against a legal bar that holds: any outcome but a declination on a
    barred case. Such a decision needs a written reason and a supervisor's approval, whatever the pack's
    flags say (docs/ARCHITECTURE.md#bars)."""
    return rec.trace.barred and outcome != Outcome.DECLINE.value
