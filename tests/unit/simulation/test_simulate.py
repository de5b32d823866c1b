"""The what-if simulation: eight hand-made cases whose outcomes under traditional (baseline) and
public-health (draft) are known from tests/policy_cases, so every count and day can be worked out by hand."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from plotly.offline import get_plotlyjs

from offramp.cli.main import main
from offramp.core.evaluation.frame import frame_from_facts
from offramp.core.generate import generate_cases, write_cases_csv
from offramp.core.intake.ccsao.exports import DIVERSION
from offramp.core.policy import PackError, resolve_pack
from offramp.core.simulation import (
    Assumptions,
    AssumptionsError,
    ProgramCapacity,
    capacity_from_frame,
    capacity_from_services,
    render_html,
    simulate,
)

DEFAULTS: dict[str, Any] = {
    "received_date": dt.date(2024, 6, 1),
    "offense_kind": "possession",
    "severity": "felony",
    "drug": "cocaine",
    "quantity_g": 1.0,
    "weapon": False,
    "violence": False,
    "cash_usd": 0.0,
    "packaging": False,
    "scales_or_ledgers": False,
    "sale_to_minor": False,
    "near_school": False,
    "organizer_role": False,
    "prior_felonies": 0,
    "prior_violent": 0,
    "prior_drug_sales": 0,
    "on_supervision": False,
    "prior_overdose": False,
    "injection_use": False,
    "victim_count": 0,
}

#: case -> (facts, race, traditional outcome, public-health outcome)
CASES: dict[str, tuple[dict[str, Any], str, str, str]] = {
    "A": ({"quantity_g": 1.0}, "white", "charge_with_plea_guidance", "decline"),
    "B": (
        {"offense_kind": "paraphernalia", "drug": "none", "quantity_g": None, "severity": "misdemeanor"},
        "white",
        "post_charge_diversion",
        "decline",
    ),
    "C": ({"offense_kind": "delivery", "quantity_g": 2.0}, "white", "prosecute", "pre_charge_diversion"),
    "D": (
        {"offense_kind": "delivery", "quantity_g": 5.0, "injection_use": True, "drug": "methamphetamine"},
        "white",
        "prosecute",
        "pre_charge_diversion",
    ),
    "E": (
        {"offense_kind": "delivery", "organizer_role": True, "quantity_g": 50.0},
        "black",
        "prosecute",
        "prosecute",
    ),
    "F": (
        {"offense_kind": "trafficking", "quantity_g": 1000.0, "cash_usd": 200.0},
        "black",
        "prosecute",
        "charge_with_plea_guidance",
    ),
    "G": ({"quantity_g": 3.5}, "black", "charge_with_plea_guidance", "pre_charge_diversion"),
    "H": (
        {"offense_kind": "delivery", "quantity_g": 1.0, "sale_to_minor": True, "victim_count": 1},
        "black",
        "prosecute",
        "prosecute",
    ),
}
CHANGED = {"A", "B", "C", "D", "F", "G"}

#: round numbers so the expected days are easy to check by hand:
#: felony jail = 10 + 0.5 x (1 - 0.5) x 100 = 35, prison = 0.5 x 0.5 x 400 = 100; misdemeanour jail
#: = 2 + 0.5 x 1 x 20 = 12, prison 0; exposure: decline 0, diversion 1 - 0.5 = 0.5, charged 1
ASSUMPTIONS = {
    "diversion_completion_rate": {"value": 0.5, "note": "test"},
    "program_slot_days": {"value": 365.25, "note": "test: one person per slot a year"},
    "unknown_severity": {"value": "misdemeanor", "note": "test"},
    "severity": {
        "felony": {
            "incarceration_share": {"value": 0.5, "note": "test"},
            "prison_share": {"value": 0.5, "note": "test"},
            "prison_days": {"value": 400, "note": "test"},
            "jail_days": {"value": 100, "note": "test"},
            "pretrial_jail_days": {"value": 10, "note": "test"},
        },
        "misdemeanor": {
            "incarceration_share": {"value": 0.5, "note": "test"},
            "prison_share": {"value": 0.0, "note": "test"},
            "prison_days": {"value": 0, "note": "test"},
            "jail_days": {"value": 20, "note": "test"},
            "pretrial_jail_days": {"value": 2, "note": "test"},
        },
    },
}


def cases_frame() -> pl.DataFrame:
    frame = frame_from_facts([{"case_key": key, **facts} for key, (facts, *_) in CASES.items()], DEFAULTS)
    return frame.with_columns(pl.Series("race", [race for _, race, *_ in CASES.values()]))


def run(**kwargs: Any) -> Any:
    return simulate(
        cases_frame(),
        resolve_pack("public-health"),
        resolve_pack("traditional"),
        assumptions=Assumptions.from_dict(ASSUMPTIONS, source="test"),
        **kwargs,
    )


def test_the_hand_made_cases_have_the_expected_outcomes() -> None:
    result = run(sample=0)
    counts = {r["outcome"]: (r["baseline"], r["draft"]) for r in result.outcomes.rows(named=True)}
    assert counts == {
        "decline": (0, 2),
        "pre_charge_diversion": (0, 3),
        "post_charge_diversion": (1, 0),
        "charge_with_plea_guidance": (2, 1),
        "prosecute": (5, 2),
    }
    assert result.cases == 8
    assert result.changed == len(CHANGED)


def test_the_transition_matrix_counts_are_exact() -> None:
    result = run(sample=0)
    cells = {
        (t["baseline_outcome"], t["draft_outcome"]): t["cases"] for t in result.transitions.rows(named=True)
    }
    assert cells == {
        ("post_charge_diversion", "decline"): 1,  # B
        ("charge_with_plea_guidance", "decline"): 1,  # A
        ("charge_with_plea_guidance", "pre_charge_diversion"): 1,  # G
        ("prosecute", "pre_charge_diversion"): 2,  # C, D
        ("prosecute", "charge_with_plea_guidance"): 1,  # F
        ("prosecute", "prosecute"): 2,  # E, H
    }


def test_days_avoided_follow_the_formula() -> None:
    result = run(sample=0)
    # A felony charged -> declined: 1 x (35 + 100); B misdemeanour diverted -> declined: 0.5 x 12;
    # C, D (prosecute -> pre-charge diversion) and G (plea -> pre-charge diversion): 0.5 x (35 + 100) each;
    # F (prosecute -> plea guidance) changes outcome but both are charged: 0
    assert result.days.jail_avoided == pytest.approx(35 + 6 + 3 * 17.5)
    assert result.days.prison_avoided == pytest.approx(100 + 3 * 50)
    assert result.days.jail_added == 0 and result.days.prison_added == 0
    per_cell = {
        (t["baseline_outcome"], t["draft_outcome"]): t["jail_days_avoided"]
        for t in result.transitions.rows(named=True)
    }
    assert per_cell[("prosecute", "pre_charge_diversion")] == pytest.approx(35.0)
    assert per_cell[("prosecute", "charge_with_plea_guidance")] == 0
    # the other way round, every avoided day is an added one
    back = simulate(
        cases_frame(),
        resolve_pack("traditional"),
        resolve_pack("public-health"),
        assumptions=Assumptions.from_dict(ASSUMPTIONS, source="test"),
        sample=0,
    )
    assert back.days.jail_added == pytest.approx(result.days.jail_avoided)
    assert back.days.prison_net == pytest.approx(-result.days.prison_net)


def test_program_demand_is_counted_against_capacity() -> None:
    capacity = {"treatment": ProgramCapacity(capacity=10, vacancies=2, services=1)}
    result = run(sample=0, capacity=capacity)
    demand = {r["program_type"]: r for r in result.demand.rows(named=True)}
    # C: education + job training; D (uses): treatment + education + job training; G: education
    assert {k: v["draft_cases"] for k, v in demand.items()} == {
        "treatment": 1,
        "education": 3,
        "job_training": 2,
    }
    # traditional diverts only B, to education
    assert {k: v["baseline_cases"] for k, v in demand.items()} == {
        "treatment": 0,
        "education": 1,
        "job_training": 0,
    }
    assert result.years == 1.0
    assert demand["treatment"]["capacity"] == 10 and demand["treatment"]["vacancies"] == 2
    assert demand["treatment"]["people_per_year"] == pytest.approx(10.0)
    assert demand["treatment"]["draft_demand_ratio"] == pytest.approx(0.1)
    assert demand["education"]["capacity"] is None


def test_changes_are_broken_down_by_seller_role_drug_and_offence() -> None:
    result = run(sample=0)
    roles = {r["seller_role"]: r for r in result.by["seller_role"].rows(named=True)}
    assert roles["street_seller"]["cases"] == 2  # C and H (H sold to a minor)
    assert roles["street_seller"]["changed"] == 1
    assert roles["user"]["draft_decline"] == 2 and roles["user"]["baseline_decline"] == 0
    kinds = {r["offense_kind"]: r["cases"] for r in result.by["offense_kind"].rows(named=True)}
    assert kinds == {"possession": 2, "paraphernalia": 1, "delivery": 4, "trafficking": 1}
    assert sum(r["cases"] for r in result.by["drug"].rows(named=True)) == 8


def test_disparity_uses_the_rri_of_each_pack() -> None:
    result = run(sample=0, min_cell=1)
    rows = {(r["decision_point"], r["race"]): r for r in result.disparity.rows(named=True)}
    # draft diversion: white C, D of 4 = 0.5; black G of 4 = 0.25 -> RRI 0.5
    black = rows[("diversion", "black")]
    assert black["draft_numerator"] == 1 and black["draft_base"] == 4
    assert black["draft_rate"] == pytest.approx(0.25)
    assert black["draft_rri"] == pytest.approx(0.5)
    assert rows[("diversion", "white")]["draft_rri"] == pytest.approx(1.0)
    # traditional diverts no black case: a count under min_cell is suppressed
    assert black["baseline_suppressed"] is True and black["baseline_rri"] is None
    assert run(sample=0, min_cell=5).disparity["draft_rri"].null_count() == result.disparity.height
    no_race = simulate(
        cases_frame().drop("race"),
        resolve_pack("public-health"),
        resolve_pack("traditional"),
        assumptions=Assumptions.from_dict(ASSUMPTIONS),
        sample=0,
    )
    assert no_race.disparity is None and "No race data" in no_race.disparity_note
    by_attributes = simulate(
        cases_frame().drop("race"),
        resolve_pack("public-health"),
        resolve_pack("traditional"),
        assumptions=Assumptions.from_dict(ASSUMPTIONS),
        attributes=cases_frame().select("case_key", "race").reverse(),
        sample=0,
        min_cell=1,
    )
    assert by_attributes.disparity is not None
    assert by_attributes.disparity.equals(result.disparity)


def test_the_sample_holds_only_changed_cases_with_both_explanations() -> None:
    result = run(sample=4, seed=7)
    assert len(result.sample) == 4
    for case in result.sample:
        assert case.case_key in CHANGED
        _, _, traditional, public_health = CASES[case.case_key]
        assert (case.baseline_outcome, case.draft_outcome) == (traditional, public_health)
        assert case.baseline.policy_id == "traditional" and case.baseline.outcome == traditional
        assert case.draft.policy_id == "public-health" and case.draft.outcome == public_health
    assert [c.case_key for c in run(sample=4, seed=7).sample] == [c.case_key for c in result.sample]
    assert {c.case_key for c in run(sample=100).sample} == CHANGED
    assert run(sample=0).sample == []


def test_the_html_report_has_every_table_and_plotly_inline() -> None:
    page = render_html(run(sample=3, capacity={"education": ProgramCapacity(5, 1, 1)}))
    for test_id in ("outcomes", "transitions", "by-seller_role", "by-drug", "by-offense_kind", "demand", "days",
                    "assumptions", "disparity-diversion"):  # fmt: skip
        assert f'data-testid="{test_id}"' in page, test_id
    assert page.count('data-testid="sample-case"') == 3
    assert "recommendation: decline" in page or "recommendation: pre_charge_diversion" in page
    assert get_plotlyjs()[:200] in page
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert not re.search(r"<link[^>]*\bhref=[\"']?https?:", page)
    assert "Plotly.newPlot" in page
    assert "exposure(o)" in page  # the formula is printed


def test_the_report_escapes_a_packs_text() -> None:
    """The report is a Jinja2 template with autoescape on: markup in a pack's title or a rule's words is
    shown as text, never run as a script in the reader's browser."""
    attack = "<script>alert('pack')</script>"
    pack = resolve_pack("public-health")
    hostile = pack.model_copy(
        update={
            "title": attack,
            "rules": [r.model_copy(update={"because": f"{r.because} {attack}"}) for r in pack.rules],
        }
    )
    page = render_html(
        simulate(cases_frame(), hostile, resolve_pack("traditional"),
                 assumptions=Assumptions.from_dict(ASSUMPTIONS, source="<b>x</b>"), sample=3),
        include_plotlyjs=False,
    )  # fmt: skip
    assert attack not in page and "<b>x</b>" not in page
    assert "&lt;script&gt;alert(&#39;pack&#39;)&lt;/script&gt;" in page
    assert page.count('data-testid="sample-case"') == 3 and "&lt;b&gt;x&lt;/b&gt;" in page


def test_the_web_page_form_of_the_report_loads_plotly_from_its_url_and_links_back() -> None:
    page = render_html(
        run(sample=0), plotlyjs_src="/static/plotly.js?v=1&x=2", back=("/simulate/?a=1&b=<", "Back")
    )
    assert '<script src="/static/plotly.js?v=1&amp;x=2"></script>' in page
    assert '<a href="/simulate/?a=1&amp;b=&lt;">Back</a>' in page
    assert "Plotly.newPlot" in page and len(page) < 1_000_000  # plotly.js itself is not inlined


def test_an_unknown_pack_or_bad_assumptions_give_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="no policy pack 'no-such-pack'"):
        resolve_pack("no-such-pack")
    bad = {**ASSUMPTIONS, "diversion_completion_rate": {"value": 0.5}}
    with pytest.raises(AssumptionsError, match="diversion_completion_rate needs a `reference:` or `note:`"):
        Assumptions.from_dict(bad)
    with pytest.raises(AssumptionsError, match="between 0 and 1"):
        Assumptions.from_dict({**ASSUMPTIONS, "diversion_completion_rate": {"value": 2, "note": "x"}})
    with pytest.raises(AssumptionsError, match="cannot read"):
        Assumptions.load(tmp_path / "missing.yaml")
    shipped = Assumptions.load()
    assert all(row["note"] for row in shipped.table())


def test_capacity_tables() -> None:
    table = pl.DataFrame(
        {"program_type": ["treatment", "education"], "capacity": [30, 8], "vacancies": [3, None]}
    )
    assert capacity_from_frame(table)["education"] == ProgramCapacity(8, None, 0)
    with pytest.raises(ValueError, match="unknown program type"):
        capacity_from_frame(pl.DataFrame({"program_type": ["yoga"], "capacity": [1]}))
    services = pl.DataFrame(
        {
            "service_types": [["moud_methadone", "outpatient"], ["education", "job_training"], None],
            "capacity": [20, 10, 99],
            "vacancies": [1, None, 5],
        }
    )
    cap = capacity_from_services(services)
    assert cap["treatment"] == ProgramCapacity(20, 1, 1)
    assert cap["education"] == ProgramCapacity(10, None, 1)
    assert cap["job_training"] == ProgramCapacity(10, None, 1)
    assert cap["housing"] == ProgramCapacity(None, None, 0)


def test_offramp_simulate_writes_the_report_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = generate_cases(300, 5)
    cases = tmp_path / "cases.csv"
    write_cases_csv(rows, cases)
    capacity = tmp_path / "capacity.csv"
    capacity.write_text("program_type,capacity,vacancies\ntreatment,40,4\neducation,12,0\n", encoding="utf-8")
    out, data = tmp_path / "report.html", tmp_path / "result.json"
    args = ["simulate", "--policy", "public-health", "--baseline", "traditional", "--cases", str(cases),
            "--out", str(out), "--capacity", str(capacity), "--json", str(data), "--sample", "5"]  # fmt: skip
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "simulated 300 cases" in printed and "wrote" in printed
    page = out.read_text(encoding="utf-8")
    assert 'data-testid="transitions"' in page and page.count('data-testid="sample-case"') == 5
    result = json.loads(data.read_text(encoding="utf-8"))
    assert result["cases"] == 300
    assert sum(t["cases"] for t in result["transitions"]) == 300
    assert (
        sum(o["baseline"] for o in result["outcomes"]) == sum(o["draft"] for o in result["outcomes"]) == 300
    )
    assert {d["program_type"]: d["capacity"] for d in result["demand"]}["treatment"] == 40
    assert result["disparity"]  # race came from the file's people
    # the same from a parquet file of offramp-csv columns
    parquet = tmp_path / "cases.parquet"
    rows.write_parquet(parquet)
    assert (
        main([*args[:6], str(parquet), "--out", str(tmp_path / "p.html"), "--json", str(tmp_path / "p.json")])
        == 0
    )
    again = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    assert again["outcomes"] == result["outcomes"] and again["disparity"] == result["disparity"]
    capsys.readouterr()
    bad = ["simulate", "--policy", "no-such-pack", "--baseline", "traditional", "--cases", str(cases), "--out",
           str(tmp_path / "x.html")]  # fmt: skip
    assert main(bad) == 2
    assert "no policy pack 'no-such-pack'" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


def test_offramp_simulate_runs_on_a_historical_ccsao_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Historical data: a CCSAO Diversion export (its own header and spellings) goes through the same intake
    as `offramp import cases`, and both packs are run over it."""
    base = {
        "CASE_PARTICIPANT_ID": "175691153649", "RECEIVED_DATE": "01/05/2014 12:00:00 AM",
        "OFFENSE_CATEGORY": "Narcotics", "DIVERSION_PROGRAM": "DDPP", "REFERRAL_DATE": "02/10/2014 12:00:00 AM",
        "DIVERSION_COUNT": "1", "PRIMARY_CHARGE_OFFENSE_TITLE": "POSSESSION OF HEROIN",
        "STATUTE": "720 ILCS 570/402(c)", "RACE": "Black", "GENDER": "Male", "DIVERSION_RESULT": "Graduated",
        "DIVERSION_CLOSED_DATE": "03/01/2015 12:00:00 AM",
    }  # fmt: skip
    rows = [
        {**base, "CASE_ID": "1001"},
        {**base, "CASE_ID": "1002", "RACE": "White"},
        {**base, "CASE_ID": "1003", "STATUTE": "720 ILCS 570/401(c)(2)",
         "PRIMARY_CHARGE_OFFENSE_TITLE": "MANUFACTURE/DELIVERY OF CONTROLLED SUBSTANCE"},
    ]  # fmt: skip
    export = tmp_path / "diversion.csv"
    header = list(DIVERSION.header)
    export.write_text(
        ",".join(header) + "\n" + "".join(",".join(r[h] for h in header) + "\n" for r in rows),
        encoding="utf-8",
    )
    data = tmp_path / "result.json"
    args = ["simulate", "--policy", "public-health", "--baseline", "traditional", "--cases", str(export),
            "--format", "ccsao-diversion", "--out", str(tmp_path / "r.html"), "--json", str(data)]  # fmt: skip
    assert main(args) == 0, capsys.readouterr().err
    result = json.loads(data.read_text(encoding="utf-8"))
    assert result["cases"] == 3
    assert sum(o["baseline"] for o in result["outcomes"]) == sum(o["draft"] for o in result["outcomes"]) == 3
