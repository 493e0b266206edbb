"""The parse worker: limits that hold, failures that stay in the worker, the portal never reading a file."""

import json
import os
import random
import signal
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from services.config import ConfigError, ParseLimits, load_parse_limits
from services.reading import sandbox
from services.reading.parsing import parse_bytes
from services.reading.sandbox import TOO_COMPLEX, ParseWorkers, parse
from tests import fuzz, listfiles
from tests.services.reading.test_parsing import assert_people, standard_rows

# Slow (each test reads files in worker processes, some up to their limits): not in `make test-fast`.
pytestmark = pytest.mark.slow


ROOT = Path(__file__).resolve().parents[3]


def big_csv(rows: int = 100_000) -> bytes:
    people = fuzz._people(500) * (rows // 500)
    return ("Fnr;Navn;Trekk\n" + "\n".join(f"{p[0]};{p[1]};{p[2]:.2f}".replace(".", ",") for p in people)).encode()


@pytest.fixture
def pool_with():
    pools = []

    def make(**limits) -> ParseWorkers:
        pool = ParseWorkers(ParseLimits(**limits))
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        pool.close()


@pytest.mark.parametrize("limit", [dict(memory_bytes=130 * 1024 * 1024), dict(cpu_seconds=1), dict(wall_seconds=1)])
def test_a_file_past_a_limit_gets_a_clear_message(pool_with, limit):
    result = parse(big_csv(), "stor.csv", pool=pool_with(**limit))
    assert not result.ok and result.failure == "limit"
    assert result.error == TOO_COMPLEX


def test_the_same_file_reads_within_the_default_limits(pool_with):
    result = parse(big_csv(20_000), "stor.csv", pool=pool_with())
    assert result.ok and len(result.rows) == 20_000 and result.failure is None


def test_other_users_never_notice_a_worker_past_its_limit(pool_with, tmp_path):
    pool = pool_with(wall_seconds=1, workers=2)
    good = listfiles.xlsx(tmp_path / "liste.xlsx", {"Ark1": standard_rows()}).read_bytes()
    hostile = {}
    thread = threading.Thread(target=lambda: hostile.update(r=parse(big_csv(), "stor.csv", pool=pool)))
    thread.start()
    results = [parse(good, "liste.xlsx", pool=pool) for _ in range(5)]
    thread.join()
    for result in results:
        assert_people(result)
    assert hostile["r"].failure == "limit"
    # The next parse after the killed one gets a fresh child and reads as usual.
    assert_people(parse(good, "liste.xlsx", pool=pool))


def test_a_dead_worker_server_is_replaced(pool_with, tmp_path):
    pool = pool_with()
    good = listfiles.xlsx(tmp_path / "liste.xlsx", {"Ark1": standard_rows()}).read_bytes()
    assert_people(parse(good, "liste.xlsx", pool=pool))
    os.kill(pool._server.pid, signal.SIGKILL)
    pool._server.wait()
    assert_people(parse(good, "liste.xlsx", pool=pool))


def test_a_child_killed_from_outside_is_a_crash_not_an_exception(pool_with):
    pool = pool_with(wall_seconds=30)
    found = {}

    def kill_the_child():
        # The only child of the server at this moment is the one reading the big file.
        for _ in range(200):
            children = Path(f"/proc/{pool._server.pid}/task/{pool._server.pid}/children").read_text().split()
            if children:
                os.kill(int(children[0]), signal.SIGSEGV)
                found["killed"] = True
                return
            threading.Event().wait(0.01)

    pool._ensure_server()
    killer = threading.Thread(target=kill_the_child)
    killer.start()
    result = parse(big_csv(), "stor.csv", pool=pool)
    killer.join()
    assert found.get("killed")
    assert not result.ok and result.failure == "crash"
    assert "skadet" in result.error


def test_limits_are_settings():
    limits = load_parse_limits(
        {
            "PORTAL_PARSE_MEMORY_MB": "512",
            "PORTAL_PARSE_CPU_SECONDS": "10",
            "PORTAL_PARSE_WALL_SECONDS": "20",
            "PORTAL_PARSE_WORKERS": "3",
        },
        Path("/nonexistent"),
    )
    assert limits == ParseLimits(memory_bytes=512 * 1024 * 1024, cpu_seconds=10, wall_seconds=20, workers=3)
    assert load_parse_limits({}, Path("/nonexistent")) == ParseLimits(1024 * 1024 * 1024, 30, 60, 2)
    with pytest.raises(ConfigError, match="PORTAL_PARSE_WALL_SECONDS"):
        load_parse_limits({"PORTAL_PARSE_WALL_SECONDS": "0"}, Path("/nonexistent"))


def test_the_portal_process_never_loads_a_reader(tmp_path):
    """Submitting, the register import and the parser's API all leave the readers to the worker. (The
    command line, `python -m services.parsing`, imports them to fork its own limited child per file:
    tests/services/reading/test_forked.py.)"""
    sample = listfiles.xlsx(tmp_path / "liste.xlsx", {"Ark1": standard_rows()})
    pdf = listfiles.pdf(tmp_path / "liste.pdf", ["Hei"])
    script = f"""
import sys
import services.cli, services.register.members, services.lists.submissions, services.reading.parsing
from services.reading import parsing
assert parsing.parse_file({str(sample)!r}).ok
parsing.parse_file({str(pdf)!r})
loaded = sorted(m for m in ("python_calamine", "pdfplumber", "pdfminer", "services.reading.files",
                            "services.reading.reading") if m in sys.modules)
print(loaded)
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# -- the hostile classes, each refused by a limit with a name, before the reader works -----------

HOSTILE_MESSAGES = {
    "dimension_bomb": "kolonner",
    "far_cell": "fyller",
    "shared_string_amplification": "fylles ut i cellene",
    "zip_bomb": "pakkes ut",
    "entity_expansion": "DOCTYPE",
    "truncated_ods": "skadet",
    "repeated_ods_cells": "fyller",
    "huge_line": "tegn lang",
    "many_columns": ("kolonner", "tegn lang"),
    "many_page_pdf": "sider",
    "lying_zip_sizes": "",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_MESSAGES))
def test_each_hostile_class_is_refused_by_name(name):
    rng = random.Random(name)
    make = getattr(fuzz, name)
    for _ in range(3):
        filename, data = make(rng)
        result = parse_bytes(data, filename)
        assert not result.ok and result.failure is None, (filename, result.error, result.failure)
        expected = HOSTILE_MESSAGES[name]
        assert any(words in result.error for words in ((expected,) if isinstance(expected, str) else expected))


def test_many_words_in_a_fixed_width_list_take_linear_time():
    # Each line a data line; two columns of one letter each, repeated: the words × columns case.
    filename, data = fuzz.many_words_fixed_width(random.Random(3))
    result = parse_bytes(data, filename)
    assert result.failure is None
    assert not result.ok and "kolonner" in result.error


def test_odd_length_utf16_is_read_or_refused_with_a_message():
    for seed in range(10):
        filename, data = fuzz.odd_utf16(random.Random(seed))
        result = parse_bytes(data, filename)
        assert result.failure is None and (result.ok or result.error)


# -- amounts --------------------------------------------------------------------------------------


def test_an_amount_no_list_can_hold_is_refused_with_its_line(tmp_path):
    fnr = listfiles.make_fnr(listfiles.date(1990, 1, 1))
    lines = ["Fnr;Navn;Trekk", f"{fnr};Nordmann, Ola;580,00", f"{fnr};Nordmann, Kari;1000000000000"]
    result = parse_bytes("\n".join(lines).encode(), "l.csv")
    assert not result.ok and result.error.startswith(
        "Linje 3: beløpet 1\u00a0000\u00a0000\u00a0000\u00a0000,00\u00a0kr er for stort"
    )
    rows = [["Fødselsnummer", "Navn", "Trekk"], [fnr, "Nordmann, Ola", 580.0], [fnr, "Nordmann, Kari", 1e300]]
    result = parse_bytes(listfiles.xlsx(tmp_path / "l.xlsx", {"Ark1": rows}).read_bytes(), "l.xlsx")
    assert not result.ok and result.error.startswith("Linje 3: beløpet er for stort")


def test_nan_and_infinite_amounts_count_as_missing():
    fnr = listfiles.make_fnr(listfiles.date(1990, 1, 1))
    lines = ["Fnr;Navn;Trekk"] + [f"{fnr};Nordmann, Ola;{v}" for v in ("580,00", "NaN", "inf", "-inf", "580,00")]
    result = parse_bytes("\n".join(lines).encode(), "l.csv")
    assert result.ok and [r.amount for r in result.rows] == [Decimal("580.00"), None, None, None, Decimal("580.00")]
    assert sum("mangler trekkbeløp" in w.message for w in result.warnings) == 3


# -- type by content -------------------------------------------------------------------------------


def test_the_content_decides_the_format_not_the_name(tmp_path):
    xlsx = listfiles.xlsx(tmp_path / "liste.xlsx", {"Ark1": standard_rows()}).read_bytes()
    assert_people(parse_bytes(xlsx, "liste.csv"))
    assert parse_bytes(xlsx, "liste.csv").kind == "xlsx"
    pdf = listfiles.pdf(tmp_path / "l.pdf", ["Hei, listen kommer i posten."]).read_bytes()
    as_pdf = parse_bytes(pdf, "liste.xlsx")
    assert as_pdf.kind == "pdf" and as_pdf.ok and as_pdf.note


@pytest.mark.parametrize(
    "data,words",
    [
        (b"{\\rtf1\\ansi hei}", "RTF"),
        (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "HTML"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "bilde"),
        (b"\x00\x01\x02\x03" * 100, "ikke et regneark"),
    ],
)
def test_files_that_are_something_else_say_what_they_are(data, words):
    result = parse_bytes(data, "liste.xlsx")
    assert not result.ok and words in result.error


def test_a_renamed_file_says_what_it_really_is(tmp_path):
    damaged_pdf = b"%PDF-1.4\n% not really a spreadsheet\n"
    result = parse_bytes(damaged_pdf, "liste.xlsx")
    assert not result.ok and result.error.startswith("Filen heter «.xlsx», men er en PDF.")


# -- the command line ------------------------------------------------------------------------------


def test_command_line_prints_one_json_line_per_hostile_file_and_no_traceback(tmp_path):
    rng = random.Random(11)
    paths = []
    for name in ("dimension_bomb", "truncated_ods", "entity_expansion", "extreme_amounts", "odd_utf16"):
        filename, data = getattr(fuzz, name)(rng)
        path = tmp_path / f"{name}-{filename}"
        path.write_bytes(data)
        paths.append(str(path))
    paths.append(str(tmp_path / "finnes-ikke.xlsx"))
    done = subprocess.run(
        [sys.executable, "-m", "services.parsing", *paths], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(lines) == len(paths)
    assert [line["file"] for line in lines] == [Path(p).name for p in paths]
    assert all(set(line) == {"file", "ok", "error", "rows", "warnings", "total"} for line in lines)
    assert all(line["ok"] or line["error"] for line in lines)


def test_the_module_singleton_uses_the_settings(monkeypatch):
    monkeypatch.setenv("PORTAL_PARSE_WORKERS", "1")
    monkeypatch.setattr(sandbox, "_workers", None)
    try:
        assert sandbox.workers().limits.workers == 1
    finally:
        sandbox.workers().close()
        monkeypatch.setattr(sandbox, "_workers", None)
