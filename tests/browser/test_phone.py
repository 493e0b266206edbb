"""The portal at phone width (390 px): a clerk logs in, sees which company, and sends a list."""

from datetime import date

from playwright.sync_api import expect

from tests import listfiles
from tests.browser.conftest import EMPLOYER, log_in, settle
from tests.browser.test_norwegian import english_on


def test_a_list_sent_from_a_phone(browser, portal, tmp_path):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="nb-NO"
    )
    try:
        page = context.new_page()
        page.goto(portal)
        log_in(page, EMPLOYER)
        expect(page.get_by_role("heading", name="Help Forsikring AS").first).to_be_visible()
        # The company and «Logg ut» stay in view at the top; nothing is wider than the screen.
        expect(page.get_by_text("Help Forsikring AS · org.nr. 910000004")).to_be_visible()
        expect(page.get_by_role("button", name="Logg ut")).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        # The start page's own links lead on without the navigation menu.
        page.get_by_role("link", name="Send inn trekkliste").click()
        expect(page.get_by_role("heading", name="Send inn trekkliste").first).to_be_visible()
        settle(page)
        page.get_by_role("combobox", name="Velg måned").click()
        page.get_by_role("option", name="Januar", exact=True).click()
        settle(page)
        listed = listfiles.text(
            tmp_path / "januar.csv",
            ["Fødselsnummer;Navn;Trekk", f"{listfiles.make_fnr(date(1985, 5, 5))};Mobil, Maria;500,00"],
        )
        page.locator("input[type=file]").set_input_files(str(listed))
        settle(page)
        expect(page.get_by_text("1 personer · sum 500,00\u00a0kr")).to_be_visible()
        page.get_by_role("button", name="Send inn").click()
        expect(
            page.get_by_text("Trekklisten for Help Forsikring AS (910000004) er sendt inn for januar")
        ).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        # The form drawn again after the send is Norwegian too.
        assert english_on(page) == []
        page.screenshot(path=str(tmp_path / "telefon.png"), full_page=True)
    finally:
        context.close()
