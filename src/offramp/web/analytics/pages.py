"""What the analytics views share: the metric pages and the navigation, the table cache, the filters read
from a form, the access check of each view, and the CSV download of a table (audited)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Any

import polars as pl
from django.http import Http404, HttpRequest, HttpResponse

from offramp.core.analytics import filters as core_filters
from offramp.core.analytics import metrics
from offramp.core.analytics.filters import Filters
from offramp.core.analytics.justice_counts import JC_METRICS
from offramp.web.accounts.access import permission_required_audited
from offramp.web.analytics import exports
from offramp.web.analytics.exports import Table
from offramp.web.analytics.forms import FilterForm
from offramp.web.audit.models import Action
from offramp.web.audit.record import record

View = Callable[..., HttpResponse]


def wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("format") == "csv"


def access(*perms: str, csv: Sequence[str] = ()) -> Callable[[View], View]:
    """The one permission check of a view: `perms`, and also `csv` when the request asks for a table's CSV
    (`?format=csv`); refused like `permission_required_audited` (sign-in, or a 403 on the audit trail)."""

    def decorator(view: View) -> View:
        page = permission_required_audited(*perms)(view)
        download = permission_required_audited(*perms, *csv)(view)

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return (download if csv and wants_csv(request) else page)(request, *args, **kwargs)

        wrapped.required_permissions = perms  # type: ignore[attr-defined]
        return wrapped

    return decorator


# --- the cache -------------------------------------------------------------------------------------------


class LRU:
    """Computed tables per (snapshot object, key); an entry is only reused for the same snapshot object."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self.items: OrderedDict[tuple[int, Any], tuple[pl.DataFrame, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, frame: pl.DataFrame, key: Any, make: Callable[[], Any]) -> Any:
        k = (id(frame), key)
        with self.lock:
            hit = self.items.get(k)
            if hit is not None and hit[0] is frame:
                self.items.move_to_end(k)
                return hit[1]
        value = make()
        with self.lock:
            self.items[k] = (frame, value)
            self.items.move_to_end(k)
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


CACHE = LRU()


def units_of(frame: pl.DataFrame) -> list[str]:
    """The units to filter on (core `filters.units`), computed once per snapshot object."""
    units: list[str] = CACHE.get(frame, ("units",), lambda: core_filters.units(frame))
    return units


def filters_of(form: FilterForm, default_period: str = "year", default_by: str = "all") -> Filters:
    """The form's filters; an invalid field (e.g. a malformed date) is dropped, the valid ones still apply."""
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    return Filters(
        period=data.get("period") or default_period,
        unit=data.get("unit") or "",
        offense_kind=data.get("offense_kind") or "",
        drug=data.get("drug") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        by=data.get("by") or default_by,
        within=data.get("within") or "",
    )


# --- CSV downloads ---------------------------------------------------------------------------------------


def csv_response(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def table_download(
    request: HttpRequest, page: str, tables: Sequence[Table], filters: Filters
) -> HttpResponse:
    """The CSV of the table `?table=` names (the first by default), audited as an export."""
    slug = request.GET.get("table") or tables[0].slug
    table = next((t for t in tables if t.slug == slug), None)
    if table is None:
        raise Http404("no such table")
    record(
        Action.EXPORT,
        object_type=f"analytics_{page}",
        object_id=slug,
        detail={"format": "csv", "rows": len(table.rows), **filters.as_detail()},
    )
    return csv_response(exports.table_csv(table), f"{page}-{slug}.csv")


def csv_query(request: HttpRequest, slug: str) -> str:
    query = request.GET.copy()
    query["format"] = "csv"
    query["table"] = slug
    return "?" + query.urlencode()


def with_csv_links(request: HttpRequest, tables: Sequence[Table]) -> list[tuple[Table, str]]:
    return [(t, csv_query(request, t.slug)) for t in tables]


# --- the pages -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricPage:
    slug: str
    title: str
    intro: str
    metric_ids: tuple[str, ...]
    chart_ids: tuple[str, ...]
    chart_title: str
    percent: bool = False


PAGES: dict[str, MetricPage] = {
    p.slug: p
    for p in (
        MetricPage(
            "overview",
            "Overview: Justice Counts prosecution metrics",
            "Cases received in each period and what happened to them: declined, diverted before or after "
            "filing, and disposed by dismissal, plea or trial (Justice Counts prosecution metrics).",
            JC_METRICS,
            JC_METRICS,
            "Cases by period (cohort of cases received)",
        ),
        MetricPage(
            "indicators",
            "Prosecutorial Performance Indicators (drug cases)",
            "The PPI indicators relevant to drug cases: 2.2, 2.4, 2.5, 4.4, 4.7, 5.1-5.2, 7.3, 7.5, 7.6. "
            "Choose a race or ethnicity breakdown for 7.3, 7.5 and 7.6.",
            tuple(m.id for m in metrics.METRICS if m.group is metrics.MetricGroup.PPI),
            ("ppi_2_2_declination_rate", "ppi_7_5_diversion_rate", "ppi_7_3_filing_rate"),
            "Declination, diversion and filing rates",
            True,
        ),
        MetricPage(
            "diversion",
            "Diversion: offer, acceptance, completion and return",
            "The diversion funnel (NAPSA measures) and time from receipt to decision and in a program.",
            (
                "diversion_offer_rate",
                "diversion_acceptance_rate",
                "diversion_completion_rate",
                "diversion_return_rate",
                "days_receipt_to_decision",
                "days_in_program",
            ),
            (
                "diversion_offer_rate",
                "diversion_acceptance_rate",
                "diversion_completion_rate",
                "diversion_return_rate",
            ),
            "Diversion rates by period",
            True,
        ),
        MetricPage(
            "health",
            "Health: overdose-risk responses",
            "Cases with a raised overdose risk, and the responses given: naloxone and linkage to medication "
            "for opioid use disorder (MOUD).",
            (
                "health_overdose_risk_cases",
                "health_naloxone_given",
                "health_moud_linked",
                "ppi_4_7_naloxone_rate",
                "ppi_4_7_moud_rate",
            ),
            ("health_overdose_risk_cases", "health_naloxone_given", "health_moud_linked"),
            "Overdose-risk cases and responses by period",
        ),
        MetricPage(
            "restitution",
            "Restitution ordered and collected",
            "Restitution ordered for victims (net of reductions) and collected so far, in US dollars.",
            ("restitution_ordered_usd", "restitution_collected_usd", "restitution_collection_rate"),
            ("restitution_ordered_usd", "restitution_collected_usd"),
            "Restitution (USD) by period",
        ),
    )
}

DISPARITY = MetricPage("disparity", "Disparity: Relative Rate Index at each decision point", "", (), (), "")

NAV: list[tuple[str, str]] = [
    ("overview", "Overview"),
    ("indicators", "PPI indicators"),
    ("disparity", "Disparity"),
    ("diversion", "Diversion"),
    ("health", "Health"),
    ("restitution", "Restitution"),
    ("definitions", "Definitions"),
    ("transparency", "Transparency report"),
    ("simulate", "Simulate a policy"),
]
