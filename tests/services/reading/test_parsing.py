"""The parser against lists made here in every format and variation payroll systems produce."""

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from services.reading.parsing import parse_bytes, parse_file
from tests import listfiles
from tests.conftest import SHARED

ROOT = Path(__file__).resolve().parents[3]
PEOPLE = [
    (listfiles.make_fnr(date(1990, 1, 1)), "Nordmann", "Ola", "11", 48000.00, Decimal("624.00")),
    (listfiles.make_fnr(date(1975, 3, 9)), "Ås", "Kjersti", "12", 52000.50, Decimal("676.01")),
    (listfiles.make_fnr(date(2001, 11, 23)), "Bø", "Øystein", "13", 61000.00, Decimal("793.00")),
    (listfiles.make_fnr(date(1968, 7, 30)), "Dæhli", "Åse", "14", 45000.00, Decimal("585.00")),
    (listfiles.make_fnr(date(1983, 2, 14)), "Hansen", "Per", "15", 70000.00, Decimal("910.00")),
]
TOTAL = sum(p[5] for p in PEOPLE)


def by_id(result):
    assert result.ok, result.error
    return {r.national_id: r for r in result.rows}


def assert_people(result, names="comma"):
    rows = by_id(result)
    assert set(rows) == {p[0] for p in PEOPLE}
    for fnr, surname, first, _, _, amount in PEOPLE:
        assert rows[fnr].amount == amount
        if names == "comma":
            assert rows[fnr].name == f"{surname}, {first}"
    assert result.total == TOTAL


def nor(amount: Decimal) -> str:
    whole, cents = f"{amount:.2f}".split(".")
    return f"{int(whole):,}".replace(",", " ") + "," + cents


# -- formats ---------------------------------------------------------------------------------------


def standard_rows(as_text=False):
    header = ["Fødselsnummer", "Navn", "Ansattnr", "Trekkgrunnlag", "Trekk"]
    body = [[p[0], f"{p[1]}, {p[2]}", p[3], p[4], float(p[5])] for p in PEOPLE]
    if as_text:
        body = [[r[0], r[1], r[2], nor(Decimal(str(r[3]))), nor(Decimal(str(r[4])))] for r in body]
    return [header] + body


def test_xlsx(tmp_path):
    result = parse_file(listfiles.xlsx(tmp_path / "liste.xlsx", {"Ark1": standard_rows()}))
    assert_people(result)
    first = by_id(result)[PEOPLE[0][0]]
    assert (first.line, first.employee_no, first.basis, first.birth_date) == (
        2,
        "11",
        Decimal("48000.00"),
        date(1990, 1, 1),
    )


def test_xls(tmp_path):
    assert_people(parse_file(listfiles.xls(tmp_path / "liste.xls", standard_rows())))


def test_ods(tmp_path):
    assert_people(parse_file(listfiles.ods(tmp_path / "liste.ods", standard_rows())))


@pytest.mark.parametrize("delimiter", [";", "\t", ",", "|"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_separated_text(tmp_path, delimiter, encoding):
    lines = []
    for row in standard_rows(as_text=True):
        cells = [f'"{c}"' if delimiter == "," and ("," in c) else c for c in row]
        lines.append(delimiter.join(cells))
    result = parse_file(listfiles.text(tmp_path / "liste.csv", lines, encoding))
    assert_people(result)
    assert by_id(result)[PEOPLE[1][0]].name == "Ås, Kjersti"


def test_fixed_width_text(tmp_path):
    lines = ["TREKKLISTE FAGFORENING  PERIODE 10.2026", "", f"{'Fnr':<12}{'Navn':<24}{'Beløp':>12}"]
    for fnr, surname, first, _, _, amount in PEOPLE:
        lines.append(f"{fnr:<12}{surname + ', ' + first:<24}{nor(amount):>12}")
    lines.append(f"{'':<12}{'Sum':<24}{nor(TOTAL):>12}")
    result = parse_file(listfiles.text(tmp_path / "liste.txt", lines, "cp1252"))
    assert_people(result)
    assert result.warnings == []


def test_pdf_lines(tmp_path):
    lines = ["Trekkliste Industri Energi - oktober 2026", "Fødselsnummer  Navn  Trekk"]
    for fnr, surname, first, _, _, amount in PEOPLE:
        lines.append(f"{fnr}   {surname}, {first}   {nor(amount)}")
    lines.append(f"Sum   {nor(TOTAL)}")
    result = parse_file(listfiles.pdf(tmp_path / "liste.pdf", lines))
    assert_people(result)


def test_pdf_without_rows_is_accepted_for_manual_handling(tmp_path):
    result = parse_file(listfiles.pdf(tmp_path / "brev.pdf", ["Hei, listen kommer i posten.", "Hilsen lønn"]))
    assert result.ok and result.rows == []
    assert "manuelt" in result.note and result.warnings == []


# -- layouts ---------------------------------------------------------------------------------------


def test_title_rows_above_and_sum_row_below(tmp_path):
    rows = [["Trekkliste fagforeningskontingent"], ["Periode: 10/2026"], ["Bedrift: Eksempel AS"], []]
    rows += standard_rows() + [[], ["Sum", None, None, None, float(TOTAL)]]
    result = parse_file(listfiles.xlsx(tmp_path / "l.xlsx", {"Trekk": rows}))
    assert_people(result)
    assert result.warnings == []


def test_a_sum_row_that_does_not_add_up_is_warned_about(tmp_path):
    rows = standard_rows() + [["Totalt", None, None, None, float(TOTAL + 100)]]
    result = parse_file(listfiles.xlsx(tmp_path / "l.xlsx", {"Trekk": rows}))
    assert_people(result)
    assert any("stemmer ikke" in w.message for w in result.warnings)


def test_data_on_the_second_sheet(tmp_path):
    cover = [["Lønnsrapport"], ["Utskrevet 01.11.2026"], ["Se neste ark"]]
    result = parse_file(listfiles.xlsx(tmp_path / "l.xlsx", {"Forside": cover, "Fagforening": standard_rows()}))
    assert_people(result)


def test_national_id_stored_as_number_lost_its_leading_zero(tmp_path):
    rows = [["Personnummer", "Navn", "Beløp"]]
    rows += [[int(p[0]), f"{p[1]}, {p[2]}", float(p[5])] for p in PEOPLE]
    result = parse_file(listfiles.xlsx(tmp_path / "l.xlsx", {"Sheet1": rows}))
    assert_people(result)
    assert PEOPLE[0][0].startswith("0")


def test_national_id_with_a_space_after_the_birth_date(tmp_path):
    lines = ["Fnr;Navn;Trekk"] + [f"{p[0][:6]} {p[0][6:]};{p[1]}, {p[2]};{nor(p[5])}" for p in PEOPLE]
    assert_people(parse_file(listfiles.text(tmp_path / "l.csv", lines)))


def test_surname_and_first_name_in_two_columns(tmp_path):
    rows = [["Ansattnr", "Etternavn", "Fornavn", "Fnr", "Grunnlag", "Kontingent"]]
    rows += [[p[3], p[1], p[2], p[0], p[4], float(p[5])] for p in PEOPLE]
    assert_people(parse_file(listfiles.xlsx(tmp_path / "l.xlsx", {"Trekk": rows})))


@pytest.mark.parametrize(
    "id_header", ["Fødselsnummer", "Fnr", "F.nr", "Personnummer", "Personnr.", "Fødselsnr", "National ID"]
)
@pytest.mark.parametrize(
    "amount_header", ["Trekk", "Trekkbeløp", "Kontingent", "Fagforeningskontingent", "Beløp", "Union dues"]
)
def test_header_names(tmp_path, id_header, amount_header):
    lines = [f"{id_header};Name;Brutto lønn;{amount_header}"]
    lines += [f"{p[0]};{p[1]}, {p[2]};{nor(Decimal(str(p[4])))};{nor(p[5])}" for p in PEOPLE]
    result = parse_file(listfiles.text(tmp_path / "l.csv", lines))
    assert_people(result)
    assert by_id(result)[PEOPLE[0][0]].basis == Decimal("48000.00")


def test_no_header_at_all_is_read_from_the_content(tmp_path):
    rows = [[p[3], p[0], f"{p[1]}, {p[2]}", p[4], float(p[5])] for p in PEOPLE]
    result = parse_file(listfiles.xlsx(tmp_path / "l.xlsx", {"Ark1": rows}))
    assert_people(result)
    assert by_id(result)[PEOPLE[0][0]].basis == Decimal("48000.00")


def test_headers_that_say_too_little_are_completed_from_the_content(tmp_path):
    rows = [["Id", "Ansatt", "Kode", "Kr"]]
    rows += [[p[0], f"{p[1]}, {p[2]}", "5710", float(p[5])] for p in PEOPLE]
    assert_people(parse_file(listfiles.xlsx(tmp_path / "l.xlsx", {"Ark1": rows})))


def test_birth_date_only_list(tmp_path):
    def born(fnr: str) -> str:
        year = int(fnr[4:6])
        return f"{fnr[:2]}.{fnr[2:4]}.{1900 + year if year > 30 else 2000 + year}"

    lines = ["Fødselsdato;Navn;Trekk"] + [f"{born(p[0])};{p[1]}, {p[2]};{nor(p[5])}" for p in PEOPLE]
    result = parse_file(listfiles.text(tmp_path / "l.csv", lines))
    assert result.ok and all(r.national_id is None for r in result.rows)
    assert {(r.birth_date, r.name) for r in result.rows} == {
        (date(1990, 1, 1), "Nordmann, Ola"),
        (date(1975, 3, 9), "Ås, Kjersti"),
        (date(2001, 11, 23), "Bø, Øystein"),
        (date(1968, 7, 30), "Dæhli, Åse"),
        (date(1983, 2, 14), "Hansen, Per"),
    }
    assert result.total == TOTAL


# -- amounts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written, amount",
    [
        ("1 234,50", "1234.50"),
        ("1\u00a0234,50", "1234.50"),
        ("1.234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("kr 575,00", "575.00"),
        ("575,00 kr", "575.00"),
        ("575,-", "575.00"),
        ("1'234.50", "1234.50"),
        ("NOK 634", "634.00"),
        ("634.5", "634.50"),
        ("(12,50)", "-12.50"),
        ("12,50-", "-12.50"),
    ],
)
def test_amount_forms(tmp_path, written, amount):
    fnr = PEOPLE[0][0]
    # A second, ordinary row: a list of negatives alone would be flipped as payroll's sign convention.
    lines = ["Fnr;Navn;Trekk", f"{fnr};Nordmann, Ola;{written}", f"{PEOPLE[1][0]};Ås, Kjersti;676,01"]
    result = parse_file(listfiles.text(tmp_path / "l.csv", lines))
    assert by_id(result)[fnr].amount == Decimal(amount)


def test_negative_payroll_sign_is_flipped_and_a_correction_keeps_its_relative_sign(tmp_path):
    rows = [["Fnr", "Navn", "Trekk"]] + [[p[0], f"{p[1]}, {p[2]}", -float(p[5])] for p in PEOPLE]
    rows.append([PEOPLE[0][0], "Nordmann, Ola", 100.0])  # a refund of too much deducted earlier
    result = parse_file(listfiles.xlsx(tmp_path / "l.xlsx", {"Ark1": rows}))
    assert result.ok
    ola = [r.amount for r in result.rows if r.national_id == PEOPLE[0][0]]
    assert ola == [Decimal("624.00"), Decimal("-100.00")]
    assert result.total == TOTAL - 100


def test_several_rows_for_one_person_are_kept_and_noted(tmp_path):
    rows = standard_rows() + [[PEOPLE[1][0], "Ås, Kjersti", "12", 0, 25.0]]
    result = parse_file(listfiles.xlsx(tmp_path / "l.xlsx", {"Ark1": rows}))
    assert len(result.rows) == 6 and result.persons == 5
    assert result.total == TOTAL + 25
    assert [w.line for w in result.warnings if "Samme person" in w.message] == [7]


# -- warnings --------------------------------------------------------------------------------------


def test_warnings_name_their_rows(tmp_path):
    rows = [["Fødselsnummer", "Navn", "Trekk"]]
    rows += [[p[0], f"{p[1]}, {p[2]}", float(p[5])] for p in PEOPLE]
    rows.append([listfiles.break_check_digit(listfiles.make_fnr(date(1991, 4, 4))), "Feil, Tall", 600.0])
    rows.append([listfiles.make_fnr(date(1992, 5, 5)), "Uten, Beløp", None])
    rows.append([listfiles.make_fnr(date(1993, 6, 6)), "Stor, Sum", 9000.0])
    result = parse_file(listfiles.xlsx(tmp_path / "l.xlsx", {"Ark1": rows}))
    messages = {w.line: w.message for w in result.warnings}
    assert "kontrollsifrene" in messages[7]
    assert "mangler trekkbeløp" in messages[8]
    assert "skiller seg mye" in messages[9]
    assert len(result.rows) == 8


# -- refusals --------------------------------------------------------------------------------------


def test_corrupt_spreadsheet(tmp_path):
    path = tmp_path / "liste.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    result = parse_file(path)
    assert not result.ok and "skadet" in result.error


def test_empty_file(tmp_path):
    path = tmp_path / "tom.csv"
    path.write_bytes(b"")
    result = parse_file(path)
    assert not result.ok and "tom" in result.error and "fødselsnummer" in result.error


def test_a_spreadsheet_of_something_else(tmp_path):
    rows = [["Vare", "Antall", "Pris"], ["Skruer", 100, 2.5], ["Muttere", 50, 1.25], ["Skiver", 75, 0.5]]
    result = parse_file(listfiles.xlsx(tmp_path / "priser.xlsx", {"Priser": rows}))
    assert not result.ok
    assert "fødselsnummer" in result.error and "trekkbeløp" in result.error


@pytest.mark.slow
def test_a_zip_bomb_is_refused_before_it_is_read():
    result = parse_bytes(listfiles.bytes_of_zip_bomb(), "stor.xlsx")
    assert not result.ok and "urimelig stort" in result.error


@pytest.mark.slow
def test_too_many_rows(tmp_path):
    fnr = PEOPLE[0][0]
    lines = ["Fnr;Navn;Trekk"] + [f"{fnr};Nordmann, Ola;1,00"] * 100_001
    result = parse_file(listfiles.text(tmp_path / "l.csv", lines))
    assert not result.ok and "100000" in result.error


def test_too_large_a_file():
    result = parse_bytes(b"x" * (20 * 1024 * 1024 + 1), "stor.csv")
    assert not result.ok and "20 MB" in result.error


# -- the command-line contract ---------------------------------------------------------------------


def test_command_line_prints_one_json_object_per_file(tmp_path):
    good = listfiles.xlsx(tmp_path / "god.xlsx", {"Ark1": standard_rows()})
    bad = tmp_path / "tom.csv"
    bad.write_bytes(b"")
    done = subprocess.run(
        [sys.executable, "-m", "services.parsing", str(good), str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    first, second = [json.loads(line) for line in done.stdout.splitlines()]
    assert set(first) == {"file", "ok", "error", "rows", "warnings", "total"}
    assert first["ok"] is True and first["error"] is None and first["total"] == float(TOTAL)
    assert set(first["rows"][0]) == {"line", "national_id", "birth_date", "name", "employee_no", "basis", "amount"}
    assert first["rows"][0]["birth_date"] == "1990-01-01"
    assert second["ok"] is False and second["error"]
    only_good = subprocess.run(
        [sys.executable, "-m", "services.parsing", str(good)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert only_good.returncode == 0


@pytest.mark.slow
@pytest.mark.skipif(
    not (SHARED / "tools" / "check_parser.py").exists(),
    reason="../shared (samples and their checker) is not beside the clone",
)
def test_every_shared_sample_is_read_right():
    done = subprocess.run(
        [sys.executable, str(SHARED / "tools" / "check_parser.py"), str(SHARED / "samples"), "--py", sys.executable],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "parsed 8/8 files right" in done.stdout


def test_a_period_column_gives_each_row_its_month(tmp_path):
    ola = listfiles.make_fnr(date(1990, 1, 1))
    sheet = [
        ["Lønnsperiode", "Fødselsnummer", "Navn", "Trekk"],
        [date(2026, 10, 31), ola, "Nordmann, Ola", 520],
        ["09.2026", ola, "Nordmann, Ola", 520],
        ["september 2026", ola, "Nordmann, Ola", -100],
        ["", ola, "Nordmann, Ola", 10],
    ]
    result = parse_file(listfiles.xlsx(tmp_path / "liste.xlsx", {"Ark1": sheet}))
    assert result.ok, result.error
    assert [r.period for r in result.rows] == [date(2026, 10, 1), date(2026, 9, 1), date(2026, 9, 1), None]
    # The command line's JSON keeps the fields other tools rely on, no more.
    assert set(result.to_json()["rows"][0]) == {
        "line",
        "national_id",
        "birth_date",
        "name",
        "employee_no",
        "basis",
        "amount",
    }


def test_a_list_without_a_period_column_has_no_row_periods(tmp_path):
    sheet = [["Fødselsnummer", "Navn", "Trekk"], [listfiles.make_fnr(date(1990, 1, 1)), "Nordmann, Ola", 520]]
    result = parse_file(listfiles.xlsx(tmp_path / "liste.xlsx", {"Ark1": sheet}))
    assert [r.period for r in result.rows] == [None]


@pytest.mark.parametrize(
    "text, month",
    [
        ("2026-09", date(2026, 9, 1)),
        ("09.2026", date(2026, 9, 1)),
        ("9/2026", date(2026, 9, 1)),
        ("202609", date(2026, 9, 1)),
        ("September 2026", date(2026, 9, 1)),
        ("sep. 26", date(2026, 9, 1)),
        ("trekk_oktober_2026.xlsx", date(2026, 10, 1)),
        ("15.09.2026", date(2026, 9, 1)),
        ("liste.xlsx", None),
        ("mars 2026 og april 2026", None),
    ],
)
def test_the_month_a_text_names(text, month):
    from services.periods import named_in

    assert named_in(text) == month


def test_a_member_number_column_is_no_name_column():
    """«Medlemsnr» holds «medlem», a word for the name column: it is read as the row's number."""
    data = (
        "Medlemsnr;Fødselsdato;Navn;Trekk\n500;10.01.1980;Berg, Anne;400,00\n501;11.02.1981;Hansen, Per;410,00\n"
    ).encode()
    result = parse_bytes(data, "medlemmer.csv")
    assert [(r.employee_no, r.birth_date, r.name, r.amount) for r in result.rows] == [
        ("500", date(1980, 1, 10), "Berg, Anne", Decimal("400.00")),
        ("501", date(1981, 2, 11), "Hansen, Per", Decimal("410.00")),
    ]
