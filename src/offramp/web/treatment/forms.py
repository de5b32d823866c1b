"""The screener form, the consent form, the needs assessment form and the treatment report form (diversion
coordinators)."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils import timezone

from offramp.core.screening import (
    INSTRUMENTS,
    Administration,
    AdministrationMode,
    AnswerError,
    AsamLevel,
    Instrument,
    UnknownInstrumentError,
    get_instrument,
    needs,
)
from offramp.core.screening.consent import (
    CHARGING_USE_WARNING,
    KIND_PURPOSES,
    Consent,
    ConsentError,
    ConsentKind,
    CounselOffer,
    CounselResponse,
    SudInformation,
)
from offramp.core.screening.instruments import Item, ItemKind
from offramp.core.screening.needs import NeedsResult
from offramp.core.screening.scoring import Answer
from offramp.web.accounts.roles import ROLES
from offramp.web.treatment.models import TreatmentReport

ANSWERS_HELP = (
    "Read the published form and record every answer: yes or no for yes/no items, the chosen option for "
    "the others. Offramp scores the answers; a screen is not a diagnosis."
)


class ScreeningForm(forms.Form):
    """The screener form, in two steps.

    Without an instrument (no `?instrument=`) the form is unbound and asks only which instrument to give. With
    one it has a radio group per item (`item_<item.id>`) and who gave the screen, when and how; `clean()`
    gathers the answers in item order and calls core `Administration.record`, which validates and scores
    them (its AnswerError is a form error). `administration` is set when the form is valid. An unknown
    instrument id sets `unknown_instrument` to core's message and leaves the form at the first step.
    """

    instrument = forms.ChoiceField(
        choices=[("", "- Select -")] + [(i.id, i.title) for i in INSTRUMENTS.values()],
        help_text="The screening instrument given; its items are shown next.",
    )
    mode = forms.ChoiceField(choices=AdministrationMode.choices())
    administered_by = forms.CharField(max_length=200, help_text="Name of the person who gave the screen.")
    administered_at = forms.DateTimeField(initial=timezone.now)

    administration: Administration | None = None
    answers_help = ANSWERS_HELP
    #: the radio value of a yes/no answer; any other posted value goes to core as it is, for core to judge
    YES_NO_VALUES: ClassVar[dict[str, bool]] = {"yes": True, "no": False}

    @staticmethod
    def field_name(item: Item) -> str:
        return f"item_{item.id}"

    @staticmethod
    def _radio_value(value: str | bool) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        return value

    @classmethod
    def _item_field(cls, item: Item) -> forms.CharField:
        """One radio group per item; a CharField, not a ChoiceField, so that core judges any other value."""
        choices = [(cls._radio_value(o.value), o.label[:1].upper() + o.label[1:]) for o in item.options]
        return forms.CharField(
            label=f"{item.number}. {item.text}",
            widget=forms.RadioSelect(choices=choices, attrs={"class": "usa-radio__input"}),
            error_messages={"required": f"Answer item {item.number} ({item.id})."},
        )

    def __init__(self, data: Any = None, *args: Any, instrument_id: str | None = None, **kwargs: Any) -> None:
        self.chosen_instrument: Instrument | None = None
        self.unknown_instrument: str | None = None
        if instrument_id and instrument_id.strip():
            try:
                self.chosen_instrument = get_instrument(instrument_id)
            except UnknownInstrumentError as exc:
                self.unknown_instrument = str(exc)
        # the first step is a GET form of its own: never bound, never valid
        super().__init__(data if self.chosen_instrument else None, *args, **kwargs)
        if self.chosen_instrument is None:
            for name in ("mode", "administered_by", "administered_at"):
                del self.fields[name]
            return
        # the chosen instrument travels as a hidden input written by the template
        del self.fields["instrument"]
        for item in self.chosen_instrument.items:
            self.fields[self.field_name(item)] = self._item_field(item)

    @property
    def item_fields(self) -> list[tuple[Item, forms.BoundField]]:
        if self.chosen_instrument is None:
            return []
        return [(item, self[self.field_name(item)]) for item in self.chosen_instrument.items]

    @property
    def detail_fields(self) -> list[forms.BoundField]:
        """Who gave the screen, when and how (the fields that are not items)."""
        if self.chosen_instrument is None:
            return []
        return [self[name] for name in ("mode", "administered_by", "administered_at")]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        instrument = self.chosen_instrument
        if instrument is None or self.errors:
            return data
        answers: list[Answer] = []
        for item in instrument.items:
            raw = data[self.field_name(item)]
            answers.append(self.YES_NO_VALUES.get(raw, raw) if item.kind is ItemKind.YES_NO else raw)
        mode = AdministrationMode.parse(data["mode"])
        if mode is None:  # the choice field offers only known modes; a value it let through is refused here
            self.add_error(
                "mode",
                f"Unknown mode {data['mode']!r}: expected one of {', '.join(AdministrationMode.values())}.",
            )
            return data
        try:
            self.administration = Administration.record(
                instrument.id,
                answers,
                administered_by=data["administered_by"],
                administered_at=data["administered_at"],
                mode=mode,
            )
        except (AnswerError, ValueError) as exc:
            self.add_error(None, str(exc))
        return data


def _checkboxes() -> forms.CheckboxSelectMultiple:
    return forms.CheckboxSelectMultiple(attrs={"class": "usa-checkbox__input"})


class ConsentForm(forms.Form):
    """A 42 CFR Part 2 consent, of one kind: monitoring (§2.35) or use in the charging decision. The kind sets
    the purpose (a monitoring consent never covers the charging decision). A charging-use consent shows
    `CHARGING_USE_WARNING`, and refuses to save unless the warning was read and counsel was offered (yes,
    accepted or declined, by whom, when). Core `Consent.signing_problems` judges the whole consent, the
    irrevocable-until against the case's final disposition (§2.35(c)) included; `case` gives that date."""

    kind = forms.ChoiceField(
        label="Kind of consent",
        choices=ConsentKind.choices(),
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
        help_text="A monitoring consent never covers the charging decision: that needs its own consent.",
    )
    patient_name = forms.CharField(
        label="Name of the patient", max_length=200, help_text="As the person signs it (§2.31(a)(1))."
    )
    disclosing_program = forms.CharField(max_length=200)
    recipient_roles = forms.MultipleChoiceField(
        choices=[(r.slug, r.name) for r in ROLES], required=False, widget=_checkboxes()
    )
    recipient_usernames = forms.CharField(
        required=False, help_text="Usernames of named recipients, separated by commas."
    )
    information = forms.MultipleChoiceField(choices=SudInformation.choices(), widget=_checkboxes())
    signed_on = forms.DateField()
    starts_on = forms.DateField()
    expires_on = forms.DateField(required=False)
    expiry_event = forms.CharField(max_length=200, required=False)
    irrevocable_until = forms.DateField(
        required=False, help_text="No later than the case's final disposition (§2.35(c))."
    )
    irrevocable_until_disposition = forms.BooleanField(
        label="Irrevocable until the final disposition of the case",
        required=False,
        help_text="Use this when the disposition date is not known yet (§2.35(c)).",
    )
    warning_read = forms.BooleanField(
        label="The warning above was read to the person (charging-use consent)", required=False
    )
    counsel_offered = forms.TypedChoiceField(
        label="Was counsel offered? (charging-use consent)",
        choices=[("", "- Select -"), ("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        empty_value=None,
        required=False,
    )
    counsel_response = forms.ChoiceField(
        label="The person's answer", choices=[("", "- Select -"), *CounselResponse.choices()], required=False
    )
    counsel_offered_by = forms.CharField(label="Counsel offered by", max_length=200, required=False)
    counsel_offered_on = forms.DateField(label="Counsel offered on", required=False)

    warning = CHARGING_USE_WARNING

    def __init__(self, *args: Any, case: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case

    def clean_recipient_usernames(self) -> list[str]:
        raw = self.cleaned_data.get("recipient_usernames") or ""
        return [name.strip() for name in raw.split(",") if name.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        if not data.get("recipient_roles") and not data.get("recipient_usernames"):
            raise forms.ValidationError("Name at least one recipient (a role or a person).")
        charging = data["kind"] == ConsentKind.CHARGING_USE.value
        if charging and not data.get("warning_read"):
            self.add_error("warning_read", "Read the warning to the person before they sign.")
        if charging and data.get("counsel_offered") is None:
            self.add_error("counsel_offered", "Record whether counsel was offered.")
        if self.errors:
            return data
        data["purposes"] = sorted(KIND_PURPOSES[data["kind"]])
        counsel = None
        if charging:
            counsel = CounselOffer(
                offered=bool(data["counsel_offered"]),
                response=data.get("counsel_response") or None,
                offered_by=data.get("counsel_offered_by") or "",
                offered_on=data.get("counsel_offered_on"),
            )
        else:  # the counsel and warning fields belong to a charging-use consent only
            for name in ("counsel_offered", "counsel_response", "counsel_offered_by", "counsel_offered_on"):
                data[name] = None if name in ("counsel_offered", "counsel_offered_on") else ""
            data["warning_read"] = False
        for problem in _consent_problems(self.case, data, counsel):
            self.add_error(None, problem[:1].upper() + problem[1:] + ".")
        return data


def _consent_problems(case: Any, data: dict[str, Any], counsel: CounselOffer | None) -> list[str]:
    """Core's `signing_problems` for the consent the form describes, as a list the form shows."""
    try:
        core = Consent(
            consent_id="C-new",
            person_key=case.person.person_key if case is not None else "",
            disclosing_program=data["disclosing_program"],
            recipient_users=frozenset(data["recipient_usernames"]),
            recipient_roles=frozenset(data["recipient_roles"]),
            purposes=frozenset(data["purposes"]),
            information=frozenset(data["information"]),
            signed_on=data["signed_on"],
            starts_on=data["starts_on"],
            expires_on=data.get("expires_on"),
            expiry_event=data.get("expiry_event") or None,
            irrevocable_until=data.get("irrevocable_until"),
            kind=data["kind"],
            counsel=counsel,
            irrevocable_until_disposition=bool(data.get("irrevocable_until_disposition")),
            final_disposition_on=case.disposition_date if case is not None else None,
            patient_name=data["patient_name"],
        )
    except ConsentError as exc:  # core lists its problems joined by "; "
        return str(exc).split("; ")
    return core.signing_problems()


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


def _count(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=0, required=False, help_text="Leave empty when the report does not say."
    )


class TreatmentReportForm(forms.Form):
    """A treatment program's progress report, as a coordinator copies it in. The model's `problems()` judge
    the whole report (period, counts, and the ASAM placement through core `AsamPlacement`)."""

    program_name = forms.CharField(max_length=200, help_text="The treatment program that sent the report.")
    period_start = forms.DateField(label="Period from")
    period_end = forms.DateField(label="Period to")
    report_date = forms.DateField(initial=timezone.localdate)
    sessions_attended = _count("Sessions attended")
    sessions_scheduled = _count("Sessions scheduled")
    drug_tests_taken = _count("Drug tests taken")
    drug_tests_negative = _count("Drug tests negative")
    moud_continuing = forms.NullBooleanField(
        label="Continuing medication for opioid use disorder (MOUD)",
        required=False,
        widget=forms.Select(choices=[("unknown", "Not reported"), ("true", "Yes"), ("false", "No")]),
    )
    asam_level = forms.ChoiceField(
        label="ASAM level of care (a clinician's placement)",
        choices=[("", "(no placement reported)")] + [(m.value, m.description) for m in AsamLevel],
        required=False,
    )
    placed_by = forms.CharField(
        label="Placed by",
        max_length=200,
        required=False,
        help_text="The clinician who made the ASAM placement; required with a level.",
    )
    progress_summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    reported_by = forms.CharField(max_length=200, help_text="Name of the person at the program who reported.")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        for field, message in TreatmentReport(**data).problems():
            self.add_error(field, message)
        return data
