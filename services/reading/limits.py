"""How large a list may be, checked before a reader is asked to do the work.

Each limit is far above any real deduction list (at most 100 000 rows), and
each refusal says which limit the file broke, so payroll staff know what to fix.
The worker's memory and time limits (services.reading.sandbox) are the last line;
these checks are the first, so a hostile file is refused cheaply and clearly.
"""

from __future__ import annotations

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
# Title rows, sums and blank lines above and below the list itself.
MAX_SHEET_ROWS = MAX_ROWS + 50
MAX_COLUMNS = 500
MAX_CELLS = 5_000_000
MAX_SHEETS = 100
MAX_ZIP_ENTRIES = 2_000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 150
# Excel itself refuses a cell longer than this.
MAX_CELL_CHARS = 32_767
# All text the shared strings expand to, counted once per cell that uses them.
MAX_SHEET_TEXT_BYTES = 100 * 1024 * 1024
MAX_PDF_PAGES = 200
MAX_LINE_CHARS = 32_768
# What the store's DECIMAL(14,2) holds with room to spare; no deduction is near it.
MAX_AMOUNT_KR = 10**9


class UnreadableFile(Exception):
    """The file cannot be read as a list; the message is for the user (Norwegian)."""
