import json
from datetime import date
from decimal import Decimal

import pytest

from services.access import CLI, Actor
from services.accounts import companies
from services.errors import AccessDenied, InvalidInput, NotFound
from services.lists import history, inbox, submissions
from services.lists.submissions import Upload
from services.register import answers, members, month_changes, review
from tests import listfiles
from tests.helpers import add_employer

P = date(2026, 10, 1)
TODAY = date(2026, 11, 20)
OLA = ("1001", listfiles.make_fnr(date(1990, 1, 1)), "Nordmann, Ola")
KJERSTI = ("1002", listfiles.make_fnr(date(1975, 3, 9)), "Ås, Kjersti")
PER = ("1003", listfiles.make_fnr(date(1983, 2, 14)), "Hansen, Per")
ANNE = ("1004", listfiles.make_fnr(date(1985, 5, 5), 100), "Berg, Anne")
TONE = ("1005", listfiles.make_fnr(date(1985, 5, 5), 200), "Lie, Tone")
GEIR = ("1006", listfiles.make_fnr(date(1970, 8, 8)), "Vik, Geir")
STRANGER = listfiles.make_fnr(date(1999, 9, 9))


@pytest.fixture
def world(store, company):
    return {"a": company, **_world_after_company(store, company)}


def _world_after_company(store, company):
    other = companies.add_company(store, actor=CLI, orgnr="920000002", name="Nordsjø Service AS")
    for member_no, nid, name in (OLA, KJERSTI, PER, ANNE, TONE):
        members.add_member(
            store,
            actor=CLI,
            member_no=member_no,
            national_id=nid,
            name=name,
            company_id=company.id,
            valid_from=date(2020, 1, 1),
        )
    geir = members.add_member(
        store,
        actor=CLI,
        member_no=GEIR[0],
        national_id=GEIR[1],
        name=GEIR[2],
        company_id=company.id,
        valid_from=date(2020, 1, 1),
    )
    members.move(store, actor=CLI, member_id=geir, to_company_id=other.id, first_day=date(2026, 10, 16))
    kari = add_employer(store, "kari@firma.no", ["910000004"])
    ola_b = add_employer(store, "lonn@nordsjo.no", ["920000002"])
    return {
        "b": other,
        "kari": Actor(kari.id, kari.email, kari.role),
        "b_user": Actor(ola_b.id, ola_b.email, ola_b.role),
    }


def nid_list(rows, name="liste.csv"):
    lines = ["Fødselsnummer;Navn;Brutto lønn;Trekk"] + [
        f"{nid};{name_};{basis};{amount}" for nid, name_, basis, amount in rows
    ]
    return Upload(name, ("\r\n".join(lines) + "\r\n").encode("utf-8"))


def date_list(rows, name="liste.csv"):
    lines = ["Fødselsdato;Navn;Trekk"] + [f"{born};{name_};{amount}" for born, name_, amount in rows]
    return Upload(name, ("\r\n".join(lines) + "\r\n").encode("utf-8"))


def send(store, actor, company, upload):
    return submissions.submit(
        store,
        actor=actor,
        company_id=company.id,
        period=P,
        contact_email="lonn@firma.no",
        uploads=[upload],
        today=TODAY,
    )


def full_a_list(without=()):
    # Dues are 1,3 % of the basis, at most 575 kr a month.
    rows = [
        (OLA[1], "Nordmann, Ola", "40 000,00", "900,00"),  # expected 520,00: an anomaly
        (KJERSTI[1], "Ås, Kjersti", "42 000,00", "546,00"),
        (PER[1], "Hansen, Per", "38 000,00", "494,00"),
        (ANNE[1], "Berg, Anne", "40 000,00", "520,00"),
        (TONE[1], "Lie, Tone", "40 000,00", "520,00"),
        (STRANGER, "Ny, Person", "30 000,00", "390,00"),
    ]
    return nid_list([r for r in rows if r[1] not in without])


def outcome(store, world):
    return review.as_json(review.report(store, actor=CLI, company_id=world["a"].id, period=P))


def test_national_id_list_gives_utrukne_unknown_and_anomalies(store, world):
    send(store, world["b_user"], world["b"], nid_list([(GEIR[1], "Vik, Geir", "60 000,00", "575,00")], "b.csv"))
    receipt = send(store, world["kari"], world["a"], full_a_list(without=("Hansen, Per",)))
    assert (receipt.outcome.utrukne, receipt.outcome.unknown, receipt.outcome.anomalies) == (1, 1, 1)
    result = outcome(store, world)
    assert result["utrukne"] == [{"member_no": "1003", "birth_date": "1983-02-14", "name": "Hansen, Per"}]
    assert result["unknown"] == [
        {"national_id": STRANGER, "birth_date": "1999-09-09", "name": "Ny, Person", "amount": 390.0}
    ]
    assert result["anomalies"] == [{"member_no": "1001", "amount": 900.0, "expected": 520.0}]


def test_a_transfer_mid_month_is_not_utrukket_where_deducted_by_the_other_company(store, world):
    send(store, world["kari"], world["a"], full_a_list())
    assert [u["name"] for u in outcome(store, world)["utrukne"]] == ["Vik, Geir"]
    send(store, world["b_user"], world["b"], nid_list([(GEIR[1], "Vik, Geir", "60 000,00", "575,00")], "b.csv"))
    b = review.as_json(review.report(store, actor=CLI, company_id=world["b"].id, period=P))
    assert b == {
        "utrukne": [],
        "unknown": [],
        "anomalies": [],
        "uidentifisert": [],
        "fnr_to_fix": [],
        "manual": [],
        "corrections": [],
    }
    send(store, world["kari"], world["a"], full_a_list())  # A's correction recomputes with B's list known
    assert outcome(store, world)["utrukne"] == []


def test_birth_date_lists_match_by_name_in_any_order_and_never_guess(store, world):
    rows = [
        ("01.01.1990", "Ola Nordmann", "624,00"),  # swapped order, no comma
        ("09.03.1975", "ÅS, KJERSTI", "676,00"),  # case
        ("14.02.1983", "Per Hansen", "650,00"),
        ("05.05.1985", "Tone Lie", "520,00"),  # shares the birth date with Anne: by name
        ("05.05.1985", "Hilde Dahl", "520,00"),  # same birth date, no such member: never guessed
        ("08.08.1970", "Geir Vik", "575,00"),
    ]
    send(store, world["kari"], world["a"], date_list(rows))
    result = outcome(store, world)
    assert [u["name"] for u in result["utrukne"]] == ["Berg, Anne"]
    assert [(u["birth_date"], u["name"]) for u in result["unknown"]] == [("1985-05-05", "Hilde Dahl")]


def test_same_list_twice_changes_nothing_and_a_correction_closes_an_utrukket(store, world):
    send(store, world["b_user"], world["b"], nid_list([(GEIR[1], "Vik, Geir", "60 000,00", "575,00")], "b.csv"))
    first = send(store, world["kari"], world["a"], full_a_list(without=("Hansen, Per",)))
    items = store.rows("SELECT id, kind, item_key, closed_at FROM reconciliation_items ORDER BY id")
    again = send(store, world["kari"], world["a"], full_a_list(without=("Hansen, Per",)))
    assert store.rows("SELECT id, kind, item_key, closed_at FROM reconciliation_items ORDER BY id") == items
    assert first.outcome.new_utrukne == 1 and again.outcome.new_utrukne == 0
    correction = send(
        store, world["kari"], world["a"], nid_list([(PER[1], "Hansen, Per", "38 000,00", "494,00")], "rettelse.csv")
    )
    assert correction.outcome.closed == 1
    assert outcome(store, world)["utrukne"] == []
    assert len(outcome(store, world)["anomalies"]) == 1  # Ola's amount still stands from the first list


def test_new_utrukne_mail_the_companys_users_once_without_names(store, world):
    send(store, world["kari"], world["a"], full_a_list(without=("Hansen, Per",)))
    mails = store.rows("SELECT to_addr, subject, body FROM outbox WHERE kind = 'utrukne.new'")
    assert [(m[0], m[1]) for m in mails] == [("kari@firma.no", "Utrukne medlemmer i trekklisteportalen")]
    for personal in ("Hansen", "Per", PER[1], "1983"):
        assert personal not in mails[0][2]
    send(store, world["kari"], world["a"], full_a_list(without=("Hansen, Per",)))
    assert store.value("SELECT count(*) FROM outbox WHERE kind = 'utrukne.new'") == 1


def test_every_answer_kind_and_staff_reopening(store, world):
    send(store, world["kari"], world["a"], nid_list([(OLA[1], "Nordmann, Ola", "48 000,00", "624,00")]))
    open_items = answers.utrukne(store, actor=world["kari"], company_id=world["a"].id, answered=False)
    assert [u.name for u in open_items] == ["Berg, Anne", "Hansen, Per", "Lie, Tone", "Vik, Geir", "Ås, Kjersti"]
    ids = {u.name: u.id for u in open_items}
    with pytest.raises(InvalidInput, match="kommentar"):
        answers.answer(
            store, actor=world["kari"], company_id=world["a"].id, answers={ids["Berg, Anne"]: ("annet", " ")}
        )
    answers.answer(
        store,
        actor=world["kari"],
        company_id=world["a"].id,
        answers={
            ids["Berg, Anne"]: ("ansatt", ""),
            ids["Hansen, Per"]: ("permittert", ""),
            ids["Lie, Tone"]: ("sluttet", ""),
            ids["Vik, Geir"]: ("annet", "Gikk over til Nordsjø i oktober"),
        },
    )
    remaining = answers.utrukne(store, actor=world["kari"], company_id=world["a"].id, answered=False)
    assert [u.name for u in remaining] == ["Ås, Kjersti"]
    answered = {u.name: u for u in answers.utrukne(store, actor=world["kari"], company_id=world["a"].id, answered=True)}
    assert {n: u.status for n, u in answered.items()} == {
        "Berg, Anne": "ansatt",
        "Hansen, Per": "permittert",
        "Lie, Tone": "sluttet",
        "Vik, Geir": "annet",
    }
    assert answered["Vik, Geir"].comment == "Gikk over til Nordsjø i oktober"
    assert answered["Hansen, Per"].answered_by == "Kari Nordmann" and answered["Hansen, Per"].answered_at
    review.reopen(store, actor=CLI, item_id=ids["Hansen, Per"])
    assert "Hansen, Per" in [
        u.name for u in answers.utrukne(store, actor=world["kari"], company_id=world["a"].id, answered=False)
    ]
    with pytest.raises(AccessDenied):
        review.reopen(store, actor=world["kari"], item_id=ids["Hansen, Per"])


def test_no_company_sees_another_companys_utrukne(store, world):
    send(store, world["kari"], world["a"], nid_list([(OLA[1], "Nordmann, Ola", "48 000,00", "624,00")]))
    with pytest.raises(AccessDenied):
        answers.utrukne(store, actor=world["b_user"], company_id=world["a"].id, answered=False)
    item = answers.utrukne(store, actor=world["kari"], company_id=world["a"].id, answered=False)[0]
    with pytest.raises(AccessDenied):
        answers.answer(store, actor=world["b_user"], company_id=world["a"].id, answers={item.id: ("ansatt", "")})
    with pytest.raises(NotFound):
        # Right company of the user, wrong company of the item: not found there.
        answers.answer(store, actor=world["b_user"], company_id=world["b"].id, answers={item.id: ("ansatt", "")})
    assert answers.utrukne(store, actor=world["b_user"], company_id=world["b"].id, answered=False) == []
    with pytest.raises(AccessDenied):
        review.report(store, actor=world["kari"], company_id=world["a"].id, period=P)


def test_changes_against_the_previous_period(store, world):
    submissions.submit(
        store,
        actor=world["kari"],
        company_id=world["a"].id,
        period=date(2026, 9, 1),
        contact_email="lonn@firma.no",
        today=TODAY,
        uploads=[
            nid_list([(OLA[1], "Nordmann, Ola", "48 000,00", "624,00"), (PER[1], "Hansen, Per", "50 000,00", "650,00")])
        ],
    )
    send(
        store,
        world["kari"],
        world["a"],
        nid_list(
            [(OLA[1], "Nordmann, Ola", "50 000,00", "650,00"), (KJERSTI[1], "Ås, Kjersti", "52 000,00", "676,00")]
        ),
    )
    changes = month_changes.changes_since_previous(store, actor=world["kari"], company_id=world["a"].id, period=P)
    assert [c[1] for c in changes.new] == ["Ås, Kjersti"]
    assert [c[1] for c in changes.gone] == ["Hansen, Per"]
    assert [(c[1], c[2], c[3]) for c in changes.changed] == [("Nordmann, Ola", Decimal("624.00"), Decimal("650.00"))]


def test_a_row_without_identity_is_an_item_for_staff(store, world):
    lines = f"Fnr;Navn;Trekk\n{GEIR[1]};Vik, Geir;575,00\n;Uten Nummer, Per;520,00\n"
    receipt = send(store, world["b_user"], world["b"], Upload("b.csv", lines.encode()))
    assert receipt.persons == 2 and receipt.outcome.unidentified == 1
    b = review.as_json(review.report(store, actor=CLI, company_id=world["b"].id, period=P))
    assert b["uidentifisert"] == [{"name": "Uten Nummer, Per", "amount": 520.0}]
    assert b["unknown"] == [] and b["utrukne"] == []


def test_a_member_listed_at_zero_kroner_is_asked_about(store, world):
    rows = [
        r if r[1] != "Hansen, Per" else (PER[1], "Hansen, Per", "0,00", "0,00")
        for r in [
            (OLA[1], "Nordmann, Ola", "40 000,00", "520,00"),
            (KJERSTI[1], "Ås, Kjersti", "42 000,00", "546,00"),
            (PER[1], "Hansen, Per", "38 000,00", "494,00"),
            (ANNE[1], "Berg, Anne", "40 000,00", "520,00"),
            (TONE[1], "Lie, Tone", "40 000,00", "520,00"),
        ]
    ]
    receipt = send(store, world["kari"], world["a"], nid_list(rows))
    assert [u["name"] for u in outcome(store, world)["utrukne"]] == ["Hansen, Per", "Vik, Geir"]
    assert receipt.outcome.new_utrukne == 2


def test_an_expected_zero_is_not_utrukket(store, world):
    members.add_member(
        store,
        actor=CLI,
        member_no="1010",
        national_id=listfiles.make_fnr(date(1960, 6, 6)),
        name="Pensjonist, Per",
        company_id=world["a"].id,
        valid_from=date(2020, 1, 1),
        rate_class="uten kontingent",
    )
    retired = (listfiles.make_fnr(date(1960, 6, 6)), "Pensjonist, Per", "0,00", "0,00")
    send(store, world["kari"], world["a"], nid_list([retired]))
    assert "Pensjonist, Per" not in [u["name"] for u in outcome(store, world)["utrukne"]]


def test_a_list_for_manual_handling_makes_nobody_utrukket_until_staff_are_done(store, world, tmp_path):
    scanned = listfiles.pdf(tmp_path / "skannet.pdf", ["Trekkliste oktober", "Se vedlagt papirliste"])
    receipt = send(store, world["kari"], world["a"], Upload("skannet.pdf", scanned.read_bytes()))
    assert receipt.persons == 0 and receipt.outcome.utrukne == 0 and receipt.outcome.new_utrukne == 0
    assert store.value("SELECT count(*) FROM outbox WHERE kind = 'utrukne.new'") == 0
    entries, _ = history.history(store, actor=world["kari"], company_id=world["a"].id, today=TODAY)
    assert [e.manual for e in entries] == [True]
    assert [m["submission_id"] for m in outcome(store, world)["manual"]] == [receipt.submission_id]
    staff = Actor(None, "stab@forbund.no", "staff")
    with pytest.raises(AccessDenied):
        inbox.mark_manual_handled(store, actor=world["kari"], submission_id=receipt.submission_id)
    assert inbox.mark_manual_handled(store, actor=staff, submission_id=receipt.submission_id) == 6
    assert store.value("SELECT count(*) FROM outbox WHERE kind = 'utrukne.new'") == 1
    entries, _ = history.history(store, actor=world["kari"], company_id=world["a"].id, today=TODAY)
    assert [e.manual for e in entries] == [False]
    assert outcome(store, world)["manual"] == []


def test_staff_key_in_the_rows_of_a_manual_list_and_it_is_reconciled_like_any(store, world, tmp_path):
    scanned = listfiles.pdf(tmp_path / "skannet.pdf", ["Trekkliste oktober", "Se vedlagt papirliste"])
    receipt = send(store, world["kari"], world["a"], Upload("skannet.pdf", scanned.read_bytes()))
    staff = Actor(None, "stab@forbund.no", "staff")
    keyed = (
        [
            inbox.KeyedRow(KJERSTI[1], "Ås, Kjersti", "546,00"),
            inbox.KeyedRow(PER[1], "Hansen, Per", "494"),
            inbox.KeyedRow(ANNE[1], "Berg, Anne", "520,00"),
            inbox.KeyedRow("14.02.1983", "Hansen, Per", "0"),  # a blank line in the editor is skipped
            inbox.KeyedRow("", "", ""),
        ][:3]
        + [inbox.KeyedRow("", "", "")]
    )
    with pytest.raises(AccessDenied):
        inbox.enter_rows(store, actor=world["kari"], submission_id=receipt.submission_id, rows=keyed)
    with pytest.raises(InvalidInput, match="rad 2: fødselsnummeret 123 er ikke gyldig|rad 2: skriv fødselsnummer"):
        inbox.enter_rows(
            store,
            actor=staff,
            submission_id=receipt.submission_id,
            rows=[keyed[0], inbox.KeyedRow("123", "Feil, Nummer", "10"), inbox.KeyedRow(OLA[1], "", "520")],
        )
    assert store.value("SELECT count(*) FROM submission_rows") == 0
    new = inbox.enter_rows(store, actor=staff, submission_id=receipt.submission_id, rows=keyed)
    # Ola, Tone and Geir (at A until the 15th) are not on the paper list: utrukket now, and A is told.
    assert new == 3
    assert sorted(u["name"] for u in outcome(store, world)["utrukne"]) == ["Lie, Tone", "Nordmann, Ola", "Vik, Geir"]
    assert outcome(store, world)["manual"] == []
    assert store.row("SELECT person_count, total FROM submissions WHERE id = ?", [receipt.submission_id]) == (
        3,
        Decimal("1560.00"),
    )
    assert store.value("SELECT count(*) FROM outbox WHERE kind = 'utrukne.new'") == 1
    with pytest.raises(InvalidInput, match="allerede behandlet"):
        inbox.enter_rows(store, actor=staff, submission_id=receipt.submission_id, rows=keyed)


def test_the_same_file_for_another_period_needs_a_confirmation(store, world):
    upload = full_a_list()
    send(store, world["kari"], world["a"], upload)
    # The same file again for the same period is a correction, not a mistake.
    send(store, world["kari"], world["a"], upload)
    september = date(2026, 9, 1)
    with pytest.raises(submissions.SameFileOtherPeriod, match="oktober 2026"):
        submissions.submit(
            store,
            actor=world["kari"],
            company_id=world["a"].id,
            period=september,
            contact_email="kari@firma.no",
            uploads=[upload],
            today=TODAY,
        )
    receipt = submissions.submit(
        store,
        actor=world["kari"],
        company_id=world["a"].id,
        period=september,
        contact_email="kari@firma.no",
        uploads=[upload],
        today=TODAY,
        confirm_earlier_copies=True,
    )
    assert receipt.period == september


def test_a_file_named_for_another_month_needs_a_confirmation(store, world):
    upload = full_a_list()
    named = Upload("trekk_september_2026.csv", upload.data)
    copies = submissions.earlier_copies(store, actor=world["kari"], company_id=world["a"].id, period=P, uploads=[named])
    assert [(c.file_name, c.period, c.why) for c in copies] == [
        ("trekk_september_2026.csv", date(2026, 9, 1), submissions.NAMED_MONTH)
    ]
    with pytest.raises(submissions.SameFileOtherPeriod, match="ser ut til å gjelde september 2026"):
        send(store, world["kari"], world["a"], named)
    assert store.value("SELECT count(*) FROM submissions") == 0
    # Named for the month it is sent for: no question.
    assert (
        submissions.earlier_copies(
            store,
            actor=world["kari"],
            company_id=world["a"].id,
            period=P,
            uploads=[Upload("trekk_oktober_2026.csv", b"x")],
        )
        == []
    )


def test_a_typo_in_a_fodselsnummer_falls_back_to_birth_date_and_name(store, world):
    typo = listfiles.break_check_digit(PER[1])
    rows = [
        (OLA[1], "Nordmann, Ola", "40 000,00", "520,00"),
        (KJERSTI[1], "Ås, Kjersti", "42 000,00", "546,00"),
        (typo, "Hansen, Per", "38 000,00", "494,00"),
        (ANNE[1], "Berg, Anne", "40 000,00", "520,00"),
        (TONE[1], "Lie, Tone", "40 000,00", "520,00"),
    ]
    receipt = send(store, world["kari"], world["a"], nid_list(rows))
    result = outcome(store, world)
    # Not both unknown and utrukket: one member, whose number on the list must be fixed.
    assert [u["name"] for u in result["utrukne"]] == ["Vik, Geir"] and result["unknown"] == []
    assert result["fnr_to_fix"] == [{"member_no": "1003", "national_id_on_list": typo, "name": "Hansen, Per"}]
    assert receipt.outcome.fnr_to_fix == 1


def test_a_negative_row_refunds_the_month_before_and_is_not_summed_into_this_one(store, world):
    september = date(2026, 9, 1)
    everyone = [
        (OLA[1], "Nordmann, Ola", "40 000,00", "520,00"),
        (KJERSTI[1], "Ås, Kjersti", "42 000,00", "546,00"),
        (PER[1], "Hansen, Per", "38 000,00", "494,00"),
        (ANNE[1], "Berg, Anne", "40 000,00", "520,00"),
        (TONE[1], "Lie, Tone", "40 000,00", "520,00"),
        (GEIR[1], "Vik, Geir", "40 000,00", "520,00"),
    ]
    # September: Ola deducted twice by mistake.
    doubled = [*everyone, (OLA[1], "Nordmann, Ola", "", "520,00")]
    submissions.submit(
        store,
        actor=world["kari"],
        company_id=world["a"].id,
        period=september,
        contact_email="kari@firma.no",
        uploads=[nid_list(doubled, "sep.csv")],
        today=TODAY,
    )
    sept = review.as_json(review.report(store, actor=CLI, company_id=world["a"].id, period=september))
    assert [a["member_no"] for a in sept["anomalies"]] == ["1001"]
    # October: the usual 520 and a refund of September's double deduction.
    refund = [*everyone[:5], (OLA[1], "Nordmann, Ola", "", "-520,00")]
    receipt = send(store, world["kari"], world["a"], nid_list(refund, "okt.csv"))
    assert receipt.outcome.corrections == 1
    assert outcome(store, world)["anomalies"] == []  # not «0 of 520» in October
    sept = review.as_json(review.report(store, actor=CLI, company_id=world["a"].id, period=september))
    assert sept["anomalies"] == []  # September is 520 after the refund


def test_a_row_whose_period_column_names_another_month_is_a_correction_to_that_month(store, world):
    september = date(2026, 9, 1)
    others = [
        (KJERSTI[1], "Ås, Kjersti", "42 000,00", "546,00"),
        (PER[1], "Hansen, Per", "38 000,00", "494,00"),
        (ANNE[1], "Berg, Anne", "40 000,00", "520,00"),
        (TONE[1], "Lie, Tone", "40 000,00", "520,00"),
    ]
    # September: Ola forgotten.
    submissions.submit(
        store,
        actor=world["kari"],
        company_id=world["a"].id,
        period=september,
        contact_email="kari@firma.no",
        uploads=[nid_list(others, "sep.csv")],
        today=TODAY,
    )
    sept = review.as_json(review.report(store, actor=CLI, company_id=world["a"].id, period=september))
    assert "1001" in [u["member_no"] for u in sept["utrukne"]]
    # October's list has a period column: Ola's October dues, and September's made up for.
    lines = ["Periode;Fødselsnummer;Navn;Brutto lønn;Trekk"]
    lines += [f"10.2026;{nid};{name};{basis};{amount}" for nid, name, basis, amount in others]
    lines += [f"10.2026;{OLA[1]};Nordmann, Ola;40 000,00;520,00", f"09.2026;{OLA[1]};Nordmann, Ola;40 000,00;520,00"]
    receipt = send(store, world["kari"], world["a"], Upload("okt.csv", ("\r\n".join(lines) + "\r\n").encode()))
    assert receipt.outcome.corrections == 1
    october = outcome(store, world)
    assert october["anomalies"] == [] and "1001" not in [u["member_no"] for u in october["utrukne"]]
    sept = review.as_json(review.report(store, actor=CLI, company_id=world["a"].id, period=september))
    assert "1001" not in [u["member_no"] for u in sept["utrukne"]] and sept["anomalies"] == []
    assert store.value("SELECT count(*) FROM submission_rows WHERE period = DATE '2026-09-01'") == 1
    assert sept["corrections"] == [
        {"national_id": OLA[1], "name": "Nordmann, Ola", "amount": 520.0, "list_period": "2026-10"}
    ]


@pytest.mark.slow
def test_every_arrival_order_of_three_lists_gives_one_result(tmp_path):
    """Geir moves from A to B on the 16th; A sends its list and a supplement, B its list."""
    import itertools

    from services import db
    from tests.conftest import make_settings

    results = set()
    for number, order in enumerate(itertools.permutations(("a", "supplement", "b"))):
        store = db.open_store(make_settings(tmp_path / f"order{number}"))
        a = companies.add_company(store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
        world = {"a": a}
        world.update(_world_after_company(store, a))
        lists = {
            "a": (
                world["kari"],
                a,
                nid_list(
                    [
                        (OLA[1], "Nordmann, Ola", "40 000,00", "520,00"),
                        (KJERSTI[1], "Ås, Kjersti", "42 000,00", "546,00"),
                        (ANNE[1], "Berg, Anne", "40 000,00", "520,00"),
                        (TONE[1], "Lie, Tone", "40 000,00", "520,00"),
                    ],
                    "a.csv",
                ),
            ),
            "supplement": (world["kari"], a, nid_list([(PER[1], "Hansen, Per", "38 000,00", "494,00")], "tillegg.csv")),
            "b": (world["b_user"], world["b"], nid_list([(GEIR[1], "Vik, Geir", "60 000,00", "575,00")], "b.csv")),
        }
        for name in order:
            send(store, *lists[name])
        result = tuple(
            json.dumps(
                review.as_json(review.report(store, actor=CLI, company_id=c.id, period=P)),
                sort_keys=True,
            )
            for c in (a, world["b"])
        )
        results.add(result)
        db.close_all()
    assert len(results) == 1, results
    a_outcome = json.loads(next(iter(results))[0])
    assert a_outcome["utrukne"] == [] and a_outcome["unknown"] == []
