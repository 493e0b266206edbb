"""Staff clear several worklist items in one bulk action, in the browser."""

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, STAFF, go, log_in, settle


def test_three_items_cleared_in_one_bulk_action(page):
    log_in(page, STAFF)
    expect(page.get_by_role("heading", name="Administrasjon").first).to_be_visible()
    go(page, "Avstemming")
    expect(page.get_by_role("tab", name="Arbeidsliste")).to_be_visible()
    grid = page.locator("[data-testid=stDataFrame]").first
    expect(grid).to_be_visible()
    before = page.get_by_text("rader · side").first.inner_text()
    total = int(before.split()[0])
    assert total >= 3
    # Tick the first three rows' selection boxes in the grid.
    box = grid.bounding_box()
    for row in range(3):
        page.mouse.click(box["x"] + 12, box["y"] + 35 + 17 + row * 35)
        page.wait_for_timeout(300)
    settle(page)
    expect(page.get_by_text("3 valgt")).to_be_visible()
    page.get_by_role("button", name="Merk valgte som behandlet").click()
    expect(page.get_by_text("3 rader er merket behandlet.")).to_be_visible()
    expect(page.get_by_text(f"{total - 3} rader · side")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "worklist.png"), full_page=True)
