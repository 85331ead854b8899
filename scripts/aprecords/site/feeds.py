"""Calendars people can subscribe to: one feed per audience at a long random secret address.

Outlook and Google Calendar fetch a subscribed calendar by its address alone, without a
login, so the feed behind the site's login never reaches them. Each audience may instead
have a secret: 32 random bytes (43 URL-safe characters) in ``<calendar_secrets>/<audience>``,
a folder on the server outside the repository (``hosting.calendar_secrets``, default
``/etc/aprecords/calendars``). ``aprecords build`` writes the audience's feed, with pupils as
initials and record id only, to ``<site>/_calendars/<secret>.ics``, which nginx serves without
a login as ``text/calendar``; every other file there is removed, so a secret deleted
(``aprecords calendar revoke``) or replaced (``aprecords calendar rotate``) stops working at
the next build (revoke also removes the published file at once). The leak guard reads each
feed before it is written, as the site of an audience without names (:func:`publish`).
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from aprecords.access import Audience
from aprecords.config import ConfigError
from aprecords.repository import Repository

FOLDER = "_calendars"
"""The site folder of the public feeds (no audience name can start with '_')."""
DEFAULT_SECRETS = "/etc/aprecords/calendars"
SECRET = re.compile(r"^[A-Za-z0-9_-]{43,128}$")
LOCATION = r"^/" + FOLDER + r"/[A-Za-z0-9_-]{43,128}\.ics$"


def secrets_dir(config_data: dict[str, Any]) -> Path:
    """The folder of the audiences' secrets."""
    return Path((config_data.get("hosting") or {}).get("calendar_secrets") or DEFAULT_SECRETS)


def check_dir(folder: Path, root: Path) -> None:
    """Refuse a secrets folder inside the records repository (it would be committed)."""
    where, repo = folder.resolve(), root.resolve()
    if where == repo or repo in where.parents:
        raise ConfigError(
            f"hosting.calendar_secrets: '{folder}' is inside the records repository; keep the "
            "calendar secrets outside it (for example /etc/aprecords/calendars)"
        )


def read_secret(folder: Path, audience: str) -> str | None:
    """The audience's secret, or None when it has none; ConfigError when it is not one."""
    path = folder / audience
    try:
        text = path.read_text("ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the calendar secret ({exc})") from None
    if not SECRET.match(text):
        raise ConfigError(
            f"{path}: not a calendar secret (43 or more letters, digits, '-' or '_'); "
            f"make a new one with: aprecords calendar rotate {audience}"
        )
    return text


def write_secret(folder: Path, audience: str) -> str:
    """A new random secret for the audience, replacing any old one atomically (mode 0600)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{audience}.")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(value + "\n")
        os.replace(tmp, folder / audience)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return value


def address(server_name: str, secret: str) -> str:
    """The feed's address to paste into Outlook or Google Calendar."""
    host = server_name if server_name != "_" else "<your server>"
    return f"https://{host}/{FOLDER}/{secret}.ics"


def publish(
    repo: Repository, audiences: Iterable[Audience], site_dir: Path, today: date
) -> list[str]:
    """Write each audience's feed that has a secret; remove every other file. Returns the
    names of the audiences published."""
    from aprecords.guard.plan import plan
    from aprecords.guard.scan import check_file
    from aprecords.scope import scope
    from aprecords.site import ical

    folder = secrets_dir(repo.config.data)
    check_dir(folder, repo.root)
    wanted = [(a, read_secret(folder, a.name)) for a in audiences]
    out = site_dir / FOLDER
    if not out.is_dir() and not any(secret for _, secret in wanted):
        return []  # no calendar was ever published here: no folder either
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o755)
    keep, done = set(), []
    for audience, secret in wanted:
        if secret is None:
            continue
        scoped = scope(repo, audience)
        body = ical.feed(
            scoped.placements,
            scoped.schools,
            scoped.providers,
            today,
            repo.config.site_name,
            names=False,
        )
        # The guard reads the feed before it is published: no login protects it, so it is
        # checked as a site without names (the audience's own pupils are initials there).
        check_file(
            audience.name,
            f"{FOLDER}/{audience.name}.ics",
            body,
            plan(scope(repo, replace(audience, grants=audience.grants - {"identity"}))).needles,
        )
        target = out / f"{secret}.ics"
        fd, tmp = tempfile.mkstemp(dir=out, prefix=".feed.")
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
            os.fchmod(handle.fileno(), 0o644)
        os.replace(tmp, target)
        keep.add(target.name)
        done.append(audience.name)
    for stale in out.iterdir():
        if stale.name not in keep:
            stale.unlink()
    return done


def revoke(repo: Repository, audience: str, site_dir: Path | None) -> bool:
    """Delete the audience's secret, and its published feed when the site folder is known."""
    folder = secrets_dir(repo.config.data)
    secret = read_secret(folder, audience)
    if secret is None:
        return False
    (folder / audience).unlink()
    if site_dir is not None:
        (site_dir / FOLDER / f"{secret}.ics").unlink(missing_ok=True)
    return True


def nginx_location(headers: list[str]) -> list[str]:
    """The server block's location for the feeds: no login, only a secret's file name, served
    as text/calendar; ``headers`` are the security headers every answer carries."""
    return [
        "",
        "    # Subscribed calendars: no login; only a secret's file is served (site/feeds.py).",
        f'    location ~ "{LOCATION}" {{',
        *headers,
        "        types { }",
        "        default_type text/calendar;",
        "        charset utf-8;",
        "        charset_types text/calendar;",
        "    }",
    ]
