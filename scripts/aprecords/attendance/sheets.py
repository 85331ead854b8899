"""What providers send: CSV however Excel saved it, or an Excel workbook, read as CSV text.

- an ``.xlsx`` workbook (a zip holding ``xl/workbook.xml``) is read with openpyxl: the first
  sheet, one CSV line per sheet row, so row numbers in messages are the sheet's; dates become
  ``YYYY-MM-DD`` and whole numbers lose their ``.0``;
- CSV text is UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark (Excel's
  "Unicode Text") or Windows-1252; its columns are separated by commas, semicolons (what Excel
  writes where the decimal separator is a comma) or tabs, whichever splits the header row into
  the most columns;
- anything else (an ``.xls`` or ``.ods`` file, a PDF, a Word document) gets one message saying
  how to save it so that it can be read.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, time

from aprecords.attendance.csvlayout import decode_csv

HOW_TO_SAVE = (
    "open it in Excel (or LibreOffice) and save it as 'CSV UTF-8 (Comma delimited) (*.csv)' "
    "or 'Excel Workbook (*.xlsx)', then import that file"
)
DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}


class Unreadable(Exception):
    """The file is not a table this command can read; ``message`` says how to save it."""

    def __init__(self, what: str) -> None:
        super().__init__(f"the file is {what}, which cannot be read as it is: {HOW_TO_SAVE}")
        self.message = str(self)


def _zip_kind(raw: bytes) -> str:
    """'xlsx', or raise Unreadable naming what the zip file is."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError):
        raise Unreadable("a damaged zip or spreadsheet file") from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if b"opendocument.spreadsheet" in mimetype:
        raise Unreadable("an OpenDocument spreadsheet (.ods)")
    if "word/document.xml" in names or b"opendocument.text" in mimetype:
        raise Unreadable("a word-processor document, not a spreadsheet")
    raise Unreadable("a zip archive, not a spreadsheet")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).splitlines())  # one sheet row stays one CSV line


def xlsx_text(raw: bytes) -> tuple[str, str]:
    """The first sheet of a workbook as comma-separated text, and a note saying so."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file it cannot open
        raise Unreadable("an Excel workbook that could not be opened") from None
    try:
        sheet = book.worksheets[0]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        width = 0  # a sheet leaves trailing cells empty: rows are as wide as the header
        for values in sheet.iter_rows(values_only=True):
            cells = [_cell(v) for v in values]
            while cells and not cells[-1].strip():
                cells.pop()
            width = width or len(cells)
            writer.writerow(cells + [""] * (width - len(cells)) if cells else [])
        others = [s.title for s in book.worksheets[1:]]
        title = sheet.title
    finally:
        book.close()
    note = f"read the Excel workbook's first sheet, '{title}'"
    if others:
        note += f" (not the other sheets: {', '.join(repr(t) for t in others)})"
    return out.getvalue(), note


def text_of(raw: bytes) -> tuple[str, list[str]]:
    """The file as CSV text, and notes for the user; Unreadable for what is not a table.

    Raises UnicodeDecodeError for text in no encoding it knows (see ``decode_csv``).
    """
    if raw.startswith(b"PK\x03\x04"):
        _zip_kind(raw)
        text, note = xlsx_text(raw)
        return text, [note]
    if raw.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise Unreadable("an Excel 97-2003 workbook (.xls) or another old Office file")
    if raw.startswith(b"%PDF"):
        raise Unreadable("a PDF")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), ["the file is UTF-16 text (Excel's 'Unicode Text')"]
    if b"\x00" in raw[:4096]:
        raise Unreadable("not text (it holds binary data)")
    text, note = decode_csv(raw)
    return text, [note] if note else []


def delimiter(text: str) -> str:
    """The column separator: the one of comma, semicolon and tab that splits the first
    non-empty line into the most columns (comma when none splits it)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    best, most = ",", 1
    for candidate in DELIMITERS:
        fields = next(csv.reader([first], delimiter=candidate), [])
        if len(fields) > most:
            best, most = candidate, len(fields)
    return best
