"""The text of an attendance file, in the canonical layout every record has (``canonical.py``).

A new file holds the placement and its weeks, oldest first::

    placement: hollybrook-2025-001
    weeks:
      - week: 2025-09-15
        marks:
          - '-'
          - '-'
          - /
          ...

An existing file gets its new and replaced weeks merged in date order; every other value
and every comment is kept (a comment beside a week moves with that week).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from aprecords.canonical import Comments, Path_, comments_of, layout
from aprecords.load import load_text


def week_item(week: date, marks: Sequence[str]) -> dict[str, Any]:
    """One week as the record holds it."""
    return {"week": week.isoformat(), "marks": list(marks)}


def new_file(placement: str, weeks: dict[date, Sequence[str]], schema: dict[str, Any]) -> str:
    """A whole attendance file in the canonical layout, weeks oldest first."""
    data = {"placement": placement, "weeks": [week_item(w, weeks[w]) for w in sorted(weeks)]}
    return layout(data, schema, Comments())


def _when(item: Any) -> date:
    try:
        return date.fromisoformat(item.get("week"))
    except (AttributeError, TypeError, ValueError):
        return date.max  # not a week: kept, after the dated ones


def apply(text: str, changes: dict[date, Sequence[str]], schema: dict[str, Any]) -> str:
    """The file's text with ``changes`` (new or replaced weeks' marks) merged in."""
    data = dict(load_text(text, "attendance").data)
    old = data.get("weeks") if isinstance(data.get("weeks"), list) else []
    entries: list[tuple[date, int | None, Any]] = []
    seen: set[date] = set()
    for i, item in enumerate(old):
        when = _when(item)
        if when in changes and when not in seen:
            item = {**item, "marks": list(changes[when])}
        seen.add(when)
        entries.append((when, i, item))
    entries += [(w, None, week_item(w, changes[w])) for w in changes if w not in seen]
    entries.sort(key=lambda e: e[0])
    data["weeks"] = [item for _, _, item in entries]
    moved = {i: j for j, (_, i, _) in enumerate(entries) if i is not None}
    return layout(data, schema, _renumbered(comments_of(text), moved))


def _renumbered(comments: Comments, moved: dict[int, int]) -> Comments:
    """The comments with each week's index changed to where that week is now."""

    def path(p: Path_) -> Path_:
        if len(p) >= 2 and p[0] == "weeks" and isinstance(p[1], int) and p[1] in moved:
            return ("weeks", moved[p[1]], *p[2:])
        return p

    def remap(table: dict[Path_, list[str]]) -> dict[Path_, list[str]]:
        return {path(p): notes for p, notes in table.items()}

    return replace(
        comments,
        before=remap(comments.before),
        eol=remap(comments.eol),
        after=remap(comments.after),
        tail=remap(comments.tail),
    )
