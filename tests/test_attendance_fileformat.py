"""The attendance file's text: canonical layout, and weeks added or replaced line by line."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from aprecords.attendance.codes import MARKS
from aprecords.attendance.fileformat import apply, canonical
from aprecords.load import load_text

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


@settings(max_examples=60, deadline=None)
@given(weeks)
def test_canonical_reads_back(current: dict) -> None:
    assert loaded(canonical("p-1", current)) == current


@settings(max_examples=60, deadline=None)
@given(weeks, weeks)
def test_apply_merges_and_keeps_every_other_line(current: dict, changes: dict) -> None:
    text = canonical("p-1", current) + "# a closing comment\n"
    changes = {w: m for w, m in changes.items() if current.get(w) != m}
    new, rewritten = apply(text, "p-1", current, changes)
    assert loaded(new) == {**current, **changes}
    if current:
        assert not rewritten
        kept = [line for line in text.splitlines() if not any(str(w) in line for w in changes)]
        assert [line for line in new.splitlines() if line in kept] == kept
    starts = [
        date.fromisoformat(w)
        for w in (line.split()[2].rstrip(",") for line in new.splitlines() if "{week:" in line)
    ]
    assert starts == sorted(starts)


def test_block_style_is_rewritten_with_its_top_comments() -> None:
    text = (
        "# mine\nplacement: p-1\nweeks:\n"
        "  - week: 2025-09-01\n    marks: [/, \\, -, -, -, -, -, -, -, -]\n"
    )
    new, rewritten = apply(
        text, "p-1", {MONDAY: ("/", "\\") + ("-",) * 8}, {MONDAY + timedelta(weeks=1): ("-",) * 10}
    )
    assert rewritten and new.startswith("# mine\nplacement: p-1\n")
    assert len(loaded(new)) == 2
