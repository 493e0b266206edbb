"""What must hold when many requests arrive at once: threads against one store."""

import threading
from datetime import date

import pytest

from services import db
from services.access import CLI, Actor
from services.accounts import companies
from services.lists import submissions
from services.register import members
from tests import listfiles
from tests.helpers import add_employer

# Slow (many threads at once, fifty companies): not in `make test-fast`.
pytestmark = pytest.mark.slow

PERIOD = date(2026, 10, 1)
TODAY = date(2026, 11, 15)


def _company_with_members(store, orgnr: str, name: str, email: str, offset: int):
    company = companies.add_company(store, actor=CLI, orgnr=orgnr, name=name)
    for n in range(40):
        members.add_member(
            store,
            actor=CLI,
            member_no=str(offset + n),
            name=f"Medlem{n}, Ola",
            company_id=company.id,
            # One person per member: a birth year per company, a birth day per member.
            national_id=listfiles.make_fnr(date(1940 + (offset // 100) % 60, 1 + n % 12, 1 + n // 12), 100),
            valid_from=date(2020, 1, 1),
        )
    user = add_employer(store, email=email, orgnrs=(orgnr,))
    return company, Actor(user.id, user.email, user.role)


def _list(offset: int) -> bytes:
    # Five people nobody registered: with the 40 members missing, 45 items in all.
    lines = ["Fnr;Navn;Trekk"] + [
        f"{listfiles.make_fnr(date(2000, 2, 1 + n), 600 + n + offset % 200)};Ukjent{n}, Per;500,00" for n in range(5)
    ]
    return "\n".join(lines).encode()


def _send_all(settings, jobs) -> list:
    barrier = threading.Barrier(len(jobs))
    errors, receipts = [], []

    def send(company, actor, data):
        own = db.open_store(settings)
        barrier.wait()
        try:
            receipts.append(
                submissions.submit(
                    own,
                    actor=actor,
                    company_id=company.id,
                    period=PERIOD,
                    contact_email=actor.email,
                    today=TODAY,
                    uploads=[submissions.Upload("liste.csv", data)],
                )
            )
        except Exception as exc:  # collected: nothing may escape to a user
            errors.append(exc)

    threads = [threading.Thread(target=send, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return receipts


def test_fifty_lists_for_one_company_and_period_at_once(store, settings, figure):
    company, actor = _company_with_members(store, "910000004", "Help Forsikring AS", "kari@firma.no", 1000)
    receipts = _send_all(settings, [(company, actor, _list(0))] * 50)
    stored = store.value("SELECT count(*) FROM submissions WHERE company_id = ?", [company.id])
    items = store.value(
        "SELECT count(*) FROM reconciliation_items WHERE company_id = ? AND closed_at IS NULL", [company.id]
    )
    mails = store.value("SELECT count(*) FROM outbox WHERE kind = 'utrukne.new'")
    figure(f"concurrent submissions: {stored}/50 stored, {items} items, {mails} mails (one per change)")
    assert len(receipts) == stored == 50
    assert items == 45 and store.value("SELECT count(*) FROM reconciliation_items") == 45
    assert mails == 1 and store.value("SELECT count(*) FROM outbox WHERE kind = 'receipt'") == 50


def test_fifty_companies_at_once(store, settings, figure):
    jobs = []
    for n in range(50):
        orgnr = listfiles.make_orgnr(n)
        company, actor = _company_with_members(store, orgnr, f"Bedrift {n} AS", f"lonn{n}@firma.no", 10_000 + n * 100)
        jobs.append((company, actor, _list(n)))
    _send_all(settings, jobs)
    stored = store.value("SELECT count(*) FROM submissions")
    per_company = store.rows("SELECT count(*) FROM reconciliation_items GROUP BY company_id")
    mails = store.value("SELECT count(*) FROM outbox WHERE kind = 'utrukne.new'")
    figure(
        f"concurrent submissions: {stored}/50 stored, {per_company[0][0]} items each for 50 companies, "
        f"{mails} mails (one per change)"
    )
    assert stored == 50 and len(per_company) == 50 and {c for (c,) in per_company} == {45}
    assert mails == 50


def test_the_store_refuses_a_second_item_for_the_same_person(store, company):
    from services.db import utcnow

    insert = (
        "INSERT INTO reconciliation_items (company_id, period, kind, item_key, created_at)"
        " VALUES (?, ?, 'unknown', 'x', ?)"
    )
    store.execute(insert, [company.id, PERIOD, utcnow()])
    try:
        store.execute(insert, [company.id, PERIOD, utcnow()])
    except Exception as exc:
        assert "uplicate" in str(exc) or "onstraint" in str(exc)
    else:
        raise AssertionError("a second item for the same person was stored")
