"""The screener form, the consent form and the needs assessment form (diversion coordinators)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils import timezone

from offramp.core.consent import Purpose, SudInformation
from offramp.core.screening import INSTRUMENTS, Administration, AdministrationMode, AnswerError, needs
from offramp.core.screening.needs import NeedsResult
from offramp.web.accounts.roles import ROLES

ANSWERS_HELP = (
    "A JSON list of answers in item order: yes/no items as true/false, other items as the chosen option's "
    "value, e.g. [true, false, true, false, false, false, false, false, true, false]."
)


class ScreeningForm(forms.Form):
    instrument = forms.ChoiceField(choices=[(key, key) for key in INSTRUMENTS])
    mode = forms.ChoiceField(choices=AdministrationMode.choices())
    administered_by = forms.CharField(max_length=200, help_text="Name of the person who gave the screen.")
    administered_at = forms.DateTimeField(initial=timezone.now)
    answers = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text=ANSWERS_HELP)

    administration: Administration | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            answers = json.loads(data["answers"])
        except json.JSONDecodeError as exc:
            self.add_error("answers", f"The answers are not valid JSON: {exc.msg}.")
            return data
        if not isinstance(answers, list):
            self.add_error("answers", "The answers must be a JSON list, one answer per item in order.")
            return data
        mode = AdministrationMode.parse(data["mode"])
        assert mode is not None  # the choice field allows only known modes
        try:
            self.administration = Administration.record(
                data["instrument"],
                answers,
                administered_by=data["administered_by"],
                administered_at=data["administered_at"],
                mode=mode,
            )
        except (AnswerError, ValueError) as exc:
            self.add_error("answers", str(exc))
        return data


def _checkboxes() -> forms.CheckboxSelectMultiple:
    return forms.CheckboxSelectMultiple(attrs={"class": "usa-checkbox__input"})


class ConsentForm(forms.Form):
    disclosing_program = forms.CharField(max_length=200)
    recipient_roles = forms.MultipleChoiceField(
        choices=[(r.slug, r.name) for r in ROLES], required=False, widget=_checkboxes()
    )
    recipient_usernames = forms.CharField(
        required=False, help_text="Usernames of named recipients, separated by commas."
    )
    purposes = forms.MultipleChoiceField(choices=Purpose.choices(), widget=_checkboxes())
    information = forms.MultipleChoiceField(choices=SudInformation.choices(), widget=_checkboxes())
    signed_on = forms.DateField()
    starts_on = forms.DateField()
    expires_on = forms.DateField(required=False)
    expiry_event = forms.CharField(max_length=200, required=False)
    irrevocable_until = forms.DateField(required=False)

    def clean_recipient_usernames(self) -> list[str]:
        raw = self.cleaned_data.get("recipient_usernames") or ""
        return [name.strip() for name in raw.split(",") if name.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("recipient_roles") and not data.get("recipient_usernames"):
            raise forms.ValidationError("Name at least one recipient (a role or a person).")
        if not data.get("expires_on") and not data.get("expiry_event"):
            raise forms.ValidationError(
                "A Part 2 consent needs an expiry date or an expiry event (§2.31(a))."
            )
        return data


NOT_ANSWERED = ("", "(not answered: the person declined or was not asked)")


class NeedsAssessmentForm(forms.Form):
    """One select per question of core's needs assessment (options from `needs.definition()`).

    The selects are plain text fields so that core `assess()` judges every answer: its NeedsAnswerError
    problems are shown on the question they name. `answers` and `result` are set when the form is valid."""

    assessed_by = forms.CharField(max_length=200, help_text="Name of the person who asked the questions.")
    assessed_at = forms.DateTimeField(initial=timezone.now)

    answers: dict[str, str] | None = None
    result: NeedsResult | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition = needs.definition()
        for question in self.definition["questions"]:
            choices = [NOT_ANSWERED] + [
                (o["value"], o["description"] + (f" [{', '.join(o['tags'])}]" if o["tags"] else ""))
                for o in question["options"]
            ]
            self.fields[question["id"]] = forms.CharField(
                label=question["text"],
                required=False,
                widget=forms.Select(choices=choices),
                help_text=f"Domain: {question['domain']}.",
            )
        self.fields[needs.LANGUAGE_NAME] = forms.CharField(
            label="Preferred language",
            required=False,
            max_length=100,
            help_text="The language's name, when the person prefers a language other than English.",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        answers = {
            q["id"]: data[q["id"]] for q in self.definition["questions"] if data.get(q["id"], "").strip()
        }
        if (data.get(needs.LANGUAGE_NAME) or "").strip():
            answers[needs.LANGUAGE_NAME] = data[needs.LANGUAGE_NAME]
        try:
            self.result = needs.assess(answers)
        except needs.NeedsAnswerError as exc:
            for problem in exc.problems:
                key = problem.split(":", 1)[0]
                self.add_error(key if key in self.fields else None, problem)
            return data
        self.answers = answers
        return data
