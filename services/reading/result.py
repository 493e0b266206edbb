"""A deduction list's rows as the parser found them: the one result type shared by
the parse worker, which makes it, and the portal, which only ever receives it.

`to_wire`/`from_wire` carry it between the two processes as JSON, amounts as
exact decimal strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from services.reading import identity


@dataclass
class Sheet:
    """One table of a file: rows of cells, with the line number a person would see for each row."""

    name: str
    rows: list[list]
    line_numbers: list[int]


@dataclass
class Row:
    line: int
    national_id: str | None
    birth_date: date | None
    name: str | None
    employee_no: str | None
    basis: Decimal | None
    amount: Decimal | None
    # The month the row is for, where the list has a period column.
    period: date | None = None

    def person_key(self) -> str:
        return identity.person_key(self.national_id, self.birth_date, self.name)


@dataclass
class ListWarning:
    line: int | None
    message: str


@dataclass
class ParseResult:
    file: str
    ok: bool
    error: str | None = None
    rows: list[Row] = field(default_factory=list)
    warnings: list[ListWarning] = field(default_factory=list)
    kind: str | None = None
    note: str | None = None
    # Why a worker gave no result of its own ("limit", "crash", "unnamed"); never shown to a user.
    failure: str | None = None
    # The sum the file states in a sum row of its own, if it has one (always positive).
    stated_total: Decimal | None = None
    # The header of the columns a clerk chose for the company, when the file was read by them.
    layout_used: str | None = None

    @property
    def total(self) -> Decimal:
        return sum((r.amount for r in self.rows if r.amount is not None), Decimal("0.00"))

    @property
    def persons(self) -> int:
        return len({r.person_key() for r in self.rows})

    def to_json(self) -> dict:
        def number(value: Decimal | None):
            return None if value is None else float(value)

        return {
            "file": self.file,
            "ok": self.ok,
            "error": self.error,
            "rows": [
                {
                    "line": r.line,
                    "national_id": r.national_id,
                    "birth_date": r.birth_date.isoformat() if r.birth_date else None,
                    "name": r.name,
                    "employee_no": r.employee_no,
                    "basis": number(r.basis),
                    "amount": number(r.amount),
                }
                for r in self.rows
            ],
            "warnings": [{"line": w.line, "message": w.message} for w in self.warnings],
            "total": number(self.total),
        }

    def to_wire(self) -> dict:
        def exact(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "file": self.file,
            "ok": self.ok,
            "error": self.error,
            "kind": self.kind,
            "note": self.note,
            "failure": self.failure,
            "stated_total": exact(self.stated_total),
            "layout_used": self.layout_used,
            "rows": [
                [
                    r.line,
                    r.national_id,
                    r.birth_date.isoformat() if r.birth_date else None,
                    r.name,
                    r.employee_no,
                    exact(r.basis),
                    exact(r.amount),
                    r.period.isoformat() if r.period else None,
                ]
                for r in self.rows
            ],
            "warnings": [[w.line, w.message] for w in self.warnings],
        }

    @classmethod
    def from_wire(cls, wire: dict) -> ParseResult:
        def exact(value: str | None) -> Decimal | None:
            return None if value is None else Decimal(value)

        rows = [
            Row(
                line,
                national_id,
                date.fromisoformat(born) if born else None,
                name,
                employee_no,
                exact(basis),
                exact(amount),
                date.fromisoformat(period) if period else None,
            )
            for line, national_id, born, name, employee_no, basis, amount, period in wire["rows"]
        ]
        return cls(
            file=wire["file"],
            ok=wire["ok"],
            error=wire["error"],
            rows=rows,
            warnings=[ListWarning(line, message) for line, message in wire["warnings"]],
            kind=wire["kind"],
            note=wire["note"],
            failure=wire["failure"],
            stated_total=exact(wire.get("stated_total")),
            layout_used=wire.get("layout_used"),
        )
