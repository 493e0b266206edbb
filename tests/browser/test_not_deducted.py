"""Answering for utrukne members in the browser: every status, Annet with its comment."""

from playwright.sync_api import expect

from tests.browser.conftest import EMPLOYER, UTRUKNE, go, log_in, settle


def choose(page, row_name: str, status: str) -> None:
    row = page.locator("[data-testid=stHorizontalBlock]").filter(has_text=row_name)
    row.get_by_role("combobox").click()
    page.get_by_role("option", name=status, exact=True).click()
    settle(page)


def test_an_utrukket_member_answered_with_each_status(page):
    log_in(page, EMPLOYER)
    expect(page.get_by_role("heading", name="Help Forsikring AS").first).to_be_visible()
    page.get_by_role("combobox", name="Bedrift").click()
    page.get_by_role("option", name="Nordsjø Service AS").click()
    expect(page.get_by_role("heading", name="Nordsjø Service AS").first).to_be_visible()
    expect(page.get_by_text("4 utrukne medlemmer venter på status.")).to_be_visible()
    go(page, "Utrukne")
    expect(page.get_by_role("heading", name="Utrukne").first).to_be_visible()
    for name in UTRUKNE:
        expect(page.get_by_text(name)).to_be_visible()
    for name, status in zip(UTRUKNE, ["Ansatt", "Permittert", "Sluttet i bedrift", "Annet"], strict=True):
        choose(page, name, status)
    expect(page.get_by_label("Kommentar:")).to_be_visible()
    page.get_by_role("button", name="Send status").click()
    expect(page.get_by_text("Skriv en kommentar når du velger «Annet».")).to_be_visible()
    page.get_by_label("Kommentar:").fill("Langtidssykmeldt, ingen lønn")
    page.get_by_role("button", name="Send status").click()
    expect(page.get_by_text("Status er sendt for 4 medlemmer.")).to_be_visible()
    expect(page.get_by_text("Det er ingen utrukne medlemmer som venter på svar.")).to_be_visible()
    answered = page.locator("[data-testid=stDataFrame]")
    for text in ("Ansatt", "Permittert", "Sluttet i bedrift", "Annet", "Langtidssykmeldt, ingen lønn"):
        expect(answered).to_contain_text(text)
