"""``aprecords attendance import`` and ``aprecords export census``."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

from aprecords.errors import UsageError

EXIT_OK, EXIT_INVALID = 0, 1


def run_import(args: argparse.Namespace) -> int:
    """Check the whole CSV, then write; problems are listed and nothing is written."""
    from aprecords.attendance.importer import ImportFailed, import_csv
    from aprecords.cli import resolve_root
    from aprecords.report import one_line
    from aprecords.repository import load_repository
    from aprecords.writes import WriteFailed

    root = resolve_root(args.root)
    repo = load_repository(root)
    raw = read_import(Path(args.file), import_limit(repo.config.data))
    try:
        summary = import_csv(repo, raw, replace=args.replace)
    except ImportFailed as failed:
        for problem in failed.problems:
            print(problem.text(args.file), file=sys.stderr)
        print(
            one_line(f"{len(failed.problems)} problem(s) in {args.file}; nothing was written"),
            file=sys.stderr,
        )
        return EXIT_INVALID
    except WriteFailed as failed:
        print(f"aprecords: {one_line(failed.message)}", file=sys.stderr)
        return EXIT_INVALID
    for note in summary.notes:
        print(one_line(f"note: {note}"))
    print(summary.text())
    for warning in import_warnings(root, summary.files):
        print(warning)
    return EXIT_OK


DEFAULT_MAX_IMPORT_BYTES = 5_000_000
"""Largest file ``attendance import`` reads unless aprecords.yml says otherwise."""


def import_limit(config: dict) -> int:
    """``attendance.max_import_bytes`` of aprecords.yml, or the default."""
    value = (config.get("attendance") or {}).get("max_import_bytes")
    return value if isinstance(value, int) and value > 0 else DEFAULT_MAX_IMPORT_BYTES


def read_import(file: Path, limit: int) -> bytes:
    """The bytes of the file to import: its size is checked before anything is read, and no
    more than ``limit`` bytes are ever read (a file that grows, a pipe), so memory stays
    bounded; a folder, pipe or device is refused."""
    from aprecords.files import LoadError, read_limited
    from aprecords.report import one_line

    try:
        return read_limited(file, limit)
    except LoadError as exc:
        if exc.rule == "file-size":
            raise UsageError(
                f"{one_line(str(file))}: the file is over {limit:,} bytes, the most an import "
                "reads (attendance.max_import_bytes in aprecords.yml); nothing was read or "
                "written: split it into smaller files (a week or a provider each)"
            ) from None
        raise UsageError(f"{one_line(str(file))}: cannot read the file ({exc.message})") from None


def import_warnings(root: Path, files: list[str]) -> list[str]:
    """The validation warnings in the attendance files just written, shown at once rather
    than at the next ``aprecords validate`` (the marks are still in mind now)."""
    from aprecords.report import one_line
    from aprecords.repository import load_repository
    from aprecords.validate import validate

    if not files:
        return []
    found = validate(load_repository(root), date.today())
    written = set(files)
    return [
        one_line(f"{f.path}:{f.line}:{f.column}: {f.severity}: {f.message} [{f.rule}]")
        for f in found
        if f.path in written
    ]


def write_new(out: Path, text: str) -> None:
    """Write ``text`` to ``out`` atomically, refusing to replace a file that exists."""
    if out.exists():
        raise UsageError(f"{out}: the file exists; choose a new name (nothing was written)")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{out}: the folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.link(tmp, out)  # fails if the file appeared meanwhile: never overwrites
    except FileExistsError:
        raise UsageError(
            f"{out}: the file exists; choose a new name (nothing was written)"
        ) from None
    finally:
        Path(tmp).unlink(missing_ok=True)


def run_census(args: argparse.Namespace) -> int:
    """Print or write the census keying sheet; the MIS checks go to stderr as findings."""
    from aprecords.attendance.census import census
    from aprecords.attendance.censusdays import YearError, current, parse_year, year_label
    from aprecords.cli import resolve_root
    from aprecords.report import one_line
    from aprecords.repository import load_repository
    from aprecords.validate import check_schemas

    root = resolve_root(args.root)
    if (args.term is None) != (args.year is None):
        raise UsageError("give --term and --year together (or neither, for the next census)")
    repo = load_repository(root)
    if args.term:
        try:
            term, start = args.term, parse_year(args.year, args.term)
        except YearError as exc:
            raise UsageError(str(exc)) from None
    else:
        term, start = current(args.today or date.today(), repo.config.data)
    broken = [f for f in repo.load_findings + check_schemas(repo) if f.severity == "error"]
    if broken:
        for f in broken:
            print(
                one_line(f"{f.path}:{f.line}:{f.column}: error: {f.message} [{f.rule}]"),
                file=sys.stderr,
            )
        print(
            "aprecords: the records above have errors; fix them (aprecords validate) before "
            "exporting, so the census gets complete rows",
            file=sys.stderr,
        )
        return EXIT_INVALID
    if args.school is not None and args.school not in repo.schools:
        raise UsageError(f"--school {args.school}: no such school in records/schools/")
    export = census(repo, term, start, args.school)
    for f in export.findings:
        print(
            one_line(f"{f.path}:{f.line}:{f.column}: {f.severity}: {f.message} [{f.rule}]"),
            file=sys.stderr,
        )
    what = (
        f"{term} census {year_label(start)}, census day {export.census_day.isoformat()}, "
        f"placements open then or ended since {export.first_day.isoformat()}"
    )
    if export.findings:
        print(
            f"aprecords: {len(export.findings)} thing(s) above the MIS will reject; fix them "
            "before keying the rows",
            file=sys.stderr,
        )
    if args.out is None:
        sys.stdout.write(export.csv_text())
        print(f"{len(export.rows)} placements ({what})", file=sys.stderr)
    else:
        write_new(Path(args.out), export.csv_text())
        print(f"{len(export.rows)} placements ({what}) written to {args.out}", file=sys.stderr)
    return EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``attendance import`` and ``export census``."""
    from aprecords.attendance.censusdays import TERMS
    from aprecords.cli import iso_date
    from aprecords.commands.exports import add_exports

    p = subparsers.add_parser("attendance", help="import weekly attendance marks")
    sub = p.add_subparsers(dest="attendance_command", metavar="ACTION", required=True)
    q = sub.add_parser(
        "import",
        help="add weekly marks from a CSV file to records/attendance/",
        description="Read pupil,week_commencing,mon_am..fri_pm rows (see docs/attendance.md). "
        "The whole file is checked first; nothing is written if any row has a problem.",
    )
    q.add_argument("file", metavar="FILE.csv", help="the CSV file to import")
    q.add_argument(
        "--replace",
        action="store_true",
        help="let marks in the file replace different marks already recorded",
    )
    q.set_defaults(run=run_import)

    p = subparsers.add_parser("export", help="export records for other systems")
    sub = p.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    q = sub.add_parser(
        "census",
        help="the school-arranged placements a school census counts, as a keying sheet",
        description="One row per provider of each school-arranged placement open on the "
        "census day or ended since the previous one (columns in docs/attendance.md). Writes "
        "to standard output unless --out is given.",
    )
    q.add_argument("--term", choices=TERMS, help="the census term (default: the next census)")
    q.add_argument(
        "--year",
        metavar="YYYY/YY",
        help="the school year, e.g. 2025/26 (or the calendar year the census falls in)",
    )
    q.add_argument("--school", metavar="ID", help="only this school's placements")
    q.add_argument("--today", type=iso_date, help="the date that picks the next census")
    q.add_argument("--out", metavar="FILE", help="write to this new file (never overwritten)")
    q.set_defaults(run=run_census)
    add_exports(sub)
