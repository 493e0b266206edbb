"""Columns remembered per company: when the parser cannot tell which column is which, or the
clerk disagrees, the clerk picks the columns and the header row once; the choice is saved for
the company and used for every later file with the same header row. Staff can see and reset it.

The file is read only by the sandboxed worker, here as elsewhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from services import audit
from services.access import Actor, require_company
from services.db import Store, Tx, utcnow
from services.errors import InvalidInput, NotFound
from services.reading import sandbox
from services.reading.columns import (
    AMOUNT,
    BIRTH_DATE,
    HEADER_SCAN_ROWS,
    NATIONAL_ID,
    SYNONYMS,
    ChosenLayout,
    header_key,
)
from services.reading.result import ParseResult

PREVIEW_ROWS = 15


@dataclass(frozen=True)
class SheetPreview:
    """The first rows of a sheet, for the clerk to pick the header row and the columns from."""

    index: int
    name: str
    rows: list[list]


@dataclass(frozen=True)
class SavedLayout:
    id: int
    header_key: str
    sheet: int
    header_row: int
    columns: dict[str, int]
    saved_by: str | None
    saved_at: datetime


def chosen_for(store: Store, *, actor: Actor, company_id: int) -> list[ChosenLayout]:
    """The layouts the company's clerks have chosen, newest first: what the parser tries first."""
    require_company(store, actor=actor, company_id=company_id)
    rows = store.rows(
        "SELECT header_key, sheet, header_row, columns FROM column_layouts WHERE company_id = ? ORDER BY saved_at DESC",
        [company_id],
    )
    return [ChosenLayout(key, sheet, row, json.loads(columns)) for key, sheet, row, columns in rows]


def listed(store: Store, *, actor: Actor, company_id: int) -> list[SavedLayout]:
    require_company(store, actor=actor, company_id=company_id)
    rows = store.rows(
        "SELECT l.id, l.header_key, l.sheet, l.header_row, l.columns, u.name, l.saved_at"
        " FROM column_layouts l LEFT JOIN users u ON u.id = l.saved_by WHERE l.company_id = ? ORDER BY l.saved_at DESC",
        [company_id],
    )
    return [
        SavedLayout(i, key, sheet, row, json.loads(columns), by, at) for i, key, sheet, row, columns, by, at in rows
    ]


def preview(data: bytes, filename: str) -> list[SheetPreview]:
    """The file's sheets, first rows only, read by the worker."""
    try:
        tables = sandbox.read_tables(data, filename)
    except sandbox.TablesUnreadable as problem:
        raise InvalidInput(str(problem)) from None
    return [
        SheetPreview(index, name, [list(row) for row in rows[:PREVIEW_ROWS]])
        for index, (name, rows, _) in enumerate(tables.sheets)
    ]


def remember(
    store: Store,
    *,
    actor: Actor,
    company_id: int,
    data: bytes,
    filename: str,
    sheet: int,
    header_row: int,
    columns: dict[str, int],
) -> ParseResult:
    """Save the clerk's choice for the company, once the file reads with it; returns the file as
    read. A later choice for the same header row replaces the earlier."""
    require_company(store, actor=actor, company_id=company_id)
    columns = {role: int(col) for role, col in columns.items() if role in SYNONYMS and col is not None}
    if AMOUNT not in columns or not ({NATIONAL_ID, BIRTH_DATE} & set(columns)):
        raise InvalidInput("Velg minst kolonnen med beløp og kolonnen med fødselsnummer eller fødselsdato.")
    if len(set(columns.values())) != len(columns):
        raise InvalidInput("En kolonne kan bare ha én betydning.")
    if not 0 <= header_row < HEADER_SCAN_ROWS:
        raise InvalidInput(f"Overskriftsraden må være en av de {HEADER_SCAN_ROWS} første radene.")
    sheets = preview(data, filename)
    if not 0 <= sheet < len(sheets) or header_row >= len(sheets[sheet].rows):
        raise InvalidInput("Filen har ikke den raden. Velg overskriftsraden på nytt.")
    key = header_key(sheets[sheet].rows[header_row])
    if not key.strip("|"):
        raise InvalidInput("Overskriftsraden er tom. Velg raden med kolonnenavnene.")
    choice = ChosenLayout(key, sheet, header_row, columns)
    result = sandbox.parse(data, filename, chosen=[choice])
    if not result.ok or not any(r.amount is not None for r in result.rows):
        raise InvalidInput("Med disse kolonnene fant vi ingen personer med beløp. Sjekk valgene og prøv igjen.")
    now = utcnow()

    def work(tx: Tx) -> None:
        # One per company and header row (a unique index): the newest choice replaces the one before.
        tx.execute("DELETE FROM column_layouts WHERE company_id = ? AND header_key = ?", [company_id, key])
        tx.execute(
            "INSERT INTO column_layouts (company_id, header_key, sheet, header_row, columns, saved_by, saved_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [company_id, key, sheet, header_row, json.dumps(columns, sort_keys=True), actor.user_id, now],
        )
        audit.record(
            tx, actor=actor, action="layout.remember", company_id=company_id, detail=f"{len(columns)} kolonner"
        )

    store.transaction(work)
    return result


def forget(store: Store, *, actor: Actor, company_id: int, layout_id: int) -> None:
    """Staff reset a remembered choice: the next file with that header is read by the parser again."""
    actor.require_staff()

    def work(tx: Tx) -> None:
        found = tx.value("SELECT count(*) FROM column_layouts WHERE id = ? AND company_id = ?", [layout_id, company_id])
        if not found:
            raise NotFound("Kolonneoppsettet finnes ikke lenger.")
        tx.execute("DELETE FROM column_layouts WHERE id = ?", [layout_id])
        audit.record(tx, actor=actor, action="layout.forget", company_id=company_id, target=str(layout_id))

    store.transaction(work)
