"""`offramp analytics refresh`: rebuild the analytics snapshot (VAR_DIR/analytics/snapshot.parquet) now.

The dashboards rebuild it themselves when it is missing or stale (see `offramp.web.analytics.snapshot`);
run this after a change the staleness check cannot see, or from cron after the nightly import so the first
page of the day does not wait for the build. `offramp analytics info` prints what is on disk.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from offramp.web.analytics import snapshot
from offramp.web.analytics.views import transparency_pdf_bytes


class Command(BaseCommand):
    help = "Analytics snapshot jobs: `refresh` rebuilds it, `info` says what is on disk."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job", choices=["refresh", "info"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["job"] == "info":
            current = snapshot.info()
            if current is None:
                self.stdout.write("no analytics snapshot yet: run `offramp analytics refresh`")
            else:
                self.stdout.write(
                    f"{current.path}: {current.rows} case(s), built {current.built_at.isoformat()} "
                    f"in {current.seconds:.1f} s"
                )
            return
        built = snapshot.refresh()
        self.stdout.write(
            f"analytics snapshot: {built.rows} case(s) written to {built.path} in {built.seconds:.1f} s"
        )

        pdf = transparency_pdf_bytes(snapshot.load())  # rendered now, so no request waits for WeasyPrint
        self.stdout.write(f"transparency report: {len(pdf):,} bytes of PDF rendered")
