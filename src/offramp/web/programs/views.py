"""The program directory's pages: search with filters, a program's page with its capacity history, the
coordinator's capacity update, and the HSDS 3.0 download.

Directory records are public facts about services, not about a person: browsing them is not audited
(a refused request still is, by the decorator). Changing capacity and downloading the export are.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from offramp.core.directory.batch import Cost, MoudPolicy, Payment, ServiceType, Sex
from offramp.core.directory.export import export_hsds
from offramp.core.enums import OffenseKind, PleaStage
from offramp.web.accounts.access import permission_required_audited
from offramp.web.audit.models import Action
from offramp.web.audit.record import record
from offramp.web.programs.forms import LANGUAGE_CHOICES, CapacityUpdateForm, DirectoryFilterForm
from offramp.web.programs.models import CapacityUpdate, Location, Service, ServiceAtLocation
from offramp.web.programs.store import stored_batch

PER_PAGE = 50
VIEW = "programs.view_service"
UPDATE_CAPACITY = "programs.add_capacityupdate"
EXPORT = "programs.export_directory"


def county_names() -> list[str]:
    return list(
        Location.objects.exclude(county__isnull=True)
        .exclude(county="")
        .order_by("county")
        .values_list("county", flat=True)
        .distinct()
    )


def _json_contains(field: str, value: str) -> Q:
    """A JSON list column holds `value`. Matched as the quoted JSON string in the stored text, which works
    the same on SQLite and PostgreSQL (JSONField `contains` is not supported on SQLite)."""
    return Q(**{f"{field}__icontains": f'"{value}"'})


def filter_services(filters: dict[str, Any]) -> QuerySet[Service]:
    """Services matching the form's cleaned filters. Text looks at the organization's and the service's
    names and at the street, city and ZIP of the places it is offered; county too is by location."""
    services = Service.objects.select_related("organization")
    if filters.get("service_type"):
        services = services.filter(_json_contains("service_types", filters["service_type"]))
    if filters.get("language"):
        services = services.filter(_json_contains("languages", filters["language"]))
    if filters.get("moud_policy"):
        services = services.filter(moud_policy=filters["moud_policy"])
    if filters.get("has_vacancies"):
        services = services.filter(vacancies__gt=0)
    places = ServiceAtLocation.objects.filter(service=OuterRef("pk"))
    if filters.get("county"):
        services = services.filter(Exists(places.filter(location__county=filters["county"])))
    text = (filters.get("q") or "").strip()
    if text:
        at = places.filter(
            Q(location__address_1__icontains=text)
            | Q(location__city__icontains=text)
            | Q(location__postal_code__startswith=text)
        )
        services = services.filter(
            Q(name__icontains=text) | Q(organization__name__icontains=text) | Exists(at)
        )
    return services.order_by("organization__name", "name", "id")


@require_GET
@permission_required_audited(VIEW)
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET or None, counties=county_names())
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    paginator = Paginator(filter_services(filters), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    services = list(page.object_list)
    locations = _locations_of([s.pk for s in services])
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [(s, locations.get(s.pk, [])) for s in services],
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "ellipsis": Paginator.ELLIPSIS,
        "filter_query": params.urlencode(),
        "can_export": request.user.has_perm(EXPORT),
    }
    return render(request, "programs/directory.html", context)


def _locations_of(service_ids: list[Any]) -> dict[Any, list[Location]]:
    found: dict[Any, list[Location]] = {}
    for sal in ServiceAtLocation.objects.filter(service_id__in=service_ids).select_related("location"):
        found.setdefault(sal.service_id, []).append(sal.location)
    return found


def _described(enum: Any, values: list[str] | None) -> list[tuple[str, str]]:
    """(value, description) for each stored code; an unknown code is shown as it is."""
    out = []
    for value in values or []:
        member = enum.parse(value) if isinstance(value, str) else None
        out.append((value.replace("_", " "), member.description if member else ""))
    return out


def eligibility_in_words(service: Service) -> list[str]:
    """The machine-readable eligibility as sentences a coordinator reads; "not stated" where the source is
    silent, because silence is not the same as "anyone"."""
    lines = []
    lo, hi = service.minimum_age, service.maximum_age
    if lo is not None and hi is not None:
        lines.append(f"Ages {lo} to {hi}.")
    elif lo is not None:
        lines.append(f"Ages {lo} and over.")
    elif hi is not None:
        lines.append(f"Ages up to {hi}.")
    else:
        lines.append("Age limits: not stated.")
    sex = Sex.parse(service.sex or "")
    lines.append(sex.description if sex else "Sex: not stated.")
    moud = MoudPolicy.parse(service.moud_policy or "") or MoudPolicy.UNKNOWN
    lines.append(f"MOUD: {moud.description}")
    lines.append(_list_sentence("Offences accepted", service.offense_kinds, OffenseKind, "any"))
    lines.append(_list_sentence("Plea stage", service.plea_stages, PleaStage, "any"))
    states, counties = service.residency_states, service.residency_counties
    if states or counties:
        where = [*(f"{c} County" for c in counties or []), *(states or [])]
        lines.append(f"Must live in: {', '.join(where)}.")
    else:
        lines.append("Residency: no requirement stated.")
    lines.append(_list_sentence("Payment accepted", service.payments, Payment, "not stated"))
    cost = Cost.parse(service.cost or "")
    lines.append(f"Cost: {cost.description}" if cost else "Cost: not stated.")
    if service.languages:
        names = dict(LANGUAGE_CHOICES)
        lines.append(f"Languages: {', '.join(names.get(code, code) for code in service.languages)}.")
    else:
        lines.append("Languages: not stated.")
    return lines


def _list_sentence(label: str, values: list[str] | None, enum: Any, missing: str) -> str:
    if values is None:
        return f"{label}: {missing}."
    if not values:
        return f"{label}: none."
    return f"{label}: {', '.join(v.replace('_', ' ') for v in values)}."


def _program_context(service: Service) -> dict[str, Any]:
    return {
        "service": service,
        "organization": service.organization,
        "service_types": _described(ServiceType, service.service_types),
        "eligibility": eligibility_in_words(service),
        "locations": [sal.location for sal in service.at_locations.select_related("location")],
        "history": service.capacity_updates.select_related("entered_by"),
    }


@require_GET
@permission_required_audited(VIEW)
def program(request: HttpRequest, service_id: str) -> HttpResponse:
    service = get_object_or_404(Service.objects.select_related("organization"), pk=service_id)
    context = _program_context(service)
    context["can_update"] = request.user.has_perm(UPDATE_CAPACITY)
    return render(request, "programs/program.html", context)


@require_http_methods(["GET", "POST"])
@permission_required_audited(VIEW, UPDATE_CAPACITY)
def update_capacity(request: HttpRequest, service_id: str) -> HttpResponse:
    service = get_object_or_404(Service.objects.select_related("organization"), pk=service_id)
    form = CapacityUpdateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            update: CapacityUpdate = form.save(commit=False)
            update.service = service
            update.entered_by = request.user  # type: ignore[assignment]
            update.entered_at = timezone.now()
            update.save()
            record(
                Action.CREATE,
                object_type="capacity_update",
                object_id=str(service.pk),
                detail={
                    "service": service.name,
                    "update": update.pk,
                    "as_of": update.as_of.isoformat(),
                    "capacity": update.capacity,
                    "vacancies": update.vacancies,
                    "waitlist": update.waitlist,
                },
            )
        return redirect("programs:program", service_id=service.pk)
    context = {**_program_context(service), "form": form}
    return render(request, "programs/capacity.html", context, status=400 if form.is_bound else 200)


@require_GET
@permission_required_audited(VIEW, EXPORT)
def export(request: HttpRequest) -> HttpResponse:
    """The whole directory as HSDS 3.0 JSON, zipped: the same files `offramp programs export` writes."""
    batch = stored_batch()
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "hsds"
        summary = export_hsds(batch, out)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(out.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(out).as_posix())
    record(
        Action.EXPORT,
        object_type="program_directory",
        object_id="hsds",
        detail={"format": "hsds", "services": summary.services, "files": summary.files},
    )
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="offramp-directory-hsds-{stamp}.zip"'
    return response
