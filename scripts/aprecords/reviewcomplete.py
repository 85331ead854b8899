"""``aprecords review`` run again for a review's date: complete it rather than add another.

The guide says to run the command again once the register is imported. The review of that
date is then the latest one; where its attendance has no figures yet and the register now
covers the period, the register's figures are written into it (the placeholder comments the
command left are replaced), every other line kept as it was. Otherwise nothing is written and
the command says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from aprecords.attendance.reviews import ReviewPeriod
from aprecords.errors import UsageError
from aprecords.load import LoadError, load_text

FIGURE_KEYS = (
    "sessions_possible",
    "sessions_attended",
    "authorised_absence",
    "unauthorised_absence",
    "percentage",
)
PLACEHOLDER_STARTS = (
    "# No attendance register covers",
    "# The register has no marks for",
    "# missing weeks and run the command again",
    "# Not filled in:",
    "# in the register. Import the completed weeks",
    "# this date, or add the figures",
    "# (AM and PM count as one session each)",
    *(f"# {key}: 0" for key in FIGURE_KEYS),
)
"""The comment lines ``aprecords review`` writes where it cannot fill the figures in."""


@dataclass(frozen=True)
class Completion:
    """The new text (None: nothing to write) and what to tell the person running it."""

    text: str | None
    message: str


def _get(node: MappingNode, key: str) -> Node | None:
    for k, v in node.value:
        if isinstance(k, ScalarNode) and k.value == key:
            return v
    return None


def _attendance_node(text: str, rel: str) -> MappingNode:
    root = yaml.compose(text, Loader=yaml.CSafeLoader)
    reviews = _get(root, "reviews") if isinstance(root, MappingNode) else None
    last = reviews.value[-1] if isinstance(reviews, SequenceNode) and reviews.value else None
    found = _get(last, "attendance") if isinstance(last, MappingNode) else None
    if not isinstance(found, MappingNode) or found.flow_style or not found.value:
        raise UsageError(
            f"{rel}: the latest review's attendance is not written as 'key: value' lines; "
            "add its figures by hand"
        )
    return found


def complete(
    text: str, rel: str, review: dict[str, Any], period: ReviewPeriod | None, figures: list[str]
) -> Completion:
    """The latest review (of the same date) with the register's figures, where it lacks them.

    ``figures`` are the lines the command would write for ``period`` (indented for a review
    at column 0); they are re-indented to the review's own attendance block.
    """
    when = review.get("date")
    attendance = review.get("attendance") or {}
    if any(key in attendance for key in FIGURE_KEYS):
        return Completion(
            None,
            f"The review of {when} is already recorded with its attendance figures; nothing "
            "was changed. To correct it, edit the review (there is one review per date).",
        )
    if period is None or not period.covered:
        why = " ".join(
            line.strip().removeprefix("# ") for line in figures if line.strip().startswith("#")
        )
        return Completion(
            None,
            f"The review of {when} is already recorded and its attendance figures are still "
            f"not filled in: {why.split(' (AM and PM')[0]} Nothing was changed.",
        )
    node = _attendance_node(text, rel)
    indent = node.value[0][0].start_mark.column
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if "\r\n" in text else "\n"
    last = node.value[-1][1]
    after = last.end_mark.line if last.end_mark.column == 0 else last.end_mark.line + 1
    # Drop the placeholder comments that follow the block (only the command's own lines).
    end = after
    while end < len(lines) and lines[end].strip().startswith(PLACEHOLDER_STARTS):
        end += 1
    block = [" " * indent + line.strip() + newline for line in figures]
    new_text = "".join(lines[:after] + block + lines[end:])
    _check_completed(text, new_text, rel)
    return Completion(
        new_text,
        f"Completed the review of {when}: its attendance figures are now the register's.",
    )


def _check_completed(old_text: str, new_text: str, rel: str) -> None:
    """The new text must hold the old data with figures added to the latest review only."""
    try:
        old, new = load_text(old_text, rel).data, load_text(new_text, rel).data
    except LoadError:
        new = None
    ok = isinstance(new, dict) and {k: v for k, v in old.items() if k != "reviews"} == {
        k: v for k, v in new.items() if k != "reviews"
    }
    if ok:
        before, after = old["reviews"], new["reviews"]
        added = {k: v for k, v in after[-1]["attendance"].items() if k in FIGURE_KEYS}
        rest = {k: v for k, v in after[-1]["attendance"].items() if k not in FIGURE_KEYS}
        ok = (
            len(before) == len(after)
            and before[:-1] == after[:-1]
            and rest == before[-1]["attendance"]
            and set(added) == set(FIGURE_KEYS)
            and {k: v for k, v in after[-1].items() if k != "attendance"}
            == {k: v for k, v in before[-1].items() if k != "attendance"}
        )
    if not ok:
        raise UsageError(
            f"{rel}: the file is laid out in a way `aprecords review` does not expect, so it "
            "was left unchanged; add the review's attendance figures by hand"
        )
