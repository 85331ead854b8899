"""``aprecords calendar rotate|revoke|url AUDIENCE``: the secret addresses of subscribable
calendars (``site/feeds.py``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from aprecords.errors import UsageError

EXIT_OK = 0


def run(args: argparse.Namespace) -> int:
    """Make a new secret, remove it, or print the address it gives."""
    from aprecords.access import checked_audiences
    from aprecords.cli import resolve_root
    from aprecords.repository import load_repository
    from aprecords.site import feeds
    from aprecords.site.hosting import checked

    repo = load_repository(resolve_root(args.root))
    everyone = checked_audiences(repo)
    names = {a.name for a in everyone}
    if args.audience not in names:
        raise UsageError(f"{args.audience}: no such audience (known: {', '.join(sorted(names))})")
    server = checked(repo.config.data, everyone, repo.root).server_name  # at its line
    folder = feeds.secrets_dir(repo.config.data)
    if args.action == "rotate":
        secret = feeds.write_secret(folder, args.audience)
        print(f"new address (live after the next aprecords build): {feeds.address(server, secret)}")
        print("the old address, if any, stops working at that build")
    elif args.action == "revoke":
        site_dir = Path(args.site_dir) if args.site_dir else repo.root / "site"
        if not feeds.revoke(repo, args.audience, site_dir):
            raise UsageError(f"{args.audience}: has no calendar secret in {folder}")
        print(f"revoked: {args.audience}'s calendar address no longer works")
    else:
        secret = feeds.read_secret(folder, args.audience)
        if secret is None:
            raise UsageError(
                f"{args.audience}: no calendar secret in {folder}; make one with "
                f"aprecords calendar rotate {args.audience}"
            )
        print(feeds.address(server, secret))
    return EXIT_OK


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``aprecords calendar``."""
    p = subparsers.add_parser(
        "calendar",
        help="secret addresses of the calendars people subscribe to",
        description="Each audience's subscribable calendar lives at a secret address kept "
        "outside the repository (hosting.calendar_secrets; see docs/deployment.md).",
    )
    p.add_argument("action", choices=("rotate", "revoke", "url"), help="what to do")
    p.add_argument("audience", metavar="AUDIENCE", help="the audience's name")
    p.add_argument("--site-dir", metavar="DIR", help="the built sites (revoke: default site/)")
    p.set_defaults(run=run)
