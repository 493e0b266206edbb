"""Letters in the browser: staff make them, the employer downloads one and sees it marked."""

import io

import pypdf
from playwright.sync_api import expect

from tests import listfiles
from tests.browser.conftest import EMPLOYER, STAFF, download_by_click, go, log_in, settle, wait_for_mails


def test_staff_creates_letters_employer_downloads_one(page, context, browser, portal, tmp_path, mailbox):
    log_in(page, STAFF)
    expect(page.get_by_role("heading", name="Administrasjon").first).to_be_visible()
    go(page, "Brev til bedrifter")
    expect(page.get_by_role("heading", name="Brev til bedrifter").first).to_be_visible()

    page.get_by_role("combobox", name="Bedrift").click()
    page.get_by_role("option", name="Help Forsikring AS (910000004)").click()
    settle(page)
    page.get_by_role("tab", name="Lag brev fra mal").click()
    page.get_by_label("Eller lim inn fra et regneark").fill(
        "Bø, Øystein;23.11.2001;12.2026;1,3 % (maks 575 kr)\nÅs, Kjersti;09.03.1975;12.2026;1,47 %"
    )
    before = len(mailbox.mails_to(EMPLOYER))
    page.get_by_role("button", name="Lag brev").click()
    expect(page.get_by_text("«Vedrørende kontingenttrekk for våre medlemmer» er laget")).to_be_visible()
    assert len(wait_for_mails(mailbox, EMPLOYER, before + 1)) == before + 1
    notice = mailbox.mails_to(EMPLOYER)[-1]
    assert notice["subject"] == "Nytt brev fra forbundet i trekklisteportalen"
    assert "Øystein" not in notice["content"][0]["value"]

    pdf = tmp_path / "informasjon.pdf"
    listfiles.pdf(pdf, ["Informasjon om kontingentsatser for 2027"])
    page.get_by_role("tab", name="Last opp PDF").click()
    page.get_by_label("Emne").fill("Nye satser fra 2027")
    page.locator("input[type=file]").set_input_files(str(pdf))
    expect(page.get_by_text("informasjon.pdf")).to_be_visible()
    settle(page)
    page.get_by_role("button", name="Last opp brev").click()
    expect(page.get_by_text("Brevet er lagt inn for")).to_be_visible()

    employer_context = browser.new_context(accept_downloads=True)
    try:
        employer = employer_context.new_page()
        employer.goto(portal)
        log_in(employer, EMPLOYER)
        expect(employer.get_by_role("heading", name="Help Forsikring AS").first).to_be_visible()
        go(employer, "Brev fra forbundet")
        expect(employer.get_by_text("Brev er tilgjengelige i seks måneder fra de ble opprettet.")).to_be_visible()
        start_letter = employer.get_by_role("button", name="Vedrørende kontingenttrekk for våre medlemmer")
        expect(start_letter).to_be_visible()
        expect(employer.get_by_text("Ja", exact=True)).to_have_count(0)
        download = download_by_click(employer, start_letter)
        assert download.suggested_filename.endswith(".pdf")
        text = pypdf.PdfReader(io.BytesIO(open(download.path(), "rb").read())).pages[0].extract_text()
        assert "Bø, Øystein" in text and "Ås, Kjersti" in text and "Desember 2026" in text
        employer.reload()
        settle(employer)
        go(employer, "Brev fra forbundet")
        expect(employer.get_by_text("Ja", exact=True)).to_have_count(1)
        # The downloaded letter sank below the one not yet downloaded.
        buttons = employer.locator("[data-testid=stDownloadButton] button")
        expect(buttons.first).to_contain_text("Nye satser fra 2027")
        employer.screenshot(path=str(tmp_path / "employer.png"))
    finally:
        employer_context.close()
