"""Small widgets every page uses: tables safe to download, paging, messages."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages.ui import brief
from services.errors import PortalError
from services.export import safe_text
from services.text import plain


def page_buttons(
    key: str, page_number: int, pages_total: int, *, back: str = "Forrige side", forward: str = "Neste side"
) -> None:
    """Buttons to the previous and next page of a list paged in the database; the page is kept in `key`."""
    left, right = st.columns(2)
    if left.button(back, disabled=page_number == 0, key=f"{key}_back"):
        st.session_state[key] = page_number - 1
        st.rerun()
    if right.button(forward, disabled=page_number >= pages_total - 1, key=f"{key}_forward"):
        st.session_state[key] = page_number + 1
        st.rerun()


def flash(message: str) -> None:
    """A message for the next page shown."""
    brief.keep("_flash", message)


def show_flash() -> None:
    message = brief.kept("_flash")
    if message:
        # Plain text always: a message may name a company or a person («Ny [x](…) AS er lagret.»).
        st.success(plain(message))


def table(data, *, styler=None, **options):
    """st.dataframe, with every text cell that a spreadsheet would read as a formula written as
    text: the table's own «download as CSV» must not carry a formula a user typed. `styler`
    colours whole rows: a function of a row giving one CSS string per cell."""
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(safe_text)
    # pandas styles a limited number of cells and refuses more: a larger table (a 100 000-row
    # list opened whole) is drawn without its colours rather than not at all.
    styled = styler is not None and safe.size <= pd.get_option("styler.render.max_elements")
    return st.dataframe(safe.style.apply(styler, axis=1) if styled else safe, **options)


def show_error(error: PortalError) -> None:
    st.error(plain(str(error)), icon=":material/error:")


# A table's link to «Person» for the member on a row (issue 26: every place that shows a person).
PERSON_LINK = "Person"


def person_link(member_no: str | None) -> str | None:
    return f"/person?medlem={member_no}" if member_no else None


def person_link_column() -> dict:
    """The column_config that draws `PERSON_LINK` as a link that opens the person's page."""
    return {PERSON_LINK: st.column_config.LinkColumn(PERSON_LINK, display_text="Vis person")}
