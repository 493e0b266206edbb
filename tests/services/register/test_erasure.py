"""Erasure on request within the law (GDPR art. 17, issue 26): refused with the day while the
retention times hold the member, complete once they have passed."""

from __future__ import annotations

import secrets
from datetime import date

import pytest

from services import filestore, periods
from services.access import CLI, Actor
from services.accounts import users
from services.errors import AccessDenied, InvalidInput
from services.lists import submissions
from services.register import erasure, members, rectify
from tests import listfiles
from tests.helpers import add_clerk
from tests.services.register.test_members import register_csv
from tests.services.register.test_reconciliation import nid_list

SIRI = listfiles.make_fnr(date(1988, 4, 4))
OTHER = listfiles.make_fnr(date(1999, 9, 9))
MONTHS = [date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1)]
SENT = date(2025, 7, 10)


def staff(store) -> Actor:
    user = users.add_user(store, actor=CLI, email="stab@forbund.no", name="Stab", staff=True)
    return Actor(user.id, user.email, user.role, session_id=secrets.token_hex(8))


@pytest.fixture
def left(store, company):
    """Siri's job ended on 30 June 2025; her employer's lists for April to June named her (May's
    left her off: an utrukket)."""
    members.import_register(
        store,
        actor=CLI,
        data=register_csv(
            [
                f"2001;{SIRI};Dahl;Siri;910000004;01.01.2020;30.06.2025;",
                f"2002;{OTHER};Annen;Person;910000004;01.01.2020;;",
            ]
        ),
        filename="register.csv",
    )
    clerk = add_clerk(store)
    siri = (SIRI, "Dahl, Siri", "20 000,00", "260,00")
    other = (OTHER, "Annen, Person", "20 000,00", "260,00")
    for month in MONTHS:
        submissions.submit(
            store,
            actor=clerk,
            company_id=company.id,
            period=month,
            contact_email=clerk.email,
            uploads=[nid_list([other] if month == MONTHS[1] else [siri, other], name=f"{month:%Y-%m}.csv")],
            today=SENT,
            confirm_earlier_copies=True,  # the same amounts as April's: the clerk says it is right
        )
    member_id = store.value("SELECT id FROM members WHERE member_no = '2001'")
    return {"member_id": member_id, "clerk": clerk}


def naming(store, member_id: int) -> dict[str, int]:
    """Rows anywhere that name Siri."""
    return {
        "list rows": store.value("SELECT count(*) FROM submission_rows WHERE national_id = ?", [SIRI]),
        "outcomes": store.value(
            "SELECT count(*) FROM reconciliation_items WHERE member_id = ? OR national_id = ?", [member_id, SIRI]
        ),
        "member": store.value("SELECT count(*) FROM members WHERE id = ? OR national_id = ?", [member_id, SIRI]),
        "jobs": store.value("SELECT count(*) FROM employments WHERE member_id = ?", [member_id]),
        "corrections": store.value("SELECT count(*) FROM member_corrections WHERE member_id = ?", [member_id]),
    }


def test_within_retention_erasure_is_refused_with_the_day_it_may_be_done(store, left):
    actor = staff(store)
    plan = erasure.plan(store, actor=actor, member_id=left["member_id"], today=date(2026, 11, 20))
    # 36 months after the last working day, and 36 months after June's list (the month after).
    assert [(k.what, k.until) for k in plan.kept] == [
        ("Medlemskapet og ansettelsene (36 måneder etter siste arbeidsdag)", date(2028, 7, 1)),
        ("Trekklister og avstemming til og med juni 2025 (36 måneder)", date(2028, 7, 1)),
    ]
    with pytest.raises(InvalidInput, match=r"Medlem 2001 kan ikke slettes før 01\.07\.2028"):
        erasure.erase(store, actor=actor, member_id=left["member_id"], today=date(2026, 11, 20))
    assert naming(store, left["member_id"])["member"] == 1


def test_a_member_still_employed_is_kept_while_that_lasts(store, left):
    other = store.value("SELECT id FROM members WHERE member_no = '2002'")
    with pytest.raises(InvalidInput, match="kan ikke slettes så lenge det gjelder: personen er fortsatt ansatt"):
        erasure.erase(store, actor=staff(store), member_id=other, today=date(2030, 1, 1))


def test_past_retention_everything_naming_the_member_goes(store, left, figure):
    actor = staff(store)
    member_id = left["member_id"]
    rectify.correct_member(store, actor=actor, member_id=member_id, name="Dahl, Siri Marie", reason="Navneendring")
    within = erasure.plan(store, actor=actor, member_id=member_id, today=date(2026, 11, 20)).allowed_from
    before = naming(store, member_id)
    assert before == {"list rows": 2, "outcomes": 1, "member": 1, "jobs": 1, "corrections": 1}
    files = [f for (f,) in store.rows("SELECT id FROM stored_files WHERE submission_id IS NOT NULL")]
    assert all(filestore.read(store, file_id=f) is not None for f in files)
    today = periods.add_months(date(2025, 6, 1), 37)
    assert erasure.plan(store, actor=actor, member_id=member_id, today=today).kept == []
    done = erasure.erase(store, actor=actor, member_id=member_id, today=today)
    assert done.member_no == "2001" and done.rows["medlem"] == 1 and done.rows["listerader"] == 2
    left_behind = naming(store, member_id)
    assert set(left_behind.values()) == {0}, left_behind
    files_left = [f for f in files if filestore.read(store, file_id=f) is not None]
    assert files_left == []
    # Someone else is not erased with her: the other member stays (their old lists went by time).
    assert store.value("SELECT count(*) FROM members WHERE member_no = '2002'") == 1
    assert store.rows("SELECT target, detail FROM audit_log WHERE action = 'member.erase'") == [("2001", "6 rader")]
    figure(
        f"erasure: a member past retention leaves {sum(left_behind.values())} rows and {len(files_left)} files naming"
        f" them; one within retention is refused with the date (in November 2026: {within:%d.%m.%Y})"
    )


def test_an_employer_cannot_erase(store, left):
    with pytest.raises(AccessDenied):
        erasure.erase(store, actor=left["clerk"], member_id=left["member_id"], today=date(2030, 1, 1))
