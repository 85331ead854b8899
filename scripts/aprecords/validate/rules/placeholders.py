"""Places left to fill in a scaffolded record."""

from __future__ import annotations

from collections.abc import Iterator

from aprecords import model
from aprecords.findings import pointer
from aprecords.repository import Record
from aprecords.validate.rules.base import Context, Hit, rule

MARK = "FILL IN"


@rule(
    "placeholder-filled",
    "No 'FILL IN' placeholder is left from `aprecords new` or `review`.",
    kinds=("school", "provider", "placement"),
)
def placeholder_filled(record: Record, ctx: Context) -> Iterator[Hit]:
    """`new` and `review` mark every answer still to give with 'FILL IN: ...'."""
    for path, text in model.string_leaves(record.data):
        if text.lstrip().upper().startswith(MARK):
            yield Hit(
                record,
                pointer(*path),
                f"this still says '{text.strip()}'; replace it with the answer",
            )
