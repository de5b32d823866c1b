"""Decisions: the typed, versioned trace a decision stores (`trace`), read back through one schema."""

from offramp.core.decision.trace import (
    TRACE_VERSION,
    BarTrace,
    DecisionTrace,
    FindingTrace,
    ParameterTrace,
    RuleRow,
    RuleTrace,
    TraceError,
    read_trace,
)

__all__ = [
    "TRACE_VERSION",
    "BarTrace",
    "DecisionTrace",
    "FindingTrace",
    "ParameterTrace",
    "RuleRow",
    "RuleTrace",
    "TraceError",
    "read_trace",
]
