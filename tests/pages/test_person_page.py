"""«Person» for staff (issue 26): search, open a member, see their months."""

from __future__ import annotations

from services import demo
from tests.pages.conftest import log_in, new_app, texts
from tests.pages.test_smoke import demo_store  # noqa: F401 - the fixture, seeded as `make run` seeds it


def test_staff_search_a_member_by_name_and_open_their_months(demo_store):  # noqa: F811
    at = log_in(new_app(), demo.DEMO_STAFF, demo.DEMO_PASSWORD)
    at.switch_page("pages/staff/person.py")
    at.run()
    at.text_input(key="person_query").set_value("inger antonsen").run()
    assert not at.exception
    shown = texts(at)
    assert "1 treff" in shown and "Antonsen, Inger" in shown and "medlemsnr. 5001" in shown
    next(b for b in at.button if b.label == "Vis").click().run()
    assert not at.exception
    assert [h.value for h in at.header] == ["Antonsen, Inger"]
    shown = texts(at)
    assert "Medlemsnr. 5001 · fødselsnummer 14117925014" in shown
    assert [s.value for s in at.subheader] == [
        "Ansettelser",
        "Måned for måned",
        "Brev som nevner personen",
        "Hvem har sett personen",
        "Sletting",
    ]
    assert "Personen kan ikke slettes ennå. Dette må forbundet beholde:" in shown
    kept = at.dataframe[-1].value.to_dict("records")
    assert kept[0] == {
        "Hva": "Personen er fortsatt ansatt i en bedrift med trekk",
        "Kan slettes fra": "når det ikke lenger gjelder",
    }
    months = at.dataframe[1].value
    assert list(months.columns) == [
        "Periode",
        "Bedrift",
        "Hva",
        "Beløp",
        "Forventet",
        "Svar fra bedriften",
        "Fil",
        "Sendt",
    ]
    assert "Trukket" in set(months["Hva"]) and "520,00\u00a0kr" in set(months["Beløp"])


def test_a_search_that_finds_nobody_says_so(demo_store):  # noqa: F811
    at = log_in(new_app(), demo.DEMO_STAFF, demo.DEMO_PASSWORD)
    at.switch_page("pages/staff/person.py")
    at.run()
    at.text_input(key="person_query").set_value("Ingen Slik Person").run()
    assert "Fant ingen medlemmer som passer søket." in texts(at)


def test_staff_correct_a_name_and_see_the_old_one_kept(demo_store):  # noqa: F811
    at = log_in(new_app(), demo.DEMO_STAFF, demo.DEMO_PASSWORD)
    at.switch_page("pages/staff/person.py")
    at.run()
    at.text_input(key="person_query").set_value("5001").run()
    next(b for b in at.button if b.label == "Vis").click().run()
    next(t for t in at.text_input if t.label == "Navn").set_value("Antonsen, Inger Marie")
    next(t for t in at.text_area if t.label == "Grunn til rettelsen").set_value("Navneendring meldt av medlemmet")
    next(b for b in at.button if b.label == "Lagre rettelse").click().run()
    assert not at.exception
    shown = texts(at)
    assert "Rettet navn. 1 avstemming gjort på nytt." in shown
    assert [h.value for h in at.header] == ["Antonsen, Inger Marie"]
    corrections = at.dataframe[0].value
    assert corrections.to_dict("records")[0]["Før"] == "Antonsen, Inger"
    assert corrections.to_dict("records")[0]["Grunn"] == "Navneendring meldt av medlemmet"


def test_a_link_from_another_page_opens_the_member(demo_store):  # noqa: F811
    at = log_in(new_app(), demo.DEMO_STAFF, demo.DEMO_PASSWORD)
    at.switch_page("pages/staff/members.py")
    at.run()
    register = at.dataframe[0].value
    linked = register.loc[register["Medlemsnr"] == "5002", "Person"].tolist()
    assert linked == ["/person?medlem=5002"]
    at.switch_page("pages/staff/person.py")
    at.query_params["medlem"] = "5002"
    at.run()
    assert not at.exception
    assert [h.value for h in at.header] == ["Lund, Magnus"]


def test_a_link_to_a_member_that_is_not_there_says_so(demo_store):  # noqa: F811
    at = log_in(new_app(), demo.DEMO_STAFF, demo.DEMO_PASSWORD)
    at.switch_page("pages/staff/person.py")
    at.query_params["medlem"] = "9999"
    at.run()
    assert "Ingen medlem med medlemsnummer 9999 er registrert." in texts(at)
    assert not at.header
