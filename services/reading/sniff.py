"""What a file really is, decided from its bytes, never from its name.

Payroll staff rename files, and a hostile user can call anything «liste.xlsx»;
the reader for a format only ever sees bytes that look like that format.
"""

from __future__ import annotations

import io
import zipfile

from services.reading.limits import UnreadableFile
from services.reading.package import ZIP_ERRORS

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
RESAVE = "Lagre listen på nytt som .xlsx eller .csv og prøv igjen."


def _utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le' or '-be' when every other byte is zero, as Windows tools write text."""
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:200].strip() if "mimetype" in names else b""
    except ZIP_ERRORS as exc:
        raise UnreadableFile("Filen ser ut som et regneark, men er skadet eller ufullstendig. " + RESAVE) from exc
    if mimetype.startswith(ODS_MIMETYPE) or (
        not mimetype and "content.xml" in names and "META-INF/manifest.xml" in names
    ):
        if mimetype and mimetype != ODS_MIMETYPE:
            raise UnreadableFile("Filen er et OpenDocument-dokument, men ikke et regneark. " + RESAVE)
        return "ods"
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        raise UnreadableFile("Filen er et OpenDocument-dokument, men ikke et regneark. " + RESAVE)
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names or any(n.startswith("xl/") for n in names):
        if "xl/workbook.bin" in names and "xl/workbook.xml" not in names:
            raise UnreadableFile("Filen er en binær Excel-arbeidsbok (.xlsb), som vi ikke leser. " + RESAVE)
        return "xlsx"
    if "word/document.xml" in names:
        raise UnreadableFile("Filen er et Word-dokument, ikke en trekkliste. " + RESAVE)
    if "ppt/presentation.xml" in names:
        raise UnreadableFile("Filen er en PowerPoint-presentasjon, ikke en trekkliste. " + RESAVE)
    raise UnreadableFile("Filen er en zip-fil, ikke et regneark. Pakk den ut og send selve listen.")


def _ole2_kind(data: bytes) -> str:
    # Stream names in the directory are UTF-16LE; the header sector is 512 bytes.
    body = data[512:]
    if "EncryptedPackage".encode("utf-16-le") in body:
        raise UnreadableFile("Regnearket er passordbeskyttet. Send det uten passord.")
    if "Workbook".encode("utf-16-le") in body or "Book".encode("utf-16-le") in body:
        return "xls"
    if "WordDocument".encode("utf-16-le") in body:
        raise UnreadableFile("Filen er et Word-dokument, ikke en trekkliste. " + RESAVE)
    raise UnreadableFile("Filen er en gammel Office-fil som ikke er et regneark. " + RESAVE)


def kind_of(data: bytes) -> str:
    """One of 'xlsx', 'xls', 'ods', 'pdf', 'text', or an UnreadableFile saying what it is instead."""
    head = data[:1024]
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(data)
    if head.startswith(OLE2_MAGIC):
        return _ole2_kind(data)
    # PDF readers accept the marker anywhere in the first kilobyte, after junk a mailer added.
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(head[:512]):
        return "text"
    lowered = head.lstrip().lower()
    if lowered.startswith(b"{\\rtf"):
        raise UnreadableFile("Filen er et RTF-dokument, ikke en trekkliste. " + RESAVE)
    if lowered.startswith((b"<!doctype html", b"<html", b"<table")) or b"<html" in lowered[:200]:
        raise UnreadableFile("Filen er en nettside (HTML), selv om navnet kan si noe annet. " + RESAVE)
    if lowered.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in data[:4096]:
        raise UnreadableFile("Filen er et XML-regneark fra Excel 2003, som vi ikke leser. " + RESAVE)
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        raise UnreadableFile("Filen er et bilde. Send listen som regneark eller tekst, eller som PDF med tekst.")
    if b"\x00" in data[:4096]:
        raise UnreadableFile("Filen er ikke et regneark, en tekstfil (csv/txt) eller en PDF. " + RESAVE)
    return "text"
