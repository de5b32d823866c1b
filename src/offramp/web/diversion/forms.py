"""The coordinator's forms: the offer, a transition (only the fields its event needs are shown), a condition
and a progress entry. They check shapes only; what is allowed is core's decision (service.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from offramp.core.diversion import ConditionKind, Event, GraduatedResponse, ReasonCode
from offramp.core.diversion.voluntariness import CounselStatus
from offramp.core.enums import PleaStage
from offramp.web.diversion import offer, service

#: the fields each event's form shows (the rest are hidden); events not listed need none
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    Event.REFUSE.value: ("reasons", "reason_text"),
    Event.REPORT_PROGRESS.value: ("note",),
    Event.FLAG_NON_COMPLIANCE.value: ("reason_text",),
    Event.RESPOND.value: ("response", "reason_text"),
    Event.TERMINATE.value: ("reasons", "reason_text"),
    Event.RETURN_TO_PROSECUTION.value: ("reasons", "reason_text"),
}
#: the reasons offered with each event (core checks them; these are the ones that make sense there)
EVENT_REASONS: dict[str, tuple[ReasonCode, ...]] = {
    Event.REFUSE.value: (ReasonCode.PERSON_DECLINED, ReasonCode.NO_RESPONSE, ReasonCode.OTHER),
    Event.TERMINATE.value: tuple(
        r for r in ReasonCode if r not in (ReasonCode.PERSON_DECLINED, ReasonCode.NO_RESPONSE)
    ),
    Event.RETURN_TO_PROSECUTION.value: tuple(ReasonCode),
}
#: the button's words for each event
EVENT_LABELS: dict[str, str] = {
    Event.ACCEPT.value: "Accepted by the person",
    Event.REFUSE.value: "Refused by the person",
    Event.REFER.value: "Refer to the program",
    Event.COMPLETE_INTAKE.value: "Intake completed",
    Event.MISS_INTAKE_DEADLINE.value: "Intake deadline missed",
    Event.ENROLL.value: "Enrolled",
    Event.REPORT_PROGRESS.value: "Progress report received",
    Event.FLAG_NON_COMPLIANCE.value: "Flag non-compliance",
    Event.RESPOND.value: "Record a graduated response",
    Event.COMPLETE.value: "Program completed",
    Event.DISMISS.value: "Dismiss and record record-restriction eligibility",
    Event.TERMINATE.value: "Terminate",
    Event.RETURN_TO_PROSECUTION.value: "Return to prosecution",
}


def _described(enum: Any, members: Any = None) -> list[tuple[str, str]]:
    return [(m.value, f"{m.value.replace('_', ' ')}: {m.description}") for m in (members or enum)]


class OfferForm(forms.Form):
    """The offer: the program, counsel (required: present, or offered), and, only where the office's pack
    asks for an admission before pre-charge diversion (`ask_admission`), the admission step."""

    program = forms.ChoiceField(label="Program")
    counsel = forms.ChoiceField(
        label="Counsel",
        choices=[(c.value, c.description) for c in CounselStatus],
        widget=forms.RadioSelect,
        error_messages={"required": "Record whether counsel was present or offered."},
    )
    admission = forms.BooleanField(
        required=False,
        label="The person admitted the facts, with counsel (office policy for pre-charge diversion)",
    )

    def __init__(self, *args: Any, ask_admission: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ask_admission = ask_admission
        if not ask_admission:
            del self.fields["admission"]
        ccsao = [(c.key, f"{c.code} — {c.name}") for c in offer.cook_county_choices()]
        directory = [(c.key, c.name) for c in offer.directory_choices()]
        groups: list[Any] = [("", "Choose a program"), ("Cook County program models", ccsao)]
        if directory:
            groups.append(("Program directory", directory))
        self.fields["program"].choices = groups

    def clean_program(self) -> offer.ProgramChoice:
        choice = offer.program_from_key(self.cleaned_data["program"])
        if choice is None:
            raise forms.ValidationError("Choose a program from the list.")
        return choice

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        program = data.get("program")
        if (
            self.ask_admission
            and isinstance(program, offer.ProgramChoice)
            and program.plea_stage != PleaStage.POST_PLEA.value
            and not data.get("admission")
        ):
            self.add_error("admission", "Office policy asks for an admission before pre-charge diversion.")
        return data

    @property
    def counsel_status(self) -> CounselStatus:
        return CounselStatus(self.cleaned_data["counsel"])


class TransitionForm(forms.Form):
    event = forms.ChoiceField(choices=[(e.value, e.value) for e in Event if e is not Event.OFFER])
    expected_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reasons = forms.MultipleChoiceField(
        choices=_described(ReasonCode), required=False, widget=forms.CheckboxSelectMultiple, label="Reasons"
    )
    reason_text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="In words",
        help_text="What happened; required with the reason 'other'.",
    )
    response = forms.ChoiceField(
        choices=[("", "—"), *_described(GraduatedResponse)], required=False, label="Graduated response"
    )
    note = forms.CharField(required=False, max_length=500, label="Note")

    def __init__(self, *args: Any, event: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event_value = event or (self.data.get("event") if self.is_bound else None) or ""
        if self.event_value in EVENT_REASONS:
            self.fields["reasons"].choices = _described(ReasonCode, EVENT_REASONS[self.event_value])
        if event is not None:
            self.initial.setdefault("event", event)
        # unique ids per event form on one page
        self.auto_id = f"id_{self.event_value or 'x'}_%s"

    @property
    def shown(self) -> tuple[str, ...]:
        return EVENT_FIELDS.get(self.event_value, ())

    @property
    def label(self) -> str:
        return EVENT_LABELS.get(self.event_value, self.event_value)

    def transition_input(self) -> service.TransitionInput:
        data = self.cleaned_data
        response = GraduatedResponse.parse(data.get("response") or "")
        return service.TransitionInput(
            reasons=tuple(ReasonCode(r) for r in data.get("reasons") or []),
            reason_text=data.get("reason_text") or "",
            response=response,
            note=data.get("note") or "",
        )


class ConditionForm(forms.Form):
    kind = forms.ChoiceField(choices=_described(ConditionKind), label="Kind")
    target = forms.DecimalField(
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        label="Target",
        help_text="In the kind's unit: sessions, tests, classes, hours, check-ins, or US dollars.",
    )
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="What is required"
    )
    due = forms.DateField(required=False, label="Due (YYYY-MM-DD)")
    monthly_ability_to_pay = forms.DecimalField(
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        label="Restitution: what the person can pay each month (USD)",
        help_text="Sizes the payment plan offered. Inability to pay never bars entry or causes termination.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "condition")
        super().__init__(*args, **kwargs)


class EntryForm(forms.Form):
    on = forms.DateField(label="Date (YYYY-MM-DD)")
    amount = forms.DecimalField(
        required=False, min_value=Decimal("0"), max_digits=12, decimal_places=2, label="Amount"
    )
    note = forms.CharField(required=False, max_length=500, label="Note")
    substances_found = forms.CharField(
        required=False,
        label="Drug test: substances found (comma-separated; empty for none)",
    )
    prescribed = forms.CharField(
        required=False,
        label="Drug test: medications the person is prescribed (comma-separated, e.g. buprenorphine)",
    )

    def __init__(self, *args: Any, drug_test: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.drug_test = drug_test
        self.fields["on"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.drug_test and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", "Give the amount, in the condition's unit.")
        return data

    @staticmethod
    def split(text: str) -> list[str]:
        return [part.strip() for part in text.split(",") if part.strip()]
