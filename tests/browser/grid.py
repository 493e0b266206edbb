"""Editing a Streamlit data editor (a canvas grid) as a clerk does: click the row's first cell,
arrow over to the column, Enter, then pick or type. A click sent during the rerun that follows
an edit can be lost, and the grid then has no selection: the clerk (and this) clicks again."""

from __future__ import annotations

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import settle

HEADER, ROW = 36, 35
TEXT_EDITOR = "#portal .gdg-input:not([disabled]), #portal input:not([disabled]), #portal textarea:not([disabled])"


class Grid:
    def __init__(self, page, columns: list[str], *, index: int = 0, name_column: int = 1):
        self.page, self.columns, self.index, self.name_column = page, columns, index, name_column

    def _grid(self):
        return self.page.locator("[data-testid=stDataFrame]").nth(self.index)

    def row_of(self, name: str) -> int:
        cells = self._grid().locator(f"[role=gridcell][id^='glide-cell-{self.name_column}-']")
        return cells.all_inner_texts().index(name)

    def _open(self, row: int, col: int, ready) -> None:
        page = self.page
        for _ in range(4):
            settle(page)
            page.wait_for_timeout(300)
            box = self._grid().bounding_box()
            page.mouse.click(box["x"] + 20, box["y"] + HEADER + ROW * row + ROW // 2)
            page.wait_for_timeout(150)  # the grid takes the focus before the keys come
            for _ in range(col):
                page.keyboard.press("ArrowRight")
            page.keyboard.press("Enter")
            try:
                ready().wait_for(timeout=2000)
                return
            except PlaywrightTimeout:
                page.keyboard.press("Escape")
        raise AssertionError(f"the cell in row {row}, column {col} did not open")

    def edit(self, name: str, column: str, *, option: str | None = None, text: str | None = None) -> None:
        """Edit the cell and check that it shows the new value; an edit lost in a rerun is made again."""
        page = self.page
        wanted = option if option is not None else (text or "")
        for _ in range(3):
            settle(page)
            row, col = self.row_of(name), self.columns.index(column)
            if option is not None:
                self._open(row, col, lambda: page.get_by_role("option", name=option, exact=True))
                page.get_by_role("option", name=option, exact=True).click()
            else:
                # Only an editor that takes text: a lost arrow key opens a read-only column's instead.
                editor = page.locator(TEXT_EDITOR).first
                self._open(row, col, lambda editor=editor: editor)
                editor.fill(text or "")
                editor.press("Enter")
            page.wait_for_timeout(300)
            settle(page)
            shown = self._grid().locator(f"[role=gridcell][id='glide-cell-{col}-{self.row_of(name)}']")
            if shown.count() and shown.first.inner_text().strip() == wanted:
                return
        raise AssertionError(f"{name}: «{column}» did not take «{wanted}»")
