"""The needs assessment: ten questions, one per life domain, whose answers become need tags.

DeKalb County's line prosecutors weigh "the accused's motivating factors" — poverty, housing, work,
education — and its Diversion & Community Alternatives unit assigns programs to meet them
(docs/SOURCES.md#dekalb-da; IIP/Vital Strategies 2021 rec. 3: many sell out of poverty). This is that
assessment, asked by a diversion coordinator: one question per domain (housing, employment, education,
income, health insurance, dependants, transportation, mental health, language, disability), each answer
option naming the `Need` tags it raises. The tags go into the evaluation frame's `needs_assessed` column,
where the `needs` finding merges them with the needs read from the facts, for program matching and policy rules
(`{finding: needs, contains: housing}`).

It is not a clinical instrument and scores nothing: it records what the person says, and an unanswered
question (the person may decline any) raises no need and is listed as unanswered. Every option and every
tag carries a description a prosecutor or the person can read. The definition is versioned (`VERSION`): a
result records the version it was assessed under, and changing an option or its tags means a new version.

Pure Python: no Django, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from offramp.core.enums import DescribedEnum
from offramp.core.evaluation.criteria.enums import Need

ID = "offramp-needs"
VERSION = "2026.1"
#: the free-text answer recording the person's language, asked when the language answer is not English
LANGUAGE_NAME = "preferred_language"


class Housing(DescribedEnum):
    STABLE = ("stable", "Lives in their own or a family home, or a lease, with no risk of losing it soon.")
    WITH_OTHERS = ("with_others", 'Staying with friends or family for now ("couch-surfing"), with no lease.')
    SHELTER = ("shelter", "Staying in a shelter, transitional housing or a motel paid by an agency.")
    STREET = ("street", "Sleeping outside, in a vehicle or in a place not meant for living in.")


class Employment(DescribedEnum):
    FULL_TIME = ("full_time", "Works full-time (about 35 hours a week or more).")
    PART_TIME = ("part_time", "Works part-time or irregularly, and could use help finding steady work.")
    UNEMPLOYED_LOOKING = ("unemployed_looking", "Has no job and is looking for one.")
    UNEMPLOYED_NOT_LOOKING = ("unemployed_not_looking", "Has no job and is not looking for one now.")
    UNABLE_TO_WORK = (
        "unable_to_work",
        "Cannot work because of illness or disability (the income and disability questions cover this).",
    )
    STUDENT_OR_RETIRED = ("student_or_retired", "In school or training full-time, or retired.")


class Education(DescribedEnum):
    NO_DIPLOMA = ("no_diploma", "Did not finish high school and has no equivalency (GED or HiSET).")
    DIPLOMA_OR_EQUIVALENCY = ("diploma_or_equivalency", "High-school diploma or an equivalency (GED, HiSET).")
    SOME_COLLEGE_OR_VOCATIONAL = (
        "some_college_or_vocational",
        "Some college, or a vocational or trade certificate.",
    )
    DEGREE = ("degree", "An associate, bachelor's or higher degree.")


class Income(DescribedEnum):
    NONE = ("none", "No income from work, benefits or support.")
    BELOW_THRESHOLD = (
        "below_threshold",
        "Household income below 125% of the HHS poverty guideline for its size (the Legal Services "
        "Corporation's eligibility line, 45 CFR 1611).",
    )
    ABOVE_THRESHOLD = ("above_threshold", "Household income at or above 125% of the HHS poverty guideline.")


class HealthInsurance(DescribedEnum):
    MEDICAID = ("medicaid", "Covered by Medicaid (or CHIP).")
    MEDICARE = ("medicare", "Covered by Medicare.")
    PRIVATE = ("private", "Covered by an employer, marketplace or other private plan.")
    VETERANS_OR_MILITARY = ("veterans_or_military", "Covered by VA health care or TRICARE.")
    NONE = ("none", "No health coverage.")
    UNSURE = ("unsure", "Does not know whether they are covered; enrolment help can check.")


class Dependants(DescribedEnum):
    NONE = ("none", "No one depends on the person for care.")
    CHILDREN_UNDER_18 = ("children_under_18", "Cares for one or more children under 18.")
    ADULT_CAREGIVER = ("adult_caregiver", "Cares for an adult (an elderly parent, a disabled relative).")
    CHILDREN_AND_ADULT = ("children_and_adult", "Cares for both children under 18 and an adult.")


class Transportation(DescribedEnum):
    OWN_VEHICLE = ("own_vehicle", "Has a working vehicle and a valid licence.")
    PUBLIC_TRANSIT = ("public_transit", "Reliable public transit reaches court, treatment and programs.")
    RIDES_UNRELIABLE = (
        "rides_unreliable",
        "Depends on rides from others or transit that is often unreliable.",
    )
    NONE = ("none", "No reliable way to get to appointments.")


class MentalHealth(DescribedEnum):
    NO_CONCERNS = ("no_concerns", "Reports no mental-health concerns.")
    PAST_ONLY = ("past_only", "Had mental-health care in the past; no current symptoms or need for care.")
    CURRENT_IN_CARE = (
        "current_in_care",
        "Has current symptoms and is in care: the plan must keep that care going.",
    )
    CURRENT_NO_CARE = ("current_no_care", "Has current symptoms or asks for care, and has none now.")


class Language(DescribedEnum):
    ENGLISH = ("english", "Speaks and reads English well enough for court and program papers.")
    OTHER_NO_INTERPRETER = (
        "other_no_interpreter",
        "Prefers another language but does not need an interpreter (the language is recorded).",
    )
    NEEDS_INTERPRETER = (
        "needs_interpreter",
        "Needs an interpreter (spoken or sign language) and translated papers; the language is recorded.",
    )


class Disability(DescribedEnum):
    NONE = ("none", "Reports no disability.")
    NO_ACCOMMODATION = ("no_accommodation", "Has a disability but needs no accommodation.")
    NEEDS_ACCOMMODATION = (
        "needs_accommodation",
        "Needs an accommodation (access, a reader, more time, an aide) to take part.",
    )


@dataclass(frozen=True)
class Question:
    """One question: its id (the answer's key), the domain, the text asked, the answer options and the
    need tags each option raises (an option not in `tags` raises none)."""

    id: str
    domain: str
    text: str
    options: type[DescribedEnum]
    tags: Mapping[str, tuple[Need, ...]] = field(default_factory=dict)

    def tags_of(self, option: str) -> tuple[Need, ...]:
        return self.tags.get(option, ())


QUESTIONS: tuple[Question, ...] = (
    Question(
        "housing",
        "housing",
        "Where have you been staying for the past 30 days?",
        Housing,
        {o.value: (Need.HOUSING,) for o in (Housing.WITH_OTHERS, Housing.SHELTER, Housing.STREET)},
    ),
    Question(
        "employment",
        "employment",
        "Which best describes your work now?",
        Employment,
        {
            o.value: (Need.WORK,)
            for o in (Employment.PART_TIME, Employment.UNEMPLOYED_LOOKING, Employment.UNEMPLOYED_NOT_LOOKING)
        },
    ),
    Question(
        "education",
        "education",
        "What is the highest level of school you have completed?",
        Education,
        {Education.NO_DIPLOMA.value: (Need.EDUCATION,)},
    ),
    Question(
        "income",
        "income",
        "What is your household's income, counting work, benefits and support?",
        Income,
        {o.value: (Need.INCOME,) for o in (Income.NONE, Income.BELOW_THRESHOLD)},
    ),
    Question(
        "health_insurance",
        "health insurance",
        "Do you have health insurance, and of what kind?",
        HealthInsurance,
        {o.value: (Need.INSURANCE,) for o in (HealthInsurance.NONE, HealthInsurance.UNSURE)},
    ),
    Question(
        "dependants",
        "dependants",
        "Does anyone depend on you for care?",
        Dependants,
        {
            o.value: (Need.CHILDCARE,)
            for o in (Dependants.CHILDREN_UNDER_18, Dependants.ADULT_CAREGIVER, Dependants.CHILDREN_AND_ADULT)
        },
    ),
    Question(
        "transportation",
        "transportation",
        "How would you get to court, treatment and program sessions?",
        Transportation,
        {o.value: (Need.TRANSPORT,) for o in (Transportation.RIDES_UNRELIABLE, Transportation.NONE)},
    ),
    Question(
        "mental_health",
        "mental health",
        "Are you having problems with your mental health now, or getting care for it?",
        MentalHealth,
        {
            o.value: (Need.MENTAL_HEALTH,)
            for o in (MentalHealth.CURRENT_IN_CARE, MentalHealth.CURRENT_NO_CARE)
        },
    ),
    Question(
        "language",
        "language",
        "What language are you most comfortable in, and do you need an interpreter?",
        Language,
        {Language.NEEDS_INTERPRETER.value: (Need.LANGUAGE_ACCESS,)},
    ),
    Question(
        "disability",
        "disability",
        "Do you have a disability for which you need an accommodation?",
        Disability,
        {Disability.NEEDS_ACCOMMODATION.value: (Need.ACCOMMODATION,)},
    ),
)

QUESTION_BY_ID: dict[str, Question] = {q.id: q for q in QUESTIONS}
#: the tags the assessment can raise, in `Need` order
ASSESSED_NEEDS: tuple[Need, ...] = tuple(
    n for n in Need if any(n in tags for q in QUESTIONS for tags in q.tags.values())
)


class NeedsAnswerError(ValueError):
    """The answers do not fit the assessment; `problems` names each question and what it allows."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class NeedsResult:
    """An assessment's outcome: the need tags raised (in `Need` order, once each), the answers as given
    (option values, plus `preferred_language` when recorded), the questions left unanswered and the
    definition's version."""

    tags: tuple[str, ...]
    answers: dict[str, str]
    version: str
    unanswered: tuple[str, ...] = ()

    @property
    def language(self) -> str | None:
        """The person's recorded language, if any."""
        return self.answers.get(LANGUAGE_NAME)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": ID,
            "version": self.version,
            "tags": list(self.tags),
            "answers": dict(self.answers),
            "unanswered": list(self.unanswered),
        }


def _allowed(question: Question) -> str:
    return ", ".join(question.options.values())


def assess(answers: Mapping[str, str]) -> NeedsResult:
    """The need tags `answers` (question id -> option value; case and surrounding space ignored) raise.

    A question may be left out (unanswered: no need). `preferred_language` records the language when the
    language answer is not English, and is required when an interpreter is needed. Raises NeedsAnswerError
    naming every unknown question, every answer that is not an option (with the options allowed) and a
    missing or misplaced language."""
    problems: list[str] = []
    chosen: dict[str, str] = {}
    for key, raw in answers.items():
        question = QUESTION_BY_ID.get(key)
        if key == LANGUAGE_NAME:
            continue
        if question is None:
            expected = ", ".join([*QUESTION_BY_ID, LANGUAGE_NAME])
            problems.append(f"'{key}' is not a question of the needs assessment: expected one of {expected}")
            continue
        option = question.options.parse(raw) if isinstance(raw, str) else None
        if option is None:
            problems.append(f"{key}: {raw!r} is not an answer: expected one of {_allowed(question)}")
            continue
        chosen[key] = option.value
    language_name = answers.get(LANGUAGE_NAME)
    language = chosen.get("language")
    if language_name is not None:
        if not isinstance(language_name, str) or not language_name.strip():
            problems.append(f"{LANGUAGE_NAME}: give the language's name (e.g. Spanish, ASL)")
        elif language not in (Language.OTHER_NO_INTERPRETER.value, Language.NEEDS_INTERPRETER.value):
            problems.append(
                f"{LANGUAGE_NAME}: recorded only when language is "
                f"{Language.OTHER_NO_INTERPRETER.value} or {Language.NEEDS_INTERPRETER.value}"
            )
    elif language == Language.NEEDS_INTERPRETER.value:
        problems.append(f"{LANGUAGE_NAME}: name the language the interpreter must speak")
    if problems:
        raise NeedsAnswerError(problems)
    raised = {tag for q in QUESTIONS if q.id in chosen for tag in q.tags_of(chosen[q.id])}
    recorded = dict(chosen)
    if language_name is not None:
        recorded[LANGUAGE_NAME] = language_name.strip()
    return NeedsResult(
        tags=tuple(n.value for n in Need if n in raised),
        answers=recorded,
        version=VERSION,
        unanswered=tuple(q.id for q in QUESTIONS if q.id not in chosen),
    )


def definition() -> dict[str, Any]:
    """The assessment as plain JSON types: every question, option (with its description and tags) and
    tag description, for forms and for publishing alongside the policy."""
    return {
        "id": ID,
        "version": VERSION,
        "questions": [
            {
                "id": q.id,
                "domain": q.domain,
                "text": q.text,
                "options": [
                    {
                        "value": o.value,
                        "description": o.description,
                        "tags": [t.value for t in q.tags_of(o.value)],
                    }
                    for o in q.options
                ],
            }
            for q in QUESTIONS
        ],
        "tags": {n.value: n.description for n in ASSESSED_NEEDS},
    }


NEEDS_ENUMS: tuple[type[DescribedEnum], ...] = tuple(q.options for q in QUESTIONS)
