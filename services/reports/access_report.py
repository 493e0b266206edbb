"""What the union holds about one member, for the member (GDPR art. 15, issue 26).

The same content as «Person» shows staff, in Norwegian, as an Excel workbook (a sheet per kind of
data) or a PDF with the Unicode font the letters use. Only the member's own data is in it: a list
row is the member's row, never the rest of the list. Making one is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from fpdf import FPDF

from services import audit, export, localtime, periods
from services.access import Actor
from services.db import Store, utcnow
from services.letters.pdf import FONT, FONTS
from services.money import kr
from services.register import answers, person, rectify

OUTCOMES = {
    "utrukket": "Ikke trukket (utrukket)",
    "unknown": "Ukjent for registeret",
    "anomaly": "Avvik i beløp",
    "unidentified": "Uten identitet",
    "fnr_to_fix": "Fødselsnummer må rettes",
}
LETTERS = {"start": "Start trekk", "stop": "Stopp trekk", "upload": "Brev"}


@dataclass(frozen=True)
class Section:
    title: str
    headers: Sequence[str]
    rows: list[Sequence[object]]


def _day(value: date | None) -> str:
    return f"{value:%d.%m.%Y}" if value else ""


def _when(value: datetime | None) -> str:
    return localtime.shown(value)


def _amount(value: Decimal | None) -> str:
    return kr(value) if value is not None else ""


def sections(seen: person.PersonHistory) -> list[Section]:
    """The report's content, a section per kind of data the portal holds about the member."""
    member = seen.member
    rows = [r for m in seen.months for r in m.rows]
    outcomes = [o for m in seen.months for o in m.outcomes]
    return [
        Section(
            "Medlem",
            ("Medlemsnummer", "Navn", "Fødselsnummer", "Fødselsdato", "Sats", "Medlem fra", "Medlem til"),
            [
                (
                    member.member_no,
                    member.name,
                    member.national_id,
                    _day(member.birth_date),
                    member.rate_class,
                    _day(member.member_from),
                    _day(member.member_to),
                )
            ],
        ),
        Section(
            "Ansettelser",
            ("Bedrift", "Org.nr.", "Fra", "Til"),
            [(j.company, j.orgnr, _day(j.valid_from), _day(j.valid_to)) for j in seen.jobs],
        ),
        Section(
            "Trekklister",
            ("Måned", "Bedrift", "Trukket", "Trekkgrunnlag", "Listen gjaldt", "Fil", "Linje", "Sendt"),
            [
                (
                    periods.label(r.period),
                    r.company,
                    _amount(r.amount),
                    _amount(r.basis),
                    periods.label(r.list_period),
                    r.file_name,
                    r.line or "",
                    _when(r.submitted_at),
                )
                for r in rows
            ],
        ),
        Section(
            "Avstemming",
            ("Måned", "Bedrift", "Funn", "Beløp", "Forventet", "Svar fra bedriften", "Lukket"),
            [
                (
                    periods.label(o.period),
                    o.company,
                    OUTCOMES.get(o.kind, o.kind),
                    _amount(o.amount),
                    _amount(o.expected),
                    "; ".join(
                        answers.STATUSES.get(a.status, a.status) + (f": {a.comment}" if a.comment else "")
                        for a in o.answers
                    ),
                    _when(o.closed_at),
                )
                for o in outcomes
            ],
        ),
        Section(
            "Brev",
            ("Bedrift", "Emne", "Hva", "Laget", "Trukket tilbake"),
            [
                (
                    letter.company,
                    letter.subject,
                    LETTERS.get(letter.kind, letter.kind),
                    _when(letter.created_at),
                    _when(letter.withdrawn_at),
                )
                for letter in seen.letters
            ],
        ),
        Section(
            "Rettelser",
            ("Felt", "Før", "Etter", "Grunn", "Når"),
            [
                (rectify.FIELD_WORDS[c.field], c.old_value, c.new_value, c.reason, _when(c.corrected_at))
                for c in seen.corrections
            ],
        ),
    ]


def excel(store: Store, *, actor: Actor, member_id: int) -> bytes:
    seen = person.history(store, actor=actor, member_id=member_id)
    made = export.workbook_of([(s.title, s.headers, s.rows) for s in sections(seen)])
    store.transaction(
        lambda tx: audit.record(tx, actor=actor, action="person.report", target=seen.member.member_no, detail="Excel")
    )
    return made


def pdf(store: Store, *, actor: Actor, member_id: int) -> bytes:
    seen = person.history(store, actor=actor, member_id=member_id)
    union = store.settings.union_name
    document = FPDF(format="A4", orientation="landscape")
    document.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    document.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    document.set_title("Innsyn")
    document.set_author(union)
    document.set_auto_page_break(auto=True, margin=15)
    document.add_page()
    document.set_font(FONT, "B", 14)
    document.cell(0, 8, f"Innsyn: dette har {union} registrert om {seen.member.name}", new_x="LMARGIN", new_y="NEXT")
    document.set_font(FONT, size=9)
    document.cell(0, 5, f"Laget {localtime.shown(utcnow())}", new_x="LMARGIN", new_y="NEXT")
    for section in sections(seen):
        document.ln(4)
        document.set_font(FONT, "B", 11)
        document.cell(0, 7, section.title, new_x="LMARGIN", new_y="NEXT")
        document.set_font(FONT, size=8)
        if not section.rows:
            document.cell(0, 5, "Ingenting registrert.", new_x="LMARGIN", new_y="NEXT")
            continue
        with document.table(text_align="LEFT") as table:
            header = table.row()
            for title in section.headers:
                header.cell(title)
            for values in section.rows:
                row = table.row()
                for value in values:
                    row.cell(str(value))
    made = bytes(document.output())
    store.transaction(
        lambda tx: audit.record(tx, actor=actor, action="person.report", target=seen.member.member_no, detail="PDF")
    )
    return made
