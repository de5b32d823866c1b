"""Substance use disorder indicated: a positive screen where consent lets it be used, else a proxy.

When the latest SUD screening (UNCOPE, DAST-10, TAPS-1, TCU Drug Screen 5) is on file and 42 CFR Part 2
consent lets this evaluation use it (`sud_screen` is "positive" or "negative"), the screen decides: positive
at the instrument's published cut-off (core `screening.instruments`, `Band.indicates_sud`). A screen is not
a diagnosis (docs/SOURCES.md#screening): it indicates a need for assessment and treatment, which is what the
policy's diversion rules ask.

Otherwise (no screen on file, or one withheld for want of consent) the finding falls back to the PROXY
from case facts: injection use or a prior overdose on file, both markers of problem use that the toolkit's
first recommendation asks decisions to take into account (IIP/Vital Strategies 2021). The drug class
(opioid or methamphetamine) is listed as context. A withheld screen is listed under "unknown", and the
explanation says the recommendation was made without it.
"""

from __future__ import annotations

import polars as pl

from offramp.core.evaluation.criteria.base import Criterion, Finding, Params, any_of, reason_columns
from offramp.core.evaluation.criteria.enums import OPIOIDS

NAME = "sud_indicated"


def exprs(params: Params) -> dict[str, pl.Expr]:
    screen = pl.col("sud_screen")
    usable = screen.is_in(["positive", "negative"])
    # null (unknown) when no usable screen: listed as unknown, counted as absent
    screen_positive = pl.when(usable).then(screen == "positive").otherwise(None)
    markers = {"injection_use": pl.col("injection_use"), "prior_overdose": pl.col("prior_overdose")}
    context = {"opioid_or_methamphetamine": pl.col("drug").is_in([*OPIOIDS, "methamphetamine"])}
    value = pl.when(usable).then(screen == "positive").otherwise(any_of(markers))
    indicators = {"screening_positive": screen_positive, **markers, **context}
    return {NAME: value, **reason_columns(NAME, indicators)}


CRITERION = Criterion(
    name=NAME,
    description=(
        "A positive SUD screen where consent allows its use; otherwise the proxy: injection use or a "
        "prior overdose on file."
    ),
    reference=(
        "IIP/Vital Strategies 'A New Approach' (2021) rec. 1; docs/SOURCES.md#iip-vital-strategies-2021, "
        "docs/SOURCES.md#screening, docs/SOURCES.md#overdose, docs/SOURCES.md#42-cfr-part-2."
    ),
    findings=(Finding(NAME, "bool"),),
    exprs=exprs,
)
