"""A light Streamlit client for the load bench: Streamlit's own protocol over its WebSocket, with
the message types the package ships (`streamlit.proto`), no browser.

It does what the browser's app does for the steps the bench takes: opens a session with the
cookies a browser would send, asks for a script run with the widgets' values and a button's
click, uploads a file the way the upload control does (ask for an upload address, PUT the bytes,
hand the file's id to the widget), follows the page list the app sends, and keeps the elements
of the latest complete run. One session is one thread's; nothing here is shared.
"""

from __future__ import annotations

import http.cookies
import json
import secrets
import time
import urllib.parse
import urllib.request
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.Common_pb2 import FileUploaderState, FileURLsRequest, UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates
from websockets.sync.client import connect

XSRF_COOKIE = "_streamlit_xsrf"
FINISHED = ForwardMsg.ScriptFinishedStatus
DONE = {FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
WIDGETS = ("button", "text_input", "text_area", "file_uploader", "selectbox", "checkbox")


class ProtocolError(Exception):
    """The server answered something a browser's app could not go on from."""


@dataclass
class Shown:
    """One element of the page as the last complete script run drew it."""

    kind: str
    proto: Any

    @property
    def text(self) -> str:
        """What a person reads in it: a markdown's or an alert's body, a widget's label."""
        for name in ("body", "label"):
            value = getattr(self.proto, name, None)
            if isinstance(value, str):
                return value
        return ""


@dataclass
class Session:
    """One browser tab's conversation with the portal."""

    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 120.0

    def __post_init__(self) -> None:
        self._get_page()
        parts = urllib.parse.urlsplit(self.base_url)
        self._open = ExitStack()
        self._socket = self._open.enter_context(
            connect(
                f"ws://{parts.netloc}/_stcore/stream",
                subprotocols=["streamlit", self.cookies[XSRF_COOKIE]],  # type: ignore[list-item]
                additional_headers={"Cookie": self._cookie_header(), "Origin": self.base_url},
                max_size=None,
                open_timeout=self.timeout,
            )
        )
        self.session_id = ""
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.page_hash = ""
        self.elements: dict[tuple[int, ...], Shown] = {}
        self._values: dict[str, WidgetState] = {}
        self._pending: list[ForwardMsg] = []

    # -- HTTP, as the browser does it -------------------------------------------------------------

    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def _keep_cookies(self, response: Any) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = http.cookies.SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def _get_page(self) -> None:
        """The page, and the health check the app asks before it connects: it sets the XSRF
        cookie that the upload and the socket need."""
        self.get("/")
        self.get("/_stcore/health")
        if XSRF_COOKIE not in self.cookies:
            raise ProtocolError("the server set no XSRF cookie")

    def get(self, path: str) -> int:
        """A GET with this tab's cookies, following the portal's redirects by hand (each hop's
        cookies kept, as a browser keeps them); the final status."""
        url = urllib.parse.urljoin(self.base_url, path)
        opener = urllib.request.build_opener(_NoRedirect())
        for _ in range(5):
            request = urllib.request.Request(url, headers={"Cookie": self._cookie_header()})
            try:
                response = opener.open(request, timeout=self.timeout)
            except urllib.error.HTTPError as answer:
                response = answer
            self._keep_cookies(response)
            if response.status in (301, 302, 303, 307, 308):
                url = urllib.parse.urljoin(url, response.headers["Location"])
                continue
            response.read()
            return response.status
        raise ProtocolError(f"too many redirects from {path}")

    # -- the script runs ----------------------------------------------------------------------------

    def run(self, *, page: str | None = None, clicks: tuple[str, ...] = (), values: dict[str, Any] | None = None):
        """Ask for one script run, as a click or a changed widget does, and wait until the app is
        idle again (a run the script ends with `st.rerun()` is followed by the next). `page`: a url
        path of the app's page list; `clicks`: widget ids whose trigger fires; `values`: widget
        ids and their new values (kept for later runs, as the browser keeps them)."""
        for widget_id, value in (values or {}).items():
            self._values[widget_id] = _state(widget_id, value)
        if page is not None:
            self.page_hash = self.pages[page]
        states = list(self._values.values()) + [WidgetState(id=w, trigger_value=True) for w in clicks]
        state = ClientState(
            query_string="",
            widget_states=WidgetStates(widgets=states),
            page_script_hash=self.page_hash,
        )
        self._send(BackMsg(rerun_script=state))
        self._until_idle()

    def _send(self, message: BackMsg) -> None:
        self._socket.send(message.SerializeToString())

    def _receive(self) -> ForwardMsg:
        """The next message: one put aside while waiting for an upload address, else the socket's."""
        return self._pending.pop(0) if self._pending else self._receive_direct()

    def _until_idle(self) -> None:
        running = True
        while running:
            message = self._receive()
            kind = message.WhichOneof("type")
            if kind == "new_session":
                self.elements = {}
                self.session_id = message.new_session.initialize.session_id or self.session_id
                if message.new_session.page_script_hash:
                    self.page_hash = message.new_session.page_script_hash
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in message.navigation.app_pages}
                self.page_hash = message.navigation.page_script_hash or self.page_hash
            elif kind == "page_info_changed":
                pass
            elif kind == "delta":
                self._apply(message)
            elif kind == "script_finished":
                if message.script_finished == FINISHED.FINISHED_WITH_COMPILE_ERROR:
                    raise ProtocolError("the page's script failed to compile")
                running = message.script_finished not in DONE
            elif kind == "ref_hash":
                raise ProtocolError("the server sent a cached message this client never had")
        # Widgets gone from the page are not sent again, as the browser forgets them.
        present = {getattr(e.proto, "id", None) for e in self.elements.values()}
        self._values = {k: v for k, v in self._values.items() if k in present}

    def _apply(self, message: ForwardMsg) -> None:
        path = tuple(message.metadata.delta_path)
        delta = message.delta
        if delta.WhichOneof("type") == "new_element":
            element = delta.new_element
            kind = element.WhichOneof("type")
            self.elements[path] = Shown(kind, getattr(element, kind))

    # -- reading the page ---------------------------------------------------------------------------

    def texts(self) -> list[str]:
        return [e.text for _, e in sorted(self.elements.items())]

    def shows(self, text: str) -> bool:
        return any(text in t for t in self.texts())

    def widget(self, kind: str, label: str) -> Any:
        """The widget of `kind` whose label is `label` (its proto: `.id`, `.default`...)."""
        for shown in self.elements.values():
            if shown.kind == kind and shown.proto.label == label:
                return shown.proto
        raise ProtocolError(f"no {kind} «{label}» on the page; it shows: {self.texts()[:12]}")

    def component(self, name_part: str) -> dict[str, Any] | None:
        """The JSON arguments of the first custom component whose name holds `name_part`."""
        for shown in self.elements.values():
            if shown.kind == "component_instance" and name_part in shown.proto.component_name:
                return json.loads(shown.proto.json_args or "{}")
        return None

    # -- uploads, as the upload control does them ----------------------------------------------------

    def upload(self, uploader_id: str, name: str, data: bytes) -> None:
        """Put one file on the upload control `uploader_id`; the script runs with it."""
        request_id = uuid.uuid4().hex
        self._send(
            BackMsg(
                file_urls_request=FileURLsRequest(request_id=request_id, file_names=[name], session_id=self.session_id)
            )
        )
        while True:
            message = self._receive_direct()
            answered = message.WhichOneof("type") == "file_urls_response"
            if answered and message.file_urls_response.response_id == request_id:
                break
            self._pending.append(message)
        answer = message.file_urls_response
        if answer.error_msg:
            raise ProtocolError(f"no upload address: {answer.error_msg}")
        urls = answer.file_urls[0]
        boundary = secrets.token_hex(16)
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            urllib.parse.urljoin(self.base_url, urls.upload_url),
            data=body,
            method="PUT",
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Cookie": self._cookie_header(),
                "X-Xsrftoken": self.cookies[XSRF_COOKIE],
                "Origin": self.base_url,
            },
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            if response.status not in (200, 204):
                raise ProtocolError(f"upload refused: {response.status}")
        info = UploadedFileInfo(name=name, size=len(data), file_id=urls.file_id, file_urls=urls)
        self._values[uploader_id] = WidgetState(
            id=uploader_id, file_uploader_state_value=FileUploaderState(uploaded_file_info=[info])
        )
        self.run()

    def clear_uploads(self, uploader_id: str) -> None:
        """Remove every file from the upload control, as its «x» does: the file is deleted on the
        server, and the script runs without it."""
        held = self._values.get(uploader_id)
        if held is not None:
            for info in held.file_uploader_state_value.uploaded_file_info:
                request = urllib.request.Request(
                    urllib.parse.urljoin(self.base_url, info.file_urls.delete_url),
                    method="DELETE",
                    headers={
                        "Cookie": self._cookie_header(),
                        "X-Xsrftoken": self.cookies[XSRF_COOKIE],
                        "Origin": self.base_url,
                    },
                )
                with urllib.request.urlopen(request, timeout=self.timeout):
                    pass
        self._values[uploader_id] = WidgetState(id=uploader_id, file_uploader_state_value=FileUploaderState())
        self.run()

    def _receive_direct(self) -> ForwardMsg:
        message = ForwardMsg()
        message.ParseFromString(self._socket.recv(timeout=self.timeout))
        return message

    def close(self) -> None:
        self._open.close()


def wait_until(check, *, seconds: float, every: float = 0.1) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return check()


def _state(widget_id: str, value: Any) -> WidgetState:
    if isinstance(value, bool):
        return WidgetState(id=widget_id, bool_value=value)
    if isinstance(value, int):
        return WidgetState(id=widget_id, int_value=value)
    return WidgetState(id=widget_id, string_value=str(value))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None
