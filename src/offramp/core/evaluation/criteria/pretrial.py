"""Pretrial position: what the office asks for at first appearance (docs/pretrial.md, docs/SOURCES.md#pretrial).

`pretrial_position` is one of:

- `detention_hearing`: a detention (bond) hearing is requested, and ONLY on the grounds named here. Georgia
  lets a court release on bail when the person poses no significant risk of fleeing, of danger to persons or
  the community, of committing felonies, or of intimidating witnesses (O.C.G.A. 17-6-1(e), read through a
  secondary source: see SOURCES.md). The grounds Offramp reads from the facts:
  `violence`, `weapon_in_connection`, `death_or_serious_injury`, `sale_to_minor` (danger to persons, always
  a ground); `prior_failures_to_appear` at or above `pretrial_fta_ground` (risk of flight; office choice);
  `on_supervision` when `pretrial_supervision_ground` is 1 (office choice); `public_safety_concern` (any
  public-safety concern, criteria/public_safety.py) when `pretrial_public_safety_ground` is 1 (office choice).
- `release_with_support`: release, with support offered: treatment linkage, naloxone and MOUD continuity.
  Chosen when no ground holds and overdose risk holds or the person takes MOUD.
- `release`: release; nothing on file calls for a hearing or for support.

`pretrial_reasons` (the one list column) names the grounds that held, then what goes with the position:

- `overdose_risk`, `on_moud`: why support is offered.
- `health_plan_required`: a detention hearing while overdose risk holds: no detention request without a
  health plan for withdrawal and overdose (the overdose response `health_plan_before_detention`).
- `moud_continuity_task`: in custody and on MOUD or an opioid case: MOUD must be continued in custody
  within `moud_continuity_hours` of booking (office choice of deadline; the duty to continue prescribed
  MOUD: U.S. DOJ, "The ADA and Opioid Use Disorder", 2022).
- `overdose_window_on_release`: overdose risk holds and release is sought: the first `release_window_days`
  (14) days after release carry the highest overdose risk (Binswanger et al., NEJM 2007).
- `superior_court_bail`: the charge is one a magistrate cannot bail: trafficking weight (O.C.G.A.
  17-6-1(a)(10), "Violating Code Section 16-13-31") or delivery / manufacture of heroin, fentanyl, cocaine,
  crack or methamphetamine (17-6-1(a)(9), Schedule I or II; the Georgia schedules of these drugs were not
  verified against the text of 16-13-25/26). Shown for information; it is not a ground for detention.

Only facts on file count; an unknown fact counts as absent (a ground must be shown, never presumed).
"""

from __future__ import annotations

import polars as pl

from offramp.core.enums import DescribedEnum, OffenseKind
from offramp.core.evaluation.criteria import overdose_risk, public_safety, seller_role
from offramp.core.evaluation.criteria.base import Criterion, Finding, Params, any_of, flag, lists_from_bits
from offramp.core.evaluation.criteria.enums import OPIOIDS

NAME = "pretrial_position"
REASONS = "pretrial_reasons"
PARAMETERS = (
    "pretrial_fta_ground",
    "pretrial_supervision_ground",
    "pretrial_public_safety_ground",
    "moud_continuity_hours",
)
#: 17-6-1(a)(9): "Manufacturing, distributing, delivering, dispensing, administering, or selling" a
#: Schedule I or II substance (possession with intent is not among the words)
SUPERIOR_COURT_OFFENCES = (OffenseKind.DELIVERY.value, OffenseKind.MANUFACTURE.value)
SCHEDULE_I_II = ("heroin", "fentanyl", "cocaine", "crack", "methamphetamine")


class PretrialPosition(DescribedEnum):
    """What the office asks for at first appearance."""

    RELEASE = ("release", "Ask for release; nothing on file calls for a hearing or for support.")
    RELEASE_WITH_SUPPORT = (
        "release_with_support",
        "Ask for release with support: treatment linkage, naloxone and MOUD continuity (voluntary).",
    )
    DETENTION_HEARING = (
        "detention_hearing",
        "Ask for a detention hearing, on the public-safety or flight grounds the office pack names.",
    )


class PretrialReason(DescribedEnum):
    """Why the position was taken, and what goes with it (the order of `pretrial_reasons`)."""

    VIOLENCE = ("violence", "The conduct involved violence (danger to persons).")
    WEAPON_IN_CONNECTION = ("weapon_in_connection", "A weapon was possessed or used in connection with it.")
    DEATH_OR_SERIOUS_INJURY = ("death_or_serious_injury", "Someone died or was seriously hurt.")
    SALE_TO_MINOR = ("sale_to_minor", "A sale to a minor.")
    PRIOR_FAILURES_TO_APPEAR = (
        "prior_failures_to_appear",
        "Failures to appear at or above the office's line (risk of flight; office choice).",
    )
    ON_SUPERVISION = ("on_supervision", "On probation or parole, which the office counts (office choice).")
    PUBLIC_SAFETY_CONCERN = (
        "public_safety_concern",
        "A public-safety concern, which the office counts as a ground (office choice).",
    )
    OVERDOSE_RISK = ("overdose_risk", "Overdose risk holds: support is offered.")
    ON_MOUD = ("on_moud", "Takes medication for opioid use disorder: it must not be interrupted.")
    HEALTH_PLAN_REQUIRED = (
        "health_plan_required",
        "No detention request without a health plan for withdrawal and overdose risk.",
    )
    MOUD_CONTINUITY_TASK = (
        "moud_continuity_task",
        "In custody: confirm MOUD continues in the jail within the office's deadline after booking.",
    )
    OVERDOSE_WINDOW_ON_RELEASE = (
        "overdose_window_on_release",
        "On release: the first two weeks carry the highest overdose risk (naloxone, linkage before release).",
    )
    SUPERIOR_COURT_BAIL = (
        "superior_court_bail",
        "Bailable only before a superior court judge (O.C.G.A. 17-6-1(a)(9)-(10)); information, not a ground.",
    )


#: reasons that are grounds for a detention hearing
GROUNDS = tuple(PretrialReason.values()[:7])


def grounds(params: Params) -> dict[str, pl.Expr]:
    danger = {k: flag(pl.col(k)) for k in ("violence", "weapon_in_connection", "death_or_serious_injury")}
    return {
        **danger,
        "sale_to_minor": flag(pl.col("sale_to_minor")),
        "prior_failures_to_appear": flag(
            pl.col("prior_failures_to_appear") >= params.get("pretrial_fta_ground", pl.lit(2))
        ),
        "on_supervision": flag(pl.col("on_supervision"))
        & (params.get("pretrial_supervision_ground", pl.lit(0)) >= 1),
        "public_safety_concern": any_of(public_safety.indicators(params))
        & (params.get("pretrial_public_safety_ground", pl.lit(0)) >= 1),
    }


def exprs(params: Params) -> dict[str, pl.Expr]:
    ground = grounds(params)
    detention = pl.any_horizontal(list(ground.values()))
    risk = any_of(overdose_risk.indicators(params))
    moud = flag(pl.col("on_moud"))
    opioid = flag(pl.col("drug").is_in(OPIOIDS))
    custody = flag(pl.col("in_custody"))
    trafficking = flag(seller_role.quantity(params) >= params["trafficking_grams"])
    superior = trafficking | flag(
        pl.col("offense_kind").is_in(SUPERIOR_COURT_OFFENCES) & pl.col("drug").is_in(SCHEDULE_I_II)
    )
    position = (
        pl.when(detention)
        .then(pl.lit(PretrialPosition.DETENTION_HEARING.value))
        .when(risk | moud)
        .then(pl.lit(PretrialPosition.RELEASE_WITH_SUPPORT.value))
        .otherwise(pl.lit(PretrialPosition.RELEASE.value))
    )
    bits = [
        *ground.values(),
        risk,
        moud,
        detention & risk,
        custody & (moud | opioid),
        ~detention & risk,
        superior,
    ]
    return {
        NAME: position,
        REASONS: lists_from_bits(bits, [[v] for v in PretrialReason.values()]),
    }


CRITERION = Criterion(
    name=NAME,
    description=(
        "The pretrial position: a detention hearing only on the grounds the pack names (danger, flight), "
        "otherwise release, with support where overdose risk holds or the person takes MOUD."
    ),
    reference=(
        "O.C.G.A. 17-6-1(a), (e) (bail; offences bailable only before a superior court judge); Binswanger "
        "et al., NEJM 2007; U.S. DOJ 'The ADA and Opioid Use Disorder' (2022); thresholds and deadline: "
        "office choice (docs/SOURCES.md#pretrial, docs/pretrial.md)."
    ),
    findings=(
        Finding(NAME, "enum", tuple(PretrialPosition.values())),
        Finding(REASONS, "list", tuple(PretrialReason.values())),
    ),
    exprs=exprs,
    # the pretrial parameters are optional (a pack without them gets the public-health choices)
    parameters=("release_window_days", "trafficking_grams", "dosage_unit_grams"),
)
