"""Brev fra forbundet: the company's letters, not yet downloaded first, ten a page."""

import math

import streamlit as st

from pages import ui
from services.letters import letters
from services.localtime import shown
from services.text import plain

company_id = ui.require_company()
store, actor = ui.store(), ui.actor()

st.title("Brev fra forbundet")
st.info("**Brev er tilgjengelige i seks måneder fra de ble opprettet.**")

total = letters.count(store, actor=actor, company_id=company_id)
pages = max(1, math.ceil(total / letters.PAGE_SIZE))
page_key = f"letters_page_{company_id}"
page = min(st.session_state.get(page_key, 0), pages - 1)
entries = letters.for_company(store, actor=actor, company_id=company_id, page=page)


def fetch(letter_id: int):
    # Runs when the browser asks for the file, outside this script run, and only for a session
    # still live: that request is the download, so it is marked and audited there.
    return ui.guarded_download(
        lambda db, current: letters.download(db, actor=current, company_id=company_id, letter_id=letter_id)[1]
    )


if not entries:
    st.write("Det er ingen brev fra forbundet.")
else:
    header = st.columns([1, 1, 4])
    for column, title in zip(header, ("Opprettet", "Tidligere nedlastet?", "Emne"), strict=True):
        column.markdown(f"**{title}**")
    for entry in entries:
        created, downloaded, subject = st.columns([1, 1, 4])
        created.write(shown(entry.created_at) if entry.created_at else entry.created_on.strftime("%d.%m.%Y"))
        downloaded.write("Ja" if entry.downloaded else "Nei")
        subject.download_button(
            plain(entry.subject),
            data=fetch(entry.id),
            # The letter's number in the name: two letters with one subject on one day stay two files.
            file_name=f"{entry.file_name.removesuffix('.pdf')}-{entry.id}.pdf",
            mime="application/pdf",
            key=f"letter_{entry.id}",
            type="tertiary",
            icon=":material/download:",
        )
if pages > 1:
    st.write(f"Side {page + 1} av {pages}")
    ui.page_buttons(page_key, page, pages)
