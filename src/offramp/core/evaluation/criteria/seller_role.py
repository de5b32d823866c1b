"""Seller role: user, user-seller, street seller, courier, mid-level or high-level.

Sources (docs/SOURCES.md#sellers): USSC §3B1.2 and Amendment 794 (planning or organising, decision-making
authority, stake in the enterprise); the Holder memo (organiser, leader, manager or supervisor; ties to
large-scale trafficking); LEAD Seattle (3 g) and LEAD Santa Fe (6 g, subsistence sales) quantity lines;
Georgia trafficking thresholds (O.C.G.A. 16-13-31). Quantity lines are pack parameters, per drug.

Packaging, scales or ledgers and large cash are WEAK indicators of intent to distribute: with other
evidence they show selling, but alone they never make someone high-level. High-level requires an
organising role, or a trafficking quantity together with at least two supplier indicators (scales or
ledgers, large cash, prior drug sales). A trafficking quantity without that is a courier (paid to carry,
no stake: Amendment 794). Precedence, top first:

| role | when |
|---|---|
| high_level | organiser role, or trafficking quantity and 2+ supplier indicators |
| courier | trafficking quantity |
| mid_level | quantity over `mid_level_grams` |
| user_seller | selling evidence, quantity within `subsistence_sale_grams`, and use evidence |
| street_seller | selling evidence |
| user | otherwise |

Selling evidence: a sale, intent or manufacture charge, a sale to a minor, or two or more of packaging,
scales or ledgers, large cash, prior drug sales, and a quantity over `personal_use_grams`.
"""

from __future__ import annotations

import polars as pl

from offramp.core.evaluation.criteria.base import Criterion, Finding, Params, count_of, flag, reason_columns
from offramp.core.evaluation.criteria.enums import SellerRole

NAME = "seller_role"
SALE_CHARGES = ["possession_with_intent", "delivery", "manufacture", "trafficking"]
#: weak indicators of selling: two or more of them (or a sale charge) show selling, never high-level
WEAK = ("packaging", "scales_or_ledgers", "large_cash", "prior_drug_sales", "over_personal_use_quantity")
PARAMETERS = (
    "personal_use_grams",
    "subsistence_sale_grams",
    "mid_level_grams",
    "trafficking_grams",
    "large_cash_usd",
)


def indicators(params: Params) -> dict[str, pl.Expr]:
    q = pl.col("quantity_g")
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
        "prior_drug_sales": pl.col("prior_drug_sales") > 0,
        "organizer_role": pl.col("organizer_role"),
        "use_evidence": pl.col("injection_use")
        | pl.col("prior_overdose")
        | (pl.col("offense_kind") == "possession"),
    }


def exprs(params: Params) -> dict[str, pl.Expr]:
    i = indicators(params)
    weak = count_of({k: i[k] for k in WEAK})
    supplier = count_of({k: i[k] for k in ("scales_or_ledgers", "large_cash", "prior_drug_sales")})
    selling = flag(i["sale_charge"]) | flag(i["sale_to_minor"]) | (weak >= 2)
    trafficking = flag(i["trafficking_quantity"])
    role = (
        pl.when(flag(i["organizer_role"]) | (trafficking & (supplier >= 2)))
        .then(pl.lit(SellerRole.HIGH_LEVEL.value))
        .when(trafficking)
        .then(pl.lit(SellerRole.COURIER.value))
        .when(flag(i["mid_level_quantity"]))
        .then(pl.lit(SellerRole.MID_LEVEL.value))
        .when(selling & ~flag(i["over_subsistence_quantity"]) & flag(i["use_evidence"]))
        .then(pl.lit(SellerRole.USER_SELLER.value))
        .when(selling)
        .then(pl.lit(SellerRole.STREET_SELLER.value))
        .otherwise(pl.lit(SellerRole.USER.value))
    )
    return {NAME: role, **reason_columns(NAME, i)}


CRITERION = Criterion(
    name=NAME,
    description="The person's role in the drug trade, from quantity, indicators and organising role.",
    reference=(
        "USSC §3B1.2 and Amendment 794 (2015); U.S. DOJ Holder memo (Aug 2013); LEAD Seattle 3 g and "
        "LEAD Santa Fe 6 g lines; O.C.G.A. 16-13-31 trafficking thresholds (docs/SOURCES.md#sellers)."
    ),
    findings=(Finding(NAME, "enum", tuple(SellerRole.values())),),
    exprs=exprs,
    parameters=PARAMETERS,
)
