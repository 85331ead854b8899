"""Print views of an agreement: full record, agreement, and a copy for parents and carers.

Each view is a page of its own (``placements/<id>/print-<view>.md``, no JavaScript needed to
reach it), rendered from ``placement.md.j2`` with ``VIEW`` set, opened by a first-page header
and carrying CSS paged-media margin boxes (audience, confidentiality, record, date printed,
page X of Y). The parents' copy is rendered from a narrower scope (:func:`parents_audience`:
no safeguarding or safety class), without other providers' placements on a provider's site and
without staff e-mail addresses; :func:`check_parents` scans each built copy for all of them.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from aprecords.access import Audience
from aprecords.guard import formats, match, normal, scan
from aprecords.guard.plan import plan
from aprecords.repository import Repository

VIEWS = {
    "full": "Full record (with attendance and change history)",
    "agreement": "Agreement (the form and its reviews)",
    "parents": "Copy for parents and carers",
}
"""View name -> its title on the page; the file is ``placements/<id>/print-<view>.md``."""
PARENTS_DROP = frozenset({"safeguarding", "safety"})
"""Sensitivity classes never in the parents' copy (the safeguarding section, restricted)."""
MEETING_DROP = frozenset({"safeguarding"})
"""The restricted class, never in the agreement print that goes to review meetings."""
RESTRICTED_MARK = "CONFIDENTIAL, RESTRICTED: holds the safeguarding background (DSLs only)"
"""On every page of the full record where the audience sees the restricted class."""
FRONT_MATTER = "---\nsearch:\n  exclude: true\nhide:\n  - navigation\n  - toc\n---\n"
KIND_WORDS = {"hub": "the hub's site", "school": "a school's site", "provider": "a provider's site"}


def path_of(pid: str, view: str) -> str:
    """The Markdown path of one print view of a placement."""
    return f"placements/{pid}/print-{view}.md"


def css_string(text: str) -> str:
    """``text`` as a CSS string literal: every character but letters, digits and spaces as a
    hexadecimal escape, so no value can end the string or the rule."""
    out = "".join(
        c if c.isascii() and (c.isalnum() or c == " ") else f"\\{ord(c):x} " for c in text
    )
    return f'"{out}"'


def restricted(audience: Audience, view: str) -> bool:
    """True for the one restricted print: the full record where the restricted class is seen."""
    return view == "full" and bool(MEETING_DROP & audience.grants)


def page_style(audience: Audience, pid: str, view: str, built: str) -> str:
    """The ``@page`` rules of one print view: running header and footer in margin boxes."""
    who = f"Built for: {audience.title} ({KIND_WORDS.get(audience.kind, 'a restricted site')})"
    if view == "parents":
        who = "A copy for the pupil's parents and carers"
    what = f"Record {pid}: {VIEWS[view].split(' (')[0].lower()}"
    mark = RESTRICTED_MARK if restricted(audience, view) else ""
    mark = mark or "CONFIDENTIAL: personal data about a child"
    return (
        f":root{{--printed:{css_string('Site of ' + built)}}}"
        "@page{size:A4 portrait;margin:14mm 12mm;"
        f"@top-left{{content:{css_string(who)}}}"
        f"@top-right{{content:{css_string(mark)}}}"
        f"@bottom-left{{content:{css_string(what)}}}"
        "@bottom-center{content:var(--printed)}"
        '@bottom-right{content:"Page " counter(page) " of " counter(pages)}}'
    )


def meeting_audience(audience: Audience) -> Audience:
    """The audience narrowed for the meeting print: never the restricted class."""
    return dataclasses.replace(audience, grants=audience.grants - MEETING_DROP)


def parents_audience(audience: Audience) -> Audience:
    """The audience narrowed for the parents' copy: no safeguarding or safety class."""
    return dataclasses.replace(audience, grants=audience.grants - PARENTS_DROP)


def own_placements(data: dict[str, Any], audience: Audience) -> dict[str, Any]:
    """A copy of a placement holding, on a provider's site, only that provider's placements."""
    if audience.kind != "provider":
        return data
    data = copy.copy(data)
    data["placements"] = [
        pl for pl in data.get("placements") or [] if pl.get("provider") in audience.providers
    ]
    return data


@functools.cache
def _environment(view: str, title: str) -> Any:
    """One Jinja environment per view, made once: its templates are compiled once per process
    (a new environment for every page compiled them again each time: most of a build's time)."""
    from aprecords.site.render import environment

    env = environment()
    env.globals.update(VIEW=view, VIEW_TITLE=title)
    return env


def pages(site: Any, pid: str, context: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(path, Markdown) of the three print views of one placement."""
    from aprecords.site.render import _row

    audience = site.scoped.audience
    built = f"{site.today.day} {site.today:%b %Y}"
    for view, title in VIEWS.items():
        env = _environment(view, title)
        values = dict(
            context,
            page_style=page_style(audience, pid, view, built),
            RESTRICTED=restricted(audience, view),
        )
        if view == "agreement" and MEETING_DROP & audience.grants:
            # Rendered from the scope without the restricted class, or not at all.
            meeting = site.meeting
            if meeting is None or pid not in meeting.placements:
                continue
            values.update(
                p=meeting.placements[pid], school=meeting.schools.get(row_school(site, pid))
            )
        if view == "parents":
            # From the narrow scope when the build made one (a placement missing from it is
            # an error, never the wider scope's copy); the view leaves out attendance and
            # the change history itself.
            narrow = site.parents
            data = narrow.placements[pid] if narrow else context["p"]
            others = [
                pl.get("sessions") or {}
                for pl in data.get("placements") or []
                if audience.kind == "provider" and pl.get("provider") not in audience.providers
            ]
            data = own_placements(data, audience)
            row = _row(pid, data, site.today)
            school = narrow.schools.get(row.school) if narrow else context["school"]
            values.update(OTHER_SESSIONS=others, row=row, p=data, school=school)
        text = env.get_template("placement.md.j2").render(**values)
        yield path_of(pid, view), FRONT_MATTER + text


def row_school(site: Any, pid: str) -> str:
    """The school id of a placement on the site."""
    return str(site.rows[pid].school)


def _emails(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if (key == "email" or key.endswith("_email")) and isinstance(item, str):
                yield item
            else:
                yield from _emails(item)
    elif isinstance(value, list):
        for item in value:
            yield from _emails(item)


def parents_needles(narrow: Any) -> list[match.Needle]:
    """What no parents' copy may hold, from the narrow scope ``narrow``: what it withholds
    (and the outside pupils, as on every page) and every staff e-mail address."""
    found = list(plan(narrow).needles)
    records = [*narrow.placements.values(), *narrow.schools.values(), *narrow.providers.values()]
    for email in sorted({e for data in records for e in _emails(data)}):
        found.append(match.Needle(normal.words(email), "staff e-mail", "a staff e-mail address"))
    return [n for n in found if n.words]


def _provider_names(provider: dict[str, Any]) -> list[str]:
    return [provider.get("name", ""), *(s.get("name", "") for s in provider.get("sites", []))]


def other_providers(narrow: Any, audience: Audience, pid: str) -> list[match.Needle]:
    """On a provider's site, the names of the placement's other providers and their sites.

    Every name the audience's own providers carry is left out: their own names, and a name
    another provider shares (two providers' sites both called "Main site"), are rightly on
    the page and say nothing of the other."""
    if audience.kind != "provider":
        return []
    own = {normal.words(n) for p in audience.providers for n in _names_of(narrow, p)}
    placements = (narrow.placements.get(pid) or {}).get("placements") or []
    found = {normal.words(n) for pl in placements for n in _names_of(narrow, pl.get("provider"))}
    return [
        match.Needle(words, "provider", "another provider", match.Reach.WORDS)
        for words in sorted(found - own)
        if words
    ]


def _names_of(narrow: Any, provider: Any) -> list[str]:
    """The names of a provider in the scope ``narrow`` and of its sites (none when unknown)."""
    return _provider_names(narrow.providers.get(provider) or {})


def check_parents(
    repo: Repository,
    audience: Audience,
    site_dir: Path,
    unchanged: Collection[str] = (),
    checked_with: str | None = None,
) -> str:
    """Raise ``scan.LeakError`` when a built parents' copy holds what it must not (the
    narrow scope is worked out again here, independently of the renderer). Return the digest
    of every needle searched for; copies in ``unchanged`` are skipped when ``checked_with`` is
    that digest (as in :func:`aprecords.guard.scan.scan_changed`)."""
    from aprecords.scope import scope

    narrow = scope(repo, parents_audience(audience))
    needles = parents_needles(narrow)
    others = {pid: other_providers(narrow, audience, pid) for pid in narrow.placements}
    # Each other provider's needle under its placement's id: moved to another placement,
    # the same name is searched for in another copy.
    digest = scan.needles_digest(
        [*needles, *(dataclasses.replace(n, source=pid) for pid, on in others.items() for n in on)]
    )
    skip = frozenset(unchanged) if checked_with == digest else frozenset()
    copies = built_copies(site_dir, "parents", skip)
    if not copies:
        return digest
    common = match.Matcher(needles)
    leaks: set[scan.Leak] = set()
    for page in copies:
        tokens = normal.words(formats.decoded(page.read_bytes(), page.name))
        found = common.find(tokens)
        found |= match.Matcher(others.get(page.parent.name, [])).find(tokens)
        rel = page.relative_to(site_dir).as_posix()
        leaks |= {scan.Leak(rel, n.source, n.what + " (parents' copy)") for n in found}
    if leaks:
        raise scan.LeakError(audience.name, sorted(leaks))
    return digest


def built_copies(site_dir: Path, view: str, skip: Collection[str] = ()) -> list[Path]:
    """Every built ``print-VIEW`` page, as MkDocs wrote it or stored compressed (reused from a
    build), but those whose path (relative to ``site_dir``) is in ``skip``."""
    names = (f"print-{view}.html", f"print-{view}.html.gz")
    found = sorted(p for p in (site_dir / "placements").glob("*/print-*") if p.name in names)
    return [p for p in found if p.relative_to(site_dir).as_posix() not in skip]


def check_meeting(
    repo: Repository,
    audience: Audience,
    site_dir: Path,
    unchanged: Collection[str] = (),
    checked_with: str | None = None,
) -> str:
    """Raise ``scan.LeakError`` when a built meeting print (the agreement view of a site that
    sees the restricted class) holds what the meeting scope withholds, worked out again here:
    the restricted texts and every pupil outside the site. Return the digest of what was
    searched for ("" where the audience has no restricted class: its agreement print is an
    ordinary page of the site, checked with the rest); ``unchanged`` as in
    :func:`check_parents`."""
    from aprecords.scope import scope

    if not MEETING_DROP & audience.grants:
        return ""
    needles = [n for n in plan(scope(repo, meeting_audience(audience))).needles if n.fails]
    digest = scan.needles_digest(needles)
    skip = frozenset(unchanged) if checked_with == digest else frozenset()
    matcher = match.Matcher(needles)
    leaks = {
        scan.Leak(rel, n.source, n.what + " (meeting print)")
        for page in built_copies(site_dir, "agreement", skip)
        for rel in [page.relative_to(site_dir).as_posix()]
        for n in matcher.find(normal.words(formats.decoded(page.read_bytes(), page.name)))
    }
    if leaks:
        raise scan.LeakError(audience.name, sorted(leaks))
    return digest
