"""What the search index holds for each generated page: one entry, not one per section.

Material's search splits every page into one entry per heading. A placement page has some
28 (each agreement section, every review, attendance, change history), so at 1,000
placements the index was 17.7 MB, fetched and indexed on every page load (issue 23). A
generated page instead carries a ``search_summary`` (front matter, written by
:func:`aprecords.site.render.render_pages`): what identifies it, and the engine
(:func:`collapse`, called by :mod:`aprecords.site.engine`) replaces the page's entries with one
entry of that text. Help pages keep Material's entries per section.

A summary holds only what the page itself shows this audience: a withheld value (the pupil's
name or UPN where the audience may not see identity) is left out, never replaced.
"""

from __future__ import annotations

from html import escape, unescape
from typing import Any, NamedTuple

from aprecords.scope import WITHHELD

META_KEY = "search_summary"
"""The front matter key of a page's summary."""
TAGS_KEY = "search_tags"
"""The front matter key of a page's ids, put in its entry's ``tags``: Material weighs that
field above titles, so an exact record id outranks the school page whose name the id starts
with (and a school's or provider's own id keeps its page first), and shows them as chips."""


class Summary(NamedTuple):
    text: str
    tags: tuple[str, ...] = ()


def _words(*values: Any) -> list[str]:
    """The values that are texts shown to this audience (withheld and empty ones left out)."""
    return [str(v).strip() for v in values if v is not WITHHELD and isinstance(v, str | int)]


def _name(records: dict[str, Any], ident: str) -> str:
    found = records.get(ident)
    name = found.get("name") if isinstance(found, dict) else None
    return name if isinstance(name, str) else ident


def placement(row: Any, scoped: Any) -> str:
    """Status, pupil's name and UPN (where shown), school, providers and courses of one
    placement (its record id is the entry's tag). Every word costs bytes and indexing time
    a thousand times over, so nothing else."""
    data = row.data
    student = data.get("student") if isinstance(data.get("student"), dict) else {}
    parts = [row.status, *_words(student.get("name"), student.get("upn"))]
    parts.append(_name(scoped.schools, row.school))
    for pl in data.get("placements") or []:
        if isinstance(pl, dict):
            provider = _name(scoped.providers, str(pl.get("provider", "")))
            parts.append(": ".join([provider, *_words(pl.get("course"))]))
    return ". ".join(p for p in parts if p) + "."


def organisation(ident: str, data: dict[str, Any]) -> str:
    """A school's or provider's name, id, and URN / LAESTAB / registration numbers."""
    keys = ("urn", "laestab", "ukprn")
    return " ".join([*_words(data.get("name"), ident), *_words(*(data.get(k) for k in keys))])


LISTS = {
    "index.md": "Dashboard: action needed, reviews due, attendance returns.",
    "schools/index.md": "Every school.",
    "providers/index.md": "Every provider.",
    "placements/index.md": "Every placement agreement, by status.",
}
"""The summaries of the list pages: their tables are the placements' own entries again."""


def summaries(site: Any) -> dict[str, Summary]:
    """Markdown path -> summary of every generated page but the print views (excluded)."""
    scoped = site.scoped
    found = {rel: Summary(text) for rel, text in LISTS.items()}
    for sid, data in scoped.schools.items():
        found[f"schools/{sid}.md"] = Summary(organisation(sid, data), (sid,))
    for prid, data in scoped.providers.items():
        found[f"providers/{prid}.md"] = Summary(organisation(prid, data), (prid,))
    for pid, row in site.rows.items():
        found[f"placements/{pid}.md"] = Summary(placement(row, scoped), (pid,))
    return found


def collapse(
    entries: list[dict[str, Any]], start: int, url: str, summary: str, tags: Any = None
) -> None:
    """Replace the entries one page added (``entries[start:]``) by one entry for ``url``:
    the page's title (its first heading's, as Material wrote it) and ``summary`` (inert text,
    as every record value in the Markdown: its character references are read, then it is
    escaped as Material escapes page text), with ``tags`` (a list of texts) when given.
    Nothing changes for a page that added none (excluded)."""
    added = entries[start:]
    if not added:
        return
    first = next((e for e in added if "#" in e.get("location", "")), added[0])
    entry = {**added[0], "location": url, "title": first.get("title", ""), "text": ""}
    entry["text"] = escape(" ".join(unescape(summary).split()), quote=False)
    if isinstance(tags, list) and tags:
        entry["tags"] = [escape(unescape(str(t)), quote=False) for t in tags]
    entries[start:] = [entry]
