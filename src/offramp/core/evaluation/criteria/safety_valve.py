"""Georgia safety valve: whether the facts on file meet O.C.G.A. 16-13-31(g)(2), the trafficking statute's
own way below its mandatory minimum.

The statute (Justia, Georgia Code 16-13-31(g)(2); the parallel provision is 16-13-31.1(b)) lets the judge
depart from the mandatory minimum when the court finds that the defendant:

- (A) `not_a_leader`: "was not a leader of the criminal conduct" (the `organizer_role` fact);
- (B) `no_weapon_in_connection`: "did not possess or use a firearm, dangerous weapon, or hazardous object
  during the crime" (the `weapon_in_connection` fact: a weapon merely owned elsewhere does not bar it);
- (C) `no_death_or_serious_injury`: the crime "did not result in a death or serious bodily injury to an
  individual other than to a person who is a party to the crime" (victims' `harm`; the victims table
  holds people other than the defendant);
- (D) `no_prior_felony`: "has no prior felony conviction" (`prior_felonies` is 0);
- (E) `interests_of_justice`: "the interests of justice will not be served by the imposition of the
  prescribed mandatory minimum sentence" — the court's judgement, so always listed as unknown.

`safety_valve_eligible` holds when (A)-(D) hold on the facts (an unknown one does not hold: it is listed
as unknown and the prosecutor checks it); (E) is for the court. It is guidance for the plea offer: the
prosecutor cannot grant the departure, but can say the office will not oppose it. State v. Roundtree,
372 Ga. App. 518 (2024): a trafficking mandatory minimum may be partly probated under this provision.
See docs/SOURCES.md#ocga-16-13-31-g-2.
"""

from __future__ import annotations

import polars as pl

from offramp.core.evaluation.criteria.base import Criterion, Finding, Params, flag, reason_columns

NAME = "safety_valve_eligible"


def conditions() -> dict[str, pl.Expr]:
    return {
        "not_a_leader": pl.col("organizer_role").not_(),
        "no_weapon_in_connection": pl.col("weapon_in_connection").not_(),
        "no_death_or_serious_injury": pl.col("death_or_serious_injury").not_(),
        "no_prior_felony": pl.col("prior_felonies") == 0,
        "interests_of_justice": pl.lit(None, pl.Boolean),  # (E): the court decides
    }


def exprs(params: Params) -> dict[str, pl.Expr]:
    found = conditions()
    on_facts = [e for name, e in found.items() if name != "interests_of_justice"]
    return {
        NAME: pl.all_horizontal([flag(e) for e in on_facts]),
        **reason_columns(NAME, found),
    }


CRITERION = Criterion(
    name=NAME,
    description=(
        "The facts meet the Georgia trafficking safety valve, O.C.G.A. 16-13-31(g)(2)(A)-(D): not a "
        "leader, no weapon or hazardous object during the crime, no death or serious bodily injury to a "
        "non-party, no prior felony conviction; (E) the interests of justice are for the court."
    ),
    reference=(
        "O.C.G.A. 16-13-31(g)(2) (Justia, Georgia Code); State v. Roundtree, 372 Ga. App. 518 (2024) "
        "(docs/SOURCES.md#ocga-16-13-31-g-2)."
    ),
    findings=(Finding(NAME, "bool"),),
    exprs=exprs,
)
