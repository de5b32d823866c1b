"""The engine's dated parameters and explanation, and the CLI commands (which never start Django)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from offramp.cli.main import main
from offramp.core.evaluation.engine import evaluate
from offramp.core.evaluation.explain import explain
from offramp.core.evaluation.frame import frame_from_facts
from offramp.core.generate import generate_cases, write_cases_csv
from offramp.core.policy import resolve_pack

CANNABIS = {"case_key": "K", "offense_kind": "possession", "drug": "cannabis", "quantity_g": 10.0}


def test_it_uses_the_parameter_value_in_force_on_the_case_date() -> None:
    pack = resolve_pack("public-health")
    frame = frame_from_facts([{**CANNABIS, "received_date": dt.date(2024, 12, 31)}])
    assert evaluate(frame, pack)["outcome"].to_list() == ["pre_charge_diversion"]
    assert evaluate(frame, pack, on=dt.date(2025, 1, 1))["outcome"].to_list() == ["decline"]
    params = {p["name"]: p for p in explain(frame, pack).to_dict()["parameters"]}
    assert params["personal_use_grams"]["value"] == 3.0
    assert params["personal_use_grams"]["from"] == "2023-01-01"
    assert params["personal_use_grams"]["to"] == "2025-01-01"
    later = {p["name"]: p for p in explain(frame, pack, on=dt.date(2025, 2, 1)).to_dict()["parameters"]}
    assert later["personal_use_grams"]["value"] == 28.35
    assert later["personal_use_grams"]["from"] == "2025-01-01"


def test_it_explains_every_matched_rule_as_json() -> None:
    pack = resolve_pack("public-health")
    frame = frame_from_facts([{**CANNABIS, "received_date": dt.date(2025, 6, 1), "victim_count": 1}])
    data = json.loads(json.dumps(explain(frame, pack).to_dict()))
    assert data["policy_id"] == "public-health"
    assert data["outcome"] == "post_charge_diversion"
    assert [r["id"] for r in data["matched_rules"]] == [
        "post-charge-divert-user", "charge-otherwise", "victim-consultation"
    ]  # fmt: skip
    assert data["flags"] == ["supervisor_approval", "victim_consultation"]
    assert data["facts"]["received_date"] == "2025-06-01"
    with pytest.raises(ValueError, match="exactly one case"):
        explain(pl.concat([frame, frame]), pack)


def test_it_evaluates_explains_and_checks_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = tmp_path / "cases.csv"
    write_cases_csv(generate_cases(200, 5), cases)
    assert (
        main(
            ["evaluate", "--policy", "public-health", "--cases", str(cases), "--out", str(tmp_path / "o.csv")]
        )
        == 0
    )
    out = pl.read_csv(tmp_path / "o.csv")
    assert out.height == 200
    assert out["matched_rules"].str.contains(";").any()
    assert (
        main(
            [
                "evaluate",
                "--policy",
                "traditional",
                "--cases",
                str(cases),
                "--out",
                str(tmp_path / "o.parquet"),
            ]
        )
        == 0
    )
    assert pl.read_parquet(tmp_path / "o.parquet").schema["matched_rules"] == pl.List(pl.String)
    capsys.readouterr()
    assert (
        main(
            [
                "explain",
                "--policy",
                "traditional",
                "--cases",
                str(cases),
                "--case-id",
                out["case_key"][0],
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["case_key"] == out["case_key"][0]
    assert main(["explain", "--policy", "public-health", "--cases", str(cases), "--case-id", "NOPE"]) == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n", encoding="utf-8")
    assert main(["policy", "check", str(bad)]) == 1
    assert f"{bad}:1: " in capsys.readouterr().out
    assert main(["policy", "check", "public-health"]) == 0


def test_it_finds_pack_ids_in_the_policy_folder_it_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Core reads no environment: the CLI passes --policy-dir (default $OFFRAMP_POLICY_DIR) to the registry."""
    shipped = Path(__file__).resolve().parents[3] / "policies" / "traditional.yaml"
    (tmp_path / "office.yaml").write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.delenv("OFFRAMP_POLICY_DIR", raising=False)
    assert main(["policy", "check", "office"]) == 1  # not among the shipped packs
    assert main(["policy", "check", "office", "--policy-dir", str(tmp_path)]) == 0
    monkeypatch.setenv("OFFRAMP_POLICY_DIR", str(tmp_path))
    assert main(["policy", "check", "office"]) == 0
    assert f"{tmp_path / 'office.yaml'}: ok" in capsys.readouterr().out


def test_it_never_starts_django_for_policy_check(tmp_path: Path) -> None:
    code = (
        "import sys; from offramp.cli.main import main; main(['policy', 'check', 'traditional']); "
        "print('django' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().endswith("False")
