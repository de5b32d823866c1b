"""Relative Rate Index (RRI) at each decision point, with counts, confidence intervals and suppression.

The method is OJJDP's (Disproportionate Minority Contact Technical Assistance Manual, 4th ed., 2009, ch. 1;
docs/SOURCES.md#rri). At each decision point a group's *rate* is the count of cases that reached the
outcome divided by the count at the stage before (its *base*), and the RRI is the group's rate divided by
the reference group's rate (by default white). An RRI of 1.0 means the same rate as the reference group;
2.0, twice the rate; 0.5, half. The counts stand beside every index.

`DECISION_POINTS` are data: each names its outcome, its base (the stage before) and both as expressions
over the analytics frame. Bases count only cases already past the stage before *with a known result*
(e.g. completion is over participants whose program outcome is known), so cases still pending do not
dilute a group's rate.

The confidence interval is the log method for a ratio of two proportions (Katz et al. 1978): with a of n1
cases in the group and c of n2 in the reference,

    RRI = (a/n1) / (c/n2),   se = sqrt(1/a - 1/n1 + 1/c - 1/n2),   CI = exp(ln RRI ± z·se)

Small cells: when the group's or the reference's outcome count or base is below `min_cell`, the row is
`suppressed`: rate, RRI and CI are null (the group's own rate stays if only the reference is small). The
counts remain in this internal table; `public()` blanks every count below `min_cell` for publication.

Reading `within=` (stratified RRIs): with `within="offense_kind"` (or "seller_role") the result has, per
decision point and group,

    estimate = "stratum"          the RRI inside each stratum (e.g. among possession cases only)
    estimate = "crude"            the RRI over all strata together (what `within=None` gives)
    estimate = "mantel_haenszel"  the strata pooled (Mantel-Haenszel risk ratio, Greenland-Robins
                                  variance): the RRI once the stratum is held constant

If the crude RRI is far from 1 and the Mantel-Haenszel RRI is near 1, the difference is explained by the
stratum: the groups are referred for different charges (or found in different seller roles), and within
each charge they are treated alike. If the Mantel-Haenszel RRI stays far from 1, the difference is not
explained by the stratum: like cases are treated differently. Strata where one side has no cases add
nothing to the pooled estimate. (Whether the stratum itself is distributed fairly is a separate
question: look at the RRI at the earlier decision points, and at referral.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import polars as pl

from offramp.core.analytics import metrics as m
from offramp.core.analytics.dataset import Period, period_expr


@dataclass(frozen=True)
class DecisionPoint:
    """One decision point: `outcome` among `base` (the cases at the stage before, with a known result)."""

    id: str
    name: str
    outcome: pl.Expr
    base: pl.Expr
    outcome_text: str
    base_text: str


DECISION_POINTS: tuple[DecisionPoint, ...] = (
    DecisionPoint("declination", "Declination", m.DECLINED & m.DECIDED, m.DECIDED,
                  "referrals declined", "referrals with a charging decision"),
    DecisionPoint("diversion_offer", "Diversion offer", m.NOT_DECLINED & m.OFFERED, m.NOT_DECLINED,
                  "not-declined referrals offered diversion", "decided referrals the office did not decline"),
    DecisionPoint("acceptance", "Diversion acceptance", m.OFFERED & m.ACCEPTED, m.OFFERED,
                  "offers accepted", "diversion offers"),
    DecisionPoint("completion", "Diversion completion", m.COMPLETED, m.PROGRAM_OUTCOME_KNOWN,
                  "participants who completed", "participants with a known program outcome"),
    DecisionPoint("charge", "Charge filed", m.DECIDED & m.FILED, m.DECIDED,
                  "referrals with charges filed", "referrals with a charging decision"),
    DecisionPoint("plea", "Guilty plea", m.FILED & m.PLEA, m.FILED & m.DISPOSED,
                  "filed cases disposed by guilty plea", "filed cases disposed"),
    DecisionPoint("incarceration", "Incarceration", m.CONVICTED & pl.col("incarcerated").fill_null(False),
                  m.CONVICTED, "convictions with jail or prison", "convictions"),
)  # fmt: skip

DECISION_POINTS_BY_ID: dict[str, DecisionPoint] = {p.id: p for p in DECISION_POINTS}

RRI_SCHEMA: dict[str, pl.DataType] = {
    "decision_point": pl.String(),
    "period": pl.String(),
    "group_by": pl.String(),
    "group": pl.String(),
    "reference_group": pl.String(),
    "within": pl.String(),
    "stratum": pl.String(),
    "estimate": pl.String(),
    "numerator": pl.Int64(),
    "base": pl.Int64(),
    "rate": pl.Float64(),
    "reference_numerator": pl.Int64(),
    "reference_base": pl.Int64(),
    "reference_rate": pl.Float64(),
    "rri": pl.Float64(),
    "ci_low": pl.Float64(),
    "ci_high": pl.Float64(),
    "suppressed": pl.Boolean(),
    "note": pl.String(),
}

_KEYS = ["decision_point", "period"]


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def _counts(frame: pl.LazyFrame, by: str, within: str | None, period: Period | None,
            points: Sequence[DecisionPoint]) -> pl.DataFrame:  # fmt: skip
    """Outcome and base counts per decision point x period x stratum x group (one group_by)."""
    stratum = (
        pl.lit(None, pl.String) if within is None else pl.col(within).cast(pl.String).fill_null("unknown")
    )
    per_case = []
    for p in points:
        per_case += [
            p.outcome.fill_null(False).alias(f"{p.id}\x1fa"),
            p.base.fill_null(False).alias(f"{p.id}\x1fn"),
        ]
    # the per-case flags first, then plain sums (the group_by fast path)
    wide = (
        frame.select(
            period_expr(period).alias("period"),
            stratum.alias("stratum"),
            pl.col(by).cast(pl.String).fill_null("unknown").alias("group"),
            *per_case,
        )
        .group_by("period", "stratum", "group")
        .agg(pl.exclude("period", "stratum", "group").sum())
        .collect()
    )
    return pl.concat(
        wide.select(
            pl.lit(p.id).alias("decision_point"),
            "period",
            "stratum",
            "group",
            pl.col(f"{p.id}\x1fa").cast(pl.Int64).alias("numerator"),
            pl.col(f"{p.id}\x1fn").cast(pl.Int64).alias("base"),
        )
        for p in points
    )


def _with_reference(counts: pl.DataFrame, keys: list[str], reference: str) -> pl.DataFrame:
    ref = counts.filter(pl.col("group") == reference).select(
        *keys, pl.col("numerator").alias("reference_numerator"), pl.col("base").alias("reference_base")
    )
    return counts.join(ref, on=keys, how="left", nulls_equal=True).with_columns(
        pl.col("reference_numerator", "reference_base").fill_null(0)
    )


def _rate(a: pl.Expr, n: pl.Expr) -> pl.Expr:
    return pl.when(n > 0).then(a / n).otherwise(None)


def _ratio_rows(table: pl.DataFrame, reference: str, min_cell: int, z: float) -> pl.DataFrame:
    """rate, reference rate, RRI, CI, suppressed and note for crude and stratum rows."""
    a, n1 = pl.col("numerator"), pl.col("base")
    c, n2 = pl.col("reference_numerator"), pl.col("reference_base")
    small_group = (a < min_cell) | (n1 < min_cell)
    small_ref = (c < min_cell) | (n2 < min_cell)
    rate = _rate(a, n1)
    ref_rate = _rate(c, n2)
    is_ref = pl.col("group") == reference
    rri = (
        pl.when(is_ref & (n1 > 0) & (a > 0))
        .then(1.0)
        .when((ref_rate > 0) & rate.is_not_null())
        .then(rate / ref_rate)
    )
    se = ((1 / a) - (1 / n1) + (1 / c) - (1 / n2)).sqrt()
    ok = ~is_ref & (a > 0) & (c > 0) & (n1 > 0) & (n2 > 0)
    ci_low = pl.when(ok).then((rri.log() - z * se).exp())
    ci_high = pl.when(ok).then((rri.log() + z * se).exp())
    suppressed = small_group | small_ref
    note = (
        pl.when(n1 == 0).then(pl.lit("no cases at the stage before in this group"))
        .when(n2 == 0).then(pl.lit("no cases at the stage before in the reference group"))
        .when(suppressed).then(pl.lit(f"suppressed: a count below {min_cell}"))
        .when(is_ref).then(pl.lit("reference group"))
        .when(c == 0).then(pl.lit("reference rate is zero: no ratio"))
        .when(a == 0).then(pl.lit("zero count: no confidence interval"))
    )  # fmt: skip
    return table.with_columns(
        pl.when(~small_group).then(rate).alias("rate"),
        pl.when(~small_ref).then(ref_rate).alias("reference_rate"),
        pl.when(~suppressed).then(rri).alias("rri"),
        pl.when(~suppressed).then(ci_low).alias("ci_low"),
        pl.when(~suppressed).then(ci_high).alias("ci_high"),
        suppressed.alias("suppressed"),
        note.alias("note"),
    )


def _mantel_haenszel(strata: pl.DataFrame, reference: str, min_cell: int, z: float) -> pl.DataFrame:
    """Pooled RRI across strata per decision point x period x group (Mantel-Haenszel risk ratio).

    RR_MH = Σ(a·n2/N) / Σ(c·n1/N), N = n1 + n2 per stratum; Var(ln RR_MH) (Greenland & Robins 1985) =
    Σ((n1·n2·(a+c) - a·c·N) / N²) / (Σ(a·n2/N) · Σ(c·n1/N)).
    """
    a, n1 = pl.col("numerator"), pl.col("base")
    c, n2 = pl.col("reference_numerator"), pl.col("reference_base")
    big_n = n1 + n2
    pooled = (
        strata.filter(big_n > 0)
        .group_by("decision_point", "period", "group")
        .agg(
            a.sum().alias("numerator"),
            n1.sum().alias("base"),
            c.sum().alias("reference_numerator"),
            n2.sum().alias("reference_base"),
            (a * n2 / big_n).sum().alias("__r"),
            (c * n1 / big_n).sum().alias("__s"),
            ((n1 * n2 * (a + c) - a * c * big_n) / big_n.pow(2)).sum().alias("__v"),
        )
    )
    r, s = pl.col("__r"), pl.col("__s")
    is_ref = pl.col("group") == reference
    small = (a < min_cell) | (n1 < min_cell) | (c < min_cell) | (n2 < min_cell)
    rri = pl.when(is_ref & (r > 0)).then(1.0).when(s > 0).then(r / s)
    se = (pl.col("__v") / (r * s)).sqrt()
    ok = ~is_ref & (r > 0) & (s > 0) & (pl.col("__v") >= 0)
    note = (
        pl.when(small).then(pl.lit(f"suppressed: a count below {min_cell}"))
        .when(is_ref).then(pl.lit("reference group"))
        .when(s == 0).then(pl.lit("reference rate is zero in every stratum: no ratio"))
        .when(r == 0).then(pl.lit("zero count: no confidence interval"))
        .otherwise(pl.lit("Mantel-Haenszel pooled across strata"))
    )  # fmt: skip
    return pooled.with_columns(
        pl.lit(None, pl.Float64).alias("rate"),
        pl.lit(None, pl.Float64).alias("reference_rate"),
        pl.when(~small).then(rri).alias("rri"),
        pl.when(~small & ok).then((rri.log() - z * se).exp()).alias("ci_low"),
        pl.when(~small & ok).then((rri.log() + z * se).exp()).alias("ci_high"),
        small.alias("suppressed"),
        note.alias("note"),
    ).drop("__r", "__s", "__v")


def rri(
    frame: pl.DataFrame | pl.LazyFrame,
    by: str = "race",
    reference: str = "white",
    within: str | None = None,
    min_cell: int = 5,
    confidence: float = 0.95,
    period: Period | None = None,
    points: Sequence[DecisionPoint] = DECISION_POINTS,
) -> pl.DataFrame:
    """The RRI table (columns: RRI_SCHEMA) of every group of `by` against `reference`.

    One row per decision point x period x group with estimate "crude"; with `within` (e.g.
    "offense_kind", "seller_role") also one row per stratum ("stratum") and one pooled row
    ("mantel_haenszel") per decision point x period x group. `by` can be any text column: race,
    ethnicity, sex, age_band ... A null group or stratum is "unknown". Zero bases give null rates, never
    an error; a zero reference rate gives a null RRI with a note.
    """
    z = _z(confidence)
    lazy = frame.lazy()
    counts = _counts(lazy, by, within, period, points)
    crude_counts = counts.group_by("decision_point", "period", "group").agg(pl.col("numerator", "base").sum())
    crude = _ratio_rows(_with_reference(crude_counts, _KEYS, reference), reference, min_cell, z).with_columns(
        pl.lit(None, pl.String).alias("stratum"), pl.lit("crude").alias("estimate")
    )
    parts = [crude]
    if within is not None:
        strata = _with_reference(counts, [*_KEYS, "stratum"], reference)
        parts.append(
            _ratio_rows(strata, reference, min_cell, z).with_columns(pl.lit("stratum").alias("estimate"))
        )
        parts.append(
            _mantel_haenszel(strata, reference, min_cell, z).with_columns(
                pl.lit(None, pl.String).alias("stratum"), pl.lit("mantel_haenszel").alias("estimate")
            )
        )
    order = {p.id: i for i, p in enumerate(points)}
    estimates = {"crude": 0, "mantel_haenszel": 1, "stratum": 2}
    out = pl.concat(
        [
            t.with_columns(
                pl.lit(by).alias("group_by"),
                pl.lit(reference).alias("reference_group"),
                pl.lit(within, pl.String).alias("within"),
            ).select(list(RRI_SCHEMA))
            for t in parts
        ],
        how="vertical_relaxed",
    ).cast(RRI_SCHEMA)  # type: ignore[arg-type]
    return (
        out.with_columns(
            pl.col("decision_point").replace_strict(order, return_dtype=pl.Int32).alias("__p"),
            pl.col("estimate").replace_strict(estimates, return_dtype=pl.Int32).alias("__e"),
            (pl.col("group") != reference).alias("__r"),
        )
        .sort("__p", "period", "__e", "stratum", "__r", "group", nulls_last=True)
        .drop("__p", "__e", "__r")
    )


def public(table: pl.DataFrame, min_cell: int = 5) -> pl.DataFrame:
    """`table` (from `rri`) fit for publication: every count below `min_cell` blanked (null).

    Rates, RRIs and CIs of suppressed rows are already null; this also hides the small counts themselves
    (a zero is a small count too). Use the same `min_cell` as the `rri` call.
    """
    counts = ["numerator", "base", "reference_numerator", "reference_base"]
    return table.with_columns(pl.when(pl.col(c) >= min_cell).then(pl.col(c)).alias(c) for c in counts)


def log_ci(a: int, n1: int, c: int, n2: int, confidence: float = 0.95) -> tuple[float, float, float]:
    """(RRI, low, high) for one pair of counts, by the same formula as `rri` (for checks and single cells)."""
    ratio = (a / n1) / (c / n2)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    z = _z(confidence)
    return ratio, math.exp(math.log(ratio) - z * se), math.exp(math.log(ratio) + z * se)
