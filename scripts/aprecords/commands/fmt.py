"""``aprecords fmt``: argument parsing and printing only; the work is in ``formatting.py``."""

from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def run_fmt(args: argparse.Namespace) -> int:
    """Rewrite records in the canonical layout, or (--check) report those that are not."""
    from aprecords.cli import resolve_root
    from aprecords.errors import UsageError
    from aprecords.formatting import fmt
    from aprecords.report import render
    from aprecords.writes import WriteFailed

    root = resolve_root(args.root)
    try:
        outcome = fmt(root, args.paths, args.check)
    except WriteFailed as exc:
        raise UsageError(exc.message) from None
    out = render(outcome.findings, outcome.files, args.format)
    if out:
        print(out)
    if args.format != "text":
        return EXIT_INVALID if outcome.findings else EXIT_OK
    if not args.check:
        for path in outcome.changed:
            print(f"formatted {path}")
    loaded = sum(f.rule != "fmt" for f in outcome.findings)
    done = (
        f"{len(outcome.changed)} not in the canonical layout"
        if args.check
        else f"{len(outcome.changed)} formatted"
    )
    print(
        f"{outcome.files} records: {done}"
        + (f", {loaded} could not be read (fix them first)" if loaded else ""),
        file=sys.stderr,
    )
    return EXIT_INVALID if outcome.findings else EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``fmt``."""
    p = sub.add_parser(
        "fmt",
        help="put records in the canonical layout (what the web form writes)",
        description="Rewrite record files in the one canonical layout: keys in the "
        "schema's order, block lists, quoting and text blocks as the web form writes them. "
        "Values and comments are kept; files already in that layout are not touched.",
    )
    p.add_argument(
        "paths", nargs="*", metavar="PATH", help="only these files or folders (default: records/)"
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="write nothing; report each file not in the canonical layout (exit 1)",
    )
    p.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="how findings are printed, as for validate (github: annotations)",
    )
    p.set_defaults(run=run_fmt)
