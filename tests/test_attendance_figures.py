"""Attendance figures against hand-computed cases (DfE definitions)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aprecords.attendance import figures
from aprecords.attendance.codes import MARKS
from aprecords.attendance.figures import Figures, count
from aprecords.attendance.register import Week
from aprecords.repository import load_repository

FULL = list("/\\/\\/\\/\\/\\")


def test_every_attending_code_counts_as_attended() -> None:
    got = count(["/", "\\", "L", "B", "K", "V", "P", "W", "I", "N"])
    assert got == Figures(possible=10, attended=8, authorised=1, unauthorised=1)
    assert got.rate == pytest.approx(80.0)


def test_authorised_and_unauthorised_codes() -> None:
    authorised = ["C1", "C2", "C", "M", "J1", "S", "E", "I", "R", "T"]
    unauthorised = ["G", "N", "O", "U"]
    got = count(authorised + unauthorised)
    assert (got.possible, got.attended, got.authorised, got.unauthorised) == (14, 0, 10, 4)


def test_d_x_z_q_y_and_hash_are_not_possible_sessions() -> None:
    got = count(["D", "D", "/", "\\", "X", "Z", "Q", "Y1", "#", "-"])
    assert got == Figures(possible=2, attended=2)
    assert got.rate == 100.0
    assert not got.persistent


def test_exactly_ninety_percent_is_persistent_absence() -> None:
    got = count(FULL + ["/", "\\", "/", "\\", "/", "\\", "/", "\\", "I", "O"])
    assert (got.possible, got.attended, got.absent) == (20, 18, 2)
    assert got.rate == pytest.approx(90.0)
    assert got.persistent and not got.severe
    assert got.level == "persistent"


def test_just_above_ninety_percent_is_not_persistent() -> None:
    # 11 of 12 possible sessions: 91.7%; the D and the dashes do not count.
    got = count(FULL + ["/", "I", "D", "-", "-", "-", "-", "-", "-", "-"])
    assert (got.possible, got.attended) == (12, 11)
    assert not got.persistent
    # The same with the D recorded as an absence instead: 11 of 13, 84.6%.
    assert count(FULL + ["/", "I", "N"]).persistent


def test_not_possible_codes_shrink_the_denominator_into_persistence() -> None:
    # 9 attended of 10 possible once Q, Y2, X and Z are left out: exactly 90%.
    marks = ["/", "\\", "/", "\\", "/", "\\", "/", "\\", "/", "N", "Q", "Y2", "X", "Z"]
    got = count(marks)
    assert (got.possible, got.attended, got.unauthorised) == (10, 9, 1)
    assert got.persistent


def test_exactly_fifty_percent_is_severe() -> None:
    got = count(["/", "\\", "/", "\\", "I", "I", "O", "O", "-", "-"])
    assert (got.possible, got.attended, got.absent) == (8, 4, 4)
    assert got.severe and got.level == "severe"


def test_severe_with_d_and_q() -> None:
    got = count(["/", "\\", "D", "D", "Q", "Q", "I", "I", "N", "N"])
    assert got == Figures(possible=6, attended=2, authorised=2, unauthorised=2)
    assert got.rate == pytest.approx(100 * 2 / 6)
    assert got.severe


def test_no_possible_sessions_has_no_rate_and_no_flag() -> None:
    got = count(["-"] * 10 + ["D", "X"])
    assert got.rate is None and got.level is None


def test_figures_add_up() -> None:
    assert count(["/", "I"]) + count(["N", "\\"]) == count(["/", "I", "N", "\\"])


# The codes as DOMAIN.md lists them (typed from it, not taken from aprecords.attendance.codes).
ATTENDED = {"/", "\\", "L", "K", "V", "P", "W", "B"}
AUTHORISED = {"C1", "C2", "C", "M", "J1", "S", "E", "I", "R", "T"}
UNAUTHORISED = {"G", "N", "O", "U"}
NOT_POSSIBLE = {"D", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "X", "Z", "#", "-"}


def test_the_hand_typed_code_lists_cover_every_mark() -> None:
    groups = (ATTENDED, AUTHORISED, UNAUTHORISED, NOT_POSSIBLE)
    assert sorted(set().union(*groups)) == sorted(MARKS)
    assert sum(len(g) for g in groups) == len(MARKS)  # no mark in two groups


@given(st.lists(st.sampled_from(MARKS), max_size=60))
def test_counts_and_flags_agree_with_the_definitions(marks: list[str]) -> None:
    got = count(marks)
    attended = sum(m in ATTENDED for m in marks)
    authorised = sum(m in AUTHORISED for m in marks)
    unauthorised = sum(m in UNAUTHORISED for m in marks)
    assert got == Figures(attended + authorised + unauthorised, attended, authorised, unauthorised)
    missed = authorised + unauthorised
    possible = attended + missed
    assert got.persistent == (possible > 0 and Fraction(missed, possible) >= Fraction(1, 10))
    assert got.severe == (possible > 0 and Fraction(missed, possible) >= Fraction(1, 2))


WEEKS = [
    Week(date(2025, 12, 8), tuple(FULL)),  # Fri 12 Dec: outside a 4-week window before 10 Jan
    Week(date(2025, 12, 15), ("O", "O", "/", "\\", "/", "\\", "/", "\\", "/", "\\")),
    Week(date(2026, 1, 5), ("/", "\\", "/", "\\", "/", "\\", "/", "\\", "I", "I")),
]


def test_window_is_the_calendar_weeks_before_today() -> None:
    got = figures.window(WEEKS, date(2026, 1, 10), 4)
    assert (got.possible, got.attended, got.absent) == (20, 16, 4)
    # A day earlier: Fri 12 Dec comes in (2 present), Fri 9 Jan (today, I I) drops out.
    got = figures.window(WEEKS, date(2026, 1, 9), 4)
    assert (got.possible, got.attended, got.absent) == (20, 18, 2)
    # Six weeks reach back to 29 Nov: all three weeks.
    assert figures.window(WEEKS, date(2026, 1, 10), 6).possible == 30


def test_between_is_half_open() -> None:
    got = figures.between(WEEKS, date(2025, 12, 12), date(2025, 12, 16))
    # Fri 12 Dec AM+PM and Mon 15 Dec AM+PM; Tue 16 Dec is the end, left out.
    assert (got.possible, got.attended, got.unauthorised) == (4, 2, 2)


def test_weekly_figures() -> None:
    rates = [(w, f.rate) for w, f in figures.weekly(reversed(WEEKS))]
    assert rates == [
        (date(2025, 12, 8), 100.0),
        (date(2025, 12, 15), 80.0),
        (date(2026, 1, 5), 80.0),
    ]


def test_review_periods_run_from_start_between_reviews_and_to_today() -> None:
    placement = {
        "actual_start": "2025-12-09",
        "reviews": [{"date": "2025-12-17"}, {"date": "2026-01-06"}],
    }
    periods = figures.review_periods(placement, WEEKS, date(2026, 1, 10))
    assert [(p.start, p.end) for p in periods] == [
        (date(2025, 12, 9), date(2025, 12, 17)),
        (date(2025, 12, 17), date(2026, 1, 6)),
        (date(2026, 1, 6), date(2026, 1, 10)),
    ]
    # 9-12 Dec: 8 present, 15-16 Dec: O O / \ -> 12 possible, 10 attended;
    # 17-19 Dec and Mon 5 Jan: 8 present; 6-9 Jan: / \ / \ / \ I I -> 8 possible, 6 attended.
    assert [(p.figures.possible, p.figures.attended) for p in periods] == [
        (12, 10),
        (8, 8),
        (8, 6),
    ]


def _write_attendance(root: Path, weeks: list[str]) -> None:
    folder = root / "records/attendance"
    folder.mkdir(parents=True, exist_ok=True)
    rows = "".join(f"  - {{week: {w}}}\n" for w in weeks)
    (folder / "hollybrook-2025-001.yaml").write_text(
        "placement: hollybrook-2025-001\nweeks:\n" + rows.replace("}}", "}"), "utf-8"
    )


def test_absence_flags_and_school_figures(repo: Path) -> None:
    # Tue AM/PM and Thu AM at the provision: 3 sessions a week.
    _write_attendance(
        repo,
        [
            "2025-12-01, marks: [-, -, /, \\, -, -, /, -, -, -]",
            "2025-12-15, marks: [-, -, /, \\, -, -, N, -, -, -]",
            "2026-01-05, marks: [-, -, /, \\, -, -, /, -, -, -]",
        ],
    )
    repo_ = load_repository(repo)
    flags = figures.absence_flags(repo_, date(2026, 1, 10))
    # Last 4 weeks: 6 possible, 1 absent (16.7%): persistent. Last 6 weeks: 9 possible,
    # 1 absent (11.1%): persistent too.
    assert [(f.placement, f.window, f.level, f.figures.possible) for f in flags] == [
        ("hollybrook-2025-001", "last 4 weeks", "persistent", 6),
        ("hollybrook-2025-001", "last 6 weeks", "persistent", 9),
    ]
    assert figures.absence_flags(repo_, date(2026, 1, 10), placement_ids=[]) == []
    assert figures.by_school(repo_)["hollybrook"] == Figures(9, 8, 0, 1)


def test_window_lengths_come_from_the_configuration(repo: Path) -> None:
    config = repo / "aprecords.yml"
    text = config.read_text("utf-8").replace("attendance:\n", "attendance:\n  recent_weeks: 1\n")
    config.write_text(text, "utf-8")
    _write_attendance(repo, ["2026-01-05, marks: [-, -, /, \\, -, -, /, -, -, -]"])
    repo_ = load_repository(repo)
    assert figures.recent_weeks(repo_.config.data) == (1, 6)
    assert figures.absence_flags(repo_, date(2026, 1, 10)) == []


def test_flags_and_school_figures_count_missing_marks(repo: Path) -> None:
    # As above, but Thursday AM of w/c 5 Jan left blank although the timetable owes it.
    _write_attendance(
        repo,
        [
            "2025-12-01, marks: [-, -, /, \\, -, -, /, -, -, -]",
            "2025-12-15, marks: [-, -, /, \\, -, -, N, -, -, -]",
            "2026-01-05, marks: [-, -, /, \\, -, -, '-', -, -, -]",
        ],
    )
    repo_ = load_repository(repo)
    flags = figures.absence_flags(repo_, date(2026, 1, 10))
    # Last 4 weeks: 5 possible, 1 absent, 1 missing: the blank is neither attended nor possible.
    assert [(f.window, f.figures.possible, f.figures.missing) for f in flags] == [
        ("last 4 weeks", 5, 1),
        ("last 6 weeks", 8, 1),
    ]
    assert figures.by_school(repo_)["hollybrook"] == Figures(8, 7, 0, 1, 1)
