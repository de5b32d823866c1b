"""The screener form and the consent form (diversion coordinators)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils import timezone

from offramp.core.consent import Purpose, SudInformation
from offramp.core.screening import INSTRUMENTS, Administration, AdministrationMode, AnswerError
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
