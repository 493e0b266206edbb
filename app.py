"""The portal's web app: the Streamlit script (Home.py), and two routes of our own that set and
clear the login cookie. A script can only write a cookie through the page's JavaScript, which can
then read it too; the server sets it `HttpOnly`, `SameSite=Strict`, and `Secure` whenever the
portal is reached over HTTPS (directly or through a trusted proxy).

`/portal/helse` answers the health check on the machine itself (issue 22).

`streamlit run app.py` serves it (`make run`, deploy/systemd). The login page hands the browser a
one-minute, single-use handoff for its new session (`sessions.handoff_token`); the browser brings
it to `/portal/innlogging`, which sets the cookie and sends it on to the page it came for.
"""

import pyarrow as pa
import streamlit as st
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.routing import Route
from streamlit.runtime.pages_manager import PagesManager

from services.accounts import sessions
from services.config import load_settings
from services.db import open_store
from services.operations import health
from services.store_errors import StoreBusy

NO_STORE = {"Cache-Control": "no-store"}


def _secure(request: Request, trusted_proxies: tuple[str, ...]) -> bool:
    """Whether the browser reached the portal over HTTPS: directly, or as a trusted proxy says."""
    if request.url.scheme == "https":
        return True
    peer = request.client.host if request.client else ""
    return peer in trusted_proxies and request.headers.get("x-forwarded-proto", "") == "https"


def _cookie(response: RedirectResponse, request: Request, trusted_proxies: tuple[str, ...], **value) -> None:
    secure = _secure(request, trusted_proxies)
    if value:
        response.set_cookie(sessions.COOKIE_NAME, httponly=True, secure=secure, samesite="strict", path="/", **value)
    else:
        response.delete_cookie(sessions.COOKIE_NAME, httponly=True, secure=secure, samesite="strict", path="/")


def sign_in(request: Request) -> RedirectResponse:
    settings = load_settings()
    taken = sessions.take_handoff(
        open_store(settings), token=request.query_params.get("t", ""), cookie_key=settings.cookie_key
    )
    if taken is None:
        return RedirectResponse("/", status_code=303, headers=NO_STORE)
    session, next_path = taken
    response = RedirectResponse(next_path, status_code=303, headers=NO_STORE)
    token = sessions.cookie_token(session, cookie_key=settings.cookie_key)
    _cookie(response, request, settings.trusted_proxies, value=token, max_age=int(sessions.LIFETIME.total_seconds()))
    return response


def sign_out(request: Request) -> RedirectResponse:
    """The cookie goes (the session already ended in the store), and the login page says so."""
    response = RedirectResponse("/?utlogget=1", status_code=303, headers=NO_STORE)
    _cookie(response, request, load_settings().trusted_proxies)
    return response


LOOPBACK = ("127.0.0.1", "::1")


def health_check(request: Request) -> PlainTextResponse:
    """`services.cli health --portal URL` asks here: on DuckDB only the portal's own process may open
    the store. Answered on the machine itself only, never to a request through the proxy."""
    peer = request.client.host if request.client else ""
    if peer not in LOOPBACK or "x-forwarded-for" in request.headers:
        return PlainTextResponse("Ikke funnet", status_code=404, headers=NO_STORE)
    found = health.run_checks(load_settings(web=False))
    status = 200 if all(c.ok for c in found) else 503
    return PlainTextResponse(health.report(found), status_code=status, headers=NO_STORE)


def script_error(problem: Exception) -> bool:
    """An error no page caught: a Norwegian message instead of Streamlit's English exception box,
    which shows code and values. The error itself is in the log (Streamlit logs it first)."""
    if isinstance(problem, StoreBusy):
        # Many at once (the 15th, a restart with every tab reconnecting): a moment later it works.
        st.warning(str(problem), icon=":material/hourglass_top:")
    else:
        st.error("Noe gikk galt. Prøv igjen om litt; skjer det igjen, ta kontakt med forbundet.")
    return True


# The portal's pages are those Home.py gives st.navigation. Until a first st.navigation call,
# Streamlit takes a `pages/` folder beside the script for its old multipage layout: the very first
# request after a start, at a bookmarked address, met its English «Page not found». Set before
# any session starts, so that no first run takes the old way.
PagesManager.uses_pages_directory = False
# Arrow's buffers (a preview's texts) from the C allocator, whose free pages the submit page's
# malloc_trim hands back when a preview goes: Arrow's own allocator (mimalloc) kept them. Not
# through pages.ui, whose import here, before the app exists, left the login cookie unset.
pa.set_memory_pool(pa.system_memory_pool())

app = st.App(
    "Home.py",
    on_script_error=script_error,
    routes=[
        Route("/portal/innlogging", sign_in),
        Route("/portal/utlogging", sign_out),
        Route("/portal/helse", health_check),
    ],
)
