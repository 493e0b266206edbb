"""Hostile and broken files, made here, run through the real parse worker.

    python -m tests.fuzz [--count N] [--seed S]

prints `parser fuzz: N inputs, C crashes, L over limits, U unnamed errors` and
exits 1 unless all three are 0. `make test` runs 2 000 inputs (test_fuzz.py),
`make fuzz` 10 000. An input that crashed a worker, went past a limit or raised
an unnamed error is kept under tests/artifacts/fuzz/ with what happened, so it
can be replayed with `python -m services.parsing FILE`.

Inputs: mutations (byte flips, truncation, inserted garbage, wrong extensions,
mutated parts inside a zip) of the shared samples and of lists the tests make
in every format; and the classes of hostile file known to hurt readers: a huge
declared sheet dimension, shared-string amplification, zip bombs, XML entity
expansion, truncated ODF, repeated ODS cells, odd-length UTF-16, NaN/inf/1e12
amounts, one 20 MB line, many-column fixed width, a many-page PDF.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import random
import re
import sys
import tempfile
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.config import ParseLimits  # noqa: E402
from services.reading.sandbox import ParseWorkers, parse  # noqa: E402
from tests import listfiles  # noqa: E402

SHARED_SAMPLES = ROOT.parent / "shared" / "samples"
ARTIFACTS = ROOT / "tests" / "artifacts" / "fuzz"
EXTENSIONS = ("xlsx", "xls", "ods", "csv", "txt", "pdf", "dat", "")


# -- seed files -----------------------------------------------------------------------------------


def _people(count: int) -> list[list]:
    rows = []
    for n in range(count):
        born = date(1950 + n % 50, 1 + n % 12, 1 + n % 28)
        rows.append([listfiles.make_fnr(born, n % 400), f"Etternavn{n}, Fornavn{n}", 400 + n % 300 + 0.5])
    return rows


def _made(name: str, build: Callable[[Path], Path]) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        return build(Path(folder) / name).read_bytes()


@cache
def seeds() -> list[tuple[str, bytes]]:
    """Good lists in every format: what mutations start from."""
    people = _people(30)
    header = ["Fødselsnummer", "Navn", "Trekk"]
    rows = [header] + people
    text_rows = [";".join([p[0], p[1], f"{p[2]:.2f}".replace(".", ",")]) for p in people]
    fixed = [f"{p[0]}  {p[1]:<30}{p[2]:>10.2f}" for p in people]
    made = [
        ("liste.xlsx", _made("l.xlsx", lambda p: listfiles.xlsx(p, {"Trekk": rows}))),
        ("liste.xls", _made("l.xls", lambda p: listfiles.xls(p, rows))),
        ("liste.ods", _made("l.ods", lambda p: listfiles.ods(p, rows))),
        ("liste.csv", "\r\n".join(["Fnr;Navn;Trekk"] + text_rows).encode("cp1252")),
        ("liste.txt", "\n".join(["Fødselsnummer  Navn                          Trekk"] + fixed).encode("utf-8")),
        (
            "liste.txt",
            ("\ufeff" + "\r\n".join(["Fnr\tNavn\tTrekk"] + [r.replace(";", "\t") for r in text_rows])).encode("utf-16"),
        ),
        (
            "liste.pdf",
            _made(
                "l.pdf", lambda p: listfiles.pdf(p, [f"{a}  {b}  {c:.2f}".replace(".", ",") for a, b, c in people[:12]])
            ),
        ),
    ]
    shared = [(p.name, p.read_bytes()) for p in sorted(SHARED_SAMPLES.glob("*")) if p.suffix != ".json"]
    return made + shared


# -- mutations ------------------------------------------------------------------------------------


def _flip(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 12)):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(max(len(data), 1))]


def _garbage(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data) + 1)
    junk = rng.choice(
        [
            bytes(rng.randrange(256) for _ in range(rng.randint(1, 64))),
            b"\x00" * rng.randint(1, 4096),
            b"\xff" * rng.randint(1, 512),
            b"<" * rng.randint(1, 300),
            b'"' * rng.randint(1, 50),
            b"\r\n" * rng.randint(1, 100),
        ]
    )
    return data[:at] + junk + data[at:]


def _repeat_chunk(rng: random.Random, data: bytes) -> bytes:
    if len(data) < 2:
        return data * 2
    a = rng.randrange(len(data) - 1)
    b = rng.randrange(a + 1, min(len(data), a + 4096) + 1)
    return data[:b] + data[a:b] * rng.randint(2, 20) + data[b:]


def _mutate_zip_part(rng: random.Random, data: bytes) -> bytes:
    """A valid zip whose XML inside is broken: reaches the spreadsheet reader past the zip checks."""
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
        parts = [(info.filename, source.read(info)) for info in source.infolist()]
    except Exception:
        return _flip(rng, data)
    index = rng.randrange(len(parts))
    name, body = parts[index]
    change = rng.choice([_flip, _truncate, _garbage, _repeat_chunk, _xml_numbers])
    parts[index] = (name, change(rng, body))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part_name, part in parts:
            archive.writestr(part_name, part)
    return out.getvalue()


def _xml_numbers(rng: random.Random, data: bytes) -> bytes:
    """Numbers in attributes and values made huge, negative or nonsense."""
    choices = [b"0", b"-1", b"4294967296", b"99999999999999999999", b"1048577", b"NaN", b"1e308", b"16384"]
    return re.sub(rb"(?<=[\">])\d+(?=[\"<])", lambda m: rng.choice(choices) if rng.random() < 0.2 else m.group(), data)


MUTATIONS = [_flip, _truncate, _garbage, _repeat_chunk, _mutate_zip_part]


# -- hostile classes ------------------------------------------------------------------------------


def _rezip(data: bytes, change: Callable[[str, bytes], bytes], extra: dict[str, bytes] | None = None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, change(info.filename, source.read(info)))
        for name, body in (extra or {}).items():
            archive.writestr(name, body)
    return out.getvalue()


def _xlsx_seed() -> bytes:
    return seeds()[0][1]


def dimension_bomb(rng: random.Random) -> tuple[str, bytes]:
    ref = rng.choice([b"A1:XFD100000", b"A1:XFD1048576", b"A1:ZZ1000000", b"B2:AAA99999"])
    return "bomb.xlsx", _rezip(
        _xlsx_seed(),
        lambda n, d: (
            re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="' + ref + b'"', d)
            if n.startswith("xl/worksheets/")
            else d
        ),
    )


def far_cell(rng: random.Random) -> tuple[str, bytes]:
    """One cell far away, with no dimension at all: the reader's rectangle reaches it."""
    cell = rng.choice([b"XFD1", b"A1048576", b"ZZZ99999"])

    def change(name: str, body: bytes) -> bytes:
        if not name.startswith("xl/worksheets/"):
            return body
        body = re.sub(rb"<dimension [^>]*/>", b"", body)
        return body.replace(
            b"</sheetData>",
            b'<row r="' + re.sub(rb"\D", b"", cell) + b'"><c r="' + cell + b'"><v>1</v></c></row></sheetData>',
        )

    return "langt.xlsx", _rezip(_xlsx_seed(), change)


@cache
def _amplified_strings() -> bytes:
    big = "A" * (9 * 1024 * 1024)
    cells = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(1, 301))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + cells
        + "</sheetData></worksheet>"
    ).encode()
    strings = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="300" uniqueCount="1">'
        f"<si><t>{big}</t></si></sst>"
    ).encode()

    def change(name: str, body: bytes) -> bytes:
        if name.startswith("xl/worksheets/"):
            return sheet
        if name == "xl/sharedStrings.xml":
            return strings
        return body

    extra = (
        {}
        if "xl/sharedStrings.xml" in zipfile.ZipFile(io.BytesIO(_xlsx_seed())).namelist()
        else {"xl/sharedStrings.xml": strings}
    )
    return _rezip(_xlsx_seed(), change, extra)


def shared_string_amplification(rng: random.Random) -> tuple[str, bytes]:
    return "tekster.xlsx", _amplified_strings()


@cache
def _zip_bomb() -> bytes:
    return listfiles.bytes_of_zip_bomb()


def zip_bomb(rng: random.Random) -> tuple[str, bytes]:
    return rng.choice(["stor.xlsx", "stor.ods", "stor.zip"]), _zip_bomb()


def entity_expansion(rng: random.Random) -> tuple[str, bytes]:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)
        )
        + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>'
    )
    target = rng.choice(["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml", "xl/workbook.xml"])
    data = _rezip(
        _xlsx_seed(),
        lambda n, d: laughs if n == target else d,
        {target: laughs} if target not in zipfile.ZipFile(io.BytesIO(_xlsx_seed())).namelist() else None,
    )
    if rng.random() < 0.5:
        ods = next(d for n, d in seeds() if n.endswith(".ods"))
        data = _rezip(
            ods,
            lambda n, d: (
                laughs.replace(b"<sst", b"<office:document-content")
                .replace(b"</sst>", b"</office:document-content>")
                .replace(b"<si><t>", b"")
                .replace(b"</t></si>", b"")
                if n == "content.xml"
                else d
            ),
        )
        return "lol.ods", data
    return "lol.xlsx", data


def truncated_ods(rng: random.Random) -> tuple[str, bytes]:
    ods = next(d for n, d in seeds() if n.endswith(".ods"))
    if rng.random() < 0.5:
        return "kuttet.ods", ods[: rng.randrange(30, len(ods))]
    # A whole zip whose content.xml stops in the middle.
    return "kuttet.ods", _rezip(ods, lambda n, d: d[: rng.randrange(1, len(d))] if n == "content.xml" else d)


def repeated_ods_cells(rng: random.Random) -> tuple[str, bytes]:
    ods = next(d for n, d in seeds() if n.endswith(".ods"))
    rows, cols = rng.choice([(1_000_000, 16_384), (100_000, 1_000), (2_000_000, 1)])

    def change(name: str, body: bytes) -> bytes:
        if name != "content.xml":
            return body
        return body.replace(
            b"<table:table-row>", b'<table:table-row table:number-rows-repeated="%d">' % rows, 1
        ).replace(b"<table:table-cell ", b'<table:table-cell table:number-columns-repeated="%d" ' % cols, 1)

    return "gjentatt.ods", _rezip(ods, change)


def odd_utf16(rng: random.Random) -> tuple[str, bytes]:
    text = next(d for n, d in seeds() if d.startswith(b"\xff\xfe"))
    cut = text[: rng.randrange(3, len(text))]
    if len(cut) % 2 == 0:
        cut += b"\x00"
    return rng.choice(["liste.txt", "liste.csv"]), cut if rng.random() < 0.7 else cut[2:]


def extreme_amounts(rng: random.Random) -> tuple[str, bytes]:
    people = _people(8)
    values = ["NaN", "inf", "-inf", "1e12", "1000000000000", "9" * 40, "1,5e300", "-0", "1E9", "999999999,99"]
    if rng.random() < 0.5:
        lines = ["Fnr;Navn;Trekk"] + [f"{p[0]};{p[1]};{rng.choice(values)}" for p in people]
        return "beløp.csv", "\n".join(lines).encode()
    numbers = [float("nan"), float("inf"), 1e12, -1e15, 1e308, 5e-324, 999_999_999.99]
    rows = [["Fødselsnummer", "Navn", "Trekk"]] + [[p[0], p[1], rng.choice(numbers)] for p in people]
    try:
        data = _made("b.xlsx", lambda p: listfiles.xlsx(p, {"Trekk": rows}))
    except Exception:
        data = _made("b.xlsx", lambda p: listfiles.xlsx(p, {"Trekk": [r[:2] + [1e12] for r in rows]}))
    return "beløp.xlsx", data


def huge_line(rng: random.Random) -> tuple[str, bytes]:
    size = rng.choice([20 * 1024 * 1024 - 64, 19 * 1024 * 1024, 2 * 1024 * 1024])
    filler = rng.choice([b"x", b"1;", b'"', b"a "])
    return "linje.csv", b"Fnr;Navn;Trekk\n" + (filler * (size // len(filler)))[:size] + b"\n"


def many_columns(rng: random.Random) -> tuple[str, bytes]:
    columns = rng.choice([600, 5_000, 40_000])
    lines = []
    for person in _people(rng.randint(20, 200)):
        lines.append(person[0] + " " + " ".join("x" for _ in range(columns)))
    return "bred.txt", "\n".join(lines).encode()


def many_words_fixed_width(rng: random.Random) -> tuple[str, bytes]:
    """Long lines of one-letter words: each line a data line, each gap a column candidate."""
    lines = [f"{p[0]} " + "a b " * rng.randint(100, 4000) for p in _people(rng.randint(20, 60))]
    return "ord.txt", "\n".join(lines).encode()


@cache
def _many_pages() -> bytes:
    from fpdf import FPDF

    document = FPDF()
    document.set_font("Helvetica", size=8)
    for page in range(3000):
        document.add_page()
        document.cell(0, 5, f"Side {page}", new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


def many_page_pdf(rng: random.Random) -> tuple[str, bytes]:
    return rng.choice(["liste.pdf", "liste.xlsx"]), _many_pages()


def lying_zip_sizes(rng: random.Random) -> tuple[str, bytes]:
    """A part whose declared size is small while it unpacks to far more."""
    data = bytearray(
        _rezip(_xlsx_seed(), lambda n, d: d + b" " * (50 * 1024 * 1024) if n.startswith("xl/worksheets/") else d)
    )
    for match in re.finditer(rb"PK\x01\x02|PK\x03\x04", bytes(data)):
        offset = match.start() + (24 if data[match.start() + 2] == 1 else 22)
        data[offset : offset + 4] = (1000).to_bytes(4, "little")
    return "løgn.xlsx", bytes(data)


def wrong_extension(rng: random.Random) -> tuple[str, bytes]:
    name, data = rng.choice(seeds())
    return "fil." + rng.choice(EXTENSIONS), data


HOSTILE = [
    dimension_bomb,
    far_cell,
    shared_string_amplification,
    zip_bomb,
    entity_expansion,
    truncated_ods,
    repeated_ods_cells,
    odd_utf16,
    extreme_amounts,
    huge_line,
    many_columns,
    many_words_fixed_width,
    many_page_pdf,
    lying_zip_sizes,
    wrong_extension,
]


def inputs(count: int, seed: int):
    """`count` hostile inputs: every class at least once, the rest mostly mutations."""
    rng = random.Random(seed)
    for n in range(count):
        if n < len(HOSTILE):
            make = HOSTILE[n]
            yield make.__name__, *make(rng)
            continue
        if rng.random() < 0.12:
            make = rng.choice(HOSTILE)
            yield make.__name__, *make(rng)
            continue
        name, data = rng.choice(seeds())
        mutation = rng.choice(MUTATIONS)
        mutated = mutation(rng, data)
        if rng.random() < 0.15:
            name = "fil." + rng.choice(EXTENSIONS)
        yield mutation.__name__.strip("_"), name, mutated


# -- running --------------------------------------------------------------------------------------


@dataclass
class Report:
    inputs: int = 0
    crashes: int = 0
    over_limits: int = 0
    unnamed: int = 0
    kept: list[str] = field(default_factory=list)

    @property
    def line(self) -> str:
        return (
            f"parser fuzz: {self.inputs} inputs, {self.crashes} crashes, {self.over_limits} over limits, "
            f"{self.unnamed} unnamed errors"
        )

    @property
    def clean(self) -> bool:
        return self.crashes == self.over_limits == self.unnamed == 0


def _keep(number: int, label: str, name: str, data: bytes, what: str) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    extension = name.rsplit(".", 1)[-1] if "." in name else "bin"
    path = ARTIFACTS / f"{number:05d}-{label}.{extension}"
    path.write_bytes(data)
    path.with_suffix(path.suffix + ".json").write_text(json.dumps({"label": label, "name": name, "what": what}))
    return str(path.relative_to(ROOT))


def run(count: int, seed: int, limits: ParseLimits | None = None) -> Report:
    pool = ParseWorkers(limits or ParseLimits())
    report = Report()

    def one(item):
        number, (label, name, data) = item
        try:
            result = parse(data, name, pool=pool)
        except BaseException as exc:  # noqa: BLE001 - an exception escaping the sandbox is what we look for
            return number, label, name, data, "crash", f"escaped {type(exc).__name__}: {exc}"
        if result.failure is None and (not isinstance(result.ok, bool) or (not result.ok and not result.error)):
            return number, label, name, data, "unnamed", "no message"
        return number, label, name, data, result.failure, result.error or ""

    def outcomes():
        # In small batches: the executor takes all it is given at once, and some inputs are 20 MB.
        numbered = enumerate(inputs(count, seed))
        with ThreadPoolExecutor(max_workers=pool.limits.workers) as threads:
            while batch := list(itertools.islice(numbered, 16)):
                yield from threads.map(one, batch)

    try:
        for number, label, name, data, failure, what in outcomes():
            report.inputs += 1
            if failure is None:
                continue
            if failure == "limit":
                report.over_limits += 1
            elif failure == "unnamed":
                report.unnamed += 1
            else:
                report.crashes += 1
            report.kept.append(_keep(number, label, name, data, f"{failure}: {what}"))
    finally:
        pool.close()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20261130)
    args = parser.parse_args(argv)
    report = run(args.count, args.seed)
    print(report.line)
    for path in report.kept:
        print("  kept:", path)
    return 0 if report.clean else 1


if __name__ == "__main__":
    sys.exit(main())
