"""Brev til bedrifter (staff): upload a PDF letter, or make a start or stop letter from the template."""

import pandas as pd
import streamlit as st

from pages import ui
from services import localtime, periods
from services.accounts import companies
from services.errors import PortalError
from services.letters import letters
from services.letters import pdf as letter_pdf
from services.localtime import shown
from services.text import plain

store, actor = ui.store(), ui.actor()
st.title("Brev til bedrifter")

choices = {f"{c.name} ({c.orgnr})": c.id for c in companies.all_companies(store, actor=actor)}
if not choices:
    st.info("Registrer en bedrift først.")
    st.stop()


def letters_table(found: list[letters.StaffLetter], *, with_company: bool) -> None:
    ui.table(
        [
            {
                "Opprettet": shown(x.created_at),
                **({"Bedrift": x.company_name} if with_company else {}),
                "Emne": x.subject,
                "Tilgjengelig til": x.last_day.strftime("%d.%m.%Y"),
                "Status": "Trukket tilbake" if x.withdrawn else ("Utløpt" if x.expired else "Synlig for bedriften"),
                "Først lastet ned": shown(x.first_downloaded_at),
            }
            for x in found
        ],
        hide_index=True,
    )


# No default: a letter must never go to the first company in the list by accident.
company_label = st.selectbox("Bedrift", list(choices), index=None, placeholder="Velg bedriften brevet skal til")
# Always one element here, message or not: the tabs below keep their place, and their chosen tab.
notice = st.empty()
flash = st.session_state.pop("_letters_flash", None)
if flash:
    notice.success(flash)
if company_label is None:
    st.subheader("Alle brev")
    letters_table(letters.staff_letters(store, actor=actor), with_company=True)
    st.stop()
company_id = choices[company_label]
# Widgets are drawn afresh after a letter is made, so a second click cannot make it twice.
round_key = st.session_state.setdefault("_letters_round", 0)


def done(message: str) -> None:
    st.session_state["_letters_flash"] = message
    st.session_state["_letters_round"] = round_key + 1
    st.rerun()


register_tab, upload_tab, template_tab, list_tab = st.tabs(
    ["Fra medlemsregisteret", "Last opp PDF", "Lag brev fra mal", "Alle brev"]
)

with register_tab:
    for kind, one, many in (
        (letter_pdf.START, "nytt medlem siden forrige startbrev", "nye medlemmer siden forrige startbrev"),
        (
            letter_pdf.STOP,
            "medlem som har sluttet eller flyttet siden forrige stoppbrev",
            "medlemmer som har sluttet eller flyttet siden forrige stoppbrev",
        ),
    ):
        pending = letters.pending_from_register(store, actor=actor, company_id=company_id, kind=kind)
        st.markdown(f"**{letter_pdf.SUBJECTS[kind]}**: {len(pending)} {one if len(pending) == 1 else many}")
        if pending:
            st.caption(plain(", ".join(person.name for _, person in pending)))
        if pending and st.toggle("Forhåndsvis", key=f"preview_register_{kind}"):
            drafted = letters.preview(
                store, actor=actor, company_id=company_id, kind=kind, persons=[person for _, person in pending]
            )
            for picture in letter_pdf.page_images(drafted):
                st.image(picture, width="stretch")
        if st.button(f"Lag «{letter_pdf.SUBJECTS[kind]}»", key=f"from_register_{kind}", disabled=not pending):
            try:
                letters.from_register(store, actor=actor, company_id=company_id, kind=kind)
            except PortalError as problem:
                ui.show_error(problem)
            else:
                done(f"«{letter_pdf.SUBJECTS[kind]}» er laget, og bedriftens brukere har fått e-post.")

with upload_tab:
    # No form: the upload must have arrived before the button can use it.
    subject = st.text_input("Emne", key=f"upload_subject_{company_id}_{round_key}")
    pdf = st.file_uploader("Brev (PDF)", type=["pdf"], key=f"upload_pdf_{company_id}_{round_key}")
    if st.button("Last opp brev"):
        try:
            letters.upload(
                store, actor=actor, company_id=company_id, subject=subject, pdf=pdf.getvalue() if pdf else b""
            )
        except PortalError as problem:
            ui.show_error(problem)
        else:
            done(f"Brevet er lagt inn for {plain(company_label)}, og bedriftens brukere har fått e-post.")

with template_tab:
    kind = st.radio("Brev", [letter_pdf.START, letter_pdf.STOP], format_func=letter_pdf.SUBJECTS.get, horizontal=True)
    next_period = periods.add_months(periods.month_start(localtime.today()), 1)
    blank = pd.DataFrame(
        {
            "Navn": pd.Series(dtype="str"),
            "Fødselsdato": pd.Series(dtype="object"),
            "Fra periode": pd.Series(dtype="object"),
            "Sats": pd.Series(dtype="str"),
            "Årsak": pd.Series(dtype="str"),
        }
    )
    columns = {
        "Navn": st.column_config.TextColumn("Navn (Etternavn, Fornavn)", required=True),
        "Fødselsdato": st.column_config.DateColumn("Fødselsdato", format="DD.MM.YYYY", required=True),
        "Fra periode": st.column_config.DateColumn("Fra periode", format="MM.YYYY", default=next_period, required=True),
        "Sats": st.column_config.TextColumn("Sats", default=letters.rate_text(store, "ordinær", next_period)),
        "Årsak": st.column_config.SelectboxColumn("Årsak", options=list(letter_pdf.REASONS), default="utmeldt"),
    }
    hidden = "Årsak" if kind == letter_pdf.START else "Sats"
    edited = st.data_editor(
        blank.drop(columns=[hidden]),
        column_config=columns,
        num_rows="dynamic",
        key=f"letter_people_{kind}_{round_key}",
        hide_index=True,
    )
    pasted = st.text_area(
        "Eller lim inn fra et regneark (én person per linje: navn; fødselsdato; fra periode; "
        + ("sats)" if kind == letter_pdf.START else "årsak utmeldt/overført)"),
        key=f"letter_paste_{kind}_{round_key}",
    )

    def people() -> list[letter_pdf.LetterPerson]:
        keyed = [
            letter_pdf.LetterPerson(
                name=str(row["Navn"] or ""),
                birth_date=row["Fødselsdato"],
                from_period=periods.month_start(row["Fra periode"]),
                rate=str(row.get("Sats") or ""),
                reason=str(row.get("Årsak") or ""),
            )
            for _, row in edited.iterrows()
            if row.get("Navn") and row.get("Fødselsdato") and row.get("Fra periode")
        ]
        return keyed + letter_pdf.persons_from_text(pasted, kind=kind)

    show, make = st.columns(2)
    if show.button("Forhåndsvis", icon=":material/visibility:"):
        try:
            drafted = letters.preview(store, actor=actor, company_id=company_id, kind=kind, persons=people())
        except PortalError as problem:
            ui.show_error(problem)
        else:
            st.caption("Forhåndsvisning: brevet er ikke sendt. Slik ser det ut for bedriften.")
            for picture in letter_pdf.page_images(drafted):
                st.image(picture, width="stretch")
    if make.button("Lag brev", type="primary"):
        try:
            letters.generate(store, actor=actor, company_id=company_id, kind=kind, persons=people())
        except PortalError as problem:
            ui.show_error(problem)
        else:
            done(
                f"«{letter_pdf.SUBJECTS[kind]}» er laget for {plain(company_label)}, og bedriftens brukere "
                "har fått e-post."
            )

with list_tab:
    company_letters = letters.staff_letters(store, actor=actor, company_id=company_id)
    letters_table(company_letters, with_company=False)
    by_id = {x.id: x for x in company_letters}
    chosen_letter = st.selectbox(
        "Brev",
        list(by_id),
        index=None,
        placeholder="Velg et brev",
        format_func=lambda i: f"{shown(by_id[i].created_at, with_time=False)} · {by_id[i].subject}",
    )
    if chosen_letter is not None:
        letter = by_id[chosen_letter]
        left, right = st.columns(2)
        left.download_button(
            "Last ned brevet",
            data=ui.guarded_download(lambda db, current: letters.staff_file(db, actor=current, letter_id=letter.id)[1]),
            file_name=f"brev-{letter.id}.pdf",
            mime="application/pdf",
            icon=":material/download:",
            on_click="ignore",
            disabled=letter.expired,
        )
        sure = right.checkbox("Ja, trekk brevet tilbake", disabled=letter.withdrawn, key=f"sure_{letter.id}")
        if right.button("Trekk tilbake", disabled=letter.withdrawn or not sure):
            try:
                letters.withdraw(store, actor=actor, letter_id=letter.id)
            except PortalError as problem:
                ui.show_error(problem)
            else:
                done(f"«{letter.subject}» er trukket tilbake; bedriften ser det ikke lenger.")
