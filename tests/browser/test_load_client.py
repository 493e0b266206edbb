"""The load bench's client, checked against the real server (issue 23): a few employers' whole
visits at once over Streamlit's own protocol, no browser: open, log in, come back by the cookie
route, «Innsending», choose the file, «Send inn» together. `make bench` runs the same visits with
20 and 50 employers on the union-scale store; here they must simply all arrive."""

from __future__ import annotations

from datetime import date

from services import db
from services.access import CLI
from services.accounts import companies
from tests import bench_load, listfiles
from tests.browser.conftest import SECRET_KEY, running_portal
from tests.conftest import make_settings
from tests.helpers import active_clerks

EMPLOYERS = 5


def test_employers_send_together_through_the_protocol_client(tmp_path, mailbox, figure):
    data_dir = tmp_path / "data"
    store = db.open_store(make_settings(data_dir, secret_key=SECRET_KEY))
    try:
        clerks = []
        for n in range(EMPLOYERS):
            company = companies.add_company(store, actor=CLI, orgnr=listfiles.make_orgnr(400 + n), name=f"Last {n} AS")
            people = [f"{listfiles.make_fnr(date(1970 + k, 1 + n, 1))};Person{k}, Last{n};450,00" for k in range(8)]
            data = "\n".join(["Fødselsnummer;Navn;Trekk", *people]).encode()
            clerks.append(bench_load.Clerk(f"lonn{n}@last{n}.no", company.orgnr, f"trekk-{n}.csv", data))
        active_clerks(store, [(c.email, c.orgnr) for c in clerks], bench_load.PASSWORD)
    finally:
        db.close_all()
    with running_portal(data_dir, mailbox, PORTAL_SIDECAR="0") as url:
        visits, _ = bench_load.visits_at_once([url], clerks)
    store = db.open_store(make_settings(data_dir, secret_key=SECRET_KEY))
    try:
        stored = store.value("SELECT count(DISTINCT company_id) FROM submissions")
    finally:
        db.close_all()
    errors = [v.error for v in visits if v.error]
    lost = sum(len(v.lost) for v in visits)
    figure(
        f"load client: {EMPLOYERS} employers at once, {len(errors)} errors, {lost} lost actions,"
        f" {stored}/{EMPLOYERS} lists stored"
    )
    assert not errors and lost == 0 and stored == EMPLOYERS, (errors, [v.lost for v in visits])
