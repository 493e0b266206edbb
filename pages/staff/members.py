"""Medlemsregister (staff): import, add, end and move members."""

from datetime import date

import pandas as pd
import streamlit as st

from pages import ui
from services import localtime
from services.accounts import companies
from services.errors import PortalError
from services.register import members
from services.text import plain

store, actor = ui.store(), ui.actor()
st.title("Medlemsregister")
company_list = companies.all_companies(store, actor=actor)
choices = {f"{c.name} ({c.orgnr})": c.id for c in company_list}

with st.expander("Importer register (xlsx eller csv)"):
    st.caption(
        "Kolonner: medlemsnummer, fødselsnummer, navn (eller etternavn og fornavn), organisasjonsnummer, "
        "og gjerne fra-dato, til-dato og sats. Én rad per ansettelse: et medlem med to jobber har to rader. "
        "Ny import oppdaterer medlemmer med samme medlemsnummer; en ny ansettelse avslutter ingen annen."
    )
    register_file = st.file_uploader("Registerfil", type=["xlsx", "xls", "ods", "csv", "txt"])
    full = st.checkbox(
        "Filen er hele registeret: avslutt medlemskap og ansettelser som mangler i filen",
        key="import_full",
        help="Du ser først hvor mange som blir avsluttet, og bekrefter før noe endres.",
    )

    def run_import(*, preview: bool) -> members.ImportReport | None:
        try:
            return members.import_register(
                store,
                actor=actor,
                data=register_file.getvalue(),
                filename=register_file.name,
                full=full,
                preview=preview,
            )
        except PortalError as problem:
            ui.show_error(problem)
            return None

    if st.button("Importer", disabled=register_file is None):
        report = run_import(preview=full)
        if report is not None and report.preview:
            st.session_state["_import_preview"] = (register_file.file_id, report)
        elif report is not None:
            st.success(
                f"{report.imported} {'nytt medlem' if report.imported == 1 else 'nye medlemmer'}, "
                f"{report.updated} oppdatert, {report.unchanged} uendret."
            )
            for line, message in report.problems:
                st.warning(f"Linje {line}: {plain(message)}")
    pending = st.session_state.get("_import_preview")
    if pending and register_file is not None and full and pending[0] == register_file.file_id:
        shown = pending[1]
        st.warning(
            f"Fullstendig register: {shown.imported} nye, {shown.updated} oppdaterte og {shown.unchanged} uendrede "
            f"medlemmer; {shown.ended_employments} {'ansettelse' if shown.ended_employments == 1 else 'ansettelser'}"
            f" og {shown.ended_memberships} medlemskap blir avsluttet fordi de mangler i filen."
            " Ingenting er endret ennå."
        )
        if shown.ending:
            ui.table(
                pd.DataFrame(
                    {
                        "Medlemsnr": [e.member_no for e in shown.ending],
                        "Navn": [e.name for e in shown.ending],
                        "Avsluttes": [
                            f"Ansettelse i {e.company}" if e.company is not None else "Medlemskap" for e in shown.ending
                        ],
                        "Siste dag": [e.ends.strftime("%d.%m.%Y") for e in shown.ending],
                    }
                ),
                hide_index=True,
                height=min(400, 38 + 35 * len(shown.ending)),
            )
        if st.button("Bekreft fullstendig import", type="primary"):
            report = run_import(preview=False)
            st.session_state.pop("_import_preview", None)
            if report is not None:
                st.success(
                    f"{report.imported} nye, {report.updated} oppdatert, {report.unchanged} uendret, "
                    f"{report.ended_employments} ansettelser og {report.ended_memberships} medlemskap avsluttet."
                )

with st.expander("Legg til medlem"):
    with st.form("add_member", clear_on_submit=True):
        member_no = st.text_input("Medlemsnummer")
        national_id = st.text_input("Fødselsnummer")
        name = st.text_input("Navn (Etternavn, Fornavn)")
        company_label = st.selectbox("Bedrift", list(choices), placeholder="Velg …")
        valid_from = st.date_input("Ansatt fra", value=localtime.today(), format="DD.MM.YYYY")
        if st.form_submit_button("Legg til"):
            try:
                members.add_member(
                    store,
                    actor=actor,
                    member_no=member_no,
                    national_id=national_id,
                    name=name,
                    company_id=choices[company_label],
                    valid_from=valid_from,
                )
            except PortalError as problem:
                ui.show_error(problem)
            else:
                st.success(f"{plain(name)} er lagt til.")

left, middle, right = st.columns([2, 2, 1])
filter_label = left.selectbox("Vis bedrift", ["Alle", *choices], key="register_company", placeholder="Velg …")
search = middle.text_input("Søk (medlemsnr, navn eller bedrift)", key="register_search")
only_current = right.checkbox("Bare nåværende", key="register_current")
page_key = "register_page"
# A new filter starts at the first page.
filters = (filter_label, search, only_current)
if st.session_state.get("_register_filters") != filters:
    st.session_state["_register_filters"] = filters
    st.session_state[page_key] = 0
found = members.register_page(
    store,
    actor=actor,
    company_id=None if filter_label == "Alle" else choices[filter_label],
    search=search,
    only_current=only_current,
    page=st.session_state.get(page_key, 0),
)
rows = found.entries
if not rows:
    st.info("Ingen medlemmer passer filteret." if search or filter_label != "Alle" else "Registeret er tomt.")
    st.stop()


def day(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


ui.table(
    pd.DataFrame(
        {
            "Medlemsnr": [r.member_no for r in rows],
            "Navn": [r.name for r in rows],
            "Fødselsdato": [day(r.birth_date) for r in rows],
            "Bedrift": [f"{r.company} ({r.orgnr})" for r in rows],
            "Fra": [day(r.valid_from) for r in rows],
            "Til": [day(r.valid_to) for r in rows],
            "Sats": [r.rate_class for r in rows],
            ui.PERSON_LINK: [ui.person_link(r.member_no) for r in rows],
        }
    ),
    hide_index=True,
    column_config=ui.person_link_column(),
)
st.caption(f"Side {found.page + 1} av {found.pages} · {found.total} ansettelser")
ui.page_buttons(page_key, found.page, found.pages)

st.subheader("Avslutt eller flytt")
open_rows = [r for r in rows if r.valid_to is None]
labels = {f"{r.name} ({r.member_no}) – {r.company} ({r.orgnr})": r for r in open_rows}
if labels:
    picked = labels[st.selectbox("Medlem", list(labels), placeholder="Velg …")]
    when = st.date_input("Dato", value=localtime.today(), format="DD.MM.YYYY", key="change_date")
    target = st.selectbox("Flytt til bedrift", list(choices), key="move_target", placeholder="Velg …")
    sure = st.checkbox("Ja, endre registeret for dette medlemmet", key="change_sure")
    end_col, move_col = st.columns(2)
    try:
        if end_col.button("Avslutt ansettelse (siste dag)", disabled=not sure):
            # By the employment's own company id: two companies may share a name.
            members.end_employment(
                store, actor=actor, member_id=picked.member_id, company_id=picked.company_id, last_day=when
            )
            st.session_state["_members_flash"] = (
                f"Ansettelsen til {picked.name} i {picked.company} er avsluttet {when:%d.%m.%Y}."
            )
            st.rerun()
        if move_col.button("Flytt (første dag i ny bedrift)", disabled=not sure):
            members.move(store, actor=actor, member_id=picked.member_id, to_company_id=choices[target], first_day=when)
            st.session_state["_members_flash"] = f"{picked.name} er flyttet til {target} fra {when:%d.%m.%Y}."
            st.rerun()
    except PortalError as problem:
        ui.show_error(problem)
flash = st.session_state.pop("_members_flash", None)
if flash:
    st.success(plain(flash))
