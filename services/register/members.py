"""The member register: who is a member, and at which company, from when until when."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from services import audit, fields, localtime
from services.access import Actor
from services.accounts.companies import normalise_orgnr
from services.db import Store, Tx, utcnow
from services.errors import Conflict, InvalidInput, NotFound
from services.reading import sandbox, values
from services.reading.columns import FIRST_NAME, NAME, NATIONAL_ID, SURNAME, role_of_header
from services.reading.identity import name_key
from services.reading.result import Sheet
from services.reading.values import fold

MEMBER_NO = "member_no"
ORGNR = "orgnr"
VALID_FROM = "valid_from"
VALID_TO = "valid_to"
RATE_CLASS = "rate_class"
MEMBER_FROM = "member_from"
MEMBER_TO = "member_to"
MEMBER_HEADERS = {
    # Before the employment dates: «medlem fra» is the membership's start, not a name or a job's.
    MEMBER_FROM: ("innmeldt", "innmeldt dato", "innmeldingsdato", "medlem fra", "medlemskap fra", "medlem siden"),
    MEMBER_TO: ("utmeldt", "utmeldt dato", "utmeldingsdato", "medlem til", "medlemskap til"),
    MEMBER_NO: ("medlemsnr", "medlemsnummer", "medlnr", "member no", "member number", "membership number"),
    ORGNR: (
        "orgnr",
        "org nr",
        "organisasjonsnummer",
        "bedrift orgnr",
        "arbeidsgiver orgnr",
        "organisation number",
        "employer orgnr",
        "bedriftsnr",
    ),
    VALID_FROM: ("fra", "fra dato", "ansatt fra", "start", "fom", "gyldig fra", "from", "valid from", "startdato"),
    VALID_TO: ("til", "til dato", "ansatt til", "slutt", "tom", "gyldig til", "to", "valid to", "sluttdato", "sluttet"),
    RATE_CLASS: ("sats", "satsklasse", "kontingentklasse", "kontingentsats", "rate class", "rate"),
}


def _member_role(cell) -> str | None:
    header = fold(values.text(cell))
    for role, names in MEMBER_HEADERS.items():
        if header in names:
            return role
    return role_of_header(cell)


@dataclass
class ImportReport:
    imported: int = 0
    # Members already registered whose details or employments the file changes; `unchanged`: the rest.
    updated: int = 0
    unchanged: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    # A full snapshot only: what the import ends because the file no longer has it, and who.
    full: bool = False
    ended_employments: int = 0
    ended_memberships: int = 0
    ending: list[Ending] = field(default_factory=list)
    # True for a preview: counted, nothing written.
    preview: bool = False


@dataclass(frozen=True)
class Ending:
    """An employment (at `company`) or, with `company` None, a membership that a full import ends."""

    member_no: str
    name: str
    company: str | None
    ends: date


class _Preview(Exception):
    """Raised inside the import's transaction to count without writing: the store rolls it back."""


@dataclass(frozen=True)
class MemberRow:
    line: int
    member_no: str
    national_id: str
    name: str
    orgnr: str
    valid_from: date
    valid_to: date | None
    rate_class: str
    member_from: date | None = None
    member_to: date | None = None


def _read_member_rows(data: bytes, filename: str, report: ImportReport) -> list[MemberRow]:
    try:
        tables = sandbox.read_tables(data, filename)
    except sandbox.TablesUnreadable as problem:
        raise InvalidInput(str(problem)) from problem
    for sheet in (Sheet(name, rows, lines) for name, rows, lines in tables.sheets):
        for index, header in enumerate(sheet.rows[:30]):
            columns: dict[str, int] = {}
            for col, cell in enumerate(header):
                role = _member_role(cell)
                if role and role not in columns:
                    columns[role] = col
            if {MEMBER_NO, NATIONAL_ID, ORGNR} <= set(columns) and (NAME in columns or SURNAME in columns):
                return _member_rows(sheet, index, columns, report)
    raise InvalidInput(
        "Fant ikke medlemsregisteret i filen. Vi ser etter kolonnene medlemsnummer, "
        "fødselsnummer, navn og organisasjonsnummer (og gjerne fra-dato, til-dato og sats)."
    )


def _member_rows(sheet, header_index: int, columns: dict[str, int], report: ImportReport) -> list[MemberRow]:
    def cell(row, role):
        col = columns.get(role)
        return row[col] if col is not None and col < len(row) else None

    rows = []
    for index in range(header_index + 1, len(sheet.rows)):
        row, line = sheet.rows[index], sheet.line_numbers[index]
        if all(values.is_blank(c) for c in row):
            continue
        member_no = values.text(cell(row, MEMBER_NO))
        national_id = values.digits_of_national_id(cell(row, NATIONAL_ID))
        name = (
            values.clean_name(cell(row, NAME))
            if NAME in columns
            else values.join_names(cell(row, SURNAME), cell(row, FIRST_NAME))
        )
        if not member_no:
            report.problems.append((line, "Mangler medlemsnummer."))
            continue
        if national_id is None or not values.national_id_valid(national_id):
            report.problems.append((line, f"Medlem {member_no}: ugyldig fødselsnummer."))
            continue
        if not name:
            report.problems.append((line, f"Medlem {member_no}: mangler navn."))
            continue
        try:
            orgnr = normalise_orgnr(values.text(cell(row, ORGNR)))
        except InvalidInput as problem:
            report.problems.append((line, f"Medlem {member_no}: {problem}"))
            continue
        valid_from = values.parse_date(cell(row, VALID_FROM)) or date(2000, 1, 1)
        valid_to = values.parse_date(cell(row, VALID_TO))
        rate_class = values.text(cell(row, RATE_CLASS)).lower() or "ordinær"
        member_from = values.parse_date(cell(row, MEMBER_FROM))
        member_to = values.parse_date(cell(row, MEMBER_TO))
        rows.append(
            MemberRow(
                line, member_no, national_id, name, orgnr, valid_from, valid_to, rate_class, member_from, member_to
            )
        )
    return rows


def _upsert_member(tx: Tx, *, member_no: str, national_id: str, name: str, rate_class: str) -> tuple[int, bool]:
    now = utcnow()
    birth_date = values.birth_date_of_national_id(national_id)
    existing = tx.value("SELECT id FROM members WHERE member_no = ?", [member_no])
    if existing is not None:
        tx.execute(
            "UPDATE members SET national_id = ?, birth_date = ?, name = ?, name_key = ?, rate_class = ?,"
            " updated_at = ? WHERE id = ?",
            [national_id, birth_date, name, name_key(name), rate_class, now, existing],
        )
        return existing, False
    member_id = tx.value(
        "INSERT INTO members (member_no, national_id, birth_date, name, name_key, rate_class, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [member_no, national_id, birth_date, name, name_key(name), rate_class, now, now],
    )
    return member_id, True


def _place(tx: Tx, member_id: int, company_id: int, valid_from: date, valid_to: date | None) -> None:
    """Record the member's employment at the company from `valid_from`; an open
    employment elsewhere that started earlier ends the day before (a move)."""
    same = tx.row(
        "SELECT id FROM employments WHERE member_id = ? AND company_id = ? AND valid_from = ?",
        [member_id, company_id, valid_from],
    )
    if same is not None:
        tx.execute("UPDATE employments SET valid_to = ? WHERE id = ?", [valid_to, same[0]])
        return
    tx.execute(
        "UPDATE employments SET valid_to = ? WHERE member_id = ? AND valid_to IS NULL AND valid_from < ?",
        [valid_from - timedelta(days=1), member_id, valid_from],
    )
    tx.execute(
        "INSERT INTO employments (member_id, company_id, valid_from, valid_to, created_at) VALUES (?, ?, ?, ?, ?)",
        [member_id, company_id, valid_from, valid_to, utcnow()],
    )


def import_register(
    store: Store,
    *,
    actor: Actor,
    data: bytes,
    filename: str,
    full: bool = False,
    preview: bool = False,
    today: date | None = None,
) -> ImportReport:
    """Import members and their employments from a spreadsheet or csv: one row per employment, so a
    member with two jobs has two rows. Bad rows are reported, the rest imported.

    A new employment never ends another by itself: two jobs at once are two jobs. A move is said by
    staff (`move`), by a to-date on the old row, or by a full snapshot (`full`): the file is then the
    whole register, and the employments and memberships missing from it end, the day before an
    employment that replaces them in the file, else yesterday. `preview` counts all that and writes
    nothing."""
    actor.require_staff()
    report = ImportReport(full=full, preview=preview)
    rows = _read_member_rows(data, filename, report)
    companies = {r[0]: r[1] for r in store.rows("SELECT orgnr, id FROM companies")}
    usable = _without_conflicts(store, [r for r in rows if _known_company(r, companies, report)], report)
    if full and not usable:
        raise InvalidInput(
            "En fullstendig import uten gyldige rader ville avsluttet alle medlemmer. Ingenting er endret."
        )

    # The member's own details: the last row in the file wins. Employments: every row.
    latest = {row.member_no: row for row in usable}
    member_rows = [
        (
            r.member_no,
            r.national_id,
            r.name,
            name_key(r.name),
            values.birth_date_of_national_id(r.national_id),
            r.rate_class,
            r.member_from,
            r.member_to,
        )
        for r in latest.values()
    ]
    employment_rows = sorted(
        {(r.member_no, companies[r.orgnr], r.valid_from, r.valid_to) for r in usable},
        key=lambda e: (e[0], e[1], e[2]),
    )
    yesterday = (today or localtime.today()) - timedelta(days=1)

    def work(tx: Tx) -> None:
        registered, changed = _registered_and_changed(tx, member_rows, employment_rows)
        report.updated = len(changed)
        report.unchanged = len(registered) - report.updated
        report.imported = len(latest) - len(registered)
        if member_rows:
            _apply_import(tx, member_rows, employment_rows)
        if full:
            report.ending = _end_missing(tx, employment_rows, yesterday)
            report.ended_employments = sum(1 for e in report.ending if e.company is not None)
            report.ended_memberships = len(report.ending) - report.ended_employments
        if preview:
            raise _Preview
        audit.record(
            tx,
            actor=actor,
            action="members.import",
            target=filename,
            detail=f"{report.imported} nye, {report.updated} oppdatert, {len(report.problems)} avvist"
            + (
                f"; fullstendig: {report.ended_employments} ansettelser og {report.ended_memberships}"
                " medlemskap avsluttet"
                if full
                else ""
            ),
        )

    try:
        store.transaction(work)
    except _Preview:
        pass
    report.problems.sort()
    return report


def _known_company(row: MemberRow, companies: dict[str, int], report: ImportReport) -> bool:
    if row.orgnr in companies:
        return True
    report.problems.append((row.line, f"Medlem {row.member_no}: bedriften {row.orgnr} er ikke registrert."))
    return False


def _without_conflicts(store: Store, rows: list[MemberRow], report: ImportReport) -> list[MemberRow]:
    """Rows whose fødselsnummer belongs to another member number (in the register or earlier in the
    file) are reported by line, never written: one person is one member."""
    owners = {
        national_id: (member_no, name)
        for national_id, member_no, name in store.rows(
            "SELECT national_id, member_no, name FROM members WHERE national_id IN (SELECT unnest(?::VARCHAR[]))",
            [sorted({r.national_id for r in rows})],
        )
    }
    kept = []
    for row in rows:
        owner = owners.get(row.national_id)
        if owner is not None and owner[0] != row.member_no:
            report.problems.append(
                (
                    row.line,
                    f"Medlem {row.member_no}: fødselsnummeret tilhører medlem {owner[0]} ({owner[1]}). "
                    "Raden er ikke importert.",
                )
            )
            continue
        owners.setdefault(row.national_id, (row.member_no, row.name))
        kept.append(row)
    return kept


MEMBER_COLUMNS = (
    "member_no",
    "national_id",
    "name",
    "name_key",
    "birth_date",
    "rate_class",
    "member_from",
    "member_to",
)
EMPLOYMENT_COLUMNS = ("member_no", "company_id", "valid_from", "valid_to")
# Columns a register file may leave empty for every row.
MEMBER_TYPES = {"national_id": "text", "birth_date": "date", "member_from": "date", "member_to": "date"}
EMPLOYMENT_TYPES = {"valid_from": "date", "valid_to": "date"}


def _apply_import(tx: Tx, member_rows: list[tuple], employment_rows: list[tuple]) -> None:
    """Set-based: a whole register in a handful of statements, not a few per member."""
    now = utcnow()
    with tx.staged(MEMBER_COLUMNS, member_rows, types=MEMBER_TYPES) as staged:
        tx.execute(
            "UPDATE members SET national_id = s.national_id, birth_date = s.birth_date, name = s.name,"
            " name_key = s.name_key, rate_class = s.rate_class, member_from = s.member_from,"
            " member_to = s.member_to, updated_at = ?"
            f" FROM {staged} s WHERE members.member_no = s.member_no",
            [now],
        )
        tx.execute(
            "INSERT INTO members (member_no, national_id, birth_date, name, name_key, rate_class, member_from,"
            " member_to, created_at, updated_at) SELECT member_no, national_id, birth_date, name, name_key,"
            " rate_class, member_from, member_to, ?, ?"
            f" FROM {staged} WHERE member_no NOT IN (SELECT member_no FROM members)",
            [now, now],
        )
    with tx.staged(EMPLOYMENT_COLUMNS, employment_rows, types=EMPLOYMENT_TYPES) as staged:
        placed = (
            "(SELECT m.id AS member_id, s.company_id, s.valid_from, s.valid_to"
            f" FROM {staged} s JOIN members m ON m.member_no = s.member_no)"
        )
        # The same employment again: only its end may have changed.
        tx.execute(
            f"UPDATE employments SET valid_to = p.valid_to FROM {placed} p WHERE employments.member_id = p.member_id"
            " AND employments.company_id = p.company_id AND employments.valid_from = p.valid_from"
        )
        tx.execute(
            "INSERT INTO employments (member_id, company_id, valid_from, valid_to, created_at)"
            f" SELECT p.member_id, p.company_id, p.valid_from, p.valid_to, ? FROM {placed} p WHERE NOT EXISTS"
            " (SELECT 1 FROM employments e WHERE e.member_id = p.member_id AND e.company_id = p.company_id"
            "  AND e.valid_from = p.valid_from)",
            [now],
        )


def _registered_and_changed(
    tx: Tx, member_rows: list[tuple], employment_rows: list[tuple]
) -> tuple[set[str], set[str]]:
    """The file's members already registered (by number), and those of them whose details or
    employments the file changes."""
    numbers = [row[0] for row in member_rows]
    stored = {
        r[0]: tuple(r[1:])
        for r in tx.rows(
            f"SELECT {', '.join(MEMBER_COLUMNS)} FROM members WHERE member_no IN (SELECT unnest(?::VARCHAR[]))",
            [numbers],
        )
    }
    held = set(
        tx.rows(
            "SELECT m.member_no, e.company_id, e.valid_from, e.valid_to FROM employments e"
            " JOIN members m ON m.id = e.member_id WHERE m.member_no IN (SELECT unnest(?::VARCHAR[]))",
            [numbers],
        )
    )
    details = {row[0] for row in member_rows if row[0] in stored and stored[row[0]] != tuple(row[1:])}
    jobs = {row[0] for row in employment_rows if row[0] in stored and tuple(row) not in held}
    return set(stored), details | jobs


def _end_missing(tx: Tx, employment_rows: list[tuple], yesterday: date) -> list[Ending]:
    """A full snapshot: end the open employments and the memberships the file no longer has; who."""
    with tx.staged(EMPLOYMENT_COLUMNS, employment_rows, types=EMPLOYMENT_TYPES) as staged:
        listed = (
            f"(SELECT m.id AS member_id, s.company_id, s.valid_from FROM {staged} s JOIN members m USING (member_no))"
        )
        # An open employment missing from the file ends the day before the member's newest employment
        # in the file that started after it (a move), else yesterday.
        ended = tx.rows(
            "UPDATE employments SET valid_to = coalesce("
            f"  (SELECT CAST(max(l.valid_from) - INTERVAL '1 day' AS DATE) FROM {listed} l"
            "   WHERE l.member_id = employments.member_id AND l.valid_from > employments.valid_from), ?)"
            " WHERE employments.valid_to IS NULL AND employments.valid_from <= ? AND NOT EXISTS"
            f"  (SELECT 1 FROM {listed} l WHERE l.member_id = employments.member_id"
            "   AND l.company_id = employments.company_id AND l.valid_from = employments.valid_from)"
            " RETURNING id",
            [yesterday, yesterday],
        )
        left = tx.rows(
            "UPDATE members SET member_to = ? WHERE member_to IS NULL"
            f" AND member_no NOT IN (SELECT member_no FROM {staged}) RETURNING id",
            [yesterday],
        )
        if left:
            tx.execute(
                "UPDATE employments SET valid_to = ? WHERE valid_to IS NULL AND valid_from <= ?"
                " AND member_id IN (SELECT unnest(?::INTEGER[]))",
                [yesterday, yesterday, [r[0] for r in left]],
            )
    jobs = tx.rows(
        "SELECT m.member_no, m.name, c.name, e.valid_to FROM employments e JOIN members m ON m.id = e.member_id"
        " JOIN companies c ON c.id = e.company_id WHERE e.id IN (SELECT unnest(?::INTEGER[]))",
        [[r[0] for r in ended]],
    )
    memberships = tx.rows(
        "SELECT member_no, name, NULL, member_to FROM members WHERE id IN (SELECT unnest(?::INTEGER[]))",
        [[r[0] for r in left]],
    )
    return sorted(
        (Ending(*r) for r in jobs + memberships),
        key=lambda e: (e.name, e.member_no, e.company is None, e.company or ""),
    )


def import_file(store: Store, *, actor: Actor, path: Path, full: bool = False, preview: bool = False) -> ImportReport:
    return import_register(
        store, actor=actor, data=Path(path).read_bytes(), filename=Path(path).name, full=full, preview=preview
    )


def add_member(
    store: Store,
    *,
    actor: Actor,
    member_no: str,
    national_id: str,
    name: str,
    company_id: int,
    valid_from: date,
    rate_class: str = "ordinær",
) -> int:
    actor.require_staff()
    digits = values.digits_of_national_id(national_id)
    if digits is None or not values.national_id_valid(digits):
        raise InvalidInput("Fødselsnummeret er ugyldig.")
    if not (member_no or "").strip() or not (name or "").strip():
        raise InvalidInput("Medlemmet må ha medlemsnummer og navn.")
    fields.text(name, field="navnet", most=fields.NAME)
    fields.text(member_no, field="medlemsnummeret", most=40)
    if store.value("SELECT 1 FROM companies WHERE id = ?", [company_id]) is None:
        raise NotFound("Bedriften finnes ikke.")

    def work(tx: Tx) -> int:
        # Adding by hand never overwrites: an existing number or fødselsnummer is refused by name.
        same_no = tx.row("SELECT name FROM members WHERE member_no = ?", [member_no.strip()])
        if same_no is not None:
            raise Conflict(
                f"Medlemsnummer {member_no.strip()} er allerede registrert på {same_no[0]}. "
                "Endre medlemmet i stedet, eller bruk et annet nummer."
            )
        same_person = tx.row("SELECT member_no, name FROM members WHERE national_id = ?", [digits])
        if same_person is not None:
            raise Conflict(
                f"Fødselsnummeret er allerede registrert på {same_person[1]} (medlemsnummer {same_person[0]})."
            )
        member_id, _ = _upsert_member(
            tx, member_no=member_no.strip(), national_id=digits, name=name.strip(), rate_class=rate_class
        )
        _place(tx, member_id, company_id, valid_from, None)
        audit.record(tx, actor=actor, action="member.add", company_id=company_id, target=member_no.strip())
        return member_id

    return store.transaction(work)


def id_of(store: Store, *, actor: Actor, member_no: str) -> int:
    actor.require_staff()
    found = store.value("SELECT id FROM members WHERE member_no = ?", [member_no.strip()])
    if found is None:
        raise NotFound(f"Ingen medlem med medlemsnummer {member_no.strip()} er registrert.")
    return found


def end_employment(store: Store, *, actor: Actor, member_id: int, company_id: int, last_day: date) -> None:
    actor.require_staff()

    def work(tx: Tx) -> None:
        found = tx.value(
            "SELECT id FROM employments WHERE member_id = ? AND company_id = ? AND valid_to IS NULL",
            [member_id, company_id],
        )
        if found is None:
            raise NotFound("Medlemmet har ikke et åpent ansettelsesforhold i denne bedriften.")
        tx.execute("UPDATE employments SET valid_to = ? WHERE id = ?", [last_day, found])
        audit.record(tx, actor=actor, action="member.end", company_id=company_id, target=str(member_id))

    store.transaction(work)


def move(store: Store, *, actor: Actor, member_id: int, to_company_id: int, first_day: date) -> None:
    actor.require_staff()

    def work(tx: Tx) -> None:
        if tx.value(
            "SELECT 1 FROM employments WHERE member_id = ? AND company_id = ? AND valid_to IS NULL",
            [member_id, to_company_id],
        ):
            raise Conflict("Medlemmet er allerede ansatt i denne bedriften.")
        _place(tx, member_id, to_company_id, first_day, None)
        audit.record(tx, actor=actor, action="member.move", company_id=to_company_id, target=str(member_id))

    store.transaction(work)


@dataclass(frozen=True)
class RegisterEntry:
    """A member's employment at one company, as the register holds it."""

    member_id: int
    company_id: int
    member_no: str
    name: str
    birth_date: date | None
    company: str
    orgnr: str
    valid_from: date
    valid_to: date | None
    rate_class: str


@dataclass(frozen=True)
class RegisterPage:
    entries: list[RegisterEntry]
    total: int
    page: int
    pages: int


REGISTER_PAGE_SIZE = 100


def register_page(
    store: Store,
    *,
    actor: Actor,
    company_id: int | None = None,
    search: str = "",
    only_current: bool = False,
    page: int = 0,
    page_size: int | None = REGISTER_PAGE_SIZE,
) -> RegisterPage:
    """One page of the register, filtered and paged in the database: a union's 60 000 members
    never go to the browser at once. `search` finds a member number, a name or a company."""
    actor.require_staff()
    needle = f"%{search.strip().lower()}%" if search.strip() else None
    where = (
        " WHERE (CAST(? AS INTEGER) IS NULL OR e.company_id = ?)"
        " AND (CAST(? AS VARCHAR) IS NULL OR m.member_no LIKE ? OR lower(m.name) LIKE ? OR lower(c.name) LIKE ?"
        "      OR c.orgnr LIKE ?)"
        " AND (NOT ? OR e.valid_to IS NULL)"
    )
    params = [company_id, company_id, needle, needle, needle, needle, needle, only_current]
    joined = " FROM members m JOIN employments e ON e.member_id = m.id JOIN companies c ON c.id = e.company_id"
    total = store.value("SELECT count(*)" + joined + where, params)
    page_size = page_size or max(total, 1)
    pages = max(1, -(-total // page_size))
    page = min(max(page, 0), pages - 1)
    rows = store.rows(
        "SELECT m.id, e.company_id, m.member_no, m.name, m.birth_date, c.name, c.orgnr,"
        " e.valid_from, e.valid_to, m.rate_class" + joined + where + " ORDER BY m.name, e.valid_from, e.id"
        " LIMIT ? OFFSET ?",
        [*params, page_size, page * page_size],
    )
    audit.viewed(store, actor=actor, action="members.view", company_id=company_id)
    return RegisterPage([RegisterEntry(*r) for r in rows], total, page, pages)


def register(store: Store, *, actor: Actor, company_id: int | None = None) -> list[RegisterEntry]:
    """The whole register (or one company's), unpaged."""
    return register_page(store, actor=actor, company_id=company_id, page_size=None).entries
