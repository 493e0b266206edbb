"""Exports open in Excel with no formula in them, whatever users typed."""

import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl

from services import audit, export
from services.access import CLI, Actor
from services.accounts import companies
from services.lists import inbox, portal_list, submissions
from services.register import members, worklist
from tests import listfiles
from tests.helpers import add_employer

HOSTILE = ('=HYPERLINK("http://evil.test","klikk")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR")


def cells(data: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def formulas_in(data: bytes) -> int:
    """Formula cells in a workbook, by the file itself: `<f>` elements in its sheets, and cells
    openpyxl reads back as formulas."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        in_xml = sum(
            len(re.findall(rb"<(?:\w+:)?f[ >/]", book.read(name)))
            for name in book.namelist()
            if name.startswith("xl/worksheets/")
        )
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return in_xml + sum(1 for row in sheet.iter_rows() for c in row if c.data_type == "f")


def test_text_for_a_downloaded_csv_gets_an_apostrophe():
    """A table's CSV download has no cell types: there the apostrophe is the guard."""
    for text in HOSTILE:
        assert export.safe_text(text) == "'" + text
    assert export.safe_text("Berg, Anne") == "Berg, Anne" and export.safe_text(-520) == -520


def test_every_excel_file_holds_text_as_typed_and_no_formula(store, figure):
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
    members.add_member(
        store,
        actor=CLI,
        member_no="=2*3",
        name='=HYPERLINK("http://evil.test","medlem")',
        company_id=company.id,
        national_id=listfiles.make_fnr(date(1975, 5, 5)),
        valid_from=date(2020, 1, 1),
    )
    november = date(2026, 11, 1)
    made = {
        "worklist": worklist.export(store, actor=CLI),
        "log": audit.export(store, actor=CLI),
        "period": inbox.export_period(store, actor=CLI, period=date(2026, 10, 1)),
        "template": portal_list.template(store, actor=sender, company_id=company.id, period=november),
        "list file": portal_list.list_file([("", date(1975, 5, 5), '=HYPERLINK("http://evil.test")', Decimal("1"))]),
    }
    found = {name: formulas_in(data) for name, data in made.items()}
    # The values as typed: what the store holds, not a character more.
    expected_text = {
        "worklist": ['=HYPERLINK("http://evil.test","klikk")', "@SUM(A1)"],
        "period": ["=1+1", '=HYPERLINK("http://x") AS'],
        "template": ["=2*3", '=HYPERLINK("http://evil.test","medlem")'],
        "list file": ['=HYPERLINK("http://evil.test")'],
    }
    changed = [
        (name, text)
        for name, texts in expected_text.items()
        for text in texts
        if text not in [v for row in cells(made[name]) for v in row]
    ]
    stored_total = float(store.value("SELECT total FROM submissions"))
    assert cells(made["period"])[1][6] == stored_total
    figure(
        f"excel exports: {len(made)} files, {sum(found.values())} formulas,"
        f" {len(changed)} values changed (of {sum(len(t) for t in expected_text.values())} hostile texts)"
    )
    assert sum(found.values()) == 0, found
    assert changed == [], changed
