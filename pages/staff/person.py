"""Person (staff): one member across employers and months, found by number, fødselsnummer,
birth date or name (issue 26)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from pages import ui
from services import localtime, periods
from services.errors import PortalError
from services.money import kr
from services.register import answers, erasure, members, person, rectify
from services.reports import access_report
from services.text import plain

# What the reconciliation's kinds and the employer's statuses are called on the page.
OUTCOMES = {
    "utrukket": "Utrukket",
    "unknown": "Ukjent",
    "anomaly": "Avvik i beløp",
    "unidentified": "Uten identitet",
    "fnr_to_fix": "Fødselsnummer må rettes",
}
LETTERS = {"start": "Start trekk", "stop": "Stopp trekk", "upload": "Brev"}


def day(value) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


store, actor = ui.store(), ui.actor()
st.title("Person")
ui.show_flash()
st.caption(
    "Finn et medlem på medlemsnummer, fødselsnummer (11 sifre), fødselsdato (dd.mm.åååå) eller navn. "
    "Siden viser medlemskap, ansettelser og måned for måned hva bedriftene har trukket."
)
query = st.text_input(
    "Søk etter person", key="person_query", placeholder="For eksempel 2001, 04.04.1988 eller Siri Dahl"
)
page_number = st.session_state.get("person_page", 0)
if st.session_state.get("_person_query_seen") != query:
    st.session_state["_person_query_seen"] = query
    page_number = st.session_state["person_page"] = 0

chosen = st.session_state.get("person_member")
# Another page's link to a member («Vis person»): /person?medlem=<member number>.
linked = st.query_params.get("medlem")
if linked and st.session_state.get("_person_linked") != linked:
    st.session_state["_person_linked"] = linked
    try:
        st.session_state["person_member"] = chosen = members.id_of(store, actor=actor, member_no=linked)
    except PortalError as problem:
        ui.show_error(problem)
if query.strip():
    try:
        found = person.search(store, actor=actor, query=query, page=page_number)
    except PortalError as problem:
        ui.show_error(problem)
        found = None
    if found is not None and not found.hits:
        st.info("Fant ingen medlemmer som passer søket.")
    elif found is not None:
        st.caption(f"{found.total} treff" + (f" · side {found.page + 1} av {found.pages}" if found.pages > 1 else ""))
        for hit in found.hits:
            left, right = st.columns([4, 1])
            ended = f" · medlem til {day(hit.member_to)}" if hit.member_to else ""
            left.markdown(f"**{plain(hit.name)}** · medlemsnr. {hit.member_no} · født {day(hit.birth_date)}{ended}")
            if right.button("Vis", key=f"person_show_{hit.member_id}"):
                st.session_state["person_member"] = chosen = hit.member_id
        if found.pages > 1:
            ui.page_buttons("person_page", found.page, found.pages)

if chosen is not None:
    try:
        seen = person.history(store, actor=actor, member_id=chosen)
    except PortalError as problem:
        ui.show_error(problem)
        st.stop()
    member = seen.member
    st.divider()
    st.header(plain(member.name))
    membership = f"medlem fra {day(member.member_from)}" if member.member_from else "medlem"
    if member.member_to:
        membership += f" til {day(member.member_to)}"
    st.write(
        f"Medlemsnr. {member.member_no} · fødselsnummer {member.national_id} · født {day(member.birth_date)}"
        f" · sats {member.rate_class} · {membership}"
    )
    left, right = st.columns(2)
    with left:
        ui.excel_download(
            "Innsyn for personen (Excel)",
            lambda db, current: access_report.excel(db, actor=current, member_id=member.id),
            file_name=f"innsyn-{member.member_no}.xlsx",
            key=f"report_xlsx_{member.id}",
        )
    right.download_button(
        "Innsyn for personen (PDF)",
        data=ui.guarded_download(lambda db, current: access_report.pdf(db, actor=current, member_id=member.id)),
        file_name=f"innsyn-{member.member_no}.pdf",
        mime="application/pdf",
        icon=":material/download:",
        on_click="ignore",
        key=f"report_pdf_{member.id}",
    )
    with st.expander("Rett navn eller fødselsnummer"):
        with st.form(f"correct_{member.id}"):
            new_name = st.text_input("Navn", value=member.name)
            new_number = st.text_input("Fødselsnummer", value=member.national_id, max_chars=13)
            reason = st.text_area("Grunn til rettelsen", max_chars=500)
            if st.form_submit_button("Lagre rettelse"):
                try:
                    done = rectify.correct_member(
                        store,
                        actor=actor,
                        member_id=member.id,
                        reason=reason,
                        name=new_name if new_name.strip() != member.name else None,
                        national_id=new_number if new_number.strip() != member.national_id else None,
                    )
                except PortalError as problem:
                    ui.show_error(problem)
                else:
                    changed = " og ".join(rectify.FIELD_WORDS[f] for f in done.fields)
                    runs = "avstemming" if done.reconciled == 1 else "avstemminger"
                    ui.flash(f"Rettet {changed}. {done.reconciled} {runs} gjort på nytt.")
                    st.rerun()
    if seen.corrections:
        st.subheader("Rettelser")
        ui.table(
            pd.DataFrame(
                {
                    "Felt": [rectify.FIELD_WORDS[c.field] for c in seen.corrections],
                    "Før": [c.old_value for c in seen.corrections],
                    "Etter": [c.new_value for c in seen.corrections],
                    "Grunn": [c.reason for c in seen.corrections],
                    "Rettet av": [c.corrected_by or "" for c in seen.corrections],
                    "Når": [localtime.shown(c.corrected_at) for c in seen.corrections],
                }
            ),
            hide_index=True,
        )
    st.subheader("Ansettelser")
    if seen.jobs:
        ui.table(
            pd.DataFrame(
                {
                    "Bedrift": [j.company for j in seen.jobs],
                    "Org.nr.": [j.orgnr for j in seen.jobs],
                    "Fra": [day(j.valid_from) for j in seen.jobs],
                    "Til": [day(j.valid_to) for j in seen.jobs],
                }
            ),
            hide_index=True,
        )
    else:
        st.info("Ingen ansettelser i registeret.")

    st.subheader("Måned for måned")
    if not seen.months:
        st.info("Ingen lister har nevnt personen, og avstemmingen har ikke funnet noe for personen.")
    lines = []
    for month in seen.months:
        for row in month.rows:
            lines.append(
                {
                    "Periode": periods.label(month.period),
                    "Bedrift": row.company,
                    "Hva": "Trukket"
                    + (f" (korrigering i listen for {periods.label(row.list_period)})" if row.correction else ""),
                    "Beløp": kr(row.amount) if row.amount is not None else "",
                    "Forventet": "",
                    "Svar fra bedriften": "",
                    "Fil": f"{row.file_name}, linje {row.line}" if row.line else row.file_name,
                    "Sendt": localtime.shown(row.submitted_at),
                }
            )
        for outcome in month.outcomes:
            said = "; ".join(
                f"{answers.STATUSES.get(a.status, a.status)}"
                + (f": {a.comment}" if a.comment else "")
                + f" ({localtime.shown(a.answered_at)})"
                for a in outcome.answers
            )
            handled = (
                f"Behandlet av {outcome.handled_by} {localtime.shown(outcome.handled_at)}" if outcome.handled_at else ""
            )
            lines.append(
                {
                    "Periode": periods.label(month.period),
                    "Bedrift": outcome.company,
                    "Hva": OUTCOMES.get(outcome.kind, outcome.kind) + (" · lukket" if outcome.closed_at else ""),
                    "Beløp": kr(outcome.amount) if outcome.amount is not None else "",
                    "Forventet": kr(outcome.expected) if outcome.expected is not None else "",
                    "Svar fra bedriften": said,
                    "Fil": handled,
                    "Sendt": "",
                }
            )
    if lines:
        ui.table(pd.DataFrame(lines), hide_index=True)
        st.caption(
            f"{len(seen.months)} måneder · {sum(len(m.rows) for m in seen.months)} rader i lister · "
            f"{sum(len(m.outcomes) for m in seen.months)} funn i avstemmingen"
        )

    st.subheader("Brev som nevner personen")
    if seen.letters:
        ui.table(
            pd.DataFrame(
                {
                    "Bedrift": [letter.company for letter in seen.letters],
                    "Emne": [letter.subject for letter in seen.letters],
                    "Hva": [LETTERS.get(letter.kind, letter.kind) for letter in seen.letters],
                    "Laget": [localtime.shown(letter.created_at) for letter in seen.letters],
                    "Trukket tilbake": [localtime.shown(letter.withdrawn_at) for letter in seen.letters],
                }
            ),
            hide_index=True,
        )
    else:
        st.info("Ingen brev har nevnt personen.")

    st.subheader("Hvem har sett personen")
    ACTIONS = {
        "person.view": "Åpnet siden",
        "person.report": "Laget innsyn",
        "member.correct": "Rettet",
        "member.erase": "Slettet",
    }
    seen_by = person.lookups(store, actor=actor, member_no=member.member_no)
    ui.table(
        pd.DataFrame(
            {
                "Når": [localtime.shown(s.occurred_at) for s in seen_by],
                "Hvem": [s.user for s in seen_by],
                "Hva": [ACTIONS.get(s.action, s.action) for s in seen_by],
            }
        ),
        hide_index=True,
    )
    st.caption(
        "Fra loggen: hvem som har åpnet denne siden, laget innsyn eller rettet personen. Lister, arbeidslister "
        "og brev logges per bedrift og side, ikke per person."
    )

    st.subheader("Sletting")
    plan = erasure.plan(store, actor=actor, member_id=member.id)
    if plan.kept:
        st.write("Personen kan ikke slettes ennå. Dette må forbundet beholde:")
        ui.table(
            pd.DataFrame(
                {
                    "Hva": [k.what for k in plan.kept],
                    "Kan slettes fra": [
                        "når det ikke lenger gjelder" if k.until == date.max else day(k.until) for k in plan.kept
                    ],
                }
            ),
            hide_index=True,
        )
    else:
        st.write("Lagringstidene er ute: alt som nevner personen kan slettes nå.")
        sure = st.checkbox("Ja, slett personen og alt som nevner personen", key=f"erase_sure_{member.id}")
        if st.button("Slett personen", type="primary", disabled=not sure):
            try:
                done = erasure.erase(store, actor=actor, member_id=member.id)
            except PortalError as problem:
                ui.show_error(problem)
            else:
                gone = ", ".join(f"{label}: {count}" for label, count in done.rows.items() if count)
                ui.flash(f"Medlem {done.member_no} er slettet ({gone}).")
                st.session_state.pop("person_member", None)
                st.rerun()
