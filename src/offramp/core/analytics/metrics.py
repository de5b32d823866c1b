"""Prosecution metrics as data: each `Metric` says what it counts in words and in Polars expressions.

One `Metric` holds its name, definition, reference, and the expressions that compute it from the analytics
frame (`frame.ANALYTICS_SCHEMA`), so the definition page (`Metric.definition_markdown`,
`definitions_markdown`) is generated from the same object that computes the figure and cannot drift.

How a metric aggregates (`Aggregation`):

    count   numerator = cases where `numerator` holds; denominator null; value = numerator
    sum     numerator = sum of `numerator` (e.g. USD); denominator null; value = numerator
    rate    numerator = sum of `numerator`, denominator = sum of `denominator` (booleans count cases;
            USD columns sum money); value = numerator / denominator, null when the denominator is 0
    median  value = median of `numerator` (e.g. days) over the cases where `denominator` holds and the
            value is known; numerator = those measured cases, denominator = the eligible cases (so the
            share still undecided, still in a program ..., is visible); value null when none measured

Periods are cohorts: a case belongs to the period in which it was *received* (`received_date`), so every
figure of a period describes the same cases (a case received in December and disposed in January counts
in December's cohort). Justice Counts asks for events in a period; an office reporting to it should use
`period="year"` on a frame of cases received that year and say so.

`compute` does one `group_by` per breakdown (all metrics aggregated in that pass), then reshapes the wide
result to one row per metric x period x group.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import polars as pl

from offramp.core.analytics.dataset import COLUMN_MEANINGS, Decision, Period, period_expr
from offramp.core.enums import DescribedEnum, DispositionKind


class MetricGroup(DescribedEnum):
    JUSTICE_COUNTS = ("justice_counts", "Justice Counts prosecution metrics (CSG Justice Center).")
    PPI = ("ppi", "Prosecutorial Performance Indicators (FIU / Loyola Chicago), drug-relevant ones.")
    DIVERSION = ("diversion", "Diversion funnel: offer, acceptance, completion and return (NAPSA measures).")
    HEALTH = ("health", "Overdose-risk responses given: naloxone and MOUD linkage.")
    RESTITUTION = ("restitution", "Restitution ordered and collected for victims.")
    TIME = ("time", "Time from receipt to decision, and time in a program.")


class Unit(DescribedEnum):
    COUNT = ("count", "A number of cases.")
    RATE = ("rate", "A proportion between 0 and 1 (numerator / denominator).")
    DAYS = ("days", "A number of days (a median over the measured cases).")
    USD = ("usd", "US dollars (Float64 in analytics; the restitution ledger itself is exact).")


class Aggregation(DescribedEnum):
    COUNT = ("count", "The number of cases where the numerator condition holds.")
    SUM = ("sum", "The sum of the numerator's values (e.g. dollars).")
    RATE = ("rate", "Sum of the numerator over sum of the denominator; null when the denominator is 0.")
    MEDIAN = ("median", "The median of the numerator's values over the eligible cases that have one.")


ANALYTICS_ENUMS: tuple[type[DescribedEnum], ...] = (MetricGroup, Unit, Aggregation)

# --- building blocks (expressions over the analytics frame) ------------------------------------------------

_c = pl.col
#: every case (a column, not pl.lit(True): a literal aggregates to one value, not one per row)
REFERRED = _c("case_key").is_not_null()
DECIDED = _c("decision").is_not_null()
DECLINED = _c("decision") == Decision.DECLINED.value
DIVERTED_PRE = _c("decision") == Decision.DIVERTED_PRE_FILING.value
NOT_DECLINED = DECIDED & (_c("decision") != Decision.DECLINED.value)
DIVERTED_POST = _c("diverted_post_filing").fill_null(False)
DISPOSED = _c("disposition").is_not_null()
DISMISSAL = _c("disposition").is_in([DispositionKind.DISMISSED.value, DispositionKind.NOLLE_PROSEQUI.value])
PLEA = _c("disposition") == DispositionKind.PLEA_GUILTY.value
TRIAL = _c("disposition").is_in(
    [DispositionKind.FINDING_GUILTY.value, DispositionKind.FINDING_NOT_GUILTY.value]
)
CONVICTED = _c("disposition").is_in([d.value for d in DispositionKind if d.is_conviction])
FILED = _c("filed").fill_null(False)
OFFERED = _c("diversion_offered").fill_null(False)
ACCEPTED = _c("diversion_accepted").fill_null(False)
PROGRAM_OUTCOME_KNOWN = ACCEPTED & _c("diversion_completed").is_not_null()
COMPLETED = ACCEPTED & _c("diversion_completed").fill_null(False)
RETURNED = ACCEPTED & _c("diversion_returned").fill_null(False)
EXITED = ACCEPTED & _c("program_exited_on").is_not_null()
AT_RISK = _c("overdose_risk").fill_null(False)
VICTIM = _c("victim_involved").fill_null(False)


def _days(start: str, end: str) -> pl.Expr:
    return (_c(end) - _c(start)).dt.total_days()


@dataclass(frozen=True)
class Metric:
    """One metric: what it means (for people) and how it is computed (for Polars).

    `numerator` is a boolean expression for count and rate metrics over cases, a number for sum and
    money rates, the per-case value (e.g. days) for a median. `denominator` is the eligible cases (a
    boolean) or a money sum; None for count and sum metrics.
    """

    id: str
    name: str
    group: MetricGroup
    unit: Unit
    aggregation: Aggregation
    definition: str
    numerator_text: str
    denominator_text: str
    reference: str
    numerator: pl.Expr
    denominator: pl.Expr | None = None
    #: the columns the metric is meant to be read by (PPI 7.x are breakdowns, not single figures)
    breakdown_of: tuple[str, ...] = ()
    columns: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        needs_denominator = self.aggregation in (Aggregation.RATE, Aggregation.MEDIAN)
        if needs_denominator != (self.denominator is not None):
            raise ValueError(
                f"metric {self.id}: a {self.aggregation} metric "
                f"{'needs' if needs_denominator else 'takes no'} denominator"
            )
        used = set(self.numerator.meta.root_names())
        if self.denominator is not None:
            used |= set(self.denominator.meta.root_names())
        object.__setattr__(self, "columns", tuple(sorted(used)))

    @property
    def is_breakdown(self) -> bool:
        """True for a metric defined as a comparison between groups (read it with `by=breakdown_of`)."""
        return bool(self.breakdown_of)

    def definition_markdown(self) -> str:
        """The metric's definition page (Markdown), generated from this object."""
        lines = [
            f"## {self.name}",
            "",
            f"`{self.id}` · {self.group.description} · unit: {self.unit.value} ({self.unit.description})",
            "",
            self.definition,
            "",
            f"- **Numerator:** {self.numerator_text}",
            f"- **Denominator:** {self.denominator_text}",
            f"- **Aggregation:** {self.aggregation.value}: {self.aggregation.description}",
        ]
        if self.breakdown_of:
            lines.append(
                f"- **Breakdown:** this indicator is the comparison of its value across "
                f"{' and '.join(self.breakdown_of)}; compute it with `by={self.breakdown_of!r}`."
            )
        lines += [f"- **Reference:** {self.reference}", "- **Columns read:**"]
        lines += [f"  - `{c}`: {COLUMN_MEANINGS.get(c, '')}" for c in self.columns]
        lines += ["", "Computed as (Polars):", "", "```", f"numerator   = {self.numerator}"]
        if self.denominator is not None:
            lines.append(f"denominator = {self.denominator}")
        lines += ["```", ""]
        return "\n".join(lines)


JC = "Justice Counts, prosecution sector metrics (CSG Justice Center, justicecounts.csgjusticecenter.org)"
PPI = (
    "Prosecutorial Performance Indicators (FIU / Loyola University Chicago, "
    "prosecutorialperformanceindicators.org)"
)
NAPSA = (
    "NAPSA Standards on Pretrial Diversion (2021): program performance measures; "
    "APA prosecutor-led diversion toolkit"
)
COHORT = "all cases received in the period"


def _count(id: str, name: str, group: MetricGroup, definition: str, numerator: pl.Expr, text: str,
           reference: str) -> Metric:  # fmt: skip
    return Metric(id, name, group, Unit.COUNT, Aggregation.COUNT, definition, text,
                  "none: a count of cases", reference, numerator)  # fmt: skip


def _rate(id: str, name: str, group: MetricGroup, definition: str, numerator: pl.Expr, num_text: str,
          denominator: pl.Expr, den_text: str, reference: str,
          breakdown_of: tuple[str, ...] = ()) -> Metric:  # fmt: skip
    return Metric(id, name, group, Unit.RATE, Aggregation.RATE, definition, num_text, den_text, reference,
                  numerator, denominator, breakdown_of)  # fmt: skip


def _median_days(id: str, name: str, group: MetricGroup, definition: str, days: pl.Expr, num_text: str,
                 eligible: pl.Expr, den_text: str, reference: str) -> Metric:  # fmt: skip
    return Metric(id, name, group, Unit.DAYS, Aggregation.MEDIAN, definition, num_text, den_text, reference,
                  pl.when(eligible).then(days), eligible)  # fmt: skip


G = MetricGroup
METRICS: tuple[Metric, ...] = (
    # --- Justice Counts ----------------------------------------------------------------------------------
    _count("jc_cases_referred", "Cases referred", G.JUSTICE_COUNTS,
           "Cases referred to the office by law enforcement (every case received).",
           REFERRED, COHORT, JC),
    _count("jc_cases_declined", "Cases declined", G.JUSTICE_COUNTS,
           "Referred cases the office declined to prosecute.",
           DECLINED, "cases whose decision is 'declined'", JC),
    _count("jc_cases_diverted_pre_filing", "Cases diverted or deferred before filing", G.JUSTICE_COUNTS,
           "Cases diverted before any charge was filed.",
           DIVERTED_PRE, "cases whose decision is 'diverted_pre_filing'", JC),
    _count("jc_cases_diverted_post_filing", "Cases diverted or deferred after filing", G.JUSTICE_COUNTS,
           "Charged cases diverted or deferred after filing (deferred prosecution, drug court, other "
           "specialty court).",
           DIVERTED_POST, "cases with diverted_post_filing true", JC),
    _count("jc_cases_disposed", "Cases disposed", G.JUSTICE_COUNTS,
           "Cases with a final disposition of any kind.",
           DISPOSED, "cases with a disposition", JC),
    _count("jc_cases_disposed_dismissal", "Cases disposed by dismissal", G.JUSTICE_COUNTS,
           "Cases disposed by dismissal, by the court or by the prosecutor (nolle prosequi). A dismissal "
           "after completed diversion is counted as diversion, not here.",
           DISMISSAL, "cases with disposition 'dismissed' or 'nolle_prosequi'", JC),
    _count("jc_cases_disposed_plea", "Cases disposed by plea", G.JUSTICE_COUNTS,
           "Cases disposed by a guilty (or no-contest) plea.",
           PLEA, "cases with disposition 'plea_guilty'", JC),
    _count("jc_cases_disposed_trial", "Cases disposed by trial", G.JUSTICE_COUNTS,
           "Cases disposed by a finding or verdict at trial, guilty or not guilty.",
           TRIAL, "cases with disposition 'finding_guilty' or 'finding_not_guilty'", JC),
    # --- PPI ---------------------------------------------------------------------------------------------
    _rate("ppi_2_2_declination_rate", "PPI 2.2 Declination rate of drug cases", G.PPI,
          "Strategic case rejections: the share of decided drug referrals the office declined.",
          DECLINED, "decided cases declined", DECIDED, "cases with a charging decision",
          f"{PPI}, indicator 2.2"),
    _rate("ppi_2_4_incarceration_share", "PPI 2.4 Convictions with incarceration", G.PPI,
          "Reserving incarceration: the share of convictions whose sentence includes jail or prison "
          "(lower is better for low-level drug cases).",
          CONVICTED & _c("incarcerated").fill_null(False), "convictions with a jail or prison sentence",
          CONVICTED, "convictions (plea_guilty or finding_guilty)", f"{PPI}, indicator 2.4"),
    _rate("ppi_2_5_diversion_completion", "PPI 2.5 Diversion completion rate", G.PPI,
          "Accurate diversion decisions and placements, read through their outcome: the share of people "
          "who entered diversion and left it who completed it.",
          COMPLETED, "diverted people who completed the program", PROGRAM_OUTCOME_KNOWN,
          "diverted people with a known program outcome (completed or not)", f"{PPI}, indicator 2.5"),
    _rate("ppi_4_4_new_case_1y", "PPI 4.4 New case within 1 year of diversion exit", G.PPI,
          "Recidivism of diverted people: the share of program exits followed by a new case within one "
          "year (any new case; the frame does not yet tell felonies apart).",
          EXITED & _c("new_case_within_1y").fill_null(False), "exits followed by a new case within 1 year",
          EXITED & _c("new_case_within_1y").is_not_null(), "program exits whose 1-year window has elapsed",
          f"{PPI}, indicator 4.4; offramp.core.outcomes.followup"),
    _rate("ppi_4_4_new_case_3y", "PPI 4.4 New case within 3 years of diversion exit", G.PPI,
          "As the 1-year figure, over three years.",
          EXITED & _c("new_case_within_3y").fill_null(False), "exits followed by a new case within 3 years",
          EXITED & _c("new_case_within_3y").is_not_null(), "program exits whose 3-year window has elapsed",
          f"{PPI}, indicator 4.4; offramp.core.outcomes.followup"),
    _rate("ppi_4_7_naloxone_rate", "PPI 4.7 Naloxone given to people at overdose risk", G.PPI,
          "Addressing the opioid epidemic: the share of overdose-risk cases where naloxone was given.",
          AT_RISK & _c("naloxone_given").fill_null(False), "overdose-risk cases with naloxone given",
          AT_RISK, "cases with the overdose_risk finding", f"{PPI}, indicator 4.7"),
    _rate("ppi_4_7_moud_rate", "PPI 4.7 MOUD linkage of people at overdose risk", G.PPI,
          "Addressing the opioid epidemic: the share of overdose-risk cases linked to medication for "
          "opioid use disorder.",
          AT_RISK & _c("moud_linked").fill_null(False), "overdose-risk cases linked to MOUD",
          AT_RISK, "cases with the overdose_risk finding", f"{PPI}, indicator 4.7"),
    _rate("ppi_5_1_victim_contact_rate", "PPI 5.1 Victims contacted", G.PPI,
          "Victim outreach: the share of cases with a victim where the office has contacted the victim.",
          VICTIM & _c("victim_contacted_on").is_not_null(), "cases with a victim contacted",
          VICTIM, "cases with a victim", f"{PPI}, indicator 5.1"),
    _median_days("ppi_5_2_days_to_victim_contact", "PPI 5.2 Days to victim contact", G.PPI,
                 "Speedy victim contact: median days from receipt of the case to the first contact.",
                 _days("received_date", "victim_contacted_on"), "cases with a victim contacted (measured)",
                 VICTIM, "cases with a victim (eligible)", f"{PPI}, indicator 5.2"),
    _rate("ppi_7_3_filing_rate", "PPI 7.3 Filing rate by race and ethnicity", G.PPI,
          "Case filing by race/ethnicity: the share of decided referrals in which charges were filed, "
          "compared across groups (see also the disparity RRI at the 'charge' decision point).",
          DECIDED & FILED, "decided cases with charges filed", DECIDED, "cases with a charging decision",
          f"{PPI}, indicator 7.3", ("race", "ethnicity")),
    _rate("ppi_7_5_diversion_rate", "PPI 7.5 Diversion rate by race and ethnicity", G.PPI,
          "Diversion by race/ethnicity: the share of decided referrals diverted, before or after filing.",
          DECIDED & (DIVERTED_PRE | DIVERTED_POST), "decided cases diverted before or after filing",
          DECIDED, "cases with a charging decision", f"{PPI}, indicator 7.5", ("race", "ethnicity")),
    _rate("ppi_7_6_plea_rate", "PPI 7.6 Plea convictions by race and ethnicity", G.PPI,
          "Charging and plea outcomes by race/ethnicity: the share of filed, disposed cases resolved by a "
          "guilty plea (the frame records pleas entered, not plea offers made).",
          FILED & PLEA, "filed cases disposed by guilty plea", FILED & DISPOSED, "filed cases disposed",
          f"{PPI}, indicator 7.6", ("race", "ethnicity")),
    # --- diversion funnel --------------------------------------------------------------------------------
    _rate("diversion_offer_rate", "Diversion offer rate", G.DIVERSION,
          "The share of cases the office did not decline in which diversion was offered.",
          NOT_DECLINED & OFFERED, "not-declined cases with diversion offered",
          NOT_DECLINED, "decided cases not declined", NAPSA),
    _rate("diversion_acceptance_rate", "Diversion acceptance rate", G.DIVERSION,
          "The share of diversion offers accepted.",
          OFFERED & ACCEPTED, "offers accepted", OFFERED, "cases with diversion offered", NAPSA),
    _rate("diversion_completion_rate", "Diversion completion rate", G.DIVERSION,
          "NAPSA success rate: the share of participants with a known outcome who completed the program.",
          COMPLETED, "participants who completed", PROGRAM_OUTCOME_KNOWN,
          "participants with a known program outcome", NAPSA),
    _rate("diversion_return_rate", "Return to prosecution rate", G.DIVERSION,
          "The share of participants with a known outcome returned to prosecution.",
          RETURNED & PROGRAM_OUTCOME_KNOWN, "participants returned to prosecution", PROGRAM_OUTCOME_KNOWN,
          "participants with a known program outcome", NAPSA),
    # --- time --------------------------------------------------------------------------------------------
    _median_days("days_receipt_to_decision", "Median days from receipt to charging decision", G.TIME,
                 "Median days from the receipt of a referral to the charging decision.",
                 _days("received_date", "decided_on"), "decided cases with a decision date (measured)",
                 REFERRED, f"{COHORT} (eligible)", NAPSA + " (time to placement)"),
    _median_days("days_in_program", "Median days in a diversion program", G.TIME,
                 "Median days from program entry to exit (completion or termination).",
                 _days("program_entered_on", "program_exited_on"), "participants who exited (measured)",
                 ACCEPTED, "participants (eligible)", NAPSA + " (time in program)"),
    # --- health ------------------------------------------------------------------------------------------
    _count("health_overdose_risk_cases", "Cases with overdose risk", G.HEALTH,
           "Cases where the engine found a raised overdose risk.", AT_RISK,
           "cases with the overdose_risk finding",
           "docs/SOURCES.md#overdose-risk-factors; offramp.core.evaluation.criteria"),
    _count("health_naloxone_given", "Naloxone given", G.HEALTH,
           "Cases where naloxone was given, whatever the risk finding.",
           _c("naloxone_given").fill_null(False),
           "cases with naloxone_given",
           "docs/SOURCES.md#overdose-risk-factors (naloxone is an evidence-based response)"),
    _count("health_moud_linked", "Linked to MOUD", G.HEALTH,
           "Cases where the person was linked to medication for opioid use disorder.",
           _c("moud_linked").fill_null(False), "cases with moud_linked",
           "Krawczyk et al. 2017, Health Affairs (docs/SOURCES.md#krawczyk-2017)"),
    # --- restitution -------------------------------------------------------------------------------------
    Metric("restitution_ordered_usd", "Restitution ordered", G.RESTITUTION, Unit.USD, Aggregation.SUM,
           "Restitution ordered, net of reductions, in US dollars.",
           "sum of restitution_ordered_usd", "none: a sum", "offramp.core.victims.restitution (the exact ledger)",
           _c("restitution_ordered_usd").fill_null(0.0)),
    Metric("restitution_collected_usd", "Restitution collected", G.RESTITUTION, Unit.USD, Aggregation.SUM,
           "Restitution paid so far, in US dollars.",
           "sum of restitution_collected_usd", "none: a sum", "offramp.core.victims.restitution (the exact ledger)",
           _c("restitution_collected_usd").fill_null(0.0)),
    Metric("restitution_collection_rate", "Restitution collection rate", G.RESTITUTION, Unit.RATE,
           Aggregation.RATE,
           "Dollars collected over dollars ordered, across the cases with an order.",
           "sum of restitution_collected_usd over cases with an order",
           "sum of restitution_ordered_usd", "offramp.core.victims.restitution; APA diversion toolkit",
           pl.when(_c("restitution_ordered_usd") > 0).then(_c("restitution_collected_usd").fill_null(0.0))
           .otherwise(0.0),
           _c("restitution_ordered_usd").fill_null(0.0)),
)  # fmt: skip

METRICS_BY_ID: dict[str, Metric] = {m.id: m for m in METRICS}
if len(METRICS_BY_ID) != len(METRICS):
    raise RuntimeError("metric ids must be unique")

#: the breakdowns the report writes by default ("all" = no breakdown, one row per period)
BREAKDOWNS: tuple[str, ...] = ("all", "race", "ethnicity", "sex", "age_band", "severity", "offense_kind",
                               "drug", "seller_role")  # fmt: skip

RESULT_SCHEMA: dict[str, pl.DataType] = {
    "metric": pl.String(),
    "period": pl.String(),
    "group_by": pl.String(),
    "group": pl.String(),
    "numerator": pl.Float64(),
    "denominator": pl.Float64(),
    "value": pl.Float64(),
    "unit": pl.String(),
}


def definitions_markdown(metrics: Iterable[Metric] = METRICS) -> str:
    """The definition pages of `metrics`, one section each, in order."""
    return "# Metric definitions\n\n" + "\n".join(m.definition_markdown() for m in metrics)


#: an aggregation of a per-case term: (output column, term column, "sum" | "measured" | "median")
_Agg = tuple[str, str, str]


def _columns(m: Metric) -> tuple[list[pl.Expr], list[_Agg]]:
    """(per-case terms, their aggregations): elementwise first, then plain sums and medians (the group_by
    fast path; a when/then inside `agg` would run per group). Boolean terms stay Boolean (bit-packed:
    1,000,000 cases take 125 kB a term) and are summed as counts."""
    num, den, val = f"{m.id}\x1fn", f"{m.id}\x1fd", f"{m.id}\x1fv"
    if m.aggregation in (Aggregation.COUNT, Aggregation.SUM):
        return [m.numerator.alias(num)], [(num, num, "sum")]
    if m.denominator is None:
        raise ValueError(f"metric {m.id} ({m.aggregation.value}) needs a denominator: the cases it is over")
    if m.aggregation is Aggregation.RATE:
        return [m.numerator.alias(num), m.denominator.alias(den)], [(num, num, "sum"), (den, den, "sum")]
    # median: the per-case value where eligible
    terms = [m.numerator.alias(val), m.denominator.alias(den)]
    return terms, [(num, val, "measured"), (den, den, "sum"), (val, val, "median")]


def _plan(metrics: Sequence[Metric]) -> tuple[list[pl.Expr], list[pl.Expr], list[pl.Expr]]:
    """(unique per-case terms, unique aggregations, aliases restoring every metric's columns).

    Metrics share terms (e.g. every "decided cases" denominator): each distinct expression is computed and
    aggregated once, and the metrics' column names are aliases on the small aggregated table."""
    canonical: dict[str, str] = {}  # expression text -> the first column computing it
    rename: dict[str, str] = {}  # term column -> canonical column
    terms: list[pl.Expr] = []
    specs: list[_Agg] = []
    for m in metrics:
        exprs, aggs = _columns(m)
        for e in exprs:
            name = e.meta.output_name()
            key = str(e.meta.undo_aliases())
            if key not in canonical:
                canonical[key] = name
                terms.append(e)
            rename[name] = canonical[key]
        specs += aggs
    ops = {
        "sum": lambda c: pl.col(c).sum().cast(pl.Float64),
        "measured": lambda c: pl.col(c).is_not_null().sum().cast(pl.Float64),
        "median": lambda c: pl.col(c).median().cast(pl.Float64),
    }
    unique: dict[tuple[str, str], str] = {}
    aggregations: list[pl.Expr] = []
    aliases: list[pl.Expr] = []
    for out, term, op in specs:
        agg_key = (rename[term], op)
        if agg_key not in unique:
            unique[agg_key] = f"\x1fagg{len(unique)}"
            aggregations.append(ops[op](rename[term]).alias(unique[agg_key]))
        aliases.append(pl.col(unique[agg_key]).alias(out))
    return terms, aggregations, aliases


def _long(wide: pl.DataFrame, m: Metric, group_by: str) -> pl.DataFrame:
    num = pl.col(f"{m.id}\x1fn")
    null = pl.lit(None, pl.Float64)
    if m.aggregation in (Aggregation.COUNT, Aggregation.SUM):
        den, value = null, num
    elif m.aggregation is Aggregation.RATE:
        den = pl.col(f"{m.id}\x1fd")
        value = pl.when(den > 0).then(num / den).otherwise(null)
    else:
        den, value = pl.col(f"{m.id}\x1fd"), pl.col(f"{m.id}\x1fv")
    return wide.select(
        pl.lit(m.id).alias("metric"),
        pl.col("period"),
        pl.lit(group_by).alias("group_by"),
        pl.col("group"),
        num.alias("numerator"),
        den.alias("denominator"),
        value.alias("value"),
        pl.lit(m.unit.value).alias("unit"),
    )


def compute(
    frame: pl.DataFrame | pl.LazyFrame,
    metrics: Sequence[Metric] = METRICS,
    by: Sequence[str] = ("all", "race"),
    period: Period | None = "year",
) -> pl.DataFrame:
    """The metrics, one row per metric x period x breakdown group (columns: RESULT_SCHEMA).

    `frame` follows ANALYTICS_SCHEMA (use `frame.conform` first). `by` names the breakdown columns; "all"
    is the whole frame (group "all"). A null group value is reported as group "unknown". `period` labels
    each case by its received date (see `frame.period_expr`); None puts every case in period "all".
    Rows are sorted by metric (in `metrics` order), breakdown (in `by` order), period and group. A rate
    whose denominator is 0 has value null, never an error.
    """
    per_case, aggs, aliases = _plan(metrics)
    groups = [pl.col(name).cast(pl.String).fill_null("unknown") for name in by if name != "all"]
    # the per-case contributions once, then one group_by per breakdown over plain columns
    cases = (
        frame.lazy()
        .select(
            period_expr(period).alias("period"),
            *[g.alias(f"\x1fby{i}") for i, g in enumerate(groups)],
            *per_case,
        )
        .collect()
    )
    tables: list[pl.DataFrame] = []
    order = {m.id: i for i, m in enumerate(metrics)}
    k = 0
    for i, name in enumerate(by):
        if name == "all":
            group = pl.lit("all")
        else:
            group, k = pl.col(f"\x1fby{k}"), k + 1
        wide = cases.group_by("period", group.alias("group")).agg(aggs).select("period", "group", *aliases)
        long = pl.concat([_long(wide, m, name) for m in metrics]) if metrics else pl.DataFrame()
        tables.append(long.with_columns(pl.lit(i).alias("__by")))
    if not tables or not metrics:
        return pl.DataFrame(schema=RESULT_SCHEMA)
    out = pl.concat(tables).with_columns(
        pl.col("metric").replace_strict(order, return_dtype=pl.Int32).alias("__m")
    )
    out = out.sort("__m", "__by", "period", "group", nulls_last=True).drop("__m", "__by")
    return out.cast(RESULT_SCHEMA)  # type: ignore[arg-type]
