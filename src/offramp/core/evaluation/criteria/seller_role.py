"""Seller role: user, user-seller, street seller, mid-level, courier, trafficking weight or high-level.

Sources (docs/SOURCES.md#sellers, docs/seller-role.md): USSC §3B1.2 and Amendment 794 (role is relative
culpability: planning or organising, decision-making authority, stake in the enterprise; a person paid
for tasks with no proprietary interest is considered for mitigation); the Holder memo (organiser, leader,
manager or supervisor; ties to large-scale trafficking organisations); LEAD Seattle (3 g) and LEAD
Santa Fe (6 g, subsistence sales); O.C.G.A. 16-13-31 trafficking thresholds. The quantity lines are pack
parameters, per drug, and the pack checker refuses lines out of order
(personal use <= subsistence <= mid-level <= trafficking).

Three rules keep weight and history from standing in for role:

- High-level needs role evidence: an organising or leading role (`organizer_role`) or ties to a
  trafficking organisation (`trafficking_org_ties`). No quantity and no count of weak indicators makes
  anyone high-level.
- Quantity alone never asserts a role. Selling needs a sale charge (intent, delivery, manufacture), a
  sale to a minor, or two weak indicators (packaging, scales or ledgers, large cash, a quantity over the
  personal-use line). A trafficking charge is not a sale charge: O.C.G.A. 16-13-31 makes knowing
  possession of the weight trafficking, so the charge shows weight, not selling. At trafficking weight
  without selling evidence the role is `trafficking_weight` (role unknown); below it, `user`.
- Prior drug sales are criminal history, not role evidence: never counted here (counting them twice
  carries enforcement bias into the role). A rule that needs history reads the fact `prior_drug_sales`
  itself, under its own `because` (no shipped rule does).

Use evidence includes the person's own account that they sell to support their own use
(`sells_to_support_own_use`, recorded in the prosecutor's evaluation): the account is evidence of use, so
within the subsistence line such a seller is a `user_seller`. It is not evidence of selling, and above the
subsistence line it changes nothing (IIP/Vital Strategies 2021 rec. 3; docs/seller-role.md#motivating-factors).

`personal_use_quantity` (true or false, no reason lists) says the same quantity, pills counted, is known
and at most `personal_use_grams`; a personal-use declination reads it rather than the grams alone.

Reasons: "present" names the highest quantity line crossed, not every line below it as well.

Pills count: when the primary charge is a count of dosage units, the count times the pack's
`dosage_unit_grams` (per drug, an office choice) is the quantity compared with the lines.

| role | when (top first) |
|---|---|
| high_level | organiser or leader role, or ties to a trafficking organisation |
| courier | trafficking quantity and selling evidence |
| trafficking_weight | trafficking quantity, no selling evidence: role unknown |
| mid_level | selling evidence and quantity over `mid_level_grams` |
| user_seller | selling evidence, quantity within `subsistence_sale_grams`, and use evidence |
| street_seller | selling evidence |
| user | otherwise |
"""

from __future__ import annotations

from itertools import pairwise

import polars as pl

from offramp.core.evaluation.criteria.base import Criterion, Finding, Params, count_of, flag, reason_columns
from offramp.core.evaluation.criteria.enums import SellerRole

NAME = "seller_role"
#: the quantity (grams, or pills counted) is known and at most the personal-use line: what a personal-use
#: declination reads, so that a few pills can be declined like a few grams
PERSONAL_USE = "personal_use_quantity"
#: charges that allege selling; trafficking is left out: in Georgia it is possession of the weight
SALE_CHARGES = ["possession_with_intent", "delivery", "manufacture"]
#: weak indicators of selling: two or more of them (or a sale charge) show selling, never a higher role
WEAK = ("packaging", "scales_or_ledgers", "large_cash", "over_personal_use_quantity")
#: the per-drug quantity lines, in the order they must hold (the pack checker refuses any other order)
LINES = ("personal_use_grams", "subsistence_sale_grams", "mid_level_grams", "trafficking_grams")
PARAMETERS = (*LINES, "dosage_unit_grams", "large_cash_usd")
#: the indicators for the lines, lowest first; "present" names only the highest one a quantity crosses
QUANTITY = (
    "over_personal_use_quantity",
    "over_subsistence_quantity",
    "mid_level_quantity",
    "trafficking_quantity",
)


def quantity(params: Params) -> pl.Expr:
    """The quantity compared with the lines: grams, or a dosage-unit count times `dosage_unit_grams`."""
    return pl.coalesce(pl.col("quantity_g"), pl.col("dosage_units") * params["dosage_unit_grams"])


def indicators(params: Params) -> dict[str, pl.Expr]:
    q = quantity(params)
    return {
        "sale_charge": pl.col("offense_kind").is_in(SALE_CHARGES),
        "sale_to_minor": pl.col("sale_to_minor"),
        "over_personal_use_quantity": q > params["personal_use_grams"],
        "over_subsistence_quantity": q > params["subsistence_sale_grams"],
        "mid_level_quantity": q > params["mid_level_grams"],
        "trafficking_quantity": q >= params["trafficking_grams"],
        "packaging": pl.col("packaging"),
        "scales_or_ledgers": pl.col("scales_or_ledgers"),
        "large_cash": pl.col("cash_usd") >= params["large_cash_usd"],
        "organizer_role": pl.col("organizer_role"),
        "trafficking_org_ties": pl.col("trafficking_org_ties"),
        "use_evidence": pl.col("injection_use")
        | pl.col("prior_overdose")
        | (pl.col("offense_kind") == "possession")
        | pl.col("sells_to_support_own_use").fill_null(False),
    }


def exprs(params: Params) -> dict[str, pl.Expr]:
    i = indicators(params)
    weak = count_of({k: i[k] for k in WEAK})
    selling = flag(i["sale_charge"]) | flag(i["sale_to_minor"]) | (weak >= 2)
    trafficking = flag(i["trafficking_quantity"])
    role = (
        pl.when(flag(i["organizer_role"]) | flag(i["trafficking_org_ties"]))
        .then(pl.lit(SellerRole.HIGH_LEVEL.value))
        .when(trafficking & selling)
        .then(pl.lit(SellerRole.COURIER.value))
        .when(trafficking)
        .then(pl.lit(SellerRole.TRAFFICKING_WEIGHT.value))
        .when(selling & flag(i["mid_level_quantity"]))
        .then(pl.lit(SellerRole.MID_LEVEL.value))
        .when(selling & ~flag(i["over_subsistence_quantity"]) & flag(i["use_evidence"]))
        .then(pl.lit(SellerRole.USER_SELLER.value))
        .when(selling)
        .then(pl.lit(SellerRole.STREET_SELLER.value))
        .otherwise(pl.lit(SellerRole.USER.value))
    )
    # the quantity lines are nested: list as present only the highest one crossed (the lower are implied)
    highest = {lower: i[lower] & ~flag(i[higher]) for lower, higher in pairwise(QUANTITY)}
    return {
        NAME: role,
        **reason_columns(NAME, i, present=highest),
        PERSONAL_USE: flag(quantity(params) <= params["personal_use_grams"]),
    }


CRITERION = Criterion(
    name=NAME,
    description=(
        "The person's role in the drug trade: organising role or organisation ties, selling evidence and "
        "quantity; weight alone shows no role."
    ),
    reference=(
        "USSC §3B1.2 and Amendment 794 (2015); U.S. DOJ Holder memo (Aug 2013); LEAD Seattle 3 g and "
        "LEAD Santa Fe 6 g lines; O.C.G.A. 16-13-31 trafficking thresholds; office choices as marked in "
        "the pack (docs/SOURCES.md#sellers, docs/seller-role.md)."
    ),
    findings=(Finding(NAME, "enum", tuple(SellerRole.values())), Finding(PERSONAL_USE, "bool")),
    exprs=exprs,
    parameters=PARAMETERS,
)
