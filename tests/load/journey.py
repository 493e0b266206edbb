"""One employer's deadline-day visit, through the real server with the protocol client: open the
portal, log in, come back through the cookie route as a logged-in tab, open «Innsending», choose
the list file, send it and see the receipt.

Each step has what a person would see once it has worked. A step after which it is not there is a
lost action: the person clicked and nothing happened (the client does not click again; a person
would phone the union). An exception (a refused socket, an error page, a timeout) is an error.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from threading import Barrier

from tests.load.client import ProtocolError, Session

# What an error page says: the portal's own words for a failed run, and Streamlit's page.
ERROR_WORDS = ("Noe gikk galt", "Portalen har mye å gjøre", "Portalen kan ikke starte", "Traceback")
SENT = "er sendt inn for"
STEPS = ("open", "log in", "cookie", "Innsending", "choose file", "send")


@dataclass
class Visit:
    """What happened to one employer: each step's seconds, and what went wrong where."""

    email: str
    took: dict[str, float] = field(default_factory=dict)
    lost: list[str] = field(default_factory=list)
    error: str | None = None
    # The browser's cookies once logged in: a tab that comes back after a restart sends them.
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def sent(self) -> bool:
        return "send" in self.took and not self.lost and self.error is None


def _error_page(session: Session) -> str | None:
    for text in session.texts():
        if any(word in text for word in ERROR_WORDS):
            return text[:120]
    if any(e.kind == "exception" for e in session.elements.values()):
        return "an exception box"
    return None


def _step(visit: Visit, name: str, session: Session, work, shows: str) -> bool:
    """Run one step, timed; False (and the visit marked) when the person would not go on."""
    started = time.perf_counter()
    work()
    visit.took[name] = time.perf_counter() - started
    problem = _error_page(session)
    if problem is not None:
        visit.error = f"{name}: {problem}"
        return False
    if not session.shows(shows):
        visit.lost.append(name)
        return False
    return True


def employer_visit(
    base_url: str, email: str, password: str, file_name: str, data: bytes, *, send_together: Barrier | None = None
) -> Visit:
    """The visit, start to receipt. `send_together`: every visitor clicks «Send inn» at once."""
    visit = Visit(email)
    session: Session | None = None
    waited = False
    try:
        started = time.perf_counter()
        session = Session(base_url)
        first = session
        if not _step(visit, "open", first, first.run, "Logg inn"):
            return visit
        visit.took["open"] = time.perf_counter() - started

        if not _step(visit, "log in", first, lambda: submit_login(first, email, password), "Innlogget som"):
            return visit
        handoff = first.component("portal_goto")
        if not handoff or not handoff.get("url"):
            visit.lost.append("log in")
            return visit
        started = time.perf_counter()
        session = come_back(base_url, first, handoff["url"])
        visit.took["cookie"] = time.perf_counter() - started
        if session.component("portal_goto") is not None or not session.shows("Innlogget som"):
            visit.lost.append("cookie")
            return visit
        visit.cookies = dict(session.cookies)
        tab = session
        if not _step(visit, "Innsending", tab, lambda: tab.run(page="innsending"), "Send inn trekkliste"):
            return visit
        uploader = tab.widget("file_uploader", "Trekkliste:")
        if not _step(visit, "choose file", tab, lambda: tab.upload(uploader.id, file_name, data), "personer · sum"):
            return visit
        if send_together is not None:
            waited = True
            send_together.wait()
        _step(visit, "send", tab, lambda: tab.run(clicks=(tab.widget("button", "Send inn").id,)), SENT)
    except Exception as problem:  # noqa: BLE001 - a refused socket, a timeout, the client's own errors: figures
        visit.error = f"{type(problem).__name__}: {problem}"[:200]
    finally:
        if send_together is not None and not waited:
            # A visitor who never reached «Send inn» must not hold the others back.
            send_together.wait()
        if session is not None:
            try:
                session.close()
            except Exception:  # noqa: BLE001 - closing a socket the server already closed
                pass
    return visit


def submit_login(session: Session, email: str, password: str) -> None:
    """The login form filled in and «Logg inn» clicked."""
    address, secret = session.widget("text_input", "E-post"), session.widget("text_input", "Passord")
    session.run(values={address.id: email, secret.id: password}, clicks=(session.widget("button", "Logg inn").id,))


def come_back(base_url: str, first: Session, handoff_url: str) -> Session:
    """The browser leaves the login page for the cookie route and comes back as a new tab."""
    first.get(handoff_url)
    first.close()
    tab = Session(base_url, cookies=dict(first.cookies))
    tab.run()
    return tab


def logged_in(base_url: str, email: str, password: str) -> Session:
    """A tab logged in as a person gets one: the form, the cookie route, and back with the cookie."""
    first = Session(base_url)
    first.run()
    submit_login(first, email, password)
    handoff = first.component("portal_goto")
    if not handoff:
        raise ProtocolError("the login did not go on: " + " | ".join(first.texts()[:6]))
    return come_back(base_url, first, handoff["url"])
