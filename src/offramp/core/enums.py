"""Enumerations of the domain. Every value carries a written description (a test checks it).

The descriptions are shown to users in the case page and in the published JSON Schemas, so they are
written for a prosecutor, not for a programmer.
"""

from __future__ import annotations

from enum import Enum
from typing import Self


class DescribedEnum(str, Enum):
    """A string enum whose every member has a human description."""

    description: str

    def __new__(cls, value: str, description: str) -> Self:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.description = description
        return obj

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def values(cls) -> list[str]:
        return [m.value for m in cls]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) pairs for Django model and form fields."""
        return [(m.value, m.value.replace("_", " ")) for m in cls]

    @classmethod
    def parse(cls, text: str) -> Self | None:
        """The member whose value equals `text` (case and surrounding space ignored), else None."""
        key = text.strip().lower()
        for m in cls:
            if m.value.lower() == key:
                return m
        return None


class OffenseKind(DescribedEnum):
    POSSESSION = ("possession", "Possession of a controlled substance, presumed for personal use.")
    POSSESSION_WITH_INTENT = (
        "possession_with_intent",
        "Possession with intent to deliver: the charge alleges the drugs were meant for others.",
    )
    DELIVERY = ("delivery", "Delivery or sale of a controlled substance to another person.")
    MANUFACTURE = ("manufacture", "Manufacture, cultivation or production of a controlled substance.")
    TRAFFICKING = (
        "trafficking",
        "Trafficking: quantity-based or cross-border offence reserved for large amounts.",
    )
    PARAPHERNALIA = ("paraphernalia", "Possession of drug equipment (NIBRS 35B), such as syringes or pipes.")
    OTHER = ("other", "Any other offence, drug-related or not (e.g. retail theft in a diversion export).")


class Severity(DescribedEnum):
    FELONY = ("felony", "Offence punishable by more than one year of imprisonment.")
    MISDEMEANOR = ("misdemeanor", "Offence punishable by up to one year in jail, or by a fine.")


class Drug(DescribedEnum):
    FENTANYL = ("fentanyl", "Fentanyl or a fentanyl analogue; the highest overdose risk.")
    HEROIN = ("heroin", "Heroin (diacetylmorphine), an illicit opioid.")
    PRESCRIPTION_OPIOID = (
        "prescription_opioid",
        "A prescription opioid (oxycodone, hydrocodone, morphine ...) used without a prescription.",
    )
    COCAINE = ("cocaine", "Cocaine hydrochloride (powder).")
    CRACK = ("crack", "Cocaine base (crack).")
    METHAMPHETAMINE = ("methamphetamine", "Methamphetamine or amphetamine.")
    CANNABIS = ("cannabis", "Cannabis (marijuana) or a cannabis product.")
    OTHER = ("other", "Another controlled substance (e.g. a hallucinogen or a benzodiazepine).")
    NONE = ("none", "No drug involved in this charge (e.g. paraphernalia only, or a non-drug offence).")

    @property
    def is_opioid(self) -> bool:
        return self in (Drug.FENTANYL, Drug.HEROIN, Drug.PRESCRIPTION_OPIOID)


class QuantityUnit(DescribedEnum):
    GRAM = ("g", "Grams of the substance (net weight where known).")
    MILLIGRAM = ("mg", "Milligrams.")
    KILOGRAM = ("kg", "Kilograms.")
    OUNCE = ("oz", "Avoirdupois ounces (28.35 g).")
    POUND = ("lb", "Avoirdupois pounds (453.6 g).")
    DOSAGE_UNIT = ("dosage_unit", "Pills, tablets, tabs or other countable dosage units.")
    MILLILITRE = ("ml", "Millilitres of a liquid.")


#: grams per unit, for the units that convert to a weight
GRAMS_PER_UNIT: dict[QuantityUnit, float] = {
    QuantityUnit.GRAM: 1.0,
    QuantityUnit.MILLIGRAM: 0.001,
    QuantityUnit.KILOGRAM: 1000.0,
    QuantityUnit.OUNCE: 28.349523125,
    QuantityUnit.POUND: 453.59237,
}


class Sex(DescribedEnum):
    MALE = ("male", "Male, as recorded by the arresting agency.")
    FEMALE = ("female", "Female, as recorded by the arresting agency.")
    OTHER = ("other", "Another sex or gender recorded by the source.")
    UNKNOWN = ("unknown", "Not recorded, or recorded as unknown.")


class Race(DescribedEnum):
    """U.S. OMB race categories, plus the values sources actually use."""

    AMERICAN_INDIAN = ("american_indian_alaska_native", "American Indian or Alaska Native (OMB category).")
    ASIAN = ("asian", "Asian (OMB category).")
    BLACK = ("black", "Black or African American (OMB category).")
    PACIFIC_ISLANDER = (
        "native_hawaiian_pacific_islander",
        "Native Hawaiian or Other Pacific Islander (OMB category).",
    )
    WHITE = ("white", "White (OMB category).")
    MULTIRACIAL = ("multiracial", "Two or more races (CCSAO records it as Biracial).")
    OTHER = ("other", "Another race recorded by the source.")
    UNKNOWN = (
        "unknown",
        "Not recorded, or the source recorded only ethnicity (CCSAO's Latinx is kept as ethnicity).",
    )


class Ethnicity(DescribedEnum):
    HISPANIC = ("hispanic_latino", "Hispanic or Latino/Latinx (OMB ethnicity).")
    NOT_HISPANIC = ("not_hispanic_latino", "Not Hispanic or Latino (OMB ethnicity).")
    UNKNOWN = ("unknown", "Not recorded.")


class CaseStage(DescribedEnum):
    RECEIVED = ("received", "Referred by law enforcement; no charging decision yet.")
    UNDER_REVIEW = ("under_review", "A prosecutor is reviewing the case for a charging decision.")
    DECLINED = ("declined", "The office declined to charge.")
    DIVERTED = ("diverted", "The person was referred to a diversion program.")
    CHARGED = ("charged", "Charges were filed.")
    DISPOSED = ("disposed", "The case was disposed (dismissal, plea or verdict).")
    CLOSED = ("closed", "Nothing remains to be done on the case.")


class DispositionKind(DescribedEnum):
    """How the court (or the office) finally disposed of the case: a fact of the case's history."""

    DISMISSED = ("dismissed", "Dismissed by the court.")
    NOLLE_PROSEQUI = ("nolle_prosequi", "The prosecutor dropped the charges (nolle prosequi, nolle pros).")
    PLEA_GUILTY = ("plea_guilty", "Convicted on a plea of guilty (or no contest).")
    FINDING_GUILTY = ("finding_guilty", "Convicted at trial: a finding or verdict of guilty.")
    FINDING_NOT_GUILTY = ("finding_not_guilty", "Acquitted at trial: a finding or verdict of not guilty.")
    DIVERTED_COMPLETED = (
        "diverted_completed",
        "Diverted, and the program was completed: the charge was dismissed (or never filed).",
    )
    OTHER = ("other", "Another disposition (e.g. transferred, or the person died).")

    @property
    def is_conviction(self) -> bool:
        return self in (DispositionKind.PLEA_GUILTY, DispositionKind.FINDING_GUILTY)


class SentenceType(DescribedEnum):
    """The main sentence imposed on a conviction."""

    PRISON = ("prison", "A sentence to state prison.")
    JAIL = ("jail", "A sentence to county jail.")
    PROBATION = ("probation", "Probation: supervision in the community, with conditions.")
    CONDITIONAL_DISCHARGE = (
        "conditional_discharge",
        "Conditional discharge: the court, without entering a judgment of guilt, defers proceedings and "
        "places the person on probation; on completion the proceedings are dismissed and there is no "
        "conviction. Georgia, O.C.G.A. 16-13-2(a): a plea or finding of guilty of drug possession by someone "
        "never before convicted of a drug offence, with the person's consent, probation of up to three years, "
        "once per person. Not Georgia's First Offender Act (O.C.G.A. 42-8-60), a separate statute.",
    )
    SUPERVISION = (
        "supervision",
        "Court supervision: no judgment of conviction if completed (e.g. Illinois).",
    )
    FINE = ("fine", "A fine (and costs) only.")
    NONE = ("none", "No sentence imposed (e.g. time served counted in full, or no conviction).")


class Harm(DescribedEnum):
    NONE = ("none", "No harm recorded.")
    PROPERTY = ("property", "Loss of or damage to property.")
    FINANCIAL = ("financial", "Financial loss.")
    PHYSICAL = ("physical", "Physical injury.")
    SERIOUS_INJURY = ("serious_injury", "Serious bodily injury.")
    DEATH = ("death", "Death (e.g. an overdose death linked to a sale).")
    UNKNOWN = ("unknown", "Harm not recorded.")


class NibrsCode(DescribedEnum):
    DRUG_NARCOTIC = ("35A", "NIBRS 35A drug/narcotic violations.")
    DRUG_EQUIPMENT = ("35B", "NIBRS 35B drug equipment violations.")


class ReferralResult(DescribedEnum):
    GRADUATED = ("graduated", "Completed the program (CCSAO: Graduated).")
    FAILED = ("failed", "Left or was removed from the program (CCSAO: Failed).")
    PENDING = ("pending", "No result recorded yet.")


class PleaStage(DescribedEnum):
    """When a diversion program takes people: the program directory's eligibility and a referral's path."""

    PRE_PLEA = ("pre_plea", "Entered before any plea; completion leads to the charges being dismissed.")
    POST_PLEA = (
        "post_plea",
        "Entered after a guilty plea; completion leads to the plea being vacated or the sentence deferred.",
    )


class ImportFormat(DescribedEnum):
    OFFRAMP_CSV = ("offramp-csv", "Offramp CSV: one row per case with its primary charge.")
    OFFRAMP_JSONL = ("offramp-jsonl", "Offramp JSON Lines: one full nested case per line.")
    CCSAO_DIVERSION = (
        "ccsao-diversion",
        "Cook County State's Attorney open-data Diversion export (one row per participant and referral).",
    )


ALL_ENUMS: tuple[type[DescribedEnum], ...] = (
    PleaStage,
    OffenseKind,
    Severity,
    Drug,
    QuantityUnit,
    Sex,
    Race,
    Ethnicity,
    CaseStage,
    DispositionKind,
    SentenceType,
    Harm,
    NibrsCode,
    ReferralResult,
    ImportFormat,
)
