"""Send inn trekkliste: pick the period, add the files, see what was read, send."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import streamlit as st

from pages import ui
from pages.ui import brief, memory, month, previews
from pages.ui.column_picker import pick_columns
from services import fields, periods
from services.errors import PortalError
from services.lists import layouts, submissions
from services.money import kr
from services.reading.parsing import ParseResult, parse_bytes
from services.register import month_changes
from services.text import plain

PREVIEW_ROWS = 10
# Rows of «Vis hele listen» a page.
WHOLE_PAGE_ROWS = 1000
# Texts of a preview's table in Arrow buffers, not one Python object a cell.
TEXT = pd.ArrowDtype(pa.string())


@dataclass(frozen=True)
class Preview:
    """What the page shows of a file, kept while the file is on the form: the result without its
    rows, and the rows as a table whose texts live in Arrow buffers. A 100 000-row list's rows as
    Python objects left the server about 80 MB larger after the file was removed; buffers go back."""

    result: ParseResult
    table: pd.DataFrame | None
    persons: int
    total: Decimal
    flagged: frozenset[int]

    @classmethod
    def of(cls, result: ParseResult) -> Preview:
        flagged = frozenset(w.line for w in result.warnings if w.line)
        table = None
        if result.rows:
            table = pd.DataFrame(
                {
                    "Linje": [r.line for r in result.rows],
                    "Fødselsdato": [r.birth_date.strftime("%d.%m.%Y") if r.birth_date else "" for r in result.rows],
                    "Navn": [r.name or "" for r in result.rows],
                    "Beløp": [kr(r.amount) if r.amount is not None else "" for r in result.rows],
                    "Merknad": ["⚠ se merknad" if r.line in flagged else "" for r in result.rows],
                }
            ).astype({"Fødselsdato": TEXT, "Navn": TEXT, "Beløp": TEXT, "Merknad": TEXT})
        return cls(replace(result, rows=[]), table, result.persons, result.total, flagged)

    def size(self) -> int:
        """Bytes held, as the server's bounds count them: the table's, with its texts' buffers."""
        table = 0 if self.table is None else int(self.table.memory_usage(deep=True).sum())
        return table + sum(len(w.message) for w in self.result.warnings)


company_id = ui.require_company()
store, actor = ui.store(), ui.actor()

company = ui.company()
session = previews.current_session()


@dataclass(frozen=True)
class Form:
    """The names of one round's widgets: a sent list starts a new round, and with it an empty form."""

    round: int
    period: str
    contact: str
    resend: str
    files: str
    confirm: str
    remark: str

    @classmethod
    def current(cls) -> Form:
        n = st.session_state.setdefault("_submit_round", 0)
        own = f"{company_id}_{n}"
        names = ("contact", "resend", "files", "confirm_copies", "remark")
        return cls(n, f"submit_{n}", *(f"{name}_{own}" for name in names))


def send_clicked(form: Form) -> None:
    """A click on «Send inn», handled before anything is drawn, with the values the form had when
    it was clicked: a sent list is shown with a fresh form in this same run. On the deadline day
    many sends share the server: one run a send, not one drawing the previews and then another."""
    period = month.chosen_period(key=form.period)
    try:
        receipt = submissions.submit(
            store,
            actor=actor,
            company_id=company_id,
            period=period,
            contact_email=st.session_state.get(form.contact) or "",
            remark=st.session_state.get(form.remark) or "",
            uploads=[submissions.Upload(u.name, u.getvalue()) for u in st.session_state.get(form.files) or []],
            confirm_earlier_copies=bool(st.session_state.get(form.confirm)),
            resend_kind=st.session_state.get(month.resend_key(form.resend, period)),
            ask_resend_kind=True,
        )
    except PortalError as problem:
        # Kept a few seconds: a run that follows at once (a file arriving) must not swallow it.
        brief.keep("_send_error", problem)
    else:
        st.session_state["_receipt"] = receipt
        st.session_state["_submit_round"] = form.round + 1
        if previews.SHARED.keep_only(session, ()):
            memory.give_back()


if st.session_state.get("send_list"):
    send_clicked(Form.current())
form = Form.current()
st.title("Send inn trekkliste")
st.markdown(f"For **{plain(company.name)}**, organisasjonsnummer {company.orgnr}")
st.page_link(
    "pages/employer/fill_in.py",
    label="Har du ikke en fil fra lønnssystemet? Registrer trekk i portalen",
    icon=":material/edit_note:",
)
receipt = st.session_state.pop("_receipt", None)
if receipt is not None:
    mail_state = submissions.receipt_mail_state(store, actor=actor, receipt=receipt)
    st.success(
        f"Trekklisten for {plain(receipt.company_name)} ({receipt.orgnr}) er sendt inn for "
        f"{periods.label(receipt.period).lower()}: "
        f"{plain(', '.join(receipt.file_names))}. "
        f"{receipt.persons} personer, til sammen {kr(receipt.total)}. "
        + {
            "sent": f"Kvittering er sendt på e-post til {plain(receipt.receipt_to)}.",
            "queued": f"Kvitteringen sendes på e-post til {plain(receipt.receipt_to)}.",
            "trouble": "Vi får ikke sendt e-post akkurat nå; kvitteringen sendes så snart det lar seg gjøre.",
            "none": "Ingen kvittering er sendt på e-post.",
        }[mail_state],
        icon=":material/check_circle:",
    )
    st.info(submissions.payment_line(receipt, ui.settings().union_account), icon=":material/payments:")
    for note in receipt.notes:
        st.info(plain(note))
    if receipt.outcome.corrections:
        count = receipt.outcome.corrections
        months = " og ".join(periods.label(p).lower() for p in receipt.outcome.corrected_periods)
        st.info(
            f"{count} {'rad gjelder' if count == 1 else 'rader gjelder'} en annen måned og er ført som korrigering "
            f"for {months}, ikke som trekk for denne perioden.",
            icon=":material/undo:",
        )
    if receipt.outcome.fnr_to_fix:
        count = receipt.outcome.fnr_to_fix
        st.warning(
            f"{count} fødselsnummer på listen må rettes: kontrollsifrene stemmer ikke. Vi har funnet "
            f"{'medlemmet' if count == 1 else 'medlemmene'} på fødselsdato og navn. Rett nummeret i lønnssystemet.",
            icon=":material/edit:",
        )
    if receipt.outcome.utrukne:
        count = receipt.outcome.utrukne
        st.warning(
            f"{count} medlem{'mer' if count > 1 else ''} vi har registrert hos dere står ikke på listen.",
            icon=":material/person_alert:",
        )
        st.page_link(
            "pages/employer/not_deducted.py", label="Gi status under «Utrukne»", icon=":material/arrow_forward:"
        )
    changes = month_changes.changes_since_previous(store, actor=actor, company_id=company_id, period=receipt.period)
    if changes.new or changes.gone or changes.changed:
        with st.expander(
            f"Endringer fra {periods.label(periods.add_months(receipt.period, -1)).lower()}: "
            f"{len(changes.new)} nye, {len(changes.gone)} borte, {len(changes.changed)} endret beløp"
        ):

            def who(born, name):
                return f"{plain(name) or 'uten navn'} ({born:%d.%m.%Y})" if born else (plain(name) or "uten navn")

            for born, name, amount in changes.new:
                st.write(f"Ny: {who(born, name)} {kr(amount) if amount is not None else ''}")
            for born, name, _ in changes.gone:
                st.write(f"Borte: {who(born, name)}")
            for born, name, before, after in changes.changed:
                st.write(f"Endret: {who(born, name)} {kr(before or 0)} → {kr(after or 0)}")

month.contact_address(company_id=company_id, key=form.contact)
st.markdown("**Periode:**")
period = month.choose_period(key=form.period)
month.resend_question(company_id=company_id, period=period, key=form.resend)
uploads = st.file_uploader(
    "Trekkliste:",
    type=list(submissions.ACCEPTED_KINDS),
    accept_multiple_files=True,
    key=form.files,
    help="Legg til en eller flere filer for perioden.",
)
st.markdown("#### Filer og format")
st.write(
    "Vi ber om at listene sendes i følgende format: excel og txt. "
    "I en overgangsperiode kan også originale PDF filer sendes."
)
st.write("Er det flere filer for en periode, kan disse lastes opp og sendes inn samtidig.")

# The columns the company's clerks chose for files like these: part of what a preview depends on.
chosen = layouts.chosen_for(store, actor=actor, company_id=company_id)
chosen_version = tuple((c.header_key, c.sheet, c.header_row, tuple(sorted(c.columns.items()))) for c in chosen)
too_many = len(uploads or []) > submissions.MAX_FILES
if too_many:
    st.error(
        f"Du kan sende høyst {submissions.MAX_FILES} filer om gangen. Fjern noen av filene.", icon=":material/error:"
    )
chosen_files = []
for upload in [] if too_many else uploads or []:
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    chosen_files.append((upload, data, digest, (upload.name, digest, chosen_version)))
# A preview is kept only while its file is on the form: one removed (or read with other columns)
# lets its rows go before any new file is read, so the room it took is free for the next.
if previews.SHARED.keep_only(session, [key for *_, key in chosen_files]):
    memory.give_back()
too_large = None
try:
    previews.SHARED.check_room(session, file_bytes=[len(data) for _, data, _, _ in chosen_files])
except previews.TooMuchForSession as problem:
    too_large = problem
    ui.show_error(problem)
    chosen_files = []
for upload, data, digest, key in chosen_files:
    preview = previews.SHARED.get(session, key)
    if preview is None:
        preview = Preview.of(parse_bytes(data, upload.name, chosen))
        try:
            previews.SHARED.hold(session, key, preview, file_bytes=len(data), preview_bytes=preview.size())
        except PortalError as problem:
            ui.show_error(problem)
            too_large = problem
            continue
        previews.SWEEPER.start()
    result = preview.result
    with st.container(border=True):
        st.markdown(f"**{plain(upload.name)}**")
        if not result.ok:
            st.error(plain(result.error), icon=":material/error:")
        if result.kind != "pdf" and pick_columns(
            company_id=company_id,
            name=upload.name,
            data=data,
            key=f"columns_{digest[:16]}",
            open_at_start=not result.ok and "Fant ingen trekkliste" in (result.error or ""),
        ):
            st.rerun()
        if result.layout_used:
            st.caption("Lest med kolonnene dere har valgt for denne typen fil.")
        if not result.ok:
            continue
        if result.note:
            st.info(plain(result.note))
        if preview.table is not None:
            st.write(f"{preview.persons} personer · sum {kr(preview.total)}")
            if result.stated_total is not None and abs(result.stated_total - abs(preview.total)) <= Decimal("0.01"):
                st.caption(f"Summen i filen ({kr(result.stated_total)}) stemmer med summen av radene.")
            flagged = preview.flagged
            every_row = preview.table

            def marked(row: pd.Series) -> list[str]:
                # A row with a warning stands out in the table, not only in the messages below it.
                colour = "background-color: #fff3cd" if row["Merknad"] else ""
                return [colour] * len(row)

            shown_rows = min(PREVIEW_ROWS, len(every_row))
            # «personer» as the clerk counts them; «rader» when one person has more than one row.
            unit = "personer" if preview.persons == len(every_row) else "rader"
            st.caption(
                f"Viser {shown_rows} av {len(every_row)} {unit}" + (f" ({len(flagged)} med merknad)" if flagged else "")
            )
            ui.table(every_row.head(PREVIEW_ROWS), hide_index=True, styler=marked)
            if len(every_row) > PREVIEW_ROWS:
                # Drawn only while open: every run of the page would otherwise send the whole list.
                whole = st.expander(
                    f"Vis hele listen ({len(every_row)} rader)", key=f"whole_{digest[:16]}", on_change="rerun"
                )
                if whole.open:
                    with whole:
                        # A page at a time: the union's largest lists have 100 000 rows.
                        page_key = f"whole_page_{digest[:16]}"
                        pages_total = -(-len(every_row) // WHOLE_PAGE_ROWS)
                        shown_page = min(st.session_state.get(page_key, 0), pages_total - 1)
                        start = shown_page * WHOLE_PAGE_ROWS
                        ui.table(every_row.iloc[start : start + WHOLE_PAGE_ROWS], hide_index=True, styler=marked)
                        if pages_total > 1:
                            st.caption(
                                f"Rad {start + 1}–{min(start + WHOLE_PAGE_ROWS, len(every_row))} av {len(every_row)}"
                                f" · side {shown_page + 1} av {pages_total}"
                            )
                            ui.page_buttons(page_key, shown_page, pages_total)
        for warning in result.warnings:
            where = f"Linje {warning.line}: " if warning.line else ""
            st.warning(where + plain(warning.message), icon=":material/warning:")

chosen_uploads = [submissions.Upload(u.name, u.getvalue()) for u in uploads or []]
copies = submissions.earlier_copies(store, actor=actor, company_id=company_id, period=period, uploads=chosen_uploads)
if copies:
    for copy in copies:
        st.warning(plain(copy.message), icon=":material/content_copy:")
    st.checkbox("Ja, dette er riktig fil for denne perioden", key=form.confirm)
st.text_area("Merknad:", key=form.remark, max_chars=fields.REMARK)
send_error = brief.kept("_send_error")
if send_error is not None:
    ui.show_error(send_error)
# Its click is handled at the top of the next run (`send_clicked`). Without a file on the form
# it cannot be clicked: a click while the chosen file is still on its way would find no file
# and be lost, where now the button waits for the file, and says why.
st.button("Send inn", type="primary", key="send_list", disabled=not uploads or too_many or too_large is not None)
if not uploads:
    remark = st.session_state.get(form.remark)
    st.caption(submissions.REMARK_WITHOUT_FILE if remark else "Legg til minst én fil med trekklisten.")
