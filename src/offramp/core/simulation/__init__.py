"""What-if simulation: a draft policy pack against the one in force, over the same cases (issue 7).

`simulate` (whatif.py) evaluates both packs and aggregates; `Assumptions` (assumptions.py) holds the
configurable numbers behind the jail and prison days estimate; `render_html` (report.py) writes the
self-contained report. Pure Python + Polars (+ plotly for the report's charts); never imports Django.
"""

from offramp.core.simulation.assumptions import Assumptions, AssumptionsError, default_assumptions_path
from offramp.core.simulation.report import render_html, write_html
from offramp.core.simulation.whatif import (
    ChangedCase,
    DaysAvoided,
    ProgramCapacity,
    SimulationResult,
    capacity_from_frame,
    capacity_from_services,
    simulate,
)

__all__ = [
    "Assumptions",
    "AssumptionsError",
    "ChangedCase",
    "DaysAvoided",
    "ProgramCapacity",
    "SimulationResult",
    "capacity_from_frame",
    "capacity_from_services",
    "default_assumptions_path",
    "render_html",
    "simulate",
    "write_html",
]
