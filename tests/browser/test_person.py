"""«Person» in the browser (issue 26): staff search a member, open the page, download the access
report, and the file holds the member's own data."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import STAFF, download_by_click, go, log_in, settle


def test_staff_search_open_and_download_the_access_report(page, tmp_path):
    log_in(page, STAFF)
    go(page, "Person")
    search = page.get_by_label("Søk etter person")
    search.fill("tone lie")
    search.press("Enter")
    settle(page)
    expect(page.get_by_text("1 treff")).to_be_visible()
    page.get_by_role("button", name="Vis", exact=True).click()
    expect(page.get_by_role("heading", name="Lie, Tone")).to_be_visible()
    expect(page.get_by_role("heading", name="Måned for måned")).to_be_visible()
    page.screenshot(path=str(tmp_path / "person.png"), full_page=True)
    download = download_by_click(page, page.get_by_role("button", name="Innsyn for personen (Excel)"))
    assert download.suggested_filename == "innsyn-7002.xlsx"
    book = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    assert [ws.title for ws in book.worksheets] == [
        "Medlem",
        "Ansettelser",
        "Trekklister",
        "Avstemming",
        "Brev",
        "Rettelser",
    ]
    member = [c.value for c in book["Medlem"][2]]
    assert member[:2] == ["7002", "Lie, Tone"]
    outcomes = [row[2].value for row in book["Avstemming"].iter_rows(min_row=2)]
    assert "Ikke trukket (utrukket)" in outcomes
