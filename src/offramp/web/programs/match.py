"""Match results on the case page: the case as a core `MatchRequest`, the stored directory as the matcher's
frame, and the ranked and excluded programs with their reasons.

What the request takes from the case, and why:
- zip, age (from the birth year, as of today: eligibility is for the program starting now), sex (only
  female/male; anything else is "not known", which excludes nobody), the primary offence kind;
- needs: the latest needs assessment's tags (`recommend.assessed_needs`);
- program types: what the policy recommendation names (`recommend.recommend_case(case, user)`), the
  same evaluation the decision panel shows;
- plea stage: pre-plea for a pre-charge diversion, otherwise not known;
- the MOUD guard (core `MatchRequest.moud_guard`): on MOUD when the case fact `on_moud` ("currently on
  MOUD") says so or the coordinator answers yes on the panel; it also applies, whatever the answer, when the
  case involves opioids (the primary drug or any charge's drug is fentanyl, heroin or a prescription opioid)
  or the recommendation finds SUD indicated. Only when none of these holds are programs that forbid MOUD
  left in, marked, with a note asking the coordinator.

The stored directory is read once per change of the directory (a new import, a capacity update), not per
page view.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import polars as pl
from django.db.models import Max

from offramp.core.directory.batch import NEED_SERVICES, PROGRAM_TYPE_SERVICES, match_frame
from offramp.core.directory.matching import MatchRequest, match
from offramp.core.enums import Drug
from offramp.core.policy.pack import Outcome
from offramp.web.decisions import recommend
from offramp.web.programs.models import CapacityUpdate, DirectoryImport, Service
from offramp.web.programs.store import stored_batch

#: how many ranked and excluded programs the panel lists
SHOWN_RANKED = 10
SHOWN_EXCLUDED = 20
PRE_PLEA_OUTCOMES = (Outcome.PRE_CHARGE_DIVERSION,)

_cache_lock = threading.Lock()
_cache: dict[str, Any] = {"key": None, "frame": None}


def directory_version() -> tuple[Any, ...]:
    """Changes whenever the stored directory can have changed: imports and capacity updates."""
    return (
        DirectoryImport.objects.aggregate(m=Max("id"))["m"],
        CapacityUpdate.objects.aggregate(m=Max("id"))["m"],
        Service.objects.count(),
    )


def programs_frame() -> pl.DataFrame:
    """The stored directory as MATCH_SCHEMA rows, cached until the directory changes."""
    key = directory_version()
    with _cache_lock:
        if _cache["key"] != key:
            _cache["frame"] = match_frame(stored_batch())
            _cache["key"] = key
        frame: pl.DataFrame = _cache["frame"]
    return frame


def request_for(
    case: Any,
    user: Any,
    today: dt.date | None = None,
    http_request: Any = None,
    on_moud: bool | None = None,
) -> tuple[Any, list[str]]:
    """The MatchRequest for `case` as `user` sees it, and notes on what could not be known.

    `on_moud` is what the coordinator says on the panel (the person's own word, not a Part 2 record): True
    applies the MOUD guard (programs that forbid MOUD are excluded), None leaves them in, marked."""
    notes: list[str] = []
    today = today or dt.date.today()
    person = case.person
    needs = [n for n in recommend.assessed_needs(case) or [] if n in NEED_SERVICES]
    # the person's own account (issue 13): caregiving -> childcare, pregnancy -> prenatal care
    for fact, need in (("caregiver", "childcare"), ("pregnant", "prenatal_care")):
        if getattr(case, fact) is True and need not in needs:
            needs.append(need)
    veteran = case.veteran is True
    program_types: list[str] = []
    outcome = ""
    sud_indicated = False
    try:
        rec = (
            recommend.recommend_once(http_request, case)
            if http_request is not None
            else recommend.recommend_case(case, user)
        )
        program_types = [p for p in rec.program_types if p in PROGRAM_TYPE_SERVICES]
        outcome = rec.outcome
        sud_indicated = rec.trace.finding_value("sud_indicated") is True
    except recommend.RecommendationUnavailable as exc:
        notes.append(f"No program types from the policy: {exc}")
    age = today.year - person.birth_year if person.birth_year else None
    sex = person.sex if person.sex in ("female", "male") else None
    stated = on_moud is not None or case.on_moud is not None
    on_moud = bool(on_moud) or case.on_moud is True  # the coordinator's answer or the case fact
    opioid_case = _opioid_case(case)
    if not stated and not (on_moud or opioid_case or sud_indicated):
        notes.append(
            "Whether the person takes MOUD is not stated: programs that forbid MOUD are not excluded, "
            "they are marked. Ask, and match again with the answer."
        )
    request = MatchRequest(
        age=age,
        sex=sex,
        offense_kind=case.primary_offense_kind or None,
        plea_stage="pre_plea" if outcome in PRE_PLEA_OUTCOMES else None,
        zip=(person.zip or None),
        needs=tuple(needs),
        program_types=tuple(program_types),
        on_moud=on_moud,
        opioid_case=opioid_case,
        sud_indicated=sud_indicated,
        veteran=veteran,
    )
    if request.veterans_note:
        notes.append(request.veterans_note)
    return request, notes


def _opioid_case(case: Any) -> bool:
    """Does the case involve an opioid: its primary drug, or any charge's drug?"""
    drugs = {case.primary_drug, *case.charges.values_list("drug", flat=True)}
    return any(d is not None and (drug := Drug.parse(d)) is not None and drug.is_opioid for d in drugs)


#: the panel's `?moud=` answer -> MatchRequest.on_moud (None: not stated)
MOUD_ANSWERS = {"yes": True, "no": False}


def match_context(user: Any, case: Any, request: Any = None) -> dict[str, Any]:
    """What `_match_panel.html` shows: the request in words, ranked programs, excluded programs."""
    if not user.has_perm("programs.view_service"):
        return {"visible": False}

    moud = request.GET.get("moud", "") if request is not None else ""
    match_request, notes = request_for(case, user, http_request=request, on_moud=MOUD_ANSWERS.get(moud))
    request = match_request
    context: dict[str, Any] = {
        "visible": True,
        "request": request,
        "moud": moud if moud in MOUD_ANSWERS else "",
        "notes": notes,
        "ranked": [],
        "excluded": [],
    }
    if not request.program_types and not request.needs:
        context["empty_reason"] = "The recommendation names no program types and no needs are assessed."
        return context
    programs = programs_frame()
    if programs.is_empty():
        context["empty_reason"] = "The program directory is empty: import programs first."
        return context
    result = match(programs, request)
    ranked = result.ranked.filter(pl.col("score") > 0)
    wanted = [
        t.value
        for key in (*request.program_types, *request.needs)
        for t in (PROGRAM_TYPE_SERVICES.get(key) or NEED_SERVICES.get(key) or ())
    ]
    relevant = pl.any_horizontal([pl.col("service_types").list.contains(t) for t in wanted]).fill_null(False)
    excluded = result.excluded.filter(relevant)
    context.update(
        ranked=ranked.head(SHOWN_RANKED).to_dicts(),
        ranked_total=ranked.height,
        excluded=excluded.head(SHOWN_EXCLUDED).to_dicts(),
        excluded_total=excluded.height,
    )
    return context
