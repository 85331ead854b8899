"""History rules called directly on hand-made changes: every hit's record, place and words.

Written to kill the mutants of ``validate/rules/history.py`` that the git-based tests in
``test_history.py`` let survive (README "Mutation testing"). Each test builds the base-revision
data and today's record by hand and compares the rule's hits whole, so a changed pointer,
key flag, number or sentence fails.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

from aprecords.load import Document
from aprecords.repository import Record
from aprecords.validate.rules import history
from aprecords.validate.rules.base import Hit
from aprecords.validate.rules.history import Change, Gone, HistoryContext

BASE = "main"
FIX = (
    "put it back exactly as it was at main; to correct a recorded review, add an entry "
    "under its 'amendments' (date, by, what, why)"
)
PATH = "records/placements/hollybrook/hollybrook-2025-001.yaml"
OTHER = "records/placements/hollybrook/hollybrook-2025-002.yaml"
AMENDED = {"date": "2026-01-08", "by": "Ms A", "what": "Behaviour", "why": "Log corrected."}


def rec(data: dict[str, Any], path: str = PATH) -> Record:
    return Record("placement", Document(path, data, ""))


def ctx(*changes: Change, years: int = 6, today: str = "2026-01-10") -> HistoryContext:
    repo = SimpleNamespace(config=SimpleNamespace(retention_years=years))
    return HistoryContext(repo, date.fromisoformat(today), BASE, changes)  # type: ignore[arg-type]


def edited(old: dict[str, Any], new: dict[str, Any] | None, path: str = PATH) -> Change:
    """The record at ``path`` changed from ``old`` to ``new`` (None: deleted)."""
    now = rec(new, path) if new is not None else None
    return Change(path, old, now, now)


def hits(rule: Any, context: HistoryContext) -> list[Any]:
    return list(rule.check(context))


def review(day: str, **fields: Any) -> dict[str, Any]:
    return {"date": day, **fields}


# --- review-unchanged ---------------------------------------------------------------------------


def test_a_deleted_record_is_skipped_and_the_next_change_still_checked() -> None:
    old = {"reviews": [review("2025-12-09", notes="fine")]}
    new = {"reviews": [review("2025-12-09", notes="good")]}
    later = edited(old, new, OTHER)
    found = hits(history.review_unchanged, ctx(edited(old, None), later))
    assert [(h.record.path, h.pointer) for h in found] == [(OTHER, "/reviews/0/notes")]


def test_a_removed_review_is_reported_once_at_the_reviews_key() -> None:
    old = {"reviews": [review("2025-11-01"), review("2025-12-09"), review("2026-01-05")]}
    new = {"reviews": [review("2025-11-01")]}
    change = edited(old, new)
    assert hits(history.review_unchanged, ctx(change)) == [
        Hit(
            change.new,
            "/reviews",
            "the review of 2025-12-09 (review 2) was recorded at main and has been removed; "
            f"reviews are never deleted: {FIX}",
            key=True,
        )
    ]


def test_removing_every_review_and_the_key_reports_at_the_top_and_goes_on() -> None:
    """No 'reviews' key left: the finding is at the top of the file, not on a key."""
    first = edited({"reviews": [{"notes": "undated"}]}, {"id": "a"})
    second = edited({"reviews": [review("2025-12-09")]}, {"reviews": []}, OTHER)
    assert hits(history.review_unchanged, ctx(first, second)) == [
        Hit(
            first.new,
            "",
            "the review of ? (review 1) was recorded at main and has been removed; "
            f"reviews are never deleted: {FIX}",
            key=False,
        ),
        Hit(
            second.new,
            "/reviews",
            "the review of 2025-12-09 (review 1) was recorded at main and has been removed; "
            f"reviews are never deleted: {FIX}",
            key=True,
        ),
    ]


def test_a_review_with_another_date_is_reported_at_that_review_and_goes_on() -> None:
    old = {"reviews": [review("2025-11-01"), review("2025-12-09"), review("2026-01-05")]}
    new = {"reviews": [review("2025-11-01"), review("2025-12-10"), "not a review"]}
    first = edited(old, new)
    second = edited({"reviews": [review("2025-11-01")]}, {"reviews": ["text"]}, OTHER)
    assert hits(history.review_unchanged, ctx(first, second)) == [
        Hit(
            first.new,
            "/reviews/1",
            "review 2 was the review of 2025-12-09 at main but is now 2025-12-10; recorded "
            f"reviews cannot be changed, removed or reordered (new reviews go at the end): {FIX}",
        ),
        Hit(
            second.new,
            "/reviews/0",
            "review 1 was the review of 2025-11-01 at main but is now different; recorded "
            f"reviews cannot be changed, removed or reordered (new reviews go at the end): {FIX}",
        ),
    ]


def rewritten(old_review: dict[str, Any], new_review: Any) -> list[tuple[str, str, bool]]:
    change = edited({"reviews": [old_review]}, {"reviews": [new_review]})
    found = hits(history.review_unchanged, ctx(change))
    assert all(h.record is change.new for h in found)
    return [(h.pointer, h.message, h.key) for h in found]


def says(label: str, how: str, day: str = "2025-12-09") -> str:
    return (
        f"{label} of the review of {day} was {how}; that review was recorded at main and "
        f"cannot be rewritten: {FIX}"
    )


def test_a_changed_nested_value_is_named_by_its_path() -> None:
    old = review("2025-12-09", attendance={"percentage": 94.4})
    new = review("2025-12-09", attendance={"percentage": 95})
    assert rewritten(old, new) == [
        ("/reviews/0/attendance/percentage", says("attendance.percentage", "changed"), False)
    ]


def test_a_value_of_another_type_is_a_change() -> None:
    """But a number is a number: 10 written 10.0 (or the form's 90 for 90.0) is the same."""
    old = review("2025-12-09", attendance={"sessions": 10, "list": [1], "map": {"a": 1}})
    new = review("2025-12-09", attendance={"sessions": 10.0, "list": {"a": 1}, "map": [1]})
    assert rewritten(old, new) == [
        ("/reviews/0/attendance/list", says("attendance.list", "changed"), False),
        ("/reviews/0/attendance/map", says("attendance.map", "changed"), False),
    ]


def test_a_removed_key_is_reported_at_the_mapping_that_lost_it() -> None:
    old = review("2025-12-09", interventions="None", targets=[{"text": "Attend", "note": "ok"}])
    new = review("2025-12-09", targets=[{"text": "Attend"}])
    assert rewritten(old, new) == [
        ("/reviews/0", says("interventions", "removed"), False),
        ("/reviews/0/targets/0", says("targets[1].note", "removed"), False),
    ]


def test_an_added_key_is_reported_on_the_key() -> None:
    old = review("2025-12-09", targets=[{"text": "Attend"}])
    new = review("2025-12-09", extra="x", targets=[{"text": "Attend", "note": "new"}])
    assert rewritten(old, new) == [
        ("/reviews/0/targets/0/note", says("targets[1].note", "added"), True),
        ("/reviews/0/extra", says("extra", "added"), True),
    ]


def test_list_items_added_and_removed_are_numbered_from_one() -> None:
    old = review("2025-12-09", targets=["a", "b", "c"], actions=["x"])
    new = review("2025-12-09", targets=["a", "B"], actions=["x", "y"])
    assert rewritten(old, new) == [
        ("/reviews/0/targets/1", says("targets[2]", "changed"), False),
        ("/reviews/0/targets", says("targets[3]", "removed"), False),
        ("/reviews/0/actions/1", says("actions[2]", "added"), False),
    ]


def test_a_review_that_is_no_longer_a_mapping_is_a_change_of_the_review() -> None:
    """Base revisions are not schema-checked: an undated review may become plain text."""
    assert rewritten({"date": None}, "a note") == [
        ("/reviews/0", says("the review", "changed", "None"), False)
    ]


def test_amendments_removed_or_changed_are_reported_per_review() -> None:
    second = {**AMENDED, "why": "Second look."}
    old = {
        "reviews": [
            review("2025-11-01", amendments=[AMENDED, second]),
            review("2025-12-09", amendments=[AMENDED, second]),
        ]
    }
    new = {
        "reviews": [
            review("2025-11-01", amendments=[AMENDED]),
            review("2025-12-09", amendments=[AMENDED, {**second, "why": "Rewritten."}]),
        ]
    }
    change = edited(old, new)
    assert hits(history.review_unchanged, ctx(change)) == [
        Hit(
            change.new,
            "/reviews/0/amendments",
            "amendment 2 of the review of 2025-11-01 was recorded at main and has been "
            "removed; amendments are kept as written: put it back and add a further "
            "amendment instead",
            key=True,
        ),
        Hit(
            change.new,
            "/reviews/1/amendments/1",
            "amendment 2 of the review of 2025-12-09 was recorded at main and has been "
            "changed; amendments are kept as written: put it back and add a further "
            "amendment instead",
            key=False,
        ),
    ]


# --- record-kept --------------------------------------------------------------------------------

KEEP = (
    "records are kept for 6 years after the placement ends ({when}); restore it, and propose "
    "deletions deliberately from the list that `aprecords retention` prints"
)


def test_a_deleted_record_is_gone_with_its_first_deletable_day() -> None:
    unchanged = edited({"id": "a"}, {"id": "a"})
    old = {"id": "hollybrook-2025-002", "ended": {"date": "2025-07-18"}}
    deleted = Change(OTHER, old, None, None)
    assert hits(history.record_kept, ctx(unchanged, deleted)) == [
        Gone(
            OTHER,
            "the placement record 'hollybrook-2025-002' was deleted; "
            + KEEP.format(when="it may be deleted from 2031-07-19"),
        )
    ]


def test_an_id_changed_in_place_is_reported_at_the_id() -> None:
    now = rec({"id": "hollybrook-2025-009"})
    change = Change(PATH, {"id": "hollybrook-2025-001"}, None, now)
    assert hits(history.record_kept, ctx(change)) == [
        Hit(
            now,
            "/id",
            "this file held the record 'hollybrook-2025-001' at main, and no record has that "
            "id now; a record's id never changes: put the id back. "
            + KEEP.format(when="the placement has not ended, so it must be kept"),
        )
    ]


# --- id-not-reused and pupil-renamed ------------------------------------------------------------


def pupil(name: Any = "John Lee", upn: Any = None, id: str = "hollybrook-2025-001") -> dict:
    student = {"name": name} if upn is None else {"name": name, "upn": upn}
    return {"id": id, "student": student}


REUSED = (
    "the id 'hollybrook-2025-001' belonged to a different pupil at main (the {what} is "
    "different); an id stays with one pupil for good: put this record back as it was and "
    "create the new pupil's record with `aprecords new`"
)
RENAMED = (
    "the pupil's name has changed since main; fine if this corrects the same pupil's name, "
    "but a different pupil needs a new record (`aprecords new`)"
)


def verdicts(*changes: Change) -> list[tuple[str, str, str]]:
    """(rule, pointer, message) of id-not-reused and pupil-renamed, in that order."""
    context = ctx(*changes)
    return [
        (rule.id, h.pointer, h.message)
        for rule in (history.id_not_reused, history.pupil_renamed)
        for h in hits(rule, context)
    ]


def test_a_different_upn_is_another_pupil_after_an_unchanged_one() -> None:
    same = edited(pupil(), pupil())
    other = edited(pupil(upn="P207000016049"), pupil(upn="A207000016049"), OTHER)
    assert verdicts(edited(pupil(), None), same, other) == [
        ("id-not-reused", "/student/upn", REUSED.format(what="UPN"))
    ]


def test_a_quite_different_name_is_another_pupil() -> None:
    # "amy lee" / "amy li": similarity 0.77, under 0.8
    assert verdicts(edited(pupil("Amy Lee"), pupil("Amy  LI"))) == [
        ("id-not-reused", "/student/name", REUSED.format(what="name"))
    ]


def test_a_name_at_the_similarity_threshold_is_a_spelling_correction() -> None:
    # "john lee" / "john li": similarity exactly 0.8
    assert verdicts(edited(pupil("John Lee"), pupil("John Li"))) == [
        ("pupil-renamed", "/student/name", RENAMED)
    ]


def test_a_new_name_with_the_same_upn_is_the_same_pupil_whatever_the_case() -> None:
    change = edited(pupil("Amy Lee", " p207000016049 "), pupil("Zoe Hill", "P207000016049"))
    assert verdicts(change) == [("pupil-renamed", "/student/name", RENAMED)]


def test_a_missing_name_and_a_blank_one_are_the_same() -> None:
    assert verdicts(edited({"id": "x", "student": None}, pupil(name="   "))) == []
    assert verdicts(edited(pupil(name=None), pupil(name="Amy Lee"))) == [
        ("id-not-reused", "/student/name", REUSED.format(what="name"))
    ]
