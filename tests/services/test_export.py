"""Exports open in Excel with no formula in them, whatever users typed."""

import io
from datetime import date

import openpyxl

from services import audit, export
from services.accounts import companies
from services.accounts.access import CLI, Actor
from services.lists import inbox, submissions
from services.register import worklist
from tests import listfiles
from tests.helpers import add_employer

HOSTILE = ('=HYPERLINK("http://evil.test","klikk")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR")


def cells(data: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_text_that_looks_like_a_formula_is_written_as_text():
    for text in HOSTILE:
        assert export.safe_text(text) == "'" + text
    assert export.safe_text("Berg, Anne") == "Berg, Anne" and export.safe_text(-520) == -520


def test_worklist_log_and_period_exports_neutralise_every_cell(store):
    company = companies.add_company(store, actor=CLI, orgnr="910000004", name='=HYPERLINK("http://x") AS')
    kari = add_employer(store)
    sender = Actor(kari.id, kari.email, kari.role)
    rows = "Fnr;Navn;Trekk\n" + "".join(
        f"{listfiles.make_fnr(date(1980, 1, 1 + n))};{name};500,00\n" for n, name in enumerate(HOSTILE)
    )
    submissions.submit(
        store,
        actor=sender,
        company_id=company.id,
        period=date(2026, 10, 1),
        contact_email=kari.email,
        remark="=1+1",
        uploads=[submissions.Upload("l.csv", rows.encode())],
        today=date(2026, 11, 15),
    )
    made = [
        worklist.export(store, actor=CLI),
        audit.export(store, actor=CLI),
        inbox.export_period(store, actor=CLI, period=date(2026, 10, 1)),
    ]
    found_formulas = 0
    for data in made:
        for row in cells(data):
            for value in row:
                if isinstance(value, str) and value.startswith(export.FORMULA_STARTS):
                    found_formulas += 1
    assert found_formulas == 0
    names = [row[3] for row in cells(made[0])[1:]]
    assert '\'=HYPERLINK("http://evil.test","klikk")' in names
    stored_total = float(store.value("SELECT total FROM submissions"))
    assert cells(made[2])[1][7] == "'=1+1" and cells(made[2])[1][6] == stored_total
