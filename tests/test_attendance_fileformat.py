"""The attendance file's text: the canonical layout, weeks merged in date order, every other
value and comment kept."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from aprecords.attendance.codes import MARKS
from aprecords.attendance.fileformat import apply, new_file
from aprecords.canonical import canonical
from aprecords.load import load_text
from aprecords.schemas import Schemas
from conftest import PROJECT

SCHEMA = Schemas(PROJECT / "schema").resolved("attendance")
MONDAY = date(2025, 9, 1)
weeks = st.dictionaries(
    st.integers(0, 30).map(lambda n: MONDAY + timedelta(weeks=n)),
    st.lists(st.sampled_from(MARKS), min_size=10, max_size=10).map(tuple),
    max_size=8,
)


def loaded(text: str) -> dict[date, tuple[str, ...]]:
    data = load_text(text, "x.yaml").data
    assert data["placement"] == "p-1"
    return {date.fromisoformat(w["week"]): tuple(w["marks"]) for w in data["weeks"] or []}


def is_canonical(text: str) -> bool:
    return canonical(text, "x.yaml", SCHEMA) == text


@settings(max_examples=60, deadline=None)
@given(weeks)
def test_a_new_file_reads_back_and_is_canonical(current: dict) -> None:
    text = new_file("p-1", current, SCHEMA)
    assert loaded(text) == current
    assert is_canonical(text)
    assert "{" not in text and "[" not in text.replace("weeks: []", "")


@settings(max_examples=60, deadline=None)
@given(weeks, weeks)
def test_apply_merges_in_date_order_keeping_comments(current: dict, changes: dict) -> None:
    text = new_file("p-1", current, SCHEMA) + "# a closing comment\n"
    changes = {w: m for w, m in changes.items() if current.get(w) != m}
    new = apply(text, changes, SCHEMA)
    assert loaded(new) == {**current, **changes}
    starts = [w["week"] for w in load_text(new, "x").data["weeks"]]
    assert starts == sorted(starts)
    assert new.endswith("\n# a closing comment\n") and is_canonical(new)


def test_a_comment_moves_with_its_week_and_other_keys_stay() -> None:
    text = (
        "# mine\nplacement: p-1\nkept_from: 2025-09-08  # moved here that week\nweeks:\n"
        "  - {week: 2025-09-15, marks: [/, \\, -, -, -, -, -, -, -, -]}  # a trip\n"
    )
    new = apply(text, {MONDAY + timedelta(weeks=1): ("-",) * 10}, SCHEMA)
    assert new.startswith("# mine\nplacement: p-1\nkept_from: 2025-09-08  # moved here that week\n")
    assert "  - week: 2025-09-15  # a trip\n" in new
    assert new.index("2025-09-08\n") < new.index("- week: 2025-09-15")
    assert len(loaded(new)) == 2 and is_canonical(new)


def test_the_example_registers_are_canonical() -> None:
    for file in sorted((PROJECT / "records/attendance").glob("*.yaml")):
        assert is_canonical(file.read_text("utf-8")), file
        assert apply(file.read_text("utf-8"), {}, SCHEMA) == file.read_text("utf-8")
