import io
from datetime import date, datetime, timedelta

import pypdf
import pytest

from services.access import CLI, Actor
from services.accounts import companies
from services.errors import AccessDenied, InvalidInput, NotFound
from services.letters import letters
from services.letters.pdf import START, STOP, LetterPerson
from tests.helpers import add_employer

PDF = b"%PDF-1.4\n% a tiny stand-in letter\n"


@pytest.fixture
def setup(store, company):
    other = companies.add_company(store, actor=CLI, orgnr="920000002", name="Annen AS")
    kari = add_employer(store, "kari@firma.no", ["910000004"])
    per = add_employer(store, "per@firma.no", ["910000004", "920000002"])
    ola = add_employer(store, "ola@annen.no", ["920000002"])
    return {
        "company": company,
        "other": other,
        "kari": Actor(kari.id, kari.email, kari.role),
        "per": Actor(per.id, per.email, per.role),
        "ola": Actor(ola.id, ola.email, ola.role),
    }


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize(
    "created, last",
    [
        (date(2026, 8, 31), date(2027, 2, 28)),
        (date(2027, 8, 31), date(2028, 2, 29)),
        (date(2026, 8, 15), date(2027, 2, 15)),
        (date(2026, 12, 31), date(2027, 6, 30)),
        (date(2026, 1, 1), date(2026, 7, 1)),
    ],
)
def test_six_calendar_months_clamped_to_month_end(created, last):
    assert letters.last_day(created) == last


def test_start_letter_pdf_has_the_members_with_norwegian_letters(store, setup):
    persons = [
        LetterPerson("Bø, Øystein", date(2001, 11, 23), date(2026, 11, 1), rate="1,3 % (maks 575 kr)"),
        LetterPerson("Ås, Åse Ærlig", date(1975, 3, 9), date(2026, 12, 1), rate="1,47 %"),
    ]
    letter_id = letters.generate(store, actor=CLI, company_id=setup["company"].id, kind=START, persons=persons)
    name, pdf = letters.download(store, actor=setup["kari"], company_id=setup["company"].id, letter_id=letter_id)
    text = text_of(pdf)
    for expected in (
        "Vedrørende kontingenttrekk for våre medlemmer",
        "Bø, Øystein",
        "23.11.2001",
        "November 2026",
        "Ås, Åse Ærlig",
        "Desember 2026",
        "1,47 %",
        "Help Forsikring AS",
        store.settings.union_name,
    ):
        assert expected in text
    assert name.endswith(".pdf") and "vedrørende" in name


def test_stop_letter_pdf_names_the_reason(store, setup):
    persons = [
        LetterPerson("Dæhli, Åse", date(1968, 7, 30), date(2026, 12, 1), reason="overført"),
        LetterPerson("Hansen, Per", date(1983, 2, 14), date(2026, 12, 1), reason="utmeldt"),
    ]
    letter_id = letters.generate(store, actor=CLI, company_id=setup["company"].id, kind=STOP, persons=persons)
    text = text_of(letters.download(store, actor=setup["kari"], company_id=setup["company"].id, letter_id=letter_id)[1])
    assert "Utmeldte / overflytting av medlemmer" in text
    assert "Overført til annen bedrift" in text and "Utmeldt" in text and "Dæhli, Åse" in text


def test_bad_letters_are_refused(store, setup):
    company_id = setup["company"].id
    with pytest.raises(InvalidInput, match="PDF"):
        letters.upload(store, actor=CLI, company_id=company_id, subject="Brev", pdf=b"not a pdf")
    with pytest.raises(InvalidInput, match="emne"):
        letters.upload(store, actor=CLI, company_id=company_id, subject=" ", pdf=PDF)
    with pytest.raises(InvalidInput, match="minst ett medlem"):
        letters.generate(store, actor=CLI, company_id=company_id, kind=START, persons=[])
    with pytest.raises(InvalidInput, match="Årsaken"):
        letters.generate(
            store,
            actor=CLI,
            company_id=company_id,
            kind=STOP,
            persons=[LetterPerson("A, B", date(1990, 1, 1), date(2026, 1, 1), reason="sluttet")],
        )
    with pytest.raises(AccessDenied):
        letters.upload(store, actor=setup["kari"], company_id=company_id, subject="Brev", pdf=PDF)
    assert store.value("SELECT count(*) FROM letters") == 0
    assert store.value("SELECT count(*) FROM stored_files") == 0


def test_new_letter_mails_every_user_of_that_company_and_nobody_else(store, setup):
    letters.upload(store, actor=CLI, company_id=setup["company"].id, subject="Viktig informasjon", pdf=PDF)
    mails = store.rows("SELECT to_addr, subject, body FROM outbox WHERE kind = 'letter.new' ORDER BY to_addr")
    assert [m[0] for m in mails] == ["kari@firma.no", "per@firma.no"]
    assert all(m[1] == "Nytt brev fra forbundet i trekklisteportalen" for m in mails)
    assert "http://portal.test" in mails[0][2] and "Viktig informasjon" not in mails[0][2]


def test_order_undownloaded_first_newest_first_and_paging(store, setup):
    company_id = setup["company"].id
    start = datetime(2026, 10, 1, 9, 0)
    ids = [
        letters.upload(
            store, actor=CLI, company_id=company_id, subject=f"Brev {n:02d}", pdf=PDF, now=start + timedelta(days=n)
        )
        for n in range(25)
    ]
    today = date(2026, 11, 28)
    # Download the newest and the 5th newest: they sink to the bottom.
    for letter_id in (ids[24], ids[20]):
        letters.download(store, actor=setup["kari"], company_id=company_id, letter_id=letter_id, today=today)
    assert letters.count(store, actor=setup["kari"], company_id=company_id, today=today) == 25
    assert letters.unread(store, actor=setup["kari"], company_id=company_id, today=today) == 23
    pages = [
        letters.for_company(store, actor=setup["kari"], company_id=company_id, page=p, today=today) for p in range(3)
    ]
    assert [len(p) for p in pages] == [10, 10, 5]
    everything = [entry for page in pages for entry in page]
    subjects = [e.subject for e in everything]
    expected_unread = [f"Brev {n:02d}" for n in range(23, -1, -1) if n not in (24, 20)]
    assert subjects == expected_unread + ["Brev 24", "Brev 20"]
    assert [e.downloaded for e in everything[-3:]] == [False, True, True]
    assert everything[0].created_on == date(2026, 10, 24)
    assert store.value("SELECT count(*) FROM audit_log WHERE action = 'letter.download'") == 2
    who = store.value("SELECT user_id FROM letter_downloads WHERE letter_id = ?", [ids[24]])
    assert who == setup["kari"].user_id


def test_another_companys_letter_cannot_be_reached(store, setup):
    letter_id = letters.upload(store, actor=CLI, company_id=setup["company"].id, subject="Brev", pdf=PDF)
    with pytest.raises(AccessDenied):
        letters.download(store, actor=setup["ola"], company_id=setup["company"].id, letter_id=letter_id)
    # Per may see both companies, but the letter is not the other company's.
    with pytest.raises(NotFound):
        letters.download(store, actor=setup["per"], company_id=setup["other"].id, letter_id=letter_id)
    with pytest.raises(AccessDenied):
        letters.for_company(store, actor=setup["ola"], company_id=setup["company"].id)
    assert letters.for_company(store, actor=setup["ola"], company_id=setup["other"].id) == []


def test_expiry_after_six_months_deletes_the_file_and_keeps_the_row(store, setup, settings):
    company_id = setup["company"].id
    letter_id = letters.upload(
        store, actor=CLI, company_id=company_id, subject="Gammelt brev", pdf=PDF, now=datetime(2026, 8, 31, 12, 0)
    )
    stored = store.value("SELECT stored_name FROM stored_files WHERE letter_id = ?", [letter_id])
    assert (settings.files_dir / stored).exists()
    assert letters.expire(store, today=date(2027, 2, 28)) == 0
    assert len(letters.for_company(store, actor=setup["kari"], company_id=company_id, today=date(2027, 2, 28))) == 1
    assert letters.expire(store, today=date(2027, 3, 1)) == 1
    assert not (settings.files_dir / stored).exists()
    assert letters.for_company(store, actor=setup["kari"], company_id=company_id, today=date(2027, 3, 1)) == []
    with pytest.raises(NotFound):
        letters.download(store, actor=setup["kari"], company_id=company_id, letter_id=letter_id, today=date(2027, 3, 1))
    assert store.value("SELECT subject FROM letters WHERE id = ?", [letter_id]) == "Gammelt brev"
    assert letters.expire(store, today=date(2027, 3, 2)) == 0


def test_persons_pasted_from_a_spreadsheet():
    from services.letters.pdf import persons_from_text

    pasted = "Bø, Øystein\t23.11.2001\t11.2026\t1,3 %\n\nÅs, Kjersti;09.03.1975;12.2026;1,47 %\n"
    persons = persons_from_text(pasted, kind=START)
    assert persons == [
        LetterPerson("Bø, Øystein", date(2001, 11, 23), date(2026, 11, 1), rate="1,3 %"),
        LetterPerson("Ås, Kjersti", date(1975, 3, 9), date(2026, 12, 1), rate="1,47 %"),
    ]
    stop = persons_from_text("Dæhli, Åse;30.07.1968;12.2026;Overført", kind=STOP)
    assert stop[0].reason == "overført"
    with pytest.raises(InvalidInput, match="Linje 1"):
        persons_from_text("Bare et navn", kind=START)
    with pytest.raises(InvalidInput, match="ikke en dato"):
        persons_from_text("A, B;32.13.1990;11.2026;1 %", kind=START)


def test_letters_from_register_changes(store, setup):
    from services.register import members
    from tests import listfiles

    company_id = setup["company"].id
    ola = members.add_member(
        store,
        actor=CLI,
        member_no="1",
        national_id=listfiles.make_fnr(date(1990, 1, 1)),
        name="Nordmann, Ola",
        company_id=company_id,
        valid_from=date(2026, 11, 10),
    )
    kari = members.add_member(
        store,
        actor=CLI,
        member_no="2",
        national_id=listfiles.make_fnr(date(1975, 3, 9)),
        name="Ås, Kjersti",
        company_id=company_id,
        valid_from=date(2020, 1, 1),
    )
    start = letters.from_register(store, actor=CLI, company_id=company_id, kind=START)
    text = text_of(letters.download(store, actor=setup["kari"], company_id=company_id, letter_id=start)[1])
    assert "Nordmann, Ola" in text and "November 2026" in text and "1,3 % (maks 575 kr)" in text
    with pytest.raises(InvalidInput, match="ingen endringer"):
        letters.from_register(store, actor=CLI, company_id=company_id, kind=START)
    members.move(store, actor=CLI, member_id=kari, to_company_id=setup["other"].id, first_day=date(2026, 12, 1))
    members.end_employment(store, actor=CLI, member_id=ola, company_id=company_id, last_day=date(2026, 12, 31))
    stop = letters.from_register(store, actor=CLI, company_id=company_id, kind=STOP)
    text = text_of(letters.download(store, actor=setup["kari"], company_id=company_id, letter_id=stop)[1])
    assert "Ås, Kjersti" in text and "Overført til annen bedrift" in text and "Desember 2026" in text
    assert "Nordmann, Ola" in text and "Utmeldt" in text and "Januar 2027" in text
    with pytest.raises(InvalidInput):
        letters.from_register(store, actor=CLI, company_id=company_id, kind=STOP)


def test_a_letter_prints_every_european_name_as_written():
    import io
    from datetime import date

    import pypdf

    from services.letters import pdf as letter_pdf

    people = [
        letter_pdf.LetterPerson("Łukasz Žemaitis", date(1985, 3, 4), date(2026, 12, 1), rate="1,3 %"),
        letter_pdf.LetterPerson("Áile Čáhppes", date(1990, 6, 7), date(2026, 12, 1), rate="1,3 %"),
        letter_pdf.LetterPerson("Øystein Ås", date(1970, 1, 2), date(2026, 12, 1), rate="1,3 %"),
    ]
    pdf = letter_pdf.render(
        kind=letter_pdf.START,
        company_name="Bø & Sønner AS",
        orgnr="910000004",
        persons=people,
        union_name="Fagforbundet Nord",
        union_address="Postboks 1",
        signature="Med vennlig hilsen",
        created=date(2026, 11, 30),
    )
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    for name in ("Łukasz Žemaitis", "Áile Čáhppes", "Øystein Ås", "Fagforbundet Nord", "Bø & Sønner AS"):
        assert name in text, name


def test_the_declaration_names_the_union_of_this_portal():
    from services.accounts import declaration

    text = " ".join(declaration.paragraphs("Fagforbundet Nord"))
    assert "Fagforbundet Nord" in text and "Industri Energi" not in text


def test_a_withdrawn_letter_is_gone_for_the_employer_and_kept_for_staff(store, setup):
    company = setup["company"]
    letter_id = letters.upload(store, actor=CLI, company_id=company.id, subject="Feil brev", pdf=PDF)
    assert letters.count(store, actor=setup["kari"], company_id=company.id) == 1
    with pytest.raises(AccessDenied):
        letters.withdraw(store, actor=setup["kari"], letter_id=letter_id)
    letters.withdraw(store, actor=CLI, letter_id=letter_id)
    assert letters.count(store, actor=setup["kari"], company_id=company.id) == 0
    with pytest.raises(NotFound):
        letters.download(store, actor=setup["kari"], company_id=company.id, letter_id=letter_id)
    [kept] = letters.staff_letters(store, actor=CLI, company_id=company.id)
    assert kept.withdrawn and kept.subject == "Feil brev"
    name, data = letters.staff_file(store, actor=CLI, letter_id=letter_id)
    assert data.startswith(b"%PDF") and kept.first_downloaded_at is None
    assert store.value("SELECT count(*) FROM letter_downloads") == 0  # staff reading is not the employer's download
    actions = [r[0] for r in store.rows("SELECT action FROM audit_log WHERE action LIKE 'letter.%' ORDER BY id")]
    assert actions == ["letter.create", "letter.withdraw", "letter.staff_download"]


def test_a_preview_is_the_letter_that_would_be_made_and_nothing_is_stored(store, company):
    from services.letters.pdf import page_images, persons_from_text

    people = persons_from_text("Łukasz Žemaitis;23.11.2001;12.2026;1,3 %", kind=START)
    drafted = letters.preview(store, actor=CLI, company_id=company.id, kind=START, persons=people)
    assert drafted.startswith(b"%PDF")
    assert store.value("SELECT count(*) FROM letters") == 0
    assert store.value("SELECT count(*) FROM outbox") == 0
    assert store.value("SELECT count(*) FROM stored_files") == 0
    [picture] = page_images(drafted)
    assert picture.startswith(b"\x89PNG")
    with pytest.raises(InvalidInput, match="minst ett medlem"):
        letters.preview(store, actor=CLI, company_id=company.id, kind=START, persons=[])
