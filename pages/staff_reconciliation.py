"""Avstemming (staff): per company and period, the utrukne with the employers' answers,
unknown persons and anomalies; mark handled, reopen, end an employment."""

from datetime import date, timedelta

import streamlit as st

from services import companies, members, periods, reconciliation, ui
from services.errors import PortalError
from services.money import kr
from services.text import plain

store, actor = ui.store(), ui.actor()
st.title("Avstemming")
company_list = companies.all_companies(store, actor=actor)
if not company_list:
    st.info("Registrer en bedrift først.")
    st.stop()
names = {c.id: f"{c.name} ({c.orgnr})" for c in company_list}
left, right = st.columns(2)
company_id = left.selectbox("Bedrift", list(names), format_func=names.get)
choices = [periods.add_months(periods.previous(date.today()), -n) for n in range(24)]
period = right.selectbox("Periode", choices, format_func=periods.label)
result = reconciliation.report(store, actor=actor, company_id=company_id, period=period)


def day(value) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def actions(item: dict) -> None:
    cols = st.columns(3)
    try:
        if item["handled_at"] is None and cols[0].button("Merk behandlet", key=f"handled_{item['id']}"):
            reconciliation.mark_handled(store, actor=actor, item_id=item["id"])
            st.rerun()
        if item.get("status") and cols[1].button("Åpne igjen", key=f"reopen_{item['id']}"):
            reconciliation.reopen(store, actor=actor, item_id=item["id"])
            st.rerun()
        if item.get("status") == "sluttet" and cols[2].button(
            "Avslutt ansettelsen i registeret", key=f"end_{item['id']}"
        ):
            members.end_employment(
                store,
                actor=actor,
                member_id=item["member_id"],
                company_id=company_id,
                last_day=period - timedelta(days=1),
            )
            st.rerun()
    except PortalError as problem:
        ui.show_error(problem)


def utrukket(item: dict) -> str:
    answer = reconciliation.STATUSES.get(item["status"], "Ikke besvart")
    comment = f" – {plain(item['comment'])}" if item["comment"] else ""
    return (
        f"**{plain(item['name'])}** ({day(item['birth_date'])}), medlem {plain(item['member_no'])}: {answer}{comment}"
    )


def unknown(item: dict) -> str:
    return (
        f"**{plain(item['name']) or 'uten navn'}** ({day(item['birth_date'])}), "
        f"fnr {item['national_id'] or 'mangler'}: {kr(item['amount'] or 0)}"
    )


def anomaly(item: dict) -> str:
    return (
        f"**{plain(item['name'])}**, medlem {plain(item['member_no'])}: trukket {kr(item['amount'])}, "
        f"forventet {kr(item['expected'])}"
    )


def fnr_to_fix(item: dict) -> str:
    return (
        f"**{plain(item['name'])}**, medlem {plain(item['member_no'])}: listen har fødselsnummer "
        f"{plain(item['national_id'])}, som ikke er gyldig"
    )


def unidentified(item: dict) -> str:
    return f"**{plain(item['name']) or 'uten navn'}**, uten fødselsnummer og fødselsdato: {kr(item['amount'] or 0)}"


for title, key, describe in (
    ("Utrukne", "utrukne", utrukket),
    ("Ukjente på listen", "unknown", unknown),
    ("Avvik i beløp", "anomalies", anomaly),
    ("Uidentifisert (trukket uten fødselsnummer eller fødselsdato)", "unidentified", unidentified),
    ("Fødselsnummer må rettes", "fnr_to_fix", fnr_to_fix),
):
    st.subheader(f"{title} ({len(result[key])})")
    for item in result[key]:
        with st.container(border=True):
            st.write(describe(item) + (" · behandlet" if item["handled_at"] else ""))
            actions(item)
