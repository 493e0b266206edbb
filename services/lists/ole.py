"""Checks of an old Excel file's container (OLE2 / Compound File Binary) before the reader sees it.

The reader sizes its buffers from counts in the file's header and directory:
a damaged or hostile count made it ask for a gigabyte at once. Here every
count is checked against the file's real size, and every sector chain the
reader will follow is walked once, in bounds and without loops.
"""
from __future__ import annotations

import struct

from services.lists.limits import UnreadableFile

END_OF_CHAIN = 0xFFFFFFFE
FREE = 0xFFFFFFFF
DAMAGED = ("Excel-filen (xls) er skadet og kan ikke leses. Lagre den på nytt som .xlsx eller .csv og prøv igjen.")
STREAM, ROOT = 2, 5


def _refuse() -> UnreadableFile:
    return UnreadableFile(DAMAGED)


def check_xls(data: bytes) -> None:
    if len(data) < 512:
        raise _refuse()
    (major, byte_order, shift, mini_shift, directory_sectors, fat_sectors, first_directory, _, cutoff,
     first_mini_fat, mini_fat_sectors, first_difat, difat_sectors) = struct.unpack_from("<HHHH6xIIIIIIIII", data, 0x1A)
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
        return data[start:start + size].ljust(size, b"\0")

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
    if mini_fat_sectors:
        if len(chain(first_mini_fat)) < mini_fat_sectors:
            raise _refuse()
    for offset in range(0, len(directory) - 127, 128):
        entry = directory[offset:offset + 128]
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
