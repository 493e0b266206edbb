"""A clerk with two companies, through the month in the browser (issue 14): the company holds
through a reload and a new tab and is named on the form, in the message and in the receipt; a
list filled in on the page is sent; a file with headers nobody knows is mapped once and the next
file with those headers is read at once; a second list for a period asks correction or supplement."""

from datetime import date

from playwright.sync_api import expect

from services import localtime, periods
from tests.browser.conftest import EMPLOYER, go, log_in, settle
from tests.browser.grid import Grid
from tests.browser.test_union_staff_day import pick
from tests.services.lists.test_layouts import OCTOBER, odd_list

LAST = periods.previous(localtime.today())
FILLED, MAPPED = periods.add_months(LAST, -2), periods.add_months(LAST, -4)
FOLLOWING = periods.add_months(MAPPED, 1)
FILL_COLUMNS = ["Medlemsnr", "Navn", "Fødselsdato", "Beløp", "Trukket?", "Kommentar"]


def choose_period(page, period: date) -> None:
    pick(page, "Velg måned", periods.MONTHS[period.month - 1].capitalize())
    pick(page, "År", str(period.year))


def switch_to(page, company: str, orgnr: str) -> None:
    pick(page, "Bedrift", f"{company} ({orgnr})")
    expect(page.get_by_text(f"{company} · org.nr. {orgnr}")).to_be_visible()


def send(page, company: str, orgnr: str, period: date) -> None:
    page.get_by_role("button", name="Send inn").click()
    expect(
        page.get_by_text(f"Trekklisten for {company} ({orgnr}) er sendt inn for {periods.label(period).lower()}")
    ).to_be_visible()


def test_a_clerks_month_with_two_companies(page, context, portal, tmp_path, mailbox):
    log_in(page, EMPLOYER)
    expect(page.get_by_role("heading", name="Help Forsikring AS").first).to_be_visible()

    # The right company every time: in the URL, through a reload and in a new tab.
    switch_to(page, "Nordsjø Service AS", "920000002")
    go(page, "Innsending")
    expect(page.get_by_text("For Nordsjø Service AS, organisasjonsnummer 920000002")).to_be_visible()
    assert "bedrift=920000002" in page.url
    page.reload()
    settle(page)
    expect(page.get_by_role("heading", name="Send inn trekkliste").first).to_be_visible()
    expect(page.get_by_text("For Nordsjø Service AS, organisasjonsnummer 920000002")).to_be_visible()
    other_tab = context.new_page()
    other_tab.goto(page.url)
    settle(other_tab)
    expect(other_tab.get_by_text("Nordsjø Service AS · org.nr. 920000002")).to_be_visible()
    other_tab.close()

    # A list filled in on the page: one member deducted, three not, each with why.
    go(page, "Registrer trekk")
    expect(page.get_by_role("heading", name="Registrer trekk i portalen").first).to_be_visible()
    choose_period(page, FILLED)
    table = Grid(page, FILL_COLUMNS)
    table.edit("Berg, Anne", "Beløp", text="512")
    for name, why in (("Hansen, Per", "Permittert"), ("Lie, Tone", "Sluttet i bedrift"), ("Vik, Geir", "Ansatt")):
        table.edit(name, "Trukket?", option=why)
    expect(page.get_by_text("1 personer · sum 512,00\u00a0kr")).to_be_visible()
    receipts_before = len([m for m in mailbox.mails_to(EMPLOYER) if m["subject"].startswith("Kvittering")])
    send(page, "Nordsjø Service AS", "920000002", FILLED)
    for _ in range(100):
        receipts = [m for m in mailbox.mails_to(EMPLOYER) if m["subject"].startswith("Kvittering")]
        if len(receipts) > receipts_before:
            break
        page.wait_for_timeout(100)
    assert receipts[-1]["subject"].endswith("Nordsjø Service AS")
    assert "Bedrift: Nordsjø Service AS (920000002)" in receipts[-1]["content"][0]["value"]

    # A file with headers the portal does not know: the columns are picked once.
    switch_to(page, "Help Forsikring AS", "910000004")
    go(page, "Innsending")
    choose_period(page, MAPPED)
    first = tmp_path / "lonnsrapport-1.csv"
    first.write_bytes(OCTOBER)
    page.locator("input[type=file]").set_input_files(str(first))
    settle(page)
    expect(page.get_by_text("Fant ingen trekkliste i filen.")).to_be_visible()
    pick(page, "Raden med kolonnenavnene", "Rad 2")
    pick(page, "Kolonne A", "Fødselsnummer")
    pick(page, "Kolonne B", "Navn")
    pick(page, "Kolonne C", "Beløp (trekk)")
    page.get_by_role("button", name="Bruk disse kolonnene og husk dem for bedriften").click()
    expect(page.get_by_text("2 personer · sum 810,00\u00a0kr")).to_be_visible()
    expect(page.get_by_text("Lest med kolonnene dere har valgt for denne typen fil.")).to_be_visible()
    send(page, "Help Forsikring AS", "910000004", MAPPED)

    # The next month's file with the same headers is read without asking.
    choose_period(page, FOLLOWING)
    following = tmp_path / "lonnsrapport-2.csv"
    following.write_bytes(odd_list([(date(1980, 1, 10), "Berg, Anne", "420,00")]))
    page.locator("input[type=file]").set_input_files(str(following))
    settle(page)
    expect(page.get_by_text("1 personer · sum 420,00\u00a0kr")).to_be_visible()
    expect(page.get_by_text("Fant ingen trekkliste i filen.")).to_have_count(0)
    send(page, "Help Forsikring AS", "910000004", FOLLOWING)

    # The same period again: the portal says when it was sent and asks what the new list is.
    choose_period(page, FOLLOWING)
    again = tmp_path / "lonnsrapport-3.csv"
    again.write_bytes(odd_list([(date(1981, 2, 11), "Hansen, Per", "410,00")]))
    page.locator("input[type=file]").set_input_files(str(again))
    settle(page)
    expect(page.get_by_text("Listen for denne perioden er allerede sendt inn")).to_be_visible()
    expect(page.get_by_text("av Kari Nordmann")).to_be_visible()
    page.get_by_text("et tillegg (personer som manglet)").click()
    settle(page)
    send(page, "Help Forsikring AS", "910000004", FOLLOWING)
