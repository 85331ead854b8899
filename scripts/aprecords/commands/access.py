"""``aprecords audiences``: who the sites are for, which records and classes each one sees."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

EXIT_OK = 0


def audience_rows(root: Path) -> list[dict[str, object]]:
    """One mapping per audience: name, title, kind, folder, classes, and its records."""
    from aprecords.access import checked_audiences
    from aprecords.repository import load_repository
    from aprecords.scope import scope

    repo = load_repository(root)
    rows = []
    for audience in checked_audiences(repo):
        scoped = scope(repo, audience)
        rows.append(
            {
                "name": audience.name,
                "title": audience.title,
                "kind": audience.kind,
                "folder": f"{audience.name}/",
                "classes": sorted(audience.grants),
                "withheld_classes": sorted(set(scoped.classes.values())),
                "schools": sorted(scoped.schools),
                "records": {"count": len(scoped.placements), "ids": sorted(scoped.placements)},
            }
        )
    return rows


def run_audiences(args: argparse.Namespace) -> int:
    """Print the audiences as text or JSON."""
    from aprecords.cli import resolve_root

    rows = audience_rows(resolve_root(args.root))
    if args.format == "json":
        print(json.dumps({"audiences": rows}, indent=2, ensure_ascii=False))
        return EXIT_OK
    for row in rows:
        records: dict = row["records"]  # type: ignore[assignment]
        classes: list[str] = row["classes"]  # type: ignore[assignment]
        withheld: list[str] = row["withheld_classes"]  # type: ignore[assignment]
        print(f"{row['name']}  ({row['kind']}: {row['title']})")
        print(f"  folder:   {row['folder']}")
        print(f"  classes:  {', '.join(classes) or 'none'}")
        if withheld:
            print(f"  withheld: {', '.join(withheld)}")
        print(f"  records:  {records['count']}")
        for rid in records["ids"]:
            print(f"    {rid}")
    return EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``audiences`` to the command line."""
    p = subparsers.add_parser(
        "audiences", help="list the audiences, the records and sensitivity classes each sees"
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run_audiences)
