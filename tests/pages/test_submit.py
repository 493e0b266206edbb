"""Sending a list through the page: preview first, then the confirmation, the receipt and the history."""

import hashlib
from datetime import date

import pytest

from pages.ui import previews
from services import kid, localtime, periods
from services.access import CLI
from services.accounts import companies, users
from tests import listfiles
from tests.pages.conftest import APPTEST_SESSION, activate, button, log_in, new_app, texts

PEOPLE = [
    (listfiles.make_fnr(date(1990, 1, 1)), "Nordmann, Ola", "624,00"),
    (listfiles.make_fnr(date(1975, 3, 9)), "Ås, Kjersti", "676,01"),
]


def csv_bytes(people=PEOPLE, extra=()):
    lines = ["Fødselsnummer;Navn;Trekk"] + [f"{p[0]};{p[1]};{p[2]}" for p in people] + list(extra)
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


@pytest.fixture
def at(app_store):
    companies.add_company(app_store, actor=CLI, orgnr="910000004", name="Help Forsikring AS")
    users.add_user(app_store, actor=CLI, email="kari@firma.no", name="Kari", company_orgnrs=["910000004"])
    activate(app_store, "kari@firma.no")
    app = log_in(new_app(), "kari@firma.no")
    app.switch_page("pages/employer/submit.py")
    return app.run()


def test_two_files_preview_then_send_then_history(at, app_store):
    second = [(listfiles.make_fnr(date(2001, 11, 23)), "Bø, Øystein", "793,00")]
    at.file_uploader[0].set_value(
        [
            ("oktober.csv", csv_bytes(), "text/csv"),
            ("tillegg.csv", csv_bytes(second, [f"{PEOPLE[0][0]};Nordmann, Ola;"]), "text/csv"),
        ]
    )
    at.run()
    shown = texts(at)
    assert "2 personer · sum 1\u00a0300,01\u00a0kr" in shown
    assert "Linje 3: Raden mangler trekkbeløp." in shown
    grid = at.dataframe[0].value
    assert list(grid.columns) == ["Linje", "Fødselsdato", "Navn", "Beløp", "Merknad"]
    assert grid["Fødselsdato"][0] == "01.01.1990" and PEOPLE[0][0] not in grid.to_string()
    at.text_area[0].input("Én rettelse i tillegg")
    button(at, "Send inn").click()
    at.run()
    assert not at.exception
    done = texts(at)
    assert "Trekklisten for Help Forsikring AS (910000004) er sendt inn for" in done
    assert "oktober.csv, tillegg.csv" in done
    period = periods.previous(localtime.today())
    assert periods.label(period).lower() in done
    assert app_store.value("SELECT count(*) FROM outbox WHERE kind = 'receipt' AND to_addr = 'kari@firma.no'") == 1
    assert app_store.value("SELECT remark FROM submissions") == "Én rettelse i tillegg"
    # How to pay it: the list's total and its KID (no account set for this portal).
    paying = kid.for_list("910000004", period)
    assert f"Bruk KID {paying} når dere betaler 2\u00a0093,01\u00a0kr." in done

    at.switch_page("pages/employer/history.py")
    at.run()
    table = at.dataframe[0].value
    assert table["Periode"][0] == periods.short(period) and table["Filer"][0] == 2
    assert table["Innsendt"][0] == localtime.today().strftime("%d.%m.%Y")
    assert table["KID for betalingen"][0] == paying


def test_a_remark_alone_cannot_be_sent(at, app_store):
    """«Send inn» waits for a file: a click while the chosen file is on its way would find none."""
    assert button(at, "Send inn").disabled
    assert "Legg til minst én fil med trekklisten." in texts(at)
    at.text_area[0].input("Listen kommer i morgen")
    at.run()
    assert button(at, "Send inn").disabled
    assert "Merknadsfeltet er knyttet til perioden" in texts(at)
    assert app_store.value("SELECT count(*) FROM submissions") == 0


def test_a_refused_send_says_why(at, app_store, monkeypatch):
    """A send the service refuses shows its reason with the whole page, the form as it was."""
    from services.errors import InvalidInput
    from services.lists import submissions

    def refuse(*args, **kwargs):
        raise InvalidInput("Portalen tar ikke imot lister akkurat nå.")

    monkeypatch.setattr(submissions, "submit", refuse)
    at.file_uploader[0].set_value([("oktober.csv", csv_bytes(PEOPLE), "text/csv")])
    at.run()
    button(at, "Send inn").click()
    at.run()
    assert "Portalen tar ikke imot lister akkurat nå." in texts(at)
    assert "2 personer · sum 1\u00a0300,01\u00a0kr" in texts(at)
    assert app_store.value("SELECT count(*) FROM submissions") == 0


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("ødelagt.xlsx", b"PK\x03\x04 not really", "skadet"),
        ("tom.csv", b"", "tom"),
        ("priser.csv", b"Vare;Antall;Pris\r\nSkruer;100;2,50\r\nMuttere;50;1,25\r\n", "Fant ingen trekkliste"),
    ],
)
def test_a_file_that_is_not_a_list_gets_a_clear_error_and_cannot_be_sent(at, app_store, name, content, message):
    at.file_uploader[0].set_value((name, content, "application/octet-stream"))
    at.run()
    assert message in texts(at)
    button(at, "Send inn").click()
    at.run()
    assert "Listen kan ikke sendes inn" in texts(at)
    assert app_store.value("SELECT count(*) FROM submissions") == 0
    assert app_store.value("SELECT count(*) FROM stored_files") == 0


def test_the_receipt_names_the_months_rows_were_corrections_for(at, app_store):
    period = periods.previous(localtime.today())
    before = periods.add_months(period, -1)
    lines = ["Periode;Fødselsnummer;Navn;Trekk"]
    lines += [f"{period:%m.%Y};{nid};{name};{amount}" for nid, name, amount in PEOPLE]
    lines += [f"{before:%m.%Y};{PEOPLE[0][0]};{PEOPLE[0][1]};624,00"]
    at.file_uploader[0].set_value(("liste.csv", ("\r\n".join(lines) + "\r\n").encode(), "text/csv"))
    at.run()
    button(at, "Send inn").click()
    at.run()
    assert not at.exception
    assert f"1 rad gjelder en annen måned og er ført som korrigering for {periods.label(before).lower()}" in texts(at)
    assert app_store.value("SELECT count(*) FROM submission_rows WHERE period = ?", [before]) == 1


def test_a_second_list_for_a_period_asks_correction_or_supplement(at, app_store):
    at.file_uploader[0].set_value(("oktober.csv", csv_bytes(), "text/csv"))
    at.run()
    button(at, "Send inn").click()
    at.run()
    assert app_store.value("SELECT count(*) FROM submissions") == 1
    at.file_uploader[0].set_value(("tillegg.csv", csv_bytes(PEOPLE[:1]), "text/csv"))
    at.run()
    shown = texts(at)
    assert "Listen for denne perioden er allerede sendt inn:" in shown and "av Kari" in shown
    button(at, "Send inn").click()
    at.run()
    assert "Velg om listen er en korrigering eller et tillegg før du sender." in texts(at)
    assert app_store.value("SELECT count(*) FROM submissions") == 1
    [choice] = [r for r in at.radio if r.label == "Den nye listen er"]
    choice.set_value("supplement")
    button(at, "Send inn").click()
    at.run()
    assert not at.exception
    assert app_store.value("SELECT resend_kind FROM submissions ORDER BY id DESC LIMIT 1") == "supplement"


def test_the_preview_says_how_much_it_shows_marks_warnings_and_checks_the_sum_row(at):
    people = [(listfiles.make_fnr(date(1970 + n, 1, 1)), f"Person{n:02}, Test", "100,00") for n in range(25)]
    people[14] = (people[14][0], people[14][1], "")  # line 16: no amount
    listed = csv_bytes(people, ["Sum;;2400,00"])
    at.file_uploader[0].set_value([("stor.csv", listed, "text/csv")])
    at.run()
    shown = texts(at)
    assert "Viser 10 av 25 personer (1 med merknad)" in shown
    assert "Summen i filen (2\u00a0400,00\u00a0kr) stemmer med summen av radene." in shown
    # The whole list is drawn once its expander is opened, not on every run of the page.
    assert [e.label for e in at.expander].count("Vis hele listen (25 rader)") == 1
    assert len(at.dataframe) == 1
    at.session_state[f"whole_{hashlib.sha256(listed).hexdigest()[:16]}"] = True
    at.run()
    first, whole = at.dataframe[0].value, at.dataframe[1].value
    assert len(first) == 10 and len(whole) == 25
    assert list(whole.loc[whole["Merknad"] != "", "Linje"]) == [16]
    # A sum row that disagrees is a warning, not a confirmation.
    at.file_uploader[0].set_value([("feil.csv", csv_bytes(people[:3], ["Sum;;999,00"]), "text/csv")])
    at.run()
    shown = texts(at)
    assert "stemmer med summen" not in shown and "stemmer ikke med summen av radene" in shown
    assert "Viser 3 av 3 personer" in shown and len(at.dataframe) == 1


def test_columns_picked_once_are_used_for_next_months_file(at, app_store, monkeypatch):
    from services.lists import layouts
    from tests.services.lists.test_layouts import NOVEMBER, OCTOBER

    reads = []
    read_first_rows = layouts.preview
    monkeypatch.setattr(layouts, "preview", lambda data, name: reads.append(name) or read_first_rows(data, name))
    at.file_uploader[0].set_value([("oktober.csv", OCTOBER, "text/csv")])
    at.run()
    assert "Fant ingen trekkliste" in texts(at)
    header = next(s for s in at.selectbox if s.key and s.key.endswith("_header"))
    header.set_value(1)
    at.run()
    boxes = {s.label: s for s in at.selectbox if s.label.startswith("Kolonne ")}
    boxes["Kolonne A"].set_value("national_id")
    boxes["Kolonne B"].set_value("name")
    boxes["Kolonne C"].set_value("amount")
    at.run()
    # The page ran three times while the clerk chose; the worker read the first rows once.
    assert reads == ["oktober.csv"]
    button(at, "Bruk disse kolonnene og husk dem for bedriften").click()
    at.run()
    assert not at.exception
    shown = texts(at)
    assert "2 personer · sum 810,00\u00a0kr" in shown and "Lest med kolonnene dere har valgt" in shown
    # Next month's file with the same header: read at once, nothing to pick.
    at.file_uploader[0].set_value([("november.csv", NOVEMBER, "text/csv")])
    at.run()
    shown = texts(at)
    assert "1 personer · sum 420,00\u00a0kr" in shown and "Fant ingen trekkliste" not in shown
    assert not [s for s in at.selectbox if s.label.startswith("Kolonne ")]


def test_a_scanned_pdf_is_said_once_to_go_to_the_union(at, tmp_path):
    """A PDF without rows the portal can read is taken for manual handling: the preview says so once."""
    scanned = listfiles.pdf(tmp_path / "skannet.pdf", ["Hei, listen kommer i posten.", "Hilsen lønn"])
    at.file_uploader[0].set_value([("skannet.pdf", scanned.read_bytes(), "application/pdf")])
    at.run()
    assert texts(at).count("Fant ingen rader i PDF-filen") == 1, texts(at)
    assert not button(at, "Send inn").disabled


def test_a_list_of_100_000_rows_is_previewed_opened_whole_and_sent(at, app_store):
    """The union's largest employers send lists this long: previewed, opened whole a thousand rows
    a page, and sent from the page (issue 25)."""
    # Each a person of their own: twenty individual numbers apart on each of 20 160 birth dates.
    born = [date(1940 + n % 60, 1 + n // 60 % 12, 1 + n // 720 % 28) for n in range(100_000)]
    people = [(listfiles.make_fnr(b, 20 * (n // 20160)), f"P{n}, Q", "1,00") for n, b in enumerate(born)]
    assert len({p[0] for p in people}) == 100_000
    listed = csv_bytes(people)
    at.file_uploader[0].set_value([("stor.csv", listed, "text/csv")])
    at.run(timeout=120)
    assert not at.exception
    assert "Viser 10 av 100000 personer" in texts(at)
    at.session_state[f"whole_{hashlib.sha256(listed).hexdigest()[:16]}"] = True
    at.run(timeout=120)
    assert not at.exception and len(at.dataframe[1].value) == 1000
    assert "Rad 1–1000 av 100000 · side 1 av 100" in texts(at)
    next(b for b in at.button if b.label == "Neste side").click()
    at.run(timeout=120)
    assert list(at.dataframe[1].value["Linje"])[:1] == [1002]
    assert "Rad 1001–2000 av 100000 · side 2 av 100" in texts(at)
    button(at, "Send inn").click()
    at.run(timeout=180)
    assert not at.exception
    assert app_store.value("SELECT person_count FROM submissions") == 100_000


def test_a_preview_is_kept_only_while_its_file_is_chosen_and_eleven_files_are_refused(at):
    """Each file's preview lives as long as the file is on the form (issue 25): the rows of a
    removed file are let go; more files than can be sent are refused before any is read."""
    first, second = csv_bytes(PEOPLE), csv_bytes(PEOPLE[:1])
    at.file_uploader[0].set_value([("a.csv", first, "text/csv"), ("b.csv", second, "text/csv")])
    at.run()
    assert len(previews.SHARED.keys(APPTEST_SESSION)) == 2
    at.file_uploader[0].set_value([("b.csv", second, "text/csv")])
    at.run()
    assert [key[0] for key in previews.SHARED.keys(APPTEST_SESSION)] == ["b.csv"]
    eleven = [(f"{n}.csv", csv_bytes(PEOPLE[:1]), "text/csv") for n in range(11)]
    at.file_uploader[0].set_value(eleven)
    at.run()
    assert "Du kan sende høyst 10 filer om gangen. Fjern noen av filene." in texts(at)
    assert previews.SHARED.keys(APPTEST_SESSION) == [] and button(at, "Send inn").disabled


def test_files_larger_together_than_a_session_may_hold_are_refused_before_any_is_read(at, monkeypatch):
    monkeypatch.setattr(previews.SHARED, "session_bytes", len(csv_bytes()) + 10)
    at.file_uploader[0].set_value([("a.csv", csv_bytes(), "text/csv"), ("b.csv", csv_bytes(), "text/csv")])
    at.run()
    assert "Filene du har valgt er til sammen større enn 0 MB. Send noen av dem nå og resten etterpå." in texts(at)
    assert previews.SHARED.keys(APPTEST_SESSION) == [] and button(at, "Send inn").disabled
    at.file_uploader[0].set_value([("a.csv", csv_bytes(), "text/csv")])
    at.run()
    assert "2 personer · sum 1\u00a0300,01\u00a0kr" in texts(at) and not button(at, "Send inn").disabled


def test_a_server_holding_all_it_may_asks_the_clerk_to_wait(at, monkeypatch):
    previews.SHARED.hold("another clerk", "big.csv", None, file_bytes=1000, preview_bytes=0)
    monkeypatch.setattr(previews.SHARED, "server_bytes", 1000)
    at.file_uploader[0].set_value([("a.csv", csv_bytes(), "text/csv")])
    at.run()
    assert "Portalen har mye å gjøre akkurat nå — prøv igjen om litt." in texts(at)
    assert button(at, "Send inn").disabled
    previews.SHARED.keep_only("another clerk", ())
    at.run()
    assert "2 personer · sum 1\u00a0300,01\u00a0kr" in texts(at) and not button(at, "Send inn").disabled
