"""Values the criteria report, each with a description a prosecutor can read."""

from __future__ import annotations

from offramp.core.enums import DescribedEnum, Drug

OPIOIDS: list[str] = [d.value for d in Drug if d.is_opioid]


class SellerRole(DescribedEnum):
    """The person's place in the drug trade (USSC §3B1.2 and Amendment 794; docs/SOURCES.md#sellers)."""

    USER = ("user", "Possesses for personal use; no evidence of selling.")
    USER_SELLER = (
        "user_seller",
        "Sells small amounts to support their own use (LEAD Santa Fe admits such subsistence sales).",
    )
    STREET_SELLER = ("street_seller", "Street-level seller of small amounts, with no organising role.")
    MID_LEVEL = (
        "mid_level",
        "Sells larger amounts (wholesale): selling evidence and a quantity over the mid-level line, below "
        "trafficking weight.",
    )
    COURIER = (
        "courier",
        "Sells or carries a trafficking quantity, with no organising role and no ties to a trafficking "
        "organisation on file: no stake in or authority over the enterprise is shown (Amendment 794).",
    )
    TRAFFICKING_WEIGHT = (
        "trafficking_weight",
        "Trafficking weight; role unknown: the quantity reaches the trafficking line, but nothing on file "
        "shows selling, carrying for others or organising. Weight alone asserts no role.",
    )
    HIGH_LEVEL = (
        "high_level",
        "Organiser, leader or supplier: an organising or leading role, or ties to a trafficking "
        "organisation, on file. Quantity alone never makes anyone high-level.",
    )


class OverdoseResponse(DescribedEnum):
    """Evidence-based responses to overdose risk (docs/SOURCES.md#overdose)."""

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
    """Needs a diversion plan may address. Treatment and re-entry are read from the case facts; work, income,
    childcare and prenatal care also from the person's own account (poverty or debt, caregiving, pregnancy);
    the needs assessment (offramp.core.screening.needs) adds any of them except treatment, re-entry and
    prenatal care. The order here is the order of the `needs` finding."""

    TREATMENT = (
        "treatment",
        "Substance use treatment, offered as voluntary (mental-health care is its own need).",
    )
    REENTRY = (
        "reentry",
        "Support after release from custody: identification, benefits, continuity of MOUD and care.",
    )
    WORK = ("work", "Employment or job training.")
    HOUSING = ("housing", "Stable housing.")
    EDUCATION = ("education", "Education, such as a high-school equivalency.")
    INCOME = ("income", "Income support: benefits enrolment, emergency assistance, help with fees and fines.")
    INSURANCE = ("insurance", "Health coverage: enrolment in Medicaid, Medicare or a marketplace plan.")
    CHILDCARE = (
        "childcare",
        "Care for children or other dependants while the person attends court, treatment or a program.",
    )
    TRANSPORT = ("transport", "Transport to appointments and program sessions.")
    MENTAL_HEALTH = ("mental_health", "Mental-health care: current symptoms, or care that must continue.")
    LANGUAGE_ACCESS = (
        "language_access",
        "An interpreter and translated documents in the person's language (recorded with the assessment).",
    )
    ACCOMMODATION = (
        "accommodation",
        "A disability accommodation in court, treatment and program sessions (ADA Title II).",
    )
    PRENATAL_CARE = (
        "prenatal_care",
        "Linkage to prenatal care: the person is pregnant (their own account).",
    )


EVALUATION_ENUMS: tuple[type[DescribedEnum], ...] = (SellerRole, OverdoseResponse, Need)
