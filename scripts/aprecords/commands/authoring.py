"""``aprecords new``, ``review`` and ``retention``: argument parsing only; logic elsewhere."""

from __future__ import annotations

import argparse
import sys
from datetime import date

EXIT_OK = 0


def _iso_date(value: str) -> date:
    from aprecords.cli import iso_date

    return iso_date(value)


def run_new(args: argparse.Namespace) -> int:
    """Scaffold a placement record; ask for missing answers on a terminal."""
    from aprecords.authoring import NewPlacement, answer_checker, new_placement
    from aprecords.cli import resolve_root

    root = resolve_root(args.root)
    answers = NewPlacement(
        school=args.school,
        providers=[p.strip() for item in args.provider or [] for p in item.split(",") if p.strip()],
        pupil=args.pupil,
        year=args.year,
        requested_start=args.requested_start,
        completed_by=args.completed_by,
        completed_by_email=args.completed_by_email,
        ehcp=args.ehcp,
    )
    if answers.missing() and sys.stdin.isatty():
        answers.ask(input, answer_checker(root))
    written = new_placement(root, answers, date.today())
    print(f"Wrote {written.path} (id {written.record_id}).")
    print("Next:")
    print(f"  1. Open {written.path} and replace every 'FILL IN: ...' with the answer;")
    print("     check the values that have a note beside them (sessions, hours, sites...).")
    print(f"  2. Run: aprecords validate {written.path}")
    print("     and fix what it reports (it lists each FILL IN still left).")
    print("  3. Commit the file on a new branch and open a pull request, for example:")
    print(f"       git switch -c {written.record_id}")
    print(f"       git add {written.path}")
    print(f'       git commit -m "New placement {written.record_id}"')
    print("       git push -u origin HEAD")
    return EXIT_OK


def run_review(args: argparse.Namespace) -> int:
    """Append a review to a placement record."""
    from aprecords.authoring import add_review
    from aprecords.cli import resolve_root

    root = resolve_root(args.root)
    when = args.date or date.today()
    written = add_review(root, args.record_id, when, args.staff)
    if written.message:
        print(f"{written.path}: {written.message}")
        if not written.changed:
            return EXIT_OK
    else:
        print(f"Added a review dated {when} at the end of {written.path}.")
    print("Next:")
    print("  1. Replace every 'FILL IN: ...' in the new review, set each target's status, and")
    print("     change, close or add targets as agreed at the meeting.")
    print(f"  2. Run: aprecords validate {written.path}")
    print("  3. Commit it on a new branch and open a pull request.")
    return EXIT_OK


def run_retention(args: argparse.Namespace) -> int:
    """List placement records past their retention period."""
    from aprecords import retention
    from aprecords.cli import resolve_root
    from aprecords.repository import load_repository

    repo = load_repository(resolve_root(args.root))
    today = args.today or date.today()
    years = repo.config.retention_years
    records = [(r.path, r.data) for r in repo.records if r.kind == "placement"]
    print(retention.render(retention.expired(records, years, today), years, today, args.format))
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``new``, ``review`` and ``retention``."""
    p = sub.add_parser(
        "new",
        help="start a new placement record (never overwrites)",
        description="Write records/placements/<school>/<id>.yaml with the "
        "answers given and 'FILL IN' places for the rest. Missing answers are "
        "asked for on a terminal; otherwise they are an error.",
    )
    p.add_argument("--school", metavar="ID", help="the referring school's id")
    p.add_argument(
        "--provider",
        metavar="ID",
        action="append",
        help="a provider's id (repeat for each provider)",
    )
    p.add_argument("--pupil", metavar="NAME", help="the pupil's full name")
    p.add_argument("--year", type=int, metavar="N", help="year group, 7 to 13")
    p.add_argument(
        "--requested-start", type=_iso_date, metavar="DATE", help="requested start date, YYYY-MM-DD"
    )
    p.add_argument("--completed-by", metavar="NAME", help="your name")
    p.add_argument("--completed-by-email", metavar="EMAIL", help="your work email")
    p.add_argument(
        "--ehcp",
        action=argparse.BooleanOptionalAction,
        help="the pupil has an EHCP (--no-ehcp: does not)",
    )
    p.set_defaults(run=run_new)

    p = sub.add_parser(
        "review",
        help="add a review to a placement record (only appends)",
        description="Append one review at the end of the record's reviews, with "
        "a progress entry per current target and the targets carried on. Every "
        "existing line stays exactly as it was.",
    )
    p.add_argument(
        "record_id", metavar="RECORD-ID", help="the record's id, e.g. hollybrook-2025-001"
    )
    p.add_argument(
        "--date", type=_iso_date, metavar="DATE", help="the review meeting's date (default: today)"
    )
    p.add_argument(
        "--staff",
        metavar="NAME",
        help="who completes the next review (default: as agreed last time)",
    )
    p.set_defaults(run=run_review)

    p = sub.add_parser(
        "retention",
        help="list placement records past their retention period",
        description="Records whose placement ended more than retention_years "
        "(aprecords.yml) ago, oldest first, so deletion can be proposed "
        "deliberately.",
    )
    p.add_argument("--today", type=_iso_date, metavar="DATE", help="judge as of this date")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run_retention)
