"""Attendance records: schema and the rules in validate/rules/attendance.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aprecords.repository import load_repository
from aprecords.validate import validate
from conftest import PLACEMENT, TODAY, replace_line

ATT = "records/attendance/hollybrook-2025-001.yaml"
# hollybrook-2025-001 started on Tuesday 2025-09-16 and is arranged by the school.
GOOD = """\
placement: hollybrook-2025-001
weeks:
  - {week: 2025-09-15, marks: [-, -, /, \\, -, -, /, -, -, -]}
  - {week: 2025-09-22, marks: [-, -, I, N, -, -, B, -, -, -]}
"""


def findings(root: Path, text: str, name: str = ATT) -> list:
    """Findings after writing ``text`` to ``name``, less returns not received: GOOD holds
    two weeks, so later weeks are missing by TODAY (that rule is tested in test_returns.py)."""
    file = root / name
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, "utf-8")
    found = validate(load_repository(root), date.fromisoformat(TODAY))
    return [f for f in found if f.rule != "attendance-return-missing"]


def rules_of(found: list) -> list[str]:
    return [f.rule for f in found]


def test_good_file_is_valid_and_loaded_as_attendance(repo: Path) -> None:
    assert findings(repo, GOOD) == []
    kinds = {r.kind for r in load_repository(repo).records}
    assert "attendance" in kinds


def test_unknown_code_is_a_schema_error_at_the_mark(repo: Path) -> None:
    text = GOOD.replace("I, N", "I, Q9")
    found = findings(repo, text)
    column = text.splitlines()[3].index("Q9") + 1
    assert [(f.rule, f.line, f.column) for f in found] == [("schema-enum", 4, column)]
    assert "Q9" in found[0].message


def test_lower_case_code_is_refused(repo: Path) -> None:
    assert rules_of(findings(repo, GOOD.replace("B, -", "b, -"))) == ["schema-enum"]


def test_a_week_needs_ten_marks(repo: Path) -> None:
    found = findings(repo, GOOD.replace("/, -, -, -]}", "/, -, -]}", 1))
    assert rules_of(found) == ["schema-minItems"]
    assert found[0].line == 3


def test_week_must_be_a_monday(repo: Path) -> None:
    found = findings(repo, GOOD.replace("2025-09-22", "2025-09-23"))
    assert rules_of(found) == ["attendance-week-monday"]
    assert "2025-09-22" in found[0].message and found[0].line == 4


def test_duplicate_week(repo: Path) -> None:
    found = findings(repo, GOOD.replace("2025-09-22", "2025-09-15"))
    assert rules_of(found) == ["attendance-unique-weeks"]
    assert "already listed" in found[0].message and found[0].line == 4


def test_weeks_out_of_order(repo: Path) -> None:
    text = GOOD.replace("2025-09-15", "2025-09-29")
    found = findings(repo, text)
    assert rules_of(found) == ["attendance-unique-weeks"]
    assert "oldest first" in found[0].message


def test_marks_before_the_start(repo: Path) -> None:
    # Monday 2025-09-15 PM is the day before actual_start (Tuesday 2025-09-16).
    text = GOOD.replace("[-, -, /, \\", "[-, O, /, \\")
    found = [f for f in findings(repo, text) if f.severity == "error"]
    assert rules_of(found) == ["attendance-within-placement"]
    assert "before the placement started (2025-09-16)" in found[0].message
    assert (found[0].line, found[0].column) == (3, text.splitlines()[2].index("O") + 1)


def test_dash_before_the_start_is_fine(repo: Path) -> None:
    assert findings(repo, GOOD) == []


def test_marks_after_the_end(repo: Path) -> None:
    replace_line(
        repo / PLACEMENT,
        "actual_start:",
        "actual_start: 2025-09-16\nended:\n  date: 2025-09-19\n  reason: Moved away.",
    )
    found = findings(repo, GOOD)
    assert set(rules_of(found)) == {"attendance-within-placement"}
    assert len(found) == 3  # Tue AM, Tue PM and Thu AM of the second week


def test_k_only_when_arranged_by_the_local_authority(repo: Path) -> None:
    text = GOOD.replace("B, -", "K, -")
    found = findings(repo, text)
    assert rules_of(found) == ["attendance-k-code"]
    assert "use B" in found[0].message
    replace_line(repo / PLACEMENT, "arranged_by:", "arranged_by: local-authority")
    assert findings(repo, text) == []


def test_placement_must_exist(repo: Path) -> None:
    name = "records/attendance/hollybrook-2099-001.yaml"
    found = findings(repo, GOOD.replace("hollybrook-2025-001", "hollybrook-2099-001"), name)
    assert rules_of(found) == ["attendance-placement"]
    assert "no placement 'hollybrook-2099-001'" in found[0].message


def test_file_name_must_be_the_placement_id(repo: Path) -> None:
    found = findings(repo, GOOD, "records/attendance/tobias.yaml")
    assert rules_of(found) == ["attendance-placement"]
    assert "rename it to 'hollybrook-2025-001.yaml'" in found[0].message


def test_attendance_in_a_subfolder_is_misplaced(repo: Path) -> None:
    found = findings(repo, GOOD, "records/attendance/hollybrook/hollybrook-2025-001.yaml")
    assert rules_of(found) == ["record-location"]


@pytest.mark.parametrize(
    ("before", "after"), [("[-, -, /, \\", "[-, -, \\, \\"), ("/, \\, -", "/, /, -")]
)
def test_present_mark_in_the_wrong_half_day_is_a_warning(
    repo: Path, before: str, after: str
) -> None:
    found = findings(repo, GOOD.replace(before, after, 1))
    assert [(f.rule, f.severity) for f in found] == [("attendance-am-pm-mark", "warning")]


def test_hash_code_must_be_quoted_and_then_is_valid(repo: Path) -> None:
    assert findings(repo, GOOD.replace("B, -, -, -]", '"#", -, -, -]')) == []


def test_a_mark_outside_the_timetable_is_a_warning(repo: Path) -> None:
    # hollybrook-2025-001 has Tuesday AM and PM and Thursday AM; Friday PM is not a session.
    text = GOOD.replace("B, -, -, -]", "B, -, -, N]")
    found = findings(repo, text)
    assert [(f.rule, f.severity, f.line) for f in found] == [("attendance-timetable", "warning", 4)]
    assert "Fri PM of 2025-09-22 has 'N'" in found[0].message
    assert found[0].column == text.splitlines()[3].rindex("N") + 1


def test_example_attendance_is_valid(run_cli) -> None:
    from conftest import PROJECT

    result = run_cli("--root", PROJECT, "validate", "--today", TODAY, "records/attendance")
    assert result.code == 0, result.out
    assert "error" not in result.out
