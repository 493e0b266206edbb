"""«Oversikt» as drawn: every company's row of the heat-map high enough to see, from one company to a full page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, HEATMAP_COMPANIES, HEATMAP_NAME, STAFF, go, log_in, settle

MIN_CELL_PX = 12
PERIODS = 12


def drawn_cells(page) -> list[dict]:
    """The heat-map's rectangles as the browser laid them out (Vega draws each cell as a path)."""
    chart = page.locator("[data-testid=stVegaLiteChart]").first
    expect(chart).to_be_visible()
    chart.locator(".mark-rect path").first.wait_for()
    return chart.locator(".mark-rect path").evaluate_all(
        "cells => cells.map(c => { const b = c.getBoundingClientRect(); return {width: b.width, height: b.height}; })"
    )


def test_every_cell_of_the_heatmap_is_drawn_high_enough(page, figure):
    log_in(page, STAFF)
    go(page, "Oversikt")
    searches = {1: f"{HEATMAP_NAME} Tre 01", 3: f"{HEATMAP_NAME} Tre", HEATMAP_COMPANIES: HEATMAP_NAME}
    seen = {}
    for companies, needle in searches.items():
        search = page.get_by_label("Søk etter bedrift eller organisasjonsnummer")
        search.fill(needle)
        search.press("Enter")
        settle(page)
        expect(page.get_by_text(f"{companies} bedrifter", exact=False).first).to_be_visible()
        cells = drawn_cells(page)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.locator("[data-testid=stVegaLiteChart]").first.screenshot(path=str(ARTIFACTS / f"heatmap-{companies}.png"))
        assert len(cells) == companies * PERIODS
        seen[companies] = min(c["height"] for c in cells)
        assert min(c["width"] for c in cells) >= MIN_CELL_PX
    heights = ", ".join(f"{n}: {px:.0f} px" for n, px in seen.items())
    figure(f"heat-map: 1, 3, {HEATMAP_COMPANIES} companies, every cell ≥ {MIN_CELL_PX} px high (lowest {heights})")
    assert all(px >= MIN_CELL_PX for px in seen.values())
    # The count of missing lists is there without opening anything.
    expect(page.get_by_role("heading", name=re.compile(r"^\d+ lister? mangler$")).first).to_be_visible()
