from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers

from offramp.web.accounts.access import permission_required_audited
from offramp.web.audit.models import Action
from offramp.web.audit.record import record
from offramp.web.cases.facts import case_sections
from offramp.web.cases.forms import QueueFilterForm
from offramp.web.cases.models import Case
from offramp.web.cases.queue import Cursor, queue_page

CASE_PERMS = ("cases.view_case", "cases.view_person")


@permission_required_audited(*CASE_PERMS)
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    cursor = Cursor.decode(request.GET.get("after", ""))
    page = queue_page(filters, cursor, settings.CASES_PER_PAGE)
    record(
        Action.LIST,
        object_type="case_queue",
        detail={k: str(v) for k, v in filters.items() if v} | ({"after": cursor.encode()} if cursor else {}),
    )
    params = request.GET.copy()
    params.pop("after", None)
    context = {"form": form, "page": page, "filter_query": params.urlencode(), "after": cursor is not None}
    # htmx gets the results fragment, except when it restores history it has no copy of: then it swaps
    # the answer into <body> and needs the whole page.
    fragment = request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    template = "cases/_queue_results.html" if fragment else "cases/queue.html"
    response = render(request, template, context)
    # The same URL answers htmx with a fragment and the browser with a page: without Vary, Back to a URL
    # htmx pushed shows the cached fragment alone (seen in tests/e2e).
    patch_vary_headers(response, ("HX-Request", "HX-History-Restore-Request"))
    return response


@permission_required_audited(*CASE_PERMS)
def detail(request: HttpRequest, case_key: str) -> HttpResponse:
    case = get_object_or_404(
        Case.objects.select_related("person", "import_batch", "assigned_prosecutor"), case_key=case_key
    )
    record(
        Action.VIEW, object_type="case", object_id=case.case_key, detail={"person": case.person.person_key}
    )
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "charges": list(case.charges.all()),
            "victims": list(case.victims.all()),
            "referrals": list(case.referrals.all()),
            "warnings": list(case.warnings.all()),
            "sections": case_sections(case),
        },
    )
