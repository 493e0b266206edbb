"""Innkomne lister (staff): every list that came in, originals included, and who has not sent."""

import pandas as pd
import streamlit as st

from pages import ui
from services import localtime, periods
from services.accounts import companies
from services.lists import inbox, submissions
from services.localtime import shown
from services.money import kr
from services.text import plain

store, actor = ui.store(), ui.actor()
st.title("Innkomne lister")
incoming_tab, missing_tab = st.tabs(["Innsendt", "Ikke sendt"])

with incoming_tab:
    names = {
        None: "Alle bedrifter",
        **{c.id: f"{c.name} ({c.orgnr})" for c in companies.all_companies(store, actor=actor)},
    }
    company_id = st.selectbox("Bedrift", list(names), format_func=names.get, placeholder="Velg …")
    rows = inbox.incoming(store, actor=actor, company_id=company_id)
    if not rows:
        st.info("Ingen lister er kommet inn.")

    def fetch(file_id: int):
        # Runs when the browser asks for the file, outside this script run, only for a live session.
        return ui.guarded_download(lambda db, current: inbox.original(db, actor=current, file_id=file_id)[1])

    for row in rows:
        with st.container(border=True):
            st.markdown(
                f"**{plain(row.company)}** · periode {periods.label(row.period)} · "
                f"innsendt {shown(row.submitted_at)} av {plain(row.submitted_by)}"
            )
            st.write(f"{row.person_count} personer, {kr(row.total)}. Kontakt: {plain(row.contact_email)}")
            if row.resend_kind:
                st.caption(
                    "Sendt på nytt for perioden som "
                    + ("korrigering" if row.resend_kind == submissions.CORRECTION else "tillegg")
                )
            if row.remark:
                st.info(f"Merknad: {plain(row.remark)}")
            for file_id, name in row.files:
                st.download_button(
                    plain(name),
                    data=fetch(file_id),
                    file_name=name,
                    key=f"original_{file_id}",
                    type="tertiary",
                    icon=":material/download:",
                )

with missing_tab:
    choices = [periods.add_months(periods.previous(localtime.today()), -n) for n in range(24)]
    period = st.selectbox("Periode", choices, format_func=periods.label, key="missing_period", placeholder="Velg …")
    ui.excel_download(
        f"Last ned listene for {periods.label(period).lower()} som Excel",
        lambda db, current: inbox.export_period(db, actor=current, period=period),
        file_name=f"innsendt-{period:%Y-%m}.xlsx",
        key="period_export",
    )
    missing = inbox.not_sent(store, actor=actor, period=period)
    if missing:
        ui.table(
            pd.DataFrame(
                {
                    "Bedrift": [m.name for m in missing],
                    "Organisasjonsnummer": [m.orgnr for m in missing],
                    "Sist innsendte periode": [periods.label(m.last_period) if m.last_period else "" for m in missing],
                }
            ),
            hide_index=True,
        )
    else:
        st.success("Alle bedrifter har sendt liste for perioden.")
