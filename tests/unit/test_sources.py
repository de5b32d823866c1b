"""References point to docs that ship in the repository: every `docs/....md` a policy pack's `reference:`
or the code names exists, with the anchor it names; no reference points to a file outside the repository
(the team's DOMAIN.md or DESIGN.md, ../shared/...)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
SRC = REPO / "src" / "offramp"
#: a docs page, optionally with an anchor: docs/SOURCES.md#lead
DOCS_PATH = re.compile(r"docs/([A-Za-z0-9_./-]+\.md)(?:#([A-Za-z0-9_-]+))?")
#: files that are not in the repository
OUTSIDE = re.compile(r"\bDOMAIN\.md\b|\bDESIGN\.md\b|\.\./shared/|\bshared/data/")


def anchors_of(page: Path) -> set[str]:
    """Explicit `<a id="...">` anchors and GitHub's heading slugs."""
    text = page.read_text(encoding="utf-8")
    ids = set(re.findall(r'<a id="([^"]+)"></a>', text))
    for heading in re.findall(r"^#+\s+(.+)$", text, flags=re.MULTILINE):
        slug = re.sub(r"[^\w\s-]", "", heading.strip().lower())
        ids.add(re.sub(r"\s", "-", slug))
    return ids


def references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


PACKS = sorted((REPO / "policies").rglob("*.yaml"))
SOURCES = sorted(SRC.rglob("*.py"))


def missing(text: str) -> list[str]:
    problems = []
    for page, anchor in DOCS_PATH.findall(text):
        target = DOCS / page
        if not target.is_file():
            problems.append(f"docs/{page} does not exist")
        elif anchor and anchor not in anchors_of(target):
            problems.append(f"docs/{page} has no anchor #{anchor}")
    return problems


@pytest.mark.parametrize("pack", PACKS, ids=lambda p: p.name)
def test_every_docs_page_a_pack_cites_exists(pack: Path) -> None:
    cited = list(references(yaml.safe_load(pack.read_text(encoding="utf-8"))))
    assert cited, f"{pack.name} cites nothing"
    assert [problem for text in cited for problem in missing(text)] == []
    assert [text for text in cited if OUTSIDE.search(text)] == []


def test_every_docs_page_the_code_names_exists() -> None:
    problems = [
        f"{p.relative_to(REPO)}: {m}" for p in SOURCES for m in missing(p.read_text(encoding="utf-8"))
    ]
    assert problems == []


def test_no_code_pack_or_doc_points_outside_the_repository() -> None:
    files = [*SOURCES, *PACKS, *sorted(DOCS.glob("*.md"))]
    outside = [str(p.relative_to(REPO)) for p in files if OUTSIDE.search(p.read_text(encoding="utf-8"))]
    assert outside == []


def test_every_link_between_docs_pages_resolves() -> None:
    link = re.compile(r"\]\(([A-Za-z0-9_.-]+\.md)?(?:#([A-Za-z0-9_-]+))?\)")
    problems = []
    for page in sorted(DOCS.glob("*.md")):
        for target, anchor in link.findall(page.read_text(encoding="utf-8")):
            linked = DOCS / target if target else page
            if not linked.is_file():
                problems.append(f"{page.name}: {target} does not exist")
            elif anchor and anchor not in anchors_of(linked):
                problems.append(f"{page.name}: {target or page.name}#{anchor} has no such anchor")
    assert problems == []


def test_every_anchor_of_the_sources_page_is_unique() -> None:
    ids = re.findall(r'<a id="([^"]+)"></a>', (DOCS / "SOURCES.md").read_text(encoding="utf-8"))
    assert len(ids) == len(set(ids))
