"""Benchmarks (`make bench`): how long the parser and a reconciliation take on lists of real size.

Prints timings; asserts nothing about speed. Run on a quiet machine and compare runs.
"""
from __future__ import annotations

import secrets
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services import companies, db, members, submissions  # noqa: E402
from services.access import CLI  # noqa: E402
from services.parsing import parse_file  # noqa: E402
from tests import listfiles  # noqa: E402
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


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-"))
    six_thousand = people(6000)
    xlsx = listfiles.xlsx(folder / "6000.xlsx", {"Ark1": [["Fødselsnummer", "Navn", "Trekk"]] +
                                                 [[p[0], p[1], p[2]] for p in six_thousand]})
    timed("parse xlsx, 6 000 rows (python-calamine)", lambda: parse_file(xlsx))
    big = people(20000) * 5
    csv = listfiles.text(folder / "100000.csv", ["Fnr;Navn;Trekk"] +
                         [f"{p[0]};{p[1]};{p[2]:.2f}".replace(".", ",") for p in big])
    timed("parse csv, 100 000 rows", lambda: parse_file(csv), repeat=1)

    settings = make_settings(folder / "data", cookie_key=secrets.token_urlsafe(48))
    store = db.open_store(settings)
    company = companies.add_company(store, actor=CLI, orgnr="910000004", name="Bench AS")
    register = ("Medlemsnr;Fødselsnummer;Navn;Orgnr;Fra\n" + "\n".join(
        f"{n};{nid};{name};{company.orgnr};01.01.2020" for n, (nid, name, _) in enumerate(six_thousand[:5000])))
    timed("import a register of 5 000 members (again: updates)",
          lambda: members.import_register(store, actor=CLI, data=register.encode(), filename="register.csv"))
    upload = submissions.Upload("6000.xlsx", xlsx.read_bytes())
    period = date(2026, 10, 1)
    timed("submit 6 000 rows + reconcile against 5 000 members",
          lambda: submissions.submit(store, actor=CLI, company_id=company.id, period=period,
                                     contact_email="bench@example.test", uploads=[upload],
                                     today=date(2026, 11, 15)))
    db.close_all()


if __name__ == "__main__":
    main()
