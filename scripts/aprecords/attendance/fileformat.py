"""The text of an attendance file: one line per week, changed in place where possible.

Canonical layout (what ``aprecords attendance import`` writes for a new file)::

    # yaml-language-server: $schema=../../schema/attendance.schema.json
    # Session marks, one line per week commencing Monday: Mon AM, Mon PM ... Fri AM, Fri PM.
    # - no session planned; / \\ present; see docs/attendance.md for every code.
    placement: hollybrook-2025-001
    weeks:
      - {week: 2025-09-15, marks: [-, -, /, \\, -, -, /, -, -, -]}

An existing file is edited line by line: a new week is inserted as one line at its place
in date order, a replaced week's line is rewritten from its opening brace to its closing
one (comments on the line survive). Only when the weeks are not written one per line (for
example hand-edited in block style) is the whole file re-written in the canonical layout,
keeping the comment lines at its top.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

HEADER = (
    "# yaml-language-server: $schema=../../schema/attendance.schema.json\n"
    "# Session marks, one line per week commencing Monday: Mon AM, Mon PM ... Fri AM, Fri PM.\n"
    "# - no session planned; / \\ present; see docs/attendance.md for every code.\n"
)
# Marks that YAML would read as something else unless quoted.
_QUOTED = {"#"}


def mark_text(mark: str) -> str:
    """One mark as written in a flow list (``#`` needs quotes in YAML)."""
    return f'"{mark}"' if mark in _QUOTED else mark


def week_text(week: date, marks: Sequence[str]) -> str:
    """The canonical flow mapping of one week: ``{week: ..., marks: [...]}``."""
    shown = ", ".join(mark_text(mark) for mark in marks)
    return f"{{week: {week.isoformat()}, marks: [{shown}]}}"


def canonical(placement: str, weeks: dict[date, Sequence[str]], header: str = HEADER) -> str:
    """A whole attendance file in the canonical layout, weeks oldest first."""
    lines = [header.rstrip("\n") + "\n" if header else "", f"placement: {placement}\n"]
    if not weeks:
        return "".join(lines) + "weeks: []\n"
    lines.append("weeks:\n")
    lines.extend(f"  - {week_text(w, weeks[w])}\n" for w in sorted(weeks))
    return "".join(lines)


def leading_comments(text: str) -> str:
    """The comment (and blank) lines at the top of a file, kept when it is re-written."""
    kept: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.strip() and not line.lstrip().startswith("#"):
            break
        kept.append(line)
    return "".join(kept)


def _weeks_node(text: str) -> SequenceNode | None:
    root = yaml.compose(text, Loader=yaml.CSafeLoader)
    if not isinstance(root, MappingNode):
        return None
    for key, value in root.value:
        if getattr(key, "value", None) == "weeks" and isinstance(value, SequenceNode):
            return value
    return None


def _one_line_items(node: SequenceNode) -> list[tuple[Node, date]] | None:
    """The weeks' nodes with their dates, if every week is a one-line flow mapping."""
    if node.flow_style or not node.value:
        return None
    items = []
    for item in node.value:
        if not (isinstance(item, MappingNode) and item.flow_style):
            return None
        if item.start_mark.line != item.end_mark.line:
            return None
        when = next((v.value for k, v in item.value if k.value == "week"), None)
        try:
            items.append((item, date.fromisoformat(when)))
        except (TypeError, ValueError):
            return None
    return items


def apply(
    text: str,
    placement: str,
    current: dict[date, Sequence[str]],
    changes: dict[date, Sequence[str]],
) -> tuple[str, bool]:
    """New text with ``changes`` (new or replaced weeks) applied; and whether it was re-written.

    ``current`` is the file's weeks as loaded; ``changes`` never holds a week unchanged.
    """
    node = _weeks_node(text)
    items = _one_line_items(node) if node is not None else None
    if items is None or len({d for _, d in items}) != len(items):
        merged = {**current, **changes}
        return canonical(placement, merged, leading_comments(text)), True
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    by_date = {when: item for item, when in items}
    # Replace in place first (line numbers do not move), then insert from the bottom up.
    for when, marks in changes.items():
        item = by_date.get(when)
        if item is not None:
            row, start, end = item.start_mark.line, item.start_mark.column, item.end_mark.column
            lines[row] = lines[row][:start] + week_text(when, marks) + lines[row][end:]
    inserts: list[tuple[int, date, str]] = []
    for when in sorted(w for w in changes if w not in by_date):
        later = [item for item, d in items if d > when]
        anchor = later[0] if later else items[-1][0]
        row = anchor.start_mark.line if later else anchor.end_mark.line + 1
        prefix = lines[anchor.start_mark.line][: anchor.start_mark.column]
        inserts.append((row, when, prefix + week_text(when, changes[when]) + "\n"))
    for row, _, line in sorted(inserts, reverse=True):
        lines.insert(row, line)
    return "".join(lines), False
