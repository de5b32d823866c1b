"""The case queue and the case page, rendered for a signed-in prosecutor: filters return exactly the
matching cases, keyset pages neither overlap nor skip, bad filter values are form errors, htmx gets the
results fragment, and the case page shows the source's own text beside what it means."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils.html import escape
from tests.fixtures.users import Staff, client_for
from tests.integration.helpers import (
    EXAMPLE_CSV,
    cases_csv,
    example_csv_with,
    load_cases,
    no_static_finders,  # noqa: F401 - fixture
)

from offramp.core.enums import CaseStage, Drug, OffenseKind, Sex
from offramp.web.audit.models import AuditEvent
from offramp.web.cases.models import Case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]

#: key, received, stage, offence kind, drug. Three cases share 2024-07-10 and two 2024-08-10 and
#: 2024-03-10, so pages must break ties by id; with five to a page the first page ends inside the July trio.
QUEUE_CASES: list[tuple[str, str, str, str, str]] = [
    ("Q-01", "2024-01-10", "received", "possession", "fentanyl"),
    ("Q-02", "2024-02-10", "under_review", "delivery", "heroin"),
    ("Q-03", "2024-03-10", "diverted", "possession", "cocaine"),
    ("Q-04", "2024-03-10", "received", "possession_with_intent", "fentanyl"),
    ("Q-05", "2024-04-10", "diverted", "possession", "fentanyl"),
    ("Q-06", "2024-05-10", "received", "paraphernalia", "none"),
    ("Q-07", "2024-07-10", "charged", "delivery", "fentanyl"),
    ("Q-08", "2024-07-10", "received", "possession", "cannabis"),
    ("Q-09", "2024-07-10", "diverted", "possession", "heroin"),
    ("Q-10", "2024-08-10", "received", "possession", "fentanyl"),
    ("Q-11", "2024-08-10", "declined", "delivery", "cocaine"),
    ("Q-12", "2024-09-10", "received", "possession", "methamphetamine"),
]
NEWEST_FIRST = [
    "Q-12",
    "Q-11",
    "Q-10",
    "Q-09",
    "Q-08",
    "Q-07",
    "Q-06",
    "Q-05",
    "Q-04",
    "Q-03",
    "Q-02",
    "Q-01",
]

CASE_LINK = re.compile(r'<th scope="row"><a href="/cases/([^/"]+)/">')
NEXT_LINK = re.compile(r'<a class="usa-button" href="([^"]*)">Next page</a>')


@pytest.fixture
def queue_cases(tmp_path: Path) -> None:
    cells = [
        {
            "case_id": key,
            "person_id": f"P-{key}",
            "received_date": received,
            "stage": stage,
            "offense_kind": kind,
            "drug": drug,
        }
        for key, received, stage, kind, drug in QUEUE_CASES
    ]
    summary = load_cases(cases_csv(tmp_path, cells))
    assert summary.cases_new == len(QUEUE_CASES)


@pytest.fixture
def alice(staff: Staff) -> Client:
    return client_for(staff.alice)


def keys(response: object) -> list[str]:
    return CASE_LINK.findall(response.content.decode())  # type: ignore[attr-defined]


def next_link(response: object) -> str | None:
    found = NEXT_LINK.search(response.content.decode())  # type: ignore[attr-defined]
    return html.unescape(found.group(1)) if found else None


# --- the queue ----------------------------------------------------------------------------------------------


def test_it_lists_every_case_newest_first(alice: Client, queue_cases: None) -> None:
    response = alice.get("/")

    assert response.status_code == 200
    assert keys(response) == NEWEST_FIRST
    assert '<p class="offramp-count" data-testid="case-count">12 cases</p>' in response.content.decode()
    assert next_link(response) is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"stage": "diverted"}, ["Q-09", "Q-05", "Q-03"]),
        ({"offense_kind": "delivery"}, ["Q-11", "Q-07", "Q-02"]),
        ({"drug": "fentanyl"}, ["Q-10", "Q-07", "Q-05", "Q-04", "Q-01"]),
        ({"received_from": "2024-03-10", "received_to": "2024-05-10"}, ["Q-06", "Q-05", "Q-04", "Q-03"]),
        ({"received_from": "2024-08-10"}, ["Q-12", "Q-11", "Q-10"]),
        ({"received_to": "2024-02-10"}, ["Q-02", "Q-01"]),
        ({"stage": "received", "drug": "fentanyl"}, ["Q-10", "Q-04", "Q-01"]),
        ({"stage": "closed"}, []),
    ],
    ids=["stage", "offense-kind", "drug", "date-range", "from-only", "to-only", "stage-and-drug", "none"],
)
def test_it_filters_the_queue(
    alice: Client, queue_cases: None, query: dict[str, str], expected: list[str]
) -> None:
    response = alice.get("/", query)

    assert response.status_code == 200
    assert keys(response) == expected
    # cross-check against the stored rows, so the fixture and the filter cannot both be wrong the same way
    stored = Case.objects.filter(case_key__in=expected)
    for key, received, stage, kind, drug in QUEUE_CASES:
        if key not in expected:
            continue
        case = stored.get(case_key=key)
        assert (case.received_date.isoformat(), case.stage, case.primary_offense_kind, case.primary_drug) == (
            received,
            stage,
            kind,
            drug,
        )
    if not expected:
        assert "No cases match these filters." in response.content.decode()


def test_it_pages_by_keyset_without_overlap_or_gaps(
    alice: Client, queue_cases: None, settings: object
) -> None:
    settings.CASES_PER_PAGE = 5  # type: ignore[attr-defined]

    first = alice.get("/")
    second = alice.get(next_link(first))
    third = alice.get(next_link(second))

    assert keys(first) == NEWEST_FIRST[:5]
    assert keys(second) == NEWEST_FIRST[5:10]
    assert keys(third) == NEWEST_FIRST[10:]
    assert next_link(third) is None
    # the cursor is the last row of the page: its date and id
    last = Case.objects.get(case_key="Q-08")
    assert next_link(first) == f"?after={last.received_date.isoformat()}.{last.pk}"
    # the order is (received_date desc, id desc): the July trio straddles the first two pages
    ordered = list(Case.objects.order_by("-received_date", "-id").values_list("case_key", flat=True))
    assert keys(first) + keys(second) + keys(third) == ordered
    assert "First page" in second.content.decode()


def test_it_keeps_the_filters_on_the_next_page(alice: Client, queue_cases: None, settings: object) -> None:
    settings.CASES_PER_PAGE = 5  # type: ignore[attr-defined]

    first = alice.get("/", {"stage": "received"})
    link = next_link(first)
    second = alice.get(link)

    assert keys(first) == ["Q-12", "Q-10", "Q-08", "Q-06", "Q-04"]
    assert link is not None and link.startswith("?stage=received&after=")
    assert keys(second) == ["Q-01"]


def test_it_shows_no_next_link_when_the_page_is_exactly_full(
    alice: Client, queue_cases: None, settings: object
) -> None:
    settings.CASES_PER_PAGE = 5  # type: ignore[attr-defined]

    response = alice.get("/", {"drug": "fentanyl"})

    assert len(keys(response)) == 5
    assert next_link(response) is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"stage": "bogus"}, "Select a valid choice. bogus is not one of the available choices."),
        (
            {"drug": "unicorn dust"},
            "Select a valid choice. unicorn dust is not one of the available choices.",
        ),
        ({"received_from": "notadate"}, "Enter a valid date."),
        (
            {"received_from": "2024-06-01", "received_to": "2024-01-01"},
            "must be on or after the 'received from' date",
        ),
    ],
    ids=["stage", "drug", "date", "range"],
)
def test_it_shows_a_form_error_for_an_invalid_filter(
    alice: Client, queue_cases: None, query: dict[str, str], message: str
) -> None:
    response = alice.get("/", query)

    assert response.status_code == 200
    page = response.content.decode()
    assert f'<span class="usa-error-message" role="alert">{escape(message)}</span>' in page
    assert keys(response) == NEWEST_FIRST  # an invalid form filters nothing


def test_it_ignores_a_malformed_cursor(alice: Client, queue_cases: None) -> None:
    response = alice.get("/", {"after": "yesterday.abc"})

    assert response.status_code == 200
    assert keys(response) == NEWEST_FIRST


def test_it_answers_htmx_with_the_results_fragment_only(alice: Client, queue_cases: None) -> None:
    full = alice.get("/", {"stage": "diverted"})
    fragment = alice.get("/", {"stage": "diverted"}, headers={"HX-Request": "true"})

    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert "<html" not in body and "<form" not in body and "<h1>" not in body
    assert body.lstrip().startswith('<p class="offramp-count" data-testid="case-count">3 cases</p>')
    assert keys(fragment) == ["Q-09", "Q-05", "Q-03"]
    assert "<html" in full.content.decode() and "<form" in full.content.decode()
    assert AuditEvent.objects.filter(action="list").count() == 2  # the fragment is audited like the page


# --- the case page ------------------------------------------------------------------------------------------


def test_it_shows_the_source_text_and_what_each_value_means(alice: Client, tmp_path: Path) -> None:
    load_cases(example_csv_with(tmp_path, {0: {"sex": "M", "quantity_g": "0.30"}}))

    response = alice.get("/cases/CCR-2024-0001/")

    assert response.status_code == 200
    page = response.content.decode()
    assert '<span data-testid="case-id">CCR-2024-0001</span>' in page
    assert "<td>720 ILCS 570/402(c)</td><td>POSSESSION OF CONTROLLED SUBSTANCE</td>" in page
    for description in (
        CaseStage.RECEIVED.description,
        OffenseKind.POSSESSION.description,
        Drug.FENTANYL.description,
        Sex.MALE.description,
    ):
        assert f'<div class="usa-hint">{escape(description)}</div>' in page
    assert "(source: “M”)" in page  # the sex as the file wrote it
    assert "(“0.30”)" in page  # the quantity as the file wrote it
    assert "Stopped at a bus shelter; one foil packet of suspected fentanyl." in page


def test_it_shows_unknown_facts_as_unknown(alice: Client) -> None:
    load_cases(EXAMPLE_CSV)

    page = alice.get("/cases/CCR-2024-0008/").content.decode()

    assert re.search(r"<th scope=\"row\">Weapon</th>\s*<td>unknown", page)
    assert re.search(r"<th scope=\"row\">Birth year</th>\s*<td>unknown", page)
    assert re.search(r"<th scope=\"row\">Number of victims</th>\s*<td>0", page)
    assert "(none recorded)" in page


def test_it_shows_a_cases_data_quality_warnings(alice: Client, tmp_path: Path, frozen_today: dt.date) -> None:
    load_cases(example_csv_with(tmp_path, {3: {"received_date": "1946-05-01"}}))

    flagged = alice.get("/cases/CCR-2024-0004/").content.decode()
    clean = alice.get("/cases/CCR-2024-0005/").content.decode()

    year = frozen_today.year  # "implausible" is measured from today
    assert "Data-quality warnings" in flagged
    assert (
        f"row 5, received_date = “1946-05-01”: implausible received_date: outside 1980–{year}; "
        "imported, please check the source"
    ) in flagged
    assert "Data-quality warnings" not in clean


def test_it_answers_404_for_an_unknown_case_and_records_no_view(alice: Client) -> None:
    load_cases(EXAMPLE_CSV)

    response = alice.get("/cases/NO-SUCH-CASE/")

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="view").exists()


def test_it_forbids_caching_pages_shown_to_a_signed_in_user(alice: Client, queue_cases: None) -> None:
    response = alice.get("/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
