"""Entry point: settings, login, the declaration gate, and the pages each role may open.

A page not registered for the current user is not reachable, not even by URL.
"""

import logging

import streamlit as st

from pages import ui
from services import demo, logs, mail, sidecar
from services.accounts import companies, declaration
from services.config import ConfigError, load_settings
from services.store_errors import StoreBusy, StoreUnavailable
from services.text import plain

st.set_page_config(page_title="Trekklisteportal", page_icon="📄", layout="wide")

# Every address the portal has. One the user may not open yet is never «Page not found»: logged
# out it shows the login, and after the login the page asked for; logged in it goes to the start.
KNOWN_PATHS = (
    "logg-inn",
    "to-trinn",
    "taushetserklaering",
    "hjem",
    "innsending",
    "registrer-trekk",
    "innsendte-lister",
    "brev",
    "utrukne",
    "ingen-tilgang",
    "administrasjon",
    "oversikt",
    "innkomne-lister",
    "medlemsregister",
    "avstemming",
    "brev-til-bedrifter",
    "demo-innboks",
)


def every_path(pages: list, stand_in, *, start: str) -> list:
    # The default page answers at the root; its own path (`start`) is taken all the same.
    taken = {page.url_path for page in pages} | {start}
    return pages + [stand_in(path) for path in KNOWN_PATHS if path not in taken]


def forward_to(start):
    def forward() -> None:
        st.switch_page(start)

    return lambda path: st.Page(forward, title="Videre", url_path=path, visibility="hidden")


def shown_instead(script: str, title: str):
    return lambda path: st.Page(script, title=title, url_path=path, visibility="hidden")


try:
    settings = load_settings()
    logs.configure(settings)
    store = ui.begin_run(settings)
except StoreBusy as problem:
    # Many at once (a restart with every tab reconnecting, the 15th): a moment later it works.
    st.warning(str(problem), icon=":material/hourglass_top:")
    st.stop()
except (ConfigError, StoreUnavailable) as problem:
    logging.basicConfig(level=logging.INFO, format=logs.TEXT_FORMAT)
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

ui.dress(settings)
if st.query_params.get("utlogget"):
    # Back from /portal/utlogging, which cleared the login cookie.
    del st.query_params["utlogget"]
    ui.flash("Du er logget ut.")
user = ui.authenticate()
demo_inbox = [st.Page("pages/demo_inbox.py", title="Demo: innboks", icon=":material/inbox:", url_path="demo-innboks")]
if not settings.demo:
    demo_inbox = []
needs_declaration = user is not None and declaration.needs_acceptance(store, actor=user)
# The companies an employer acts for, read once a run: the pages and the switcher both need them.
own_companies = (
    companies.for_user(store, actor=user) if user is not None and not user.is_staff and not needs_declaration else []
)

if user is None and ui.pending_second_factor() is not None:
    # A right password, and the second step still to come: that step is the only page.
    start = "to-trinn"
    pages = [
        st.Page("pages/second_factor.py", title="Innlogging i to trinn", url_path=start, default=True)
    ] + demo_inbox
    stand_in = shown_instead("pages/second_factor.py", "Innlogging i to trinn")
elif user is None:
    start = "logg-inn"
    pages = [
        st.Page("pages/login.py", title="Logg inn", icon=":material/login:", url_path=start, default=True)
    ] + demo_inbox
    stand_in = shown_instead("pages/login.py", "Logg inn")
elif needs_declaration:
    start = "taushetserklaering"
    pages = [st.Page("pages/declaration.py", title="Taushetserklæring", url_path=start, default=True)]
    stand_in = shown_instead("pages/declaration.py", "Taushetserklæring")
elif user.is_staff:
    start = "administrasjon"
    pages = [
        st.Page(
            "pages/staff/admin.py",
            title="Administrasjon",
            icon=":material/admin_panel_settings:",
            url_path=start,
            default=True,
        ),
        st.Page("pages/staff/overview.py", title="Oversikt", url_path="oversikt"),
        st.Page("pages/staff/incoming.py", title="Innkomne lister", url_path="innkomne-lister"),
        st.Page("pages/staff/members.py", title="Medlemsregister", url_path="medlemsregister"),
        st.Page("pages/staff/person.py", title="Person", url_path="person"),
        st.Page("pages/staff/reconciliation.py", title="Avstemming", url_path="avstemming"),
        st.Page("pages/staff/letters.py", title="Brev til bedrifter", url_path="brev-til-bedrifter"),
    ] + demo_inbox
elif not own_companies:
    # Access taken away (or never given): one page that says so, no other page reachable.
    start = "ingen-tilgang"
    pages = [st.Page("pages/employer/no_access.py", title="Ingen tilgang", url_path=start, default=True)]
else:
    start = "hjem"
    pages = [
        st.Page("pages/employer/home.py", title="Hjem", icon=":material/home:", url_path=start, default=True),
        st.Page("pages/employer/submit.py", title="Innsending", url_path="innsending"),
        st.Page("pages/employer/fill_in.py", title="Registrer trekk", url_path="registrer-trekk"),
        st.Page("pages/employer/history.py", title="Innsendte lister det siste året", url_path="innsendte-lister"),
        st.Page("pages/employer/letters.py", title="Brev fra forbundet", url_path="brev"),
        st.Page("pages/employer/not_deducted.py", title="Utrukne", url_path="utrukne"),
    ] + demo_inbox

if user is not None and not needs_declaration:
    stand_in = forward_to(pages[0])
pages = every_path(pages, stand_in, start=start)
if user is not None:
    ui.top_bar(settings=settings, user=user, companies=own_companies)
    refused = ui.refused_company()
    if refused:
        st.warning(
            f"Du har ikke tilgang til bedriften med organisasjonsnummer {plain(refused)}. "
            "Velg en av dine bedrifter øverst til høyre.",
            icon=":material/domain_disabled:",
        )
    if user.is_staff:
        ui.backup_warning(store, user)

ui.show_refused_downloads()
st.navigation(pages, position="top").run()
