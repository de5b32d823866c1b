"""The decision form on the case page and the supervisor's approve/return form."""

from __future__ import annotations

from typing import Any

from django import forms

from offramp.web.decisions.models import Decision, Outcome, Verdict
from offramp.web.decisions.recommend import Recommendation, overrides_bar

DEVIATION_REASON_REQUIRED = (
    "Give the reason for choosing an outcome other than the recommended one; it is kept with the decision "
    "and read by the supervisor who approves it."
)
BAR_OVERRIDE_REASON_REQUIRED = (
    "A legal bar holds ({bars}): the law says this case is not charged. To record another outcome, give "
    "the reason in writing; a supervisor must approve it."
)
STALE_RECOMMENDATION = (
    "The recommendation changed since this page was opened (the policy version or the case facts differ). "
    "Review the new recommendation and decide again."
)
STALE_HISTORY = (
    "Another decision was recorded on this case since this page was opened. Review it and decide again."
)


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=Outcome.choices, widget=forms.RadioSelect(attrs={"class": "usa-radio__input"})
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "usa-textarea"}),
        help_text="Required when the outcome differs from the recommendation.",
        max_length=5000,
    )
    # what the prosecutor saw, to refuse a decision taken against a recommendation that has since changed
    policy_id = forms.CharField(widget=forms.HiddenInput)
    policy_version = forms.CharField(widget=forms.HiddenInput)
    recommended_outcome = forms.CharField(widget=forms.HiddenInput)
    supersedes = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, recommendation: Recommendation, latest: Decision | None, **kwargs: Any
    ) -> None:
        self.recommendation = recommendation
        self.latest = latest
        kwargs.setdefault(
            "initial",
            {
                "outcome": recommendation.outcome,
                "policy_id": recommendation.policy_id,
                "policy_version": recommendation.policy_version,
                "recommended_outcome": recommendation.outcome,
                "supersedes": latest.pk if latest else None,
            },
        )
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rec = self.recommendation
        seen = (data.get("policy_id"), data.get("policy_version"), data.get("recommended_outcome"))
        if seen != (rec.policy_id, rec.policy_version, rec.outcome):
            raise forms.ValidationError(STALE_RECOMMENDATION, code="stale_recommendation")
        if data.get("supersedes") != (self.latest.pk if self.latest else None):
            raise forms.ValidationError(STALE_HISTORY, code="stale_history")
        data["reason"] = (data.get("reason") or "").strip()
        if data.get("outcome") and overrides_bar(rec, data["outcome"]) and not data["reason"]:
            message = BAR_OVERRIDE_REASON_REQUIRED.format(bars=", ".join(rec.trace.bar_ids()))
            self.add_error("reason", forms.ValidationError(message, code="bar_override"))
        elif data.get("outcome") and data["outcome"] != rec.outcome and not data["reason"]:
            self.add_error("reason", forms.ValidationError(DEVIATION_REASON_REQUIRED, code="required"))
        return data


class ReviewForm(forms.Form):
    verdict = forms.ChoiceField(
        choices=Verdict.choices, widget=forms.RadioSelect(attrs={"class": "usa-radio__input"})
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "usa-textarea"}),
        max_length=5000,
        help_text="Required when returning a decision: the prosecutor reads it to correct the decision.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["note"] = (data.get("note") or "").strip()
        if data.get("verdict") == Verdict.RETURNED and not data["note"]:
            self.add_error("note", "Say why the decision is returned.")
        return data
