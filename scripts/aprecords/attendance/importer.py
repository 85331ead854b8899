"""``aprecords attendance import``: weekly marks from a CSV file into the attendance records.

The CSV layout (header required, one row per pupil and week)::

    pupil,week_commencing,mon_am,mon_pm,tue_am,tue_pm,wed_am,wed_pm,thu_am,thu_pm,fri_am,fri_pm

``pupil`` is the placement's record id or the pupil's UPN; ``week_commencing`` is the
Monday as YYYY-MM-DD (or DD/MM/YYYY); an empty mark means no session (``-``).

The whole file is checked before anything is written, and then every changed file is
written or none is (``aprecords.writes``). A week already recorded with the same marks is
left alone; sessions recorded as ``-`` may be filled in; a session whose mark differs from
the one recorded is an error unless ``replace`` is given.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from aprecords import model
from aprecords.attendance import fileformat, sheets
from aprecords.attendance.codes import BY_MARK, NO_SESSION, SESSION_KEYS, SESSION_NAMES
from aprecords.attendance.csvlayout import Layout, layout, parse_week
from aprecords.attendance.register import session_day
from aprecords.load import LoadError, decode, load_file, load_text
from aprecords.report import one_line
from aprecords.repository import Record, Repository
from aprecords.validate import check_schemas
from aprecords.writes import Change, write_all

HEADER = ("pupil", "week_commencing", *SESSION_KEYS)
FOLDER = "records/attendance"
_UPN = re.compile(r"^[A-Z][0-9]{11}[0-9A-Z]$")


@dataclass(frozen=True, order=True)
class Problem:
    """Something wrong with the CSV (or the records it meets), at a row and column."""

    row: int
    column: int
    message: str
    path: str | None = None  # set when the problem is in a record file, not in the CSV

    def text(self, csv_name: str) -> str:
        """``file:row:column: error: message``, as editors and CI logs link it (control and
        invisible characters echoed from the CSV or a record shown escaped)."""
        return one_line(f"{self.path or csv_name}:{self.row}:{self.column}: error: {self.message}")


class ImportFailed(Exception):
    """The file cannot be imported; nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = sorted(problems)


@dataclass(frozen=True)
class Row:
    """One checked CSV row: where it is, whose week it is, and its ten marks."""

    number: int
    pupil: str
    week: date
    marks: tuple[str, ...]
    pupil_column: int = 1


@dataclass
class Summary:
    """What an import did (or would do)."""

    rows: int = 0
    added: int = 0
    unchanged: int = 0
    completed: int = 0
    replaced: int = 0
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        """One line for the user."""
        written = ", ".join(self.files) if self.files else "no file changed"
        return (
            f"{self.rows} row{'s' * (self.rows != 1)}: {self.added} "
            f"week{'s' * (self.added != 1)} added, {self.unchanged} unchanged, "
            f"{self.completed} completed (blank sessions filled), {self.replaced} replaced; "
            f"{written}"
        )


def read_rows(raw: bytes) -> tuple[list[Row], list[Problem], list[str]]:
    """Parse and check the CSV's shape, dates and codes (nothing about the records yet);
    also return notes for the user (the encoding used, columns left out)."""
    notes: list[str] = []
    try:
        text, notes = sheets.text_of(raw)
    except sheets.Unreadable as exc:
        return [], [Problem(1, 1, exc.message)], notes
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        message = "the file is neither UTF-8 nor Windows-1252 text; save it as 'CSV UTF-8'"
        return [], [Problem(line, 1, message)], notes
    separator = sheets.delimiter(text)
    if separator != ",":
        notes.append(f"the columns are separated by {sheets.DELIMITERS[separator]}")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    rows: list[Row] = []
    problems: list[Problem] = []
    try:
        header = next(reader, None)
        if header is None:
            return (
                [],
                [Problem(1, 1, "the file is empty; it needs the header row and data rows")],
                notes,
            )
        found = layout(header)
        if found.problems:
            accepted = f"the first row names the columns, for example: {','.join(HEADER)}"
            return [], [Problem(1, c, f"{m}; {accepted}") for c, m in found.problems], notes
        if found.ignored:
            notes.append(
                "columns not imported (for the reader of the sheet only): "
                + ", ".join(f"'{h}'" for _, h in found.ignored)
            )
        for cells in reader:
            number = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            row, wrong = _check_row(number, cells, found)
            problems.extend(wrong)
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        problems.append(Problem(reader.line_num, 1, f"not readable as CSV: {exc}"))
    return rows, problems, notes


def _check_row(number: int, cells: list[str], found: Layout) -> tuple[Row | None, list[Problem]]:
    if len(cells) < found.width:
        return None, [
            Problem(
                number,
                len(cells) + 1,
                f"this row has {len(cells)} columns but the header has {found.width}; "
                "each row needs the pupil, the week and ten marks",
            )
        ]
    assert found.pupil is not None and found.week is not None
    problems: list[Problem] = []
    pupil = " ".join(cells[found.pupil].split())
    if not pupil:
        problems.append(
            Problem(number, found.pupil + 1, "the pupil is empty; write the record id or the UPN")
        )
    raw_week = cells[found.week].strip()
    week = parse_week(raw_week)
    if week is None:
        problems.append(
            Problem(
                number,
                found.week + 1,
                f"'{cells[found.week]}' is not a date; write the Monday as YYYY-MM-DD "
                "(or DD/MM/YYYY)",
            )
        )
    elif week.weekday() != 0:
        monday = week - timedelta(days=week.weekday())
        problems.append(
            Problem(
                number,
                found.week + 1,
                f"{week} is a {week:%A}; week_commencing is the Monday, {monday}",
            )
        )
    marks: list[str] = []
    for session in range(10):
        column = found.sessions[session]
        cell = cells[column]
        mark = cell.strip().upper() or NO_SESSION
        if mark not in BY_MARK:
            problems.append(
                Problem(
                    number,
                    column + 1,
                    f"'{cell.strip()}' in {SESSION_KEYS[session]} is not an attendance code; "
                    "use a DfE code such as / \\ B I N, or leave it empty for no session",
                )
            )
        marks.append(mark)
    if problems or week is None:
        return None, problems
    return Row(number, pupil, week, tuple(marks), found.pupil + 1), []


def _covers(data: dict[str, Any], week: date) -> bool:
    start = model.parse_date(data.get("actual_start"))
    ended = model.parse_date((data.get("ended") or {}).get("date"))
    return start is not None and start <= week + timedelta(days=4) and (not ended or ended >= week)


@dataclass(frozen=True)
class Pupils:
    """The placements a CSV row can name: by record id and by UPN (built once per import)."""

    by_id: dict[str, Record]
    by_upn: dict[str, list[Record]]
    broken: dict[str, str]  # id -> path of placements that fail the schema
    by_name: dict[str, list[Record]] = field(default_factory=dict)  # folded name -> records

    @classmethod
    def of(cls, repo: Repository) -> Pupils:
        """Index the repository's schema-valid placements (checking the schema here)."""
        check_schemas(repo)
        by_id = repo.placements
        by_upn: dict[str, list[Record]] = {}
        for record in by_id.values():
            upn = (record.data.get("student") or {}).get("upn")
            if isinstance(upn, str):
                by_upn.setdefault(upn, []).append(record)
        broken = {
            r.id: r.path for r in repo.records if r.kind == "placement" and not r.valid and r.id
        }
        by_name: dict[str, list[Record]] = {}
        for record in by_id.values():
            name = (record.data.get("student") or {}).get("name")
            if isinstance(name, str):
                by_name.setdefault(_fold(name), []).append(record)
        return cls(by_id, by_upn, broken, by_name)


def _fold(name: str) -> str:
    """A name compared regardless of case and spacing."""
    return " ".join(name.casefold().split())


def _by_week(
    row: Row, theirs: list[Record], who: str, instead: str
) -> tuple[Record | None, Problem | None]:
    """The one placement of ``theirs`` running in the row's week, or why there is none."""
    running = [r for r in theirs if _covers(r.data, row.week)]
    if len(running) == 1:
        return running[0], None
    ids = ", ".join(r.id for r in (running or theirs))
    if running:
        message = (
            f"{who} has more than one placement in the week of {row.week} ({ids}); "
            f"write the record id instead of the {instead}"
        )
    else:
        message = (
            f"{who} has no placement running in the week of {row.week} (their placements: "
            f"{ids}); check the week or the placement's dates"
        )
    return None, Problem(row.number, row.pupil_column, message)


def resolve(pupils: Pupils, row: Row) -> tuple[Record | None, Problem | None]:
    """The placement a row is for: by record id, or by UPN or exact name and the week."""
    if row.pupil in pupils.by_id:
        return pupils.by_id[row.pupil], None
    if row.pupil in pupils.broken:
        return None, Problem(
            row.number,
            row.pupil_column,
            f"the agreement {pupils.broken[row.pupil]} has errors; run aprecords validate and "
            "fix them before importing its attendance",
        )
    upn = row.pupil.upper()
    if _UPN.match(upn) and pupils.by_upn.get(upn):
        return _by_week(row, pupils.by_upn[upn], f"pupil {upn}", "UPN")
    named = pupils.by_name.get(_fold(row.pupil))
    if named:
        if len(named) > 1 and len({r.data["student"].get("upn") for r in named}) > 1:
            ids = ", ".join(r.id for r in named)
            return None, Problem(
                row.number,
                row.pupil_column,
                f"more than one pupil is called '{row.pupil}' ({ids}); write the record id "
                "or the UPN instead of the name",
            )
        return _by_week(row, named, f"'{row.pupil}'", "name")
    close = difflib.get_close_matches(_fold(row.pupil), [*pupils.by_name, *pupils.by_id], n=3)
    hint = (
        "; did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
        if close
        else "; check it, or add the placement's record first"
    )
    return None, Problem(
        row.number,
        row.pupil_column,
        f"unknown pupil '{row.pupil}': no placement has this record id, UPN or pupil name{hint}",
    )


def _row_against_placement(row: Row, placement: Record) -> list[Problem]:
    """Marks outside the placement's dates, and K for a school-arranged placement."""
    data = placement.data
    start = model.parse_date(data.get("actual_start"))
    ended = model.parse_date((data.get("ended") or {}).get("date"))
    la = any(p.get("arranged_by") == "local-authority" for p in data["placements"])
    problems: list[Problem] = []
    for i, mark in enumerate(row.marks):
        if mark == NO_SESSION:
            continue
        day, where = session_day(row.week, i), f"{SESSION_NAMES[i]} ({HEADER[i + 2]})"
        if start is None or day < start:
            began = f"started on {start}" if start else "has no actual_start yet"
            problems.append(
                Problem(row.number, i + 3, f"{where} {day} has a mark but {placement.id} {began}")
            )
        elif ended is not None and day > ended:
            problems.append(
                Problem(row.number, i + 3, f"{where} {day} is after {placement.id} ended ({ended})")
            )
        if mark == "K" and not la:
            problems.append(
                Problem(
                    row.number,
                    i + 3,
                    f"{where}: K is for provision arranged by the local authority; "
                    f"{placement.id} is arranged by the school, so use B",
                )
            )
    return problems


def _existing(repo: Repository, pid: str) -> tuple[Path, str | None, dict[date, tuple[str, ...]]]:
    """The attendance file of a placement: path, text (None if absent) and weeks."""
    file = repo.root / FOLDER / f"{pid}.yaml"
    rel = f"{FOLDER}/{file.name}"
    for link in (file.parent, file):
        if link.is_symlink():  # never read or written through a link
            where = f"{FOLDER}" if link == file.parent else rel
            message = (
                f"{where} is a link (symlink); attendance is kept in plain files and "
                "folders, so replace the link by what it points to (aprecords validate "
                "reports it too)"
            )
            raise ImportFailed([Problem(1, 1, message, where)])
    if not file.exists():
        return file, None, {}
    try:
        doc = load_file(file, rel, repo.config.max_file_bytes)
    except LoadError as exc:
        problem = Problem(exc.line, exc.column, f"{exc.message}; fix it first", rel)
        raise ImportFailed([problem]) from None
    findings = repo.schemas.check("attendance", doc)
    if findings:
        first = findings[0]
        raise ImportFailed(
            [
                Problem(
                    first.line,
                    first.column,
                    f"{first.message}; fix the file first (aprecords validate lists every problem)",
                    rel,
                )
            ]
        )
    weeks: dict[date, tuple[str, ...]] = {}
    for i, entry in enumerate(doc.data["weeks"]):
        when = date.fromisoformat(entry["week"])
        if when in weeks:  # merging would drop one of the two entries: refuse
            line, column = doc.locate(f"/weeks/{i}/week")
            message = f"the week of {when} is listed twice; merge the two entries first"
            raise ImportFailed([Problem(line, column, message, rel)])
        weeks[when] = tuple(entry["marks"])
    return file, doc.text, weeks


@dataclass
class Plan:
    """New text for each attendance file that changes, and the summary."""

    texts: dict[Path, str] = field(default_factory=dict)
    old: dict[Path, str | None] = field(default_factory=dict)
    summary: Summary = field(default_factory=Summary)


def plan_import(repo: Repository, raw: bytes, replace: bool = False) -> Plan:
    """Check the whole CSV against the records; raise ImportFailed or return what to write."""
    rows, problems, notes = read_rows(raw)
    plan = Plan()
    plan.summary.notes = notes
    plan.summary.rows = len(rows)
    per_placement: dict[str, dict[date, Row]] = {}
    pupils = Pupils.of(repo)
    unmarked = 0
    for row in rows:
        placement, problem = resolve(pupils, row)
        if problem is not None or placement is None:
            problems.append(problem or Problem(row.number, 1, "unknown pupil"))
            continue
        if all(mark == NO_SESSION for mark in row.marks):
            unmarked += 1  # a week nobody has marked yet (a template row): nothing to add
            continue
        found = _row_against_placement(row, placement)
        problems.extend(found)
        weeks = per_placement.setdefault(placement.id, {})
        earlier = weeks.get(row.week)
        if earlier is not None and earlier.marks != row.marks:
            problems.append(
                Problem(
                    row.number,
                    2,
                    f"row {earlier.number} already gives other marks for {placement.id} in the "
                    f"week of {row.week}; keep one of the two rows",
                )
            )
        elif not found:
            weeks.setdefault(row.week, row)
    if problems:
        raise ImportFailed(problems)
    if unmarked:
        plan.summary.notes.append(
            f"{unmarked} row{'s' * (unmarked != 1)} with no mark at all skipped "
            "(weeks not marked yet)"
        )
    for pid, weeks in sorted(per_placement.items()):
        file, text, current = _existing(repo, pid)
        changes: dict[date, tuple[str, ...]] = {}
        for when, row in sorted(weeks.items()):
            merged, outcome = _merge(current.get(when), row, replace, problems)
            setattr(plan.summary, outcome, getattr(plan.summary, outcome) + 1)
            if merged is not None:
                changes[when] = merged
        if changes:
            schema = repo.schemas.resolved("attendance")
            if text is None:
                new = fileformat.new_file(pid, changes, schema)
            else:
                new = fileformat.apply(text, changes, schema)
            _check_written(repo, file, new)
            plan.texts[file] = new
            plan.old[file] = text
            plan.summary.files.append(f"{FOLDER}/{file.name}")
    if problems:
        raise ImportFailed(problems)
    return plan


def _merge(
    recorded: tuple[str, ...] | None, row: Row, replace: bool, problems: list[Problem]
) -> tuple[tuple[str, ...] | None, str]:
    """The week's new marks (None: unchanged) and which summary count it adds to."""
    if recorded is None:
        return row.marks, "added"
    if recorded == row.marks:
        return None, "unchanged"
    merged = list(recorded)
    conflict = False
    for i, (old, new) in enumerate(zip(recorded, row.marks, strict=True)):
        if old == new:
            continue
        if old == NO_SESSION or replace:
            conflict = conflict or old != NO_SESSION
            merged[i] = new
            continue
        conflict = True
        problems.append(
            Problem(
                row.number,
                i + 3,
                f"{SESSION_NAMES[i]} of the week of {row.week}: this row says "
                f"'{new if new != NO_SESSION else 'no session'}' but '{old}' is already "
                "recorded; correct the row, or run again with --replace if the CSV is right",
            )
        )
    if tuple(merged) == recorded:
        return None, "unchanged"
    return tuple(merged), "replaced" if conflict else "completed"


def _check_written(repo: Repository, file: Path, text: str) -> None:
    """A safety net: what would be written must load and pass the schema."""
    doc = load_text(decode(text.encode("utf-8")), f"{FOLDER}/{file.name}")
    findings = repo.schemas.check("attendance", doc)
    if findings:  # pragma: no cover - would be a bug in fileformat
        raise RuntimeError(f"import would write an invalid {file.name}: {findings[0].message}")


def import_csv(repo: Repository, raw: bytes, replace: bool = False) -> Summary:
    """Check everything, then write every changed attendance file or none; return the summary.

    Raises ImportFailed for problems in the CSV or the records, and ``writes.WriteFailed``
    (nothing written) when a file cannot be written.
    """
    plan = plan_import(repo, raw, replace)
    write_all(
        [
            Change(file, plan.old.get(file), text, f"{FOLDER}/{file.name}")
            for file, text in plan.texts.items()
        ]
    )
    return plan.summary
