"""Analytics dashboards over a small, hand-checked database: who may see them, filters, CSV downloads that
equal the tables, no external URL, the Justice Counts CSV, the transparency report (HTML and PDF, small
counts suppressed) and the what-if simulation run from the web UI on the stored cases.

The cases (each its own person; the example's first row with these cells):

    2023, Chicago Police Department          2024, Cook County Sheriff
    6 white possession fentanyl, declined    3 white possession cocaine, dismissed
      (3 male, 3 female)                     1 black possession cocaine, received (undecided)
    6 black possession fentanyl, plea
    2 black delivery heroin, diverted

so 2023: referred 14, declined 6, diverted before filing 2, disposed 6 (all by plea); 2024: referred 4,
disposed 3 (dismissal). Fentanyl only: 2023 referred 12. Cook County Sheriff only: 2024 alone.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from django.test import Client
from tests.fixtures.users import Staff
from tests.integration.helpers import load_cases, no_static_finders, read_csv_rows, write_csv_rows  # noqa: F401

from offramp.web.analytics import snapshot, views
from offramp.web.audit.models import Action, AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_static_finders")]

DISPOSITION_COLUMNS = ("disposition", "disposition_date", "sentence_type", "sentence_days")
CPD, SHERIFF = "Chicago Police Department", "Cook County Sheriff"
PAGES = ("overview", "indicators", "disparity", "diversion", "health", "restitution", "definitions",
         "transparency", "simulate")  # fmt: skip
EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def _cases(tmp_path: Path, cells: Sequence[Mapping[str, str]]) -> Path:
    header, rows = read_csv_rows()
    return write_csv_rows(
        tmp_path / "cases.csv", [*header, *DISPOSITION_COLUMNS], [{**rows[0], **c} for c in cells]
    )


def _rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []

    def add(n: int, **cells: str) -> None:
        for _ in range(n):
            i = len(rows) + 1
            rows.append({"case_id": f"A-{i:03d}", "person_id": f"P-{i:03d}", "victim_count": "0", **cells})

    y23 = {"received_date": "2023-03-06", "agency": CPD, "offense_kind": "possession", "drug": "fentanyl"}
    add(3, **y23, race="white", sex="male", stage="declined")
    add(3, **y23, race="white", sex="female", stage="declined")
    add(
        6,
        **y23,
        race="black",
        sex="male",
        stage="closed",
        disposition="plea_guilty",
        disposition_date="2023-09-01",
        sentence_type="probation",
        sentence_days="0",
    )
    add(
        2,
        **{
            **y23,
            "offense_kind": "delivery",
            "drug": "heroin",
            "statute": "720 ILCS 570/401(c)(1)",
            "charge_title": "MANUFACTURE/DELIVERY OF HEROIN",
        },
        race="black",
        sex="male",
        stage="diverted",
    )
    y24 = {"received_date": "2024-02-05", "agency": SHERIFF, "offense_kind": "possession", "drug": "cocaine"}
    add(
        3,
        **y24,
        race="white",
        sex="male",
        stage="closed",
        disposition="dismissed",
        disposition_date="2024-05-01",
    )
    add(1, **y24, race="black", sex="male", stage="received")
    return rows


@pytest.fixture
def office(tmp_path: Path) -> None:
    load_cases(_cases(tmp_path, _rows()))
    snapshot.clear_cache()
    snapshot.refresh()
    views.CACHE.clear()


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def table_of(response: object, index: int = 0) -> object:
    return response.context["tables"][index][0]  # type: ignore[attr-defined]


def cell(table: object, period: str, header: str, group: str = "all") -> str:
    col = table.headers.index(header)  # type: ignore[attr-defined]
    row = next(r for r in table.rows if r[0] == period and r[1] == group)  # type: ignore[attr-defined]
    return str(row[col])


def test_every_page_opens_for_the_analyst_and_is_audited(staff: Staff, office: None) -> None:
    client = client_for(staff.erin)
    for name in PAGES:
        response = client.get(f"/analytics/{'' if name == 'overview' else name + '/'}")
        assert response.status_code == 200, name
        text = response.content.decode()
        assert not EXTERNAL.findall(text), (name, EXTERNAL.findall(text))
        assert 'href="/cases/' not in text, name  # never a link to a case page
    assert client.get("/analytics/definitions/jc_cases_declined/").status_code == 200
    assert client.get("/analytics/definitions/nope/").status_code == 404
    types = set(
        AuditEvent.objects.filter(actor=staff.erin, action=Action.VIEW).values_list("object_type", flat=True)
    )
    assert {"analytics_overview", "analytics_disparity", "analytics_definitions", "analytics_simulation",
            "analytics_definition", "analytics_transparency"} <= types  # fmt: skip


def test_the_chart_is_plotly_json_with_the_local_script(staff: Staff, office: None) -> None:
    text = client_for(staff.erin).get("/analytics/").content.decode()
    assert '<script src="/static/plotly/plotly.min.js">' in text
    assert 'id="chart-overview-data"' in text
    assert "Plotly.newPlot" in text


@pytest.mark.parametrize("who", ["dave", "frank", "carol", "grace", "mallory"])
def test_other_roles_get_403(staff: Staff, office: None, who: str) -> None:
    client = client_for(getattr(staff, who))
    for url in ("/analytics/", "/analytics/disparity/", "/analytics/justice-counts.csv",
                "/analytics/transparency/", "/analytics/transparency.pdf", "/analytics/simulate/"):  # fmt: skip
        assert client.get(url).status_code == 403, (who, url)


def test_line_prosecutor_reads_dashboards_only(staff: Staff, office: None) -> None:
    client = client_for(staff.alice)
    assert client.get("/analytics/").status_code == 200
    assert client.get("/analytics/definitions/").status_code == 200
    assert client.get("/analytics/?format=csv").status_code == 403
    for url in ("/analytics/disparity/", "/analytics/justice-counts.csv", "/analytics/transparency/",
                "/analytics/simulate/"):  # fmt: skip
        assert client.get(url).status_code == 403, url
    assert client.get("/analytics/").content.decode().count("Download CSV") == 0


def test_anonymous_goes_to_sign_in(office: None) -> None:
    response = Client().get("/analytics/")
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_overview_counts_by_hand(staff: Staff, office: None) -> None:
    table = table_of(client_for(staff.erin).get("/analytics/"))
    assert cell(table, "2023", "Cases referred") == "14"
    assert cell(table, "2023", "Cases declined") == "6"
    assert cell(table, "2023", "Cases diverted or deferred before filing") == "2"
    assert cell(table, "2023", "Cases disposed by plea") == "6"
    assert cell(table, "2024", "Cases referred") == "4"
    assert cell(table, "2024", "Cases disposed by dismissal") == "3"


def test_filters_change_the_numbers(staff: Staff, office: None) -> None:
    client = client_for(staff.erin)
    assert cell(table_of(client.get("/analytics/?drug=fentanyl")), "2023", "Cases referred") == "12"
    sheriff = table_of(client.get("/analytics/", {"unit": SHERIFF}))
    assert [r[0] for r in sheriff.rows] == ["2024"]  # type: ignore[attr-defined]
    assert cell(sheriff, "2024", "Cases referred") == "4"
    dated = table_of(client.get("/analytics/?date_from=2024-01-01&date_to=2024-12-31&period=quarter"))
    assert cell(dated, "2024-Q1", "Cases referred") == "4"
    by_sex = table_of(client.get("/analytics/?by=sex"))
    assert cell(by_sex, "2023", "Cases declined", "female") == "3"
    delivery = table_of(client.get("/analytics/?offense_kind=delivery"))
    assert cell(delivery, "2023", "Cases referred") == "2"


def test_csv_export_is_the_table_shown(staff: Staff, office: None) -> None:
    client = client_for(staff.erin)
    for url in ("/analytics/?by=race", "/analytics/diversion/", "/analytics/disparity/?within=offense_kind",
                "/analytics/transparency/"):  # fmt: skip
        response = client.get(url)
        for table, link in response.context["tables"] if "tables" in response.context and not url.endswith(
            "transparency/") else response.context["csv_links"]:  # fmt: skip
            base = url.split("?")[0]
            download = client.get(base + link)
            assert download.status_code == 200
            assert download["Content-Type"].startswith("text/csv")
            rows = list(csv.reader(io.StringIO(download.content.decode())))
            assert rows == [table.headers, *table.rows], url
    exports = AuditEvent.objects.filter(actor=staff.erin, action=Action.EXPORT)
    assert exports.filter(object_type="analytics_overview").exists()


def test_disparity_marks_suppressed_cells_and_stratifies(staff: Staff, office: None) -> None:
    client = client_for(staff.erin)
    response = client.get("/analytics/disparity/")
    text = response.content.decode()
    assert 'data-suppressed="1"' in text  # black declination: 0 of 8 is below the minimum cell
    table = table_of(response)
    declination = [r for r in table.rows if r[0] == "Declination"]  # type: ignore[attr-defined]
    white = next(r for r in declination if r[4] == "white (reference)")
    assert (white[5], white[6], white[7]) == ("6", "9", "66.7%")  # 2024's 3 dismissed were charged
    black = next(r for r in declination if r[4] == "black")
    assert (black[5], black[6], black[9]) == ("0", "8", "suppressed")
    stratified = client.get("/analytics/disparity/?within=offense_kind")
    estimates = {r[2] for r in table_of(stratified).rows}  # type: ignore[attr-defined]
    assert {"crude", "Mantel-Haenszel"} <= estimates
    assert len(stratified.context["tables"]) == 2  # the strata table too
    assert client.get("/analytics/disparity/?by=sex").context["reference"] == "male"


def test_justice_counts_csv(staff: Staff, office: None) -> None:
    response = client_for(staff.erin).get("/analytics/justice-counts.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == ["metric", "year", "month", "disposition_type", "sex", "race", "value",
                             "offramp_metrics"]  # fmt: skip

    def value(metric: str, year: str, sex: str = "", race: str = "", kind: str = "") -> str:
        return next(r["value"] for r in rows if (r["metric"], r["year"], r["sex"], r["race"],
                                                 r["disposition_type"]) == (metric, year, sex, race, kind))  # fmt: skip

    assert value("Cases Referred", "2023") == "14"
    assert value("Cases Declined", "2023", sex="Female") == "3"
    assert value("Cases Diverted/Deferred", "2023", race="Black") == "2"
    assert value("Cases Disposed", "2023", kind="Plea") == "6"
    assert value("Cases Disposed", "2024", race="White", kind="Dismissal") == "3"
    assert value("Cases Disposed", "2024", kind="Other") == "0"
    assert AuditEvent.objects.filter(object_type="analytics_justice_counts", action=Action.EXPORT).exists()


def test_transparency_report_suppresses_small_counts(staff: Staff, office: None) -> None:
    client = client_for(staff.erin)
    response = client.get("/analytics/transparency/")
    counts = response.context["tables"][0]
    referred = next(r for r in counts.rows if r[0] == "Cases referred")
    assert referred == ["Cases referred", "14", "fewer than 5"]
    diverted = next(r for r in counts.rows if r[0] == "Cases diverted or deferred before filing")
    assert diverted[1] == "fewer than 5"
    text = response.content.decode()
    assert "A-001" not in text and "P-001" not in text
    for table in response.context["tables"]:
        for row in table.rows:
            for c in row:
                if c.replace(",", "").isdigit():
                    assert int(c.replace(",", "")) >= 5, (table.slug, row)  # a year or a count of 5 or more
    pdf = client.get("/analytics/transparency.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(object_type="analytics_transparency", action=Action.EXPORT).exists()


def test_simulation_runs_on_the_stored_cases(staff: Staff, office: None) -> None:
    client = client_for(staff.erin)
    form = client.get("/analytics/simulate/")
    choices = [value for value, _ in form.context["form"].fields["draft"].choices]
    assert {"public-health.yaml", "traditional.yaml"} <= set(choices)
    response = client.post(
        "/analytics/simulate/", {"draft": "public-health.yaml", "baseline": "traditional.yaml"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-testid="transitions"' in text
    assert "18 cases" in text or "18</b>" in text
    assert '<script src="/static/plotly/plotly.min.js">' in text
    assert not EXTERNAL.findall(text)
    assert 'data-testid="sample-case"' not in text and "A-0" not in text  # analysts: aggregates only
    download = client.post(
        "/analytics/simulate/",
        {"draft": "public-health.yaml", "baseline": "traditional.yaml", "download": "1"},
    )
    assert download["Content-Disposition"].startswith("attachment")
    events = AuditEvent.objects.filter(object_type="analytics_simulation", actor=staff.erin)
    assert events.filter(action=Action.VIEW, object_id="public-health.yaml vs traditional.yaml").exists()
    assert events.filter(action=Action.EXPORT).exists()


def test_a_malformed_filter_is_dropped_and_the_others_apply(staff: Staff, office: None) -> None:
    response = client_for(staff.erin).get("/analytics/?drug=fentanyl&date_from=not-a-date")
    assert response.status_code == 200
    assert cell(table_of(response), "2023", "Cases referred") == "12"


def test_supervisors_simulation_explains_changed_cases(staff: Staff, office: None) -> None:
    response = client_for(staff.bob).post(
        "/analytics/simulate/", {"draft": "public-health.yaml", "baseline": "traditional.yaml"}
    )
    assert response.status_code == 200
    assert 'data-testid="sample-case"' in response.content.decode()  # supervisors may open those cases
