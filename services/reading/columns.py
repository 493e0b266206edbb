"""Which column holds what: by the header's name in Norwegian or English, and,
when the headers say too little, by what the column contains."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.reading import values
from services.reading.values import fold

NATIONAL_ID = "national_id"
BIRTH_DATE = "birth_date"
NAME = "name"
SURNAME = "surname"
FIRST_NAME = "first_name"
EMPLOYEE_NO = "employee_no"
BASIS = "basis"
AMOUNT = "amount"
# The month a row is for, where a list has such a column: a row for another month is a correction to it.
PERIOD = "period"

# Folded header names (see values.fold), most specific first within a role.
# Matched whole, then as all the words of a synonym inside the header.
SYNONYMS: dict[str, tuple[str, ...]] = {
    NATIONAL_ID: (
        "fodselsnummer",
        "fodselsnr",
        "fnr",
        "f nr",
        "personnummer",
        "personnr",
        "pers nr",
        "national id",
        "national identity number",
        "nationalid",
        "ssn",
        "identitetsnummer",
        "id nummer",
        "fodsels nr",
        "fodselsnummer 11 siffer",
        "personal id",
        "person id",
        "d nummer",
    ),
    BIRTH_DATE: (
        "fodselsdato",
        "fodt",
        "f dato",
        "fdato",
        "birth date",
        "date of birth",
        "birthdate",
        "dob",
        "fodselsdag",
    ),
    SURNAME: ("etternavn", "surname", "last name", "lastname", "family name"),
    FIRST_NAME: ("fornavn", "first name", "firstname", "given name", "forename"),
    NAME: (
        "navn",
        "name",
        "fullt navn",
        "full name",
        "ansattnavn",
        "employee name",
        "medlem",
        "member",
        "etternavn fornavn",
        "fornavn etternavn",
        "ansatt navn",
        "arbeidstaker",
    ),
    EMPLOYEE_NO: (
        "ansattnr",
        "ansattnummer",
        "ansatt nr",
        "ans nr",
        "ansnr",
        "lonnsnr",
        "lonnsnummer",
        "employee no",
        "employee number",
        "employee id",
        "emp no",
        "empno",
        "personalnr",
        "personalnummer",
        "ressursnr",
        "ansatt id",
        # A member number is the union's, not the payroll's, but it names a row the same way; without
        # these, "medlemsnr" would be read as a name column for the "medlem" in it.
        "medlemsnr",
        "medlemsnummer",
        "medlems nr",
        "medlem nr",
        "member no",
        "member number",
    ),
    BASIS: (
        "trekkgrunnlag",
        "grunnlag",
        "brutto lonn",
        "bruttolonn",
        "lonnsgrunnlag",
        "gross pay",
        "gross salary",
        "gross",
        "basis",
        "lonn",
        "brutto",
        "grunnlag trekk",
        "kontingentgrunnlag",
    ),
    PERIOD: (
        "periode",
        "lonnsperiode",
        "trekkperiode",
        "gjelder periode",
        "gjelder maned",
        "maned",
        "mnd",
        "period",
        "pay period",
        "month",
    ),
    AMOUNT: (
        "trekk",
        "trekkbelop",
        "kontingent",
        "fagforeningskontingent",
        "belop",
        "union dues",
        "dues",
        "amount",
        "trekk kontingent",
        "fagforeningstrekk",
        "kontingenttrekk",
        "fagforening",
        "trukket",
        "trukket belop",
        "deduction",
        "union fee",
        "medlemskontingent",
        "sum trekk",
    ),
}
# Checked in this order, so "trekkgrunnlag" is a basis before "trekk" can make it an amount,
# and "etternavn, fornavn" one name column before "etternavn" can make it a surname.
ROLE_ORDER = (NATIONAL_ID, BIRTH_DATE, PERIOD, BASIS, EMPLOYEE_NO, NAME, SURNAME, FIRST_NAME, AMOUNT)
HEADER_SCAN_ROWS = 40


# Each synonym's words and its letters without spaces, worked out once: headers are
# matched against every synonym, and the first rows of a list are many cells.
_SYNONYM_SHAPES = [
    (role, synonym, frozenset(synonym.split()), synonym.replace(" ", ""))
    for role in ROLE_ORDER
    for synonym in SYNONYMS[role]
]


def role_of_header(cell) -> str | None:
    header = fold(values.text(cell))
    if not header or len(header) > 60:
        return None
    for role in ROLE_ORDER:
        if header in SYNONYMS[role]:
            return role
    words = set(header.split())
    squashed = header.replace(" ", "")
    for role, synonym, synonym_words, synonym_squashed in _SYNONYM_SHAPES:
        if len(synonym) >= 4 and (synonym_words <= words or synonym_squashed == squashed):
            return role
    for role, synonym, _, _ in _SYNONYM_SHAPES:
        # Compound words: "fagforeningstrekkbelop", "kontingenttrekk (kr)".
        if len(synonym) >= 6 and " " not in synonym and synonym in squashed:
            return role
    return None


@dataclass
class Layout:
    """Where the header row is (None when found by content) and each role's column."""

    header_row: int | None
    columns: dict[str, int] = field(default_factory=dict)

    @property
    def usable(self) -> bool:
        has_person = NATIONAL_ID in self.columns or BIRTH_DATE in self.columns
        return has_person and AMOUNT in self.columns

    def score(self) -> int:
        return len(self.columns) + (10 if self.usable else 0)


def layout_from_header(rows: list[list], row_index: int) -> Layout:
    layout = Layout(header_row=row_index)
    for col, cell in enumerate(rows[row_index]):
        role = role_of_header(cell)
        if role and role not in layout.columns:
            layout.columns[role] = col
    return layout


def find_header(rows: list[list]) -> Layout | None:
    best: Layout | None = None
    for index in range(min(len(rows), HEADER_SCAN_ROWS)):
        layout = layout_from_header(rows, index)
        if len(layout.columns) < 2:
            continue
        if best is None or layout.score() > best.score():
            best = layout
    return best


def _share(cells: list, test) -> float:
    filled = [c for c in cells if not values.is_blank(c)]
    if not filled:
        return 0.0
    return sum(1 for c in filled if test(c)) / len(filled)


CONTENT_SAMPLE_ROWS = 500


def layout_from_content(rows: list[list], start: int = 0) -> Layout:
    """Guess the roles from the cells themselves: for lists without a usable header.
    A sample of the rows is enough to tell the columns apart."""
    body = rows[start : start + CONTENT_SAMPLE_ROWS]
    width = max((len(r) for r in body), default=0)
    columns = [[r[c] if c < len(r) else None for r in body] for c in range(width)]
    layout = Layout(header_row=None)

    def valid_id(cell) -> bool:
        digits = values.digits_of_national_id(cell)
        return digits is not None and values.national_id_valid(digits)

    for col, cells in enumerate(columns):
        if NATIONAL_ID not in layout.columns and _share(cells, valid_id) >= 0.6:
            layout.columns[NATIONAL_ID] = col
    if NATIONAL_ID not in layout.columns:
        for col, cells in enumerate(columns):
            if _share(cells, lambda c: values.parse_date(c) is not None and not isinstance(c, (int, float))) >= 0.8:
                layout.columns[BIRTH_DATE] = col
                break
    taken = set(layout.columns.values())
    for col, cells in enumerate(columns):
        if (
            col not in taken
            and _share(cells, lambda c: values.clean_name(c) is not None and values.parse_amount(c) is None) >= 0.8
        ):
            layout.columns[NAME] = col
            taken.add(col)
            break
    numeric = [
        col
        for col, cells in enumerate(columns)
        if col not in taken
        and _share(cells, lambda c: values.parse_amount(c) is not None) >= 0.8
        and any(not values.is_blank(c) for c in cells)
    ]
    if numeric:
        # Dues are the smallest money column; the basis (gross pay) is far larger.
        def typical(col: int) -> float:
            parsed = (values.parse_amount(c) for c in columns[col])
            amounts = sorted(abs(a) for a in parsed if a is not None)
            return float(amounts[len(amounts) // 2]) if amounts else 0.0

        with_decimals = [
            c
            for c in numeric
            if any(
                isinstance(x, float) and not x.is_integer() or (isinstance(x, str) and ("," in x or "." in x))
                for x in columns[c]
            )
        ]
        candidates = with_decimals or numeric
        amount_col = min(candidates, key=typical)
        layout.columns[AMOUNT] = amount_col
        larger = [c for c in candidates if c != amount_col and typical(c) > 5 * typical(amount_col)]
        if larger:
            layout.columns[BASIS] = larger[0]
    return layout


@dataclass(frozen=True)
class ChosenLayout:
    """Columns a clerk picked for a file the parser could not read on its own (or read wrongly):
    used for any later file of the company whose header row, on the same sheet, reads the same."""

    header_key: str
    sheet: int
    header_row: int
    columns: dict[str, int]

    def to_wire(self) -> dict:
        return {
            "header_key": self.header_key,
            "sheet": self.sheet,
            "header_row": self.header_row,
            "columns": self.columns,
        }

    @classmethod
    def from_wire(cls, wire: dict) -> ChosenLayout:
        columns = {str(role): int(col) for role, col in dict(wire["columns"]).items() if role in SYNONYMS}
        return cls(str(wire["header_key"]), int(wire["sheet"]), int(wire["header_row"]), columns)


def header_key(row: list) -> str:
    """A header row as one string: its cells compared without case, accents or spacing."""
    cells = [fold(values.text(c)) for c in row]
    while cells and not cells[-1]:
        cells.pop()
    return "|".join(cells)
