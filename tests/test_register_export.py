"""``aprecords export register``: per pupil and timetabled AP session, the code the school
keys into its own register, read back as a spreadsheet would (csv). Expected values are
worked out by hand from the example register (records/attendance/hollybrook-2025-001.yaml:
Tobias at brickworks on Tuesday AM and PM and Thursday AM)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from aprecords.attendance.keying import school_code
from conftest import PLACEMENT, REGISTER, replace_line


def keyed(run_cli, repo: Path, week: str) -> list[tuple[str, str, str, str, str]]:
    result = run_cli("--root", repo, "export", "register", "--school", "hollybrook", "--week", week)
    assert result.code == 0, result.err
    reader = csv.DictReader(io.StringIO(result.out, newline=""))
    return [
        (r["date"], r["session"], r["provider_mark"], r["school_code"], r["note"]) for r in reader
    ]


def test_attendance_at_school_arranged_ap_is_b(repo: Path, run_cli) -> None:
    # Week of 15 Dec 2025: Tue / and \ , Thu L (late before the register closed).
    assert keyed(run_cli, repo, "2025-12-15") == [
        ("2025-12-16", "AM", "/", "B", ""),
        ("2025-12-16", "PM", "\\", "B", ""),
        ("2025-12-18", "AM", "L", "B", ""),
    ]


def test_absence_keeps_its_code(repo: Path, run_cli) -> None:
    # Week of 13 Oct 2025: Tue I I (illness), Thu /.
    assert keyed(run_cli, repo, "2025-10-13") == [
        ("2025-10-14", "AM", "I", "I", ""),
        ("2025-10-14", "PM", "I", "I", ""),
        ("2025-10-16", "AM", "/", "B", ""),
    ]


def test_local_authority_arranged_attendance_is_k(repo: Path, run_cli) -> None:
    replace_line(repo / PLACEMENT, "arranged_by:", "arranged_by: local-authority")
    assert [c for *_, c, _n in keyed(run_cli, repo, "2025-12-15")] == ["K", "K", "K"]


def test_a_week_without_a_return_is_never_keyed_as_attendance(repo: Path, run_cli) -> None:
    rows = keyed(run_cli, repo, "2026-01-12")  # after the register's last week (5 Jan 2026)
    assert [(d, s, m, c) for d, s, m, c, _n in rows] == [
        ("2026-01-13", "AM", "", ""),
        ("2026-01-13", "PM", "", ""),
        ("2026-01-15", "AM", "", ""),
    ]
    assert all("chase the return" in note for *_, note in rows)


def test_holidays_and_weeks_before_the_start_have_no_sessions(repo: Path, run_cli) -> None:
    assert keyed(run_cli, repo, "2025-12-22") == []  # Christmas 2025 in aprecords.yml
    assert keyed(run_cli, repo, "2025-09-08") == []  # started on 16 September


def test_a_provider_mark_on_an_untimetabled_session_is_listed(repo: Path, run_cli) -> None:
    text = (repo / REGISTER).read_text("utf-8")
    start = text.index("week: 2025-12-15")
    marks = text[start:].split("marks:\n", 1)[1]
    first = marks.index("- '-'")  # Monday AM, not timetabled
    new = text[:start] + text[start:].replace(marks, marks[:first] + "- /" + marks[first + 5 :], 1)
    (repo / REGISTER).write_text(new, "utf-8")
    assert keyed(run_cli, repo, "2025-12-15")[0] == ("2025-12-15", "AM", "/", "B", "")


def test_school_code() -> None:
    assert [school_code(m, "school") for m in ("/", "\\", "L", "U", "O", "M")] == [
        "B", "B", "B", "U", "O", "M",
    ]  # fmt: skip


def test_usage_errors(repo: Path, run_cli) -> None:
    args = ("--root", repo, "export", "register")
    tuesday = run_cli(*args, "--school", "hollybrook", "--week", "2025-12-16")
    assert tuesday.code == 2 and "the Monday of the week (2025-12-15)" in tuesday.err
    nowhere = run_cli(*args, "--school", "nowhere", "--week", "2025-12-15")
    assert nowhere.code == 2 and "no such school" in nowhere.err
