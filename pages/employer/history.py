"""Innsendte lister det siste året: when each period was sent; never the files."""

import pandas as pd
import streamlit as st

from pages import ui
from services import kid, periods
from services.lists import history
from services.localtime import shown

company_id = ui.require_company()
company = ui.company()

st.title("Innsendte lister det siste året")
st.write(
    "Det er ikke mulig å laste ned filene som tidligere er sendt forbundet, men det er mulig å se "
    "hvilke perioder som er sendt inn, og hvilken dato de ble sendt."
)
entries, missing = history.history(ui.store(), actor=ui.actor(), company_id=company_id)
if entries:
    table = pd.DataFrame(
        [
            {
                "Innsendt": shown(e.submitted_at, with_time=False),
                "Periode": periods.short(e.period),
                "Filer": e.file_count,
                "Merknad": "Til manuell behandling hos forbundet" if e.manual else "",
                "KID for betalingen": kid.for_list(company.orgnr, e.period),
            }
            for e in entries
        ]
    )
    ui.table(table, hide_index=True)
    account = ui.settings().union_account
    st.caption(
        (f"Betal trekket til konto {account}" if account else "Betal trekket")
        + " med KID-en for perioden: da vet forbundet hvilken liste betalingen gjelder."
    )
else:
    st.info("Ingen lister er sendt inn det siste året.")
if missing:
    st.subheader("Perioder uten innsendt liste")
    st.write(", ".join(periods.label(p) for p in missing))
