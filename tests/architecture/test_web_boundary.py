"""The web layer reads the database and calls core; it never builds an evaluation frame or derives a referral
state itself.

Before issue 11 the primary-charge and grams rules were written three times (the case page, record relief,
the analytics snapshot) and the snapshot kept its own list of "accepted" referral states. Now there is one
way in: `web.cases.batch.batch_for` -> core `case_frame`, and core `diversion.referral_progress` /
`analytics.rows` for what a referral or an analytics row says. This test keeps it so, by reading every
`src/offramp/web/**.py` (AST, no import):

- from the core modules that hold these rules, web may import only the public entry points in `ALLOWED`
  (directly, or as attributes of the module imported under any name);
- the internals in `REFUSED` may not be imported from any core module (`GRAMS_PER_UNIT`, `grams_expr`,
  `conform_eval`, `EVAL_COLUMNS`, `frame_from_*`, the referral state groups ...);
- no list, tuple or set of two or more referral state names written out as text (the shape the snapshot's
  `_ACCEPTED_STATES` had): a state group comes from core, which derives it from the lifecycle's table.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from offramp.core.diversion.lifecycle import ReferralState

SRC = Path(__file__).resolve().parents[2] / "src"
WEB = SRC / "offramp" / "web"

#: core module -> the names web may use from it (its public entry points)
ALLOWED: dict[str, frozenset[str]] = {
    "offramp.core.evaluation.frame": frozenset({"case_frame", "SUD_SCREEN_VALUES"}),
    "offramp.core.diversion.referral_progress": frozenset(
        {"office_exits", "imported_exits", "office_progress", "imported_progress"}
    ),
    "offramp.core.analytics.rows": frozenset({"analytics_rows"}),
    "offramp.core.analytics.ledger": frozenset({"restitution_sums", "ENTRY_SCHEMA"}),
}
#: names web may not import from any core module (evaluation-frame and referral-progress internals)
REFUSED = frozenset(
    {
        "GRAMS_PER_UNIT",
        "grams_expr",
        "conform_eval",
        "EVAL_COLUMNS",
        "primary_charges",
        "reachable_states",
        "ACCEPTED_STATES",
        "COMPLETED_STATES",
        "LEFT_STATES",
        "PROGRESS_SCHEMA",
        "STAGE_DECISION",
        "OUTCOME_DECISION",
    }
)
REFUSED_PREFIXES = ("frame_from_",)
STATE_NAMES = frozenset(s.value for s in ReferralState)


def _refused(name: str) -> bool:
    return name in REFUSED or name.startswith(REFUSED_PREFIXES)


def violations(source: str, where: str = "<snippet>") -> list[str]:
    """Every breach of the boundary in `source` (a web module), as 'where:line: what'."""
    found: list[str] = []
    aliases: dict[str, str] = {}  # local name -> guarded core module it is bound to
    tree = ast.parse(source)

    def check(line: int, module: str, name: str) -> None:
        if module.startswith("offramp.core") and _refused(name):
            found.append(f"{where}:{line}: imports the core internal {name} (from {module})")
        elif module in ALLOWED and name not in ALLOWED[module]:
            found.append(f"{where}:{line}: uses {module}.{name}; web may use only {sorted(ALLOWED[module])}")

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if full in ALLOWED:  # `from offramp.core.diversion import referral_progress as p`
                    aliases[alias.asname or alias.name] = full
                else:
                    check(node.lineno, node.module, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in ALLOWED:
                    aliases[alias.asname or alias.name] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            dotted = _dotted(node.value)
            if dotted in aliases:
                check(node.lineno, aliases[dotted], node.attr)
        elif isinstance(node, ast.List | ast.Tuple | ast.Set):
            texts = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            if len(texts) >= 2 and len(texts) == len(node.elts) and set(texts) <= STATE_NAMES:
                found.append(f"{where}:{node.lineno}: spells out referral states {texts}; ask core")
    return found


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


def web_modules() -> list[Path]:
    return sorted(p for p in WEB.rglob("*.py") if "migrations" not in p.parts)


def test_no_web_module_builds_a_frame_or_derives_a_referral_state() -> None:
    found = [v for path in web_modules() for v in violations(path.read_text(), str(path.relative_to(SRC)))]
    assert found == []


def test_it_reads_every_web_module() -> None:
    names = {str(p.relative_to(WEB)) for p in web_modules()}
    assert {"analytics/snapshot.py", "decisions/recommend.py", "relief/reports.py", "cases/batch.py"} <= names


@pytest.mark.parametrize(
    "snippet",
    [
        "from offramp.core.evaluation.frame import conform_eval",
        "from offramp.core.evaluation.frame import EVAL_COLUMNS as COLUMNS",
        "from offramp.core.evaluation.frame import frame_from_facts",
        "from offramp.core.enums import GRAMS_PER_UNIT, QuantityUnit",
        "from offramp.core.evaluation import frame\nframe.grams_expr(a, b)",
        "import offramp.core.evaluation.frame\noffline = offramp.core.evaluation.frame.conform_eval(x)",
        "from offramp.core.diversion import referral_progress as rp\nstates = rp.ACCEPTED_STATES",
        "from offramp.core.diversion.referral_progress import LEFT_STATES",
        "from offramp.core.diversion.lifecycle import reachable_states",
        "_ACCEPTED = ('accepted', 'referred', 'enrolled')",
        "def left(state):\n    return state in ['terminated', 'returned_to_prosecution']",
        "from offramp.core.analytics.rows import STAGE_DECISION",
    ],
)
def test_the_checker_refuses_a_web_module_that_does_it_itself(snippet: str) -> None:
    assert violations(snippet) != []


@pytest.mark.parametrize(
    "snippet",
    [
        "from offramp.core.evaluation.frame import case_frame",
        "from offramp.core.diversion import referral_progress as progress\nprogress.office_exits(x)",
        "from offramp.core.diversion.lifecycle import ReferralState, apply",
        "from offramp.core.analytics.rows import analytics_rows",
        "KINDS = ('completed', 'terminated', 'pending-review')",  # not all of them state names
        "STATE = 'enrolled'",
    ],
)
def test_the_checker_lets_the_public_entry_points_through(snippet: str) -> None:
    assert violations(snippet) == []
