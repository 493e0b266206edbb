"""Markdown and HTML typed by users render as plain text on every page, employer and staff:
no live link, no outside image, no bold."""

from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import (
    ARTIFACTS,
    EMPLOYER_PAGES,
    INJECTOR,
    PASSWORD,
    STAFF,
    STAFF_PAGES,
    go,
    log_in,
    open_context,
    settle,
)

# The free-text fields seeded with the payload (see conftest._seed_injection).
FIELDS = [
    "company name",
    "user name",
    "register names",
    "names on a list",
    "remark",
    "«Annet» comment",
    "file name",
    "letter subject",
]


def _rendered(page) -> dict[str, int]:
    settle(page)
    return {
        "links": page.locator('a[href*="evil.test"]').count(),
        "images": page.locator('img[src*="evil.test"]').count(),
        "bold": page.locator('strong:text-is("fet"), b:text-is("html")').count(),
    }


def _choose_zeta(page) -> None:
    """Staff pages with a company choice: pick the company whose name is the payload."""
    search = page.get_by_label("Søk etter bedrift eller organisasjonsnummer")
    if search.count():
        # «Oversikt» offers the companies of its page: the search brings Zeta onto it.
        search.fill("Zeta")
        search.press("Enter")
        settle(page)
    boxes = page.get_by_role("combobox", name="Bedrift", exact=True)
    if boxes.count():
        boxes.first.click()
        # Typed, as in a long list the option is not drawn until the list is filtered or scrolled.
        page.keyboard.type("Zeta")
        page.get_by_role("option").filter(has_text="Zeta").first.click()
        settle(page)


def test_markdown_injection_renders_nowhere(browser, portal, figure):
    outside_requests = []
    pages_seen, found = 0, []
    for email, names in ((INJECTOR, EMPLOYER_PAGES), (STAFF, STAFF_PAGES)):
        context = open_context(browser)
        context.route("http://evil.test/**", lambda route: (outside_requests.append(route.request.url), route.abort()))
        page = context.new_page()
        try:
            page.goto(portal)
            page.get_by_text("Innlogging").first.wait_for()
            log_in(page, email, PASSWORD)
            expect(page.get_by_role("link", name=names[0], exact=True).first).to_be_visible()
            for name in names:
                go(page, name)
                _choose_zeta(page)
                if name == "Administrasjon":
                    for tab in ("Brukere", "Logg"):
                        page.get_by_role("tab", name=tab).first.click()
                        found.append((name + " " + tab, _rendered(page)))
                if name == "Innkomne lister":
                    expect(page.get_by_text("Merknad").first).to_be_visible()
                found.append((name, _rendered(page)))
                pages_seen += 1
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(
                    path=str(ARTIFACTS / f"injection-{Path(name).name.replace(' ', '_')}.png"), full_page=True
                )
            # The payload itself is on the pages, shown as typed.
            expect(page.get_by_text("[klikk her]").first).to_be_attached()
        finally:
            context.close()
    rendered = sum(sum(counts.values()) for _, counts in found) + len(outside_requests)
    figure(f"markdown injection: {len(FIELDS)} fields × {pages_seen} pages, {rendered} rendered")
    assert rendered == 0, [(name, counts) for name, counts in found if any(counts.values())] + outside_requests
