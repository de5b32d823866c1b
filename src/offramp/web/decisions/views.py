"""Decision pages: recording a decision from the case page, the supervisor queue, and the policy page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from offramp.core.screening.consent import REDISCLOSURE_NOTICE
from offramp.web.accounts.access import permission_required_audited
from offramp.web.audit.models import Action
from offramp.web.audit.record import record
from offramp.web.cases.models import Case
from offramp.web.decisions import recommend
from offramp.web.decisions.forms import STALE_HISTORY, DecisionForm, ReviewForm
from offramp.web.decisions.models import Decision, Verdict
from offramp.web.decisions.packs import default_pair, diff_packs, find_pack_file, list_pack_files
from offramp.web.decisions.service import (
    decisions_of,
    latest_decision,
    record_decision,
    review_decision,
    supervisor_queue,
)

DECIDE_PERMS = ("cases.view_case", "decisions.add_decision")


def panel_context(
    user: Any, case: Case, form: DecisionForm | None = None, request: HttpRequest | None = None
) -> dict[str, Any]:
    """What the case page's decision panel shows: the recommendation (or why there is none), the form,
    and the decisions already taken, newest first."""
    history = list(decisions_of(case)) if user.has_perm("decisions.view_decision") else []
    latest = latest_decision(case)
    context: dict[str, Any] = {
        "case": case,
        "history": history,
        "latest": latest,
        "error": "",
        "redisclosure_notice": REDISCLOSURE_NOTICE,
    }
    try:
        if form is not None:
            rec = form.recommendation
        elif request is not None:
            rec = recommend.recommend_once(request, case)
        else:
            rec = recommend.recommend_case(case, user)
    except recommend.RecommendationUnavailable as exc:
        context.update(recommendation=None, error=str(exc), form=None)
        return context
    can_decide = user.has_perms(DECIDE_PERMS)
    context["recommendation"] = rec
    context["form"] = form or (DecisionForm(recommendation=rec, latest=latest) if can_decide else None)
    return context


@require_POST
@permission_required_audited(*DECIDE_PERMS)
def decide(request: HttpRequest, case_key: str) -> HttpResponse:
    case = get_object_or_404(Case.objects.select_related("person"), case_key=case_key)
    try:
        rec = recommend.recommend_case(case, request.user)
    except recommend.RecommendationUnavailable as exc:
        messages.error(request, f"No decision recorded: {exc}")
        return HttpResponseRedirect(reverse("cases:detail", args=[case.case_key]))
    form = DecisionForm(request.POST, recommendation=rec, latest=latest_decision(case))
    if form.is_valid():
        try:
            decision = record_decision(
                case, rec, request.user, form.cleaned_data["outcome"], form.cleaned_data["reason"]
            )
        except IntegrityError:  # a concurrent correction of the same decision won the race
            form.add_error(None, STALE_HISTORY)
        else:
            note = " It goes to a supervisor for approval." if decision.needs_supervisor else ""
            messages.success(request, f"Decision recorded: {decision.get_outcome_display()}.{note}")
            return HttpResponseRedirect(reverse("cases:detail", args=[case.case_key]) + "#decision")
    panel = panel_context(request.user, case, form)
    return render(request, "decisions/decide.html", {"case": case, "decision_panel": panel}, status=400)


@require_GET
@permission_required_audited("decisions.approve_decision")
def queue(request: HttpRequest) -> HttpResponse:
    waiting = list(supervisor_queue())
    record(Action.LIST, object_type="decision_queue", detail={"count": len(waiting)})
    rows = [(decision, ReviewForm(prefix=f"d{decision.pk}")) for decision in waiting]
    return render(request, "decisions/supervisor_queue.html", {"rows": rows})


@require_POST
@permission_required_audited("decisions.approve_decision")
def review(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_object_or_404(Decision.objects.select_related("case", "decided_by"), pk=pk)
    if decision.approval is not None or not decision.needs_supervisor:
        messages.error(request, f"Decision {decision.pk} is not waiting for approval.")
        return HttpResponseRedirect(reverse("decisions:supervisor_queue"))
    form = ReviewForm(request.POST, prefix=f"d{decision.pk}")
    if not form.is_valid():
        rows = [
            (d, form if d.pk == decision.pk else ReviewForm(prefix=f"d{d.pk}")) for d in supervisor_queue()
        ]
        return render(request, "decisions/supervisor_queue.html", {"rows": rows}, status=400)
    try:
        review_decision(decision, request.user, form.cleaned_data["verdict"], form.cleaned_data["note"])
    except IntegrityError:
        messages.error(request, f"Decision {decision.pk} was answered by someone else first.")
    else:
        verb = "approved" if form.cleaned_data["verdict"] == Verdict.APPROVED else "returned"
        messages.success(request, f"Decision {decision.pk} on case {decision.case.case_key} {verb}.")
    return HttpResponseRedirect(reverse("decisions:supervisor_queue"))


@require_GET
@permission_required_audited("decisions.view_decision")
def policies(request: HttpRequest) -> HttpResponse:
    files = list_pack_files(recommend.policy_dir())
    old = find_pack_file(files, request.GET.get("old", ""))
    new = find_pack_file(files, request.GET.get("new", ""))
    if old is None or new is None:
        pair = default_pair(files)
        old, new = pair if pair else (None, None)
    diff = diff_packs(old, new) if old is not None and new is not None else None
    record(
        Action.VIEW,
        object_type="policy_packs",
        detail={"old": old.name, "new": new.name} if diff else {},
    )
    context = {"files": files, "diff": diff, "configured": settings.OFFRAMP_POLICY}
    return render(request, "decisions/policies.html", context)
