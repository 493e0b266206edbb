"""«Velg kolonnene selv»: the clerk tells which column is which, for a file the parser cannot
read on its own or reads wrongly; the choice is remembered for the company."""

from __future__ import annotations

import hashlib
import string

import pandas as pd
import streamlit as st

from pages.ui.run import actor, store
from pages.ui.widgets import show_error, table
from services.errors import PortalError
from services.lists import layouts
from services.reading import columns as roles

ROLE_LABELS = {
    None: "—",
    roles.NATIONAL_ID: "Fødselsnummer",
    roles.BIRTH_DATE: "Fødselsdato",
    roles.NAME: "Navn",
    roles.SURNAME: "Etternavn",
    roles.FIRST_NAME: "Fornavn",
    roles.AMOUNT: "Beløp (trekk)",
    roles.EMPLOYEE_NO: "Ansattnr. eller medlemsnr.",
    roles.BASIS: "Trekkgrunnlag",
    roles.PERIOD: "Periode",
}


def _letter(index: int) -> str:
    letters = string.ascii_uppercase
    return letters[index] if index < 26 else letters[index // 26 - 1] + letters[index % 26]


def _shown(cell) -> str:
    if cell is None:
        return ""
    if hasattr(cell, "strftime"):
        return cell.strftime("%d.%m.%Y")
    return str(cell)


def _first_rows(data: bytes, name: str, key: str) -> list[layouts.SheetPreview]:
    """The file's first rows, read by the worker once per file, not on every choice made."""
    this_file = (hashlib.sha256(data).hexdigest(), name)
    kept = st.session_state.get(f"{key}_first_rows")
    if kept is not None and kept[0] == this_file:
        return kept[1]
    sheets = layouts.preview(data, name)
    st.session_state[f"{key}_first_rows"] = (this_file, sheets)
    return sheets


def pick_columns(*, company_id: int, name: str, data: bytes, key: str, open_at_start: bool) -> bool:
    """Draw the picker for one uploaded file. True once a choice is saved (the caller reads again)."""
    if not st.toggle("Velg kolonnene selv", value=open_at_start, key=f"{key}_open"):
        return False
    try:
        sheets = _first_rows(data, name, key)
    except PortalError as problem:
        show_error(problem)
        return False
    if not sheets:
        return False
    sheet = sheets[0]
    if len(sheets) > 1:
        chosen = st.selectbox(
            "Ark",
            [s.index for s in sheets],
            format_func=lambda i: sheets[i].name or f"Ark {i + 1}",
            key=f"{key}_sheet",
            placeholder="Velg …",
        )
        sheet = sheets[chosen]
    width = max((len(row) for row in sheet.rows), default=0)
    if not width:
        st.info("Arket er tomt.")
        return False
    letters = [_letter(i) for i in range(width)]
    table(
        pd.DataFrame(
            [[_shown(row[i]) if i < len(row) else "" for i in range(width)] for row in sheet.rows],
            columns=letters,
            index=range(1, len(sheet.rows) + 1),
        ),
        width="stretch",
    )
    header_row = st.selectbox(
        "Raden med kolonnenavnene",
        list(range(len(sheet.rows))),
        format_func=lambda i: f"Rad {i + 1}",
        key=f"{key}_header",
        placeholder="Velg …",
    )
    st.caption("Velg hva hver kolonne inneholder. Beløp og fødselsnummer (eller fødselsdato) må være med.")
    picked: dict[str, int] = {}
    boxes = st.columns(min(width, 6))
    for index, letter in enumerate(letters):
        role = boxes[index % len(boxes)].selectbox(
            f"Kolonne {letter}",
            list(ROLE_LABELS),
            format_func=ROLE_LABELS.get,
            key=f"{key}_col_{index}",
            placeholder="Velg …",
        )
        if role is not None:
            if role in picked:
                st.warning(f"«{ROLE_LABELS[role]}» er valgt for mer enn én kolonne; den siste gjelder ikke.")
                continue
            picked[role] = index
    if st.button("Bruk disse kolonnene og husk dem for bedriften", key=f"{key}_save"):
        try:
            layouts.remember(
                store(),
                actor=actor(),
                company_id=company_id,
                data=data,
                filename=name,
                sheet=sheet.index,
                header_row=header_row,
                columns=picked,
            )
        except PortalError as problem:
            show_error(problem)
            return False
        return True
    return False
