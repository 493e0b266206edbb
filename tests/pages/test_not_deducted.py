"""The Utrukne page: several rows answered with one «Send status», Annet needs a comment."""

from datetime import date

import pytest

from services.access import CLI, Actor
from services.accounts import companies, users
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


def edit(at, rows: dict[int, dict]) -> None:
    """Cell edits in the Utrukne table, as the browser sends them: {row position: {column: value}}."""
    [table] = at.data_editor
    at.session_state[table.key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}


def test_answers_of_every_kind_in_one_send(at, app_store):
    [table] = at.data_editor
    shown = table.value
    assert sorted(shown["Navn"]) == NAMES
    assert set(shown["Periode utrukket"]) == {"Oktober 2026"} and "10.01.1980" in list(shown["Fødselsdato"])
    assert "4 venter på svar. Viser 1–4 av 4." in texts(at)
    order = list(shown["Navn"])
    statuses = dict(zip(NAMES, ["Ansatt", "Permittert", "Sluttet i bedrift", "Annet"], strict=True))
    edit(at, {order.index(name): {"Status": status} for name, status in statuses.items()})
    at.run()
    button(at, "Send status").click()
    at.run()
    assert "Skriv en kommentar" in texts(at)
    edit(
        at,
        {
            **{order.index(name): {"Status": status} for name, status in statuses.items()},
            order.index("Vik, Geir"): {"Status": "Annet", "Kommentar": "Sykmeldt"},
        },
    )
    at.run()
    button(at, "Send status").click()
    at.run()
    assert "Status er sendt for 4 medlemmer." in texts(at)
    assert "Det er ingen utrukne medlemmer som venter på svar." not in texts(at)
    assert "0 venter på svar" in texts(at)
    answered = at.data_editor[0].value
    assert sorted(answered["Status"]) == ["Annet", "Ansatt", "Permittert", "Sluttet i bedrift"]
    assert "Sykmeldt" in list(answered["Kommentar"])
    assert all(value.startswith("Kari, ") for value in answered["Besvart"])


def test_an_answer_is_changed_and_the_first_kept(at, app_store):
    order = list(at.data_editor[0].value["Navn"])
    edit(at, {order.index("Berg, Anne"): {"Status": "Permittert"}})
    at.run()
    button(at, "Send status").click()
    at.run()
    assert "Status er sendt for 1 medlem." in texts(at)
    # Answered ones come last; change the answer given.
    order = list(at.data_editor[0].value["Navn"])
    assert order[-1] == "Berg, Anne"
    edit(at, {order.index("Berg, Anne"): {"Status": "Sluttet i bedrift"}})
    at.run()
    button(at, "Send status").click()
    at.run()
    assert "Status er sendt for 1 medlem." in texts(at)
    history = at.dataframe[-1].value
    assert list(history["Status"]) == ["Sluttet i bedrift", "Permittert"]
    assert set(history["Navn"]) == {"Berg, Anne"}


def test_filters_narrow_the_table(at):
    at.text_input(key=[t.key for t in at.text_input if t.key.startswith("utrukne_search_")][0]).input("lie")
    at.run()
    assert list(at.data_editor[0].value["Navn"]) == ["Lie, Tone"]
    assert "Viser 1–1 av 1." in texts(at)


def test_sending_nothing_chosen_is_refused(at):
    button(at, "Send status").click()
    at.run()
    assert "Velg status for minst ett medlem" in texts(at)
