"""Errors an import reports to the person running it."""

from __future__ import annotations

from dataclasses import dataclass

#: how many errors an IntakeError lists in full; the rest are counted
MAX_LISTED_ERRORS = 200


@dataclass(frozen=True, order=True)
class FieldError:
    """One invalid value. `row` is the spreadsheet row (the header is row 1) or the JSONL line number;
    0 means the problem concerns the whole file."""

    file: str
    row: int
    field: str
    value: str
    expected: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.field}: {self.value!r} — expected {self.expected}"


class IntakeError(Exception):
    """A file that cannot be imported. Carries every problem found (the first MAX_LISTED_ERRORS in full)."""

    def __init__(self, errors: list[FieldError], total: int | None = None) -> None:
        self.errors = sorted(errors)[:MAX_LISTED_ERRORS]
        self.total = total if total is not None else len(errors)
        super().__init__(self.render())

    def render(self) -> str:
        lines = [str(e) for e in self.errors]
        if self.total > len(self.errors):
            lines.append(f"... and {self.total - len(self.errors)} more errors")
        return "\n".join(lines)
