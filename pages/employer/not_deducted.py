"""Utrukne: members the union has registered here who were not on the list; the employer says
why, in one table a page at a time, and may change an answer until the union has handled it."""

import math

import pandas as pd
import streamlit as st

from pages import ui
from services import fields, periods
from services.errors import PortalError
from services.export import safe_text
from services.localtime import shown
from services.register import answers

company_id = ui.require_company()
store, actor = ui.store(), ui.actor()
LABELS = answers.STATUSES
KEYS = {label: key for key, label in LABELS.items()}
CHOOSE = "Velg status"
SHOW = {answers.OPEN: "Venter på svar", answers.ANSWERED: "Besvart", answers.ALL: "Alle"}

st.title("Utrukne")
st.write(
    "De medlemmene vi har registrert på bedriften, men som ikke trekkes, står som utrukket. "
    "Velg status for hvert medlem i tabellen og trykk «Send status». Ved «Annet» skriver du en kommentar. "
    "Et svar kan endres til forbundet har behandlet det."
)
done = st.session_state.pop("_utrukne_sent", None)
if done is not None:
    st.success(
        "Ingen endringer å sende." if done == 0 else f"Status er sendt for {done} medlem{'mer' if done > 1 else ''}."
    )

show_col, period_col, search_col = st.columns([2, 1.3, 2])
show = show_col.segmented_control(
    "Vis", list(SHOW), format_func=SHOW.get, default=answers.ALL, key=f"utrukne_show_{company_id}"
)
search = search_col.text_input("Søk etter navn", key=f"utrukne_search_{company_id}", max_chars=fields.NAME)
page_key = f"utrukne_page_{company_id}"
filters = (show, st.session_state.get(f"utrukne_period_{company_id}"), search)
if st.session_state.get(f"{page_key}_filters") != filters:
    # Other filters, other rows: back to the first page.
    st.session_state[page_key] = 0
    st.session_state[f"{page_key}_filters"] = filters
page = st.session_state.get(page_key, 0)
rounds = st.session_state.get("_utrukne_round", 0)

view = answers.utrukne_page(
    store,
    actor=actor,
    company_id=company_id,
    show=show or answers.ALL,
    period=st.session_state.get(f"utrukne_period_{company_id}"),
    search=search,
    page=page,
)
period_col.selectbox(
    "Periode",
    view.periods,
    index=None,
    format_func=periods.label,
    placeholder="Alle perioder",
    key=f"utrukne_period_{company_id}",
)

if not view.total:
    st.info(
        "Det er ingen utrukne medlemmer som venter på svar."
        if not view.open_total
        else "Ingen utrukne medlemmer passer til søket."
    )
else:
    st.caption(
        f"{view.open_total} venter på svar. Viser {page * answers.PAGE_SIZE + 1}–"
        f"{page * answers.PAGE_SIZE + len(view.items)} av {view.total}."
    )
    original = pd.DataFrame(
        [
            {
                "id": item.id,
                "Fødselsdato": item.birth_date.strftime("%d.%m.%Y") if item.birth_date else "",
                # The table's own CSV download must not carry a formula someone typed as a name.
                "Navn": safe_text(item.name),
                "Periode utrukket": periods.label(item.period),
                "Status": LABELS.get(item.status or "", CHOOSE),
                "Kommentar": item.comment or "",
                "Besvart": (
                    f"{safe_text(item.answered_by or '')}, {shown(item.answered_at)}"
                    + (" · behandlet av forbundet" if item.settled else "")
                    if item.answered_at
                    else ""
                ),
            }
            for item in view.items
        ]
    ).set_index("id")
    edited = st.data_editor(
        original,
        # Edits belong to exactly these rows as they were: another page, filter or a send starts afresh.
        key=f"utrukne_table_{company_id}_{rounds}_{hash((tuple(original.index), tuple(original['Status'])))}",
        hide_index=True,
        width="stretch",
        num_rows="fixed",
        disabled=["Fødselsdato", "Navn", "Periode utrukket", "Besvart"],
        column_config={
            "Status": st.column_config.SelectboxColumn("Status", options=[CHOOSE, *KEYS], required=True),
            "Kommentar": st.column_config.TextColumn("Kommentar", max_chars=fields.COMMENT),
        },
    )
    pages_total = max(1, math.ceil(view.total / answers.PAGE_SIZE))
    if pages_total > 1:
        st.write(f"Side {page + 1} av {pages_total}")
        ui.page_buttons(page_key, page, pages_total)
    given: dict[int, tuple[str, str]] = {}
    for item_id, row in edited.iterrows():
        before = original.loc[item_id]
        status = row["Status"] if row["Status"] in KEYS else None
        comment = row["Kommentar"] if isinstance(row["Kommentar"], str) else ""
        if status and (status != before["Status"] or comment != before["Kommentar"]):
            given[int(item_id)] = (KEYS[status], comment)
    if st.button("Send status", type="primary"):
        try:
            sent = answers.answer(store, actor=actor, company_id=company_id, answers=given)
        except PortalError as problem:
            ui.show_error(problem)
        else:
            st.session_state["_utrukne_sent"] = sent
            st.session_state["_utrukne_round"] = rounds + 1
            st.rerun()

given_before = answers.history(store, actor=actor, company_id=company_id)
if given_before:
    # A label without the count: a label that changes makes a new expander, closed again after a send.
    with st.expander("Alle svar som er gitt"):
        st.caption(f"{len(given_before)} svar, det nyeste først.")
        ui.table(
            [
                {
                    "Navn": g.name,
                    "Periode utrukket": periods.label(g.period),
                    "Status": LABELS.get(g.status, g.status),
                    "Kommentar": g.comment or "",
                    "Besvart av": g.answered_by or "",
                    "Besvart": shown(g.answered_at),
                }
                for g in given_before
            ],
            hide_index=True,
        )
st.caption("Svar som er behandlet av forbundet kan ikke endres her. Ta kontakt med forbundet.")
