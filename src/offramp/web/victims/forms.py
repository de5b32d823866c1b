"""Forms of the victims app: consultation, letter, restitution order, payment, reversal, payment plan."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from offramp.web.cases.models import Case, Victim
from offramp.web.victims.models import LetterKind, Method

DATE = forms.DateInput(attrs={"type": "date", "class": "usa-input"})
TEXT = forms.TextInput(attrs={"class": "usa-input"})
SELECT = forms.Select(attrs={"class": "usa-select"})
MONEY_HELP = "US dollars and cents, e.g. 100.00"


def _money_field(label: str, *, allow_zero: bool = False, help_text: str = MONEY_HELP) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.00") if allow_zero else Decimal("0.01"),
        help_text=help_text,
        widget=forms.TextInput(attrs={"class": "usa-input", "inputmode": "decimal"}),
    )


class VictimChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"Victim {obj.seq} ({obj.get_harm_display()})"


def _victim_field(case: Case, empty_label: str) -> VictimChoice:
    return VictimChoice(
        queryset=Victim.objects.filter(case=case),
        required=False,
        empty_label=empty_label,
        widget=SELECT,
    )


class ConsultationForm(forms.Form):
    victim: VictimChoice
    consulted_on = forms.DateField(initial=timezone.localdate, widget=DATE)
    method = forms.ChoiceField(choices=Method.choices, widget=SELECT)
    views = forms.CharField(
        required=False,
        label="The victim's views",
        help_text="What the victim said about the case and about diversion.",
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 4}),
    )
    agrees_to_diversion = forms.TypedChoiceField(
        label="Does the victim agree to diversion?",
        choices=[("", "No view expressed"), ("yes", "Yes"), ("no", "No")],
        coerce={"yes": True, "no": False}.get,
        empty_value=None,
        required=False,
        help_text="The victim's view informs the prosecutor; it does not decide.",
        widget=SELECT,
    )
    wants_notifications = forms.BooleanField(
        required=False, initial=True, label="The victim wants to be notified of the case's progress"
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["victim"] = _victim_field(case, "A representative, for the case's victims")
        self.order_fields(["victim"])


class LetterForm(forms.Form):
    kind = forms.ChoiceField(choices=LetterKind.choices, widget=SELECT, label="Letter")
    victim: VictimChoice

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["victim"] = _victim_field(case, "To the case's victims")


class OrderForm(forms.Form):
    victim: VictimChoice
    ordered_on = forms.DateField(initial=timezone.localdate, widget=DATE)
    amount = _money_field("Amount ordered")
    description = forms.CharField(
        max_length=300, required=False, widget=TEXT, help_text="e.g. the court order"
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["victim"] = _victim_field(case, "The case's victims")
        self.order_fields(["victim"])


class PaymentForm(forms.Form):
    prefix = "payment"
    amount = _money_field("Amount paid")
    on = forms.DateField(label="Paid on", initial=timezone.localdate, widget=DATE)
    note = forms.CharField(max_length=300, required=False, widget=TEXT, help_text="e.g. receipt number")


class ReversalForm(forms.Form):
    prefix = "reversal"
    seq = forms.TypedChoiceField(label="Entry to reverse", coerce=int, choices=(), widget=SELECT)
    on = forms.DateField(label="Reversed on", initial=timezone.localdate, widget=DATE)
    note = forms.CharField(
        max_length=300, widget=TEXT, help_text="Why: e.g. the cheque bounced, entered twice by mistake"
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["seq"]
        if not isinstance(field, forms.TypedChoiceField):  # the class declares it so; a subclass must too
            raise TypeError(f"ReversalForm.seq must be a TypedChoiceField, not {type(field).__name__}")
        field.choices = choices


class PlanForm(forms.Form):
    prefix = "plan"
    monthly_ability = _money_field(
        "What the person can pay each month",
        allow_zero=True,
        help_text="From the ability-to-pay assessment; 0.00 gives a deferred plan reviewed later.",
    )
    first_due = forms.DateField(label="First payment due", widget=DATE)
