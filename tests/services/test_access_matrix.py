"""Every service function that takes the acting user, called by employers who may not reach
the data: one with access to another company, one with access to none. A call that returns
instead of refusing is a leak."""

import importlib
import inspect
import pkgutil
from datetime import date
from decimal import Decimal

import services
from services.access import CLI, Actor
from services.accounts import companies, users
from services.errors import AccessDenied, NotFound
from services.letters import letters
from services.lists import inbox, submissions
from services.lists.portal_list import NewPerson
from services.register import answers, members
from tests import listfiles
from tests.helpers import add_employer

SKIPPED = {
    # The checks themselves, and recorders that take the actor only to name it.
    "access.require_company",
    "access.may_see_company",
    "audit.record",
    "audit.viewed",
    # Acting on the acting user alone.
    "declaration.accept",
    "declaration.needs_acceptance",
    "companies.for_user",
    "second_factor.confirm_enrolment",
    "second_factor.new_recovery_codes",
    "second_factor.turn_off_own",
    "second_factor.own_status",
    # No data of anyone's: whether a given receipt mail has left.
    "submissions.receipt_mail_state",
    # Runs inside a list's own transaction, after `submit` has checked the sender's access.
    "answers.answer_members_in",
}


def _functions():
    # Every module of every area; entry points take no actor from a caller.
    for info in pkgutil.walk_packages(services.__path__, prefix="services."):
        short = info.name.rsplit(".", 1)[-1]
        if info.ispkg or short in ("cli", "sidecar", "parsing", "worker", "early"):
            continue
        module = importlib.import_module(info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if (
                function.__module__ == module.__name__
                and not name.startswith("_")
                and "actor" in inspect.signature(function).parameters
            ):
                yield f"{short}.{name}", function


def _world(store, tmp_path):
    a = companies.add_company(store, actor=CLI, orgnr="910000004", name="A AS")
    b = companies.add_company(store, actor=CLI, orgnr="920000002", name="B AS")
    insider = add_employer(store, email="b@firma.no", orgnrs=(b.orgnr,))
    outsider = add_employer(store, email="a@firma.no", orgnrs=(a.orgnr,))
    nobody = add_employer(store, email="ingen@firma.no", orgnrs=())
    fnr = listfiles.make_fnr(date(1980, 1, 1))
    member_id = members.add_member(
        store,
        actor=CLI,
        member_no="1",
        national_id=fnr,
        name="Berg, Anne",
        company_id=b.id,
        valid_from=date(2020, 1, 1),
    )
    other = listfiles.make_fnr(date(1990, 2, 2))
    receipt = submissions.submit(
        store,
        actor=Actor(insider.id, insider.email, insider.role),
        company_id=b.id,
        period=date(2026, 10, 1),
        contact_email=insider.email,
        today=date(2026, 11, 15),
        uploads=[submissions.Upload("b.csv", f"Fnr;Navn;Trekk\n{other};Ny, Per;500,00\n".encode())],
    )
    item_id = store.value("SELECT id FROM reconciliation_items WHERE company_id = ? AND kind = 'utrukket'", [b.id])
    file_id = store.value("SELECT id FROM stored_files WHERE submission_id = ?", [receipt.submission_id])
    letter_id = letters.upload(store, actor=CLI, company_id=b.id, subject="Brev", pdf=b"%PDF-1.4\n%%EOF")
    register = tmp_path / "register.csv"
    register.write_text(f"Medlemsnr;Fødselsnummer;Navn;Orgnr\n2;{other};Ny, Per;{b.orgnr}\n")
    arguments = {
        "company_id": b.id,
        "submission_id": receipt.submission_id,
        "item_ids": [item_id],
        "assignments": "handled_at = NULL",
        "params": [],
        "action": "reconciliation.handled",
        "to_company_id": b.id,
        "letter_id": letter_id,
        "item_id": item_id,
        "file_id": file_id,
        "user_id": insider.id,
        "member_id": member_id,
        "email": insider.email,
        "orgnr": b.orgnr,
        "period": date(2026, 10, 1),
        "kind": "start",
        "persons": [],
        "subject": "Brev",
        "pdf": b"%PDF-1.4",
        "answers": {item_id: ("ansatt", "")},
        "answered": False,
        "page": 0,
        "limit": 10,
        "data": register.read_bytes(),
        "filename": "register.csv",
        "path": register,
        "member_no": "3",
        "national_id": listfiles.make_fnr(date(1970, 3, 3)),
        "name": "Navn, Nytt",
        "valid_from": date(2027, 1, 1),
        "rate_class": "ordinær",
        "last_day": date(2026, 12, 31),
        "first_day": date(2027, 1, 1),
        "key": "anomaly_tolerance_kr",
        "value": "5",
        "percent": "1,5",
        "monthly_cap": "600",
        "staff": True,
        "company_orgnrs": [b.orgnr],
        "contact_email": insider.email,
        "remark": "",
        "uploads": [submissions.Upload("x.csv", f"Fnr;Navn;Trekk\n{other};Ny, Per;500,00\n".encode())],
        "rows": [inbox.KeyedRow(other, "Ny, Per", "500,00")],
        "members": [],
        "new_people": [NewPerson(other, "Ny, Per", Decimal("500"))],
        "sheet": 0,
        "header_row": 0,
        "columns": {"national_id": 1, "amount": 2},
        "layout_id": 1,
        "code": "000000",
        "query": "Navn",
        "reason": "Rettelse",
        "start": date(2026, 1, 1),
        "end": date(2026, 12, 31),
    }
    actors = [Actor(outsider.id, outsider.email, outsider.role), Actor(nobody.id, nobody.email, nobody.role)]
    return arguments, actors


def test_access_matrix(store, tmp_path, figure):
    arguments, actors = _world(store, tmp_path)
    calls, leaks, names = 0, [], []
    for name, function in _functions():
        if name in SKIPPED:
            continue
        names.append(name)
        wanted = [
            p
            for p in inspect.signature(function).parameters.values()
            if p.name not in ("store", "actor")
            and p.default is inspect.Parameter.empty
            and p.kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
        ]
        for actor in actors:
            calls += 1
            try:
                result = function(store, actor=actor, **{p.name: arguments[p.name] for p in wanted})
            except (AccessDenied, NotFound):
                continue
            leaks.append((name, actor.email, repr(result)[:80]))
    lifecycle = {"users.deactivate", "users.reactivate", "users.remove_staff_rights", "users.delete"}
    figure(f"access matrix: {calls} calls, {len(leaks)} leaks ({len(names)} functions, user lifecycle included)")
    assert lifecycle <= set(names)
    assert len(names) >= 47
    assert leaks == []
    # Nothing was changed by the refused calls.
    assert store.value("SELECT count(*) FROM users WHERE deactivated_at IS NOT NULL") == 0
    assert users.find_by_email(store, email="b@firma.no") is not None
    assert answers.open_count(store, actor=CLI, company_id=arguments["company_id"]) == 1
