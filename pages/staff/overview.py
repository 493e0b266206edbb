"""Oversikt (staff): every company against the last twelve periods, reminders for missing lists."""

import altair as alt
import pandas as pd
import streamlit as st

from pages import ui
from pages.ui import confirm
from services import localtime, periods, settings_store
from services.errors import NeedsConfirmation, PortalError
from services.lists import coverage, reminders
from services.localtime import shown
from services.text import plain

store, actor = ui.store(), ui.actor()
st.title("Oversikt")
COLOURS = {
    coverage.ON_TIME: "#2e7d32",
    coverage.LATE: "#f9a825",
    coverage.CORRECTED: "#1565c0",
    coverage.MANUAL: "#8e24aa",
    coverage.MISSING: "#c62828",
    coverage.NOT_DUE: "#cfd8dc",
}
ROW_PX = 22
deadline_day = int(settings_store.numeric(store, "list_deadline_day"))
st.caption(
    f"Bedriftene mot de siste tolv periodene. Fristen er den {deadline_day}. i måneden etter perioden; "
    "dagen etter sender portalen én påminnelse til bedrifter som ikke har sendt."
)

left, middle, right = st.columns([2, 1, 1])
search = left.text_input("Søk etter bedrift eller organisasjonsnummer", key="overview_search")
order = middle.selectbox("Sorter", ["Flest mangler først", "Navn"], key="overview_sort", placeholder="Velg …")
page_key = "overview_page"
found = coverage.coverage(
    store,
    actor=actor,
    page=st.session_state.get(page_key, 0),
    sort="missing" if order == "Flest mangler først" else "name",
    search=search,
)
with right:
    ui.excel_download(
        "Last ned som Excel",
        lambda db, current: coverage.export(db, actor=current),
        file_name=f"oversikt-{localtime.today():%Y-%m-%d}.xlsx",
        key="overview_export",
    )

counts = pd.DataFrame(
    {periods.short(p): [found.counts[p][status] for status in coverage.STATUSES] for p in found.periods},
    index=[coverage.LABELS[s] for s in coverage.STATUSES],
)
missing_lists = sum(found.counts[p][coverage.MISSING] for p in found.periods)
st.subheader(f"{missing_lists} {'liste mangler' if missing_lists == 1 else 'lister mangler'}")
st.caption("Antall bedrifter med hver status, per periode (alle bedrifter, ikke bare denne siden).")
ui.table(counts)

if not found.companies:
    st.info("Ingen bedrifter passer søket.")
    st.stop()

cells = pd.DataFrame(
    [
        {
            "company_id": company.company_id,
            "Bedrift": f"{company.name} ({company.orgnr})",
            "Periode": periods.short(cell.period),
            "Måned": periods.label(cell.period),
            "Status": coverage.LABELS[cell.status],
            "Første liste": shown(cell.first_sent),
            "Purret": shown(cell.reminded) or "nei",
        }
        for company in found.companies
        for cell in company.cells
    ]
)
pick = alt.selection_point(fields=["company_id"], name="bedrift", on="click")
heatmap = (
    alt.Chart(cells)
    .mark_rect(stroke="white", strokeWidth=1)
    .encode(
        x=alt.X("Periode:O", sort=[periods.short(p) for p in found.periods], title="Periode (MMÅÅ)"),
        y=alt.Y(
            "Bedrift:N",
            sort=[f"{c.name} ({c.orgnr})" for c in found.companies],
            title=None,
            # Room for a company's name and its org nr, which tell two companies of one name apart.
            axis=alt.Axis(labelLimit=320),
        ),
        color=alt.Color(
            "Status:N",
            scale=alt.Scale(domain=[coverage.LABELS[s] for s in COLOURS], range=list(COLOURS.values())),
            legend=alt.Legend(title="Status", orient="bottom"),
        ),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.55)),
        tooltip=["Bedrift", "Måned", "Status", "Første liste", "Purret"],
    )
    .add_params(pick)
    # A fixed height per company row: a height for the whole chart (Streamlit fits charts to it)
    # left nothing for the cells once the axes and the legend had theirs. Only the width is fitted.
    .properties(height=alt.Step(ROW_PX), autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
)
event = st.altair_chart(heatmap, width="stretch", on_select="rerun", key="overview_heatmap")
st.caption(
    f"Side {found.page + 1} av {found.pages} · {found.company_count} bedrifter. Klikk på en bedrift for detaljer."
)
ui.page_buttons(page_key, found.page, found.pages)

chosen_ids = [p.get("company_id") for p in (event.selection.get("bedrift") or [])] if event else []
chosen = next((c for c in found.companies if c.company_id in chosen_ids), None)
if chosen is None:
    chosen_id = st.session_state.get("_overview_company")
    chosen = next((c for c in found.companies if c.company_id == chosen_id), None)
names = {c.company_id: f"{c.name} ({c.orgnr})" for c in found.companies}
picked_id = st.selectbox(
    "Bedrift",
    list(names),
    format_func=names.get,
    index=list(names).index(chosen.company_id) if chosen else None,
    placeholder="Velg en bedrift",
    key="overview_company_choice",
)
if picked_id is None:
    st.stop()
st.session_state["_overview_company"] = picked_id
company = next(c for c in found.companies if c.company_id == picked_id)
st.subheader(f"{plain(company.name)} ({company.orgnr})")
ui.table(
    pd.DataFrame(
        {
            "Periode": [periods.label(c.period) for c in reversed(company.cells)],
            "Status": [coverage.LABELS[c.status] for c in reversed(company.cells)],
            "Første liste": [shown(c.first_sent) for c in reversed(company.cells)],
            "Purret": [shown(c.reminded) for c in reversed(company.cells)],
        }
    ),
    hide_index=True,
)
missing = [c.period for c in reversed(company.cells) if c.status == coverage.MISSING]
if missing:
    period = st.selectbox(
        "Send påminnelse for",
        missing,
        format_func=periods.label,
        key=f"remind_period_{company.company_id}",
        placeholder="Velg …",
    )
    subject = (company.company_id, period)
    again = confirm.confirmed("remind", subject)
    asking = confirm.pending("remind", subject)
    if st.button("Send påminnelse", type="primary", key=f"remind_{company.company_id}", disabled=asking) or again:
        try:
            mailed = reminders.send(store, actor=actor, company_id=company.company_id, period=period, confirmed=again)
        except NeedsConfirmation as question:
            confirm.ask("remind", subject, question)
        except PortalError as problem:
            ui.show_error(problem)
        else:
            confirm.settle("remind")
            ui.flash(
                f"Påminnelse om {periods.label(period).lower()} er sendt til {mailed} "
                f"{'e-postadresse' if mailed == 1 else 'e-postadresser'} i {company.name}."
            )
            st.rerun()
else:
    st.success("Ingen manglende lister de siste tolv periodene.")
ui.show_flash()
