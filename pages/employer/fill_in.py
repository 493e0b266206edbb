"""Registrer trekk i portalen: the month's list filled in on the page, for a clerk without a
file from the payroll system. Sent, it is an ordinary list: stored, reconciled and receipted."""

from decimal import Decimal

import pandas as pd
import streamlit as st

from pages import ui
from pages.ui import month
from services import fields, periods
from services.errors import PortalError
from services.lists import portal_list, submissions
from services.lists.portal_list import MemberLine, NewPerson
from services.money import kr
from services.register import answers
from services.text import plain

company_id = ui.require_company()
company = ui.company()
store, actor = ui.store(), ui.actor()
DEDUCTED = "Trukket"
REASONS = {label: key for key, label in answers.STATUSES.items()}

st.title("Registrer trekk i portalen")
st.markdown(f"For **{plain(company.name)}**, organisasjonsnummer {company.orgnr}")
receipt = st.session_state.pop("_fill_in_receipt", None)
if receipt is not None:
    st.success(
        f"Trekklisten for {plain(receipt.company_name)} ({receipt.orgnr}) er sendt inn for "
        f"{periods.label(receipt.period).lower()}: {receipt.persons} personer, til sammen {kr(receipt.total)}.",
        icon=":material/check_circle:",
    )
    st.info(submissions.payment_line(receipt, ui.settings().union_account), icon=":material/payments:")
st.write(
    "Her ser du medlemmene vi har registrert hos dere for perioden, med beløpet fra forrige måned. "
    "Rett beløpene, legg til personer som mangler, og velg hvorfor et medlem ikke er trukket. "
    "Trykk «Send inn» når listen er riktig."
)

rounds = st.session_state.setdefault("_fill_in_round", 0)
period = month.choose_period(key=f"fill_{rounds}")

try:
    expected = portal_list.expected(store, actor=actor, company_id=company_id, period=period)
except PortalError as problem:
    ui.show_error(problem)
    st.stop()

ui.excel_download(
    "Last ned som Excel",
    lambda db, current: portal_list.template(db, actor=current, company_id=company_id, period=period),
    file_name=f"trekkliste-{company.orgnr}-{period:%Y-%m}.xlsx",
    key=f"fill_template_{company_id}_{period}",
)

st.subheader("Medlemmer")
if not expected:
    st.info("Vi har ingen medlemmer registrert hos dere for perioden. Legg til personene under.")
# Built by column: at the largest employer this table has thousands of rows, drawn every run.
members_table = pd.DataFrame(
    {
        "Medlemsnr": [m.member_no for m in expected],
        "Navn": [m.name for m in expected],
        "Fødselsdato": [m.birth_date.strftime("%d.%m.%Y") if m.birth_date else "" for m in expected],
        # Text, as the clerk writes it («520,50»): an empty number cell would show «None».
        "Beløp": [f"{m.last_amount:.2f}".replace(".", ",") if m.last_amount is not None else "" for m in expected],
        "Trukket?": DEDUCTED,
        "Kommentar": "",
    },
    index=pd.Index([m.member_id for m in expected], name="id"),
    columns=["Medlemsnr", "Navn", "Fødselsdato", "Beløp", "Trukket?", "Kommentar"],
).astype(str)  # text columns even with no members: an empty column would be a number column
edited_members = st.data_editor(
    members_table,
    key=f"fill_members_{company_id}_{period}_{rounds}",
    hide_index=True,
    width="stretch",
    num_rows="fixed",
    disabled=["Medlemsnr", "Navn", "Fødselsdato"],
    column_config={
        "Beløp": st.column_config.TextColumn("Beløp (kr)", max_chars=12),
        "Trukket?": st.column_config.SelectboxColumn(
            "Trukket?", options=[DEDUCTED, *REASONS], required=True, help="Velg hvorfor et medlem ikke er trukket."
        ),
        "Kommentar": st.column_config.TextColumn("Kommentar", max_chars=fields.COMMENT),
    },
)

st.subheader("Andre personer som er trukket")
new_table = st.data_editor(
    pd.DataFrame({"Fødselsnummer": pd.Series(dtype=str), "Navn": pd.Series(dtype=str), "Beløp": pd.Series(dtype=str)}),
    key=f"fill_new_{company_id}_{period}_{rounds}",
    hide_index=True,
    width="stretch",
    num_rows="dynamic",
    column_config={
        "Fødselsnummer": st.column_config.TextColumn("Fødselsnummer (11 siffer)", max_chars=11),
        "Navn": st.column_config.TextColumn("Navn", max_chars=fields.NAME),
        "Beløp": st.column_config.TextColumn("Beløp (kr)", max_chars=12),
    },
)


def cell_text(value) -> str:
    """A text cell as typed; an empty cell of a new row can be None or NaN."""
    return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()


lines: list[MemberLine] = []
new_people: list[NewPerson] = []
problems: list[str] = []
# By column, not row by row (`iterrows` builds a Series for each of thousands of rows, every run).
for member_id, deducted, typed, name, comment in zip(
    edited_members.index,
    edited_members["Trukket?"],
    edited_members["Beløp"],
    edited_members["Navn"],
    edited_members["Kommentar"],
    strict=True,
):
    reason = REASONS.get(deducted)
    try:
        amount = None if reason else portal_list.amount_of(typed, who=name)
    except PortalError as problem:
        problems.append(str(problem))
        continue
    lines.append(MemberLine(int(member_id), amount, reason, cell_text(comment)))
for n, row in new_table.iterrows():
    try:
        amount = portal_list.amount_of(row["Beløp"], who=cell_text(row["Navn"]) or f"ny person {n + 1}")
    except PortalError as problem:
        problems.append(str(problem))
        continue
    new_people.append(NewPerson(cell_text(row["Fødselsnummer"]), cell_text(row["Navn"]), amount))
counted = [line.amount for line in lines if line.amount] + [p.amount for p in new_people if p.amount]
st.write(f"**{len(counted)} personer · sum {kr(sum(counted, start=Decimal('0')))}**")

contact = month.contact_address(company_id=company_id, key=f"fill_contact_{company_id}_{rounds}")
resend_kind = month.resend_question(company_id=company_id, period=period, key=f"fill_resend_{company_id}_{rounds}")
remark = st.text_area("Merknad:", key=f"fill_remark_{company_id}_{rounds}", max_chars=fields.REMARK)
if st.button("Send inn", type="primary", key="fill_send"):
    if problems:
        st.error(plain(" ".join(problems)), icon=":material/error:")
    else:
        try:
            receipt = portal_list.submit(
                store,
                actor=actor,
                company_id=company_id,
                period=period,
                contact_email=contact,
                members=lines,
                new_people=new_people,
                remark=remark,
                resend_kind=resend_kind,
                ask_resend_kind=True,
            )
        except PortalError as problem:
            ui.show_error(problem)
        else:
            st.session_state["_fill_in_receipt"] = receipt
            st.session_state["_fill_in_round"] = rounds + 1
            st.rerun()
