"""Record relief and follow-up pages.

Who sees what (roles.py): the candidate list names people and cases, so it is for the prosecutors who
would act on it, line prosecutors and supervisors (`relief.view_candidates`); the follow-up report lists
exits by case, for supervisors and the diversion coordinator who runs the programs
(`relief.view_followup`). Analysts get de-identified aggregates elsewhere (issue 7). Every view and
download is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render

from offramp.core.outcomes.followup import window_column
from offramp.core.outcomes.relief import to_csv
from offramp.web.accounts.access import permission_required_audited
from offramp.web.audit.models import Action
from offramp.web.audit.record import record
from offramp.web.decisions.recommend import pack_for
from offramp.web.relief.reports import disposition_csv, followup, followup_csv, relief_candidates

CANDIDATES_PERMS = ("relief.view_candidates",)
#: rows shown on the screen page (the printable page and the CSV have them all)
SHOWN_ROWS = 500
FOLLOWUP_PERMS = ("relief.view_followup",)


def _today() -> dt.date:
    return dt.date.today()


def _csv(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _candidate_report(request: HttpRequest) -> Any:
    today = _today()
    pack, _ = pack_for(today, settings.OFFRAMP_POLICY)
    return relief_candidates(pack, today)


@permission_required_audited(*CANDIDATES_PERMS)
def candidates(request: HttpRequest) -> HttpResponse:
    """Past convictions today's policy would decline or divert: the list, counts, a printable layout
    (`?print=1`) and the CSV download (candidates.csv)."""
    report = _candidate_report(request)
    printable = request.GET.get("print") == "1"
    record(
        Action.LIST,
        object_type="relief_candidates",
        object_id=report.pack_id,
        detail={
            "candidates": report.candidates.height,
            "convictions": report.convictions,
            "pack_version": report.pack_version,
            "printable": printable,
        },
    )
    context = {
        "report": report,
        "rows": report.candidates.to_dicts() if printable else report.candidates.head(SHOWN_ROWS).to_dicts(),
        "count": report.candidates.height,
        "truncated": not printable and report.candidates.height > SHOWN_ROWS,
        "shown_rows": SHOWN_ROWS,
        "printable": printable,
    }
    template = "relief/candidates_print.html" if printable else "relief/candidates.html"
    return render(request, template, context)


@permission_required_audited(*CANDIDATES_PERMS)
def candidates_csv(request: HttpRequest) -> HttpResponse:
    report = _candidate_report(request)
    record(
        Action.EXPORT,
        object_type="relief_candidates",
        object_id=report.pack_id,
        detail={"candidates": report.candidates.height, "format": "csv", "pack_version": report.pack_version},
    )
    return _csv(to_csv(report.candidates), f"relief-candidates-{report.today.isoformat()}.csv")


@permission_required_audited(*CANDIDATES_PERMS)
def dispositions_csv(request: HttpRequest) -> HttpResponse:
    """The disposition report of the selected cases (`?case=KEY`, repeated): case id, person, charge,
    disposition, date and route, for the office to send to the state repository (GCIC) once the state has
    confirmed its format (docs/SOURCES.md#gcic-disposition-report)."""
    keys = [k.strip() for k in request.GET.getlist("case") if k.strip()]
    if not keys:
        return HttpResponseBadRequest("case: select at least one case for the disposition report")
    try:
        text = disposition_csv(keys)
    except ValueError as exc:
        return HttpResponseBadRequest(str(exc))
    record(
        Action.EXPORT,
        object_type="disposition_report",
        detail={"cases": sorted(set(keys)), "format": "csv"},
    )
    return _csv(text, f"disposition-report-{_today().isoformat()}.csv")


def _window_cell(value: bool | None) -> str:
    if value is None:
        return "not yet measurable"
    return "yes" if value else "no"


@permission_required_audited(*FOLLOWUP_PERMS)
def followup_page(request: HttpRequest) -> HttpResponse:
    """New cases for the same person within 1, 3 and 5 years of completing or leaving a program."""
    report = followup(_today())
    record(Action.LIST, object_type="followup", detail={"exits": report.exits.height})
    rows = [
        {
            **row,
            "windows": [_window_cell(row[window_column(y)]) for y in report.windows],
        }
        for row in report.exits.to_dicts()
    ]
    summary_rows = [
        {**row, "rate_text": "not yet measurable" if row["rate"] is None else f"{row['rate']:.0%}"}
        for row in report.summary.to_dicts()
    ]
    context = {"report": report, "rows": rows, "summary": summary_rows, "windows": report.windows}
    return render(request, "relief/followup.html", context)


@permission_required_audited(*FOLLOWUP_PERMS)
def followup_download(request: HttpRequest) -> HttpResponse:
    report = followup(_today())
    record(Action.EXPORT, object_type="followup", detail={"exits": report.exits.height, "format": "csv"})
    return _csv(followup_csv(report), f"followup-{report.today.isoformat()}.csv")
