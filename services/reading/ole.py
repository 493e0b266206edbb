"""Checks of an old Excel file's container (OLE2 / Compound File Binary) before the reader sees it.

The reader sizes its buffers from counts in the file's header and directory:
a damaged or hostile count made it ask for a gigabyte at once. Here every
count is checked against the file's real size, and every sector chain the
reader will follow is walked once, in bounds and without loops.
"""

from __future__ import annotations

import struct

from services.reading.limits import UnreadableFile

END_OF_CHAIN = 0xFFFFFFFE
FREE = 0xFFFFFFFF
DAMAGED = "Excel-filen (xls) er skadet og kan ikke leses. Lagre den på nytt som .xlsx eller .csv og prøv igjen."
STREAM, ROOT = 2, 5


def _refuse() -> UnreadableFile:
    return UnreadableFile(DAMAGED)


def check_xls(data: bytes) -> None:
    if len(data) < 512:
        raise _refuse()
    (
        major,
        byte_order,
        shift,
        mini_shift,
        directory_sectors,
        fat_sectors,
        first_directory,
        _,
        cutoff,
        first_mini_fat,
        mini_fat_sectors,
        first_difat,
        difat_sectors,
    ) = struct.unpack_from("<HHHH6xIIIIIIIII", data, 0x1A)
    if byte_order != 0xFFFE or (major, shift) not in ((3, 9), (4, 12)) or mini_shift != 6 or cutoff != 4096:
        raise _refuse()
    size = 1 << shift
    sectors = max(0, (len(data) - size + size - 1) // size)
    if max(fat_sectors, mini_fat_sectors, difat_sectors, directory_sectors) > sectors or fat_sectors == 0:
        raise _refuse()

    def sector(number: int) -> bytes:
        if number >= sectors:
            raise _refuse()
        start = (number + 1) * size
        return data[start : start + size].ljust(size, b"\0")

    fat_locations = list(struct.unpack_from("<109I", data, 0x4C))[:fat_sectors]
    seen_difat: set[int] = set()
    next_difat = first_difat
    per_difat = size // 4 - 1
    while len(fat_locations) < fat_sectors:
        if next_difat in seen_difat or len(seen_difat) >= difat_sectors:
            raise _refuse()
        seen_difat.add(next_difat)
        entries = struct.unpack(f"<{size // 4}I", sector(next_difat))
        fat_locations.extend(entries[:per_difat])
        next_difat = entries[per_difat]
    fat_locations = fat_locations[:fat_sectors]
    fat: list[int] = []
    for location in fat_locations:
        fat.extend(struct.unpack(f"<{size // 4}I", sector(location)))

    def chain(start: int) -> list[int]:
        found, seen = [], set()
        current = start
        while current != END_OF_CHAIN:
            if current >= sectors or current >= len(fat) or current in seen:
                raise _refuse()
            seen.add(current)
            found.append(current)
            current = fat[current]
        return found

    directory = b"".join(sector(n) for n in chain(first_directory))
    mini_fat: list[int] = []
    if mini_fat_sectors:
        mini_fat_chain = chain(first_mini_fat)
        if len(mini_fat_chain) < mini_fat_sectors:
            raise _refuse()
        for number in mini_fat_chain:
            mini_fat.extend(struct.unpack(f"<{size // 4}I", sector(number)))
    root_stream = b""
    workbook: tuple[int, int] | None = None
    for offset in range(0, len(directory) - 127, 128):
        entry = directory[offset : offset + 128]
        kind = entry[0x42]
        if kind not in (STREAM, ROOT):
            continue
        start, low, high = struct.unpack_from("<III", entry, 0x74)
        stream_size = low if major == 3 else low | (high << 32)
        if stream_size > len(data):
            raise _refuse()
        if stream_size == 0:
            continue
        if kind == ROOT or stream_size >= cutoff:
            if len(chain(start)) * size < stream_size:
                raise _refuse()
        if kind == ROOT:
            root_stream = b"".join(sector(n) for n in chain(start))[:stream_size]
        name_length = min(struct.unpack_from("<H", entry, 0x40)[0], 64)
        name = entry[:name_length].decode("utf-16-le", "replace").rstrip("\0")
        if kind == STREAM and name in ("Workbook", "Book"):
            workbook = (start, stream_size)
    if workbook is None:
        raise _refuse()
    start, stream_size = workbook
    if stream_size >= cutoff:
        stream = b"".join(sector(n) for n in chain(start))[:stream_size]
    else:
        stream = _mini_stream(root_stream, mini_fat, start, stream_size)
    check_biff(stream)


def _mini_stream(root_stream: bytes, mini_fat: list[int], start: int, stream_size: int) -> bytes:
    pieces: list[bytes] = []
    seen: set[int] = set()
    current = start
    count = len(root_stream) // 64
    while current != END_OF_CHAIN and len(pieces) * 64 < stream_size:
        if current >= count or current >= len(mini_fat) or current in seen:
            raise _refuse()
        seen.add(current)
        pieces.append(root_stream[current * 64 : (current + 1) * 64])
        current = mini_fat[current]
    stream = b"".join(pieces)
    if len(stream) < stream_size:
        raise _refuse()
    return stream[:stream_size]


BOF, EOF, DIMENSIONS, SST = 0x0809, 0x000A, 0x0200, 0x00FC
# Records that place one cell at (row, column) in their first four bytes.
CELL_RECORDS = {0x0203, 0x00FD, 0x0204, 0x027E, 0x0201, 0x0205, 0x0006, 0x00D6, 0x0207}
# Records that place a run of cells: row, first column, ..., last column in the final two bytes.
RUN_RECORDS = {0x00BD, 0x00BE}


def check_biff(stream: bytes) -> None:
    """Every sheet's extent from its cell records and its declared dimensions, before the
    reader builds a rectangle from them."""
    from services.reading.package import SheetFacts, _check_extent

    offset, sheet = 0, 0
    facts = SheetFacts("ark 1")
    while offset + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, offset)
        body = stream[offset + 4 : offset + 4 + length]
        offset += 4 + length
        if len(body) < length:
            raise _refuse()
        if kind == BOF:
            sheet += 1
            facts = SheetFacts(f"ark {max(sheet - 1, 1)}")
        elif kind == DIMENSIONS:
            if length >= 14:
                first_row, last_row, first_column, last_column = struct.unpack_from("<IIHH", body)
            elif length >= 8:  # the older 16-bit form
                first_row, last_row, first_column, last_column = struct.unpack_from("<HHHH", body)
            else:
                raise _refuse()
            # The reader subtracts first from last: a first past the last wraps round to billions.
            if first_row > last_row or first_column > last_column:
                raise _refuse()
            facts.rows, facts.columns = max(facts.rows, last_row), max(facts.columns, last_column)
        elif kind in CELL_RECORDS and length >= 4:
            row, column = struct.unpack_from("<HH", body)
            facts.rows, facts.columns = max(facts.rows, row + 1), max(facts.columns, column + 1)
        elif kind in RUN_RECORDS and length >= 6:
            row, first = struct.unpack_from("<HH", body)
            last = struct.unpack_from("<H", body, length - 2)[0]
            facts.rows, facts.columns = max(facts.rows, row + 1), max(facts.columns, first + 1, last + 1)
        elif kind == SST and length >= 8:
            _, unique = struct.unpack_from("<II", body)
            # Each string takes at least three bytes of the stream.
            if unique > len(stream) // 3:
                raise _refuse()
        if kind in (DIMENSIONS, EOF) or kind in CELL_RECORDS or kind in RUN_RECORDS:
            _check_extent(facts)
