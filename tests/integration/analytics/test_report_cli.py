"""`offramp report metrics` and `offramp report disparity` on the small database of test_snapshot: the CSV
header, one row per metric x group x period (decision point x group x period), numerators and denominators
checked by hand, --public small-cell suppression, bad arguments refused, and the audit trail."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from tests.integration.analytics.test_snapshot import CASES, history, var_dir  # noqa: F401
from tests.integration.helpers import offramp

from offramp.core.analytics.disparity import RRI_SCHEMA, log_ci
from offramp.core.analytics.metrics import METRICS, RESULT_SCHEMA
from offramp.web.audit.models import Action, AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("history")]

# The cases, by received year and race (see test_snapshot.CASES):
#   2024  S-1 white  charged, plea, jail        S-2 black  declined
#         S-3 asian  diverted (imported ref.)   S-4 black  diverted pre-filing (decision), naloxone
#         S-7 black  charged, diversion completed after filing
#   2023  S-5 black  charged, post-filing diversion completed, restitution 400 ordered / 100 paid, naloxone
#         S-6 black  received, undecided


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    return list(reader.fieldnames or []), list(reader)


def cell(rows: list[dict[str, str]], **match: str) -> dict[str, str]:
    found = [r for r in rows if all(r[k] == v for k, v in match.items())]
    assert len(found) == 1, (match, found)
    return found[0]


def test_metrics_csv_one_row_per_metric_group_and_period(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "metrics.csv"
    run = offramp(capsys, "report", "metrics", "--out", str(out))
    assert run.rc == 0, run.err
    header, rows = read(out)
    assert header == ["metric", "name", *(c for c in RESULT_SCHEMA if c != "metric")]
    keys = [(r["metric"], r["period"], r["group_by"], r["group"]) for r in rows]
    assert len(keys) == len(set(keys))
    # 2023: all + black; 2024: all + white, black, asian -> 6 rows per metric
    assert len(rows) == len(METRICS) * 6
    assert {r["metric"] for r in rows} == {m.id for m in METRICS}
    assert f"{len(rows)} row(s)" in run.err

    def value(metric: str, period: str, group: str = "all") -> tuple[str, str, str]:
        r = cell(rows, metric=metric, period=period, group=group)
        return r["numerator"], r["denominator"], r["value"]

    assert value("jc_cases_referred", "2024") == ("5", "", "5")
    assert value("jc_cases_referred", "2023") == ("2", "", "2")
    assert value("jc_cases_declined", "2024") == ("1", "", "1")
    assert value("jc_cases_diverted_pre_filing", "2024") == ("2", "", "2")
    assert value("jc_cases_diverted_post_filing", "2023") == ("1", "", "1")
    assert value("ppi_2_2_declination_rate", "2024") == ("1", "5", "0.2")
    assert value("ppi_2_2_declination_rate", "2024", "black") == ("1", "3", "0.3333333333333333")
    assert value("ppi_7_3_filing_rate", "2024") == ("2", "5", "0.4")
    assert value("ppi_7_3_filing_rate", "2023") == ("1", "1", "1")
    assert value("diversion_acceptance_rate", "2024") == ("2", "3", "0.6666666666666666")
    assert value("ppi_2_4_incarceration_share", "2024", "white") == ("1", "1", "1")
    assert value("health_naloxone_given", "2023") == ("1", "", "1")
    assert value("restitution_ordered_usd", "2023") == ("400", "", "400")
    assert value("restitution_collected_usd", "2023") == ("100", "", "100")
    assert value("restitution_collection_rate", "2023") == ("100", "400", "0.25")


def test_metrics_by_other_columns_and_periods(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "m.csv"
    run = offramp(capsys, "report", "metrics", "--out", str(out), "--period", "all", "--by", "sex,age_band")
    assert run.rc == 0, run.err
    _, rows = read(out)
    assert {r["period"] for r in rows} == {"all"}
    assert {r["group_by"] for r in rows} == {"sex", "age_band"}
    assert cell(rows, metric="jc_cases_referred", group_by="sex", group="female")["numerator"] == "1"
    assert cell(rows, metric="jc_cases_referred", group_by="age_band", group="unknown")["numerator"] == "1"
    run = offramp(capsys, "report", "metrics", "--by", "race,name")
    assert run.rc == 2
    assert "choose from" in run.err


def test_public_metrics_blank_small_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "public.csv"
    run = offramp(
        capsys, "report", "metrics", "--out", str(out), "--public", "--period", "all", "--by", "all"
    )
    assert run.rc == 0, run.err
    _, rows = read(out)
    assert cell(rows, metric="jc_cases_referred")["numerator"] == "7"
    assert cell(rows, metric="jc_cases_declined")["numerator"] == ""  # 1 < 5
    rate = cell(rows, metric="ppi_2_2_declination_rate")
    assert (rate["numerator"], rate["denominator"], rate["value"]) == ("", "6", "")
    assert cell(rows, metric="restitution_ordered_usd")["numerator"] == "400"  # money, not a count
    paid = cell(rows, metric="restitution_collection_rate")
    assert (paid["numerator"], paid["denominator"], paid["value"]) == ("100", "400", "0.25")


def test_disparity_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rri.csv"
    run = offramp(capsys, "report", "disparity", "--out", str(out), "--min-cell", "1")
    assert run.rc == 0, run.err
    header, rows = read(out)
    assert header == list(RRI_SCHEMA)
    keys = [(r["decision_point"], r["period"], r["group"], r["estimate"]) for r in rows]
    assert len(keys) == len(set(keys))
    # charge filed among decided cases: white 1 of 1 (S-1), black 2 of 4 (S-5, S-7 of S-2, S-4, S-5, S-7)
    charge = cell(rows, decision_point="charge", group="black")
    assert (charge["numerator"], charge["base"], charge["reference_numerator"], charge["reference_base"]) == (
        "2", "4", "1", "1"
    )  # fmt: skip
    rri, low, high = log_ci(2, 4, 1, 1)
    assert float(charge["rri"]) == pytest.approx(rri) == 0.5
    assert (float(charge["ci_low"]), float(charge["ci_high"])) == pytest.approx((low, high))
    # declination: the reference rate is 0 (white 0 of 1): no RRI
    declined = cell(rows, decision_point="declination", group="black")
    assert (declined["numerator"], declined["base"], declined["rri"]) == ("1", "4", "")
    assert {r["period"] for r in rows} == {"all"}


def test_disparity_within_and_public(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rri.csv"
    run = offramp(
        capsys, "report", "disparity", "--out", str(out), "--within", "offense_kind", "--by", "race,sex",
        "--reference", "male", "--public",
    )  # fmt: skip
    assert run.rc == 0, run.err
    _, rows = read(out)
    assert {r["estimate"] for r in rows} == {"crude", "stratum", "mantel_haenszel"}
    assert {r["group_by"] for r in rows} == {"race", "sex"}
    # every count is below 5 on this database: all blanked, no RRI
    assert all(r[c] == "" for r in rows for c in ("numerator", "base", "rri") if r["group"] != "male")
    assert "no 'male' cases" in run.err  # the first --by column (race) has no group 'male'


def test_each_report_is_audited(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    offramp(capsys, "report", "metrics", "--out", str(tmp_path / "m.csv"))
    offramp(capsys, "report", "disparity", "--out", str(tmp_path / "d.csv"))
    events = AuditEvent.objects.filter(action=Action.EXPORT, object_type__startswith="analytics_")
    by_type = {e.object_type: e for e in events}
    assert set(by_type) == {"analytics_metrics", "analytics_disparity"}
    assert by_type["analytics_metrics"].detail["rows"] == len(METRICS) * 6
    assert by_type["analytics_metrics"].detail["cases"] == len(CASES)
    assert by_type["analytics_disparity"].detail["reference"] == "white"
