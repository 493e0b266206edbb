"""The Utrukne page: several rows answered with one «Send status», Annet needs a comment."""

from datetime import date

import pytest

from services.accounts import companies, users
from services.accounts.access import CLI, Actor
from services.lists import submissions
from services.register import members
from tests import listfiles
from tests.pages.conftest import activate, button, log_in, new_app, texts

NAMES = ["Berg, Anne", "Hansen, Per", "Lie, Tone", "Vik, Geir"]


@pytest.fixture
def at(app_store):
    company = companies.add_company(app_store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
    user = users.add_user(app_store, actor=CLI, email="kari@firma.no", name="Kari", company_orgnrs=["910000004"])
    for n, name in enumerate(NAMES):
        members.add_member(
            app_store,
            actor=CLI,
            member_no=str(1000 + n),
            name=name,
            company_id=company.id,
            national_id=listfiles.make_fnr(date(1980 + n, 1 + n, 10 + n)),
            valid_from=date(2020, 1, 1),
        )
    upload = submissions.Upload(
        "tom.csv", f"Fnr;Navn;Trekk\n{listfiles.make_fnr(date(1999, 9, 9))};Ny, Person;390\n".encode()
    )
    submissions.submit(
        app_store,
        actor=Actor(user.id, user.email, user.role),
        company_id=company.id,
        period=date(2026, 10, 1),
        contact_email="kari@firma.no",
        uploads=[upload],
        today=date(2026, 11, 20),
    )
    activate(app_store, "kari@firma.no")
    app = log_in(new_app(), "kari@firma.no")
    app.switch_page("pages/employer/not_deducted.py")
    return app.run()


def test_answers_of_every_kind_in_one_send(at, app_store):
    shown = texts(at)
    for name in NAMES:
        assert name in shown
    assert "Oktober 2026" in shown and "10.01.1980" in shown
    boxes = at.selectbox
    assert boxes[0].options == ["Velg status", "Ansatt", "Permittert", "Sluttet i bedrift", "Annet"]
    for box, status in zip(boxes, ["ansatt", "permittert", "sluttet", "annet"], strict=True):
        box.set_value(status)
    at.run()
    button(at, "Send status").click()
    at.run()
    assert "Skriv en kommentar" in texts(at)
    at.text_input(key=[t.key for t in at.text_input if t.key and t.key.startswith("comment_")][0]).input("Sykmeldt")
    button(at, "Send status").click()
    at.run()
    assert "Status er sendt for 4 medlemmer." in texts(at)
    assert "Det er ingen utrukne medlemmer som venter på svar." in texts(at)
    answered = at.dataframe[0].value
    assert sorted(answered["Status"]) == ["Annet", "Ansatt", "Permittert", "Sluttet i bedrift"]
    assert "Sykmeldt" in list(answered["Kommentar"])
    assert set(answered["Besvart av"]) == {"Kari"}


def test_sending_nothing_chosen_is_refused(at):
    button(at, "Send status").click()
    at.run()
    assert "Velg status for minst ett medlem" in texts(at)
