from __future__ import annotations

from typing import Any

from django import forms

from offramp.core.enums import CaseStage, Drug, OffenseKind


def _with_any(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", "Any"), *choices]


class QueueFilterForm(forms.Form):
    """The case queue's filters. Invalid values are reported on the form, never a server error."""

    stage = forms.ChoiceField(choices=_with_any(CaseStage.choices()), required=False)
    offense_kind = forms.ChoiceField(
        choices=_with_any(OffenseKind.choices()), required=False, label="Offence"
    )
    drug = forms.ChoiceField(choices=_with_any(Drug.choices()), required=False)
    received_from = forms.DateField(
        required=False, label="Received from", widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        required=False, label="Received to", widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(required=False, max_length=120, label="Case id")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", "must be on or after the 'received from' date")
        return data
