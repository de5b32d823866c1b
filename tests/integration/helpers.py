"""Shared helpers for the integration tests: building case files, running the real CLI in-process,
and snapshotting every case-related table so a test can prove that "nothing changed"."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from offramp.cli.main import main
from offramp.core.intake import parse_file
from offramp.core.intake.ccsao.exports import DIVERSION
from offramp.web.cases.store import store_batch

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "docs" / "examples"
EXAMPLE_CSV = EXAMPLES / "cases.csv"
EXAMPLE_JSONL = EXAMPLES / "cases.jsonl"

#: every table an import may write, in the order the snapshot reports them
CASE_TABLES: tuple[str, ...] = (
    "cases_person",
    "cases_case",
    "cases_charge",
    "cases_victim",
    "cases_programreferral",
    "cases_dataqualitywarning",
    "cases_importbatch",
)
#: the tables holding the data itself (an import attempt adds an ImportBatch row even when it changes nothing)
DATA_TABLES: tuple[str, ...] = CASE_TABLES[:-1]


# --- snapshots ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableState:
    count: int
    digest: str


def _canonical(value: Any) -> str:
    if value is None:
        return "∅"
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def table_state(table: str) -> TableState:
    """Row count and a SHA-256 over every row (all columns, ordered by id)."""
    digest = hashlib.sha256()
    count = 0
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {table} ORDER BY id")
        for row in cur.fetchall():
            digest.update("\x1f".join(_canonical(v) for v in row).encode())
            digest.update(b"\x1e")
            count += 1
    return TableState(count, digest.hexdigest())


def snapshot(tables: Sequence[str] = CASE_TABLES) -> dict[str, TableState]:
    return {table: table_state(table) for table in tables}


def counts(tables: Sequence[str] = CASE_TABLES) -> dict[str, int]:
    return {table: state.count for table, state in snapshot(tables).items()}


# --- files --------------------------------------------------------------------------------------------------


def read_csv_rows(path: Path = EXAMPLE_CSV) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_csv_rows(path: Path, header: Sequence[str], rows: Iterable[Mapping[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, list(header), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def example_csv_with(
    tmp_path: Path, changes: Mapping[int, Mapping[str, str]], name: str = "cases.csv"
) -> Path:
    """A copy of docs/examples/cases.csv with cells changed: {row index (0 = first case): {column: value}}."""
    header, rows = read_csv_rows()
    for index, cells in changes.items():
        rows[index] = {**rows[index], **cells}
    return write_csv_rows(tmp_path / name, header, rows)


def cases_csv(tmp_path: Path, cells: Sequence[Mapping[str, str]], name: str = "cases.csv") -> Path:
    """A file of len(cells) cases, each the example's first row with its own cells (give case_id at least)."""
    header, rows = read_csv_rows()
    return write_csv_rows(tmp_path / name, header, [{**rows[0], **c} for c in cells])


def read_jsonl(path: Path = EXAMPLE_JSONL) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, objects: Iterable[Mapping[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(o) + "\n" for o in objects), encoding="utf-8")
    return path


#: one row of a CCSAO Diversion export, in the export's own spelling; tests override cells
CCSAO_BASE: dict[str, str] = {
    "CASE_ID": "149765331439",
    "CASE_PARTICIPANT_ID": "175691153649",
    "RECEIVED_DATE": "01/05/2014 12:00:00 AM",
    "OFFENSE_CATEGORY": "Narcotics",
    "DIVERSION_PROGRAM": "DDPP",
    "REFERRAL_DATE": "02/10/2014 12:00:00 AM",
    "DIVERSION_COUNT": "1",
    "PRIMARY_CHARGE_OFFENSE_TITLE": "POSSESSION OF HEROIN",
    "STATUTE": "720 ILCS 570/402(c)",
    "RACE": "Black",
    "GENDER": "Male",
    "DIVERSION_RESULT": "Graduated",
    "DIVERSION_CLOSED_DATE": "03/01/2015 12:00:00 AM",
}


def ccsao_export(tmp_path: Path, rows: Sequence[Mapping[str, str]], name: str = "diversion.csv") -> Path:
    """A CSV with the Diversion export's exact header; each row is CCSAO_BASE updated with its cells."""
    header = list(DIVERSION.header)
    return write_csv_rows(tmp_path / name, header, [{**CCSAO_BASE, **r} for r in rows])


# --- running the command ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    rc: int
    out: str
    err: str


def offramp(capsys: pytest.CaptureFixture[str], *argv: str) -> Run:
    """Run `offramp ARGV` in-process (the real entry point) and capture what it printed."""
    capsys.readouterr()  # drop anything printed before
    try:
        rc = main(list(argv))
    except SystemExit as exit_:  # argparse refuses bad arguments by exiting, as the real command does
        rc = exit_.code if isinstance(exit_.code, int) else 1
    captured = capsys.readouterr()
    return Run(rc, captured.out, captured.err)


def import_cases(capsys: pytest.CaptureFixture[str], path: Path, fmt: str, *extra: str) -> Run:
    return offramp(capsys, "import", "cases", str(path), "--format", fmt, *extra)


def load_cases(path: Path, fmt: str = "offramp-csv") -> Any:
    """Parse and store a file the way the importer does, without the command's output (for page tests)."""
    return store_batch(parse_file(path, fmt), file_name=str(path), file_sha256="", actor_name="test")


@pytest.fixture
def no_static_finders(settings: Any) -> None:
    """Pages without static files: WhiteNoise's finders would scan node_modules for every new test Client
    (a few tenths of a second each)."""
    settings.WHITENOISE_USE_FINDERS = False
