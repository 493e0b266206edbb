"""Reading a deduction list (trekkliste) from any payroll export, in a sandboxed worker.

    python -m services.parsing FILE...

prints one JSON object per file, one per line:
{"file", "ok", "error", "rows": [{"line", "national_id", "birth_date", "name",
"employee_no", "basis", "amount"}], "warnings": [{"line", "message"}], "total"}
and exits 0 when every file was read, 1 otherwise, never with a traceback.
Other tools rely on this.

The bytes are read by services.reading.worker, never in this process.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from services.reading import sandbox
from services.reading.columns import ChosenLayout
from services.reading.limits import MAX_FILE_BYTES
from services.reading.result import ListWarning, ParseResult, Row

__all__ = ["MAX_FILE_BYTES", "ListWarning", "ParseResult", "Row", "parse_bytes", "parse_file", "main"]


def parse_bytes(
    data: bytes, filename: str, chosen: list[ChosenLayout] | None = None, *, pool: sandbox.Pool | None = None
) -> ParseResult:
    return sandbox.parse(data, filename, chosen=chosen, pool=pool)


def parse_file(path: Path | str, *, pool: sandbox.Pool | None = None) -> ParseResult:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return ParseResult(path.name, False, f"Filen er større enn {MAX_FILE_BYTES // (1024 * 1024)} MB.")
        data = path.read_bytes()
    except OSError as problem:
        return ParseResult(path.name, False, f"Filen kunne ikke åpnes: {problem.strerror or 'ukjent feil'}.")
    return parse_bytes(data, path.name, pool=pool)


def _line(file: str, pool: sandbox.Pool | None) -> tuple[bool, str]:
    try:
        result = parse_file(file, pool=pool)
        return result.ok, json.dumps(result.to_json(), ensure_ascii=False)
    except Exception as exc:  # noqa: BLE001 - the contract is one JSON line per file, whatever happens
        failed = ParseResult(Path(file).name, False, f"Filen kunne ikke leses ({type(exc).__name__}).")
        return False, json.dumps(failed.to_json(), ensure_ascii=False)


def main(argv: list[str] | None = None, *, pool: sandbox.Pool | None = None) -> int:
    files = sys.argv[1:] if argv is None else argv
    if not files:
        print("bruk: python -m services.parsing FIL...", file=sys.stderr)
        return 2
    all_read = True
    for file in files:
        ok, line = _line(file, pool)
        all_read &= ok
        print(line, flush=True)
    return 0 if all_read else 1
