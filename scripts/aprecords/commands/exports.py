"""``aprecords export la-notifications`` and ``aprecords export register``: keying sheets
for the local authority and for a school's attendance register."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path

from aprecords.errors import UsageError
from aprecords.repository import Repository

EXIT_OK, EXIT_INVALID = 0, 1


def checked_repository(root_arg: str | None) -> Repository | None:
    """The repository, or None after listing its schema errors (an export needs whole rows)."""
    from aprecords.cli import resolve_root
    from aprecords.report import one_line
    from aprecords.repository import load_repository
    from aprecords.validate import check_schemas

    repo = load_repository(resolve_root(root_arg))
    broken = [f for f in repo.load_findings + check_schemas(repo) if f.severity == "error"]
    if not broken:
        return repo
    for f in broken:
        print(
            one_line(f"{f.path}:{f.line}:{f.column}: error: {f.message} [{f.rule}]"),
            file=sys.stderr,
        )
    print(
        "aprecords: the records above have errors; fix them (aprecords validate) before exporting",
        file=sys.stderr,
    )
    return None


def emit(text: str, out: str | None, summary: str) -> None:
    """Print the CSV, or write it to a new file (never overwritten); the summary to stderr."""
    from aprecords.commands.attendance import write_new

    if out is None:
        sys.stdout.write(text)
        print(summary, file=sys.stderr)
    else:
        write_new(Path(out), text)
        print(f"{summary} written to {out}", file=sys.stderr)


def run_la(args: argparse.Namespace) -> int:
    """The placements at non-school providers of one local authority's schools."""
    from aprecords.csvout import csv_text
    from aprecords.lanotify import COLUMNS, la_codes, notifications

    repo = checked_repository(args.root)
    if repo is None:
        return EXIT_INVALID
    known = la_codes(repo)
    if args.la not in known:
        raise UsageError(
            f"--la {args.la}: no school of that local authority (the first 3 digits of a "
            f"school's laestab); the schools' authorities are {', '.join(known) or 'none'}"
        )
    rows = notifications(repo, args.la, args.today or date.today())
    emit(
        csv_text(COLUMNS, rows),
        args.out,
        f"{len(rows)} placement(s) at non-school providers for local authority {args.la}",
    )
    return EXIT_OK


def run_register(args: argparse.Namespace) -> int:
    """One school's keying sheet for its own register, for one week."""
    from aprecords.attendance.keying import COLUMNS, register_rows
    from aprecords.csvout import csv_text

    week = args.week
    if week.weekday() != 0:
        monday = week - timedelta(days=week.weekday())
        raise UsageError(f"--week {week}: give the Monday of the week ({monday})")
    repo = checked_repository(args.root)
    if repo is None:
        return EXIT_INVALID
    if args.school not in repo.schools:
        raise UsageError(f"--school {args.school}: no such school in records/schools/")
    rows = register_rows(repo, args.school, week)
    chase = sum(1 for r in rows if r["note"])
    emit(
        csv_text(COLUMNS, rows),
        args.out,
        f"{len(rows)} session(s) at providers for {args.school}, week of {week}"
        + (f"; {chase} without a provider's mark (see the note column)" if chase else ""),
    )
    return EXIT_OK


def add_exports(sub: argparse._SubParsersAction) -> None:
    """Add the exports of this module to ``aprecords export``."""
    from aprecords.cli import iso_date

    q = sub.add_parser(
        "la-notifications",
        help="placements at non-school providers, for one local authority",
        description="One row per non-school (unregistered) provider of each open or planned "
        "placement of the local authority's schools, and of each ended one whose end the LA "
        "has not been told (columns in docs/guide.md). Writes to standard output unless "
        "--out is given.",
    )
    q.add_argument("--la", required=True, metavar="CODE", help="the LA's 3-digit code")
    q.add_argument("--today", type=iso_date, help="the date that decides what is open")
    q.add_argument("--out", metavar="FILE", help="write to this new file (never overwritten)")
    q.set_defaults(run=run_la)

    q = sub.add_parser(
        "register",
        help="the codes a school keys into its register for its pupils' AP sessions",
        description="Per pupil of the school and timetabled session at a provider in the week: "
        "the provider's mark and the code the school records (B for attendance at "
        "school-arranged AP, K for LA-arranged, the absence code otherwise; see "
        "docs/attendance.md). Writes to standard output unless --out is given.",
    )
    q.add_argument("--school", required=True, metavar="ID", help="the school's id")
    q.add_argument("--week", required=True, type=iso_date, metavar="YYYY-MM-DD", help="the Monday")
    q.add_argument("--out", metavar="FILE", help="write to this new file (never overwritten)")
    q.set_defaults(run=run_register)
