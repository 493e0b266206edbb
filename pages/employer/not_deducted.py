"""Utrukne: members the union has registered here who were not on the list; the employer says why."""

import streamlit as st

from pages import ui
from services import fields, periods
from services.errors import PortalError
from services.localtime import shown
from services.register import answers
from services.text import plain

company_id = ui.require_company()
store, actor = ui.store(), ui.actor()

st.title("Utrukne")
st.write(
    "De medlemmene vi har registrert på bedriften, men som ikke trekkes, står som utrukket. "
    "Velg status for hvert medlem og trykk «Send status». Ved «Annet» skriver du en kommentar."
)
done = st.session_state.pop("_utrukne_sent", None)
if done:
    st.success(f"Status er sendt for {done} medlem{'mer' if done > 1 else ''}.")

open_items = answers.utrukne(store, actor=actor, company_id=company_id, answered=False)
CHOICES = [None, *answers.STATUSES]
if not open_items:
    st.info("Det er ingen utrukne medlemmer som venter på svar.")
else:
    header = st.columns([1, 2, 1.3, 2.2])
    for column, title in zip(header, ("Fødselsdato", "Navn", "Periode utrukket", "Status"), strict=True):
        column.markdown(f"**{title}**")
    given: dict[int, tuple[str, str]] = {}
    for item in open_items:
        born, name, period, status_col = st.columns([1, 2, 1.3, 2.2])
        born.write(item.birth_date.strftime("%d.%m.%Y") if item.birth_date else "")
        name.write(plain(item.name))
        period.write(periods.label(item.period))
        status = status_col.selectbox(
            "Status",
            CHOICES,
            key=f"status_{item.id}",
            label_visibility="collapsed",
            format_func=lambda s: "Velg status" if s is None else answers.STATUSES[s],
        )
        comment = ""
        if status == "annet":
            comment = status_col.text_input("Kommentar:", key=f"comment_{item.id}", max_chars=fields.COMMENT)
        if status:
            given[item.id] = (status, comment)
    if st.button("Send status", type="primary"):
        try:
            sent = answers.answer(store, actor=actor, company_id=company_id, answers=given)
        except PortalError as problem:
            ui.show_error(problem)
        else:
            st.session_state["_utrukne_sent"] = sent
            st.rerun()

answered = answers.utrukne(store, actor=actor, company_id=company_id, answered=True)
if answered:
    st.subheader("Besvart")
    ui.table(
        [
            {
                "Fødselsdato": a.birth_date.strftime("%d.%m.%Y") if a.birth_date else "",
                "Navn": a.name,
                "Periode utrukket": periods.label(a.period),
                "Status": answers.STATUSES[a.status],
                "Kommentar": a.comment or "",
                "Besvart av": a.answered_by or "",
                "Besvart": shown(a.answered_at),
            }
            for a in answered
        ],
        hide_index=True,
    )
