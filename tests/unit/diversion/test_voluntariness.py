"""core.diversion.voluntariness: the admission parameter (0 or 1, dated, never per drug; absent means no
admission), the post-plea rule, and counsel's answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from offramp.core.diversion.voluntariness import (
    ADMISSION_PARAMETER,
    AdmissionParameterError,
    CounselStatus,
    admission_rule,
    pre_charge_admission_required,
)
from offramp.core.policy import Pack, resolve_pack
from offramp.core.policy.pack import Parameter

ON = dt.date(2026, 3, 1)


def pack_with(values: list[dict[str, Any]] | None) -> Pack:
    pack = resolve_pack("public-health")
    params = {k: v for k, v in pack.parameters.items() if k != ADMISSION_PARAMETER}
    if values is not None:
        params[ADMISSION_PARAMETER] = Parameter.model_validate(
            {"reference": "office choice", "values": values}
        )
    return pack.model_copy(update={"parameters": params})


def test_the_shipped_packs_differ_public_health_asks_no_admission() -> None:
    assert pre_charge_admission_required(resolve_pack("public-health"), ON) is False
    assert pre_charge_admission_required(resolve_pack("traditional"), ON) is True


def test_absent_parameter_or_no_period_means_no_admission() -> None:
    assert pre_charge_admission_required(pack_with(None), ON) is False
    assert pre_charge_admission_required(None, ON) is False
    assert pre_charge_admission_required(pack_with([{"from": "2027-01-01", "value": 1}]), ON) is False


def test_the_value_in_force_on_the_day_applies() -> None:
    pack = pack_with([{"from": "2023-01-01", "value": 1}, {"from": "2026-01-01", "value": 0}])
    assert pre_charge_admission_required(pack, dt.date(2025, 12, 31)) is True
    assert pre_charge_admission_required(pack, ON) is False


@pytest.mark.parametrize("value", [2, 0.5, -1])
def test_a_value_other_than_0_or_1_is_refused_naming_the_parameter(value: float) -> None:
    with pytest.raises(AdmissionParameterError, match=ADMISSION_PARAMETER):
        pre_charge_admission_required(pack_with([{"from": "2023-01-01", "value": value}]), ON)


def test_a_per_drug_value_is_refused_naming_the_parameter() -> None:
    pack = pack_with([{"from": "2023-01-01", "value": {"default": 0, "heroin": 1}}])
    with pytest.raises(AdmissionParameterError, match=f"{ADMISSION_PARAMETER}.*per-drug"):
        pre_charge_admission_required(pack, ON)


def test_post_plea_always_involves_a_plea_pre_plea_follows_the_pack() -> None:
    no = pack_with([{"from": "2023-01-01", "value": 0}])
    yes = pack_with([{"from": "2023-01-01", "value": 1}])
    assert admission_rule(no, ON, "post_plea").required is True
    assert admission_rule(no, ON, "pre_plea").required is False
    assert "No admission of guilt is needed" in admission_rule(no, ON, "pre_plea").why
    assert admission_rule(yes, ON, "pre_plea").required is True
    assert admission_rule(yes, ON, "").required is True


def test_every_counsel_answer_says_counsel_was_present_or_offered() -> None:
    assert {c.value for c in CounselStatus} == {"present", "offered_declined", "offered_not_consulted"}
    for status in CounselStatus:
        assert "present" in status.description or "offered" in status.description
