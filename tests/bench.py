"""Benchmarks (`make bench`): how long the parser and a reconciliation take on lists of real size,
the pages at union scale, and the deadline day through the real server (`bench_load`).

Prints timings; asserts nothing about speed. Run on a quiet machine and compare runs.
"""

from __future__ import annotations

import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, Python puts tests/ first on the path, where tests/pages would stand in for pages/.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "tests"]
sys.path.insert(0, str(ROOT))

from services import db  # noqa: E402
from services.access import CLI  # noqa: E402
from services.accounts import companies  # noqa: E402
from services.lists import submissions  # noqa: E402
from services.reading.parsing import parse_file  # noqa: E402
from services.reading.reading import read_list  # noqa: E402
from services.register import members  # noqa: E402
from tests import bench_load, bench_postgres, bench_staff, bench_union, listfiles  # noqa: E402
from tests.conftest import make_settings  # noqa: E402


def people(count: int) -> list[tuple[str, str, float]]:
    out = []
    for n in range(count):
        born = date(1950 + n % 50, 1 + n % 12, 1 + n % 28)
        out.append((listfiles.make_fnr(born, n % 400), f"Etternavn{n}, Fornavn{n}", 400 + (n % 300) + 0.55))
    return out


def timed(label: str, work, repeat: int = 3) -> None:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    print(f"{label:<55} median {statistics.median(times):7.3f} s  (min {min(times):.3f}, {repeat} runs)")


def whole_process(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=ROOT, check=False, capture_output=True)
    return time.perf_counter() - start


def parse_process_against_pandas(xlsx: Path) -> None:
    """The whole `python -m services.parsing` process, worker included, against a plain pandas read."""
    ours = statistics.median(whole_process(["-m", "services.parsing", str(xlsx)]) for _ in range(9))
    pandas = statistics.median(
        whole_process(["-c", f"import pandas; pandas.read_excel({str(xlsx)!r}, engine='openpyxl')"]) for _ in range(9)
    )
    raw = statistics.median(
        whole_process(
            [
                "-c",
                "import python_calamine\n"
                f"python_calamine.CalamineWorkbook.from_path({str(xlsx)!r}).get_sheet_by_index(0).to_python()",
            ]
        )
        for _ in range(9)
    )
    print(f"{'python -m services.parsing, 6 000-row xlsx (process)':<55} median {ours:7.3f} s")
    print(f"{'pandas.read_excel(engine=openpyxl), same file (process)':<55} median {pandas:7.3f} s")
    print(f"{'python-calamine, the sheet read raw (process)':<55} median {raw:7.3f} s")
    print(f"{'  ratio to pandas (goal: at most 0.3)':<55} {ours / pandas:7.2f}")
    print(f"{'  ratio to the raw read':<55} {ours / raw:7.2f}")


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-"))
    six_thousand = people(6000)
    xlsx = listfiles.xlsx(
        folder / "6000.xlsx",
        {"Ark1": [["Fødselsnummer", "Navn", "Trekk"]] + [[p[0], p[1], p[2]] for p in six_thousand]},
    )
    parse_process_against_pandas(xlsx)
    data = xlsx.read_bytes()
    timed("preview of 6 000-row xlsx, read in this process (old way)", lambda: read_list(data, xlsx.name), repeat=5)
    parse_file(xlsx)  # the worker started and warm, as in a running portal
    timed("preview of 6 000-row xlsx, read by the worker (now)", lambda: parse_file(xlsx), repeat=5)
    big = people(20000) * 5
    csv = listfiles.text(
        folder / "100000.csv", ["Fnr;Navn;Trekk"] + [f"{p[0]};{p[1]};{p[2]:.2f}".replace(".", ",") for p in big]
    )
    timed("parse csv, 100 000 rows", lambda: parse_file(csv), repeat=1)

    settings = make_settings(folder / "data", cookie_key=secrets.token_urlsafe(48))
    store = db.open_store(settings)
    company = companies.add_company(store, actor=CLI, orgnr="910000004", name="Bench AS")
    register = "Medlemsnr;Fødselsnummer;Navn;Orgnr;Fra\n" + "\n".join(
        f"{n};{nid};{name};{company.orgnr};01.01.2020" for n, (nid, name, _) in enumerate(six_thousand[:5000])
    )
    timed(
        "import a register of 5 000 members (again: updates)",
        lambda: members.import_register(store, actor=CLI, data=register.encode(), filename="register.csv"),
    )
    upload = submissions.Upload("6000.xlsx", xlsx.read_bytes())
    period = date(2026, 10, 1)
    timed(
        "submit 6 000 rows + reconcile against 5 000 members",
        lambda: submissions.submit(
            store,
            actor=CLI,
            company_id=company.id,
            period=period,
            contact_email="bench@example.test",
            uploads=[upload],
            today=date(2026, 11, 15),
        ),
    )
    db.close_all()
    print()
    bench_union.run(folder / "union")
    print()
    bench_staff.run(folder / "staff")
    print()
    bench_postgres.run(folder / "engines")
    print()
    bench_load.run(folder / "load")


if __name__ == "__main__":
    main()
