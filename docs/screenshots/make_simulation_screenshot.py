"""Make docs/screenshots/simulation-report.png: the simulation report of generated cases, in Chromium.

    .venv/bin/python docs/screenshots/make_simulation_screenshot.py [--n 100000] [--height 2600]

Generates cases (seed 1), simulates public-health (draft) against traditional (baseline) with an example
capacity table (made-up numbers, printed in the report as the directory's), writes the report to a
temporary folder and photographs its top part in Debian's /usr/bin/chromium through Playwright, with
the e2e tests' launch arguments (tests/e2e/conftest.py). The page loads no URL but its own file.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from offramp.core.evaluation.frame import frame_from_offramp_rows
from offramp.core.generate import generate_cases
from offramp.core.policy import resolve_pack
from offramp.core.simulation import Assumptions, ProgramCapacity, simulate, write_html

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: an example directory (not real numbers): slots, open slots, services per program type
EXAMPLE_CAPACITY = {
    "treatment": ProgramCapacity(capacity=900, vacancies=60, services=41),
    "education": ProgramCapacity(capacity=700, vacancies=35, services=12),
    "job_training": ProgramCapacity(capacity=350, vacancies=20, services=9),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--height", type=int, default=2600, help="pixels of the page to photograph")
    parser.add_argument("--out", type=Path, default=HERE / "simulation-report.png")
    args = parser.parse_args()

    rows = generate_cases(args.n, 1)
    frame = frame_from_offramp_rows(rows).with_columns(rows["race"])
    result = simulate(
        frame,
        resolve_pack("public-health"),
        resolve_pack("traditional"),
        assumptions=Assumptions.load(),
        capacity=EXAMPLE_CAPACITY,
        sample=12,
    )
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.html"
        write_html(result, report)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            requested: list[str] = []
            page.on("request", lambda request: requested.append(request.url))
            page.goto(report.as_uri(), wait_until="load")
            page.wait_for_function("document.querySelectorAll('.plotly-graph-div .main-svg').length >= 4")
            page.wait_for_timeout(500)
            page.screenshot(
                path=str(args.out),
                full_page=True,
                clip={"x": 0, "y": 0, "width": 1280, "height": args.height},
            )
            browser.close()
    outside = [u for u in requested if not u.startswith(("file:", "data:", "blob:"))]
    if outside:
        raise SystemExit(f"the report requested URLs outside its file: {outside}")
    print(f"wrote {args.out} ({args.n:,} cases; {result.changed:,} change outcome)")


if __name__ == "__main__":
    main()
