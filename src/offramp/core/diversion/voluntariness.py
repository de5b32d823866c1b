"""Defence and voluntariness of a diversion offer (issue 13): counsel, admission of guilt, and statements
that are not for prosecution. Pure Python; the web layer stores and shows what this decides.

- Counsel: every offer records that counsel was present, or was offered (declined, or not yet consulted):
  `CounselStatus`. Access to counsel before deciding to take part is one of the marks of pretrial
  diversion in Nebraska's statute (docs/SOURCES.md#neb-29-3601); which answers an office accepts is the
  office's choice.
- Admission: a pre-plea (pre-charge) program needs no admission of guilt unless the office's pack says so
  (parameter `pre_charge_admission_required`, 0 or 1, dated; office choice). Kansas forbids conditioning
  diversion on a plea (K.S.A. 22-2910, docs/SOURCES.md#ksa-22-2910). A post-plea program is entered on a
  plea, so it always involves one (core.enums.PleaStage).
- Statements: what the person says in screening or diversion (free text of needs answers, treatment
  reports, referral notes) is not for prosecution (office policy; K.S.A. 22-2910 makes such statements
  inadmissible in Kansas, docs/SOURCES.md#ksa-22-2910). The web layer shows `NOT_FOR_PROSECUTION` in their
  place to the prosecution side.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from offramp.core.enums import DescribedEnum, PleaStage
from offramp.core.policy.pack import Pack, Parameter

#: the pack parameter: 1 when a pre-plea (pre-charge) offer needs an admission of guilt, 0 when it does not
ADMISSION_PARAMETER = "pre_charge_admission_required"

NOT_FOR_PROSECUTION = (
    "Statements made in screening or diversion are not shown to the prosecution (office policy; "
    "not-for-prosecution)."
)


class CounselStatus(DescribedEnum):
    """What the offer records about counsel (one is required on every offer)."""

    PRESENT = ("present", "Counsel was present when the offer was made.")
    OFFERED_DECLINED = ("offered_declined", "Counsel was offered and the person declined.")
    OFFERED_NOT_CONSULTED = (
        "offered_not_consulted",
        "Counsel was offered; the person has not yet consulted a lawyer.",
    )


class AdmissionParameterError(ValueError):
    """The pack's `pre_charge_admission_required` is not 0 or 1 (the message names the parameter)."""


@dataclass(frozen=True)
class AdmissionRule:
    """Whether this offer needs an admission of guilt, and why, in words for the form and the letter."""

    required: bool
    why: str


def _value_on(param: Parameter, on: dt.date) -> float | None:
    for i, period in enumerate(param.values):
        end = period.end or (param.values[i + 1].start if i + 1 < len(param.values) else None)
        if period.start <= on and (end is None or on < end):
            if isinstance(period.value, dict):
                raise AdmissionParameterError(
                    f"parameter '{ADMISSION_PARAMETER}': a per-drug value is not allowed (give 0 or 1)"
                )
            return float(period.value)
    return None


def pre_charge_admission_required(pack: Pack | None, on: dt.date) -> bool:
    """The pack's `pre_charge_admission_required` in force on `on`: False when the pack has no such
    parameter or no period covers `on` (no admission is asked unless the office says so)."""
    param = pack.parameters.get(ADMISSION_PARAMETER) if pack is not None else None
    if param is None:
        return False
    value = _value_on(param, on)
    if value is None:
        return False
    if value not in (0.0, 1.0):
        raise AdmissionParameterError(f"parameter '{ADMISSION_PARAMETER}': expected 0 or 1, got {value:g}")
    return value == 1.0


def admission_rule(pack: Pack | None, on: dt.date, plea_stage: str) -> AdmissionRule:
    """Whether an offer of a program at `plea_stage` (a PleaStage value, or empty) needs an admission."""
    if plea_stage == PleaStage.POST_PLEA.value:
        return AdmissionRule(
            True, "This is a post-plea program: it is entered after a guilty plea, on the advice of counsel."
        )
    if pre_charge_admission_required(pack, on):
        return AdmissionRule(
            True, "Office policy asks for an admission of the facts before pre-charge diversion."
        )
    return AdmissionRule(
        False,
        "No admission of guilt is needed to take part: this is pre-charge diversion and office policy "
        "asks for none.",
    )
