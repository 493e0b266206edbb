"""Norwegian wherever the user looks: Streamlit's own widget texts included, on every page,
employer and staff, logged out too; and no address ends at «Page not found»."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import (
    EMPLOYER,
    EMPLOYER_PAGES,
    STAFF,
    STAFF_PAGES,
    go,
    log_in,
    open_context,
    running_portal,
    settle,
)

# The English texts a clerk met before (issue 14), and their kin from the same widgets.
ENGLISH = [
    "Upload",
    "Browse files",
    "Drag and drop",
    "per file",
    "files are not allowed",
    "Choose options",
    "Choose an option",
    "Select all",
    "No results",
    "Download as CSV",
    "Search",
    "Fullscreen",
    "Page not found",
    "You have requested page",
    "Help for",
    "Press Enter",
    "Running...",
    "Skip to main content",
    "Navigate to home page",
    "App pages",
    "Link to heading",
    "Show/hide columns",
    "Open",
    "Download as PNG",
    "Show data",
    "Copy Vega-Lite spec",
    "Close",
    "Clear selection",
    "Choose a date",
    "file upload",
]
PATTERN = re.compile("|".join(rf"(?<![\w-]){re.escape(word)}" for word in ENGLISH))
# What the user can see or hear read: the page's text and the labels, tooltips and placeholders.
SEEN = """() => {
  const seen = [document.body.innerText];
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
    for (const name of ['aria-label', 'title', 'placeholder']) {
      const value = el.getAttribute(name);
      if (value) seen.push(value);
    }
  }
  return seen.join('\\n');
}"""


def english_on(page) -> list[str]:
    settle(page)
    return sorted(set(PATTERN.findall(page.evaluate(SEEN))))


def open_dropdowns_and_hover_tables(page) -> list[str]:
    """The texts that show only on use: a dropdown's options, a table's toolbar."""
    found = []
    for box in page.get_by_role("combobox").all()[:3]:
        if not box.is_visible():
            continue
        box.click()
        page.wait_for_timeout(300)
        found += english_on(page)
        page.keyboard.press("Escape")
    for grid in page.locator("[data-testid=stDataFrame]").all()[:2]:
        if grid.is_visible():
            grid.hover()
            page.wait_for_timeout(300)
            found += english_on(page)
    for chart in page.locator("[data-testid=stVegaLiteChart]").all()[:1]:
        if chart.is_visible():
            # The chart's toolbar, and the tooltip of each of its buttons.
            chart.hover()
            page.wait_for_timeout(300)
            found += english_on(page)
            for button in page.locator("[data-testid=stElementToolbarButton] button").all():
                if button.is_visible():
                    button.hover()
                    page.wait_for_timeout(300)
                    found += english_on(page)
    return found


VISITS = 3


def test_no_english_on_any_page(browser, portal, mailbox, tmp_path, figure):
    context = open_context(browser)
    found: dict[str, list[str]] = {}
    pages_seen = 0
    try:
        page = context.new_page()
        # Streamlit runs the very first script run after its start through its old pages-folder
        # navigation, which knows none of the portal's addresses; every later run uses the portal's.
        page.goto(portal)
        settle(page)
        page.context.clear_cookies()
        # Logged out, at an address that needs a login: the login, then the page asked for.
        page.goto(f"{portal}/innsending")
        expect(page.get_by_role("button", name="Logg inn")).to_be_visible()
        found["innlogging"] = english_on(page)
        log_in(page, EMPLOYER)
        expect(page.get_by_role("heading", name="Send inn trekkliste").first).to_be_visible()
        # A file type the portal does not take: the uploader's refusal is Norwegian too.
        refused = tmp_path / "liste.docx"
        refused.write_bytes(b"PK\x03\x04 not a list")
        page.locator("input[type=file]").set_input_files(str(refused))
        expect(page.get_by_text("Denne filtypen er ikke tillatt.")).to_be_visible()
        found["innsending med feil filtype"] = english_on(page)
        # Each page three times, other pages between: a text replaced after drawing can be drawn again.
        for visit in range(VISITS):
            for name in EMPLOYER_PAGES:
                go(page, name)
                found[f"{name} ({visit + 1})"] = english_on(page) + open_dropdowns_and_hover_tables(page)
                pages_seen += 1
        # A staff address is no page for an employer: on to the start page, no «Page not found».
        page.goto(f"{portal}/administrasjon")
        expect(page.get_by_role("heading", name="Help Forsikring AS").first).to_be_visible()
        found["administrasjon som arbeidsgiver"] = english_on(page)
        # An address nobody has: the start page, with a Norwegian note.
        page.goto(f"{portal}/finnes-ikke")
        settle(page)
        found["ukjent adresse"] = english_on(page)
        page.screenshot(path=str(tmp_path / "ukjent.png"))
    finally:
        context.close()

    context = open_context(browser)
    try:
        page = context.new_page()
        page.goto(portal)
        log_in(page, STAFF)
        expect(page.get_by_role("heading", name="Administrasjon").first).to_be_visible()
        for visit in range(VISITS):
            for name in STAFF_PAGES:
                go(page, name)
                found[f"{name} ({visit + 1})"] = english_on(page) + open_dropdowns_and_hover_tables(page)
                pages_seen += 1
        go(page, "Administrasjon")
        page.get_by_role("tab", name="Brukere og tilgang").click()
        access = page.get_by_role("combobox", name="Tilgang til bedrifter").first
        access.click()
        page.wait_for_timeout(300)
        found["tilgang til bedrifter (åpen)"] = english_on(page)
        page.keyboard.press("Escape")
    finally:
        context.close()

    # A server just started, and a bookmarked address its very first request: the Norwegian login.
    with running_portal(tmp_path / "fresh" / "data", mailbox) as fresh:
        context = open_context(browser)
        try:
            page = context.new_page()
            page.goto(f"{fresh}/innsending")
            expect(page.get_by_role("button", name="Logg inn")).to_be_visible()
            found["ny server, bokmerke"] = english_on(page)
            # Not even in Norwegian: an address the portal has is never «not found».
            page.wait_for_timeout(1000)
            expect(page.get_by_text("Fant ikke siden")).to_have_count(0)
            expect(page.get_by_text("Siden finnes ikke")).to_have_count(0)
            page.goto(f"{fresh}/oversikt")
            expect(page.get_by_role("button", name="Logg inn")).to_be_visible()
            found["ny server, bokmerke (2)"] = english_on(page)
        finally:
            context.close()

    english = {where: sorted(set(words)) for where, words in found.items() if words}
    figure(
        f"english strings: {sum(len(w) for w in english.values())} found over {pages_seen // VISITS} pages, "
        f"{VISITS} visits each, fresh server included"
    )
    assert not english, english
