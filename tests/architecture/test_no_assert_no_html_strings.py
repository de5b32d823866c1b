"""Two house rules the code review kept finding broken, now checked on every run:

- no `assert` in src: Python drops asserts under -O, so a check written as one is no check at all; an
  error that names what was expected is raised instead;
- no HTML built from strings in src: pages are templates (Django's, or the simulation report's Jinja2
  template) with autoescape on, so a value from a pack, a case or a file cannot become markup. Marking a
  string safe is allowed only where the markup is a library's own output (plotly's charts and script).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "offramp"
#: the one module allowed to mark markup safe: plotly's chart HTML and script in the simulation report
SAFE_MARKUP = {SRC / "core" / "simulation" / "report.py"}
#: a string literal that opens or closes an HTML element
TAG = re.compile(
    r"</?(?:html|head|body|script|style|div|span|p|a|table|tr|td|th|h[1-6]|b|pre|details)\b[^<]*>"
)


def sources() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_no_assert_in_src() -> None:
    found = [
        f"{path.relative_to(SRC)}:{node.lineno}"
        for path in sources()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assert)
    ]
    assert found == [], f"use an explicit check that names what was expected: {found}"


def test_no_html_built_from_strings_in_src() -> None:
    found: list[str] = []
    for path in sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and TAG.search(node.value):
                found.append(f"{path.relative_to(SRC)}:{node.lineno}: {node.value[:60]!r}")
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in ("mark_safe", "Markup", "SafeString") and path not in SAFE_MARKUP:
                    found.append(f"{path.relative_to(SRC)}:{node.lineno}: {name}(...)")
    docstrings = {
        f"{path.relative_to(SRC)}:{node.body[0].lineno}"
        for path in sources()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found = [f for f in found if f.split(": ", 1)[0] not in docstrings]
    assert found == [], f"build HTML in a template (autoescaped), not in Python strings: {found}"
