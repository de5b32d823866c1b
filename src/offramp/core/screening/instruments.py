"""Versioned definitions of the public screening instruments: items, answer options, scoring, bands, licence.

Four instruments and the eight TAPS-2 modules are defined, by the facts in docs/SOURCES.md#screening and
docs/SOURCES.md#taps:

- `uncope` — UNCOPE, 6 yes/no items; 2+ yes suggests risk, 3+ yes points to severe substance use disorder.
- `dast-10` — Drug Abuse Screening Test, 10 yes/no items, item 3 reverse-scored; five bands.
- `taps-1` — NIDA TAPS Tool part 1, 4 past-12-month frequency items. It is a pre-screen: any use other than
  "never" only calls for TAPS-2 on that substance ("TAPS-2 needed"); TAPS-1 alone never indicates SUD.
- `taps-2-<substance>` — NIDA TAPS Tool part 2, one module per substance (tobacco, alcohol, marijuana,
  stimulants, heroin, prescription opioids, sedatives, prescription stimulants): 3 or 4 past-3-month yes/no
  items; score 0 = no use in the past 3 months, 1 = problem use, 2+ = higher risk (NIDA's scoring table;
  2+ is the published cut-off for a DSM-5 substance use disorder, McNeely et al. 2016). Only the higher-risk
  band of a drug module indicates SUD; a tobacco or alcohol module is recorded but is not drug evidence
  (`Instrument.drug_evidence`).
- `tcu-ds5` — TCU Drug Screen 5, 11 items following the DSM-5 criteria; score = criteria met.

Item texts of UNCOPE, DAST-10, TAPS-1 and TCU Drug Screen 5 are short paraphrases written for Offramp, not
the published wording; the TAPS-2 items are the published wording (docs/SOURCES.md#taps-in-offramp). Either
way the screener reads the published form (which the office obtains under its licence) and records the
answers here. RANT and the ASAM
Criteria are proprietary and are not reproduced; `AsamLevel` holds only the ASAM level names, so that a
clinician's placement can be recorded.

A screen is not a diagnosis. Every result must be shown with who administered it, when, and its answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from offramp.core.enums import DescribedEnum


class ItemKind(DescribedEnum):
    YES_NO = ("yes_no", "A yes/no question; the answer is recorded as true (yes) or false (no).")
    FREQUENCY = ("frequency", "A how-often question; the answer is one of the listed frequency options.")


class ScoringRule(DescribedEnum):
    COUNT_YES = (
        "count_yes",
        "Score = number of items answered yes; a reverse-scored item counts when answered no.",
    )
    COUNT_POSITIVE_SUBSTANCES = (
        "count_positive_substances",
        "Score = number of substances with any use other than never; each one screens positive.",
    )


class Frequency(DescribedEnum):
    """TAPS-1 answer options, in the published order (past 12 months)."""

    NEVER = ("never", "Never in the past 12 months.")
    LESS_THAN_MONTHLY = ("less_than_monthly", "Less than once a month in the past 12 months.")
    MONTHLY = ("monthly", "About once a month (monthly) in the past 12 months.")
    WEEKLY = ("weekly", "About once a week (weekly) in the past 12 months.")
    DAILY = ("daily_or_almost_daily", "Daily or almost daily in the past 12 months.")


class TapsSubstance(DescribedEnum):
    TOBACCO = ("tobacco", "Any tobacco product (cigarettes, e-cigarettes, cigars, chewing tobacco ...).")
    ALCOHOL = ("alcohol", "Heavy drinking days: several drinks containing alcohol in one day.")
    ILLICIT_DRUGS = ("illicit_drugs", "Any illicit drug, including marijuana, cocaine, heroin or meth.")
    PRESCRIPTION_DRUGS = (
        "prescription_drugs",
        "Prescription medications used for non-medical reasons (not prescribed, or more than prescribed).",
    )


class Taps2Substance(DescribedEnum):
    """The TAPS-2 substance modules (NIDA TAPS Tool part 2), in the tool's order."""

    TOBACCO = ("tobacco", "Tobacco: cigarette smoking in the past 3 months.")
    ALCOHOL = ("alcohol", "Alcohol: drinking in the past 3 months.")
    MARIJUANA = ("marijuana", "Marijuana (cannabis) use in the past 3 months.")
    STIMULANTS = ("stimulants", "Cocaine, crack or methamphetamine use in the past 3 months.")
    HEROIN = ("heroin", "Heroin use in the past 3 months.")
    PRESCRIPTION_OPIOIDS = (
        "prescription_opioids",
        "Prescription opioid pain relievers used not as prescribed or not prescribed to the person.",
    )
    SEDATIVES = (
        "sedatives",
        "Medication for anxiety or sleep used not as prescribed or not prescribed to the person.",
    )
    PRESCRIPTION_STIMULANTS = (
        "prescription_stimulants",
        "ADHD medication (prescription stimulants) used not as prescribed or not prescribed to the person.",
    )


#: the TAPS-2 modules that are not drug evidence for a drug case: recorded, and a treatment need, but
#: never what makes a drug case "SUD indicated" (docs/SOURCES.md#taps)
NON_DRUG_SUBSTANCES = frozenset({Taps2Substance.TOBACCO, Taps2Substance.ALCOHOL})


class Taps2Risk(DescribedEnum):
    """The TAPS-2 risk level for one substance (NIDA scoring: 0 no use, 1 problem use, 2+ higher risk)."""

    NO_USE = ("no_use", "TAPS-2 found no use of this substance in the past 3 months.")
    PROBLEM_USE = ("problem_use", "Problem use: one TAPS-2 question for this substance answered yes.")
    HIGHER_RISK = (
        "higher_risk",
        "Higher risk: two or more TAPS-2 questions for this substance answered yes.",
    )


class AsamLevel(DescribedEnum):
    """ASAM level-of-care names only, for a clinician's placement. The ASAM Criteria are not reproduced."""

    EARLY_INTERVENTION = ("0.5", "ASAM level 0.5: early intervention.")
    OUTPATIENT = ("1", "ASAM level 1: outpatient services.")
    INTENSIVE_OUTPATIENT = ("2.1", "ASAM level 2.1: intensive outpatient services.")
    PARTIAL_HOSPITALISATION = ("2.5", "ASAM level 2.5: partial hospitalisation services.")
    RESIDENTIAL = ("3.x", "ASAM level 3 (3.1 to 3.7): residential or inpatient services.")
    MEDICALLY_MANAGED_INPATIENT = ("4", "ASAM level 4: medically managed intensive inpatient services.")


class LicenceKind(Enum):
    FREE = "free"
    NON_COMMERCIAL = "non_commercial"
    NON_PROFIT = "non_profit"


@dataclass(frozen=True)
class Option:
    """One answer option: `value` is what `--answers` and the web form send; `points` what it scores."""

    value: str | bool
    label: str
    points: int


YES_NO_OPTIONS: tuple[Option, ...] = (Option(True, "yes", 1), Option(False, "no", 0))
REVERSED_YES_NO_OPTIONS: tuple[Option, ...] = (Option(True, "yes", 0), Option(False, "no", 1))
FREQUENCY_OPTIONS: tuple[Option, ...] = (
    Option(Frequency.NEVER.value, "never", 0),
    Option(Frequency.LESS_THAN_MONTHLY.value, "less than monthly", 1),
    Option(Frequency.MONTHLY.value, "monthly", 1),
    Option(Frequency.WEEKLY.value, "weekly", 1),
    Option(Frequency.DAILY.value, "daily or almost daily", 1),
)


@dataclass(frozen=True)
class Item:
    id: str
    number: int
    text: str
    kind: ItemKind = ItemKind.YES_NO
    reverse_scored: bool = False
    substance: TapsSubstance | None = None

    @property
    def options(self) -> tuple[Option, ...]:
        if self.kind is ItemKind.FREQUENCY:
            return FREQUENCY_OPTIONS
        return REVERSED_YES_NO_OPTIONS if self.reverse_scored else YES_NO_OPTIONS

    def option(self, value: object) -> Option | None:
        """The option with this value, or None. true/false never match a frequency option and vice versa."""
        for opt in self.options:
            if type(opt.value) is type(value) and opt.value == value:
                return opt
        return None


@dataclass(frozen=True)
class Band:
    """Scores `low` to `high` inclusive. `indicates_sud`: the band is the instrument's positive screen for a
    substance use disorder (or its risk), the cut-off the publisher gives for referral to assessment."""

    name: str
    low: int
    high: int
    interpretation: str
    indicates_sud: bool = False

    @property
    def range_text(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}-{self.high}"

    def contains(self, score: int) -> bool:
        return self.low <= score <= self.high


@dataclass(frozen=True)
class Licence:
    kind: LicenceKind
    note: str


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    title: str
    items: tuple[Item, ...]
    scoring: ScoringRule
    bands: tuple[Band, ...]
    licence: Licence
    source: str
    notes: tuple[str, ...] = field(default=())
    #: TAPS-2 modules only: the substance the module asks about
    taps2_substance: Taps2Substance | None = None

    @property
    def drug_evidence(self) -> bool:
        """Whether a positive result is evidence of a drug use disorder for a drug case: every instrument but
        the tobacco and alcohol TAPS-2 modules (docs/SOURCES.md#taps)."""
        return self.taps2_substance not in NON_DRUG_SUBSTANCES

    def __post_init__(self) -> None:
        numbers = [item.number for item in self.items]
        if numbers != list(range(1, len(self.items) + 1)):
            raise ValueError(f"{self.id}: items must be numbered 1..{len(self.items)}, got {numbers}")
        if len({item.id for item in self.items}) != len(self.items):
            raise ValueError(f"{self.id}: item ids must be unique")
        expected = 0
        for band in self.bands:
            if band.low != expected or band.high < band.low:
                raise ValueError(f"{self.id}: band {band.name!r} must start at {expected}")
            expected = band.high + 1
        if expected != self.max_score + 1:
            raise ValueError(f"{self.id}: bands must end at the maximum score {self.max_score}")

    @property
    def max_score(self) -> int:
        return sum(max(opt.points for opt in item.options) for item in self.items)

    def band_named(self, name: str) -> Band:
        for band in self.bands:
            if band.name == name:
                return band
        raise ValueError(f"{self.id}: no band named {name!r}")

    def band_for(self, score: int) -> Band:
        for band in self.bands:
            if band.contains(score):
                return band
        raise ValueError(f"{self.id}: score {score} is outside 0-{self.max_score}")


NOT_A_DIAGNOSIS = "A screen is not a diagnosis: a positive result calls for a clinical assessment."

PARAPHRASE_NOTE = (
    "Item texts here are Offramp's short paraphrases, not the published wording; administer the "
    "published form and record its answers here."
)


def _yes_no(prefix: str, texts: list[str], reverse: frozenset[int] = frozenset()) -> tuple[Item, ...]:
    return tuple(
        Item(f"{prefix}-{n}", n, text, reverse_scored=n in reverse) for n, text in enumerate(texts, start=1)
    )


UNCOPE = Instrument(
    id="uncope",
    version="1",
    title="UNCOPE",
    items=(
        Item("used-more", 1, "In the past year, used alcohol or drugs more than meant to?"),
        Item("neglected", 2, "Neglected usual responsibilities because of alcohol or drug use?"),
        Item("cut-down", 3, "In the past year, wanted or needed to cut down on drinking or drug use?"),
        Item("objected", 4, "Has anyone objected to (complained about) the person's drinking or drug use?"),
        Item("preoccupied", 5, "Found themselves preoccupied with wanting to use alcohol or drugs?"),
        Item(
            "emotional", 6, "Used alcohol or drugs to relieve emotional discomfort (sadness, anger, boredom)?"
        ),
    ),
    scoring=ScoringRule.COUNT_YES,
    bands=(
        Band("low", 0, 1, "No indication of substance use disorder risk on this screen."),
        Band("risk", 2, 2, "Suggests risk of a substance use disorder; refer for a full assessment.", True),
        Band(
            "high risk",
            3,
            6,
            "3 or more yes: high risk. In prison samples 3+ yes gave 85-97% sensitivity and 97-99% "
            "specificity for severe substance use disorder; refer for a full assessment.",
            True,
        ),
    ),
    licence=Licence(
        LicenceKind.FREE,
        "UNCOPE (Hoffmann et al.) is free for oral administration. " + PARAPHRASE_NOTE,
    ),
    source="Hoffmann NG, Hunt DE, Rhodes WM, Riley KJ (2003), UNCOPE: a brief substance dependence screen.",
)

DAST_10 = Instrument(
    id="dast-10",
    version="1",
    title="DAST-10 (Drug Abuse Screening Test, 10 items)",
    items=_yes_no(
        "dast",
        [
            "Past 12 months: used drugs other than those needed for medical reasons?",
            "Used more than one drug at a time?",
            "Always able to stop using drugs when wanting to?",
            "Had blackouts or flashbacks from drug use?",
            "Felt bad or guilty about drug use?",
            "Spouse, partner or parents complained about the person's drug use?",
            "Neglected family because of drug use?",
            "Did something illegal to get drugs?",
            "Had withdrawal symptoms (felt sick) on stopping drugs?",
            "Had medical problems from drug use (memory loss, hepatitis, seizures, bleeding ...)?",
        ],
        reverse=frozenset({3}),
    ),
    scoring=ScoringRule.COUNT_YES,
    bands=(
        Band("none", 0, 0, "No problems related to drug use reported."),
        Band("low", 1, 2, "Low level of problems; monitor and reassess later."),
        Band("moderate", 3, 5, "Moderate level of problems; further assessment is warranted.", True),
        Band("substantial", 6, 8, "Substantial level of problems; intensive assessment is warranted.", True),
        Band("severe", 9, 10, "Severe level of problems; intensive assessment is warranted.", True),
    ),
    licence=Licence(
        LicenceKind.NON_COMMERCIAL,
        "DAST-10 is copyright Harvey A. Skinner and the Centre for Addiction and Mental Health (CAMH); "
        "use is permitted for non-commercial purposes. " + PARAPHRASE_NOTE,
    ),
    source="Skinner HA (1982), The Drug Abuse Screening Test; DAST-10 short form.",
    notes=("Item 3 is reverse-scored: answering no (not always able to stop) scores 1.",),
)

TAPS_1 = Instrument(
    id="taps-1",
    # version 2: the use band is "taps-2 needed" and no longer indicates SUD (TAPS-1 is a pre-screen)
    version="2",
    title="NIDA TAPS Tool part 1 (Tobacco, Alcohol, Prescription medication, and other Substance use)",
    items=(
        Item(
            "tobacco",
            1,
            "Past 12 months: how often used any tobacco product?",
            ItemKind.FREQUENCY,
            substance=TapsSubstance.TOBACCO,
        ),
        Item(
            "alcohol",
            2,
            "Past 12 months: how often had a heavy drinking day (men 5+, women 4+ drinks in one day)?",
            ItemKind.FREQUENCY,
            substance=TapsSubstance.ALCOHOL,
        ),
        Item(
            "illicit-drugs",
            3,
            "Past 12 months: how often used any illegal drug (marijuana, cocaine, heroin, meth ...)?",
            ItemKind.FREQUENCY,
            substance=TapsSubstance.ILLICIT_DRUGS,
        ),
        Item(
            "prescription-drugs",
            4,
            "Past 12 months: how often used a prescription medication for non-medical reasons?",
            ItemKind.FREQUENCY,
            substance=TapsSubstance.PRESCRIPTION_DRUGS,
        ),
    ),
    scoring=ScoringRule.COUNT_POSITIVE_SUBSTANCES,
    bands=(
        Band("negative", 0, 0, "No use of any of the four substance groups reported; TAPS-2 is not needed."),
        Band(
            "taps-2 needed",
            1,
            4,
            "Use reported: TAPS-2 needed for each substance used. TAPS-1 is a pre-screen, not a positive "
            "SUD screen; the risk level (problem use or higher risk) comes from TAPS-2.",
        ),
    ),
    licence=Licence(
        LicenceKind.FREE,
        "The NIDA TAPS Tool is freely available from the National Institute on Drug Abuse. "
        + PARAPHRASE_NOTE,
    ),
    source=(
        "NIDA Clinical Trials Network, TAPS Tool (McNeely J et al., Ann Intern Med 2016;165(10):690-699, "
        "doi:10.7326/M16-0317); NIDA TAPS Tool page."
    ),
    notes=(
        "Score = number of substances with any use other than never (0-4).",
        "Any use only calls for TAPS-2 on that substance: give the taps-2-<substance> modules. TAPS-1 "
        "alone never indicates SUD.",
    ),
)

TAPS2_SOURCE = (
    "NIDA Clinical Trials Network, TAPS Tool part 2 (McNeely J et al., Ann Intern Med 2016;165(10):690-699, "
    "doi:10.7326/M16-0317); scoring: NIDA TAPS Tool page (0 no use in past 3 months, 1 problem use, 2+ "
    "higher risk)."
)

TAPS2_LABEL_NOTE = (
    "Item texts are the published TAPS-2 wording (past 3 months) as found in public reproductions of the "
    "tool, not NIDA's own form (docs/SOURCES.md#taps-in-offramp). Administer the published form and record "
    "its answers here. Item 1 asks whether the substance was used at all in the past 3 months: when it is "
    "answered no, the tool skips the rest, so they are recorded as no."
)

#: the TAPS-2 items per substance, in the published wording (item 1 is always use in the past 3 months).
#: Only the wording changed from Offramp's earlier short labels: the item ids, answers and scoring are the
#: same, so the modules keep version 1 and screens already on file read as before.
TAPS2_ITEMS: dict[Taps2Substance, tuple[tuple[str, str], ...]] = {
    Taps2Substance.TOBACCO: (
        ("used", "In the PAST 3 MONTHS, did you smoke a cigarette containing tobacco?"),
        (
            "more-than-10-a-day",
            "In the PAST 3 MONTHS, did you usually smoke more than 10 cigarettes each day?",
        ),
        (
            "within-30-minutes-of-waking",
            "In the PAST 3 MONTHS, did you usually smoke within 30 minutes after waking?",
        ),
    ),
    Taps2Substance.ALCOHOL: (
        ("used", "In the PAST 3 MONTHS, did you have a drink containing alcohol?"),
        (
            "heavy-day",
            "In the PAST 3 MONTHS, did you have 5 or more drinks (men)/4 or more drinks (women) containing "
            "alcohol in a day?",
        ),
        (
            "failed-to-cut-down",
            "In the PAST 3 MONTHS, have you tried and failed to control, cut down or stop drinking?",
        ),
        ("concern", "In the PAST 3 MONTHS, has anyone expressed concern about your drinking?"),
    ),
    Taps2Substance.MARIJUANA: (
        ("used", "In the PAST 3 MONTHS, did you use marijuana (hash, weed)?"),
        (
            "weekly-urge",
            "In the PAST 3 MONTHS, have you had a strong desire or urge to use marijuana at least once a week or "
            "more often?",
        ),
        ("concern", "In the PAST 3 MONTHS, has anyone expressed concern about your use of marijuana?"),
    ),
    Taps2Substance.STIMULANTS: (
        ("used", "In the PAST 3 MONTHS, did you use cocaine, crack, or methamphetamine (crystal meth)?"),
        (
            "weekly",
            "In the PAST 3 MONTHS, did you use cocaine, crack, or methamphetamine (crystal meth) at least once a "
            "week or more often?",
        ),
        (
            "concern",
            "In the PAST 3 MONTHS, has anyone expressed concern about your use of cocaine, crack, or "
            "methamphetamine (crystal meth)?",
        ),
    ),
    Taps2Substance.HEROIN: (
        ("used", "In the PAST 3 MONTHS, did you use heroin?"),
        (
            "failed-to-cut-down",
            "In the PAST 3 MONTHS, have you tried and failed to control, cut down or stop using heroin?",
        ),
        ("concern", "In the PAST 3 MONTHS, has anyone expressed concern about your use of heroin?"),
    ),
    Taps2Substance.PRESCRIPTION_OPIOIDS: (
        (
            "used",
            "In the PAST 3 MONTHS, did you use a prescription opiate pain reliever (for example, Percocet, "
            "Vicodin) not as prescribed or that was not prescribed for you?",
        ),
        (
            "failed-to-cut-down",
            "In the PAST 3 MONTHS, have you tried and failed to control, cut down or stop using an opiate pain "
            "reliever?",
        ),
        (
            "concern",
            "In the PAST 3 MONTHS, has anyone expressed concern about your use of an opiate pain reliever?",
        ),
    ),
    Taps2Substance.SEDATIVES: (
        (
            "used",
            "In the PAST 3 MONTHS, did you use a medication for anxiety or sleep (for example, Xanax, Ativan, or "
            "Klonopin) not as prescribed or that was not prescribed for you?",
        ),
        (
            "weekly-urge",
            "In the PAST 3 MONTHS, have you had a strong desire or urge to use medications for anxiety or sleep "
            "at least once a week or more often?",
        ),
        (
            "concern",
            "In the PAST 3 MONTHS, has anyone expressed concern about your use of medication for anxiety or sleep?",
        ),
    ),
    Taps2Substance.PRESCRIPTION_STIMULANTS: (
        (
            "used",
            "In the PAST 3 MONTHS, did you use a medication for ADHD (for example, Adderall, Ritalin) not as "
            "prescribed or that was not prescribed for you?",
        ),
        (
            "weekly",
            "In the PAST 3 MONTHS, did you use a medication for ADHD (for example, Adderall, Ritalin) at least "
            "once a week or more often?",
        ),
        (
            "concern",
            "In the PAST 3 MONTHS, has anyone expressed concern about your use of a medication for ADHD (for "
            "example, Adderall or Ritalin)?",
        ),
    ),
}


def _taps2(substance: Taps2Substance) -> Instrument:
    labels = TAPS2_ITEMS[substance]
    n = len(labels)
    evidence = substance not in NON_DRUG_SUBSTANCES
    higher = (
        "Higher risk: 2 or more yes. 2+ is the published cut-off for a DSM-5 substance use disorder; refer "
        "for a clinical assessment."
    )
    if not evidence:
        higher += " Recorded as a treatment need; not drug evidence for a drug case."
    return Instrument(
        id=f"taps-2-{substance.value.replace('_', '-')}",
        version="1",
        title=f"NIDA TAPS Tool part 2: {substance.value.replace('_', ' ')}",
        items=tuple(
            Item(f"{substance.value}-{slug}", number, text)
            for number, (slug, text) in enumerate(labels, start=1)
        ),
        scoring=ScoringRule.COUNT_YES,
        bands=(
            Band("no use", 0, 0, "No use of this substance in the past 3 months."),
            Band("problem use", 1, 1, "Problem use: one yes. Below the SUD cut-off; brief advice."),
            # only a drug module's higher-risk band is a positive SUD screen for a drug case
            Band("higher risk", 2, n, higher, evidence),
        ),
        licence=Licence(
            LicenceKind.FREE,
            "The NIDA TAPS Tool is freely available from the National Institute on Drug Abuse. "
            + TAPS2_LABEL_NOTE,
        ),
        source=TAPS2_SOURCE,
        notes=(
            "Score = number of yes answers (0 no use, 1 problem use, 2+ higher risk).",
            "If item 1 (any use in the past 3 months) is no, the other items must be no.",
        ),
        taps2_substance=substance,
    )


TAPS_2: dict[Taps2Substance, Instrument] = {s: _taps2(s) for s in Taps2Substance}

TCU_DS5 = Instrument(
    id="tcu-ds5",
    version="1",
    title="TCU Drug Screen 5 (TCUDS 5)",
    items=_yes_no(
        "tcu",
        [
            "Past 12 months: often used larger amounts or for longer than intended?",
            "Wanted or tried to cut down or stop, without success?",
            "Spent a lot of time getting, using or getting over the effects of drugs?",
            "Had strong cravings or urges to use?",
            "Use got in the way of work, school or home responsibilities?",
            "Kept using despite arguments or problems with family or friends?",
            "Gave up or cut back important activities because of use?",
            "Used in physically dangerous situations (e.g. driving)?",
            "Kept using despite physical or mental health problems caused or made worse by use?",
            "Needed more to get the same effect (tolerance)?",
            "Had withdrawal symptoms, or used to avoid them?",
        ],
    ),
    scoring=ScoringRule.COUNT_YES,
    bands=(
        Band("none", 0, 1, "No substance use disorder indicated."),
        Band("mild", 2, 3, "Consistent with a mild substance use disorder.", True),
        Band("moderate", 4, 5, "Consistent with a moderate substance use disorder.", True),
        Band("severe", 6, 11, "Consistent with a severe substance use disorder.", True),
    ),
    licence=Licence(
        LicenceKind.NON_PROFIT,
        "TCU Drug Screen 5 (Texas Christian University, Institute of Behavioral Research) is free for "
        "non-profit use. " + PARAPHRASE_NOTE,
    ),
    source="Institute of Behavioral Research, Texas Christian University, TCU Drug Screen 5 (2014).",
    notes=(
        "Each item is one DSM-5 criterion. On the published form items 10 and 11 have parts a and b; the "
        "item counts as met (answer true) when either part is answered yes.",
        "Score = criteria met (0-11): 0-1 no disorder indicated, 2-3 mild, 4-5 moderate, 6+ severe.",
    ),
)

INSTRUMENTS: dict[str, Instrument] = {i.id: i for i in (UNCOPE, DAST_10, TAPS_1, *TAPS_2.values(), TCU_DS5)}

#: the instruments Offramp does not reproduce, and why
NOT_REPRODUCED: dict[str, str] = {
    "rant": "RANT (Risk and Needs Triage) is commercial: its items are not reproduced.",
    "asam": "The ASAM Criteria are proprietary: only the level names (AsamLevel) may be recorded.",
}

SCREENING_ENUMS: tuple[type[DescribedEnum], ...] = (
    ItemKind,
    ScoringRule,
    Frequency,
    TapsSubstance,
    Taps2Substance,
    Taps2Risk,
    AsamLevel,
)


class UnknownInstrumentError(ValueError):
    def __init__(self, instrument_id: str) -> None:
        self.instrument_id = instrument_id
        known = ", ".join(INSTRUMENTS)
        extra = f" {NOT_REPRODUCED[instrument_id.lower()]}" if instrument_id.lower() in NOT_REPRODUCED else ""
        super().__init__(f"unknown instrument {instrument_id!r}; known: {known}.{extra}")


def get_instrument(instrument_id: str) -> Instrument:
    """The instrument with this id (lower-case with hyphens, e.g. `dast-10`; case and spaces ignored)."""
    try:
        return INSTRUMENTS[instrument_id.strip().lower()]
    except KeyError:
        raise UnknownInstrumentError(instrument_id) from None
