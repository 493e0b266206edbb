from datetime import date

from services.access import CLI
from services.lists import submissions
from services.register import members, retention
from tests import listfiles

OLA = listfiles.make_fnr(date(1990, 1, 1))


def test_lists_lose_rows_and_files_after_retention_and_keep_their_record(store, company, settings):
    upload = submissions.Upload("l.csv", f"Fnr;Navn;Trekk\n{OLA};Nordmann, Ola;520\n".encode())
    receipt = submissions.submit(
        store,
        actor=CLI,
        company_id=company.id,
        period=date(2026, 10, 1),
        contact_email="a@b.no",
        uploads=[upload],
        today=date(2026, 11, 15),
    )
    stored = store.value("SELECT stored_name FROM stored_files WHERE submission_id = ?", [receipt.submission_id])
    assert store.value("SELECT count(*) FROM reconciliation_items") == 1  # the unknown person
    assert retention.purge(store, today=date(2029, 10, 31)) == {"lists_purged": 0, "members_removed": 0}
    assert retention.purge(store, today=date(2029, 11, 1)) == {"lists_purged": 1, "members_removed": 0}
    assert store.value("SELECT count(*) FROM submission_rows") == 0
    assert store.value("SELECT count(*) FROM reconciliation_items") == 0
    assert not (settings.files_dir / stored).exists()
    assert store.value("SELECT period FROM submissions WHERE id = ?", [receipt.submission_id]) == date(2026, 10, 1)
    assert retention.purge(store, today=date(2029, 12, 1))["lists_purged"] == 0


KJERSTI = listfiles.make_fnr(date(1975, 3, 9))


def left_at_mid_2023(store, company) -> int:
    """Ola (member 1) left the company on 30 June 2023; Kjersti (member 2) still works there.
    Returns Ola's member id."""
    left = members.add_member(
        store,
        actor=CLI,
        member_no="1",
        national_id=OLA,
        name="Nordmann, Ola",
        company_id=company.id,
        valid_from=date(2015, 1, 1),
    )
    members.end_employment(store, actor=CLI, member_id=left, company_id=company.id, last_day=date(2023, 6, 30))
    members.add_member(
        store,
        actor=CLI,
        member_no="2",
        national_id=KJERSTI,
        name="Ås, Kjersti",
        company_id=company.id,
        valid_from=date(2015, 1, 1),
    )
    return left


def test_members_who_left_long_ago_leave_the_register_with_a_setting(store, company):
    left_at_mid_2023(store, company)
    assert retention.purge(store, today=date(2026, 6, 30))["members_removed"] == 0
    store.execute("UPDATE portal_settings SET value = '24' WHERE key = 'member_retention_months'")
    assert retention.purge(store, today=date(2026, 6, 30))["members_removed"] == 1
    assert [r[0] for r in store.rows("SELECT member_no FROM members")] == ["2"]
    assert store.value("SELECT count(*) FROM employments") == 1


def test_an_outcome_kept_longer_than_its_member_names_the_person_without_the_member(store, company):
    """Lists are kept 36 months, members here 24 after they left: the utrukket outcome of their
    last month stays, naming the person by its own fields, and no longer points at a member row
    (PostgreSQL's foreign key would refuse the purge otherwise)."""
    left = left_at_mid_2023(store, company)
    submissions.submit(
        store,
        actor=CLI,
        company_id=company.id,
        period=date(2023, 6, 1),
        contact_email="a@b.no",
        uploads=[submissions.Upload("juni.csv", f"Fnr;Navn;Trekk\n{KJERSTI};Ås, Kjersti;520\n".encode())],
        today=date(2023, 7, 10),
    )
    assert store.value("SELECT member_id FROM reconciliation_items WHERE kind = 'utrukket'") == left
    store.execute("UPDATE portal_settings SET value = '24' WHERE key = 'member_retention_months'")
    assert retention.purge(store, today=date(2026, 6, 30)) == {"lists_purged": 0, "members_removed": 1}
    kept = store.row("SELECT member_id, name, period FROM reconciliation_items WHERE kind = 'utrukket'")
    assert kept == (None, "Nordmann, Ola", date(2023, 6, 1))
