"""Legal-style consent and matching cases (consent_and_matching.yaml), read the way a lawyer reads them.

- consent_cases: a consent (over CONSENT_DEFAULTS) and either `ask` (who asks for what, for which purpose, on
  which `day`) with `expect` {allowed, state, because, notice_begins, notice_says, scope_says}, or `sign: true`
  (the consent being recorded) with `expect` {refused: words of the refusal} or {accepted: true}. Core
  `decide_access` and `Consent.signing_problems` answer: the same rules the web forms and pages use.
- matching_cases: case `facts` {drug, on_moud, sud_indicated} and the directory's `programs` (name ->
  MATCH_SCHEMA cells) -> `ranked` (names, in order) and `excluded` (name -> the exclusion reason).
- description_cases: a DescribedEnum member's description `says` each phrase and `does_not_say` any other.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from offramp.core import enums
from offramp.core.directory.matching import MatchRequest, match
from offramp.core.enums import Drug
from offramp.core.screening.consent import (
    REDISCLOSURE_NOTICE,
    Consent,
    ConsentError,
    CounselOffer,
    Viewer,
    decide_access,
)

FILE = Path(__file__).with_name("consent_and_matching.yaml")
CASES: dict[str, list[dict[str, Any]]] = yaml.safe_load(FILE.read_text(encoding="utf-8"))

CONSENT_DEFAULTS: dict[str, Any] = {
    "consent_id": "C-1",
    "person_key": "P-1",
    "patient_name": "Jordan Example",
    "disclosing_program": "Metro Treatment Center",
    "recipient_users": [],
    "recipient_roles": ["line_prosecutor", "diversion_coordinator"],
    "purposes": None,  # the kind's own purpose unless the case lists some
    "information": ["screening_results"],
    "signed_on": dt.date(2026, 1, 10),
    "starts_on": dt.date(2026, 1, 10),
    "expires_on": dt.date(2026, 12, 31),
    "kind": "monitoring",
}
KIND_PURPOSE = {"monitoring": "monitor_diversion", "charging_use": "charging_decision"}


def _ids(section: str) -> list[Any]:
    return [pytest.param(case, id=case["name"]) for case in CASES[section]]


def consent_of(cells: dict[str, Any]) -> Consent:
    """The case's consent; raises ConsentError as core does for a consent it refuses outright."""
    values = CONSENT_DEFAULTS | cells
    if values["purposes"] is None:
        values["purposes"] = [KIND_PURPOSE[values["kind"]]]
    if isinstance(values.get("counsel"), dict):
        values["counsel"] = CounselOffer(**values["counsel"])
    for name in ("recipient_users", "recipient_roles", "purposes", "information"):
        values[name] = frozenset(values[name])
    return Consent(**values)


@pytest.mark.parametrize("case", _ids("consent_cases"))
def test_consent_case(case: dict[str, Any]) -> None:
    expect = case["expect"]
    assert case["source"].strip(), "every case cites its source"
    if case.get("sign"):
        try:
            problems = consent_of(case["consent"]).signing_problems()
        except ConsentError as exc:
            problems = [str(exc)]
        if expect.get("accepted"):
            assert problems == []
        else:
            assert any(expect["refused"] in p for p in problems), problems
        return
    ask = case["ask"]
    decision = decide_access(
        [consent_of(case["consent"])],
        person_key="P-1",
        viewer=Viewer(username=f"{ask['role']}-user", roles=frozenset({ask["role"]})),
        information=ask["information"],
        purpose=ask["purpose"],
        today=ask["day"],
    )
    assert decision.allowed is expect["allowed"], decision.reason
    if "state" in expect:
        assert decision.state.value == expect["state"]
    if "because" in expect:
        assert expect["because"] in decision.reason
    if decision.allowed:  # every disclosure carries the §2.32 notice and the consent's scope
        assert decision.notice == REDISCLOSURE_NOTICE
        assert decision.scope
        assert decision.notice.startswith(expect.get("notice_begins", ""))
        assert expect.get("notice_says", "") in decision.notice
        for words in expect.get("scope_says", []):
            assert words in decision.scope
    else:
        assert decision.notice is None and decision.scope is None


PROGRAM_DEFAULTS: dict[str, Any] = {
    "status": "active",
    "service_types": ["residential", "outpatient"],
    "vacancies": 1,
}


@pytest.mark.parametrize("case", _ids("matching_cases"))
def test_matching_case(case: dict[str, Any]) -> None:
    assert case["source"].strip(), "every case cites its source"
    facts = case["facts"]
    drug = Drug.parse(facts["drug"])
    request = MatchRequest(
        on_moud=facts["on_moud"],
        opioid_case=drug is not None and drug.is_opioid,
        sud_indicated=facts["sud_indicated"],
        needs=("treatment",),
    )
    names = list(case["programs"])
    rows = [
        PROGRAM_DEFAULTS | {"service_at_location_id": f"p{i}", "organization_name": name} | cells
        for i, (name, cells) in enumerate(case["programs"].items())
    ]
    result = match(pl.DataFrame(rows), request)
    assert result.ranked["organization_name"].to_list() == case["ranked"]
    excluded = dict(
        zip(
            result.excluded["organization_name"].to_list(),
            result.excluded["exclusions"].to_list(),
            strict=True,
        )
    )
    assert {name: reasons for name, reasons in excluded.items()} == {
        name: [reason] for name, reason in case["excluded"].items()
    }
    assert sorted(case["ranked"] + list(case["excluded"])) == sorted(names)


@pytest.mark.parametrize("case", _ids("description_cases"))
def test_description_case(case: dict[str, Any]) -> None:
    assert case["source"].strip(), "every case cites its source"
    enum = getattr(enums, case["value"]["enum"])
    description = enum(case["value"]["member"]).description
    for words in case["says"]:
        assert words in description
    for words in case["does_not_say"]:
        assert words not in description
