"""The needs assessment: each domain's options raise the right need tags, answers are validated with the
question and the allowed options named, and every option and tag is described (docs/SOURCES.md#dekalb-da)."""

from __future__ import annotations

import json

import pytest

from offramp.core.screening.needs import (
    ASSESSED_NEEDS,
    LANGUAGE_NAME,
    QUESTIONS,
    VERSION,
    NeedsAnswerError,
    assess,
    definition,
)

#: (question, option) -> tags, written out from the brief so a changed mapping fails here
EXPECTED: dict[str, dict[str, tuple[str, ...]]] = {
    "housing": {"stable": (), "with_others": ("housing",), "shelter": ("housing",), "street": ("housing",)},
    "employment": {
        "full_time": (),
        "part_time": ("work",),
        "unemployed_looking": ("work",),
        "unemployed_not_looking": ("work",),
        "unable_to_work": (),
        "student_or_retired": (),
    },
    "education": {
        "no_diploma": ("education",),
        "diploma_or_equivalency": (),
        "some_college_or_vocational": (),
        "degree": (),
    },
    "income": {"none": ("income",), "below_threshold": ("income",), "above_threshold": ()},
    "health_insurance": {
        "medicaid": (),
        "medicare": (),
        "private": (),
        "veterans_or_military": (),
        "none": ("insurance",),
        "unsure": ("insurance",),
    },
    "dependants": {
        "none": (),
        "children_under_18": ("childcare",),
        "adult_caregiver": ("childcare",),
        "children_and_adult": ("childcare",),
    },
    "transportation": {
        "own_vehicle": (),
        "public_transit": (),
        "rides_unreliable": ("transport",),
        "none": ("transport",),
    },
    "mental_health": {
        "no_concerns": (),
        "past_only": (),
        "current_in_care": ("mental_health",),
        "current_no_care": ("mental_health",),
    },
    "language": {"english": (), "other_no_interpreter": (), "needs_interpreter": ("language_access",)},
    "disability": {"none": (), "no_accommodation": (), "needs_accommodation": ("accommodation",)},
}
CASES = [(q, o, tags) for q, options in EXPECTED.items() for o, tags in options.items()]


def test_it_asks_one_question_per_domain_of_the_issue() -> None:
    assert [q.domain for q in QUESTIONS] == [
        "housing", "employment", "education", "income", "health insurance",
        "dependants", "transportation", "mental health", "language", "disability",
    ]  # fmt: skip
    assert {q.id: q.options.values() for q in QUESTIONS} == {q: list(o) for q, o in EXPECTED.items()}


@pytest.mark.parametrize(("question", "option", "tags"), CASES, ids=[f"{q}={o}" for q, o, _ in CASES])
def test_it_maps_each_option_to_its_tags(question: str, option: str, tags: tuple[str, ...]) -> None:
    answers = {question: option}
    if option == "needs_interpreter":
        answers[LANGUAGE_NAME] = "Spanish"
    result = assess(answers)
    assert result.tags == tags
    assert result.version == VERSION
    assert question not in result.unanswered


def test_it_merges_tags_once_each_in_need_order() -> None:
    result = assess(
        {
            "disability": "needs_accommodation",
            "housing": "street",
            "employment": "unemployed_looking",
            "education": "no_diploma",
            "income": "none",
            "health_insurance": "none",
            "dependants": "children_under_18",
            "transportation": "none",
            "mental_health": "current_no_care",
            "language": "needs_interpreter",
            LANGUAGE_NAME: " Haitian Creole ",
        }
    )
    assert result.tags == tuple(n.value for n in ASSESSED_NEEDS)
    assert result.tags == (
        "work", "housing", "education", "income", "insurance", "childcare",
        "transport", "mental_health", "language_access", "accommodation",
    )  # fmt: skip
    assert result.language == "Haitian Creole"
    assert result.unanswered == ()


def test_it_reads_answers_case_insensitively_and_records_the_canonical_value() -> None:
    result = assess({"housing": " Shelter ", "income": "ABOVE_THRESHOLD"})
    assert result.answers == {"housing": "shelter", "income": "above_threshold"}
    assert result.tags == ("housing",)


def test_it_raises_no_need_for_unanswered_questions_and_lists_them() -> None:
    empty = assess({})
    assert empty.tags == ()
    assert empty.unanswered == tuple(q.id for q in QUESTIONS)
    assert assess({"housing": "stable"}).unanswered[0] == "employment"


def test_it_names_the_question_and_the_allowed_options_of_a_bad_answer() -> None:
    with pytest.raises(NeedsAnswerError) as caught:
        assess({"housing": "couch", "employment": "full_time"})
    assert caught.value.problems == (
        "housing: 'couch' is not an answer: expected one of stable, with_others, shelter, street",
    )


def test_it_names_an_unknown_question_and_the_questions_expected() -> None:
    with pytest.raises(NeedsAnswerError) as caught:
        assess({"pets": "dog"})
    (problem,) = caught.value.problems
    assert problem.startswith("'pets' is not a question of the needs assessment: expected one of housing,")
    assert problem.endswith("disability, preferred_language")


def test_it_reports_every_problem_at_once() -> None:
    with pytest.raises(NeedsAnswerError) as caught:
        assess({"income": "lots", "transportation": "bike", "language": "needs_interpreter"})
    assert [p.split(":")[0] for p in caught.value.problems] == ["income", "transportation", LANGUAGE_NAME]
    assert "expected one of own_vehicle, public_transit, rides_unreliable, none" in str(caught.value)


def test_it_records_the_language_and_requires_it_for_an_interpreter() -> None:
    with pytest.raises(NeedsAnswerError, match="name the language the interpreter must speak"):
        assess({"language": "needs_interpreter"})
    with pytest.raises(NeedsAnswerError, match="give the language's name"):
        assess({"language": "needs_interpreter", LANGUAGE_NAME: "  "})
    with pytest.raises(NeedsAnswerError, match="recorded only when language is"):
        assess({"language": "english", LANGUAGE_NAME: "English"})
    other = assess({"language": "other_no_interpreter", LANGUAGE_NAME: "Vietnamese"})
    assert (other.tags, other.language) == ((), "Vietnamese")
    asl = assess({"language": "needs_interpreter", LANGUAGE_NAME: "ASL"})
    assert (asl.tags, asl.language) == (("language_access",), "ASL")
    assert assess({"language": "english"}).language is None


def test_every_question_asks_and_names_its_tags() -> None:  # descriptions: tests/unit/test_enums.py
    for question in QUESTIONS:
        assert question.text.endswith("?")
        assert set(question.tags) <= set(question.options.values()), question.id


def test_it_publishes_the_definition_as_json() -> None:
    data = definition()
    assert json.loads(json.dumps(data)) == data
    assert data["version"] == VERSION
    housing = data["questions"][0]
    assert housing["options"][3] == {
        "value": "street",
        "description": "Sleeping outside, in a vehicle or in a place not meant for living in.",
        "tags": ["housing"],
    }
    assert list(data["tags"]) == [n.value for n in ASSESSED_NEEDS]
    assert "treatment" not in data["tags"] and "reentry" not in data["tags"]


def test_it_serialises_a_result() -> None:
    result = assess({"housing": "shelter", "language": "other_no_interpreter", LANGUAGE_NAME: "Spanish"})
    assert result.to_dict() == {
        "id": "offramp-needs",
        "version": VERSION,
        "tags": ["housing"],
        "answers": {"housing": "shelter", "language": "other_no_interpreter", LANGUAGE_NAME: "Spanish"},
        "unanswered": [q.id for q in QUESTIONS if q.id not in ("housing", "language")],
    }
