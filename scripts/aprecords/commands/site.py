"""``aprecords build`` and ``aprecords serve``: the audience sites."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aprecords.access import Audience
    from aprecords.findings import Finding
    from aprecords.repository import Repository
    from aprecords.site import hosting
    from aprecords.site.parallel import Outcome
    from aprecords.site.stale import Status

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


def checked(root: Path, today: date, tool: Path | None = None) -> tuple[Repository, list[Finding]]:
    """Load and validate; print the findings (errors to stdout, as ``validate`` does, and a
    summary); return the repository and its errors. ``tool``: the schemas' install."""
    from aprecords.findings import has_errors
    from aprecords.report import render, summary
    from aprecords.repository import load_repository
    from aprecords.validate import validate

    repo = load_repository(root, tool=tool)
    findings = validate(repo, today)
    if has_errors(findings):
        print(render(findings, repo.files, "text"))
        print(summary(findings, repo.files), file=sys.stderr)
    elif findings:
        print(render(findings, repo.files, "text"), file=sys.stderr)
    return repo, [f for f in findings if f.severity == "error"]


def held_status(
    repo: Repository, errors: list[Finding], everyone: list[Audience], site_dir: Path
) -> tuple[Status, list[Audience]]:
    """What the errors hold back (:mod:`aprecords.site.stale`), and the audiences held back
    that exist no more as such (their own registry record has an error) but keep their
    folder, as their build record describes them."""
    from aprecords.site import stale
    from aprecords.site.parallel import built_for, kept_audience, published

    site_dir = site_dir.resolve()
    held = stale.held_back(repo, errors, everyone, published(site_dir))
    names = {a.name for a in everyone}
    kept = [k for n in held if n not in names and (k := kept_audience(site_dir, n))]
    held = {n: r for n, r in held.items() if n in names or any(k.name == n for k in kept)}
    dates = {n: d for n, d in built_for(site_dir).items() if n in held}
    lines = tuple(stale.finding_line(f) for f in sorted(set(errors)))
    return stale.Status(lines, held, {}, dates), kept


def cmd_build(args: argparse.Namespace) -> int:
    """Validate, then build the site of each audience into DIR/<audience>/.

    A record with an error holds back the audiences that show it: they keep their last good
    folder, every other audience is built, the hub's dashboard lists why, and the exit code
    is 1 (:mod:`aprecords.site.stale`)."""
    from aprecords.access import checked_audiences
    from aprecords.cli import resolve_root
    from aprecords.errors import UsageError
    from aprecords.guard.scan import LeakError
    from aprecords.guard.shared import HelpPageLeakError
    from aprecords.site import feeds, hosting
    from aprecords.site.cms import connect_origins
    from aprecords.site.parallel import Terminated, build_many, prune, script_hashes

    root = resolve_root(args.root)
    today = args.today or date.today()
    tool = Path(args.tool_dir).resolve() if args.tool_dir else None
    if tool is not None and not (tool / "schema").is_dir():
        raise UsageError(f"--tool-dir {tool}: no schema/ there; give the tool's own install")
    repo, errors = checked(root, today, tool)
    everyone = checked_audiences(repo)
    server = hosting.checked(repo.config.data, everyone, root)
    site_dir = Path(args.site_dir) if args.site_dir else root / "site"
    status, kept = held_status(repo, errors, everyone, site_dir)
    audiences = [a for a in _audiences(args.audience, repo) if a.name not in status.held]
    if errors:
        print(
            "aprecords: records have errors (above): the sites that show them keep their last "
            "good version; the others are built",
            file=sys.stderr,
        )
    _warn_without_cms(repo, audiences)
    try:
        outcomes = build_many(
            repo, audiences, site_dir, today, compress=args.compress, status=status
        )
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
    serving = everyone + kept
    if not args.audience:
        for name in prune(site_dir, [a.name for a in serving]):
            print(f"removed {site_dir / name} (no such audience any more)")
    for line in load_status(site_dir).report():
        print(f"aprecords: {line}", file=sys.stderr)
    hashes = script_hashes(site_dir, [a.name for a in serving])
    settings = repo.config.data.get("cms")
    has_form = (site_dir / "hub" / hosting.ADMIN / "index.html").is_file()
    origins = connect_origins(settings) if settings and has_form else None
    conf = hosting.write(server, serving, site_dir, hashes, origins)
    write_serving(site_dir, server, serving, hashes, origins)
    print(f"web server configuration: {conf}")
    try:
        published = feeds.publish(repo, everyone, site_dir, today)
    except LeakError as exc:
        print(f"aprecords: {exc}\naprecords: that calendar was not published", file=sys.stderr)
        return EXIT_INVALID
    print(f"subscribable calendars: {len(published)} audience(s) with a secret address")
    return EXIT_INVALID if failed or errors else EXIT_OK


SERVING = "_serving.json"
"""What the configuration is written from (``DIR/.aprecords/_serving.json``; no audience name
has an underscore, so no build record is taken for it): the deploy's root
step reads it, checks every value again and writes the configuration from the tool's own
template (``aprecords.publish``), never taking the text the build wrote."""


def write_serving(
    site_dir: Path,
    server: hosting.Hosting,
    audiences: list[Audience],
    hashes: dict[str, list[str]],
    origins: list[str] | None,
) -> Path:
    """Keep the values the nginx configuration was written from, beside the build records."""
    import dataclasses
    import json
    import os
    import tempfile

    from aprecords.site.parallel import STORE

    store = site_dir.resolve() / STORE
    data = {
        "hosting": dataclasses.asdict(server),
        "audiences": [{"name": a.name, "kind": a.kind, "title": a.title} for a in audiences],
        "script_hashes": hashes,
        "admin_origins": origins,
    }
    fd, tmp = tempfile.mkstemp(dir=store, prefix=f".{SERVING}.")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, ensure_ascii=False)
    os.replace(tmp, store / SERVING)
    return store / SERVING


def load_status(site_dir: Path) -> Status:
    """The status the build kept beside the sites (:mod:`aprecords.site.stale`)."""
    from aprecords.site.parallel import STORE
    from aprecords.site.stale import load

    return load(site_dir.resolve() / STORE)


def _warn_without_cms(repo: Repository, audiences: list[Audience]) -> None:
    """aprecords.yml asks for the web form but its pinned package is not installed: the hub's
    site is built without it (the records' site matters more), and this says how to add it."""
    from aprecords.site.build import node_modules, wants_cms

    if any(wants_cms(repo, a) for a in audiences) and node_modules(repo.root, repo.tool) is None:
        print(
            "aprecords: warning: the web form (/hub/admin/, `cms` in aprecords.yml) was left "
            f"out of the hub's site: its pinned package is not installed; run `npm ci` in "
            f"{repo.tool or repo.root} (Node.js) and build again",
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
        "--tool-dir",
        metavar="DIR",
        help="take the schemas and the web form from DIR (a server's pinned install of the "
        "tool, as the deploy does), never from the records",
    )
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
