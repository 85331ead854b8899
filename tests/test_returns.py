"""Attendance returns: the weeks each provider owes, found missing in CI and on dashboards.

Every expectation is counted by hand from a calendar; the comments show the count.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from aprecords.access import audiences
from aprecords.actions import placement_actions
from aprecords.attendance.register import Week
from aprecords.attendance.returns import Due, blank_planned, due_weeks, not_received, owed_by
from aprecords.repository import load_repository
from aprecords.scope import scope
from aprecords.site.render import make_site, render_pages
from conftest import PROJECT, Result, copy_examples, line_of, replace_line

# Tue AM, Tue PM and Thu AM: session indices 2, 3 and 6 (0 is Monday AM).
PLACEMENT = {
    "actual_start": "2026-01-06",  # a Tuesday
    "placements": [
        {"provider": "brickworks", "sessions": {"tuesday": ["AM", "PM"], "thursday": ["AM"]}}
    ],
}
DASH = "-"


def weeks_due(today: str, holidays=(), data=PLACEMENT, kept_from=None) -> list[tuple[str, tuple]]:
    found = due_weeks(data, date.fromisoformat(today), holidays, kept_from)
    return [(str(d.week), d.sessions) for d in found]


def test_a_week_is_due_from_the_monday_after_it() -> None:
    # w/c 5 Jan is due on Mon 12 Jan, w/c 12 Jan on Mon 19 Jan.
    assert weeks_due("2026-01-11") == []
    assert weeks_due("2026-01-12") == [("2026-01-05", (2, 3, 6))]
    assert weeks_due("2026-01-19") == [("2026-01-05", (2, 3, 6)), ("2026-01-12", (2, 3, 6))]


def test_sessions_before_the_start_and_in_holidays_are_not_due() -> None:
    late_start = {**PLACEMENT, "actual_start": "2026-01-08"}  # Thursday: only Thu AM that week
    assert weeks_due("2026-01-12", data=late_start) == [("2026-01-05", (6,))]
    half_term = [(date(2026, 1, 12), date(2026, 1, 16))]
    assert weeks_due("2026-01-26", half_term) == [
        ("2026-01-05", (2, 3, 6)),
        ("2026-01-19", (2, 3, 6)),
    ]
    thursday_off = [(date(2026, 1, 15), date(2026, 1, 15))]  # a single day: Tue still due
    assert ("2026-01-12", (2, 3)) in weeks_due("2026-01-19", thursday_off)
    assert weeks_due("2026-01-26", kept_from=date(2026, 1, 19)) == [("2026-01-19", (2, 3, 6))]


def test_ended_and_not_started_placements_owe_nothing() -> None:
    assert weeks_due("2026-03-02", data={**PLACEMENT, "ended": {"date": "2026-02-01"}}) == []
    assert (
        weeks_due("2026-03-02", data={k: v for k, v in PLACEMENT.items() if k != "actual_start"})
        == []
    )


def week(start: str, marks: str) -> Week:
    return Week(date.fromisoformat(start), tuple(marks.split()))


def test_missing_and_blank_weeks_are_not_received() -> None:
    due = [Due("brickworks", date(2026, 1, d), (2, 3, 6)) for d in (5, 12, 19)]
    register = [
        week("2026-01-05", "- - / \\ - - / - - -"),
        week("2026-01-19", "- - - - - - - - - -"),  # sent, but every planned cell blank
    ]
    missing = not_received(due, register)
    assert [(str(m.week), m.recorded, m.partly) for m in missing] == [
        ("2026-01-12", False, False),
        ("2026-01-19", True, False),
    ]
    partly = [week("2026-01-05", "- - / \\ - - - - - -")]  # Thu AM (6) left blank
    assert [(str(w.start), s, p) for w, s, p in blank_planned(due[:1], partly)] == [
        ("2026-01-05", 6, "brickworks")
    ]


FILE = "records/placements/hollybrook/hollybrook-2025-001.yaml"
REGISTER = "records/attendance/hollybrook-2025-001.yaml"


def findings(result: Result, rule: str) -> list[str]:
    return [line for line in result.out.splitlines() if line.endswith(f"[{rule}]")]


def test_examples_owe_nothing_over_christmas(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    """The registers end at w/c 5 Jan 2026; 22 Dec to 2 Jan is a configured holiday."""
    root = copy_examples(tmp_path / "r")
    result = run_cli("--root", root, "validate", "--today", "2026-01-12")
    assert findings(result, "attendance-return-missing") == []
    assert findings(result, "attendance-planned-blank") == []


def test_weeks_not_received_are_warnings_at_the_provider(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    root = copy_examples(tmp_path / "r")
    # Tobias (brickworks: Tue AM+PM, Thu AM) was last marked w/c 5 Jan. On Mon 26 Jan the
    # weeks of 12 and 19 Jan are due and missing: 2 weeks.
    result = run_cli("--root", root, "validate", "--today", "2026-01-26")
    mine = [f for f in findings(result, "attendance-return-missing") if f.startswith(FILE)]
    assert len(mine) == 1 and result.code == 0
    assert mine[0].startswith(f"{FILE}:{line_of(root / FILE, '- provider: brickworks')}:")
    assert "Brickworks Construction Skills for w/c 2026-01-12, 2026-01-19 (2 weeks)" in mine[0]
    # Staff at the hub read how they take it in; the provider is told where to send it.
    assert "to J16 attendance team (attendance@j16.example.org)" in mine[0]
    assert "aprecords attendance import" in mine[0]


def test_a_blank_timetabled_cell_is_a_finding(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    root = copy_examples(tmp_path / "r")
    week = line_of(root / REGISTER, "- week: 2026-01-05")
    # The marks follow, one a line after `marks:`; the seventh is Thursday morning.
    line = replace_line(root / REGISTER, "- /", "- '-'", start=week + 2 + 6)
    assert line == week + 2 + 6
    result = run_cli("--root", root, "validate", "--today", "2026-01-12")
    blank = findings(result, "attendance-planned-blank")
    assert len(blank) == 1 and blank[0].startswith(f"{REGISTER}:{line}:")
    assert "Thu AM of 2026-01-05" in blank[0] and "brickworks" in blank[0]


def dashboard(root: Path, audience: str, today: date) -> str:
    repo = load_repository(root)
    chosen = {a.name: a for a in audiences(repo)}[audience]
    return dict(render_pages(make_site(scope(repo, chosen), repo.config, today)))["index.md"]


def row_of(page: str, section: str, name: str) -> str:
    part = page.split(f"## {section}")[1].split("\n## ")[0]
    return next(line for line in part.splitlines() if line.startswith(f"| [{name}]"))


@pytest.mark.parametrize("audience", ["hub", "provider-brickworks"])
def test_dashboard_counts_returns_not_received(audience: str) -> None:
    page = dashboard(PROJECT, audience, date(2026, 3, 25))
    # Brickworks teaches three active pupils (hollybrook-2025-001, marsh-lane-2025-002,
    # st-aldric-2025-004), all last marked w/c 5 Jan. Due by 25 Mar: w/c 12 Jan .. 16 Mar is
    # ten weeks, less the half term of 16 Feb: 9 weeks each, 27 in all.
    brick = row_of(page, "Attendance returns", "Brickworks Construction Skills")
    assert "27 not received" in brick and "| 3 |" in brick and "w/c 5 Jan 2026" in brick
    assert "**Not complete:**" in page
    # The action for Tobias's missing weeks is Brickworks's to do: it is on its own list.
    actions = page.split("## Action needed")[1].split("\n## ")[0]
    assert "not received from Brickworks Construction Skills" in actions


def test_a_provider_sees_only_its_own_returns() -> None:
    page = dashboard(PROJECT, "provider-brickworks", date(2026, 3, 25))
    actions = page.split("## Action needed")[1].split("\n## ")[0]
    # marsh-lane-2025-002 also attends Fenwick Vale: that return is Fenwick Vale's to send.
    assert "not received from Fenwick Vale" not in actions
    returns = page.split("## Attendance returns")[1].split("\n## ")[0]
    assert "Fenwick Vale" not in returns


def test_complete_registers_say_nothing_is_missing() -> None:
    page = dashboard(PROJECT, "hub", date(2026, 1, 12))
    assert "**Not complete:**" not in page
    assert "all received" in row_of(page, "Attendance returns", "Brickworks Construction Skills")


def test_a_partly_marked_week_is_not_received() -> None:
    # Tue AM and PM (2, 3) marked, Thu AM (6) blank: the week is partly received, so still
    # owed, and only Thu AM is left to mark.
    due = [Due("brickworks", date(2026, 1, 5), (2, 3, 6))]
    partly = not_received(due, [week("2026-01-05", "- - / \\ - - - - - -")])
    assert [(m.sessions, m.recorded, m.partly) for m in partly] == [((6,), True, True)]
    # Every due session marked: received, whatever the other sessions hold.
    assert not_received(due, [week("2026-01-05", "- - / \\ - - I - - -")]) == []


def test_a_providers_end_date_limits_its_returns() -> None:
    # Brickworks stops after Tue 13 Jan: w/c 12 Jan owes Tue only; nothing after it.
    ends = {
        **PLACEMENT,
        "placements": [{**PLACEMENT["placements"][0], "end": "2026-01-13"}],
    }
    assert weeks_due("2026-02-02", data=ends) == [
        ("2026-01-05", (2, 3, 6)),
        ("2026-01-12", (2, 3)),
    ]
    starts = {
        **PLACEMENT,
        "placements": [{**PLACEMENT["placements"][0], "start": "2026-01-15"}],
    }
    assert weeks_due("2026-01-26", data=starts) == [
        ("2026-01-12", (6,)),
        ("2026-01-19", (2, 3, 6)),
    ]


def test_owed_sessions_follow_the_timetable_dates_and_holidays() -> None:
    owed = owed_by(PLACEMENT, [(date(2026, 1, 15), date(2026, 1, 15))], date(2026, 1, 21))
    assert owed(date(2025, 12, 29)) == frozenset()  # before the start on Tue 6 Jan
    assert owed(date(2026, 1, 5)) == {2, 3, 6}
    assert owed(date(2026, 1, 12)) == {2, 3}  # Thu 15 Jan is a holiday
    assert owed(date(2026, 1, 19)) == {2, 3}  # Thu 22 Jan is not yet past on Wed 21 Jan
    ended = owed_by({**PLACEMENT, "ended": {"date": "2026-01-06"}}, [])
    assert ended(date(2026, 1, 5)) == {2, 3} and ended(date(2026, 1, 12)) == frozenset()
    assert owed_by({"placements": PLACEMENT["placements"]}, [])(date(2026, 1, 5)) == frozenset()


def test_the_action_names_partly_marked_weeks_and_the_due_date() -> None:
    repo = load_repository(PROJECT)
    data = {**PLACEMENT, "next_review": {"date": "2026-03-02", "staff": "A Mentor"}}
    partly = week("2026-01-05", "- - / \\ - - - - - -").marks
    register = {"placement": "x", "weeks": [{"week": "2026-01-05", "marks": partly}]}
    found = [
        a
        for a in placement_actions(
            "x", data, date(2026, 1, 13), repo.config, register, names={"brickworks": "Brick Co"}
        )
        if a.rule == "attendance-return-missing"
    ]
    assert len(found) == 1
    (action,) = found
    assert "Brick Co for w/c 2026-01-05 (1 week; w/c 2026-01-05 only partly marked)" in action.what
    # The week of 5 Jan was due on the Monday after it, 12 Jan.
    assert action.since == date(2026, 1, 12) and action.overdue
    assert "aprecords" not in action.what and "holidays" not in action.what
    assert "aprecords attendance import" in action.for_hub
    marks = week("2026-01-05", "- - / \\ - - I - - -").marks
    complete = {**register, "weeks": [{"week": "2026-01-05", "marks": marks}]}
    assert not [
        a
        for a in placement_actions("x", data, date(2026, 1, 13), repo.config, complete)
        if a.rule == "attendance-return-missing"
    ]


def test_a_provider_is_told_at_the_top_what_to_send_for_which_weeks_and_to_whom() -> None:
    page = dashboard(PROJECT, "provider-brickworks", date(2026, 3, 25))
    top = page.split("## Action needed")[0]
    assert "(attendance-template.csv)" in top
    # The contact of attendance.returns_to in aprecords.yml, as the page shows it.
    assert "J16 attendance team &#40;attendance&#64;j16&#46;example&#46;org&#41;" in top
    assert "27 weekly returns" in top and "3 pupils" in top
    assert "12 Jan 2026" in top and "16 Mar 2026" in top  # the first and last weeks owed
    assert "## Your weekly attendance return" not in dashboard(PROJECT, "hub", date(2026, 3, 25))


@pytest.mark.parametrize("audience", ["school-hollybrook", "provider-brickworks"])
def test_school_and_provider_pages_speak_without_commands_or_settings(audience: str) -> None:
    repo = load_repository(PROJECT)
    chosen = {a.name: a for a in audiences(repo)}[audience]
    pages = dict(render_pages(make_site(scope(repo, chosen), repo.config, date(2026, 3, 25))))
    for rel, text in pages.items():
        for word in ("aprecords ", "aprecords&#46;yml", "attendance&#46;holidays", "actual_start"):
            assert word not in text, (rel, word)
    hub = dashboard(PROJECT, "hub", date(2026, 3, 25))
    assert "aprecords attendance import" in hub
