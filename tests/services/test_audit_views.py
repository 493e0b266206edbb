"""Reads of personal data are audited once per login session and target, never per rerun."""

from datetime import date

from services.access import CLI, Actor
from services.accounts import users
from services.letters import letters
from services.lists import inbox
from services.register import month_changes, review


def views(store, action):
    return store.value("SELECT count(*) FROM audit_log WHERE action = ?", [action])


def test_a_page_rerun_does_not_write_the_log_again(store, company):
    staff = Actor(None, "stab@forbund.no", "system", session_id="økt-1")
    for _ in range(5):
        review.report(store, actor=staff, company_id=company.id, period=date(2026, 10, 1))
    assert views(store, "reconciliation.view") == 1
    review.report(store, actor=staff, company_id=company.id, period=date(2026, 9, 1))
    assert views(store, "reconciliation.view") == 2
    other_session = Actor(None, "stab@forbund.no", "system", session_id="økt-2")
    review.report(store, actor=other_session, company_id=company.id, period=date(2026, 10, 1))
    assert views(store, "reconciliation.view") == 3
    # Without a session (the command line) every read is recorded.
    review.report(store, actor=CLI, company_id=company.id, period=date(2026, 10, 1))
    review.report(store, actor=CLI, company_id=company.id, period=date(2026, 10, 1))
    assert views(store, "reconciliation.view") == 5


def test_the_five_reads_that_were_not_audited_are(store, company, settings):
    staff = Actor(None, "stab@forbund.no", "system", session_id="økt")
    letters.pending_from_register(store, actor=staff, company_id=company.id, kind="start")
    month_changes.changes_since_previous(store, actor=staff, company_id=company.id, period=date(2026, 10, 1))
    inbox.incoming(store, actor=staff)
    users.overview(store, actor=staff)
    for action in ("letters.pending.view", "changes.view", "incoming.view", "users.view"):
        assert views(store, action) == 1, action


def test_the_demo_inbox_is_audited_and_only_in_demo_mode(tmp_path):
    import pytest

    from services import db, mail
    from services.errors import AccessDenied
    from tests.conftest import make_settings

    visitor = Actor(None, "anonym", "anonymous", session_id="nettleser")
    real = db.open_store(make_settings(tmp_path / "ekte"))
    with pytest.raises(AccessDenied):
        mail.recent(real, actor=visitor)
    db.close_all()
    demo = db.open_store(make_settings(tmp_path / "demo", demo=True))
    mail.recent(demo, actor=visitor)
    mail.recent(demo, actor=visitor)
    assert views(demo, "mail.recent.view") == 1
    db.close_all()


def test_the_log_is_filtered_and_paged_in_the_database(store, company):
    from datetime import timedelta

    from services import audit
    from services.db import utcnow

    staff = Actor(None, "stab@forbund.no", "system")
    start = utcnow() - timedelta(days=3)
    for n in range(250):
        who = Actor(None, f"bruker{n % 5}@firma.no", "employer")
        store.transaction(
            lambda tx, who=who, n=n: audit.record(
                tx,
                actor=who,
                action="submission.create" if n % 2 else "letter.download",
                company_id=company.id if n % 3 == 0 else None,
                at=start + timedelta(minutes=n),
            )
        )
    everything = audit.search(store, actor=staff)
    assert everything.total >= 250 and len(everything.entries) == 100
    second = audit.search(store, actor=staff, page=1)
    assert second.entries[0].occurred_at < everything.entries[-1].occurred_at
    by_user = audit.search(store, actor=staff, who="bruker1@")
    assert by_user.total == 50 and {e.actor for e in by_user.entries} == {"bruker1@firma.no"}
    letters_only = audit.search(store, actor=staff, action="letter.", company_id=company.id)
    assert letters_only.total == len([n for n in range(250) if n % 2 == 0 and n % 3 == 0])
    assert {e.company for e in letters_only.entries} == {company.name}
    # In the union's words: «brev» finds the letters downloaded, «trekkliste» the lists sent.
    in_words = audit.search(store, actor=staff, action="Brev", company_id=company.id)
    assert in_words.total == letters_only.total
    sent = audit.search(store, actor=staff, action="trekkliste sendt")
    assert sent.total == 125 and {e.action for e in sent.entries} == {"submission.create"}
    assert audit.search(store, actor=staff, action="finnes ikke").total == 0
    window = audit.search(store, actor=staff, since=start, until=start + timedelta(minutes=10))
    assert window.total == 10
