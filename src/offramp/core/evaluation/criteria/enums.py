"""Values the criteria report, each with a description a prosecutor can read."""

from __future__ import annotations

from offramp.core.enums import DescribedEnum, Drug

OPIOIDS: list[str] = [d.value for d in Drug if d.is_opioid]


class SellerRole(DescribedEnum):
    """The person's place in the drug trade (USSC §3B1.2 and Amendment 794; DOMAIN.md section 2)."""

    USER = ("user", "Possesses for personal use; no evidence of selling.")
    USER_SELLER = (
        "user_seller",
        "Sells small amounts to support their own use (LEAD Santa Fe admits such subsistence sales).",
    )
    STREET_SELLER = ("street_seller", "Street-level seller of small amounts, with no organising role.")
    COURIER = (
        "courier",
        "Carries a trafficking quantity for others, with no stake in or authority over the enterprise.",
    )
    MID_LEVEL = ("mid_level", "Sells larger amounts (wholesale) below trafficking quantities.")
    HIGH_LEVEL = (
        "high_level",
        "Supplier, organiser or leader: an organising role, or trafficking quantity with supplier evidence.",
    )


class OverdoseResponse(DescribedEnum):
    """Evidence-based responses to overdose risk (DOMAIN.md section 4)."""

    NALOXONE = ("naloxone", "Offer naloxone and overdose-response information.")
    MOUD_CONTINUITY = (
        "moud_continuity",
        "Keep medication for opioid use disorder going; no condition may require stopping it.",
    )
    HEALTH_PLAN_BEFORE_DETENTION = (
        "health_plan_before_detention",
        "Request no detention without a health plan for withdrawal and overdose risk.",
    )


class Need(DescribedEnum):
    """Needs a diversion plan may address (treatment, re-entry and work from facts; the rest from screening)."""

    HOUSING = ("housing", "Stable housing.")
    WORK = ("work", "Employment or job training.")
    EDUCATION = ("education", "Education, such as a high-school equivalency.")
    TREATMENT = ("treatment", "Substance use or mental-health treatment.")
    TRANSPORT = ("transport", "Transport to appointments and program sessions.")
    REENTRY = (
        "reentry",
        "Support after release from custody: identification, benefits, continuity of MOUD and care.",
    )


EVALUATION_ENUMS: tuple[type[DescribedEnum], ...] = (SellerRole, OverdoseResponse, Need)
