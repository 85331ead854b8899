"""The command line: parse arguments, call one function, print. Nothing else lives here."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from aprecords.commands import REGISTRATIONS
from aprecords.config import CONFIG_FILE, ConfigError, find_root
from aprecords.errors import UsageError
from aprecords.load import LoadError
from aprecords.schemas import SchemaError
from aprecords.workers import WorkerError

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def iso_date(value: str) -> date:
    """argparse type for --today and other dates."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date in YYYY-MM-DD form") from None


def resolve_root(arg: str | None) -> Path:
    """--root, or the nearest folder upward holding aprecords.yml."""
    if arg is not None:
        root = Path(arg)
        if not (root / CONFIG_FILE).is_file():
            raise UsageError(f"{root}: no {CONFIG_FILE} there; is --root the records repository?")
        return root.resolve()
    found = find_root(Path.cwd())
    if found is None:
        raise UsageError(
            f"no {CONFIG_FILE} here or in any folder above; run inside a records "
            "repository or pass --root DIR"
        )
    return found


def cmd_validate(args: argparse.Namespace) -> int:
    """aprecords validate: report findings; exit 1 when any is an error."""
    from aprecords.findings import has_errors
    from aprecords.report import render, summary
    from aprecords.repository import load_repository, relative
    from aprecords.validate import validate

    root = resolve_root(args.root)
    paths = None
    folders: list[str] = []
    if args.paths:
        paths = set()
        for name in args.paths:
            file = Path(name)
            if not file.exists() and not file.is_symlink():
                raise UsageError(f"{name}: no such file")
            # A link is judged by where it is (a link under records/ is a finding).
            if not (file.parent.resolve() / file.name).is_relative_to(root):
                raise UsageError(f"{name}: outside the records repository {root}")
            rel = relative(root, file)
            paths.add(rel)
            if file.is_dir() and not file.is_symlink():
                folders.append("" if rel == "." else rel.rstrip("/") + "/")
    repo = load_repository(root, workers=None)
    if paths is not None and folders:  # everything found under a folder given, links included
        known = {r.path for r in repo.records} | {f.path for f in repo.load_findings}
        paths.update(p for p in known if p.startswith(tuple(folders)))
    findings = validate(repo, args.today or date.today(), paths, workers=None)
    if args.base:
        from aprecords.validate.history import check_history

        findings = sorted(
            set(findings) | set(check_history(repo, args.base, paths, args.today or date.today())),
            key=lambda f: (f.path, f.line, f.column, f.rule),
        )
    if paths is None:
        records = repo.files
    else:  # only record files count, not aprecords.yml or a README given by a CI script
        found = {r.path for r in repo.records} | {f.path for f in repo.load_findings}
        records = len(paths & found)
    out = render(findings, records, args.format)
    if out:
        print(out)
    if args.format == "text":
        print(summary(findings, records), file=sys.stderr)
    return EXIT_INVALID if has_errors(findings) else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """All commands and their options."""
    parser = argparse.ArgumentParser(
        prog="aprecords",
        description="Keep, check and publish alternative-provision commissioning agreements.",
    )
    parser.add_argument(
        "--root",
        metavar="DIR",
        help=f"the records repository (default: nearest folder with {CONFIG_FILE})",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("validate", help="check records against the schema and the rules")
    p.add_argument("paths", nargs="*", metavar="PATH", help="only report on these files or folders")
    p.add_argument("--format", choices=("text", "json", "github"), default="text")
    p.add_argument("--today", type=iso_date, help="judge overdue reviews as of this date")
    p.add_argument(
        "--base", metavar="REV", help="also apply the history rules against this git revision"
    )
    p.set_defaults(run=cmd_validate)

    for register in REGISTRATIONS:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: returns the exit code. Bad input never produces a traceback."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (UsageError, ConfigError, SchemaError, WorkerError) as exc:
        print(f"aprecords: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except LoadError as exc:
        print(f"aprecords: {exc.message} (line {exc.line}, column {exc.column})", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader stopped early (`aprecords validate | head`): end quietly, and keep
        # Python from complaining again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_INVALID
