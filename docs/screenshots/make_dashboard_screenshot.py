"""Make docs/screenshots/dashboard.png: the analytics overview of a demo office, in Chromium.

    .venv/bin/python docs/screenshots/make_dashboard_screenshot.py [--cases 4000] [--height 1500]

Builds a throwaway demo office in a temporary OFFRAMP_VAR_DIR (`offramp migrate`, `offramp demo load
--cases N`: three years of generated cases with dispositions, one user per role), serves it with
`offramp runserver` (the test settings: plotly.js, USWDS and htmx served locally by whitenoise), signs in
as the demo analyst and photographs the overview page in Debian's /usr/bin/chromium through Playwright, with
the e2e tests' launch arguments (tests/e2e/conftest.py). Fails if the page requests any URL outside the
local server.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
OFFRAMP = Path(sys.executable).parent / "offramp"
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
PASSWORD = "offramp-demo-2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # the local server only
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer at {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=4000)
    parser.add_argument("--height", type=int, default=1500, help="pixels of the page to photograph")
    parser.add_argument("--out", type=Path, default=HERE / "dashboard.png")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as var:
        env = {
            **os.environ,
            "OFFRAMP_VAR_DIR": var,
            "DJANGO_SETTINGS_MODULE": "offramp.web.settings_test",
            "OFFRAMP_DEMO_PASSWORD": PASSWORD,
        }
        subprocess.run([str(OFFRAMP), "migrate", "--noinput", "-v0"], env=env, check=True)
        subprocess.run([str(OFFRAMP), "demo", "load", "--cases", str(args.cases)], env=env, check=True)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [str(OFFRAMP), "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait(f"{base}/accounts/sign-in/")
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                requested: list[str] = []
                page.on("request", lambda request: requested.append(request.url))
                page.goto(f"{base}/accounts/sign-in/")
                page.get_by_label("Username").fill("analyst")
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.goto(f"{base}/analytics/", timeout=120_000)
                page.wait_for_selector("#chart-overview svg.main-svg", state="attached")
                page.wait_for_timeout(500)
                page.screenshot(
                    path=str(args.out),
                    full_page=True,
                    clip={"x": 0, "y": 0, "width": 1280, "height": args.height},
                )
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
    outside = [u for u in requested if not u.startswith(base)]
    if outside:
        raise SystemExit(f"the dashboard requested URLs outside the server: {outside}")
    print(f"wrote {args.out} ({args.cases:,} demo cases)")


if __name__ == "__main__":
    main()
