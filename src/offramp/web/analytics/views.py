"""Analytics dashboards, disparity, metric definitions, exports, transparency report and simulation.

Every page reads the de-identified analytics snapshot (`snapshot.load()`, core ANALYTICS_SCHEMA: no name,
docket or date of birth), applies the filters as lazy Polars filters, then makes one `metrics.compute` (or
`disparity.rri`) call for what the page shows. Results are kept per (snapshot, filters) in a small LRU, so
paging between filters already seen costs nothing. Every table has a CSV download (`?format=csv&table=`)
that is exactly the table shown. Every view and download is on the audit trail.

Who sees what (accounts/roles.py): analysts and supervisors everything; line prosecutors the dashboards and
definitions only. No page here links to or reveals a case.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static

from offramp.core.analytics import disparity, metrics
from offramp.web.accounts.access import permission_required_audited
from offramp.web.analytics import charts, exports
from offramp.web.analytics.exports import Table
from offramp.web.analytics.forms import DisparityForm, FilterForm, SimulateForm
from offramp.web.audit.models import Action
from offramp.web.audit.record import record

DASHBOARDS = ("analytics.view_dashboards",)
DISPARITY = ("analytics.view_disparity",)
DEFINITIONS = ("analytics.view_definitions",)
EXPORT = ("analytics.export_analytics",)
SIMULATE = ("analytics.run_simulation",)

#: the reference group of each disparity breakdown (RRI = group's rate / this group's rate)
REFERENCES = {"race": "white", "ethnicity": "not_hispanic_latino", "sex": "male", "age_band": "25_34"}
#: the frame columns the "unit" filter reads, first found wins (the snapshot's agency column)
UNIT_COLUMNS = ("unit", "agency")


# --- the snapshot, filters and the cache ------------------------------------------------------------------


def snapshot_frame() -> pl.DataFrame:
    from offramp.web.analytics import snapshot

    frame: pl.DataFrame = snapshot.load()
    return frame


@dataclass(frozen=True)
class Filters:
    period: str = "year"
    unit: str = ""
    offense_kind: str = ""
    drug: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    by: str = "all"
    within: str = ""

    @property
    def core_period(self) -> Any:
        return None if self.period == "all" else self.period

    def as_detail(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.__dict__.items() if v not in ("", None)}

    def apply(self, frame: pl.DataFrame) -> pl.LazyFrame:
        lazy = frame.lazy()
        unit_col = unit_column(frame)
        if self.unit and unit_col:
            lazy = lazy.filter(pl.col(unit_col) == self.unit)
        if self.offense_kind:
            lazy = lazy.filter(pl.col("offense_kind") == self.offense_kind)
        if self.drug:
            lazy = lazy.filter(pl.col("drug") == self.drug)
        if self.date_from:
            lazy = lazy.filter(pl.col("received_date") >= self.date_from)
        if self.date_to:
            lazy = lazy.filter(pl.col("received_date") <= self.date_to)
        return lazy


def unit_column(frame: pl.DataFrame) -> str | None:
    return next((c for c in UNIT_COLUMNS if c in frame.columns), None)


_UNITS: dict[int, tuple[pl.DataFrame, list[str]]] = {}


def units_of(frame: pl.DataFrame) -> list[str]:
    cached = _UNITS.get(id(frame))
    if cached is not None and cached[0] is frame:
        return cached[1]
    col = unit_column(frame)
    units = sorted(str(v) for v in frame[col].drop_nulls().unique().to_list()) if col else []
    _UNITS.clear()
    _UNITS[id(frame)] = (frame, units)
    return units


class _LRU:
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


CACHE = _LRU()


def _filters(form: FilterForm, default_period: str = "year", default_by: str = "all") -> Filters:
    form.is_valid()  # an invalid field (e.g. a malformed date) is dropped; the valid ones still apply
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


def _csv(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _table_download(
    request: HttpRequest, page: str, tables: Sequence[Table], filters: Filters
) -> HttpResponse:
    if not request.user.has_perm("analytics.export_analytics"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("missing permission analytics.export_analytics")
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
    return _csv(exports.table_csv(table), f"{page}-{slug}.csv")


def _csv_query(request: HttpRequest, slug: str) -> str:
    query = request.GET.copy()
    query["format"] = "csv"
    query["table"] = slug
    return "?" + query.urlencode()


# --- metric dashboards ------------------------------------------------------------------------------------


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
            exports.JC_METRICS,
            exports.JC_METRICS,
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


def metric_table(page: MetricPage, result: pl.DataFrame, by: str) -> Table:
    """Rows period x group (the breakdown's groups, or "all"), one column per metric."""
    group_by = by if by != "all" else "all"
    rows_by_key: dict[tuple[str, str], dict[str, str]] = {}
    for r in result.filter(pl.col("group_by") == group_by).iter_rows(named=True):
        rows_by_key.setdefault((r["period"], r["group"]), {})[r["metric"]] = exports.metric_cell(r)
    names = [metrics.METRICS_BY_ID[m].name for m in page.metric_ids]
    rows = [
        [period, group, *[cells.get(m, "") for m in page.metric_ids]]
        for (period, group), cells in sorted(rows_by_key.items())
    ]
    headers = ["Period", "Group" if by == "all" else dict(_by_labels()).get(by, by), *names]
    return Table(page.slug, page.title, headers, rows)


def _by_labels() -> list[tuple[str, str]]:
    from offramp.web.analytics.forms import BREAKDOWNS

    return BREAKDOWNS


def compute_page(page: MetricPage, frame: pl.DataFrame, filters: Filters) -> tuple[Table, str]:
    def make() -> tuple[Table, str]:
        chosen = [metrics.METRICS_BY_ID[m] for m in page.metric_ids]
        by = ("all",) if filters.by == "all" else ("all", filters.by)
        result = metrics.compute(filters.apply(frame), chosen, by=by, period=filters.core_period)
        chart = charts.metric_lines(
            result, {m: metrics.METRICS_BY_ID[m].name for m in page.chart_ids}, page.chart_title, page.percent
        )
        return metric_table(page, result, filters.by), chart

    return CACHE.get(frame, ("page", page.slug, filters), make)  # type: ignore[no-any-return]


def _metric_view(slug: str) -> Callable[[HttpRequest], HttpResponse]:
    page = PAGES[slug]

    @permission_required_audited(*DASHBOARDS)
    def view(request: HttpRequest) -> HttpResponse:
        frame = snapshot_frame()
        form = FilterForm(request.GET or None, units=units_of(frame))
        filters = _filters(form)
        table, chart = compute_page(page, frame, filters)
        if request.GET.get("format") == "csv":
            return _table_download(request, slug, [table], filters)
        record(Action.VIEW, object_type=f"analytics_{slug}", detail=filters.as_detail())
        return render(
            request,
            "analytics/dashboard.html",
            {
                "page": page,
                "form": form,
                "tables": [(table, _csv_query(request, table.slug))],
                "chart": chart,
                "chart_id": f"chart-{slug}",
                "nav": NAV,
                "current": slug,
                "cases": frame.height,
            },
        )

    view.__name__ = f"{slug}_page"
    return view


overview = _metric_view("overview")
indicators = _metric_view("indicators")
diversion = _metric_view("diversion")
health = _metric_view("health")
restitution = _metric_view("restitution")

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


# --- disparity ---------------------------------------------------------------------------------------------


def _f(value: float | None, fmt: str) -> str:
    return "" if value is None else format(value, fmt)


def _i(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


RRI_HEADERS = [
    "Decision point",
    "Period",
    "Estimate",
    "Stratum",
    "Group",
    "Outcome count",
    "Base",
    "Rate",
    "Reference rate",
    "RRI",
    "95% CI low",
    "95% CI high",
    "Note",
]
ESTIMATES = {"crude": "crude", "mantel_haenszel": "Mantel-Haenszel", "stratum": "within stratum"}


def rri_tables(table: pl.DataFrame, reference: str) -> tuple[list[Table], list[dict[str, Any]]]:
    names = {p.id: p.name for p in disparity.DECISION_POINTS}
    main: list[list[str]] = []
    main_marks: list[set[int]] = []
    strata: list[list[str]] = []
    strata_marks: list[set[int]] = []
    chart_rows: list[dict[str, Any]] = []
    for r in table.iter_rows(named=True):
        suppressed = bool(r["suppressed"])
        cells = [
            names.get(r["decision_point"], r["decision_point"]),
            r["period"] or "",
            ESTIMATES.get(r["estimate"], r["estimate"]),
            r["stratum"] or "",
            r["group"] + (" (reference)" if r["group"] == reference else ""),
            _i(r["numerator"]),
            _i(r["base"]),
            _f(r["rate"], ".1%"),
            _f(r["reference_rate"], ".1%"),
            "suppressed" if suppressed else _f(r["rri"], ".2f"),
            _f(r["ci_low"], ".2f"),
            _f(r["ci_high"], ".2f"),
            r["note"] or "",
        ]
        marks = {9} if suppressed else set()
        if r["estimate"] == "stratum":
            strata.append(cells)
            strata_marks.append(marks)
        else:
            main.append(cells)
            main_marks.append(marks)
            chart_rows.append({**r, "decision_point_name": names.get(r["decision_point"], "")})
    tables = [Table("rri", "Relative Rate Index", RRI_HEADERS, main, main_marks)]
    if strata:
        tables.append(Table("strata", "Within each stratum", RRI_HEADERS, strata, strata_marks))
    return tables, chart_rows


@permission_required_audited(*DISPARITY)
def disparity_page(request: HttpRequest) -> HttpResponse:
    """RRI at each decision point by race, ethnicity, sex or age band; optionally within offence kind or
    seller role (crude and Mantel-Haenszel side by side, and every stratum's own RRI)."""
    frame = snapshot_frame()
    form = DisparityForm(request.GET or None, units=units_of(frame))
    filters = _filters(form, default_period="all", default_by="race")
    by = filters.by if filters.by in REFERENCES else "race"
    reference = REFERENCES[by]

    def make() -> tuple[list[Table], str]:
        table = disparity.rri(
            filters.apply(frame),
            by=by,
            reference=reference,
            within=filters.within or None,
            min_cell=exports.MIN_CELL,
            period=filters.core_period,
        )
        tables, chart_rows = rri_tables(table, reference)
        wanted = "mantel_haenszel" if filters.within else "crude"
        periods = sorted({r["period"] for r in chart_rows})
        latest = periods[-1] if periods else None
        shown = [
            r
            for r in chart_rows
            if r["estimate"] == wanted and r["period"] == latest and r["group"] != reference
        ]
        title = f"RRI by {by} ({ESTIMATES[wanted]}, reference {reference}{f', {latest}' if latest != 'all' else ''})"
        return tables, charts.rri_chart(shown, title)

    tables, chart = CACHE.get(frame, ("disparity", by, filters), make)
    if request.GET.get("format") == "csv":
        return _table_download(request, "disparity", tables, filters)
    record(Action.VIEW, object_type="analytics_disparity", detail={**filters.as_detail(), "by": by})
    page = MetricPage("disparity", "Disparity: Relative Rate Index at each decision point", "", (), (), "")
    return render(
        request,
        "analytics/disparity.html",
        {
            "page": page,
            "form": form,
            "tables": [(t, _csv_query(request, t.slug)) for t in tables],
            "chart": chart,
            "chart_id": "chart-disparity",
            "nav": NAV,
            "current": "disparity",
            "by": by,
            "reference": reference,
            "within": filters.within,
            "min_cell": exports.MIN_CELL,
            "points": disparity.DECISION_POINTS,
            "cases": frame.height,
        },
    )


# --- definitions -------------------------------------------------------------------------------------------


@permission_required_audited(*DEFINITIONS)
def definitions(request: HttpRequest) -> HttpResponse:
    record(Action.VIEW, object_type="analytics_definitions")
    groups = [(g, [m for m in metrics.METRICS if m.group is g]) for g in metrics.MetricGroup]
    return render(
        request,
        "analytics/definitions.html",
        {
            "groups": groups,
            "points": disparity.DECISION_POINTS,
            "nav": NAV,
            "current": "definitions",
        },
    )


@permission_required_audited(*DEFINITIONS)
def definition(request: HttpRequest, metric_id: str) -> HttpResponse:
    m = metrics.METRICS_BY_ID.get(metric_id)
    if m is None:
        raise Http404("no such metric")
    record(Action.VIEW, object_type="analytics_definition", object_id=metric_id)
    from offramp.core.analytics.frame import COLUMN_MEANINGS

    return render(
        request,
        "analytics/definition.html",
        {
            "m": m,
            "columns": [(c, COLUMN_MEANINGS.get(c, "")) for c in m.columns],
            "numerator_code": str(m.numerator),
            "denominator_code": "" if m.denominator is None else str(m.denominator),
            "nav": NAV,
            "current": "definitions",
        },
    )


# --- exports: Justice Counts, transparency -------------------------------------------------------------------


@permission_required_audited(*EXPORT)
def justice_counts_csv(request: HttpRequest) -> HttpResponse:
    """The Justice Counts-shaped CSV (annual, or monthly with ?period=month), filters as on the pages."""
    frame = snapshot_frame()
    form = FilterForm(request.GET or None, units=units_of(frame))
    filters = _filters(form)
    period: Any = "month" if filters.period == "month" else "year"

    def make() -> list[list[str]]:
        chosen = [metrics.METRICS_BY_ID[m] for m in exports.JC_METRICS]
        result = metrics.compute(filters.apply(frame), chosen, by=("all", "sex", "race"), period=period)
        return exports.justice_counts_rows(result)

    rows = CACHE.get(frame, ("justice_counts", period, filters), make)
    record(
        Action.EXPORT,
        object_type="analytics_justice_counts",
        detail={"format": "csv", "rows": len(rows), **filters.as_detail()},
    )
    return _csv(exports.csv_text(exports.JC_HEADERS, rows), f"justice-counts-{period}.csv")


TRANSPARENCY_RATES = (
    "ppi_2_2_declination_rate",
    "diversion_offer_rate",
    "diversion_acceptance_rate",
    "diversion_completion_rate",
    "ppi_4_7_naloxone_rate",
    "ppi_4_7_moud_rate",
)


def transparency_context(frame: pl.DataFrame) -> dict[str, Any]:
    def make() -> list[Table]:
        counts = metrics.compute(frame, [metrics.METRICS_BY_ID[m] for m in exports.JC_METRICS], by=("all",))
        rates = metrics.compute(frame, [metrics.METRICS_BY_ID[m] for m in TRANSPARENCY_RATES], by=("all",))
        rri = disparity.rri(frame, by="race", reference="white", min_cell=exports.MIN_CELL)
        return exports.transparency_tables(counts, rates, rri)

    tables = CACHE.get(frame, ("transparency",), make)
    return {
        "tables": tables,
        "min_cell": exports.MIN_CELL,
        "generated": dt.date.today(),
        "cases": frame.height,
        "office": getattr(settings, "OFFRAMP_OFFICE_NAME", ""),
    }


@permission_required_audited(*EXPORT)
def transparency(request: HttpRequest) -> HttpResponse:
    frame = snapshot_frame()
    context = transparency_context(frame)
    if request.GET.get("format") == "csv":
        return _table_download(request, "transparency", context["tables"], Filters())
    record(Action.VIEW, object_type="analytics_transparency")
    return render(
        request,
        "analytics/transparency.html",
        {
            **context,
            "nav": NAV,
            "current": "transparency",
            "csv_links": [(t, _csv_query(request, t.slug)) for t in context["tables"]],
        },
    )


def transparency_pdf_bytes(frame: pl.DataFrame | None = None) -> bytes:
    """The transparency report as PDF. WeasyPrint takes ~0.7-1.5 s whatever the data, so the PDF is rendered
    once per snapshot and day (its date is printed in it) and kept beside the snapshot on disk
    (`transparency-<snapshot built_at>-<day>.pdf`) and in memory; `offramp analytics refresh` renders it
    right after building the snapshot, so no request waits for WeasyPrint."""
    from offramp.web.analytics import snapshot

    frame = snapshot_frame() if frame is None else frame
    built = snapshot.info()
    stamp = built.built_at.strftime("%Y%m%dT%H%M%S%f") if built is not None else "none"
    cached = snapshot.directory() / f"transparency-{stamp}-{dt.date.today().isoformat()}.pdf"

    def render() -> bytes:
        if cached.exists():
            return cached.read_bytes()
        html = render_to_string("analytics/transparency_print.html", transparency_context(frame))
        data = exports.pdf_bytes(html, base_url=str(settings.BASE_DIR))
        for old in cached.parent.glob("transparency-*.pdf"):  # only the current one is kept
            old.unlink(missing_ok=True)
        partial = cached.with_suffix(".pdf.partial")
        partial.write_bytes(data)
        partial.replace(cached)
        return data

    data: bytes = CACHE.get(frame, ("transparency.pdf", stamp, dt.date.today()), render)
    return data


@permission_required_audited(*EXPORT)
def transparency_pdf(request: HttpRequest) -> HttpResponse:
    data = transparency_pdf_bytes()
    record(Action.EXPORT, object_type="analytics_transparency", detail={"format": "pdf", "bytes": len(data)})
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="transparency-{dt.date.today().isoformat()}.pdf"'
    return response


# --- simulation --------------------------------------------------------------------------------------------


def all_cases_batch() -> Any:
    """Every stored case, its person and charges, as the `CaseBatch` intake would have produced (one query
    per table, `cases.batch.batch_for`), and the race of each case's person (case_key, race) for the
    disparity table."""
    from offramp.web.cases.batch import batch_for
    from offramp.web.cases.models import Case

    batch = batch_for(Case.objects.all(), raw_text=False)
    race = batch.cases.select("case_key", "person_key").join(
        batch.persons.select("person_key", "race"), on="person_key", how="left", maintain_order="left"
    )
    return batch, race.select("case_key", "race")


def _pack_choices() -> tuple[list[Any], list[tuple[str, str]]]:
    from offramp.web.decisions.packs import list_pack_files

    files = [f for f in list_pack_files(settings.OFFRAMP_POLICY_DIR) if not f.error]
    return files, [(f.name, f.label) for f in files]


def run_simulation(draft_path: Any, baseline_path: Any, on: dt.date | None, sample: int = 0) -> Any:
    """`sample`: changed cases to explain by case key (0 for users without case access: the report is then
    aggregates only)."""
    from offramp.core.evaluation.frame import case_frame
    from offramp.core.policy import resolve_pack
    from offramp.core.simulation import Assumptions, simulate
    from offramp.web.programs.store import capacity_by_program_type

    batch, race = all_cases_batch()
    frame = case_frame(batch)
    frame = frame.with_columns(
        frame.select("case_key").join(race, on="case_key", how="left", maintain_order="left")["race"]
    )
    return simulate(
        frame,
        resolve_pack(draft_path),
        resolve_pack(baseline_path),
        assumptions=Assumptions.load(),
        capacity=capacity_by_program_type(),
        on=on,
        sample=sample,
    )


#: changed cases the report explains, for users with case access (supervisors); analysts get none
SAMPLE_WITH_CASE_ACCESS = 12


@permission_required_audited(*SIMULATE)
def simulate_page(request: HttpRequest) -> HttpResponse:
    """Choose a draft and a baseline pack; run them over every stored case; show (or download) the report."""
    from offramp.core.policy import PackError
    from offramp.core.simulation import render_html
    from offramp.web.decisions.packs import find_pack_file

    files, choices = _pack_choices()
    form = SimulateForm(request.POST or None, packs=choices)
    if request.method != "POST" or not form.is_valid():
        record(Action.VIEW, object_type="analytics_simulation")
        if request.method != "POST" and len(choices) >= 2:
            form.initial = {"draft": choices[0][0], "baseline": choices[-1][0]}
        return render(request, "analytics/simulate.html", {"form": form, "nav": NAV, "current": "simulate"})
    draft = find_pack_file(files, form.cleaned_data["draft"])
    baseline = find_pack_file(files, form.cleaned_data["baseline"])
    assert draft is not None and baseline is not None  # the form only offers listed files
    try:
        # the sample of changed cases names cases: only for users who may open them (never analysts)
        sample = SAMPLE_WITH_CASE_ACCESS if request.user.has_perm("cases.view_case") else 0
        result = run_simulation(draft.path, baseline.path, form.cleaned_data.get("on"), sample)
    except PackError as exc:
        form.add_error(None, f"The pack cannot be used: {exc}")
        return render(request, "analytics/simulate.html", {"form": form, "nav": NAV, "current": "simulate"})
    download = "download" in request.POST
    record(
        Action.EXPORT if download else Action.VIEW,
        object_type="analytics_simulation",
        object_id=f"{draft.name} vs {baseline.name}",
        detail={
            "draft": draft.label,
            "baseline": baseline.label,
            "cases": result.cases,
            "changed": result.changed,
            "download": download,
        },
    )
    if download:
        html = render_html(result)  # plotly.js inlined: the file works on its own, offline
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="simulation-{draft.id}-vs-{baseline.id}.html"'
        )
        return response
    html = render_html(result, include_plotlyjs=False)
    script = f'<script src="{static("plotly/plotly.min.js")}"></script>'
    back = f'<p style="padding: 0 2.5rem"><a href="{request.path}">Back: choose other packs</a></p>'
    html = html.replace("</head>", f"{script}</head>", 1).replace("<body>", f"<body>{back}", 1)
    return HttpResponse(html)
