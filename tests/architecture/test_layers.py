"""Layering and contracts that keep the code base honest.

- `offramp.core` (domain, intake, generator) knows nothing of Django, the web layer or the CLI: it can be
  used and tested alone, and a Django upgrade cannot break intake.
- The Django models store every column of the record schemas in `offramp.core.intake.batch` (the importer
  writes the frames as they are), and nothing else but the columns the store itself fills.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from django.db import models
from tests.architecture.test_core_cycles import from_target, module_name

from offramp.core.intake import batch as records
from offramp.web.cases.models import Case, Charge, DataQualityWarning, Person, ProgramReferral, Victim

SRC = Path(__file__).resolve().parents[2] / "src"
CORE = SRC / "offramp" / "core"
#: what core may not import (itself or any submodule)
FORBIDDEN = ("django", "offramp.web", "offramp.cli")


# --- imports ------------------------------------------------------------------------------------------------


def imported_modules(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in `source`, relative ones resolved, plus modules
    named by a literal in importlib.import_module(...) or __import__(...)."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = from_target(node, package)
            found.append((node.lineno, target))
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                found.append((node.lineno, node.args[0].value))
    return found


def forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


def core_files() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def test_it_finds_the_core_modules() -> None:
    names = {module_name(p) for p in core_files()}
    assert {
        "offramp.core",
        "offramp.core.intake.batch",
        "offramp.core.intake.offramp_csv",
        "offramp.core.intake.ccsao.diversion",
        "offramp.core.generate",
    } <= names
    assert len(names) >= 20


def test_it_keeps_django_the_web_layer_and_the_cli_out_of_core() -> None:
    violations = []
    for path in core_files():
        module = module_name(path)
        for line, name in imported_modules(
            path.read_text(encoding="utf-8"), module, path.name == "__init__.py"
        ):
            if forbidden(name):
                violations.append(f"{path.relative_to(SRC)}:{line}: imports {name}")
    assert violations == []


@pytest.mark.parametrize(
    ("source", "module", "is_package", "bad"),
    [
        ("import django", "offramp.core.x", False, "django"),
        ("from django.db import models", "offramp.core.x", False, "django.db"),
        ("from offramp.web.cases import models", "offramp.core.x", False, "offramp.web.cases"),
        ("from ....web import cases", "offramp.core.intake.ccsao", True, "offramp.web"),
        ("from ..cli import main", "offramp.core.intake", False, "offramp.cli"),
        ("import importlib\nimportlib.import_module('django.conf')", "offramp.core.x", False, "django.conf"),
        ("def f():\n    from django.conf import settings\n", "offramp.core.x", False, "django.conf"),
    ],
)
def test_it_would_catch_each_kind_of_forbidden_import(
    source: str, module: str, is_package: bool, bad: str
) -> None:
    names = [name for _, name in imported_modules(source, module, is_package)]
    assert bad in names
    assert any(forbidden(n) for n in names)


def test_it_resolves_relative_imports_from_modules_and_packages() -> None:
    assert [n for _, n in imported_modules("from ... import web", "offramp.core.intake.ccsao", True)] == [
        "offramp.core",
        "offramp.core.web",
    ]
    assert [
        n for _, n in imported_modules("from .dates import x", "offramp.core.intake.ccsao.diversion", False)
    ] == ["offramp.core.intake.ccsao.dates", "offramp.core.intake.ccsao.dates.x"]


def test_it_allows_core_to_import_core_and_third_party_libraries() -> None:
    source = "import polars as pl\nfrom . import errors\nfrom offramp.core.enums import Drug\n"
    names = [n for _, n in imported_modules(source, "offramp.core.intake.fields", False)]
    assert "offramp.core.intake.errors" in names
    assert not any(forbidden(n) for n in names)


def test_it_imports_every_core_module_without_loading_django() -> None:
    """The same rule at run time, transitively: importing all of core loads no Django module."""
    script = (
        "import importlib, sys\n"
        f"names = {sorted(module_name(p) for p in core_files())!r}\n"
        "for name in names: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith(('django.', 'offramp.web', "
        "'offramp.cli'))))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# --- the importer's contract with the models ----------------------------------------------------------------


@dataclass(frozen=True)
class Contract:
    table: str  # name in records.TABLES, or "warnings"
    schema: dict[str, pl.DataType]
    model: type[models.Model]
    #: record column -> model column, where a key becomes a foreign key
    renamed: dict[str, str]
    #: model columns the store fills itself (ids, content hash, provenance) or the workflow owns
    store_owned: frozenset[str]


CONTRACTS = (
    Contract("persons", records.PERSON_SCHEMA, Person, {}, frozenset({"id", "row_hash"})),
    Contract(
        "cases",
        records.CASE_SCHEMA,
        Case,
        {"person_key": "person_id"},
        frozenset({"id", "row_hash", "source_format", "import_batch_id", "assigned_prosecutor_id"}),
    ),
    Contract("charges", records.CHARGE_SCHEMA, Charge, {"case_key": "case_id"}, frozenset({"id"})),
    Contract("victims", records.VICTIM_SCHEMA, Victim, {"case_key": "case_id"}, frozenset({"id"})),
    Contract(
        "referrals", records.REFERRAL_SCHEMA, ProgramReferral, {"case_key": "case_id"}, frozenset({"id"})
    ),
    Contract(
        "warnings",
        records.WARNING_SCHEMA,
        DataQualityWarning,
        {"case_key": "case_id"},
        frozenset({"id", "import_batch_id"}),
    ),
)

#: Django field types that can hold each Polars type the schemas use
STORES: dict[type[pl.DataType], tuple[str, ...]] = {
    pl.String: ("CharField", "TextField"),
    pl.Int32: ("IntegerField", "BigIntegerField"),
    pl.Int64: ("BigIntegerField",),
    pl.Float64: ("FloatField",),
    pl.Boolean: ("BooleanField",),
    pl.Date: ("DateField",),
}


def columns(model: type[models.Model]) -> dict[str, models.Field]:  # type: ignore[type-arg]
    return {f.column: f for f in model._meta.concrete_fields}


def test_it_has_a_model_for_every_record_table() -> None:
    assert {c.table for c in CONTRACTS} == {*records.TABLES, "warnings"}
    for contract in CONTRACTS:
        if contract.table in records.TABLES:
            assert records.TABLES[contract.table] is contract.schema


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.model.__name__)
def test_it_stores_every_record_column(contract: Contract) -> None:
    stored = columns(contract.model)
    expected = {contract.renamed.get(name, name) for name in contract.schema}
    missing = sorted(expected - set(stored))
    assert missing == [], f"{contract.model.__name__} lacks record columns {missing}"


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.model.__name__)
def test_it_has_no_model_column_the_importer_does_not_fill(contract: Contract) -> None:
    expected = {contract.renamed.get(name, name) for name in contract.schema}
    extra = sorted(set(columns(contract.model)) - expected - contract.store_owned)
    assert extra == [], (
        f"{contract.model.__name__} has columns no record fills: {extra}; add them to records.py "
        "(the importer writes every concrete column) or to the store's own columns here"
    )


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda c: c.model.__name__)
def test_it_stores_each_record_column_in_a_field_of_a_fitting_type(contract: Contract) -> None:
    stored = columns(contract.model)
    wrong = []
    for name, dtype in contract.schema.items():
        field = stored[contract.renamed.get(name, name)]
        if name in contract.renamed:
            assert isinstance(field, models.ForeignKey), f"{name} should become a foreign key"
            continue
        allowed = STORES[type(dtype)]
        if field.get_internal_type() not in allowed:
            wrong.append(f"{name}: {dtype} in a {field.get_internal_type()}")
    assert wrong == []


def test_it_lets_unknown_facts_be_null() -> None:
    """Unknown is not no: every fact a source may leave out is nullable in the database."""
    always_known = {"case_key", "person_key", "received_date", "stage", "primary_offense_kind"}
    stored = columns(Case)
    not_nullable = sorted(
        name for name in records.CASE_SCHEMA if name not in always_known and not stored[name].null
    )
    assert not_nullable == []
