"""A local stand-in for SendGrid's `POST /v3/mail/send`.

It records each request and checks its body against the `PostMailSend`
schema of SendGrid's own OpenAPI description; a body that does not fit is
answered 400 and kept in `invalid`, so a test that sent it fails.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests import log_scan


def mail_send_validator(spec_path: Path) -> jsonschema.Draft202012Validator:
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    schema = spec["components"]["requestBodies"]["PostMailSend"]["content"]["application/json"]["schema"]
    registry = Registry().with_resource("", Resource.from_contents(spec, default_specification=DRAFT202012))
    # Local "#/components/..." references resolve against the whole spec document.
    rooted = dict(schema)
    rooted["components"] = spec["components"]
    return jsonschema.Draft202012Validator(rooted, registry=registry)


class SendGridStandIn:
    def __init__(self, spec_path: Path):
        self.validator = mail_send_validator(spec_path)
        self.requests: list[dict] = []
        self.invalid: list[tuple[dict, list[str]]] = []
        self.accepted: list[dict] = []
        self.status = 202
        # Seconds to hang before answering; a hanging stand-in never accepts the mail.
        self.delay = 0.0
        # Seconds to hang after accepting the mail: the provider took it, but the client times out first.
        self.late = 0.0
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                # The codes the portals under test mailed: no log line of the run may hold one.
                log_scan.ISSUED_CODES.update(log_scan.CODE_IN_MAIL.findall(json.dumps(body, ensure_ascii=False)))
                errors = [e.message for e in standin.validator.iter_errors(body)]
                record = {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
                if standin.delay:
                    time.sleep(standin.delay)
                    self._answer(503)
                    return
                if self.path != "/v3/mail/send":
                    self._answer(404)
                    return
                if errors:
                    standin.invalid.append((body, errors))
                    self._answer(400)
                    return
                standin.requests.append(record)
                if standin.status == 202:
                    standin.accepted.append(record)
                if standin.late:
                    time.sleep(standin.late)
                self._answer(standin.status)

            def _answer(self, status: int) -> None:
                payload = b"" if status == 202 else json.dumps({"errors": [{"message": "stand-in"}]}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting: what a timeout is for

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SendGridStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def mails_to(self, address: str, *, accepted_only: bool = False) -> list[dict]:
        return [
            r["body"]
            for r in (self.accepted if accepted_only else self.requests)
            if any(t["email"] == address for p in r["body"]["personalizations"] for t in p["to"])
        ]
