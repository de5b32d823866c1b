"""Start-up configuration: a bad or missing setting stops `offramp.web.settings` with a message naming it.

Each case imports the settings module in a fresh interpreter with a controlled environment (nothing
inherited from the test run, whose settings_test put a SECRET_KEY in os.environ)."""

from __future__ import annotations

import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from offramp.core.outcomes.relief import DEFAULT_STATUTE, ReliefStatute

GOOD_KEY = "k" * 20 + "-a-long-random-production-key-0123456789"
PRINT = (
    "import offramp.web.settings as s; "
    "print(s.DEBUG, s.SECRET_KEY, s.DATABASES['default']['ENGINE'], s.AXES_FAILURE_LIMIT, sep='|')"
)


def load_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "OFFRAMP_VAR_DIR": str(tmp_path / "var"),
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", PRINT], env=clean, capture_output=True, text=True, timeout=60, check=False
    )


def last_error_line(result: subprocess.CompletedProcess[str]) -> str:
    return result.stderr.strip().splitlines()[-1]


def test_it_starts_with_a_secret_key_and_debug_off(tmp_path: Path) -> None:
    result = load_settings(tmp_path, DEBUG="false", SECRET_KEY=GOOD_KEY)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"False|{GOOD_KEY}|django.db.backends.sqlite3|5"
    assert (tmp_path / "var").is_dir()  # the SQLite database's folder is made


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path: Path) -> None:
    result = load_settings(tmp_path, DEBUG="false")

    assert result.returncode != 0
    line = last_error_line(result)
    assert line.startswith("django.core.exceptions.ImproperlyConfigured: SECRET_KEY is the development key")
    assert "SECRET_KEY_FILE" in line


def test_it_starts_with_the_development_key_when_debug_is_on(tmp_path: Path) -> None:
    result = load_settings(tmp_path, DEBUG="true")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True|offramp-development-key-never-use-in-production|")


def test_it_refuses_a_short_secret_key(tmp_path: Path) -> None:
    result = load_settings(tmp_path, DEBUG="false", SECRET_KEY="too-short")

    assert result.returncode != 0
    assert last_error_line(result) == (
        "django.core.exceptions.ImproperlyConfigured: SECRET_KEY must be at least 32 characters long"
    )


@pytest.mark.parametrize("value", ["maybe", "2", "yes please"])
def test_it_refuses_a_debug_value_that_is_not_true_or_false(tmp_path: Path, value: str) -> None:
    result = load_settings(tmp_path, DEBUG=value, SECRET_KEY=GOOD_KEY)

    assert result.returncode != 0
    assert last_error_line(result) == (
        f"django.core.exceptions.ImproperlyConfigured: DEBUG={value!r}: expected one of true/false, 1/0, "
        "yes/no, on/off"
    )


def test_it_refuses_a_database_other_than_sqlite_or_postgresql(tmp_path: Path) -> None:
    result = load_settings(
        tmp_path, SECRET_KEY=GOOD_KEY, DATABASE_URL="mysql://offramp:pw@db.example/offramp"
    )

    assert result.returncode != 0
    line = last_error_line(result)
    assert line.startswith(
        "django.core.exceptions.ImproperlyConfigured: DATABASE_URL: only sqlite:// and postgres://"
    )
    assert "mysql" in line


def test_it_refuses_a_database_url_it_cannot_read(tmp_path: Path) -> None:
    result = load_settings(tmp_path, SECRET_KEY=GOOD_KEY, DATABASE_URL="not a url at all")

    assert result.returncode != 0
    assert "ImproperlyConfigured: DATABASE_URL='not a url at all'" in last_error_line(result)


def test_it_accepts_a_postgresql_url(tmp_path: Path) -> None:
    result = load_settings(
        tmp_path, SECRET_KEY=GOOD_KEY, DATABASE_URL="postgres://offramp@127.0.0.1:5432/offramp"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split("|")[2] == "django.db.backends.postgresql"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("abc", "AXES_FAILURE_LIMIT='abc': expected a whole number"),
        ("0", "AXES_FAILURE_LIMIT='0': expected at least 1"),
    ],
)
def test_it_refuses_a_bad_failure_limit(tmp_path: Path, value: str, expected: str) -> None:
    result = load_settings(tmp_path, SECRET_KEY=GOOD_KEY, AXES_FAILURE_LIMIT=value)

    assert result.returncode != 0
    assert last_error_line(result) == f"django.core.exceptions.ImproperlyConfigured: {expected}"


def test_it_reads_the_failure_limit(tmp_path: Path) -> None:
    result = load_settings(tmp_path, SECRET_KEY=GOOD_KEY, AXES_FAILURE_LIMIT="3")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("|3")


def test_it_reads_the_secret_key_from_a_file(tmp_path: Path) -> None:
    key_file = tmp_path / "secret_key"
    key_file.write_text(GOOD_KEY + "\n", encoding="utf-8")  # a trailing newline, as editors write it

    result = load_settings(tmp_path, DEBUG="false", SECRET_KEY_FILE=str(key_file), SECRET_KEY="ignored-" * 5)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split("|")[1] == GOOD_KEY


def test_it_refuses_a_secret_key_file_it_cannot_read(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-file"

    result = load_settings(tmp_path, DEBUG="false", SECRET_KEY_FILE=str(missing))

    assert result.returncode != 0
    line = last_error_line(result)
    assert line.startswith(
        f"django.core.exceptions.ImproperlyConfigured: SECRET_KEY_FILE={str(missing)!r} cannot be read"
    )


# --- OFFRAMP_* settings: read and checked at start-up ---------------------------------------------------------
# In-process (runpy: a fresh copy of the settings module under a patched environment) rather than a new
# interpreter per case: the same module code, a hundred times faster.


SETTINGS_FILE = Path(__file__).resolve().parents[2] / "src" / "offramp" / "web" / "settings.py"


def offramp_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> dict[str, Any]:
    for name in [n for n in os.environ if n.startswith("OFFRAMP_")]:
        monkeypatch.delenv(name)
    for name, value in {"SECRET_KEY": GOOD_KEY, "OFFRAMP_VAR_DIR": str(tmp_path / "var"), **env}.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE), run_name="settings_under_test")


def test_it_reads_the_offramp_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    s = offramp_settings(monkeypatch, tmp_path)

    assert (s["OFFRAMP_INTAKE_DAYS"], s["OFFRAMP_PROGRESS_REPORT_DAYS"]) == (14, 30)
    assert s["OFFRAMP_INTAKE_MISSED_TERMINATES"] is False
    assert s["OFFRAMP_RELIEF_STATUTE"] == DEFAULT_STATUTE
    assert (s["OFFRAMP_MFA"], s["OFFRAMP_POLICY"], s["OFFRAMP_OFFICE_NAME"]) == ("off", "public-health", "")
    assert s["OFFRAMP_POLICY_DIR"] == s["PROJECT_DIR"] / "policies"
    assert s["OFFRAMP_DEMO_PASSWORD"] == "offramp-demo-2026"


def test_it_reads_good_offramp_values(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    statute = {"code": "720 ILCS 570/410", "title": "Probation", "jurisdiction": "Illinois"}
    s = offramp_settings(
        monkeypatch,
        tmp_path,
        OFFRAMP_INTAKE_DAYS="7",
        OFFRAMP_PROGRESS_REPORT_DAYS="60",
        OFFRAMP_INTAKE_MISSED_TERMINATES="yes",
        OFFRAMP_RELIEF_STATUTE=json.dumps(statute),
        OFFRAMP_MFA=" Required ",
        OFFRAMP_POLICY_DIR=str(tmp_path),
        OFFRAMP_OFFICE_NAME=" Fulton County District Attorney ",
    )

    assert (s["OFFRAMP_INTAKE_DAYS"], s["OFFRAMP_PROGRESS_REPORT_DAYS"]) == (7, 60)
    assert s["OFFRAMP_INTAKE_MISSED_TERMINATES"] is True
    assert s["OFFRAMP_RELIEF_STATUTE"] == ReliefStatute(**statute, reference="")
    assert (s["OFFRAMP_MFA"], s["OFFRAMP_POLICY_DIR"]) == ("required", tmp_path)
    assert s["OFFRAMP_OFFICE_NAME"] == "Fulton County District Attorney"
    assert (
        offramp_settings(monkeypatch, tmp_path, OFFRAMP_RELIEF_STATUTE="None")["OFFRAMP_RELIEF_STATUTE"]
        is None
    )


STATUTE_EXPECTED = 'expected "none" or a JSON object with "code" and any of title, jurisdiction, reference'


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("OFFRAMP_INTAKE_DAYS", "two weeks", "expected a whole number"),
        ("OFFRAMP_INTAKE_DAYS", "0", "expected at least 1"),
        ("OFFRAMP_INTAKE_DAYS", "91", "expected at most 90"),
        ("OFFRAMP_PROGRESS_REPORT_DAYS", "-30", "expected at least 1"),
        ("OFFRAMP_PROGRESS_REPORT_DAYS", "1000", "expected at most 365"),
        ("OFFRAMP_INTAKE_MISSED_TERMINATES", "sometimes", "expected one of true/false, 1/0, yes/no, on/off"),
        ("OFFRAMP_RELIEF_STATUTE", "O.C.G.A. § 35-3-37", STATUTE_EXPECTED),
        ("OFFRAMP_RELIEF_STATUTE", '{"title": "no code"}', STATUTE_EXPECTED),
        ("OFFRAMP_RELIEF_STATUTE", '{"code": "X", "statute": "typo"}', STATUTE_EXPECTED),
        ("OFFRAMP_RELIEF_STATUTE", '["X"]', STATUTE_EXPECTED),
        ("OFFRAMP_MFA", "sometimes", "expected one of required, off"),
        ("OFFRAMP_POLICY", "  ", "expected some text (unset it for the default)"),
        ("OFFRAMP_POLICY_DIR", "/no/such/folder", "expected an existing folder"),
        ("OFFRAMP_HOME", "/no/such/home", "expected an existing folder"),
        ("OFFRAMP_DEMO_PASSWORD", "", "expected some text (unset it for the default)"),
    ],
)
def test_it_refuses_a_bad_offramp_value(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str, expected: str
) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        offramp_settings(monkeypatch, tmp_path, **{name: value})

    assert str(refused.value).startswith(f"{name}={value!r}: {expected}")


def test_no_module_outside_settings_reads_an_offramp_setting_with_a_default() -> None:
    """`getattr(settings, "OFFRAMP_X", default)` hides a setting from start-up checks: read settings.X."""
    src = Path(__file__).resolve().parents[2] / "src" / "offramp"
    #: rewritten by another part of issue 11; they read the same settings, already checked, when it lands
    pending = {
        src / "web" / "analytics" / "snapshot.py",
    }
    pattern = re.compile(r"getattr\(\s*settings\s*,\s*[\"']OFFRAMP_")
    readers = [
        str(p.relative_to(src))
        for p in sorted(src.rglob("*.py"))
        if p not in pending and pattern.search(p.read_text())
    ]
    assert readers == []
