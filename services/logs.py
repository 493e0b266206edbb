"""The portal's logs: lines for a person to read (the default), or with PORTAL_LOG_FORMAT=json one
JSON object per line for the union's log collector: time (UTC), level, logger, event, and the
ids a line names as `extra` fields. Log lines name ids and counts, never a national id, a name,
a code or a file's content; the test suite reads a whole run's logs for national ids and codes.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from services.config import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Attributes every LogRecord has: anything else on a record came as `extra` and is an id to keep.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value if isinstance(value, int | float | bool | str) or value is None else str(value)
        if record.exc_info:
            # The kind of failure and where, without the exception's message: a database error can
            # quote the row it refused.
            kind = record.exc_info[0].__name__ if record.exc_info[0] else "Exception"
            line["error"] = kind
            line["traceback"] = [
                text
                for text in self.formatException(record.exc_info).splitlines()
                if text.startswith(("Traceback", "  "))
            ]
        return json.dumps(line, ensure_ascii=False, default=str)


_configured = False


def configure(settings: Settings) -> None:
    """Set the root logger up once per process, in the format the settings ask for."""
    global _configured
    if _configured:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    _configured = True
