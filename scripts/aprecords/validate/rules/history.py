"""History rules: what a change may do to records that existed at a base revision.

These rules have scope "history": the normal driver skips them, and
``aprecords.validate.history.check_history`` runs them for ``validate --base REV``. Each takes
a ``HistoryContext`` and yields a ``Hit`` (a place in the record as it is now) or a ``Gone``
(a record file that no longer exists).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from aprecords import retention
from aprecords.findings import pointer
from aprecords.repository import Record, Repository
from aprecords.validate.rules.base import Hit, rule
from aprecords.values import same


@dataclass(frozen=True)
class Gone:
    """A finding about a file that was deleted: reported at the old path, line 1."""

    path: str
    message: str


@dataclass(frozen=True)
class Change:
    """One placement record at the base revision and what became of it."""

    old_path: str
    old: dict[str, Any]
    new: Record | None  # the record with the same id now (same path preferred), or None
    at_old_path: Record | None  # whatever record now sits at the old path


@dataclass(frozen=True)
class HistoryContext:
    """What history rules look at: the repository now, the base revision and the changes."""

    repo: Repository
    today: date
    base: str
    changes: tuple[Change, ...]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _label(path: tuple[str | int, ...]) -> str:
    text = ""
    for token in path:
        text += f"[{token + 1}]" if isinstance(token, int) else ("." if text else "") + token
    return text or "the review"


def differences(old: Any, new: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Paths where ``new`` differs from ``old``, each "removed", "added" or "changed".

    Values are compared as loaded, never as text (``values.same``): a record re-laid out by
    ``aprecords fmt`` or the web form (block lists, other quoting, ``90.0`` written ``90``,
    ``|`` written ``|-``, keys reordered, comments dropped) has no differences."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key, value in old.items():
            if key not in new:
                yield (*path, key), "removed"
            else:
                yield from differences(value, new[key], (*path, key))
        for key in new:
            if key not in old:
                yield (*path, key), "added"
    elif isinstance(old, list) and isinstance(new, list):
        for i, value in enumerate(old):
            if i >= len(new):
                yield (*path, i), "removed"
            else:
                yield from differences(value, new[i], (*path, i))
        for i in range(len(old), len(new)):
            yield (*path, i), "added"
    elif not same(old, new, final_breaks=True):
        yield path, "changed"


def _where(base: tuple, path: tuple, how: str) -> tuple[str, bool]:
    """Pointer and key flag to report a difference at (a removal: the mapping that lost it)."""
    if how == "removed":
        return pointer(*base, *path[:-1]), False
    return pointer(*base, *path), how == "added" and bool(path) and isinstance(path[-1], str)


def _without_amendments(review: Any) -> Any:
    if not isinstance(review, dict):
        return review
    return {k: v for k, v in review.items() if k != "amendments"}


@rule(
    "review-unchanged",
    "A review recorded at the base revision is not changed or removed; corrections are added "
    "as amendments.",
    scope="history",
)
def review_unchanged(ctx: HistoryContext) -> Iterator[Hit]:
    """Reviews are matched by position and date; only new amendments may be added to them."""
    for change in ctx.changes:
        if change.new is None:
            continue
        record = change.new
        old_reviews = _list(change.old.get("reviews"))
        new_reviews = _list(record.data.get("reviews"))
        for i, old in enumerate(old_reviews):
            when = _dict(old).get("date", "?")
            fix = (
                "put it back exactly as it was at " + ctx.base + "; to correct a recorded "
                "review, add an entry under its 'amendments' (date, by, what, why)"
            )
            if i >= len(new_reviews):
                ptr = pointer("reviews") if "reviews" in record.data else ""
                yield Hit(
                    record,
                    ptr,
                    f"the review of {when} (review {i + 1}) was recorded at {ctx.base} and "
                    f"has been removed; reviews are never deleted: {fix}",
                    key=bool(ptr),
                )
                break
            new = new_reviews[i]
            if _dict(new).get("date") != when:
                yield Hit(
                    record,
                    pointer("reviews", i),
                    f"review {i + 1} was the review of {when} at {ctx.base} but is now "
                    f"{_dict(new).get('date', 'different')}; recorded reviews cannot be "
                    f"changed, removed or reordered (new reviews go at the end): {fix}",
                )
                break
            base = ("reviews", i)
            for path, how in differences(_without_amendments(old), _without_amendments(new)):
                ptr, key = _where(base, path, how)
                yield Hit(
                    record,
                    ptr,
                    f"{_label(path)} of the review of {when} was {how}; that review was "
                    f"recorded at {ctx.base} and cannot be rewritten: {fix}",
                    key=key,
                )
            old_amend = _list(_dict(old).get("amendments"))
            new_amend = _list(_dict(new).get("amendments"))
            for j, amendment in enumerate(old_amend):
                if j >= len(new_amend) or not same(new_amend[j], amendment, final_breaks=True):
                    gone = j >= len(new_amend)
                    ptr = pointer(*base, "amendments", *(() if gone else (j,)))
                    yield Hit(
                        record,
                        ptr,
                        f"amendment {j + 1} of the review of {when} was recorded at "
                        f"{ctx.base} and has been {'removed' if gone else 'changed'}; "
                        "amendments are kept as written: put it back and add a further "
                        "amendment instead",
                        key=gone,
                    )
                    break


@rule(
    "record-kept",
    "A placement record that existed at the base revision keeps its file and id until its "
    "retention period is over.",
    scope="history",
)
def record_kept(ctx: HistoryContext) -> Iterator[Hit | Gone]:
    """Deletion is allowed only ``retention_years`` after the placement ended."""
    years = ctx.repo.config.retention_years
    for change in ctx.changes:
        if change.new is not None or retention.is_deletable(change.old, years, ctx.today):
            continue
        old_id = change.old.get("id")
        first = retention.deletable_from(change.old, years)
        when = (
            f"it may be deleted from {first}"
            if first
            else "the placement has not ended, so it must be kept"
        )
        how = (
            f"records are kept for {years} years after the placement ends ({when}); "
            "restore it, and propose deletions deliberately from the list that "
            "`aprecords retention` prints"
        )
        if change.at_old_path is not None:
            yield Hit(
                change.at_old_path,
                pointer("id"),
                f"this file held the record '{old_id}' at {ctx.base}, and no record has "
                f"that id now; a record's id never changes: put the id back. {how}",
            )
        else:
            yield Gone(change.old_path, f"the placement record '{old_id}' was deleted; {how}")


def _upn(data: dict[str, Any]) -> str | None:
    value = _dict(data.get("student")).get("upn")
    return value.strip().upper() if isinstance(value, str) and value.strip() else None


def _name(data: dict[str, Any]) -> str:
    value = _dict(data.get("student")).get("name")
    return " ".join(value.casefold().split()) if isinstance(value, str) else ""


SIMILAR_NAME = 0.8


def _pupil_change(change: Change) -> str | None:
    """How the pupil differs from the base: "upn" or "name" (another pupil), "renamed", None.

    Different UPNs mean another pupil. Otherwise a name that changed a little is a spelling
    correction ("renamed"), and one that changed a lot is another pupil unless both versions
    give the same UPN (then it is the same pupil under a new name: "renamed" too).
    """
    if change.new is None:
        return None
    old_upn, new_upn = _upn(change.old), _upn(change.new.data)
    if old_upn and new_upn and old_upn != new_upn:
        return "upn"
    old_name, new_name = _name(change.old), _name(change.new.data)
    if old_name == new_name:
        return None
    alike = difflib.SequenceMatcher(None, old_name, new_name).ratio() >= SIMILAR_NAME
    return "renamed" if alike or (old_upn and old_upn == new_upn) else "name"


@rule(
    "id-not-reused",
    "A record id that existed at the base revision is not reused for a different pupil.",
    scope="history",
)
def id_not_reused(ctx: HistoryContext) -> Iterator[Hit]:
    """A different UPN, or a quite different name without the same UPN, is another pupil."""
    for change in ctx.changes:
        field = _pupil_change(change)
        if change.new is None or field not in ("upn", "name"):
            continue
        what = "UPN" if field == "upn" else "name"
        yield Hit(
            change.new,
            pointer("student", field),
            f"the id '{change.new.id}' belonged to a different pupil at {ctx.base} (the "
            f"{what} is different); an id stays with one pupil for good: put this record "
            "back as it was and create the new pupil's record with `aprecords new`",
        )


@rule(
    "pupil-renamed",
    "The pupil's name changed since the base revision: a reviewer checks it is the same pupil.",
    scope="history",
    severity="warning",
)
def pupil_renamed(ctx: HistoryContext) -> Iterator[Hit]:
    """Spelling corrections and renamings (same UPN) pass with a warning for the reviewer."""
    for change in ctx.changes:
        if change.new is not None and _pupil_change(change) == "renamed":
            yield Hit(
                change.new,
                pointer("student", "name"),
                f"the pupil's name has changed since {ctx.base}; fine if this corrects the "
                "same pupil's name, but a different pupil needs a new record "
                "(`aprecords new`)",
            )
