"""No import cycles between the web apps (cases, decisions, treatment, diversion, victims, ...).

An app that imports another is built on it; two apps that import each other are one app in two folders,
and Python hides the knot as long as one side imports inside a function (treatment's models imported
decisions' `ImmutableModel` while decisions' recommendation read treatment's screenings; the audit app's
403 page imported the refusal helper in accounts, which writes audit events). Every import counts here,
inside functions too, grouped by app: `offramp.web.<app>`; modules directly under `offramp.web`
(settings, urls, bulk, immutable) are shared ground, not an app.
"""

from __future__ import annotations

import pytest
from tests.architecture.test_core_cycles import SRC, cycles, imports_of, module_name

WEB = SRC / "offramp" / "web"


def app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 3 and parts[:2] == ["offramp", "web"] else None


def app_graph() -> dict[str, set[str]]:
    paths = {module_name(p): p for p in sorted(WEB.rglob("*.py")) if "migrations" not in p.parts}
    known = set(paths)
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        app = app_of(name)
        if app is None:
            continue
        targets = imports_of(path.read_text(encoding="utf-8"), name, path.name == "__init__.py", known)
        graph.setdefault(app, set()).update(t for t in map(app_of, targets) if t is not None and t != app)
    return graph


def test_no_two_web_apps_import_each_other() -> None:
    graph = app_graph()
    assert {"cases", "decisions", "treatment", "diversion", "victims"} <= set(graph)
    assert cycles(graph) == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"treatment": {"decisions"}, "decisions": {"treatment"}}, [["decisions", "treatment"]]),
        ({"treatment": {"decisions"}, "decisions": {"cases"}, "cases": set()}, []),
    ],
)
def test_it_would_catch_two_apps_that_import_each_other(
    graph: dict[str, set[str]], expected: list[list[str]]
) -> None:
    assert cycles(graph) == expected
