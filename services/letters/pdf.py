"""The two template letters as PDF, with fpdf2.

"Vedrørende kontingenttrekk for våre medlemmer" asks the employer to start
deducting; "Utmeldte / overflytting av medlemmer" to stop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fpdf import FPDF

from services import periods
from services.errors import InvalidInput
from services.reading.values import parse_date

START = "start"
STOP = "stop"
SUBJECTS = {
    START: "Vedrørende kontingenttrekk for våre medlemmer",
    STOP: "Utmeldte / overflytting av medlemmer",
}
INTROS = {
    START: (
        "Følgende medlemmer av {union} er ansatt hos dere. Vi ber om at det trekkes kontingent fra "
        "første mulige lønnskjøring, fra og med perioden som er oppgitt, etter satsen som står ved navnet."
    ),
    STOP: (
        "Følgende medlemmer er meldt ut av {union} eller har gått over til en annen bedrift. Vi ber om at "
        "kontingenttrekket stoppes fra og med perioden som er oppgitt."
    ),
}
REASONS = {"utmeldt": "Utmeldt", "overført": "Overført til annen bedrift"}


@dataclass(frozen=True)
class LetterPerson:
    name: str
    birth_date: date
    from_period: date
    rate: str = ""  # start letters: the dues rate, e.g. "1,3 % (maks 575 kr)"
    reason: str = ""  # stop letters: "utmeldt" or "overført"


# DejaVu Sans, shipped beside this module with its licence: every Norwegian, Sámi and
# European name prints as written (the core PDF fonts stop at Latin-1: «Łukasz» became «?ukasz»).
FONTS = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"


def render(
    *,
    kind: str,
    company_name: str,
    orgnr: str,
    persons: list[LetterPerson],
    union_name: str,
    union_address: str,
    signature: str,
    created: date,
) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(SUBJECTS[kind])
    pdf.set_author(union_name)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    pdf.set_font(FONT, "B", 14)
    pdf.cell(0, 8, union_name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)
    for line in union_address.splitlines() or [""]:
        pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.cell(0, 5, company_name, new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, f"Org.nr. {orgnr}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, f"{created:%d.%m.%Y}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FONT, "B", 12)
    pdf.multi_cell(0, 7, SUBJECTS[kind], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FONT, size=10)
    pdf.multi_cell(0, 5, INTROS[kind].format(union=union_name), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    last = "Sats" if kind == START else "Årsak"
    with pdf.table(col_widths=(60, 30, 35, 55), text_align="LEFT") as table:
        header = table.row()
        for title in ("Navn", "Fødselsdato", "Fra periode", last):
            header.cell(title)
        for person in persons:
            row = table.row()
            row.cell(person.name)
            row.cell(f"{person.birth_date:%d.%m.%Y}")
            row.cell(periods.label(person.from_period))
            row.cell(person.rate if kind == START else REASONS.get(person.reason, person.reason))
    pdf.ln(8)
    pdf.multi_cell(0, 5, signature, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.cell(0, 5, union_name, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def persons_from_text(text: str, *, kind: str) -> list[LetterPerson]:
    """Members pasted from a spreadsheet: one a line, tab- or semicolon-separated:
    name; birth date (dd.mm.yyyy); from period (mm.yyyy); rate (start) or reason (stop)."""
    persons = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = [c.strip() for c in (line.split("\t") if "\t" in line else line.split(";"))]
        if len(cells) < 4:
            raise InvalidInput(
                f"Linje {number}: skriv navn; fødselsdato; fra periode; "
                f"{'sats' if kind == START else 'årsak'} (fire felt)."
            )
        name, born, start, last = cells[:4]
        birth_date = parse_date(born)
        from_period = parse_date("01." + start) if start.count(".") == 1 else parse_date(start)
        if birth_date is None:
            raise InvalidInput(f"Linje {number}: «{born}» er ikke en dato (dd.mm.åååå).")
        if from_period is None:
            raise InvalidInput(f"Linje {number}: «{start}» er ikke en periode (mm.åååå).")
        reason = last.lower()
        persons.append(
            LetterPerson(
                name=name,
                birth_date=birth_date,
                from_period=from_period.replace(day=1),
                rate=last if kind == START else "",
                reason=("overført" if reason.startswith("overf") else reason) if kind == STOP else "",
            )
        )
    return persons


def page_images(pdf: bytes, *, scale: float = 1.4, max_pages: int = 5) -> list[bytes]:
    """The first pages of a letter this module made, as PNG pictures for a preview on the page.
    Only for our own output: a PDF someone uploaded is never opened in the portal process."""
    import io

    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        pictures = []
        for index in range(min(len(document), max_pages)):
            image = document[index].render(scale=scale).to_pil()
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            pictures.append(buffer.getvalue())
        return pictures
    finally:
        document.close()
