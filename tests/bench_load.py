"""The deadline day through the real server, for `make bench` (issue 23): 20 and 50 employers log
in and send their lists at the same moment, through one `streamlit run app.py` on DuckDB, one on
PostgreSQL, and two servers on one PostgreSQL; and 40 tabs reconnecting to a PostgreSQL portal
that has just started.

The store is the union-scale one (`bench_union.fill`: 2 000 companies, 60 000 members, a year of
lists), with a clerk for each company that sends. The client is Streamlit's own protocol
(`tests/load/client.py`), one thread a person: no browser eats the two cores the server has.
Printed: errors, lists stored of sent, lost actions, p50/p95 per step, the server's memory.
Nothing is asserted about speed.
"""

from __future__ import annotations

import os
import secrets
import statistics
import threading
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from services import db
from services.access import CLI
from tests import bench_union
from tests.browser.conftest import SECRET_KEY, SERVER, running_portal
from tests.conftest import SENDGRID_SPEC, make_settings
from tests.helpers import active_clerks
from tests.load.client import XSRF_COOKIE, Session
from tests.load.journey import ERROR_WORDS, STEPS, Visit, employer_visit, logged_in
from tests.sendgrid_standin import SendGridStandIn

PASSWORD = "et-langt-benkpassord"
ROUNDS = {"20 users": 20, "50 users": 50}
TWO_SERVERS = 20
COLD_TABS = 40


@dataclass(frozen=True)
class Clerk:
    email: str
    orgnr: str
    file_name: str
    data: bytes


def seed(settings, count: int) -> list[Clerk]:
    """The union store, and `count` clerks, one for each of as many companies, each with its
    company's list (its members, two left out, as the filled year's lists)."""
    store = db.open_store(settings)
    ids = bench_union.fill(store)
    if store.engine == "postgres":
        store.execute("ANALYZE")
    chosen = [
        (f"lonn{n}@bedrift{n}.no", store.value("SELECT orgnr FROM companies WHERE id = ?", [company_id]))
        for n, company_id in enumerate(ids[:count])
    ]
    active_clerks(store, chosen, PASSWORD)
    clerks = []
    for (email, orgnr), company_id in zip(chosen, ids[:count], strict=True):
        people = store.rows(
            "SELECT m.national_id, m.name FROM employments e JOIN members m ON m.id = e.member_id"
            " WHERE e.company_id = ? ORDER BY m.id",
            [company_id],
        )
        upload = bench_union.list_upload(people[2:], f"trekk-{orgnr}.csv")
        clerks.append(Clerk(email, orgnr, upload.name, upload.data))
    db.close_all()
    return clerks


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


def _memory_mb(pid: int) -> tuple[float, float]:
    """The server's resident memory now and at its peak (MB)."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _cpu_seconds(pids: list[int]) -> float:
    """The processor time the servers have used, their parse workers included once they end."""
    total = 0.0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


def visits_at_once(urls: list[str], clerks: list[Clerk]) -> tuple[list[Visit], float]:
    """Every clerk's visit at the same moment, spread over the servers; «Send inn» clicked together.
    Also the servers' processor seconds per send, from the click to the last receipt."""
    pids = [SERVER[url].pid for url in urls]
    at_click: list[float] = []
    together = threading.Barrier(len(clerks), action=lambda: at_click.append(_cpu_seconds(pids)))
    start = threading.Barrier(len(clerks))
    visits: list[Visit | None] = [None] * len(clerks)

    def visit(n: int, clerk: Clerk) -> None:
        start.wait()
        visits[n] = employer_visit(
            urls[n % len(urls)], clerk.email, PASSWORD, clerk.file_name, clerk.data, send_together=together
        )

    threads = [threading.Thread(target=visit, args=(n, c)) for n, c in enumerate(clerks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    per_send = (_cpu_seconds(pids) - at_click[0]) / len(clerks) if at_click else float("nan")
    return [v for v in visits if v is not None], per_send


def stored_of(settings, clerks: list[Clerk]) -> int:
    """How many of the clerks' companies have a list stored since the bench began."""
    store = db.open_store(settings)
    try:
        return store.value(
            "SELECT count(DISTINCT s.company_id) FROM submissions s JOIN companies c ON c.id = s.company_id"
            " WHERE c.orgnr IN (SELECT unnest(?::VARCHAR[])) AND s.period > ?",
            [[c.orgnr for c in clerks], bench_union.LAST],
        )
    finally:
        db.close_all()


def report(label: str, visits: list[Visit], stored: int, memory: list[tuple[float, float]], per_send: float) -> None:
    errors = [v for v in visits if v.error]
    lost = sum(len(v.lost) for v in visits)
    sends = [v.took["send"] for v in visits if "send" in v.took]
    p95 = _percentile(sends, 0.95)
    shown_memory = ", ".join(f"{now:.0f} MB (peak {peak:.0f} MB)" for now, peak in memory)
    print(
        f"load: {label}, {len(errors)} errors, {lost} lost actions, {stored}/{len(visits)} lists stored,"
        f" send p95 {p95:.2f} s (goal: at most 3 s)"
    )
    print(f"  server: memory {shown_memory}; {per_send:.2f} s of processor time a send")
    for step in STEPS:
        times = [v.took[step] for v in visits if step in v.took]
        if times:
            p50, p95 = statistics.median(times), _percentile(times, 0.95)
            print(f"  {step:<12} p50 {p50:6.2f} s  p95 {p95:6.2f} s  ({len(times)})")
    for visit in errors[:3]:
        print(f"  error: {visit.error}")
    for visit in [v for v in visits if v.lost][:3]:
        print(f"  lost: {', '.join(visit.lost)} ({visit.email})")


# One cookie key for every server of the bench, as for a union's servers: a login cookie holds
# across a restart and on either of two servers.
COOKIE_KEY = secrets.token_urlsafe(48)


def _server_env(settings) -> dict[str, str]:
    env = {"PORTAL_SIDECAR": "0", "PORTAL_COOKIE_KEY": COOKIE_KEY}
    if settings.database_url:
        env.update(PORTAL_DATABASE_URL=settings.database_url, PORTAL_FILE_STORE="database")
    return env


def rounds(
    folder: Path, settings, label: str, *, servers: int = 1, counts: dict[str, int] | None = None
) -> list[dict[str, str]]:
    """Seed once, then each round of senders through `servers` portal processes. The lists stored
    are counted once the servers have stopped (on DuckDB only the server may open the file).
    Returns the logged-in browsers' cookies."""
    counts = counts or ROUNDS
    clerks = seed(settings, sum(counts.values()))
    results = []
    with SendGridStandIn(SENDGRID_SPEC) as mailbox, ExitStack() as running:
        urls = [
            running.enter_context(running_portal(_server_dir(folder, settings, n), mailbox, **_server_env(settings)))
            for n in range(servers)
        ]
        taken = 0
        for name, count in counts.items():
            group = clerks[taken : taken + count]
            taken += count
            visits, per_send = visits_at_once(urls, group)
            results.append((name, visits, group, [_memory_mb(SERVER[url].pid) for url in urls], per_send))
    for name, visits, group, memory, per_send in results:
        report(f"{name} × {label}", visits, stored_of(settings, group), memory, per_send)
    return [v.cookies for _, visits, _, _, _ in results for v in visits if v.cookies]


def _tab(url: str, cookies: dict[str, str]) -> str | None:
    """A logged-in tab reconnecting: None when it shows the portal, else what it shows instead."""
    try:
        tab = Session(url, cookies={k: v for k, v in cookies.items() if k != XSRF_COOKIE})
        try:
            tab.run()
            problem = next((t[:80] for t in tab.texts() if any(word in t for word in ERROR_WORDS)), None)
            if problem is None and not tab.shows("Innlogget som"):
                problem = "not logged in: " + " | ".join(t[:40] for t in tab.texts()[:4])
            return problem
        finally:
            tab.close()
    except Exception as failure:  # noqa: BLE001 - a refused tab is the figure
        return f"{type(failure).__name__}: {failure}"[:120]


def cold_start(folder: Path, settings, cookies: list[dict[str, str]]) -> None:
    """A portal on PostgreSQL that has just started, and COLD_TABS logged-in tabs reconnecting at
    once, as Streamlit's tabs do after a restart: each tab's first run opens the store."""
    tabs = cookies[:COLD_TABS]
    with SendGridStandIn(SENDGRID_SPEC) as mailbox:
        with running_portal(folder / "cold" / "data", mailbox, **_server_env(settings)) as url:
            answers: list[str | None] = [None] * len(tabs)
            start = threading.Barrier(len(tabs))

            def reconnect(n: int) -> None:
                start.wait()
                answers[n] = _tab(url, tabs[n])

            threads = [threading.Thread(target=reconnect, args=(n,)) for n in range(len(tabs))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    problems = [a for a in answers if a is not None]
    print(f"cold start: {len(tabs)} sessions on PostgreSQL, {len(problems)} error pages")
    for problem in problems[:3]:
        print(f"  {problem}")


UPLOADED_FILES = 15
UPLOADED_ROWS = 100_000


def upload_memory(folder: Path) -> None:
    """One clerk chooses fifteen lists of 100 000 rows, one after another, each read and previewed,
    then removed; the server's memory before, at its peak and after (issue 25: previews let go)."""
    from datetime import date

    from services.accounts import companies
    from tests import listfiles

    settings = make_settings(folder / "data", secret_key=SECRET_KEY)
    store = db.open_store(settings)
    company = companies.add_company(store, actor=CLI, orgnr=listfiles.make_orgnr(900), name="Stor Liste AS")
    active_clerks(store, [("lonn@storliste.no", company.orgnr)], PASSWORD)
    db.close_all()
    born = [date(1940 + n % 60, 1 + n // 60 % 12, 1 + n // 720 % 28) for n in range(UPLOADED_ROWS)]
    people = [f"{listfiles.make_fnr(b, 20 * (n // 20160))};Person{n}, Stor" for n, b in enumerate(born)]
    with SendGridStandIn(SENDGRID_SPEC) as mailbox:
        with running_portal(settings.data_dir, mailbox, **_server_env(settings)) as url:
            pid = SERVER[url].pid
            tab = logged_in(url, "lonn@storliste.no", PASSWORD)
            tab.run(page="innsending")
            uploader = tab.widget("file_uploader", "Trekkliste:").id
            cold, _ = _memory_mb(pid)
            # One small list first: what the first preview loads once (the table's styling, its
            # templates) is the page's own, not held for the files that follow.
            tab.upload(
                uploader,
                "liten.csv",
                "\n".join(["Fødselsnummer;Navn;Trekk", *(f"{p};50,00" for p in people[:10])]).encode(),
            )
            tab.clear_uploads(uploader)
            start, _ = _memory_mb(pid)
            read = 0
            for n in range(UPLOADED_FILES):
                # Each file its own: another amount, so no preview is taken for another's.
                body = "\n".join(["Fødselsnummer;Navn;Trekk", *(f"{p};{100 + n},00" for p in people)]).encode()
                tab.upload(uploader, f"liste-{n}.csv", body)
                read += tab.shows("personer · sum")
                tab.clear_uploads(uploader)
                if n == 0:
                    after_first, _ = _memory_mb(pid)
            after, peak = _memory_mb(pid)
            tab.close()
    rows = f"{UPLOADED_ROWS:_}".replace("_", " ")
    print(
        f"upload memory: {UPLOADED_FILES} × {rows} rows chosen and removed ({read} previewed),"
        f" server {start:.0f} MB before, {after:.0f} MB after: {after - start:+.0f} MB (goal: within 50 MB);"
        f" {after_first:.0f} MB after the first file, peak {peak:.0f} MB;"
        f" {cold:.0f} MB before the page's first small list ({after - cold:+.0f} MB from there)"
    )


def run(folder: Path) -> None:
    """The whole load bench: DuckDB, PostgreSQL, two servers on one PostgreSQL, the cold start."""
    from tests import postgres

    upload_memory(folder / "uploads")
    print("The deadline day through the real server (protocol client, one thread a person):")
    rounds(folder / "duckdb", make_settings(folder / "duckdb" / "data", secret_key=SECRET_KEY), "DuckDB")
    if not postgres.available():
        print(postgres.MISSING)
        return
    import psycopg

    server = postgres.start()
    try:
        urls = {}
        with psycopg.connect(server.dsn(), autocommit=True) as admin:
            for name in ("one", "two"):
                admin.execute(f"CREATE DATABASE load_{name}")
                urls[name] = f"postgresql://portal@/load_{name}?host={server.folder}&port={server.port}"

        def on(name: str):
            return make_settings(
                folder / name / "seed", secret_key=SECRET_KEY, database_url=urls[name], file_store="database"
            )

        cookies = rounds(folder / "one", on("one"), "PostgreSQL")
        rounds(folder / "two", on("two"), "two servers on one PostgreSQL", servers=2)
        cold_start(folder, on("one"), cookies)
    finally:
        db.close_all()
        server.stop()


def _server_dir(folder: Path, settings, n: int) -> Path:
    """The data folder of server `n`: the seeded store's own on DuckDB; on PostgreSQL a folder of
    its own, as if on a machine of its own."""
    return settings.data_dir if not settings.database_url else folder / f"server-{n}" / "data"
