"""PORTAL_LOG_FORMAT=json: one JSON object per line a log collector can read, ids as fields, and
an exception's kind and place without its message (a database error can quote the row)."""

import json
import logging

from services.logs import JsonFormatter


def test_a_line_is_one_json_object_with_its_ids():
    record = logging.LogRecord(
        "services.mail", logging.WARNING, "mail.py", 1, "mail %s (%s) not sent", (7, "receipt"), None
    )
    record.outbox_id, record.mail_kind = 7, "receipt"
    line = JsonFormatter().format(record)
    assert "\n" not in line
    found = json.loads(line)
    assert found["level"] == "warning" and found["logger"] == "services.mail"
    assert found["event"] == "mail 7 (receipt) not sent"
    assert (found["outbox_id"], found["mail_kind"]) == (7, "receipt")
    assert found["time"].endswith("+00:00")


def test_an_exception_is_logged_without_its_message():
    refused = "01017012345"
    try:
        raise ValueError(f'Duplicate key "national_id: {refused}" violates a unique constraint')
    except ValueError:
        import sys

        record = logging.LogRecord("sidecar", logging.ERROR, "sidecar.py", 1, "sidecar run failed", (), sys.exc_info())
    found = json.loads(JsonFormatter().format(record))
    assert found["error"] == "ValueError"
    assert any("test_an_exception_is_logged_without_its_message" in line for line in found["traceback"])
    assert "01017012345" not in json.dumps(found)
