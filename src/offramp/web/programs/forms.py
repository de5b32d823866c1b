"""The directory's filters and the coordinator's capacity update."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from offramp.core.directory.batch import MoudPolicy, ServiceType
from offramp.web.programs.models import CapacityUpdate

#: languages offered as a filter: ISO 639-1 code -> name (the directory stores codes)
LANGUAGE_CHOICES = [
    ("en", "English"),
    ("es", "Spanish"),
    ("vi", "Vietnamese"),
    ("ko", "Korean"),
    ("zh", "Chinese"),
    ("fr", "French"),
    ("ht", "Haitian Creole"),
    ("pt", "Portuguese"),
    ("ar", "Arabic"),
    ("ru", "Russian"),
    ("asl", "American Sign Language"),
]


class DirectoryFilterForm(forms.Form):
    """The directory's filters. Invalid values are reported on the form, never a server error."""

    q = forms.CharField(required=False, max_length=120, label="Name, street, city or ZIP")
    service_type = forms.ChoiceField(
        choices=[("", "Any"), *ServiceType.choices()], required=False, label="Service"
    )
    county = forms.ChoiceField(choices=[("", "Any")], required=False, label="County")
    moud_policy = forms.ChoiceField(
        choices=[("", "Any"), *MoudPolicy.choices()], required=False, label="Accepts people on MOUD"
    )
    language = forms.ChoiceField(choices=[("", "Any"), *LANGUAGE_CHOICES], required=False, label="Language")
    has_vacancies = forms.BooleanField(required=False, label="Has vacancies now")

    def __init__(self, *args: Any, counties: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the counties present in the directory, read per request: a re-import may add some
        self.fields["county"].choices = [("", "Any"), *((c, c) for c in counties or [])]


class CapacityUpdateForm(forms.ModelForm):
    """A coordinator's report of capacity on a date (not in the future: a report is of what is known)."""

    class Meta:
        model = CapacityUpdate
        fields = ("as_of", "capacity", "vacancies", "waitlist", "note")
        labels = {"as_of": "As of", "waitlist": "People on the waitlist"}
        widgets = {
            "as_of": forms.DateInput(attrs={"type": "date", "class": "usa-input"}),
            "note": forms.Textarea(attrs={"rows": 3, "class": "usa-textarea"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["as_of"].initial = timezone.localdate()
        for name in ("capacity", "vacancies", "waitlist"):  # below 0 is refused in clean()
            self.fields[name].widget.attrs.update({"min": 0, "class": "usa-input"})

    def clean_as_of(self) -> dt.date:
        as_of: dt.date = self.cleaned_data["as_of"]
        if as_of > timezone.localdate():
            raise forms.ValidationError("Enter today's date or an earlier one.")
        return as_of

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("capacity", "vacancies", "waitlist"):
            value = data.get(name)
            if value is not None and value < 0:
                self.add_error(name, "Enter 0 or more.")
        capacity, vacancies = data.get("capacity"), data.get("vacancies")
        if capacity is not None and vacancies is not None and vacancies > capacity:
            self.add_error("vacancies", "Vacancies cannot exceed capacity.")
        if all(data.get(n) is None for n in ("capacity", "vacancies", "waitlist")):
            raise forms.ValidationError("Enter at least one of capacity, vacancies and waitlist.")
        return data
