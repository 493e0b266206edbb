"""Entry point: settings, login, the declaration gate, and the pages each role may open.

A page not registered for the current user is not reachable, not even by URL.
"""

import logging

import streamlit as st

from pages import ui
from services import demo, mail, sidecar
from services.accounts import companies, declaration
from services.config import ConfigError, load_settings
from services.text import plain

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
st.set_page_config(page_title="Trekklisteportal", page_icon="📄", layout="wide")

try:
    settings = load_settings()
    store = ui.begin_run(settings)
except ConfigError as problem:
    logging.getLogger("portal").error("refusing to start: %s", problem)
    st.error(f"Portalen kan ikke starte: {problem}")
    st.stop()

# Mail is delivered by a thread of its own: no page waits for the mail provider.
mail.start_courier(settings)
if settings.sidecar_in_process:
    # The timed work runs in this process: DuckDB allows one writing process per file.
    sidecar.start_in_background(settings)
if settings.demo and not demo.is_seeded(store):
    demo.seed(store)

user = ui.authenticate()
demo_inbox = [st.Page("pages/demo_inbox.py", title="Demo: innboks", icon=":material/inbox:", url_path="demo-innboks")]
if not settings.demo:
    demo_inbox = []
needs_declaration = user is not None and declaration.needs_acceptance(store, actor=user)
# The companies an employer acts for, read once a run: the pages and the switcher both need them.
own_companies = (
    companies.for_user(store, actor=user) if user is not None and not user.is_staff and not needs_declaration else []
)

if user is None:
    pages = [
        st.Page("pages/login.py", title="Logg inn", icon=":material/login:", url_path="logg-inn", default=True)
    ] + demo_inbox
elif needs_declaration:
    pages = [st.Page("pages/declaration.py", title="Taushetserklæring", url_path="taushetserklaering", default=True)]
elif user.is_staff:
    pages = [
        st.Page(
            "pages/staff/admin.py",
            title="Administrasjon",
            icon=":material/admin_panel_settings:",
            url_path="administrasjon",
            default=True,
        ),
        st.Page("pages/staff/overview.py", title="Oversikt", url_path="oversikt"),
        st.Page("pages/staff/incoming.py", title="Innkomne lister", url_path="innkomne-lister"),
        st.Page("pages/staff/members.py", title="Medlemsregister", url_path="medlemsregister"),
        st.Page("pages/staff/reconciliation.py", title="Avstemming", url_path="avstemming"),
        st.Page("pages/staff/letters.py", title="Brev til bedrifter", url_path="brev-til-bedrifter"),
    ] + demo_inbox
elif not own_companies:
    # Access taken away (or never given): one page that says so, no other page reachable.
    pages = [st.Page("pages/employer/no_access.py", title="Ingen tilgang", url_path="ingen-tilgang", default=True)]
else:
    pages = [
        st.Page("pages/employer/home.py", title="Hjem", icon=":material/home:", url_path="hjem", default=True),
        st.Page("pages/employer/submit.py", title="Innsending", url_path="innsending"),
        st.Page("pages/employer/history.py", title="Innsendte lister det siste året", url_path="innsendte-lister"),
        st.Page("pages/employer/letters.py", title="Brev fra forbundet", url_path="brev"),
        st.Page("pages/employer/not_deducted.py", title="Utrukne", url_path="utrukne"),
    ] + demo_inbox

if user is not None:
    with st.sidebar:
        st.markdown(f"Innlogget som **{plain(ui.display_name() or user.email)}**")
    if own_companies:
        ui.choose_company(own_companies)
    st.sidebar.button("Logg ut", on_click=ui.request_logout, key="portal_logout")

ui.show_refused_downloads()
st.navigation(pages, position="top").run()
