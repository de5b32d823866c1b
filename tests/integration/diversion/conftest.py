"""Shared fixtures of the diversion tests: a case without victims (D-1) and one with a victim on file (D-2,
created directly: the CSV importer records only `victim_count`), the policy a small real pack whose
victim-consultation flag each test chooses, and helpers that post like the case page's forms do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from tests.factories import VictimFactory
from tests.fixtures.users import Staff
from tests.integration.decisions.small_pack import use_small_pack
from tests.integration.helpers import cases_csv, load_cases

from offramp.web.cases.models import Case
from offramp.web.diversion.models import Referral


def use_policy(settings: Any, folder: Path, *, victim_consultation: bool) -> None:
    """The small real pack (tests/integration/decisions/small-pack.yaml), its deciding rule flagged for
    victim consultation or not."""
    use_small_pack(settings, folder, victim_consultation=victim_consultation)


@pytest.fixture(autouse=True)
def no_consultation_required(settings: Any, tmp_path: Path) -> None:
    use_policy(settings, tmp_path, victim_consultation=False)


@pytest.fixture
def cases(tmp_path: Path, staff: Staff) -> dict[str, Case]:
    load_cases(cases_csv(tmp_path, [{"case_id": "D-1"}, {"case_id": "D-2", "victim_count": "1"}]))
    with_victim = Case.objects.get(case_key="D-2")
    VictimFactory(case=with_victim, seq=1, restitution_claimed_usd=250.0)
    return {"plain": Case.objects.get(case_key="D-1"), "with_victim": with_victim}


@pytest.fixture
def case(cases: dict[str, Case]) -> Case:
    return cases["plain"]


def offer(
    client: Client, case: Case, program: str = "ccsao:BR9", counsel: str = "present", **fields: Any
) -> Any:
    return client.post(
        f"/diversion/cases/{case.case_key}/offer/", {"program": program, "counsel": counsel, **fields}
    )


def step(
    client: Client, referral: Referral | int, event: str, version: int | None = None, **fields: Any
) -> Any:
    pk = referral if isinstance(referral, int) else referral.pk
    if version is None:
        version = Referral.objects.get(pk=pk).version
    return client.post(
        f"/diversion/referrals/{pk}/transition/", {"event": event, "expected_version": version, **fields}
    )


def walk(client: Client, referral: Referral, *events: str) -> None:
    for event in events:
        response = step(client, referral, event)
        assert response.status_code == 302, (event, response.content.decode()[:2000])
