"""The scan: every file of one audience's built site read for what the audience must not see.

After an audience's site is built (and before it is swapped in), every output file is decoded
(:mod:`aprecords.guard.formats`), put in the normal form (:mod:`aprecords.guard.normal`) and
searched for the needles of the audience's plan (:mod:`aprecords.guard.plan`). A hit names the
output file and the value's source (``record path#pointer``) and never the value itself: build
logs are read by more people than the records are.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aprecords.access import Audience
from aprecords.guard.formats import decoded
from aprecords.guard.match import Matcher, Needle, locate
from aprecords.guard.normal import words
from aprecords.guard.plan import Plan, plan
from aprecords.repository import Repository
from aprecords.scope import Scoped


@dataclass(frozen=True, order=True)
class Leak:
    """A value found in a file it must not be in."""

    file: str
    source: str
    what: str

    def __str__(self) -> str:
        return f"{self.file}: {self.what} (source: {self.source})"


class LeakError(Exception):
    """An audience's site holds values it must not: the build fails (exit 1)."""

    def __init__(self, audience: str, leaks: list[Leak]):
        self.audience = audience
        self.leaks = leaks
        shown = "\n".join(f"  {audience}/{leak}" for leak in leaks[:50])
        more = f"\n  ... and {len(leaks) - 50} more" if len(leaks) > 50 else ""
        super().__init__(
            f"leak check failed for the audience '{audience}': {len(leaks)} value(s) it must "
            f"not see were found in its site, which was not published:\n{shown}{more}"
        )


@functools.lru_cache(maxsize=1)
def theme_digests() -> frozenset[str]:
    """SHA-256 of every file shipped with the MkDocs Material theme (they hold no records)."""
    try:
        import material
    except ImportError:  # pragma: no cover - Material is a dependency
        return frozenset()
    base = Path(material.__file__).parent / "templates" / "assets"  # what MkDocs copies
    return frozenset(
        hashlib.sha256(file.read_bytes()).hexdigest() for file in base.rglob("*") if file.is_file()
    )


def needles_digest(needles: Iterable[Needle]) -> str:
    """SHA-256 of what a check searches for (words, source, kind and reach of every needle)."""
    rows = sorted((list(n.words), n.source, n.what, n.reach.value) for n in needles)
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()  # ASCII: \u escapes


def scan(site_dir: Path, scoped: Scoped) -> list[Leak]:
    """Every leak in the files under ``site_dir`` (paths in the result relative to it)."""
    return scan_changed(site_dir, scoped)[0]


def scan_changed(
    site_dir: Path,
    scoped: Scoped,
    unchanged: Collection[str] = (),
    checked_with: str | None = None,
) -> tuple[list[Leak], str]:
    """(every leak under ``site_dir``, the digest of what was searched for).

    Files whose relative path is in ``unchanged`` are not read when ``checked_with`` equals
    that digest: the caller vouches that each is byte for byte a file of an earlier build that
    passed a search for exactly these needles (a file's hits depend only on its bytes, its name
    and the needles), so reading it again could find nothing. Otherwise every file is read.
    """
    needles = [n for n in plan(scoped).needles if n.fails]
    digest = needles_digest(needles)
    if not needles:
        return [], digest
    skip_files = frozenset(unchanged) if checked_with == digest else frozenset()
    matcher = Matcher(needles)
    skip = theme_digests()
    leaks: set[Leak] = set()
    for file in sorted(site_dir.rglob("*")):
        if not file.is_file() or file.relative_to(site_dir).as_posix() in skip_files:
            continue
        raw = file.read_bytes()
        if hashlib.sha256(raw).hexdigest() in skip:
            continue
        rel = file.relative_to(site_dir).as_posix()
        leaks.update(one_per_source(rel, matcher.find(words(decoded(raw, file.name)))))
    return sorted(leaks), digest


_NAME_FORM = re.compile(r"(?P<form>.*?) of a pupil(?P<whose>.+)", re.S)
"""A needle's ``what`` for a form of a pupil's name: the form, and whose name it is."""


def one_per_source(rel: str, hits: Iterable[Needle]) -> Iterator[Leak]:
    """One leak per source, kind and file: of several forms of a name found, the longest."""
    best: dict[tuple[str, str], Needle] = {}
    for needle in sorted(hits, key=lambda n: (-len(n.words), n.what)):
        form = _NAME_FORM.match(needle.what)  # a form of a name: one leak per pupil
        key = form["whose"] if form and not form["form"].startswith("the UPN") else needle.what
        best.setdefault((needle.source, key), needle)
    for needle in best.values():
        yield Leak(rel, needle.source, needle.what)


def check_file(audience: str, rel: str, raw: bytes, needles: Iterable[Needle]) -> None:
    """Raise :class:`LeakError` when one file about to be published (``rel``, its bytes
    ``raw``) holds any of ``needles`` that fails a build."""
    found = Matcher([n for n in needles if n.fails]).find(words(decoded(raw, rel)))
    if found:
        raise LeakError(audience, sorted(one_per_source(rel, found)))


def commit_findings(scoped: Scoped, history: dict[str, list[Any]] | None) -> list[str]:
    """``commit SHA:1:COLUMN: error: ...`` for each commit message the audience reads (it reads
    them when granted every class: :func:`aprecords.guard.plan.visible_fields`) that holds what
    it must not see: where a leak found in a change history comes from, so it can be fixed."""
    from aprecords.access import CLASSES

    if not history or not scoped.audience.grants >= set(CLASSES):
        return []
    matcher = Matcher([n for n in plan(scoped).needles if n.fails])
    found = []
    for pid in sorted(scoped.placements):
        path = scoped.paths[pid]
        for commit in history.get(path, []):
            hits = matcher.find(words(commit.subject))
            for leak in sorted(one_per_source(path, hits)):
                _, column = min(
                    locate([commit.subject], n)
                    for n in hits
                    if (n.source, n.what) == (leak.source, leak.what)
                )
                found.append(
                    f"commit {commit.sha[:10]}:1:{column}: error: the message of this change to "
                    f"{leak.file} holds {leak.what} (source: {leak.source}); the change history "
                    f"of '{scoped.audience.name}' shows it, so that site is not published: "
                    "ask whoever runs the records repository to reword the commit "
                    "[commit-message-leak]"
                )
    return found


def check(site_dir: Path, scoped: Scoped) -> None:
    """Raise :class:`LeakError` when the site under ``site_dir`` holds anything it must not."""
    leaks = scan(site_dir, scoped)
    if leaks:
        raise LeakError(scoped.audience.name, leaks)


def audience_plan(
    repo: Repository, scoped: Scoped, history: dict[str, list[Any]] | None = None
) -> Plan:
    """The plan of one audience's check (for its fingerprint and its warnings)."""
    return plan(scoped, history)


def audience_leaks(repo: Repository, audience: Audience, site_dir: Path) -> list[Leak]:
    """The leaks in one audience's built site, against a scope computed here, independently.

    The scope is worked out again rather than taken from the renderer, so a fault in what the
    renderer was given (or in how it was filtered) cannot also blind the check. Nothing outside
    the records counts as visible: the texts of aprecords.yml and the help pages are searched
    like any page (and once, on their own, by :mod:`aprecords.guard.texts`).
    """
    from aprecords.scope import scope

    return scan(site_dir, scope(repo, audience))


def check_audience(
    repo: Repository,
    audience: Audience,
    site_dir: Path,
    unchanged: Collection[str] = (),
    checked_with: str | None = None,
) -> str:
    """Raise :class:`LeakError` when one audience's built site holds anything it must not;
    return the digest of what was searched for (``unchanged``: see :func:`scan_changed`)."""
    from aprecords.scope import scope

    leaks, digest = scan_changed(site_dir, scope(repo, audience), unchanged, checked_with)
    if leaks:
        raise LeakError(audience.name, leaks)
    return digest
