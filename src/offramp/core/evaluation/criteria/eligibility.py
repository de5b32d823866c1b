"""Eligibility for Georgia's plea and diversion options: value-only findings and ONE list of reasons.

Each `<option>_eligible` finding holds when every condition below holds on the facts on file. An unknown
fact (null) does not hold, so the option is not eligible on the facts; `eligibility_reasons` says which
condition failed ("first_offender: not eligible: prior felony conviction"), and the explanation adds which
fact was unknown ("conditional_discharge: unknown: prior_drug_convictions", `unknown_facts`). The
prosecutor checks unknown facts before the offer; the finding never guesses them. The reasons are one list
column of 11 bits (one Enum table lookup) so that the evaluation stays within issue 13's performance budget.

Options (docs/SOURCES.md#plea-options; docs/charge-and-plea.md):

- `conditional_discharge` — O.C.G.A. 16-13-2(a): a person "who has not previously been convicted of any
  offense under Article 2 or Article 3 of this chapter or of any statute ... relating to" drugs, who "pleads
  guilty to or is found guilty of possession"; the court may "without entering a judgment of guilt ... defer
  further proceedings and place him on probation"; "Discharge and dismissal under this Code section may occur
  only once with respect to any person". Conditions: `possession_offence` (offense_kind is possession),
  `no_prior_drug_conviction` (prior_drug_convictions is 0), `no_prior_conditional_discharge`.
- `first_offender` — O.C.G.A. 42-8-60(a): "When a defendant has not been previously convicted of a felony,
  the court may, upon a guilty verdict or plea of guilty or nolo contendere and before an adjudication of
  guilt, without entering a judgment of guilt ... defer further proceedings". Conditions: `no_prior_felony`,
  `no_prior_first_offender` (used once: practice sources; the one-time rule was not verified against the
  statute's text). The offences the Act excludes (serious violent felonies, sexual offences, DUI, ...,
  per a practice source) are not drug offences, so none is checked here.
- `pretrial_intervention` — O.C.G.A. 15-18-80: the prosecutor's own program, "at the discretion of the
  prosecuting attorney based upon written guidelines" that consider "the nature of the crime", "the prior
  arrest record" and "the notification and response of the victim"; (e) "No prosecuting attorney shall
  accept any offender into the program for an offense for which the law provides a mandatory minimum
  sentence of incarceration or imprisonment that cannot be suspended, probated, or deferred". Conditions:
  `no_mandatory_minimum` (the offence is not trafficking, O.C.G.A. 16-13-31, whose minimum is the
  statute's; the (g)(2) safety valve is the court's, so it does not open the program); `no_violence`,
  `no_weapon_in_connection`, `no_prior_felony` (office choice: the written guidelines' "nature of the
  crime" and "prior arrest record"). Victims are consulted (rule victim-consultation), not a bar.
- `accountability_court` — O.C.G.A. 15-1-15 (drug court divisions: a case "which arises from the use,
  addiction, dependency, sale, possession ... of a controlled substance", assigned "Prior to the entry of
  the sentence, if the prosecuting attorney consents", "As part of a sentence", or on a petition to revoke
  probation); 15-1-17 (veterans court divisions; it excludes murder, armed robbery, rape and the like);
  15-1-16 (mental health court divisions: number confirmed by a practice source, text not verified).
  Conditions: `drug_case` (offense_kind is a drug offence), `no_violence` (office choice: each division's
  work plan sets its criteria). A veteran is noted in the explanation as the way to the veterans court.

The Georgia safety valve is `safety_valve_eligible` (criteria.safety_valve), reused as the fifth option.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from offramp.core.enums import OffenseKind
from offramp.core.evaluation.criteria.base import Criterion, Finding, Params, flag, lists_from_bits

REASONS = "eligibility_reasons"

#: the drug offences (every offence kind but "other")
DRUG_OFFENCES = tuple(k for k in OffenseKind.values() if k != OffenseKind.OTHER.value)


def conditions() -> dict[str, dict[str, tuple[pl.Expr, str, str]]]:
    """option -> condition -> (test, words when it fails, the fact when it is unknown)."""
    kind = pl.col("offense_kind")
    no_violence = (pl.col("violence").not_(), "violence", "violence")
    no_prior_felony = (pl.col("prior_felonies") == 0, "prior felony conviction", "prior_felonies")
    return {
        "conditional_discharge": {
            "possession_offence": (
                kind == OffenseKind.POSSESSION.value,
                "not a possession offence",
                "offense_kind",
            ),
            "no_prior_drug_conviction": (
                pl.col("prior_drug_convictions") == 0,
                "prior drug-law conviction",
                "prior_drug_convictions",
            ),
            "no_prior_conditional_discharge": (
                pl.col("prior_conditional_discharge").not_(),
                "conditional discharge already used (once only)",
                "prior_conditional_discharge",
            ),
        },
        "first_offender": {
            "no_prior_felony": no_prior_felony,
            "no_prior_first_offender": (
                pl.col("prior_first_offender").not_(),
                "First Offender treatment already used",
                "prior_first_offender",
            ),
        },
        "pretrial_intervention": {
            "no_mandatory_minimum": (
                kind != OffenseKind.TRAFFICKING.value,
                "trafficking carries a mandatory minimum (15-18-80(e))",
                "offense_kind",
            ),
            "no_violence": no_violence,
            "no_weapon_in_connection": (
                pl.col("weapon_in_connection").not_(),
                "weapon in connection with the offence",
                "weapon_in_connection",
            ),
            "no_prior_felony": no_prior_felony,
        },
        "accountability_court": {
            "drug_case": (kind.is_in(DRUG_OFFENCES), "not a drug case", "offense_kind"),
            "no_violence": no_violence,
        },
    }


def _labels() -> list[tuple[pl.Expr, str]]:
    """(bit, label) for every condition that definitely fails (false, not unknown), per option: 11 bits, so
    the list is one table lookup (`lists_from_bits` packs up to 14). Which facts were unknown is read off
    the row's facts by `unknown_facts` (the explanation), not stored in the column: that keeps the column
    within the performance budget."""
    return [
        (test.not_(), f"{option}: not eligible: {words}")
        for option, conds in conditions().items()
        for test, words, _ in conds.values()
    ]


#: every label `eligibility_reasons` can hold, in order (its Enum categories)
LABELS: tuple[str, ...] = tuple(dict.fromkeys(label for _, label in _labels()))

#: option -> the facts its conditions read (one per condition), for `unknown_facts`
FACTS: dict[str, tuple[str, ...]] = {
    option: tuple(dict.fromkeys(fact for _, _, fact in conds.values()))
    for option, conds in conditions().items()
}


def unknown_facts(option: str, facts: Mapping[str, Any]) -> list[str]:
    """The reasons "<option>: unknown: <fact>" for each fact the option reads that is not on file."""
    return [f"{option}: unknown: {fact}" for fact in FACTS.get(option, ()) if facts.get(fact) is None]


def reasons_expr() -> pl.Expr:
    """The reasons list: the labels of the conditions that fail, in declared order."""
    pairs = _labels()
    return lists_from_bits([b for b, _ in pairs], [[label] for _, label in pairs], categories=LABELS)


def exprs(params: Params) -> dict[str, pl.Expr]:
    found = {
        f"{option}_eligible": pl.all_horizontal([flag(test) for test, _, _ in conds.values()])
        for option, conds in conditions().items()
    }
    return {**found, REASONS: reasons_expr()}


OPTIONS = tuple(conditions())

CRITERION = Criterion(
    name="plea_eligibility",
    description=(
        "Eligibility on the facts for conditional discharge (O.C.G.A. 16-13-2(a)), First Offender "
        "(42-8-60), the prosecutor's pretrial intervention and diversion program (15-18-80) and an "
        "accountability court (15-1-15 drug, 15-1-17 veterans); an unknown fact makes the option not "
        "eligible on the facts and is listed in eligibility_reasons."
    ),
    reference=(
        "O.C.G.A. 16-13-2(a), 42-8-60(a), 15-18-80(c)-(e), 15-1-15, 15-1-17; office choice where marked "
        "(docs/SOURCES.md#plea-options, docs/charge-and-plea.md)."
    ),
    findings=(
        *(Finding(f"{option}_eligible", "bool") for option in OPTIONS),
        Finding(REASONS, "list", LABELS),
    ),
    exprs=exprs,
)


#: option -> (its finding, its source, whether it needs a plea or admission that counts as a conviction under
#: 8 U.S.C. 1101(a)(48)(A), the words when it is eligible). Pretrial intervention under 15-18-80 takes
#: place "before adjudication" with no plea required by the statute: a program that requires a plea or an
#: admission of facts would count, and the office must say so in its guidelines.
OPTION_INFO: dict[str, tuple[str, str, bool, str]] = {
    "pretrial_intervention": (
        "pretrial_intervention_eligible",
        "O.C.G.A. 15-18-80 (prosecutor's program; office guidelines)",
        False,
        "no trafficking mandatory minimum, no violence or weapon, no prior felony",
    ),
    "conditional_discharge": (
        "conditional_discharge_eligible",
        "O.C.G.A. 16-13-2(a)",
        True,
        "possession offence, no prior drug-law conviction, conditional discharge not used before",
    ),
    "first_offender": (
        "first_offender_eligible",
        "O.C.G.A. 42-8-60(a)",
        True,
        "no prior felony conviction, First Offender not used before",
    ),
    "accountability_court": (
        "accountability_court_eligible",
        "O.C.G.A. 15-1-15 (drug court), 15-1-17 (veterans court)",
        True,
        "a drug case without violence",
    ),
    "safety_valve": (
        "safety_valve_eligible",
        "O.C.G.A. 16-13-31(g)(2)",
        True,
        "not a leader, no weapon during the crime, no death or serious injury, no prior felony",
    ),
}
