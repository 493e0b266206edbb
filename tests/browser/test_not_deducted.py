"""Answering for utrukne members in the browser, in the table: every status, Annet with its
comment, and an answer changed afterwards with the first one kept."""

from playwright.sync_api import expect

from tests.browser.conftest import EMPLOYER, UTRUKNE, go, log_in, open_expander
from tests.browser.grid import Grid

COLUMNS = ["Fødselsdato", "Navn", "Periode utrukket", "Status", "Kommentar", "Besvart"]


def test_an_utrukket_member_answered_with_each_status_then_changed(page):
    log_in(page, EMPLOYER)
    expect(page.get_by_role("heading", name="Help Forsikring AS").first).to_be_visible()
    page.get_by_role("combobox", name="Bedrift").click()
    page.get_by_role("option", name="Nordsjø Service AS").click()
    expect(page.get_by_role("heading", name="Nordsjø Service AS").first).to_be_visible()
    expect(page.get_by_text("4 utrukne medlemmer venter på status.")).to_be_visible()
    go(page, "Utrukne")
    expect(page.get_by_role("heading", name="Utrukne").first).to_be_visible()
    grid = page.locator("[data-testid=stDataFrame]").first
    for name in UTRUKNE:
        expect(grid).to_contain_text(name)
    table = Grid(page, COLUMNS)
    for name, status in zip(UTRUKNE, ["Ansatt", "Permittert", "Sluttet i bedrift", "Annet"], strict=True):
        table.edit(name, "Status", option=status)
    page.get_by_role("button", name="Send status").click()
    expect(page.get_by_text("Skriv en kommentar når du velger «Annet».")).to_be_visible()
    table.edit(UTRUKNE[3], "Kommentar", text="Langtidssykmeldt, ingen lønn")
    page.get_by_role("button", name="Send status").click()
    expect(page.get_by_text("Status er sendt for 4 medlemmer.")).to_be_visible()
    expect(page.get_by_text("0 venter på svar.")).to_be_visible()
    for text in ("Ansatt", "Permittert", "Sluttet i bedrift", "Annet", "Langtidssykmeldt, ingen lønn", "Kari Nordmann"):
        expect(grid).to_contain_text(text)

    # Not yet handled by the union: the answer can be changed, and the first one is kept.
    table = Grid(page, COLUMNS)  # a new table after the send
    table.edit(UTRUKNE[0], "Status", option="Permittert")
    page.get_by_role("button", name="Send status").click()
    expect(page.get_by_text("Status er sendt for 1 medlem.")).to_be_visible()
    open_expander(page, "Alle svar som er gitt")
    history = page.locator("[data-testid=stExpander] [data-testid=stDataFrame]")
    expect(history).to_contain_text(UTRUKNE[0])
    assert (
        page.locator("[data-testid=stExpander] [data-testid=stDataFrame] [role=gridcell]", has_text=UTRUKNE[0]).count()
        == 2
    )
