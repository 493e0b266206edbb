"""Correcting a member (GDPR art. 16, issue 26): the old value kept with the reason, the outcomes
that depended on it reconciled again, nothing personal in the log."""

from __future__ import annotations

import secrets
from datetime import date

import pytest

from services.access import CLI, Actor
from services.accounts import users
from services.errors import AccessDenied, Conflict, InvalidInput
from services.lists import submissions
from services.register import members, person, rectify, retention
from tests import listfiles
from tests.helpers import add_clerk
from tests.services.register.test_members import register_csv
from tests.services.register.test_reconciliation import nid_list

P = date(2026, 10, 1)
TODAY = date(2026, 11, 20)
RIGHT = listfiles.make_fnr(date(1988, 4, 4), 123)
WRONG = listfiles.make_fnr(date(1988, 4, 4), 321)  # valid, but another person's number


def staff(store) -> Actor:
    user = users.add_user(store, actor=CLI, email="stab@forbund.no", name="Stab", staff=True)
    return Actor(user.id, user.email, user.role, session_id=secrets.token_hex(8))


@pytest.fixture
def mistyped(store, company):
    """Siri registered with a wrong fødselsnummer; her employer's list names the right one."""
    members.import_register(
        store,
        actor=CLI,
        data=register_csv([f"2001;{WRONG};Dahl;Siri;910000004;01.01.2025;;"]),
        filename="register.csv",
    )
    clerk = add_clerk(store)
    submissions.submit(
        store,
        actor=clerk,
        company_id=company.id,
        period=P,
        contact_email=clerk.email,
        uploads=[nid_list([(RIGHT, "Dahl, Siri", "20 000,00", "260,00")])],
        today=TODAY,
    )
    return {"member_id": store.value("SELECT id FROM members WHERE member_no = '2001'"), "clerk": clerk}


def open_kinds(store) -> list[str]:
    return [r[0] for r in store.rows("SELECT kind FROM reconciliation_items WHERE closed_at IS NULL ORDER BY kind")]


def test_a_corrected_fodselsnummer_keeps_the_old_and_reconciles_again(store, mistyped, figure):
    assert open_kinds(store) == ["unknown", "utrukket"]
    actor = staff(store)
    done = rectify.correct_member(
        store, actor=actor, member_id=mistyped["member_id"], national_id=RIGHT, reason="Feil siffer ved innmelding"
    )
    assert done.fields == ["national_id"] and done.reconciled == 1
    # The list's row is now about her: not unknown, and she is not utrukket.
    assert open_kinds(store) == []
    history = rectify.corrections(store, actor=actor, member_id=mistyped["member_id"])
    assert [(c.field, c.old_value, c.new_value, c.reason, c.corrected_by) for c in history] == [
        ("national_id", WRONG, RIGHT, "Feil siffer ved innmelding", "stab@forbund.no")
    ]
    assert person.history(store, actor=actor, member_id=mistyped["member_id"]).corrections == history
    logged = store.rows("SELECT target, detail FROM audit_log WHERE action = 'member.correct'")
    assert logged == [("2001", "fødselsnummer")]
    assert not store.value("SELECT count(*) FROM audit_log WHERE target LIKE ? OR detail LIKE ?", [f"%{WRONG}%"] * 2)
    figure("rectification: a mistyped fødselsnummer corrected, 2 open outcomes reconciled to 0, old value kept")


def test_a_corrected_name_is_kept_in_the_history(store, mistyped):
    actor = staff(store)
    rectify.correct_member(
        store, actor=actor, member_id=mistyped["member_id"], name="Dahl, Siri Marie", reason="Navneendring"
    )
    assert store.value("SELECT name FROM members WHERE member_no = '2001'") == "Dahl, Siri Marie"
    assert [(c.field, c.old_value, c.new_value) for c in rectify.corrections(store, actor=actor, member_id=1)] == [
        ("name", "Dahl, Siri", "Dahl, Siri Marie")
    ]


def test_every_correction_is_checked_before_anything_is_written(store, mistyped, company):
    actor = staff(store)
    member_id = mistyped["member_id"]
    with pytest.raises(InvalidInput, match="Fyll inn grunnen"):
        rectify.correct_member(store, actor=actor, member_id=member_id, national_id=RIGHT, reason=" ")
    with pytest.raises(InvalidInput, match="ikke et gyldig fødselsnummer"):
        rectify.correct_member(
            store, actor=actor, member_id=member_id, national_id=listfiles.break_check_digit(RIGHT), reason="x"
        )
    with pytest.raises(InvalidInput, match="Ingenting å rette"):
        rectify.correct_member(store, actor=actor, member_id=member_id, name="Dahl, Siri", reason="x")
    members.import_register(
        store,
        actor=CLI,
        data=register_csv([f"2002;{RIGHT};Dahl;Siri;910000004;01.01.2025;;"]),
        filename="register.csv",
    )
    with pytest.raises(Conflict, match="Et annet medlem"):
        rectify.correct_member(store, actor=actor, member_id=member_id, national_id=RIGHT, name="Ny, Siri", reason="x")
    # Nothing of the refused corrections was written, not even the name given beside the number.
    assert store.value("SELECT name FROM members WHERE id = ?", [member_id]) == "Dahl, Siri"
    assert store.value("SELECT count(*) FROM member_corrections") == 0


def test_an_employer_cannot_correct_a_member(store, mistyped):
    with pytest.raises(AccessDenied):
        rectify.correct_member(
            store, actor=mistyped["clerk"], member_id=mistyped["member_id"], name="Noen, Annen", reason="x"
        )


def test_the_history_goes_with_the_member_when_the_member_goes(store, company):
    members.import_register(
        store,
        actor=CLI,
        data=register_csv([f"2001;{WRONG};Dahl;Siri;910000004;01.01.2020;31.12.2020;"]),
        filename="register.csv",
    )
    member_id = store.value("SELECT id FROM members WHERE member_no = '2001'")
    rectify.correct_member(store, actor=staff(store), member_id=member_id, national_id=RIGHT, reason="Feil")
    assert store.value("SELECT count(*) FROM member_corrections") == 1
    assert retention.purge(store, today=date(2026, 11, 20))["members_removed"] == 1
    assert store.value("SELECT count(*) FROM member_corrections") == 0
