"""Public-safety concern: facts that, in the toolkit's words, make charging "needed for community safety".

Holds when any of these holds (each is listed as present only when it is what made the concern hold):

- `violence`: the conduct involved violence (Holder memo, U.S. DOJ, 12 Aug 2013).
- `weapon_in_connection`: a weapon was possessed or used in connection with the offence (Holder memo:
  "the possession of a weapon" in the defendant's relevant conduct; O.C.G.A. 16-13-31(g)(2)(B): "did not
  possess or use a firearm, dangerous weapon, or hazardous object during the crime"). A weapon merely
  present elsewhere (the `weapon` fact alone, e.g. a lawfully owned gun at home) is shown among the facts
  but is not a concern by itself: both sources tie the weapon to the conduct, not to the person.
- `sale_to_minor`: a sale to a minor (Holder memo: "the trafficking of drugs to or with minors").
- `near_school_sale`: near a school or park AND the offence is a sale offence. O.C.G.A. 16-13-32.4(a)
  and 16-13-32.5(a)-(b) reach only a person who "manufacture[s], distribute[s], dispense[s], or
  possess[es] with intent to distribute" within 1,000 feet; simple possession (and paraphernalia) near a
  school is never this concern. Sale offences: SALE_OFFENCES.
- `victim`: the case has a victim (DeKalb County DA practice of consulting victims before any offer).
- `death_or_serious_injury`: a victim died or suffered serious bodily injury (victims' `harm`; Holder
  memo: "the death or serious bodily injury of any person"; O.C.G.A. 16-13-31(g)(2)(C)).
- `violent_conviction_in_lookback`: a prior violent conviction in the `violent_lookback_years` before the
  year the case was received (office choice, dated in the pack; the Holder memo asks for "significant
  criminal history" without a window). The parameter is optional: without it every conviction counts.
- `violent_conviction_year_unknown`: prior violent convictions on file but the year of the latest
  unknown. Decided conservatively: it counts as a concern (the lookback cannot clear what it cannot date),
  and it is listed under its own name so that a reader sees the concern rests on a missing date.

`victim_involved` is reported on its own: wherever there is a victim, the victim is consulted before a
diversion offer and restitution is tracked. See docs/SOURCES.md#public-safety.
"""

from __future__ import annotations

import polars as pl

from offramp.core.enums import OffenseKind
from offramp.core.evaluation.criteria.base import Criterion, Finding, Params, any_of, reason_columns

NAME = "public_safety_concern"

#: offence kinds that are "manufacture, distribute, dispense, or possess with intent to distribute"
#: (O.C.G.A. 16-13-32.4(a), 16-13-32.5(a)-(b)); possession, paraphernalia and other offences are not
SALE_OFFENCES = (
    OffenseKind.POSSESSION_WITH_INTENT.value,
    OffenseKind.DELIVERY.value,
    OffenseKind.MANUFACTURE.value,
)

#: optional: a pack without it (one written before issue 12) counts every prior violent conviction, as
#: before; the shipped packs date it
LOOKBACK = "violent_lookback_years"


def indicators(params: Params) -> dict[str, pl.Expr]:
    prior = pl.col("prior_violent") > 0
    last = pl.col("last_violent_conviction_year")
    age = pl.col("received_date").dt.year().cast(pl.Int32) - last
    lookback = params.get(LOOKBACK, pl.lit(None, pl.Float64))
    return {
        "violence": pl.col("violence"),
        "weapon_in_connection": pl.col("weapon_in_connection"),
        "sale_to_minor": pl.col("sale_to_minor"),
        "near_school_sale": pl.col("near_school") & pl.col("offense_kind").is_in(SALE_OFFENCES),
        "victim": pl.col("victim_count") > 0,
        "death_or_serious_injury": pl.col("death_or_serious_injury"),
        # no lookback in force (null parameter) or no received date: every conviction counts
        "violent_conviction_in_lookback": prior
        & last.is_not_null()
        & (lookback.is_null() | age.is_null() | (age <= lookback)),
        "violent_conviction_year_unknown": prior & last.is_null(),
    }


def exprs(params: Params) -> dict[str, pl.Expr]:
    found = indicators(params)
    return {
        NAME: any_of(found),
        **reason_columns(NAME, found),
        "victim_involved": (pl.col("victim_count") > 0).fill_null(False),
    }


CRITERION = Criterion(
    name=NAME,
    description=(
        "Violence, a weapon possessed or used in connection with the offence, a sale to a minor, a sale "
        "offence near a school or park, a victim, death or serious bodily injury, or a prior violent "
        "conviction within the lookback (or of unknown date)."
    ),
    reference=(
        "U.S. DOJ 'Holder memo' (12 Aug 2013) criteria; O.C.G.A. 16-13-31(g)(2)(B)-(C), 16-13-32.4(a), "
        "16-13-32.5(a)-(b); IIP/Vital Strategies 'A New Approach' (2021) rec. 2; DeKalb County DA victim "
        "consultation; lookback: office choice (docs/SOURCES.md#public-safety)."
    ),
    findings=(Finding(NAME, "bool"), Finding("victim_involved", "bool")),
    exprs=exprs,
)
