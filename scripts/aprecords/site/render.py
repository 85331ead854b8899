"""Markdown pages from a ``Scoped`` set of records (Jinja2 templates, one ``text`` filter).

Every value that comes from a record is untrusted: it goes through ``inert`` (the templates'
``text`` and ``para`` filters), which turns each ASCII punctuation character into a numeric
character reference, so neither Markdown nor HTML can read structure, markup or links into it,
and the search index (built from the HTML) holds it as escaped text too. Links are made here,
from ids that the schema limits to ``[a-z0-9-]``.
"""

from __future__ import annotations

import dataclasses
import json
import string
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from aprecords import model
from aprecords.access import CLASSES, DEFAULT_GRANTS, Audience
from aprecords.actions import Action, placement_actions, returns_to
from aprecords.attendance.figures import recent_weeks
from aprecords.attendance.register import weeks_of
from aprecords.attendance.render import agreement_section
from aprecords.attendance.render import dashboard as attendance_dashboard
from aprecords.attendance.returns import (
    Outstanding,
    holidays_of,
    missing_for,
    provider_marks_up_to,
)
from aprecords.config import Config
from aprecords.model import ASSESSMENT_METHODS
from aprecords.scope import WITHHELD, Scoped
from aprecords.site import printviews, searchtext
from aprecords.standards import needs_standards, standing

TEMPLATES = Path(__file__).parent / "templates"
WITHHELD_HTML = '<span class="withheld">withheld for this audience</span>'
_REFS = {ord(c): f"&#{ord(c)};" for c in string.punctuation}
_BLANK = "\u2014"  # an em dash for "not recorded"

STATUS_WORDS = {
    "met": "met",
    "partly-met": "partly met",
    "not-met": "not met",
    "on-track": "on track",
    "requested": "requested",
    "active": "active",
    "ended": "ended",
}
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
CHANGES = {"carried": "carried on", "changed": "changed", "added": "added", "closed": "closed"}


def inert(value: Any, block: bool = False) -> str:
    """A record's value as Markdown that shows exactly what was typed and nothing more.

    Inline (table cells, list items): line breaks become ``<br>``. Block: blank lines separate
    paragraphs. Leading indentation is dropped so no line becomes a code block.
    """
    if value is WITHHELD:
        return WITHHELD_HTML
    if value is None or value == "":
        return _BLANK
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _inert_text(str(value), block)


@lru_cache(maxsize=65536)
def _inert_text(text: str, block: bool) -> str:
    """``inert`` for text (cached: names, schools and stock phrases repeat on many pages)."""
    if not any(c in text for c in "\r\n\t"):
        return text.strip().translate(_REFS) or _BLANK
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = text.translate(_REFS)
    paragraphs = [
        "<br>".join(line.strip() for line in part.split("\n") if line.strip())
        for part in text.split("\n\n")
    ]
    paragraphs = [p for p in paragraphs if p] or [_BLANK]
    return ("\n\n" if block else "<br>").join(paragraphs)


def inert_block(value: Any) -> str:
    """``inert`` for a paragraph of its own."""
    return inert(value, block=True)


def nice_date(value: Any) -> str:
    """An ISO date as '9 Dec 2025' (inert text otherwise)."""
    parsed = value if isinstance(value, date) else model.parse_date(value)
    if parsed is None:
        return inert(value)
    return f"{parsed.day} {parsed:%b %Y}"


def status_badge(status: Any) -> str:
    """A status as its word inside a coloured span: the word carries the meaning."""
    if status is WITHHELD:
        return WITHHELD_HTML
    key = str(status) if str(status) in STATUS_WORDS else "unknown"
    word = STATUS_WORDS.get(key, inert(status))
    return f'<span class="status status-{key}">{word}</span>'


def is_withheld(value: Any) -> bool:
    """Jinja test: ``x is withheld``."""
    return value is WITHHELD


@dataclass(frozen=True)
class Row:
    """One placement as the index and dashboard tables show it."""

    id: str
    data: dict[str, Any]
    status: str
    school: str
    providers: list[str]
    next_review: dict[str, Any]
    start: str | None


def _row(pid: str, data: dict[str, Any], today: date) -> Row:
    return Row(
        pid,
        data,
        model.status(data, today),
        data["school"],
        model.provider_ids(data),
        model.next_review(data),
        data.get("actual_start") or data.get("requested_start"),
    )


def environment() -> Environment:
    """The Jinja environment: Markdown output (no autoescape), strict about missing values."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(text=inert, para=inert_block, date=nice_date, status=status_badge)
    env.tests["withheld"] = is_withheld
    env.globals.update(
        ASSESSMENT_METHODS=ASSESSMENT_METHODS,
        DAYS=DAYS,
        CHANGES=CHANGES,
        BLANK=_BLANK,
        VIEW="screen",  # print views (site/printviews.py) set "full", "agreement", "parents"
        VIEW_TITLE="",
        who=who_text,
        change_url=change_url,
        not_shown_to=not_shown_to,
        amended=model.amended_figures,
        review_figures=model.review_figures,
        standing=standing,
        needs_standards=needs_standards,
    )
    return env


@dataclass
class Site:
    """Everything the templates share for one audience's site."""

    scoped: Scoped
    config: Config
    today: date
    history: dict[str, list[Any]] | None
    rows: dict[str, Row]
    parents: Scoped | None = None
    """The narrower scope of the parents' print copies (site/printviews.py), when known."""
    meeting: Scoped | None = None
    """The scope of the meeting print, without the restricted class (site/printviews.py)."""
    status: Any = None
    """The hub's only: records with errors and the sites not updated (site/stale.py)."""

    def placements_of(self, *, school: str | None = None, provider: str | None = None) -> list[Row]:
        """Rows of one school's or one provider's placements, newest start first."""
        found = [
            r
            for r in self.rows.values()
            if (school is None or r.school == school)
            and (provider is None or provider in r.providers)
        ]
        return sorted(found, key=lambda r: (r.start or "", r.id), reverse=True)

    def site_of(self, provider: str, site_id: str) -> dict[str, Any] | None:
        """A provider's site by id, or None when unknown here."""
        found = self.scoped.providers.get(provider)
        sites = found.get("sites") if found else None
        if not isinstance(sites, list):
            return None
        return next((s for s in sites if s.get("id") == site_id), None)

    def name_of(self, kind: str, ident: str) -> str:
        """A school's or provider's name as inert text (its id if not in scope)."""
        found = (self.scoped.schools if kind == "school" else self.scoped.providers).get(ident)
        return inert(found["name"]) if found else inert(ident)


def make_site(scoped: Scoped, config: Config, today: date, history: Any = None) -> Site:
    """The shared view of one audience's records."""
    rows = {pid: _row(pid, data, today) for pid, data in scoped.placements.items()}
    return Site(scoped, config, today, history, rows)


def dashboard_lists(site: Site) -> dict[str, Any]:
    """The dashboard's action lists against ``site.today``."""
    today, soon = site.today, site.today + timedelta(days=site.config.due_soon_days)
    overdue, due, starting, low = [], [], [], []
    for row in sorted(site.rows.values(), key=lambda r: (str(r.next_review.get("date")), r.id)):
        if row.status == "ended":
            continue
        when = model.parse_date(row.next_review.get("date"))
        if when is not None and when < today:
            overdue.append((row, (today - when).days))
        elif when is not None and when <= soon:
            due.append((row, (when - today).days))
    for row in sorted(site.rows.values(), key=lambda r: (r.start or "", r.id)):
        start = model.parse_date(row.start)
        if row.status == "requested" and start is not None and today <= start <= soon:
            starting.append(row)
        rate = model.latest_attendance_rate(row.data)
        # Absence of 10% or more is persistent absence, so exactly 90% attendance is listed.
        if row.status != "ended" and rate is not None and rate <= 90:
            low.append((row, rate))
    counts = {
        s: sum(r.status == s for r in site.rows.values())
        for s in STATUS_WORDS
        if s in ("requested", "active", "ended")
    }
    per_school = {
        sid: _counts(site.placements_of(school=sid)) for sid in sorted(site.scoped.schools)
    }
    per_provider = {
        pid: _counts(site.placements_of(provider=pid)) for pid in sorted(site.scoped.providers)
    }
    by_provider, by_school, recent_missing = returns_outstanding(site)
    return dict(
        actions=action_items(site),
        returns_by_provider=by_provider,
        returns_by_school=by_school,
        recent_missing=recent_missing,
        overdue=overdue,
        due=due,
        starting=starting,
        low=sorted(low, key=lambda x: x[1]),
        counts=counts,
        per_school=per_school,
        returns_to=returns_to(site.config),
        per_provider=per_provider,
    )


def action_items(site: Site) -> list[tuple[Action, Row]]:
    """The audience's "Action needed" items, overdue first, then by date and record."""
    found = [
        (action, row)
        for row in site.rows.values()
        for action in placement_actions(
            row.id,
            row.data,
            site.today,
            site.config,
            site.scoped.attendance.get(row.id),
            site.scoped.providers,
            names={pid: p.get("name", pid) for pid, p in site.scoped.providers.items()},
        )
        if action.concerns(site.scoped.audience, row.school)
    ]
    return sorted(found, key=lambda x: (not x[0].overdue, x[0].since or site.today, x[1].id))


def returns_outstanding(
    site: Site,
) -> tuple[dict[str, Outstanding], dict[str, Outstanding], int]:
    """Attendance returns not received, per provider and per school, over active placements;
    and how many provider-weeks are missing in the longest dashboard window."""
    holidays = holidays_of(site.config.data)
    since = site.today - timedelta(weeks=max(recent_weeks(site.config.data)))
    audience = site.scoped.audience
    by_provider: dict[str, Outstanding] = {}
    by_school: dict[str, Outstanding] = {}
    recent = 0
    for row in sorted(site.rows.values(), key=lambda r: r.id):
        if row.status != "active":
            continue
        register = site.scoped.attendance.get(row.id)
        weeks = weeks_of(register) if register else []
        missing = missing_for(row.data, register, site.today, holidays)
        school = by_school.setdefault(row.school, Outstanding())
        for provider in row.providers:
            if audience.kind == "provider" and provider not in audience.providers:
                continue
            theirs = [m for m in missing if m.provider == provider]
            recent += sum(m.week >= since for m in theirs)
            latest = provider_marks_up_to(row.data, provider, weeks)
            for group in (by_provider.setdefault(provider, Outstanding()), school):
                group.weeks += len(theirs)
                group.week_starts.update(m.week for m in theirs)
                group.marks_up_to.append(latest)
                if theirs:
                    group.pupils.add(row.id)
    return by_provider, by_school, recent


def change_url(data: dict[str, Any], record_id: str, section: str) -> str | None:
    """A mailto: link to the hub mentor asking for a change to one section of an agreement.

    Only the record id and the section's name go into the message: no pupil data travels in
    a link (it may be logged by mail servers and browsers). None without a mentor's address.
    """
    mentor = data.get("hub_mentor")
    email = mentor.get("email") if isinstance(mentor, dict) else None
    if not isinstance(email, str) or "@" not in email:
        return None
    subject = f"Change request: {record_id}, {section}"
    body = (
        f"Record: {record_id}\nSection: {section}\n\nWhat should change, and why:\n\n"
        "(Please do not write pupil details here beyond the record id.)\n"
    )
    return (
        f"mailto:{quote(email, safe='@')}?subject={quote(subject, safe='')}"
        f"&body={quote(body, safe='')}"
    )


def not_shown_to(site: Site, row: Row, cls: str) -> list[str]:
    """Who, among the audiences that see this placement, cannot see class ``cls``.

    Shown on the hub's and schools' pages only, so that whoever prints or quotes a section
    knows who must not be given it.
    """
    if site.scoped.audience.kind not in ("hub", "school"):
        return []
    policy = site.config.data.get("audiences") or {}

    def grants(kind: str) -> frozenset[str]:
        given = (policy.get(kind + "s") or {}).get("grants")
        return frozenset(given) if given is not None else DEFAULT_GRANTS[kind]

    found = []
    if cls not in grants("school"):
        found.append(site.name_of("school", row.school))
    if cls not in grants("provider"):
        found += [site.name_of("provider", p) for p in row.providers]
    for custom in policy.get("custom") or []:
        theirs = row.school in custom.get("schools", []) or set(row.providers) & set(
            custom.get("providers", [])
        )
        if theirs and cls not in custom["grants"]:
            found.append(inert(custom["title"]))
    return found


def who_text(site: Site, who: tuple[str, ...], school: str) -> str:
    """Who does an action, in words: the hub's mentor, the school's and providers' names."""
    names = []
    for party in who:
        if party == "hub":
            names.append(f"{inert(site.config.hub)} mentor")
        elif party == "school":
            names.append(site.name_of("school", school))
        else:
            names.append(site.name_of("provider", party.removeprefix("provider:")))
    return ", ".join(names)


def _counts(rows: list[Row]) -> dict[str, int]:
    return {s: sum(r.status == s for r in rows) for s in ("requested", "active", "ended")}


def target_matrix(data: dict[str, Any]) -> tuple[list[str], list[tuple[str, str, list[Any]]]]:
    """Review dates, and per target id (label, latest wording, status at each review or None)."""
    reviews = model.reviews(data)
    wording: dict[str, Any] = {t["id"]: t["target"] for t in data.get("targets") or []}
    for review in reviews:
        for t in review.get("targets") or []:
            wording[t["id"]] = t["target"]
    rows = []
    for tid, words in sorted(wording.items(), key=lambda kv: int(kv[0][1:])):
        cells = []
        for review in reviews:
            found = next((p for p in review.get("progress") or [] if p["target"] == tid), None)
            cells.append(found["status"] if found else None)
        rows.append((tid, words, cells))
    return [r["date"] for r in reviews], rows


KIND_WORDS = {
    "hub": "the hub's site",
    "school": "a school's site",
    "provider": "a provider's site",
    "custom": "a restricted site",
}


def audience_banner(audience: Audience) -> str:
    """The line that opens every page (and printout): whose site this is, and that it is
    confidential, so nobody prints or forwards one audience's view as another's."""
    return (
        f'<p class="audience-banner" role="note"><strong>Built for: {inert(audience.title)}'
        f"</strong> ({KIND_WORDS.get(audience.kind, 'a restricted site')}). Confidential: "
        "personal data about children; do not share it beyond this audience.</p>\n\n"
    )


PARENTS_BANNER = (
    '<p class="audience-banner" role="note"><strong>For the pupil\'s parents and carers.'
    "</strong> This is about your child: please keep it safe and private, and ask the school "
    "if anything in it is unclear or wrong.</p>\n\n"
)
"""The line that opens the parents' copy: it is read by parents, not by staff."""


def _yaml(value: Any) -> str:
    """``value`` as one line of YAML: JSON, with characters outside ASCII as they are (YAML
    reads JSON's escapes of a character beyond U+FFFF as two lone surrogates)."""
    return json.dumps(value, ensure_ascii=False)


def render_pages(site: Site) -> Iterator[tuple[str, str]]:
    """(relative path, Markdown) of every generated page, each opened by the audience banner.

    A page that starts with a heading gets it as its title (front matter): MkDocs takes the
    title from an H1 only when it comes first, and the banner does, so search results and
    the browser tab would otherwise show the file name (a record id where the reader may
    see the pupil's name). The heading is already inert text; JSON quoting (:func:`_yaml`)
    keeps it one YAML string. Generated pages also get their one search entry's text
    (:mod:`aprecords.site.searchtext`).
    """
    banner = audience_banner(site.scoped.audience)
    summaries = searchtext.summaries(site)
    for rel, text in _pages(site):
        if text.startswith("---\n"):  # front matter stays first (the print views have one)
            end = text.index("\n---\n", 3) + 5
            opening = PARENTS_BANNER if rel.endswith("/print-parents.md") else banner
            yield rel, text[:end] + opening + text[end:]
        elif text.startswith("# "):
            heading = text[2 : text.index("\n")].strip() if "\n" in text else text[2:].strip()
            meta = f"title: {_yaml(heading)}\n"
            if found := summaries.get(rel):
                meta += f"{searchtext.META_KEY}: {_yaml(inert(found.text))}\n"
                if found.tags:
                    meta += f"{searchtext.TAGS_KEY}: {_yaml(list(found.tags))}\n"
            yield rel, f"---\n{meta}---\n" + banner + text
        else:
            yield rel, banner + text


def _pages(site: Site) -> Iterator[tuple[str, str]]:
    env = environment()
    common = dict(site=site, config=site.config, today=site.today, scoped=site.scoped)
    lengths = recent_weeks(site.config.data)
    scoped = site.scoped
    holidays = holidays_of(site.config.data)
    attendance = attendance_dashboard(
        scoped.placements, scoped.attendance, site.today, lengths, holidays
    )
    yield (
        "index.md",
        env.get_template("dashboard.md.j2").render(
            **common, lists=dashboard_lists(site), attendance=attendance, status=site.status
        ),
    )
    yield "schools/index.md", env.get_template("schools.md.j2").render(**common)
    school = env.get_template("school.md.j2")
    for sid, data in site.scoped.schools.items():
        yield f"schools/{sid}.md", school.render(**common, school=data, sid=sid)
    yield "providers/index.md", env.get_template("providers.md.j2").render(**common)
    provider = env.get_template("provider.md.j2")
    for prid, data in site.scoped.providers.items():
        yield f"providers/{prid}.md", provider.render(**common, provider=data, prid=prid)
    yield "placements/index.md", env.get_template("placements.md.j2").render(**common)
    placement = env.get_template("placement.md.j2")
    for pid, row in site.rows.items():
        path = site.scoped.paths.get(pid, "")
        commits = None if site.history is None else site.history.get(path, [])
        if commits and not site.scoped.audience.grants >= set(CLASSES):
            # A commit message is free text nobody classified: only audiences that may see
            # every class read it; the others see when and by whom the record changed.
            commits = [dataclasses.replace(c, subject=WITHHELD) for c in commits]
        dates, matrix = target_matrix(row.data)
        context = dict(
            **common,
            row=row,
            p=row.data,
            school=site.scoped.schools.get(row.school),
            commits=commits,
            review_dates=dates,
            matrix=matrix,
            attendance=agreement_section(
                pid, row.data, site.scoped.attendance.get(pid), site.today, lengths, holidays
            ),
        )
        yield f"placements/{pid}.md", placement.render(**context)
        yield from printviews.pages(site, pid, context)
