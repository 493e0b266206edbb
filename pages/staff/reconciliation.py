"""Avstemming (staff): per company and period, the utrukne with the employers' answers,
unknown persons and anomalies; mark handled, reopen, end an employment."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from pages import ui
from services import localtime, periods
from services.accounts import companies
from services.errors import PortalError
from services.lists import inbox
from services.localtime import shown
from services.money import kr
from services.register import answers, members, reconcile, review, worklist
from services.text import plain

store, actor = ui.store(), ui.actor()
st.title("Avstemming")
company_list = companies.all_companies(store, actor=actor)
if not company_list:
    st.info("Registrer en bedrift først.")
    st.stop()
choices = [periods.add_months(periods.previous(localtime.today()), -n) for n in range(24)]


def day(value) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


KIND_LABELS = worklist.KIND_LABELS
STATUS_LABELS = {worklist.OPEN: "Åpne", worklist.HANDLED: "Behandlet", worklist.ALL: "Alle"}


def worklist_tab() -> None:
    all_companies = {c.id: f"{c.name} ({c.orgnr})" for c in company_list}
    f1, f2, f3, f4 = st.columns([2, 1.3, 2, 1.2])
    chosen_company = f1.selectbox(
        "Filtrer på bedrift", list(all_companies), index=None, format_func=all_companies.get, placeholder="Alle"
    )
    chosen_period = f2.selectbox(
        "Filtrer på periode", choices, index=None, format_func=periods.label, placeholder="Alle"
    )
    chosen_kinds = f3.multiselect("Type", list(KIND_LABELS), format_func=KIND_LABELS.get, placeholder="Alle typer")
    status = f4.radio("Status", list(STATUS_LABELS), format_func=STATUS_LABELS.get, horizontal=True)
    older = st.number_input("Bare eldre enn (dager)", min_value=0, value=0, step=7)
    page_number = st.session_state.get("worklist_page", 0)
    found = worklist.search(
        store,
        actor=actor,
        company_id=chosen_company,
        period=chosen_period,
        kinds=chosen_kinds,
        status=status,
        older_than_days=int(older) or None,
        page=page_number,
    )
    filters = dict(
        company_id=chosen_company,
        period=chosen_period,
        kinds=chosen_kinds,
        status=status,
        older_than_days=int(older) or None,
    )
    ui.excel_download(
        "Last ned som Excel",
        lambda db, current: worklist.export(db, actor=current, **filters),
        file_name=f"arbeidsliste-{localtime.today():%Y-%m-%d}.xlsx",
        key="worklist_export",
    )
    for column, kind in zip(st.columns(len(KIND_LABELS)), KIND_LABELS, strict=True):
        column.metric(KIND_LABELS[kind], found.counts[kind])
    for manual in reconcile.awaiting_manual(store, actor=actor, company_id=chosen_company, period=chosen_period):
        with st.container(border=True):
            st.write(
                f"Til manuell behandling: **{plain(manual.company_name)}**, "
                f"{periods.label(manual.period).lower()} (innsendt {shown(manual.submitted_at)})"
            )
            with st.expander("Skriv inn radene fra listen"):
                keyed = st.data_editor(
                    pd.DataFrame({"Fødselsnummer": [""], "Navn": [""], "Beløp": [""]}),
                    num_rows="dynamic",
                    hide_index=True,
                    column_config={
                        "Fødselsnummer": st.column_config.TextColumn(
                            "Fødselsnummer", help="11 siffer, eller fødselsdato dd.mm.åååå", max_chars=20
                        ),
                        "Navn": st.column_config.TextColumn("Navn", help="Etternavn, Fornavn", max_chars=200),
                        "Beløp": st.column_config.TextColumn("Beløp", help="Kroner, for eksempel 520,00", max_chars=20),
                    },
                    key=f"manual_rows_{manual.submission_id}",
                )
                if st.button("Lagre radene", key=f"manual_save_{manual.submission_id}", type="primary"):
                    rows = [
                        inbox.KeyedRow(str(r["Fødselsnummer"] or ""), str(r["Navn"] or ""), str(r["Beløp"] or ""))
                        for r in keyed.to_dict("records")
                    ]
                    try:
                        new = inbox.enter_rows(store, actor=actor, submission_id=manual.submission_id, rows=rows)
                    except PortalError as problem:
                        ui.show_error(problem)
                    else:
                        st.session_state["_worklist_round"] = st.session_state.get("_worklist_round", 0) + 1
                        st.session_state["_worklist_flash"] = (
                            f"Radene er lagret og listen avstemt. {new} utrukne er nye."
                        )
                        st.rerun()
            if st.button("Merk listen som behandlet", key=f"manual_done_{manual.submission_id}"):
                new = inbox.mark_manual_handled(store, actor=actor, submission_id=manual.submission_id)
                st.session_state["_worklist_round"] = st.session_state.get("_worklist_round", 0) + 1
                st.session_state["_worklist_flash"] = f"Listen er behandlet. {new} utrukne er nye."
                st.rerun()
    if not found.items:
        st.info("Ingen rader passer filteret.")
        return
    table = pd.DataFrame(
        [
            {
                "Bedrift": i.company_name,
                "Periode": periods.label(i.period),
                "Type": KIND_LABELS.get(i.kind, i.kind),
                "Navn": i.name or "",
                "Fødselsdato": day(i.birth_date),
                "Medlemsnr": i.member_no or "",
                "Beløp": kr(i.amount) if i.amount is not None else "",
                "Forventet": kr(i.expected) if i.expected is not None else "",
                "Svar": answers.STATUSES.get(i.status or "", "") + (f": {i.comment}" if i.comment else ""),
                "Hint": f"Mulig overgang fra {i.transfer_from}" if i.transfer_from else "",
                "Behandlet": "Ja" if i.handled_at else "",
                ui.PERSON_LINK: ui.person_link(i.member_no),
            }
            for i in found.items
        ]
    )
    picked = ui.table(
        table,
        hide_index=True,
        column_config=ui.person_link_column(),
        width="stretch",
        on_select="rerun",
        selection_mode="multi-row",
        key=f"worklist_table_{page_number}_{st.session_state.get('_worklist_round', 0)}",
    )
    selected = [found.items[n].id for n in picked.selection.rows]
    pages_total = max(1, -(-found.total // worklist.PAGE_SIZE))
    st.caption(f"{found.total} rader · side {page_number + 1} av {pages_total} · {len(selected)} valgt")
    b1, b2, b3, b4 = st.columns(4)
    try:
        if b1.button("Merk valgte som behandlet", disabled=not selected):
            n = worklist.mark_handled(store, actor=actor, item_ids=selected)
            st.session_state["_worklist_round"] = st.session_state.get("_worklist_round", 0) + 1
            st.session_state["_worklist_flash"] = f"{n} {'rad' if n == 1 else 'rader'} er merket behandlet."
            st.rerun()
        if b2.button("Gjenåpne valgte", disabled=not selected):
            n = worklist.reopen(store, actor=actor, item_ids=selected)
            st.session_state["_worklist_round"] = st.session_state.get("_worklist_round", 0) + 1
            st.session_state["_worklist_flash"] = f"{n} {'rad' if n == 1 else 'rader'} er åpnet igjen."
            st.rerun()
        if b3.button("Avslutt ansettelsene i registeret", disabled=not selected):
            n = worklist.end_employments(store, actor=actor, item_ids=selected)
            st.session_state["_worklist_round"] = st.session_state.get("_worklist_round", 0) + 1
            st.session_state["_worklist_flash"] = f"{n} {'ansettelse' if n == 1 else 'ansettelser'} er avsluttet."
            st.rerun()
        transfers = [i for i in found.items if i.id in selected and i.transfer_from]
        if b4.button(
            "Flytt medlemmet hit",
            disabled=len(transfers) != 1,
            help="For én valgt ukjent person som er medlem i en annen bedrift",
        ):
            came_from = worklist.move_here(store, actor=actor, item_id=transfers[0].id)
            st.session_state["_worklist_round"] = st.session_state.get("_worklist_round", 0) + 1
            st.session_state["_worklist_flash"] = f"Medlemmet er flyttet fra {came_from}."
            st.rerun()
    except PortalError as problem:
        ui.show_error(problem)
    ui.page_buttons("worklist_page", page_number, pages_total)


notice = st.empty()
flash = st.session_state.pop("_worklist_flash", None)
if flash:
    notice.success(plain(flash))
work_tab, company_tab = st.tabs(["Arbeidsliste", "Per bedrift og periode"])
with work_tab:
    worklist_tab()


def company_view() -> None:
    names = {c.id: f"{c.name} ({c.orgnr})" for c in company_list}
    left, right = st.columns(2)
    company_id = left.selectbox("Bedrift", list(names), format_func=names.get, placeholder="Velg …")
    period = right.selectbox("Periode", choices, format_func=periods.label, placeholder="Velg …")
    result = review.report(store, actor=actor, company_id=company_id, period=period)

    def actions(item: review.ReportItem) -> None:
        cols = st.columns(3)
        try:
            if item.handled_at is None and cols[0].button("Merk behandlet", key=f"handled_{item.id}"):
                review.mark_handled(store, actor=actor, item_id=item.id)
                st.rerun()
            if item.status and cols[1].button("Åpne igjen", key=f"reopen_{item.id}"):
                review.reopen(store, actor=actor, item_id=item.id)
                st.rerun()
            if item.status == "sluttet" and cols[2].button("Avslutt ansettelsen i registeret", key=f"end_{item.id}"):
                members.end_employment(
                    store,
                    actor=actor,
                    member_id=item.member_id,
                    company_id=company_id,
                    last_day=period - timedelta(days=1),
                )
                st.rerun()
        except PortalError as problem:
            ui.show_error(problem)

    def utrukket(item: review.ReportItem) -> str:
        answer = answers.STATUSES.get(item.status, "Ikke besvart")
        comment = f" – {plain(item.comment)}" if item.comment else ""
        who = f"**{plain(item.name)}** ({day(item.birth_date)}), medlem {plain(item.member_no)}"
        return f"{who}: {answer}{comment}"

    def unknown(item: review.ReportItem) -> str:
        return (
            f"**{plain(item.name) or 'uten navn'}** ({day(item.birth_date)}), "
            f"fnr {item.national_id or 'mangler'}: {kr(item.amount or 0)}"
        )

    def anomaly(item: review.ReportItem) -> str:
        return (
            f"**{plain(item.name)}**, medlem {plain(item.member_no)}: trukket {kr(item.amount)}, "
            f"forventet {kr(item.expected)}"
        )

    def fnr_to_fix(item: review.ReportItem) -> str:
        return (
            f"**{plain(item.name)}**, medlem {plain(item.member_no)}: listen har fødselsnummer "
            f"{plain(item.national_id)}, som ikke er gyldig"
        )

    def unidentified(item: review.ReportItem) -> str:
        return f"**{plain(item.name) or 'uten navn'}**, uten fødselsnummer og fødselsdato: {kr(item.amount or 0)}"

    for title, found, describe in (
        ("Utrukne", result.utrukne, utrukket),
        ("Ukjente på listen", result.unknown, unknown),
        ("Avvik i beløp", result.anomalies, anomaly),
        ("Uidentifisert (trukket uten fødselsnummer eller fødselsdato)", result.unidentified, unidentified),
        ("Fødselsnummer må rettes", result.fnr_to_fix, fnr_to_fix),
    ):
        st.subheader(f"{title} ({len(found)})")
        for item in found:
            with st.container(border=True):
                st.write(describe(item) + (" · behandlet" if item.handled_at else ""))
                actions(item)

    # An answer can be changed until it is handled: what the company said before stays visible.
    given = answers.history(store, actor=actor, company_id=company_id)
    if given:
        with st.expander(f"Alle svar bedriften har gitt, også de som er endret ({len(given)})"):
            ui.table(
                [
                    {
                        "Navn": g.name,
                        "Periode utrukket": periods.label(g.period),
                        "Status": answers.STATUSES.get(g.status, g.status),
                        "Kommentar": g.comment or "",
                        "Besvart av": g.answered_by or "",
                        "Besvart": shown(g.answered_at),
                    }
                    for g in given
                ],
                hide_index=True,
            )


with company_tab:
    company_view()
