"""Places left to fill in a scaffolded record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from aprecords.findings import pointer
from aprecords.repository import Record
from aprecords.validate.rules.base import Context, Hit, rule

MARK = "FILL IN"


def _strings(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, (*path, i))


@rule(
    "placeholder-filled",
    "No 'FILL IN' placeholder is left from `aprecords new` or `review`.",
    kinds=("school", "provider", "placement"),
)
def placeholder_filled(record: Record, ctx: Context) -> Iterator[Hit]:
    """`new` and `review` mark every answer still to give with 'FILL IN: ...'."""
    for path, text in _strings(record.data):
        if text.lstrip().upper().startswith(MARK):
            yield Hit(
                record,
                pointer(*path),
                f"this still says '{text.strip()}'; replace it with the answer",
            )
