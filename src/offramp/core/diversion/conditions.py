"""Conditions of a diversion agreement, their progress, the MOUD guard, drug-test results and restitution.

What providers report is what a condition measures: treatment attendance, drug tests, classes,
community-service hours, check-ins and restitution payments (docs/SOURCES.md#provider-reports). Each condition has a
target in its own unit and progress towards it.

**MOUD guard.** Medications for opioid use disorder (methadone, buprenorphine, naltrexone) are treatment,
not drug use. A condition that would require someone to stop, or forbid them to start, MOUD is refused with
the reason (`validate_condition` raises `ConditionRefused`). It is refused whether or not the person is on
MOUD today: a condition written now binds for months, and a person who is not on MOUD at entry may be
prescribed it next week; a condition must not stand between them and treatment. Sources:
- U.S. DOJ Civil Rights Division, "The ADA and Opioid Use Disorder: Combating Discrimination Against People
  in Treatment or Recovery" (April 2022): criminal-justice programs may not require people to stop MOUD.
- All Rise (NADCP), Adult Treatment Court Best Practice Standards: participants are not required to stop
  medication for addiction treatment, and are not denied entry for taking it.
- BJA Adult Drug Court Discretionary Grant Program conditions (since FY2015): funded courts may not deny
  entry to, or require discontinuing, FDA-approved medication for participants.

A condition is refused when its `requires_stopping_moud` flag is set or its description matches one of
`MOUD_STOP_PATTERNS` (after lower-casing and turning hyphens and slashes into spaces). The words it knows:
the medication names (MOUD, MAT, methadone, Methadose, Dolophine, buprenorphine, Suboxone, Subutex, Zubsolv,
Sublocade, Brixadi, naltrexone, Vivitrol, "medication(s) for opioid use disorder", "medication assisted
treatment", "opioid replacement/agonist/substitution therapy") after "no", "stop", "quit", "discontinue",
"cease", "taper/wean/come/get off (of)", "free of/from", "without", "abstain/refrain from", "not take/use/be
on" (with "any/all/the/their/use of/using/taking" between); "<medication> free"; "medication free";
"including (prescribed/prescription) medication(s)" (e.g. "drug-free including medication"); "abstinence
only"; "does not accept/admit/allow people on <medication>". A match is refused even if the sentence meant
otherwise ("no methadone restrictions"): the coordinator rewords it to say what is required. A false refusal
costs a rewording; a missed one could cost a life.

**Drug tests.** A test positive only for prescribed medication is negative (the Medical Review Officer rule,
49 CFR 40.137/40.141: a legitimate medical explanation makes the result negative), with MOUD brand names and
metabolites (EDDP, norbuprenorphine, 6-beta-naltrexol) recognised. Non-prescribed MOUD stays positive, with
a note to offer MOUD. Progress on a drug-test condition counts tests taken; results are for the treatment
team, not a measure of the condition.

**Restitution.** Inability to pay never by itself bars entry or causes termination (APA toolkit):
`restitution_condition_ok` never refuses; it returns a payment plan sized to what the person can pay,
computed by `offramp.core.victims.restitution` (`plan_for`, `schedule`), the same plans the restitution ledger uses.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

from offramp.core.enums import DescribedEnum
from offramp.core.victims import restitution


class ConditionKind(DescribedEnum):
    TREATMENT_ATTENDANCE = ("treatment_attendance", "Attend treatment sessions (counted in sessions).")
    DRUG_TESTS = ("drug_tests", "Take drug tests (counted in tests taken; results go to the treatment team).")
    CLASSES = ("classes", "Attend classes, e.g. drug education or job readiness (counted in classes).")
    COMMUNITY_SERVICE_HOURS = ("community_service_hours", "Do community service (counted in hours).")
    CHECK_INS = ("check_ins", "Check in with the coordinator or the program (counted in check-ins).")
    RESTITUTION = (
        "restitution",
        "Repay the victim's loss (in US dollars), by a payment plan sized to what the person can pay.",
    )

    @property
    def unit(self) -> str:
        return UNITS[self]


UNITS: Mapping[ConditionKind, str] = MappingProxyType(
    {
        ConditionKind.TREATMENT_ATTENDANCE: "sessions",
        ConditionKind.DRUG_TESTS: "tests",
        ConditionKind.CLASSES: "classes",
        ConditionKind.COMMUNITY_SERVICE_HOURS: "hours",
        ConditionKind.CHECK_INS: "check-ins",
        ConditionKind.RESTITUTION: "USD",
    }
)


def _decimal(value: Decimal | int | str) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class Condition:
    """One condition of the agreement: what, how much (`target`, in `kind.unit`), and by when."""

    kind: ConditionKind
    target: Decimal
    description: str = ""
    requires_stopping_moud: bool = False
    due: dt.date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "target", _decimal(self.target))
        if self.target <= 0:
            raise ValueError(
                f"a condition's target must be more than zero {self.kind.unit}, not {self.target}"
            )

    @property
    def unit(self) -> str:
        return self.kind.unit


class ConditionRefused(ValueError):
    """The condition may not be set; `reason` says why in words for the coordinator."""

    def __init__(self, condition: Condition, reason: str) -> None:
        self.condition, self.reason = condition, reason
        super().__init__(reason)


# --- the MOUD guard ------------------------------------------------------------------------------------------

_MEDS = (
    r"moud|mat|methadone|methadose|dolophine|buprenorphine|suboxone|subutex|zubsolv|sublocade|brixadi|"
    r"naltrexone|vivitrol|medications? for opioid use disorder|medications? assisted treatment|"
    r"opioid (?:replacement|agonist|substitution) (?:therapy|treatment)"
)
_STOP = (
    r"no|stop|stops|quit|discontinue|discontinuing|cease|ceasing|"
    r"(?:taper|tapered|tapering|wean|weaned|weaning|come|coming|get|getting) off(?: of)?|"
    r"free (?:of|from)|without|abstain from|abstaining from|refrain from|(?:not|never) (?:take|use|be on)"
)
_DET = r"(?:(?:any|all|the|their|his|her|your|of|use of|using|taking) )*"

#: (pattern, what it catches). Matched against the lower-cased description, hyphens and slashes as spaces.
MOUD_STOP_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), why)
    for p, why in (
        (rf"\b(?:{_STOP}) {_DET}(?:{_MEDS})\b", "forbids or ends a medication for opioid use disorder"),
        (rf"\b(?:{_MEDS}) free\b", "requires being free of a medication for opioid use disorder"),
        (r"\bmedications? free\b", "requires being free of all medication, MOUD included"),
        (
            r"\bincluding (?:any )?(?:prescribed |prescription )?(?:medications?|meds|opioids)\b",
            "extends a drug-free rule to prescribed medication",
        ),
        (r"\babstinence (?:based )?only\b", "allows only abstinence-based treatment, which excludes MOUD"),
        (
            rf"\bnot (?:accept|admit|allow|permit)s? {_DET}(?:(?:people|patients|clients|anyone) on )?(?:{_MEDS})\b",
            "names a program that does not accept people on MOUD",
        ),
    )
)


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[-/_]", " ", text.lower()).split())


def moud_conflict(condition: Condition) -> str | None:
    """Why the condition would require stopping (or forbid starting) MOUD, or None if it would not."""
    if condition.requires_stopping_moud:
        return "it is marked as requiring the person to stop medication for opioid use disorder"
    text = _normal(condition.description)
    for pattern, why in MOUD_STOP_PATTERNS:
        found = pattern.search(text)
        if found:
            return f"its text {why} ('{found.group(0)}')"
    return None


def validate_condition(condition: Condition, person_on_moud: bool = False) -> None:
    """Raise ConditionRefused if the condition would require stopping MOUD — or forbid starting it, so the
    answer is the same whether or not the person is on MOUD today (`person_on_moud` only changes the words)."""
    why = moud_conflict(condition)
    if why is None:
        return
    who = (
        "The person is on MOUD, and stopping it sharply raises the risk of overdose death."
        if person_on_moud
        else "The person may need MOUD during the program; a condition must not forbid starting it."
    )
    raise ConditionRefused(
        condition,
        f"Refused: {why}. MOUD is treatment, not drug use. {who} (ADA, DOJ guidance April 2022; "
        "All Rise adult treatment court standards.) Reword the condition to say what is required.",
    )


# --- drug tests ----------------------------------------------------------------------------------------------

#: a prescribed medication name (generic or brand) -> the substances a test may find because of it
MOUD_PRESCRIPTIONS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "methadone": frozenset({"methadone"}),
        "methadose": frozenset({"methadone"}),
        "dolophine": frozenset({"methadone"}),
        "buprenorphine": frozenset({"buprenorphine"}),
        "subutex": frozenset({"buprenorphine"}),
        "sublocade": frozenset({"buprenorphine"}),
        "brixadi": frozenset({"buprenorphine"}),
        "suboxone": frozenset({"buprenorphine", "naloxone"}),
        "zubsolv": frozenset({"buprenorphine", "naloxone"}),
        "naltrexone": frozenset({"naltrexone"}),
        "vivitrol": frozenset({"naltrexone"}),
    }
)
#: a substance as a lab reports it -> the medication it comes from (metabolites)
METABOLITES: Mapping[str, str] = MappingProxyType(
    {
        "eddp": "methadone",
        "norbuprenorphine": "buprenorphine",
        "6 beta naltrexol": "naltrexone",
        "6 b naltrexol": "naltrexone",
    }
)
MOUD_SUBSTANCES = frozenset({"methadone", "buprenorphine", "naltrexone", "naloxone"})


class DrugTestResult(DescribedEnum):
    NEGATIVE = ("negative", "Nothing found, or only medication the person is prescribed (MOUD included).")
    POSITIVE = ("positive", "A substance was found that no prescription explains.")


@dataclass(frozen=True)
class DrugTestOutcome:
    result: DrugTestResult
    unexplained: tuple[str, ...]  # substances found that no prescription explains (positive for these)
    explained: tuple[str, ...]  # substances found that a prescription explains
    message: str


def _substance(name: str) -> str:
    key = _normal(name).replace(".", "")
    return METABOLITES.get(key, key)


def drug_test_result(substances_found: Iterable[str], prescribed: Iterable[str]) -> DrugTestOutcome:
    """The result of one test: negative when everything found is explained by a prescription (MOUD brand
    names and metabolites recognised), positive for anything else."""
    covered: set[str] = set()
    for name in prescribed:
        key = _normal(name)
        covered |= MOUD_PRESCRIPTIONS.get(key, frozenset({_substance(key)}))
    explained: list[str] = []
    unexplained: list[str] = []
    for raw in substances_found:
        name = _substance(raw)
        if not name:
            continue
        (explained if name in covered else unexplained).append(name)
    explained_t, unexplained_t = tuple(dict.fromkeys(explained)), tuple(dict.fromkeys(unexplained))
    if not unexplained_t:
        message = "Negative."
        if explained_t:
            message = (
                f"Negative: only prescribed medication found ({', '.join(explained_t)}); MOUD is treatment."
            )
        return DrugTestOutcome(DrugTestResult.NEGATIVE, (), explained_t, message)
    message = f"Positive for {', '.join(unexplained_t)}."
    if set(unexplained_t) & MOUD_SUBSTANCES:
        message += " MOUD without a prescription: consider offering a prescription (a referral to MOUD)."
    return DrugTestOutcome(DrugTestResult.POSITIVE, unexplained_t, explained_t, message)


# --- progress ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressEntry:
    """What a provider reported on one day, in the condition's unit (sessions, hours, USD ...)."""

    on: dt.date
    amount: Decimal
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", _decimal(self.amount))
        if self.amount < 0:
            raise ValueError(f"a progress amount cannot be negative ({self.amount})")


@dataclass(frozen=True)
class Progress:
    done: Decimal
    target: Decimal
    percent: Decimal  # 0.0-100.0, one decimal, capped at 100
    met: bool
    unit: str


def progress(condition: Condition, entries: Iterable[ProgressEntry]) -> Progress:
    """How far the condition is met: the entries' total against the target."""
    done = sum((e.amount for e in entries), Decimal(0))
    percent = min(Decimal(100), done * 100 / condition.target).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return Progress(done, condition.target, percent, done >= condition.target, condition.unit)


# --- restitution ---------------------------------------------------------------------------------------------

#: one cent (the same as `offramp.core.victims.restitution.CENT`)
CENT = restitution.CENT


@dataclass(frozen=True)
class PaymentPlan:
    """A suggested plan: `installments` monthly payments of `monthly`, the last one `final_installment`.

    A summary of core `offramp.core.victims.restitution`'s plan and schedule (`plan`, when the plan has a start
    date; `schedule(total, plan)` lists its instalments)."""

    total: Decimal
    monthly: Decimal
    installments: int  # 0 when nothing can be paid now
    final_installment: Decimal
    first_due: dt.date | None
    note: str
    review_on: dt.date | None = None
    plan: restitution.PaymentPlan | None = None


#: the date a plan without a start is computed from (only its number of instalments is used)
_UNDATED = dt.date(2000, 1, 1)


def restitution_condition_ok(
    condition: Condition,
    monthly_ability_to_pay: Decimal,
    *,
    start: dt.date | None = None,
    program_months: int | None = None,
) -> PaymentPlan:
    """Never refuses: inability to pay never by itself bars entry or causes termination (APA toolkit).
    Returns a payment plan of what the person can pay each month (`monthly_ability_to_pay`, from the
    office's ability-to-pay assessment). With nothing to pay now, the plan defers payment for review.

    A thin wrapper over `offramp.core.victims.restitution.plan_for` and `schedule` (the one implementation of plans
    the ledger pages use too): amounts are exact cents (`restitution.money`: a fraction of a cent raises
    ValueError rather than being rounded), and an ability too small to pay within
    `restitution.MAX_INSTALLMENTS` months gives a deferred plan, as `plan_for` does. Without `start`, the
    plan's dates (`first_due`, `review_on`, `plan`) are left empty."""
    if condition.kind is not ConditionKind.RESTITUTION:
        raise ValueError(f"a payment plan is for restitution, not {condition.kind.value}")
    total = restitution.money(condition.target)
    ability = restitution.money(_decimal(monthly_ability_to_pay))
    plan = restitution.plan_for(total, max(ability, restitution.ZERO), first_due=start or _UNDATED)
    try:
        installments = restitution.schedule(total, plan)
    except ValueError:
        # plan_for counts months with Decimal `//`, which truncates, so an ability just short of paying within
        # MAX_INSTALLMENTS months gets a plan schedule() refuses: defer it, as plan_for means to
        plan = restitution.plan_for(total, restitution.ZERO, first_due=start or _UNDATED)
    if plan.deferred:
        return PaymentPlan(
            total,
            restitution.ZERO,
            0,
            restitution.ZERO,
            None,
            f"{plan.basis} Payment is deferred and ability to pay reviewed at each progress report. This "
            "does not bar entry and is not a reason for termination.",
            review_on=plan.review_on if start else None,
            plan=plan if start else None,
        )
    count, final = len(installments), installments[-1].amount
    note = f"{count} monthly payment{'s' if count != 1 else ''} of {plan.monthly} USD"
    note += f" (the last {final} USD)." if final != plan.monthly else "."
    if program_months is not None and count > program_months:
        note += (
            f" The plan runs past the program's {program_months} months; a balance left at the end is for the "
            "office's policy, and is not by itself a reason for termination."
        )
    return PaymentPlan(
        total,
        plan.monthly,
        count,
        final,
        start,
        note,
        review_on=plan.review_on if start else None,
        plan=plan if start else None,
    )
