"""Imports accept what providers send: an Excel workbook, CSV separated by semicolons or tabs
(as Excel writes it in many locales, or as 'Unicode Text'), and one clear message otherwise.

Each file is written as the program that makes it would (openpyxl for the workbook, the
encodings and separators Excel uses), then imported through the command.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from aprecords.load import load_text
from conftest import REGISTER

ID = "hollybrook-2025-001"
ATT = f"records/attendance/{ID}.yaml"
HEADINGS = ["Pupil", "Name", "Week commencing", "Mon AM", "Mon PM", "Tue AM", "Tue PM",
            "Wed AM", "Wed PM", "Thu AM", "Thu PM", "Fri AM", "Fri PM"]  # fmt: skip
# hollybrook-2025-001 has Tuesday AM and PM and Thursday AM, from Tuesday 16 Sep 2025.
MARKS = [None, None, "/", "\\", None, None, "/", None, None, None]
EXPECTED = ["-", "-", "/", "\\", "-", "-", "/", "-", "-", "-"]


@pytest.fixture
def repo(repo: Path) -> Path:
    """The small repository without its attendance register: imports here start from none."""
    (repo / REGISTER).unlink()
    return repo


def weeks(root: Path) -> dict[str, list[str]]:
    data = load_text((root / ATT).read_text("utf-8"), "x").data
    return {w["week"]: w["marks"] for w in data["weeks"]}


def test_an_excel_workbook_is_read_directly(repo: Path, tmp_path: Path, run_cli) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Autumn"
    sheet.append(HEADINGS)
    # A date cell, as Excel stores a typed date, and a date typed as text.
    sheet.append([ID, "Tobias", datetime(2025, 9, 15), *MARKS])
    sheet.append([ID, "Tobias", "22/09/2025", None, None, "I", "I", None, None, "/"])
    book.create_sheet("Notes").append(["not imported"])
    file = tmp_path / "marks.xlsx"
    book.save(file)
    result = run_cli("--root", repo, "attendance", "import", file)
    assert result.code == 0, result.err
    assert "first sheet, 'Autumn'" in result.out and "'Notes'" in result.out
    assert weeks(repo) == {
        "2025-09-15": EXPECTED,
        "2025-09-22": ["-", "-", "I", "I", "-", "-", "/", "-", "-", "-"],
    }


def test_a_workbook_row_with_a_wrong_code_is_named_by_its_sheet_row(
    repo: Path, tmp_path: Path, run_cli
) -> None:
    book = Workbook()
    book.active.append(HEADINGS)
    book.active.append([ID, "Tobias", date(2025, 9, 15), None, None, "/", "?"])
    file = tmp_path / "marks.xlsx"
    book.save(file)
    result = run_cli("--root", repo, "attendance", "import", file)
    assert result.code == 1 and "Traceback" not in result.err
    # Row 2 of the sheet; Tue PM is its 7th column.
    assert f"{file}:2:7: error:" in result.err
    assert not (repo / ATT).exists()


@pytest.mark.parametrize(
    ("separator", "encoding", "words"),
    [
        (";", "cp1252", "semicolons"),  # Excel's CSV where the decimal separator is a comma
        (";", "utf-8-sig", "semicolons"),  # ... and its 'CSV UTF-8' there
        ("\t", "utf-16", "tabs"),  # Excel's 'Unicode Text'
    ],
)
def test_csv_separated_otherwise_than_by_commas_is_read(
    repo: Path, tmp_path: Path, run_cli, separator: str, encoding: str, words: str
) -> None:
    rows = [
        HEADINGS,
        [ID, "Tobias Ó Briain", "15/09/2025", *(m or "" for m in MARKS)],
    ]
    file = tmp_path / "marks.csv"
    file.write_bytes("".join(separator.join(r) + "\r\n" for r in rows).encode(encoding))
    result = run_cli("--root", repo, "attendance", "import", file)
    assert result.code == 0, result.err
    assert f"separated by {words}" in result.out
    assert weeks(repo) == {"2025-09-15": EXPECTED}


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "what"),
    [
        # The signature every Excel 97-2003 (.xls) file starts with.
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "Excel 97-2003 workbook (.xls)"),
        (
            _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
            "OpenDocument spreadsheet (.ods)",
        ),
        (_zip({"word/document.xml": b"<w/>"}), "word-processor document"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not text"),
    ],
)
def test_anything_else_gets_one_message_saying_how_to_save_it(
    repo: Path, tmp_path: Path, run_cli, content: bytes, what: str
) -> None:
    file = tmp_path / "marks.bin"
    file.write_bytes(content)
    result = run_cli("--root", repo, "attendance", "import", file)
    assert result.code == 1 and "Traceback" not in result.err
    errors = [line for line in result.err.splitlines() if ": error: " in line]
    assert len(errors) == 1, result.err
    assert what in errors[0] and "CSV UTF-8" in errors[0] and ".xlsx" in errors[0]
    assert not (repo / ATT).exists()
