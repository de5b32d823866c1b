"""The program directory page: public treatment listings, filtered and paginated on the server."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from offramp.web.accounts.access import permission_required_audited
from offramp.web.programs.forms import DirectoryFilterForm
from offramp.web.programs.models import ProgramListing

PER_PAGE = 50


def county_names() -> list[str]:
    return list(
        ProgramListing.objects.exclude(county__isnull=True)
        .order_by("county")
        .values_list("county", flat=True)
        .distinct()
    )


def filter_listings(filters: dict[str, Any]) -> QuerySet[ProgramListing]:
    """Listings matching the form's cleaned filters; the text search looks at names, street, city and ZIP."""
    listings = ProgramListing.objects.all()
    if filters.get("kind"):
        listings = listings.filter(kind=filters["kind"])
    if filters.get("county"):
        listings = listings.filter(county=filters["county"])
    text = (filters.get("q") or "").strip()
    if text:
        listings = listings.filter(
            Q(name__icontains=text)
            | Q(name2__icontains=text)
            | Q(street1__icontains=text)
            | Q(city__icontains=text)
            | Q(zip__startswith=text)
        )
    return listings


@permission_required_audited("programs.view_programlisting")
def directory(request: HttpRequest) -> HttpResponse:
    # Listings are public facts about services, not about a person: viewing them is not audited
    # (a refused request still is, by the decorator).
    form = DirectoryFilterForm(request.GET or None, counties=county_names())
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    paginator = Paginator(filter_listings(filters), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "ellipsis": Paginator.ELLIPSIS,
        "filter_query": params.urlencode(),
    }
    return render(request, "programs/directory.html", context)
