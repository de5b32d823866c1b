"""Whether a case's victims have been consulted: what blocks a diversion offer until they are.

`consultation_status(case)`:

- the case has victims on file (`cases.Victim` rows) and none has a recorded `VictimConsultation`
  -> `consulted=False` (an offer stays blocked where the policy requires consultation);
- the case has victims and a consultation is recorded -> `consulted=True`, `agreed` and `last` from the
  newest consultation (a consultation of a representative, with no victim named, counts for the case);
- the case has NO victim on file -> `consulted=True`, `agreed=None`, `last=None`, and `note` says
  "no victim on file": there is nobody to consult, so nothing is blocked. (A victim added later, e.g. by a
  re-import, makes the case unconsulted again until a consultation is recorded.)

`agreed` is the victim's view (None: no view expressed); it informs the prosecutor and never decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from offramp.web.victims.models import VictimConsultation

NO_VICTIM_NOTE = "no victim on file"


@dataclass(frozen=True)
class ConsultationStatus:
    consulted: bool
    agreed: bool | None
    last: VictimConsultation | None
    note: str = ""


def consultation_status(case: Any) -> ConsultationStatus:
    """The consultation status of `case` (a cases.Case); see the module docstring."""
    if not case.victims.exists():
        return ConsultationStatus(consulted=True, agreed=None, last=None, note=NO_VICTIM_NOTE)
    last = (
        VictimConsultation.objects.filter(case=case).order_by("-consulted_on", "-recorded_at", "-id").first()
    )
    if last is None:
        return ConsultationStatus(consulted=False, agreed=None, last=None, note="victim not yet consulted")
    return ConsultationStatus(
        consulted=True,
        agreed=last.agrees_to_diversion,
        last=last,
        note=f"consulted on {last.consulted_on.isoformat()}",
    )
