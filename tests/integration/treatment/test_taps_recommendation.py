"""TAPS in the recommendation (docs/SOURCES.md#taps): TAPS-1 is a pre-screen, so use reported on it reads
"taps2_needed" until the TAPS-2 modules are on file; a drug module at higher risk (2+) is the positive screen;
tobacco or alcohol at higher risk is recorded as a need, never as drug evidence. The consent gate is the one
every screening goes through (test_consent_recommendation)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from tests.fixtures.users import Staff, client_for
from tests.integration.helpers import cases_csv, load_cases, no_static_finders  # noqa: F401
from tests.integration.treatment import consents

from offramp.core.evaluation.explain import SUD_SCREEN_NOTES
from offramp.core.screening import Administration, AdministrationMode
from offramp.core.screening.consent import Purpose
from offramp.web.cases.models import Case
from offramp.web.decisions import recommend
from offramp.web.treatment.models import Screening

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]

AT = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)
NEVER = "never"


@pytest.fixture
def case(tmp_path: Path) -> Case:
    row = {"case_id": "T-1", "person_id": "P-T1", "drug": "heroin", "prior_overdose": "false"}
    load_cases(cases_csv(tmp_path, [row]))
    return Case.objects.select_related("person").get(case_key="T-1")


def give(case: Case, by: User, instrument: str, answers: list[object], minutes: int = 0) -> Screening:
    admin = Administration.record(
        instrument,
        answers,  # type: ignore[arg-type]
        administered_by="Pat Screener",
        administered_at=AT + dt.timedelta(minutes=minutes),
        mode=AdministrationMode.IN_PERSON,
    )
    return Screening.create_from(case, admin, by)


@pytest.fixture
def consented(case: Case, staff: Staff) -> Case:
    consents.make_consent(
        case,
        staff.carol,
        "valid",
        kind="screening_results",
        roles=("line_prosecutor", "supervisor"),
        purposes=[Purpose.CHARGING_DECISION.value],
    )
    return case


def test_taps1_use_alone_reads_taps2_needed(consented: Case, staff: Staff) -> None:
    give(consented, staff.carol, "taps-1", [NEVER, NEVER, "weekly", NEVER])
    rec = recommend.recommend_case(consented, staff.alice)
    assert rec.sud_screen == "taps2_needed"
    assert rec.sud_used
    assert rec.trace.finding_value("sud_indicated") is False
    assert rec.trace.notes == [SUD_SCREEN_NOTES["taps2_needed"]]
    assert "TAPS-2 needed, not a positive screen" in rec.sud_note


def test_a_drug_module_at_higher_risk_is_positive(consented: Case, staff: Staff) -> None:
    give(consented, staff.carol, "taps-1", [NEVER, NEVER, "weekly", NEVER])
    give(consented, staff.carol, "taps-2-heroin", [True, True, False], minutes=5)
    rec = recommend.recommend_case(consented, staff.alice)
    assert rec.sud_screen == "positive"
    assert rec.trace.finding_value("sud_indicated") is True


def test_drug_problem_use_is_below_the_cut_off(consented: Case, staff: Staff) -> None:
    give(consented, staff.carol, "taps-1", [NEVER, NEVER, "weekly", NEVER])
    give(consented, staff.carol, "taps-2-marijuana", [True, False, False], minutes=5)
    assert recommend.recommend_case(consented, staff.alice).sud_screen == "negative"


def test_alcohol_alone_is_a_need_not_drug_evidence(consented: Case, staff: Staff) -> None:
    give(consented, staff.carol, "taps-1", [NEVER, "weekly", NEVER, NEVER])
    give(consented, staff.carol, "taps-2-alcohol", [True, True, True, True], minutes=5)
    rec = recommend.recommend_case(consented, staff.alice)
    assert rec.sud_screen == "alcohol_or_tobacco"
    assert rec.trace.finding_value("sud_indicated") is False
    assert rec.trace.finding_value("alcohol_or_tobacco_need") is True
    # the quiet possession case is declined, so the referral is an offer, never a condition of it
    assert rec.outcome == "decline"
    assert "offer a voluntary alcohol or tobacco treatment referral" in rec.trace.offers()
    assert rec.conditions == []


def test_drug_modules_still_outstanding_read_taps2_needed(consented: Case, staff: Staff) -> None:
    give(consented, staff.carol, "taps-1", [NEVER, "weekly", "monthly", NEVER])
    give(consented, staff.carol, "taps-2-alcohol", [True, True, True, True], minutes=5)
    assert recommend.recommend_case(consented, staff.alice).sud_screen == "taps2_needed"


def test_modules_before_the_latest_taps1_do_not_count(consented: Case, staff: Staff) -> None:
    give(consented, staff.carol, "taps-2-heroin", [True, True, True], minutes=-60)
    give(consented, staff.carol, "taps-1", [NEVER, NEVER, "weekly", NEVER])
    assert recommend.recommend_case(consented, staff.alice).sud_screen == "taps2_needed"


def test_without_consent_taps_is_withheld(case: Case, staff: Staff) -> None:
    give(case, staff.carol, "taps-1", [NEVER, NEVER, "weekly", NEVER])
    assert recommend.recommend_case(case, staff.alice).sud_screen == "withheld"


def form(instrument: str, items: dict[str, str]) -> dict[str, str]:
    return {
        "instrument": instrument,
        "mode": "in_person",
        "administered_by": "Sam Screener",
        "administered_at": "2026-04-02 09:30",
        **{f"item_{k}": v for k, v in items.items()},
    }


def test_the_screener_form_says_which_taps2_modules_are_needed(case: Case, staff: Staff) -> None:
    carol = client_for(staff.carol)
    items = {"tobacco": NEVER, "alcohol": NEVER, "illicit-drugs": "weekly", "prescription-drugs": NEVER}
    response = carol.post("/treatment/cases/T-1/screen/", form("taps-1", items), follow=True)
    page = response.content.decode()
    assert "TAPS-2 needed for: illicit_drugs (taps-2-marijuana, taps-2-stimulants, taps-2-heroin)." in page
    row = Screening.objects.get(instrument="taps-1")
    assert (row.instrument_version, row.band) == ("2", "taps-2 needed")


def test_the_screener_form_records_a_taps2_module(case: Case, staff: Staff) -> None:
    carol = client_for(staff.carol)
    items = {"heroin-used": "yes", "heroin-failed-to-cut-down": "yes", "heroin-concern": "no"}
    assert carol.post("/treatment/cases/T-1/screen/", form("taps-2-heroin", items)).status_code == 302
    row = Screening.objects.get(instrument="taps-2-heroin")
    assert (row.score, row.band) == (2, "higher risk")


def test_the_screener_form_enforces_the_taps2_skip(case: Case, staff: Staff) -> None:
    carol = client_for(staff.carol)
    items = {"heroin-used": "no", "heroin-failed-to-cut-down": "yes", "heroin-concern": "no"}
    page = carol.post("/treatment/cases/T-1/screen/", form("taps-2-heroin", items)).content.decode()
    assert "item 1 (use in the past 3 months) is no" in page
    assert not Screening.objects.filter(instrument="taps-2-heroin").exists()
