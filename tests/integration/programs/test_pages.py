"""The directory's pages: search and filters, a program's page, the coordinator's capacity update (403 and
an audit event for anyone else), and the HSDS download."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.test import Client
from tests.fixtures.users import Staff
from tests.integration.helpers import no_static_finders  # noqa: F401
from tests.integration.programs.batches import SVC_HOUSING, SVC_MOUD, SVC_NO_MOUD, many_services, small_batch

from offramp.core.directory.validate import validate
from offramp.web.audit.models import AuditEvent
from offramp.web.programs.models import CapacityUpdate, Service
from offramp.web.programs.store import store_directory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]

DIRECTORY = "/programs/"
CLINIC = f"/programs/services/{SVC_MOUD}/"
CAPACITY = f"/programs/services/{SVC_MOUD}/capacity/"
EXPORT = "/programs/export/hsds.zip"


@pytest.fixture
def stored(db: None) -> None:
    store_directory(small_batch(), "small.json", fmt="hsds", actor_name="test")


def as_user(client: Client, user: object) -> Client:
    client.force_login(user)  # type: ignore[arg-type]
    return client


def rows(html: str) -> int:
    return html.count('data-testid="listing"')


def test_anonymous_users_go_to_sign_in(client: Client, stored: None) -> None:
    response = client.get(DIRECTORY)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/?next=/programs/"


def test_roles_without_the_directory_are_refused_and_audited(
    client: Client, staff: Staff, stored: None
) -> None:
    assert as_user(client, staff.erin).get(DIRECTORY).status_code == 403
    refusal = AuditEvent.objects.get(action="access_denied")
    assert (refusal.actor_name, refusal.object_id) == ("erin", "/programs/")


@pytest.mark.parametrize(
    ("filters", "names"),
    [
        ({}, {"Buprenorphine clinic", "Recovery housing", "Abstinence residential"}),
        ({"q": "peachtree"}, {"Buprenorphine clinic", "Abstinence residential"}),
        ({"q": "Decatur"}, {"Recovery housing"}),
        ({"q": "3030"}, {"Buprenorphine clinic", "Abstinence residential"}),
        ({"service_type": "housing"}, {"Recovery housing"}),
        ({"service_type": "moud_buprenorphine"}, {"Buprenorphine clinic"}),
        ({"county": "DeKalb"}, {"Recovery housing"}),
        ({"moud_policy": "forbids"}, {"Abstinence residential"}),
        ({"moud_policy": "accepts"}, {"Buprenorphine clinic"}),
        ({"has_vacancies": "on"}, {"Buprenorphine clinic"}),
        ({"language": "es"}, {"Buprenorphine clinic"}),
        ({"language": "en", "county": "Fulton"}, {"Buprenorphine clinic"}),
    ],
)
def test_the_directory_filters(
    client: Client, staff: Staff, stored: None, filters: dict[str, str], names: set[str]
) -> None:
    html = as_user(client, staff.alice).get(DIRECTORY, filters).content.decode()
    assert rows(html) == len(names)
    for name in ("Buprenorphine clinic", "Recovery housing", "Abstinence residential"):
        assert (name in html) == (name in names), name


def test_an_unknown_filter_value_is_reported_on_the_form(client: Client, staff: Staff, stored: None) -> None:
    response = as_user(client, staff.alice).get(DIRECTORY, {"service_type": "casino"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice. casino is not one of the available choices." in html
    assert rows(html) == 3


def test_the_directory_paginates(client: Client, staff: Staff) -> None:
    store_directory(many_services(120), "many.json")
    alice = as_user(client, staff.alice)
    first = alice.get(DIRECTORY).content.decode()
    assert "120 programs, page 1 of 3" in first
    assert rows(first) == 50
    last = alice.get(DIRECTORY, {"page": "3"}).content.decode()
    assert rows(last) == 20
    assert "page 3 of 3" in last


def test_the_program_page_shows_services_eligibility_places_and_capacity(
    client: Client, staff: Staff, stored: None
) -> None:
    html = as_user(client, staff.alice).get(CLINIC).content.decode()
    assert "Peachtree Recovery" in html
    assert "Medication for opioid use disorder: buprenorphine." in html  # the type's description
    assert "Outpatient substance-use treatment (ASAM level 1)." in html
    for line in (
        "Ages 18 and over.",
        "MOUD: Accepts people who take MOUD.",
        "Offences accepted: possession.",
        "Plea stage: pre plea.",
        "Residency: no requirement stated.",
        "Payment accepted: medicaid, uninsured.",
        "Cost: Fee on a sliding scale by income.",
        "Languages: English, Spanish.",
        "Sex: not stated.",
    ):
        assert line in html, line
    assert "10 Peachtree St, Atlanta, GA 30303 (Fulton County)" in html
    assert "As of 2026-10-01: capacity 20, vacancies 3, waitlist 0." in html
    assert "No updates yet." in html
    assert 'data-testid="update-capacity"' not in html  # a line prosecutor cannot update capacity
    forbids = as_user(client, staff.alice).get(f"/programs/services/{SVC_NO_MOUD}/").content.decode()
    assert "MOUD: Requires people to stop MOUD: never matched to someone on MOUD." in forbids
    assert "Serves men only." in forbids
    housing = as_user(client, staff.alice).get(f"/programs/services/{SVC_HOUSING}/").content.decode()
    assert "Must live in: DeKalb County." in housing
    assert "javascript:" not in housing


def test_an_unknown_program_is_404(client: Client, staff: Staff, stored: None) -> None:
    assert (
        as_user(client, staff.alice)
        .get("/programs/services/00000000-0000-4000-8000-000000000000/")
        .status_code
        == 404
    )


def test_the_coordinator_updates_capacity_and_it_is_history_and_audited(
    client: Client, staff: Staff, stored: None
) -> None:
    carol = as_user(client, staff.carol)
    assert 'data-testid="update-capacity"' in carol.get(CLINIC).content.decode()
    today = dt.date.today()
    response = carol.post(
        CAPACITY,
        {
            "as_of": today.isoformat(),
            "capacity": "20",
            "vacancies": "0",
            "waitlist": "4",
            "note": "full this week",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == CLINIC
    clinic = Service.objects.get(pk=SVC_MOUD)
    assert (clinic.vacancies, clinic.waitlist, clinic.capacity_updated) == (0, 4, today)
    update = CapacityUpdate.objects.get()
    assert (update.entered_by, update.note) == (staff.carol, "full this week")
    html = carol.get(CLINIC).content.decode()
    assert html.count('data-testid="capacity-update"') == 1
    assert "full this week" in html
    assert f"As of {today.isoformat()}: capacity 20, vacancies 0, waitlist 4." in html
    event = AuditEvent.objects.get(action="create", object_type="capacity_update")
    assert (event.actor_name, event.object_id, event.detail["vacancies"], event.detail["waitlist"]) == (
        "carol",
        str(clinic.pk),
        0,
        4,
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"capacity": "5", "vacancies": "9"}, "vacancies", "Vacancies cannot exceed capacity."),
        ({"vacancies": "-1"}, "vacancies", "Enter 0 or more."),
        ({"as_of": "2999-01-01", "vacancies": "1"}, "as_of", "Enter today&#x27;s date or an earlier one."),
        ({"note": "nothing"}, "form", "Enter at least one of capacity, vacancies and waitlist."),
    ],
)
def test_an_invalid_update_is_refused_with_the_reason(
    client: Client, staff: Staff, stored: None, data: dict[str, str], field: str, message: str
) -> None:
    response = as_user(client, staff.carol).post(CAPACITY, {"as_of": dt.date.today().isoformat(), **data})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-testid="error-{field}">{message}' in html
    assert CapacityUpdate.objects.count() == 0
    assert Service.objects.get(pk=SVC_MOUD).vacancies == 3


@pytest.mark.parametrize("who", ["alice", "bob", "dave"])
def test_other_roles_cannot_update_capacity(client: Client, staff: Staff, stored: None, who: str) -> None:
    user = getattr(staff, who)
    response = as_user(client, user).post(CAPACITY, {"as_of": dt.date.today().isoformat(), "vacancies": "1"})
    assert response.status_code == 403
    assert as_user(client, user).get(CAPACITY).status_code == 403
    assert CapacityUpdate.objects.count() == 0
    refusal = AuditEvent.objects.filter(action="access_denied").first()
    assert refusal is not None and refusal.actor_name == who


def test_the_coordinator_downloads_the_directory_as_hsds(client: Client, staff: Staff, stored: None) -> None:
    carol = as_user(client, staff.carol)
    assert 'data-testid="export-link"' in carol.get(DIRECTORY).content.decode()
    response = carol.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert {"services.json", "organizations.json", "locations.json", "taxonomy_terms.json"} <= set(
        archive.namelist()
    )
    services = json.loads(archive.read("services.json"))["contents"]
    assert sorted(s["name"] for s in services) == [
        "Abstinence residential",
        "Buprenorphine clinic",
        "Recovery housing",
    ]
    for service in services:
        assert validate(service, "service") == [], service["id"]
    event = AuditEvent.objects.get(action="export", object_type="program_directory")
    assert (event.actor_name, event.detail["services"]) == ("carol", 3)


def test_only_coordinators_and_administrators_download(client: Client, staff: Staff, stored: None) -> None:
    alice = as_user(client, staff.alice)
    assert 'data-testid="export-link"' not in alice.get(DIRECTORY).content.decode()
    assert alice.get(EXPORT).status_code == 403
    assert as_user(client, staff.grace).get(EXPORT).status_code == 200
