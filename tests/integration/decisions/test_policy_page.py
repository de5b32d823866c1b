"""The policy page: every pack file with its id, version, dates and rule count, and what changed between
two versions (the unified diff of the YAML, and the rule ids added, removed and changed)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from tests.fixtures.users import Staff
from tests.integration.helpers import REPO, no_static_finders  # noqa: F401

from offramp.web.audit.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]

PAGE = "/decisions/policies/"

V1 = """id: small
office: Test County
version: "1"
effective:
  from: 2023-01-01
  to: 2023-12-31
parameters: {}
rules:
  - id: decline-possession
    precedence: 10
    then: {outcome: decline}
    because: Small possession is declined.
  - id: old-rule
    precedence: 5
    then: {outcome: prosecute}
    because: Gone in version 2.
"""

V2 = """id: small
office: Test County
version: "2"
effective:
  from: 2024-01-01
parameters: {}
rules:
  - id: decline-possession
    precedence: 10
    then: {outcome: pre_charge_diversion}
    because: Small possession is diverted.
  - id: new-rule
    precedence: 1
    then: {outcome: prosecute}
    because: New in version 2.
"""


@pytest.fixture
def folder(tmp_path: Path, settings: Any) -> Path:
    (tmp_path / "small-v1.yaml").write_text(V1, encoding="utf-8")
    (tmp_path / "small-v2.yaml").write_text(V2, encoding="utf-8")
    settings.OFFRAMP_POLICY_DIR = tmp_path
    return tmp_path


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_lists_the_shipped_packs(staff: Staff, settings: Any) -> None:
    settings.OFFRAMP_POLICY_DIR = REPO / "policies"
    page = signed_in(staff.alice).get(PAGE).content.decode()
    assert "<td>public-health.yaml</td><td>public-health</td>" in page
    assert "<td>traditional.yaml</td><td>traditional</td>" in page
    assert page.count('data-testid="pack"') == 2


def test_it_shows_the_difference_between_two_versions(staff: Staff, folder: Path) -> None:
    response = signed_in(staff.bob).get(PAGE, {"old": "small-v1.yaml", "new": "small-v2.yaml"})
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        '<tr data-testid="pack"><td>small-v1.yaml</td><td>small</td><td>1</td><td>Test County</td>'
        "<td>2023-01-01</td><td>2023-12-31</td>\n    <td>2</td></tr>"
    ) in page
    assert "<td>2024-01-01</td><td>open</td>" in page
    assert '<span data-testid="rules-added">new-rule</span>' in page
    assert '<span data-testid="rules-removed">old-rule</span>' in page
    assert '<span data-testid="rules-changed">decline-possession</span>' in page
    assert "--- small-v1.yaml (small 1)\n+++ small-v2.yaml (small 2)\n" in page
    assert "\n-version: &quot;1&quot;\n+version: &quot;2&quot;\n" in page
    assert "\n-    then: {outcome: decline}\n-    because: Small possession is declined.\n" in page
    assert (
        "\n+    then: {outcome: pre_charge_diversion}\n+    because: Small possession is diverted.\n" in page
    )
    event = AuditEvent.objects.get(object_type="policy_packs")
    assert (event.action, event.actor_name, event.detail) == (
        "view",
        "bob",
        {"old": "small-v1.yaml", "new": "small-v2.yaml"},
    )


def test_it_compares_the_two_newest_versions_by_default(staff: Staff, folder: Path) -> None:
    shutil.copy(folder / "small-v1.yaml", folder / "small-v0.yaml")
    page = signed_in(staff.alice).get(PAGE).content.decode()
    assert "--- small-v1.yaml (small 1)\n+++ small-v2.yaml (small 2)\n" in page


def test_it_ignores_a_file_name_that_is_not_in_the_listing(staff: Staff, folder: Path) -> None:
    page = (
        signed_in(staff.alice).get(PAGE, {"old": "../../etc/passwd", "new": "small-v2.yaml"}).content.decode()
    )
    assert "--- small-v1.yaml (small 1)\n+++ small-v2.yaml (small 2)\n" in page
    assert "root:" not in page


def test_it_refuses_roles_without_decisions(staff: Staff, folder: Path) -> None:
    assert signed_in(staff.erin).get(PAGE).status_code == 403
    assert AuditEvent.objects.get(action="access_denied").actor_name == "erin"
