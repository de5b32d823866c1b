"""The dashboards' filter form (GET) and the simulation form (POST)."""

from __future__ import annotations

from typing import Any

from django import forms

from offramp.core.enums import Drug, OffenseKind

PERIODS = [("year", "Year"), ("quarter", "Quarter"), ("month", "Month"), ("all", "All together")]
BREAKDOWNS = [
    ("all", "No breakdown"),
    ("race", "Race"),
    ("ethnicity", "Ethnicity"),
    ("sex", "Sex"),
    ("age_band", "Age band"),
    ("severity", "Severity"),
    ("offense_kind", "Offence kind"),
    ("drug", "Drug"),
    ("seller_role", "Seller role"),
]
DISPARITY_BY = [("race", "Race"), ("ethnicity", "Ethnicity"), ("sex", "Sex"), ("age_band", "Age band")]
WITHIN = [("", "Not stratified"), ("offense_kind", "Offence kind"), ("seller_role", "Seller role")]


def _choices(values: list[str]) -> list[tuple[str, str]]:
    return [("", "Any"), *[(v, v.replace("_", " ")) for v in values]]


class FilterForm(forms.Form):
    """Filters applied to the snapshot before anything is computed (every field optional)."""

    period = forms.ChoiceField(choices=PERIODS, required=False, label="Period")
    unit = forms.ChoiceField(choices=[("", "Any")], required=False, label="Unit (agency)")
    offense_kind = forms.ChoiceField(choices=_choices(OffenseKind.values()), required=False, label="Offence")
    drug = forms.ChoiceField(choices=_choices(Drug.values()), required=False, label="Drug")
    date_from = forms.DateField(
        required=False, label="Received from", widget=forms.DateInput({"type": "date"})
    )
    date_to = forms.DateField(required=False, label="Received to", widget=forms.DateInput({"type": "date"}))
    by = forms.ChoiceField(choices=BREAKDOWNS, required=False, label="Breakdown")

    def __init__(self, *args: Any, units: list[str] | None = None, by_choices: Any = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["unit"].choices = _choices_keep(units or [])
        if by_choices is not None:
            self.fields["by"].choices = by_choices
        for field in self.fields.values():
            css = "usa-select" if isinstance(field.widget, forms.Select) else "usa-input"
            field.widget.attrs.setdefault("class", css)


def _choices_keep(values: list[str]) -> list[tuple[str, str]]:
    return [("", "Any"), *[(v, v) for v in values]]


class DisparityForm(FilterForm):
    within = forms.ChoiceField(choices=WITHIN, required=False, label="Within")

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, by_choices=DISPARITY_BY, **kw)
        # the RRI is read over all the cases shown by default (small cells would split further per period)
        self.fields["period"].choices = [PERIODS[-1], *PERIODS[:-1]]
        self.fields["within"].widget.attrs["class"] = "usa-select"


class SimulateForm(forms.Form):
    draft = forms.ChoiceField(label="Draft pack (the proposed policy)")
    baseline = forms.ChoiceField(label="Baseline pack (the policy in force)")
    on = forms.DateField(
        required=False,
        label="Evaluate with the parameters in force on (default: each case's received date)",
        widget=forms.DateInput({"type": "date"}),
    )

    def __init__(self, *args: Any, packs: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["draft"].choices = packs
        self.fields["baseline"].choices = packs
        for field in self.fields.values():
            css = "usa-select" if isinstance(field.widget, forms.Select) else "usa-input"
            field.widget.attrs.setdefault("class", css)
