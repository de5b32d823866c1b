"""Substance use disorder indicated: a positive screen OR the case-fact proxy. A screen adds evidence; it
never removes it.

The proxy comes from case facts: injection use or a prior overdose on file, both markers of problem use
that the toolkit's first recommendation asks decisions to take into account (IIP/Vital Strategies 2021).
The screen is the latest SUD screening (UNCOPE, DAST-10, TCU Drug Screen 5, a TAPS-2 drug module) where
42 CFR Part 2 consent lets this evaluation use it (`sud_screen`, values in frame.SUD_SCREEN_VALUES):
"positive" at the instrument's published cut-off (core `screening.instruments`, `Band.indicates_sud`).

- SUD indicated = positive screen OR proxy. A negative screen never clears the proxy: screens are
  self-report, and the TAPS Tool's sensitivity for a DSM-5 drug use disorder at its 2+ cut-off is low for
  most drugs (McNeely et al. 2016; NIDA TAPS Tool page), so "no" on a screen is weaker evidence than a
  recorded injection or overdose.
- TAPS-1 alone ("taps2_needed") is a pre-screen and adds nothing; the proxy decides.
- TAPS-2 higher risk for alcohol or tobacco only ("alcohol_or_tobacco") is not drug evidence: the decision is
  about the drug use behind the arrest. It is reported as its own finding, `alcohol_or_tobacco_need`, so
  that the treatment referral still offers help with it.
- `refer_for_clinical_assessment`: the discordance that matters. A screen used under consent that is not
  positive (negative, TAPS-2 still needed, or alcohol/tobacco only) while proxy facts are present: the
  proxy stands, and a clinician settles it, since a screen is not a diagnosis (docs/SOURCES.md#screening).
  The other discordance, a positive screen with no proxy facts, is not flagged: missing case facts are no
  evidence against a disorder, and the positive screen already calls for an assessment under the treatment
  offer.

A withheld screen is listed under "unknown" (the explanation says the recommendation was made without it).
Only what can make the finding hold is listed: the drug (an opioid, say) is among the case facts, never
among the reasons, since a drug class is no evidence of a disorder.
"""

from __future__ import annotations

import polars as pl

from offramp.core.evaluation.criteria.base import Criterion, Finding, Params, any_of, flag, reason_columns
from offramp.core.evaluation.frame import SUD_SCREEN_USED

NAME = "sud_indicated"
REFERRAL = "refer_for_clinical_assessment"
ALCOHOL_OR_TOBACCO = "alcohol_or_tobacco_need"


def exprs(params: Params) -> dict[str, pl.Expr]:
    screen = pl.col("sud_screen")
    used = screen.is_in(list(SUD_SCREEN_USED)).fill_null(False)
    # null (unknown) when no usable screen: listed as unknown, counted as absent
    screen_positive = pl.when(used).then(screen == "positive").otherwise(None)
    markers = {"injection_use": pl.col("injection_use"), "prior_overdose": pl.col("prior_overdose")}
    proxy = any_of(markers)
    value = flag(screen_positive) | proxy
    indicators = {"screening_positive": screen_positive, **markers}
    screen_not_positive = pl.when(used).then(screen != "positive").otherwise(None)
    referral = flag(screen_not_positive) & proxy
    alcohol = pl.when(used).then(screen == "alcohol_or_tobacco").otherwise(None)
    return {
        NAME: value,
        **reason_columns(NAME, indicators),
        REFERRAL: referral,
        **reason_columns(REFERRAL, {"screening_not_positive": screen_not_positive, **markers}),
        ALCOHOL_OR_TOBACCO: flag(alcohol),
        **reason_columns(ALCOHOL_OR_TOBACCO, {"screening_alcohol_or_tobacco_higher_risk": alcohol}),
    }


CRITERION = Criterion(
    name=NAME,
    description=(
        "A positive drug SUD screen (where consent allows its use) or the proxy: injection use or a prior "
        "overdose on file. A negative screen never clears the proxy; when they disagree, refer for a "
        "clinical assessment. Alcohol or tobacco alone is a treatment need, not drug evidence."
    ),
    reference=(
        "IIP/Vital Strategies 'A New Approach' (2021) rec. 1; McNeely et al., Ann Intern Med 2016 (TAPS); "
        "docs/SOURCES.md#iip-vital-strategies-2021, docs/SOURCES.md#screening, docs/SOURCES.md#taps, "
        "docs/SOURCES.md#overdose, docs/SOURCES.md#42-cfr-part-2."
    ),
    findings=(Finding(NAME, "bool"), Finding(REFERRAL, "bool"), Finding(ALCOHOL_OR_TOBACCO, "bool")),
    exprs=exprs,
)
