"""No import cycles inside `offramp.core`.

A cycle between two modules means neither can be read, tested or moved without the other; Python hides
it as long as one side imports inside a function (engine <-> explain, pack <-> check did exactly that).
So every import counts here, the ones inside functions and under `if TYPE_CHECKING:` included.

An import names the module it loads: `from offramp.core.policy.pack import Pack` is an edge to
`offramp.core.policy.pack`, and `from offramp.core.policy import pack` to the submodule `pack`. The
parent package's `__init__` that Python runs first is not counted as an edge, so a package that
re-exports its submodules does not make every submodule part of a cycle with it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
CORE = SRC / "offramp" / "core"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def core_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(CORE.rglob("*.py"))}


def from_target(node: ast.ImportFrom, package: str) -> str:
    """The absolute module a `from ... import` names, a relative one resolved against `package`."""
    if not node.level:
        return node.module or ""
    base = package.split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(source: str, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The `known` modules that `source` imports anywhere (top level, functions, TYPE_CHECKING blocks)."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = from_target(node, package)
            names = [f"{target}.{alias.name}" for alias in node.names]
            submodules = [n for n in names if n in known]
            found.update(submodules)
            if len(submodules) < len(names):
                found.add(target)
    return {name for name in found if name in known and name != module}


def import_graph() -> dict[str, set[str]]:
    modules = core_modules()
    known = set(modules)
    return {
        name: imports_of(path.read_text(encoding="utf-8"), name, path.name == "__init__.py", known)
        for name, path in modules.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_it_finds_no_import_cycle_in_core() -> None:
    graph = import_graph()
    assert "offramp.core.evaluation.engine" in graph
    assert cycles(graph) == []


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (
            {"a": "import b", "b": "def f():\n    from a import x\n"},
            [["a", "b"]],
        ),
        (
            {
                "a": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from b import y\n",
                "b": "import a",
            },
            [["a", "b"]],
        ),
        ({"a": "import b", "b": "import c", "c": "from a import z"}, [["a", "b", "c"]]),
        ({"a": "import b", "b": "import c", "c": ""}, []),
    ],
)
def test_it_would_catch_a_cycle_hidden_in_a_function_or_a_type_check(
    sources: dict[str, str], expected: list[list[str]]
) -> None:
    known = set(sources)
    graph = {name: imports_of(text, name, False, known) for name, text in sources.items()}
    assert cycles(graph) == expected


def test_it_counts_a_from_import_of_a_submodule_as_an_edge_to_it() -> None:
    known = {"p", "p.pack", "p.check"}
    assert imports_of("from p import pack", "p.check", False, known) == {"p.pack"}
    assert imports_of("from p.pack import Pack", "p.check", False, known) == {"p.pack"}
    assert imports_of("from . import Flag", "p.check", False, known) == {"p"}
