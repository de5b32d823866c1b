"""Loading the packaged Georgia listings (`offramp load_programs`) and showing them in the directory."""

from __future__ import annotations

import hashlib
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import CommandError, call_command
from django.test import Client

from offramp.core.programs import GEORGIA_FOLDER, read_georgia_bundle
from offramp.web.audit.models import AuditEvent
from offramp.web.programs.loader import LoadCounts, load_listings
from offramp.web.programs.models import ProgramListing

pytestmark = [pytest.mark.django_db]

DIRECTORY = "/programs/"


@pytest.fixture
def loaded() -> None:
    load_listings(read_georgia_bundle())


def signed_in(client: Client, username: str, *perms: str) -> Client:
    user = User.objects.create_user(username, password="a long test password 1")
    for dotted in perms:
        app_label, codename = dotted.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    client.force_login(user)
    return client


def listing_rows(html: str) -> int:
    return html.count('data-testid="listing"')


def test_it_loads_twice_and_the_second_load_changes_nothing() -> None:
    first, second = StringIO(), StringIO()
    call_command("load_programs", stdout=first)
    stamps = list(ProgramListing.objects.order_by("id").values_list("listing_key", "imported_at"))
    call_command("load_programs", stdout=second)
    assert "806 listings: 806 new, 0 changed, 0 unchanged; 0 data-quality warnings" in first.getvalue()
    assert "806 listings: 0 new, 0 changed, 806 unchanged; 0 data-quality warnings" in second.getvalue()
    assert ProgramListing.objects.count() == 806
    assert list(ProgramListing.objects.order_by("id").values_list("listing_key", "imported_at")) == stamps
    events = AuditEvent.objects.filter(object_type="program_listings").order_by("id")
    assert [(e.action, e.outcome, e.object_id, e.detail["new"], e.detail["unchanged"]) for e in events] == [
        ("import", "success", "samhsa_georgia", 806, 0),
        ("import", "success", "samhsa_georgia", 0, 806),
    ]
    moud_digest = hashlib.sha256((GEORGIA_FOLDER / "moud_sites_ga.csv").read_bytes()).hexdigest()
    assert events[0].detail["files"]["moud_sites_ga.csv"] == moud_digest
    assert events[0].detail["per_kind"] == {
        "substance_use_treatment": 284,
        "moud": 242,
        "opioid_treatment_program": 75,
        "mental_health": 205,
    }


def test_it_stores_the_normalised_values() -> None:
    assert load_listings(read_georgia_bundle()) == LoadCounts(new=806, changed=0, unchanged=0)
    clinic = ProgramListing.objects.get(source_file="moud_sites_ga.csv", source_row=2)
    assert (clinic.name, clinic.kind, clinic.category, clinic.county) == (
        "Private Clinic North",
        "moud",
        "buprenorphine",
        "Walker",
    )
    assert (clinic.latitude, clinic.longitude, clinic.name2, clinic.warnings) == (
        34.978762,
        -85.275236,
        None,
        [],
    )
    assert clinic.source_note.endswith("file moud_sites_ga.csv; listed by SAMHSA")
    assert (
        ProgramListing.objects.get(source_file="moud_sites_ga.csv", source_row=200).name
        == "REAGAN\u2019S PHARMACY"
    )


def test_it_rewrites_only_a_listing_that_changed_in_the_source(tmp_path: Path) -> None:
    call_command("load_programs", stdout=StringIO())
    folder = tmp_path / "samhsa_georgia"
    shutil.copytree(GEORGIA_FOLDER, folder)
    mental = folder / "mental_health_ga.csv"
    mental.write_bytes(mental.read_bytes().replace(b",478-448-4111,", b",478-448-9999,", 1))
    out = StringIO()
    call_command("load_programs", str(folder), stdout=out)
    assert "806 listings: 0 new, 1 changed, 805 unchanged" in out.getvalue()
    assert ProgramListing.objects.count() == 806
    assert ProgramListing.objects.get(name="Dodge County Hospital").phone == "478-448-9999"


def test_it_refuses_a_broken_folder_and_leaves_the_directory_as_it_was(tmp_path: Path) -> None:
    call_command("load_programs", stdout=StringIO())
    folder = tmp_path / "broken"
    shutil.copytree(GEORGIA_FOLDER, folder)
    moud = folder / "moud_sites_ga.csv"
    moud.write_bytes(moud.read_bytes().replace(b",countyName,", b",county_name,", 1))
    with pytest.raises(CommandError) as caught:
        call_command("load_programs", str(folder), stdout=StringIO())
    assert str(caught.value) == (
        f"nothing loaded: {folder} cannot be imported\n"
        f"{moud}:1:countyName: '' — expected this column in the header row of a moud listing"
    )
    assert ProgramListing.objects.count() == 806
    failure = AuditEvent.objects.filter(object_type="program_listings").order_by("-id").first()
    assert failure is not None
    assert (failure.outcome, failure.object_id, failure.detail["total"]) == ("failure", "broken", 1)


def test_it_sends_anonymous_users_to_sign_in(client: Client, loaded: None) -> None:
    response = client.get(DIRECTORY)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/?next=/programs/"


def test_it_refuses_and_audits_a_user_without_the_permission(client: Client, loaded: None) -> None:
    response = signed_in(client, "bob").get(DIRECTORY)
    assert response.status_code == 403
    refusal = AuditEvent.objects.get(action="access_denied")
    assert (refusal.actor_name, refusal.object_id, refusal.outcome) == ("bob", "/programs/", "denied")


def test_it_shows_the_directory_to_a_user_with_the_permission(client: Client, loaded: None) -> None:
    alice = signed_in(client, "alice", "programs.view_programlisting")
    page = alice.get(DIRECTORY)
    assert page.status_code == 200
    html = page.content.decode()
    assert "806 programs, page 1 of 17" in html
    assert listing_rows(html) == 50
    assert 'class="usa-pagination"' in html
    found = alice.get(DIRECTORY, {"q": "private clinic north"}).content.decode()
    assert "3 programs" in found
    assert found.count("Private Clinic North") == 3


def test_it_filters_by_kind(client: Client, loaded: None) -> None:
    alice = signed_in(client, "alice", "programs.view_programlisting")
    first = alice.get(DIRECTORY, {"kind": "opioid_treatment_program"}).content.decode()
    assert "75 programs, page 1 of 2" in first
    assert listing_rows(first) == 50
    assert first.count('data-kind="opioid_treatment_program"') == 50
    assert "Access Health Treatment Center" in first
    assert "Private Clinic North" not in first
    second = alice.get(DIRECTORY, {"kind": "opioid_treatment_program", "page": "2"}).content.decode()
    assert listing_rows(second) == 25
    assert "page 2 of 2" in second


def test_it_filters_by_county(client: Client, loaded: None) -> None:
    alice = signed_in(client, "alice", "programs.view_programlisting")
    html = alice.get(DIRECTORY, {"county": "Dodge"}).content.decode()
    assert "3 programs" in html
    assert listing_rows(html) == 3
    for name in (
        "Community Mental Health Center",
        "Dodge County Hospital",
        "Southeast Georgia Treatment Center",
    ):
        assert name in html


def test_it_reports_an_unknown_kind_on_the_form(client: Client, loaded: None) -> None:
    alice = signed_in(client, "alice", "programs.view_programlisting")
    response = alice.get(DIRECTORY, {"kind": "casino"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice. casino is not one of the available choices." in html
    assert "806 programs" in html
