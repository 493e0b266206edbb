"""The parts of sending a month's list that «Innsending» and «Registrer trekk» share: the
period, the contact address, and the question a period already sent asks."""

from __future__ import annotations

from datetime import date

import streamlit as st

from pages.ui.run import actor, store
from services import localtime, periods
from services.lists import submissions
from services.localtime import shown
from services.text import plain

RESEND_LABELS = {
    submissions.CORRECTION: "en korrigering (erstatter personene på den forrige listen)",
    submissions.SUPPLEMENT: "et tillegg (personer som manglet)",
}


def choose_period(*, key: str) -> date:
    """Month and year, last month by default (in Norwegian time)."""
    today = localtime.today()
    default = periods.previous(today)
    years = list(range(today.year, periods.earliest(today).year - 1, -1))
    month_col, year_col = st.columns(2)
    month = month_col.selectbox(
        "Velg måned",
        list(range(1, 13)),
        index=default.month - 1,
        format_func=lambda m: periods.MONTHS[m - 1].capitalize(),
        key=f"{key}_month",
        placeholder="Velg …",
    )
    year = year_col.selectbox("År", years, index=years.index(default.year), key=f"{key}_year", placeholder="Velg …")
    return date(year, month, 1)


def chosen_period(*, key: str) -> date:
    """The period `choose_period(key=key)` had in the last run, read before it is drawn again."""
    default = periods.previous(localtime.today())
    year = st.session_state.get(f"{key}_year", default.year)
    return date(year, st.session_state.get(f"{key}_month", default.month), 1)


def contact_address(*, company_id: int, key: str) -> str:
    return st.text_input(
        "E-post vi kan kontakte dere på:",
        value=submissions.last_contact_email(store(), actor=actor(), company_id=company_id) or actor().email,
        key=key,
    )


def resend_question(*, company_id: int, period: date, key: str) -> str | None:
    """For a period that has a list: when and by whom it was sent, and whether the new list is a
    correction or a supplement (None until the clerk says)."""
    earlier = submissions.earlier_lists(store(), actor=actor(), company_id=company_id, period=period)
    if not earlier:
        return None
    st.warning(
        "Listen for denne perioden er allerede sendt inn: "
        + "; ".join(f"{shown(e.submitted_at)} av {plain(e.sent_by)}" for e in earlier)
        + ". Er den nye listen en korrigering eller et tillegg?",
        icon=":material/history:",
    )
    return st.radio(
        "Den nye listen er",
        list(submissions.RESEND_KINDS),
        index=None,
        format_func=RESEND_LABELS.get,
        key=resend_key(key, period),
    )


def resend_key(key: str, period: date) -> str:
    """The answer to `resend_question(key=key)` for the period: one per period, as each has its own lists."""
    return f"{key}_{period:%Y%m}"
