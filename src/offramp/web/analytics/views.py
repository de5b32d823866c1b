"""Analytics dashboards, disparity, metric definitions, exports, transparency report and simulation.

Every page reads the de-identified analytics snapshot (`snapshot.load()`, core ANALYTICS_SCHEMA: no name,
docket or date of birth), applies the filters (core `analytics.filters`) as lazy Polars filters, then makes
one `metrics.compute` (or `disparity.rri`) call for what the page shows; core `analytics.shaping` lays the
result out and `tables` formats it. Results are kept per (snapshot, filters) in a small LRU
(`pages.CACHE`), so paging between filters already seen costs nothing. Every table has a CSV download
(`?format=csv&table=`) that is exactly the table shown. Every view and download is on the audit trail.

Who sees what (accounts/roles.py): analysts and supervisors everything; line prosecutors the dashboards and
definitions only. Each view has one access check (`pages.access`). No page here links to or reveals a case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import polars as pl
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static

from offramp.core.analytics import disparity, metrics, shaping
from offramp.core.analytics.dataset import COLUMN_MEANINGS
from offramp.core.analytics.filters import Filters, disparity_breakdown
from offramp.core.analytics.justice_counts import JC_HEADERS, justice_counts
from offramp.core.policy import PackError, resolve_pack
from offramp.core.simulation import Assumptions, default_assumptions_path, render_html, simulate
from offramp.core.simulation.inputs import sample_size, whatif_frame
from offramp.web.analytics import charts, exports, snapshot, tables
from offramp.web.analytics.forms import BREAKDOWNS, DisparityForm, FilterForm, SimulateForm
from offramp.web.analytics.pages import (
    CACHE,
    DISPARITY,
    NAV,
    PAGES,
    MetricPage,
    access,
    csv_response,
    filters_of,
    table_download,
    units_of,
    wants_csv,
    with_csv_links,
)
from offramp.web.audit.models import Action
from offramp.web.audit.record import record
from offramp.web.cases.batch import batch_for
from offramp.web.cases.models import Case
from offramp.web.decisions.packs import find_pack_file, list_pack_files
from offramp.web.programs.store import capacity_by_program_type

DASHBOARDS = ("analytics.view_dashboards",)
DISPARITY_PERMS = ("analytics.view_disparity",)
DEFINITIONS = ("analytics.view_definitions",)
EXPORT = ("analytics.export_analytics",)
SIMULATE = ("analytics.run_simulation",)

__all__ = ["CACHE", "NAV", "PAGES"]  # re-exported: tests and the bench clear the cache through views


def snapshot_frame() -> pl.DataFrame:
    frame: pl.DataFrame = snapshot.load()
    return frame


# --- metric dashboards ------------------------------------------------------------------------------------


def compute_page(page: MetricPage, frame: pl.DataFrame, filters: Filters) -> tuple[exports.Table, str]:
    def make() -> tuple[exports.Table, str]:
        chosen = [metrics.METRICS_BY_ID[m] for m in page.metric_ids]
        by = ("all",) if filters.by == "all" else ("all", filters.by)
        result = metrics.compute(filters.apply(frame), chosen, by=by, period=filters.core_period)
        chart = charts.metric_lines(
            result, {m: metrics.METRICS_BY_ID[m].name for m in page.chart_ids}, page.chart_title, page.percent
        )
        label = dict(BREAKDOWNS).get(filters.by, filters.by)
        table = tables.metric_table(page.slug, page.title, page.metric_ids, result, filters.by, label)
        return table, chart

    return CACHE.get(frame, ("page", page.slug, filters), make)  # type: ignore[no-any-return]


def _metric_view(slug: str) -> Callable[[HttpRequest], HttpResponse]:
    page = PAGES[slug]

    @access(*DASHBOARDS, csv=EXPORT)
    def view(request: HttpRequest) -> HttpResponse:
        frame = snapshot_frame()
        form = FilterForm(request.GET or None, units=units_of(frame))
        filters = filters_of(form)
        table, chart = compute_page(page, frame, filters)
        if wants_csv(request):
            return table_download(request, slug, [table], filters)
        record(Action.VIEW, object_type=f"analytics_{slug}", detail=filters.as_detail())
        return render(
            request,
            "analytics/dashboard.html",
            {
                "page": page,
                "form": form,
                "tables": with_csv_links(request, [table]),
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


# --- disparity ---------------------------------------------------------------------------------------------


@access(*DISPARITY_PERMS, csv=EXPORT)
def disparity_page(request: HttpRequest) -> HttpResponse:
    """RRI at each decision point by race, ethnicity, sex or age band; optionally within offence kind or
    seller role (crude and Mantel-Haenszel side by side, and every stratum's own RRI)."""
    frame = snapshot_frame()
    form = DisparityForm(request.GET or None, units=units_of(frame))
    filters = filters_of(form, default_period="all", default_by="race")
    by, reference = disparity_breakdown(filters.by)

    def make() -> tuple[list[exports.Table], str]:
        within = filters.within or None
        table = disparity.rri(
            filters.apply(frame),
            by=by,
            reference=reference,
            within=within,
            min_cell=exports.MIN_CELL,
            period=filters.core_period,
        )
        main, _ = shaping.split_rri(table)
        shown, latest = shaping.rri_chart_rows(main, reference, within)
        estimate = tables.ESTIMATES[shaping.chart_estimate(within)]
        title = f"RRI by {by} ({estimate}, reference {reference}{f', {latest}' if latest != 'all' else ''})"
        return tables.rri_tables(table, reference), charts.rri_chart(shown, title)

    shown_tables, chart = CACHE.get(frame, ("disparity", by, filters), make)
    if wants_csv(request):
        return table_download(request, "disparity", shown_tables, filters)
    record(Action.VIEW, object_type="analytics_disparity", detail={**filters.as_detail(), "by": by})
    return render(
        request,
        "analytics/disparity.html",
        {
            "page": DISPARITY,
            "form": form,
            "tables": with_csv_links(request, shown_tables),
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


@access(*DEFINITIONS)
def definitions(request: HttpRequest) -> HttpResponse:
    record(Action.VIEW, object_type="analytics_definitions")
    groups = [(g, [m for m in metrics.METRICS if m.group is g]) for g in metrics.MetricGroup]
    return render(
        request,
        "analytics/definitions.html",
        {"groups": groups, "points": disparity.DECISION_POINTS, "nav": NAV, "current": "definitions"},
    )


@access(*DEFINITIONS)
def definition(request: HttpRequest, metric_id: str) -> HttpResponse:
    m = metrics.METRICS_BY_ID.get(metric_id)
    if m is None:
        raise Http404("no such metric")
    record(Action.VIEW, object_type="analytics_definition", object_id=metric_id)

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


@access(*EXPORT)
def justice_counts_csv(request: HttpRequest) -> HttpResponse:
    """The Justice Counts-shaped CSV (annual, or monthly with ?period=month), filters as on the pages."""
    frame = snapshot_frame()
    form = FilterForm(request.GET or None, units=units_of(frame))
    filters = filters_of(form)
    period = filters.justice_counts_period
    rows = CACHE.get(
        frame, ("justice_counts", period, filters), lambda: justice_counts(filters.apply(frame), period)
    )
    record(
        Action.EXPORT,
        object_type="analytics_justice_counts",
        detail={"format": "csv", "rows": len(rows), **filters.as_detail()},
    )
    return csv_response(exports.csv_text(JC_HEADERS, rows), f"justice-counts-{period}.csv")


def transparency_context(frame: pl.DataFrame) -> dict[str, Any]:
    def make() -> list[exports.Table]:
        return exports.transparency_tables(*shaping.transparency_inputs(frame, exports.MIN_CELL))

    return {
        "tables": CACHE.get(frame, ("transparency",), make),
        "min_cell": exports.MIN_CELL,
        "generated": dt.date.today(),
        "cases": frame.height,
        "office": settings.OFFRAMP_OFFICE_NAME,
    }


@access(*EXPORT)
def transparency(request: HttpRequest) -> HttpResponse:
    frame = snapshot_frame()
    context = transparency_context(frame)
    if wants_csv(request):
        return table_download(request, "transparency", context["tables"], Filters())
    record(Action.VIEW, object_type="analytics_transparency")
    return render(
        request,
        "analytics/transparency.html",
        {
            **context,
            "nav": NAV,
            "current": "transparency",
            "csv_links": with_csv_links(request, context["tables"]),
        },
    )


def transparency_pdf_bytes(frame: pl.DataFrame | None = None) -> bytes:
    """The transparency report as PDF. WeasyPrint takes ~0.7-1.5 s whatever the data, so the PDF is rendered
    once per snapshot and day (its date is printed in it) and kept beside the snapshot on disk
    (`transparency-<snapshot built_at>-<day>.pdf`) and in memory; `offramp analytics refresh` renders it
    right after building the snapshot, so no request waits for WeasyPrint."""
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


@access(*EXPORT)
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
    batch = batch_for(Case.objects.all(), raw_text=False)
    race = batch.cases.select("case_key", "person_key").join(
        batch.persons.select("person_key", "race"), on="person_key", how="left", maintain_order="left"
    )
    return batch, race.select("case_key", "race")


def _pack_choices() -> tuple[list[Any], list[tuple[str, str]]]:
    files = [f for f in list_pack_files(settings.OFFRAMP_POLICY_DIR) if not f.error]
    return files, [(f.name, f.label) for f in files]


def run_simulation(draft_path: Any, baseline_path: Any, on: dt.date | None, sample: int = 0) -> Any:
    """`sample`: changed cases to explain by case key (core `inputs.sample_size`: 0 for users without case
    access, whose report is then aggregates only)."""
    batch, race = all_cases_batch()
    return simulate(
        whatif_frame(batch, race),
        resolve_pack(draft_path),
        resolve_pack(baseline_path),
        assumptions=Assumptions.load(default_assumptions_path(settings.OFFRAMP_POLICY_DIR)),
        capacity=capacity_by_program_type(),
        on=on,
        sample=sample,
    )


def _simulate_form(request: HttpRequest, form: SimulateForm) -> HttpResponse:
    return render(request, "analytics/simulate.html", {"form": form, "nav": NAV, "current": "simulate"})


@access(*SIMULATE)
def simulate_page(request: HttpRequest) -> HttpResponse:
    """Choose a draft and a baseline pack; run them over every stored case; show (or download) the report."""
    files, choices = _pack_choices()
    form = SimulateForm(request.POST or None, packs=choices)
    if request.method != "POST" or not form.is_valid():
        record(Action.VIEW, object_type="analytics_simulation")
        if request.method != "POST" and len(choices) >= 2:
            form.initial = {"draft": choices[0][0], "baseline": choices[-1][0]}
        return _simulate_form(request, form)
    draft = find_pack_file(files, form.cleaned_data["draft"])
    baseline = find_pack_file(files, form.cleaned_data["baseline"])
    if draft is None or baseline is None:  # listed when the form was built, gone since (a file removed)
        form.add_error(None, "The chosen pack is no longer in the policy directory; choose again.")
        return _simulate_form(request, form)
    try:
        # the sample of changed cases names cases: only for users who may open them (never analysts)
        sample = sample_size(request.user.has_perm("cases.view_case"))
        result = run_simulation(draft.path, baseline.path, form.cleaned_data.get("on"), sample)
    except PackError as exc:
        form.add_error(None, f"The pack cannot be used: {exc}")
        return _simulate_form(request, form)
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
    page = render_html(
        result, plotlyjs_src=static("plotly/plotly.min.js"), back=(request.path, "Back: choose other packs")
    )
    return HttpResponse(page)
