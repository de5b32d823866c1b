from __future__ import annotations

from typing import Any

from django import forms

from offramp.core.programs import ListingKind


class DirectoryFilterForm(forms.Form):
    """The directory's filters. Invalid values are reported on the form, never a server error."""

    kind = forms.ChoiceField(choices=[("", "Any"), *ListingKind.choices()], required=False, label="Kind")
    county = forms.ChoiceField(choices=[("", "Any")], required=False, label="County")
    q = forms.CharField(required=False, max_length=120, label="Name, street, city or ZIP")

    def __init__(self, *args: Any, counties: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the counties present in the directory, read per request: a re-import may add some
        self.fields["county"].choices = [("", "Any"), *((c, c) for c in counties or [])]
