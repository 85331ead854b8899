"""attendance/returns.py case by case: the edges a dashboard's count depends on.

Companion of ``bench/mutation.py attendance/returns.py`` (README "Mutation testing"): each
expectation is worked out by hand from a calendar (January 2026: Monday 5, 12, 19, 26).
"""

from __future__ import annotations

from datetime import date

from aprecords.attendance.register import Week
from aprecords.attendance.returns import (
    Due,
    Outstanding,
    blank_planned,
    due_weeks,
    holidays_of,
    in_holiday,
    marks_up_to,
    missing_for,
    monday_of,
    not_received,
    owed_by,
    planned_sessions,
    provider_marks_up_to,
    uncovered_weeks,
    week_list,
)

D = date.fromisoformat
TUE_THU = {"tuesday": ["AM", "PM"], "thursday": ["AM"]}  # sessions 2, 3 and 6
DATA = {"actual_start": "2026-01-06", "placements": [{"provider": "a", "sessions": TUE_THU}]}


def week(start: str, marks: str) -> Week:
    return Week(D(start), tuple(marks.split()))


def test_holidays_are_read_and_unreadable_ones_skipped() -> None:
    config = {
        "attendance": {
            "holidays": [
                {"start": "2026-02-16", "end": "2026-02-20"},
                {"start": "not a date", "end": "2026-02-20"},
                {"start": "2026-04-01", "end": "?"},
            ]
        }
    }
    assert holidays_of(config) == [(D("2026-02-16"), D("2026-02-20"))]
    assert holidays_of({}) == [] and holidays_of({"attendance": None}) == []
    assert holidays_of({"attendance": {"holidays": None}}) == []


def test_a_holiday_includes_its_first_and_last_day() -> None:
    half_term = [(D("2026-02-16"), D("2026-02-20"))]
    assert in_holiday(D("2026-02-16"), half_term) and in_holiday(D("2026-02-20"), half_term)
    assert not in_holiday(D("2026-02-15"), half_term)
    assert not in_holiday(D("2026-02-21"), half_term)
    assert not in_holiday(D("2026-02-18"), [])


def test_monday_of_each_day_of_a_week() -> None:
    assert {monday_of(D(f"2026-01-{d:02d}")) for d in range(5, 12)} == {D("2026-01-05")}
    assert monday_of(D("2026-01-04")) == D("2025-12-29")


def test_planned_sessions_of_every_day_and_half() -> None:
    every = {d: ["AM", "PM"] for d in ("monday", "tuesday", "wednesday", "thursday", "friday")}
    assert planned_sessions({"sessions": every}) == tuple(range(10))
    assert planned_sessions({"sessions": {"friday": ["PM"], "monday": ["AM"]}}) == (0, 9)
    assert planned_sessions({"sessions": {"saturday": ["AM"]}}) == ()
    assert planned_sessions({"sessions": {"monday": ["FILL IN: the days"]}}) == ()
    assert planned_sessions({}) == ()


def test_due_weeks_start_at_the_register_and_stop_at_the_end() -> None:
    today = D("2026-02-02")
    assert [d.week for d in due_weeks(DATA, today, [])] == [
        D("2026-01-05"), D("2026-01-12"), D("2026-01-19"), D("2026-01-26"),
    ]  # fmt: skip
    kept = due_weeks(DATA, today, [], kept_from=D("2026-01-14"))
    assert [(d.week, d.sessions) for d in kept][:2] == [
        (D("2026-01-12"), (6,)),
        (D("2026-01-19"), (2, 3, 6)),
    ]
    # A register kept from before the start: the start still counts.
    early = due_weeks(DATA, today, [], kept_from=D("2025-12-01"))
    assert early[0] == Due("a", D("2026-01-05"), (2, 3, 6))
    ended = {**DATA, "ended": {"date": "2026-01-13"}}
    # Ended on Tue 13 Jan: not active any more, so nothing is asked of it.
    assert due_weeks(ended, today, []) == []
    no_timetable = {**DATA, "placements": [{"provider": "a", "sessions": {}}]}
    assert due_weeks(no_timetable, today, []) == []
    # A provider with no timetable yet comes first: the next one still owes its weeks.
    both = {**DATA, "placements": [{"provider": "z", "sessions": {}}, *DATA["placements"]]}
    assert [d.provider for d in due_weeks(both, D("2026-01-12"), [])] == ["a"]
    # Ending on a Monday: that Monday's sessions are due, the rest of the week is not.
    monday = {"provider": "m", "sessions": {"monday": ["AM"], "tuesday": ["AM"]}}
    ends = {**DATA, "actual_start": "2026-01-05", "placements": [{**monday, "end": "2026-01-12"}]}
    assert [(d.week, d.sessions) for d in due_weeks(ends, D("2026-02-02"), [])] == [
        (D("2026-01-05"), (0, 2)),
        (D("2026-01-12"), (0,)),
    ]


def test_a_week_is_due_on_the_monday_after_it_not_before() -> None:
    assert due_weeks(DATA, D("2026-01-11"), []) == []
    assert [d.week for d in due_weeks(DATA, D("2026-01-12"), [])] == [D("2026-01-05")]


def test_a_week_all_in_a_holiday_is_not_due_and_others_are() -> None:
    holiday = [(D("2026-01-12"), D("2026-01-16"))]
    assert [d.week for d in due_weeks(DATA, D("2026-01-26"), holiday)] == [
        D("2026-01-05"),
        D("2026-01-19"),
    ]


def test_two_providers_each_owe_their_own_sessions() -> None:
    data = {
        **DATA,
        "placements": [
            {"provider": "a", "sessions": TUE_THU},
            {"provider": "b", "sessions": {"friday": ["AM"]}, "start": "2026-01-09"},
        ],
    }
    due = due_weeks(data, D("2026-01-12"), [])
    assert due == [Due("a", D("2026-01-05"), (2, 3, 6)), Due("b", D("2026-01-05"), (8,))]


def test_not_received_lists_only_the_blank_due_sessions() -> None:
    due = [Due("a", D("2026-01-05"), (2, 3, 6))]
    assert not_received(due, []) == [
        not_received(due, [week("2026-01-12", "- - - - - - - - - -")])[0]
    ]
    (none,) = not_received(due, [])
    assert (none.sessions, none.recorded, none.partly) == ((2, 3, 6), False, False)
    (blank,) = not_received(due, [week("2026-01-05", "- - - - - - - - - -")])
    assert (blank.sessions, blank.recorded, blank.partly) == ((2, 3, 6), True, False)
    (one,) = not_received(due, [week("2026-01-05", "- - / - - - / - - -")])
    assert (one.sessions, one.recorded, one.partly) == ((3,), True, True)
    assert not_received(due, [week("2026-01-05", "- - / \\ - - N - - -")]) == []


def test_blank_planned_skips_weeks_not_sent() -> None:
    # The week not sent comes first: the weeks after it are still looked at.
    due = [Due("a", D("2026-01-12"), (2, 3, 6)), Due("a", D("2026-01-05"), (2, 3, 6))]
    weeks = [week("2026-01-05", "- - / - - - - - - -"), week("2026-01-12", "- - - - - - - - - -")]
    assert [(w.start, s, p) for w, s, p in blank_planned(due, weeks)] == [
        (D("2026-01-05"), 3, "a"),
        (D("2026-01-05"), 6, "a"),
    ]


def test_marks_up_to_is_the_latest_week_with_a_mark() -> None:
    weeks = [
        week("2026-01-12", "- - / - - - - - - -"),
        week("2026-01-19", "- - - - - - - - - -"),
        week("2026-01-05", "/ - - - - - - - - -"),
    ]
    assert marks_up_to(weeks) == D("2026-01-12")
    assert marks_up_to(weeks[1:2]) is None


def test_provider_marks_up_to_looks_at_its_own_sessions_only() -> None:
    data = {
        "placements": [
            {"provider": "a", "sessions": {"tuesday": ["AM"]}},
            {"provider": "b", "sessions": {"friday": ["AM"]}},
        ]
    }
    weeks = [week("2026-01-05", "- - / - - - - - - -"), week("2026-01-12", "- - - - - - - - / -")]
    assert provider_marks_up_to(data, "a", weeks) == D("2026-01-05")
    assert provider_marks_up_to(data, "b", weeks) == D("2026-01-12")
    assert provider_marks_up_to(data, "c", weeks) is None


def test_week_lists_show_three_and_count_the_rest() -> None:
    weeks = [D("2026-01-05"), D("2026-01-12"), D("2026-01-19"), D("2026-01-26"), D("2026-02-02")]
    assert week_list(weeks[:1]) == "w/c 2026-01-05"
    assert week_list(weeks[:3]) == "w/c 2026-01-05, 2026-01-12, 2026-01-19"
    assert week_list(weeks[:4]) == "w/c 2026-01-05, 2026-01-12, 2026-01-19 and 1 more"
    assert week_list(weeks, most=2) == "w/c 2026-01-05, 2026-01-12 and 3 more"


def test_missing_for_reads_the_register_and_its_kept_from() -> None:
    register = {
        "placement": "x",
        "kept_from": "2026-01-12",
        "weeks": [
            {"week": "2026-01-12", "marks": ["-", "-", "/", "\\", "-", "-", "/", "-", "-", "-"]}
        ],
    }
    assert [m.week for m in missing_for(DATA, register, D("2026-01-26"), [])] == [D("2026-01-19")]
    assert [m.week for m in missing_for(DATA, None, D("2026-01-19"), [])] == [
        D("2026-01-05"),
        D("2026-01-12"),
    ]


def test_oldest_marks_is_none_when_any_pupil_has_none() -> None:
    group = Outstanding()
    assert group.oldest_marks is None
    group.marks_up_to += [D("2026-01-12"), D("2026-01-05")]
    assert group.oldest_marks == D("2026-01-05")
    group.marks_up_to.append(None)
    assert group.oldest_marks is None


def test_uncovered_weeks_are_those_with_timetabled_days_and_no_entry() -> None:
    register = {"weeks": [{"week": "2026-01-12", "marks": ["-"] * 10}]}
    start, end = D("2026-01-06"), D("2026-01-27")
    assert uncovered_weeks(DATA, register, start, end, []) == [D("2026-01-05"), D("2026-01-19")]
    # Up to Tue 20 Jan (not included): w/c 19 Jan has no timetabled day in the period.
    assert uncovered_weeks(DATA, register, start, D("2026-01-20"), []) == [D("2026-01-05")]
    # From Wed 7 Jan: that week's Thursday is still in the period.
    assert uncovered_weeks(DATA, None, D("2026-01-07"), D("2026-01-09"), []) == [D("2026-01-05")]
    assert uncovered_weeks(DATA, None, D("2026-01-09"), D("2026-01-12"), []) == []
    # From Thu 8 Jan itself: its one session is in the period.
    assert uncovered_weeks(DATA, None, D("2026-01-08"), D("2026-01-09"), []) == [D("2026-01-05")]
    holiday = [(D("2026-01-19"), D("2026-01-23"))]
    assert uncovered_weeks(DATA, register, start, end, holiday) == [D("2026-01-05")]


def test_owed_sessions_at_each_edge() -> None:
    owed = owed_by(DATA, [], before=D("2026-01-08"))
    assert owed(D("2026-01-05")) == {2, 3}  # Thu 8 Jan is not before 8 Jan
    assert owed_by(DATA, [], before=D("2026-01-09"))(D("2026-01-05")) == {2, 3, 6}
    # Tue 6 Jan is the start: owed from that day on.
    assert owed_by(DATA, [])(D("2026-01-05")) == {2, 3, 6}
    assert owed_by(DATA, [], kept_from=D("2026-01-07"))(D("2026-01-05")) == {6}
    assert owed_by(DATA, [], kept_from=D("2025-12-01"))(D("2025-12-29")) == frozenset()
    # Not started, even where the provider has its own start date: nothing is owed.
    dated = {"placements": [{"provider": "a", "sessions": TUE_THU, "start": "2026-01-05"}]}
    assert owed_by(dated, [])(D("2026-01-05")) == frozenset()
    ended = owed_by({**DATA, "ended": {"date": "2026-01-08"}}, [])
    assert ended(D("2026-01-05")) == {2, 3, 6} and ended(D("2026-01-12")) == frozenset()
    mine = {"provider": "a", "sessions": TUE_THU, "start": "2026-01-08", "end": "2026-01-13"}
    spans = owed_by({**DATA, "placements": [mine]}, [])
    assert spans(D("2026-01-05")) == {6} and spans(D("2026-01-12")) == {2, 3}
    assert spans(D("2026-01-19")) == frozenset()
