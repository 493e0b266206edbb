"""The access report (GDPR art. 15, issue 26): everything the portal holds about the member, in
Excel and PDF, and nothing about anyone else."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from services.errors import AccessDenied
from services.register import rectify
from services.reports import access_report
from tests.services.register.test_person import OTHER, SIRI, A, siri, staff  # noqa: F401 - the fixture

# Each table that names a person, and how many of its rows name Siri (member id ? / person key ?).
NAMING = {
    "members": "SELECT count(*) FROM members WHERE id = ?",
    "employments": "SELECT count(*) FROM employments WHERE member_id = ?",
    "submission_rows": "SELECT count(*) FROM submission_rows r WHERE r.person_key = ?",
    "reconciliation_items": "SELECT count(*) FROM reconciliation_items WHERE member_id = ?",
    "utrukket_answers": "SELECT count(*) FROM utrukket_answers a JOIN reconciliation_items i ON i.id = a.item_id"
    " WHERE i.member_id = ?",
    "letter_members": "SELECT count(*) FROM letter_members lm JOIN employments e ON e.id = lm.employment_id"
    " WHERE e.member_id = ?",
    "member_corrections": "SELECT count(*) FROM member_corrections WHERE member_id = ?",
}
# Where the report shows each: its sheet, and how to count the rows there.
SHOWN = {
    "members": ("Medlem", len),
    "employments": ("Ansettelser", len),
    "submission_rows": ("Trekklister", len),
    "reconciliation_items": ("Avstemming", len),
    "utrukket_answers": ("Avstemming", lambda rows: sum(len(r[5].split("; ")) for r in rows if r[5])),
    "letter_members": ("Brev", len),
    "member_corrections": ("Rettelser", len),
}


def sheets_of(data: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(data))
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows(min_row=2)] for ws in book.worksheets}


def test_the_report_covers_every_table_naming_the_member_and_no_one_else(store, siri, figure):  # noqa: F811
    actor = staff(store)
    member_id = siri["member_id"]
    rectify.correct_member(store, actor=actor, member_id=member_id, name="Dahl, Siri Marie", reason="Navneendring")
    sheets = sheets_of(access_report.excel(store, actor=actor, member_id=member_id))
    covered = 0
    for table, sql in NAMING.items():
        key = SIRI if table == "submission_rows" else member_id
        in_store = store.value(sql, [key])
        sheet, count = SHOWN[table]
        assert count(sheets[sheet]) == in_store, table
        covered += 1
    cells = [str(v) for rows in sheets.values() for row in rows for v in row if v is not None]
    others = [c for c in cells if OTHER in c or "Annen" in c]
    assert others == []
    assert any("Dahl, Siri Marie" in c for c in cells) and any(SIRI in c for c in cells)
    text = "".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(access_report.pdf(store, actor=actor, member_id=member_id))).pages
    )
    assert "Dahl, Siri Marie" in text and "Trekklister" in text and "Avstemming" in text
    assert OTHER not in text and "Annen" not in text
    made = store.rows("SELECT target, detail FROM audit_log WHERE action = 'person.report' ORDER BY id")
    assert made == [("2001", "Excel"), ("2001", "PDF")]
    figure(
        f"access report: every table naming the person covered ({covered}/{len(NAMING)}),"
        f" {len(others)} other persons' data in it"
    )


def test_an_employer_gets_no_report(store, siri):  # noqa: F811
    with pytest.raises(AccessDenied):
        access_report.excel(store, actor=siri["clerks"][A], member_id=siri["member_id"])
