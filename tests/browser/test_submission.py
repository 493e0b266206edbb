"""Sending a list in the browser: real files through the real upload control."""

from datetime import date

from playwright.sync_api import expect

from services import localtime, periods
from tests import listfiles
from tests.browser.conftest import EMPLOYER, LARGE_LIST, TIMEOUT_MS, go, log_in, settle

PEOPLE = [
    (listfiles.make_fnr(date(1990, 1, 1)), "Nordmann", "Ola", 624.00),
    (listfiles.make_fnr(date(1975, 3, 9)), "Ås", "Kjersti", 676.01),
]


def open_submission_page(page):
    log_in(page, EMPLOYER)
    expect(page.get_by_role("heading", name="Help Forsikring AS").first).to_be_visible()
    go(page, "Innsending")
    expect(page.get_by_role("heading", name="Send inn trekkliste").first).to_be_visible()


def test_two_files_with_a_remark_preview_confirmation_receipt_history(page, tmp_path, mailbox):
    first = listfiles.xlsx(
        tmp_path / "oktober.xlsx",
        {"Ark1": [["Fnr", "Etternavn", "Fornavn", "Trekk"]] + [[p[0], p[1], p[2], p[3]] for p in PEOPLE]},
    )
    second = listfiles.text(
        tmp_path / "tillegg.csv",
        ["Fødselsnummer;Navn;Trekk", f"{listfiles.make_fnr(date(2001, 11, 23))};Bø, Øystein;793,00"],
        "cp1252",
    )
    open_submission_page(page)
    page.locator("input[type=file]").set_input_files([str(first), str(second)])
    settle(page)
    expect(page.get_by_text("2 personer · sum 1\u00a0300,01\u00a0kr")).to_be_visible()
    expect(page.get_by_text("1 personer · sum 793,00\u00a0kr")).to_be_visible()
    page.get_by_label("Merknad:").fill("Én ny ansatt fra oktober")
    # Other tests of the session send lists for Kari too: only this send's receipt counts.
    receipts_before = [m for m in mailbox.mails_to(EMPLOYER) if m["subject"].startswith("Kvittering")]
    page.get_by_role("button", name="Send inn").click()
    expect(page.get_by_text("Trekklisten for Help Forsikring AS (910000004) er sendt inn for")).to_be_visible()
    expect(page.get_by_text("oktober.xlsx, tillegg.csv")).to_be_visible()

    for _ in range(100):
        receipts = [m for m in mailbox.mails_to(EMPLOYER) if m["subject"].startswith("Kvittering")]
        if len(receipts) > len(receipts_before):
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(500)  # a second receipt for one send would arrive by now
    receipts = [m for m in mailbox.mails_to(EMPLOYER) if m["subject"].startswith("Kvittering")]
    assert len(receipts) == len(receipts_before) + 1
    body = receipts[-1]["content"][0]["value"]
    assert "Help Forsikring AS" in body and "oktober.xlsx" in body and "2\u00a0093,01\u00a0kr" in body
    assert PEOPLE[0][0] not in body and "Nordmann" not in body

    go(page, "Innsendte lister det siste året")
    expect(page.get_by_text("Det er ikke mulig å laste ned filene")).to_be_visible()
    grid = page.locator("[data-testid=stDataFrame]")
    expect(grid).to_be_visible()
    expect(grid).to_contain_text(periods.short(periods.previous(localtime.today())))


def test_a_corrupt_file_gets_a_plain_error(page, tmp_path):
    broken = tmp_path / "ødelagt.xlsx"
    broken.write_bytes(b"%PDF-1.4 not really a spreadsheet")
    open_submission_page(page)
    page.locator("input[type=file]").set_input_files(str(broken))
    settle(page)
    # The content decides the format: a PDF named .xlsx is read as a PDF, and the user is told so.
    expect(page.get_by_text("Filen heter «.xlsx», men er en PDF.")).to_be_visible()
    page.get_by_role("button", name="Send inn").click()
    expect(page.get_by_text("Listen kan ikke sendes inn")).to_be_visible()


def test_a_list_of_100_000_rows_is_previewed_and_sent_from_the_page(page, tmp_path):
    """The union's largest employers send lists this long (issue 25): read, previewed in pages,
    and sent, through the real upload control."""
    born = [date(1940 + n % 60, 1 + n // 60 % 12, 1 + n // 720 % 28) for n in range(100_000)]
    rows = [f"{listfiles.make_fnr(b, 20 * (n // 20160))};P{n}, Q;1,00" for n, b in enumerate(born)]
    large = listfiles.text(tmp_path / "stor.csv", ["Fødselsnummer;Navn;Trekk", *rows], "utf-8")
    log_in(page, LARGE_LIST)
    go(page, "Innsending")
    page.locator("input[type=file]").set_input_files(str(large))
    slow = TIMEOUT_MS * 6
    expect(page.get_by_text("100000 personer · sum 100\u00a0000,00\u00a0kr")).to_be_visible(timeout=slow)
    expect(page.get_by_text("Viser 10 av 100000 personer")).to_be_visible()
    page.get_by_role("button", name="Send inn").click()
    expect(page.get_by_text("100000 personer, til sammen 100\u00a0000,00\u00a0kr.", exact=False)).to_be_visible(
        timeout=slow
    )
