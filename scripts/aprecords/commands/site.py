"""``aprecords build`` and ``aprecords serve``: the audience sites."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aprecords.access import Audience
    from aprecords.repository import Repository
    from aprecords.site.parallel import Outcome

EXIT_OK, EXIT_INVALID = 0, 1


def _audiences(names: list[str] | None, repo: Repository) -> list[Audience]:
    """Every audience (policy checked: exit 2 at its line), or the ones named."""
    from aprecords.access import checked_audiences, select

    return select(checked_audiences(repo), names)


def validated(root: Path, today: date) -> Repository | None:
    """Load and validate; print findings; return the repository, or None when invalid."""
    from aprecords.findings import has_errors
    from aprecords.report import render, summary
    from aprecords.repository import load_repository
    from aprecords.validate import validate

    repo = load_repository(root)
    findings = validate(repo, today)
    if has_errors(findings):
        print(render(findings, repo.files, "text"))
        print(summary(findings, repo.files), file=sys.stderr)
        print("aprecords: the site was not built; fix the errors above first", file=sys.stderr)
        return None
    if findings:
        print(render(findings, repo.files, "text"), file=sys.stderr)
    return repo


def cmd_build(args: argparse.Namespace) -> int:
    """Validate, then build the site of each audience into DIR/<audience>/."""
    from aprecords.access import checked_audiences
    from aprecords.cli import resolve_root
    from aprecords.guard.scan import LeakError
    from aprecords.guard.shared import HelpPageLeakError
    from aprecords.site import feeds, hosting
    from aprecords.site.cms import connect_origins
    from aprecords.site.parallel import Terminated, build_many, prune, script_hashes

    root = resolve_root(args.root)
    today = args.today or date.today()
    repo = validated(root, today)
    if repo is None:
        return EXIT_INVALID
    audiences = _audiences(args.audience, repo)
    everyone = checked_audiences(repo)
    server = hosting.checked(repo.config.data, everyone, root)
    site_dir = Path(args.site_dir) if args.site_dir else root / "site"
    _warn_without_cms(repo, audiences)
    try:
        outcomes = build_many(repo, audiences, site_dir, today, compress=args.compress)
    except HelpPageLeakError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    except Terminated as stop:
        print(
            "aprecords: stopped (SIGTERM): unfinished folders removed, the previous sites and "
            "configuration are unchanged",
            file=sys.stderr,
        )
        return int(stop.code or 143)
    failed = [o for o in outcomes if o.error]
    _print_warnings(outcomes, site_dir)
    for outcome in outcomes:
        if outcome.error:
            print(f"aprecords: {outcome.error}", file=sys.stderr)
        else:
            print(f"{'built' if outcome.built else 'unchanged'} {outcome.path}")
    if not args.audience:
        for name in prune(site_dir, [a.name for a in everyone]):
            print(f"removed {site_dir / name} (no such audience any more)")
    hashes = script_hashes(site_dir, [a.name for a in everyone])
    settings = repo.config.data.get("cms")
    has_form = (site_dir / "hub" / hosting.ADMIN / "index.html").is_file()
    origins = connect_origins(settings) if settings and has_form else None
    conf = hosting.write(server, everyone, site_dir, hashes, origins)
    print(f"web server configuration: {conf}")
    try:
        published = feeds.publish(repo, everyone, site_dir, today)
    except LeakError as exc:
        print(f"aprecords: {exc}\naprecords: that calendar was not published", file=sys.stderr)
        return EXIT_INVALID
    print(f"subscribable calendars: {len(published)} audience(s) with a secret address")
    return EXIT_INVALID if failed else EXIT_OK


def _warn_without_cms(repo: Repository, audiences: list[Audience]) -> None:
    """aprecords.yml asks for the web form but its pinned package is not installed: the hub's
    site is built without it (the records' site matters more), and this says how to add it."""
    from aprecords.site.build import node_modules, wants_cms

    if any(wants_cms(repo, a) for a in audiences) and node_modules(repo.root) is None:
        print(
            "aprecords: warning: the web form (/hub/admin/, `cms` in aprecords.yml) was left "
            f"out of the hub's site: its pinned package is not installed; run `npm ci` in "
            f"{repo.root} (Node.js) and build again",
            file=sys.stderr,
        )


SHOWN_WARNINGS = 30
"""At most this many leak-check warnings are printed; all are written beside the sites."""


def _print_warnings(outcomes: list[Outcome], site_dir: Path) -> None:
    """Each leak-check warning once, with the audiences it concerns (the first
    :data:`SHOWN_WARNINGS`; every one in ``DIR/.aprecords/warnings.txt``)."""
    import os
    import tempfile

    audiences: dict[str, list[str]] = {}
    for outcome in outcomes:
        for warning in outcome.warnings:
            audiences.setdefault(warning, []).append(outcome.audience)
    lines = [f"warning: {w} (audiences: {', '.join(names)})" for w, names in audiences.items()]
    for line in lines[:SHOWN_WARNINGS]:
        print(f"aprecords: {line}", file=sys.stderr)
    store = site_dir / ".aprecords"
    store.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=store, prefix=".warnings.")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.writelines(f"{line}\n" for line in lines)
    os.replace(tmp, store / "warnings.txt")
    if len(lines) > SHOWN_WARNINGS:
        print(
            f"aprecords: ... and {len(lines) - SHOWN_WARNINGS} more leak-check warnings, all "
            f"listed in {store / 'warnings.txt'}",
            file=sys.stderr,
        )


def cmd_serve(args: argparse.Namespace) -> int:
    """Preview one audience's site with live reload."""
    from aprecords.cli import resolve_root
    from aprecords.site.serve import serve

    root = resolve_root(args.root)
    serve(root, args.dev_addr, args.today, args.audience)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``build`` and ``serve``."""
    from aprecords.cli import iso_date

    p = sub.add_parser("build", help="validate, then build each audience's site")
    p.add_argument(
        "--audience",
        action="append",
        metavar="NAME",
        help="build only this audience (repeatable; default: every audience)",
    )
    p.add_argument("--site-dir", metavar="DIR", help="where the sites go (default: site/)")
    p.add_argument("--today", type=iso_date, help="judge due and overdue reviews as of this date")
    p.add_argument(
        "--compress",
        action="store_true",
        help="store pages gzip-compressed, for the generated nginx configuration (about a "
        "seventh of the size; nginx unpacks them for any client that needs it)",
    )
    p.set_defaults(run=cmd_build)

    p = sub.add_parser("serve", help="preview a site with live reload")
    p.add_argument("--audience", default="hub", metavar="NAME", help="which site (default: hub)")
    p.add_argument(
        "--dev-addr",
        default="127.0.0.1:8000",
        metavar="ADDR",
        help="host:port to serve on (default 127.0.0.1:8000)",
    )
    p.add_argument("--today", type=iso_date, help="judge due and overdue reviews as of this date")
    p.set_defaults(run=cmd_serve)
