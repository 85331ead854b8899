"""Attendance returns: which weeks each provider should have marked, and which are missing.

The agreement's timetable (``placements[].sessions``) says which sessions each provider
teaches. For an active placement, every school week from its start (or from the day its
register was kept from) is *due* from the Monday after it; a due week is *not received* from
a provider when the register has no entry for it, or has one in which any of that provider's
due sessions is still ``-`` (a *partly received* week: a blank where the timetable owes a
session is a missing mark, never "no session"). Days in the configured school holidays are
never due.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from aprecords import model
from aprecords.attendance.codes import NO_SESSION
from aprecords.attendance.register import Week, session_day, weeks_of

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")

Holidays = Sequence[tuple[date, date]]
"""School holidays as (first day, last day) ranges, from ``attendance.holidays``."""


def holidays_of(config_data: dict[str, Any]) -> list[tuple[date, date]]:
    """The holiday ranges of aprecords.yml (schema-valid data), unreadable ones skipped."""
    found = []
    for item in (config_data.get("attendance") or {}).get("holidays") or []:
        first, last = model.parse_date(item.get("start")), model.parse_date(item.get("end"))
        if first and last:
            found.append((first, last))
    return found


def in_holiday(day: date, holidays: Holidays) -> bool:
    """True when ``day`` falls in one of the holiday ranges."""
    return any(first <= day <= last for first, last in holidays)


def monday_of(day: date) -> date:
    """The Monday of the week holding ``day``."""
    return day - timedelta(days=day.weekday())


def planned_sessions(item: dict[str, Any]) -> tuple[int, ...]:
    """Session indices (0 = Mon AM .. 9 = Fri PM) a provider teaches, from its timetable."""
    found = set()
    for day, halves in (item.get("sessions") or {}).items():
        if day in DAYS:
            found.update(
                DAYS.index(day) * 2 + ("AM", "PM").index(half)
                for half in halves
                if half in ("AM", "PM")  # a 'FILL IN' left by `new` is no session yet
            )
    return tuple(sorted(found))


@dataclass(frozen=True)
class Due:
    """One provider's sessions in one week that should have been marked."""

    provider: str
    week: date
    sessions: tuple[int, ...]


@dataclass(frozen=True)
class Missing:
    """A due week not received from a provider: ``sessions`` are its due sessions left ``-``."""

    provider: str
    week: date
    sessions: tuple[int, ...]
    recorded: bool
    """True when the register has the week but some of this provider's sessions are ``-``."""
    partly: bool = False
    """True when some of the provider's due sessions of the week are marked, not all."""


def due_weeks(
    data: dict[str, Any], today: date, holidays: Holidays, kept_from: date | None = None
) -> list[Due]:
    """Every provider-week of a placement whose return is due by ``today``."""
    start = model.parse_date(data.get("actual_start"))
    if start is None or model.status(data, today) != "active":
        return []
    # A week's return is due once the week is over: on the Monday after it. An active
    # placement has not ended by today, so its end date never shortens a week that is due.
    last_week = monday_of(today) - timedelta(weeks=1)
    first_day = max(start, kept_from) if kept_from else start
    found = []
    for item in data.get("placements") or []:
        sessions = planned_sessions(item)
        item_start = model.parse_date(item.get("start"))
        first = max(first_day, item_start) if item_start else first_day
        last = model.parse_date(item.get("end"))
        week = monday_of(first)
        while week <= last_week:
            days = [(s, session_day(week, s)) for s in sessions]
            due = tuple(
                s
                for s, day in days
                if first <= day and (last is None or day <= last) and not in_holiday(day, holidays)
            )
            if due:
                found.append(Due(item["provider"], week, due))
            week += timedelta(days=7)
    return found


def not_received(due: Iterable[Due], weeks: Sequence[Week]) -> list[Missing]:
    """The due provider-weeks the register does not hold every due mark for.

    A week with some of the provider's due sessions marked and others ``-`` is not received:
    it is *partly* received, and ``sessions`` are the ones still to mark.
    """
    by_week = {w.start: w.marks for w in weeks}
    found = []
    for item in due:
        marks = by_week.get(item.week)
        if marks is None:
            found.append(Missing(item.provider, item.week, item.sessions, recorded=False))
            continue
        blank = tuple(s for s in item.sessions if marks[s] == NO_SESSION)
        if blank:
            partly = len(blank) < len(item.sessions)
            found.append(Missing(item.provider, item.week, blank, recorded=True, partly=partly))
    return found


def blank_planned(due: Iterable[Due], weeks: Sequence[Week]) -> list[tuple[Week, int, str]]:
    """(week, session, provider) of planned sessions left ``-`` in weeks the provider marked."""
    by_week = {w.start: w for w in weeks}
    found = []
    for item in due:
        week = by_week.get(item.week)
        if week is None or all(week.marks[s] == NO_SESSION for s in item.sessions):
            continue
        found.extend((week, s, item.provider) for s in item.sessions if week.marks[s] == NO_SESSION)
    return found


Owed = Callable[[date], frozenset[int]]
"""The sessions of a week (given by its Monday) that the timetable owes a mark for."""


def _nothing(week: date) -> frozenset[int]:
    return frozenset()


def owed_by(
    data: dict[str, Any],
    holidays: Holidays,
    before: date | None = None,
    kept_from: date | None = None,
) -> Owed:
    """Which sessions of each week the placement's timetable owes a mark for.

    A session is owed on a school day (not in a holiday) from the placement's start (or the
    day its register was kept from) to its end, inside the provider's own start and end,
    and before ``before`` (normally today: later sessions are not yet owed). A ``-`` in an
    owed session is a missing mark, not "no session".
    """
    start = model.parse_date(data.get("actual_start"))
    ended = model.parse_date((data.get("ended") or {}).get("date"))
    first_day = max(start, kept_from) if start and kept_from else start
    if first_day is None:  # not started: nothing is owed
        return _nothing
    spans: list[tuple[tuple[int, ...], date, date | None]] = []
    for item in data.get("placements") or []:
        item_start = model.parse_date(item.get("start"))
        first = max(first_day, item_start) if item_start else first_day
        lasts = [d for d in (ended, model.parse_date(item.get("end"))) if d]
        spans.append((planned_sessions(item), first, min(lasts, default=None)))

    def owed(week: date) -> frozenset[int]:
        found = set()
        for sessions, first, last in spans:
            for s in sessions:
                day = session_day(week, s)
                if (
                    first <= day
                    and (last is None or day <= last)
                    and (before is None or day < before)
                    and not in_holiday(day, holidays)
                ):
                    found.add(s)
        return frozenset(found)

    return owed


def marks_up_to(weeks: Sequence[Week]) -> date | None:
    """The latest week with any mark other than ``-``."""
    marked = [w.start for w in weeks if any(m != NO_SESSION for m in w.marks)]
    return max(marked) if marked else None


def week_list(weeks: Sequence[date], most: int = 3) -> str:
    """``'w/c 2026-01-12, 2026-01-19 and 2 more'``."""
    shown = ", ".join(str(w) for w in weeks[:most])
    more = len(weeks) - most
    return f"w/c {shown}" + (f" and {more} more" if more > 0 else "")


def missing_for(
    data: dict[str, Any], register: dict[str, Any] | None, today: date, holidays: Holidays
) -> list[Missing]:
    """The returns not received for one placement, given its attendance record's data."""
    kept = model.parse_date((register or {}).get("kept_from"))
    weeks = weeks_of(register) if register else []
    return not_received(due_weeks(data, today, holidays, kept), weeks)


def provider_marks_up_to(data: dict[str, Any], provider: str, weeks: Sequence[Week]) -> date | None:
    """The latest week with a mark in one of ``provider``'s timetabled sessions."""
    sessions = {
        s
        for item in data.get("placements") or []
        if item.get("provider") == provider
        for s in planned_sessions(item)
    }
    marked = [w.start for w in weeks if any(w.marks[s] != NO_SESSION for s in sessions)]
    return max(marked) if marked else None


@dataclass
class Outstanding:
    """Returns not received for a group of placements (one provider's, or one school's)."""

    weeks: int = 0
    pupils: set[str] = field(default_factory=set)
    week_starts: set[date] = field(default_factory=set)
    """The Mondays of the weeks not received (from any of the group's pupils)."""
    marks_up_to: list[date | None] = field(default_factory=list)

    @property
    def oldest_marks(self) -> date | None:
        """The earliest 'marks up to' week among the group (None when one has no marks)."""
        if not self.marks_up_to or None in self.marks_up_to:
            return None
        return min(d for d in self.marks_up_to if d is not None)


def uncovered_weeks(
    data: dict[str, Any],
    register: dict[str, Any] | None,
    start: date,
    end: date,
    holidays: Holidays,
) -> list[date]:
    """Weeks with timetabled school days in ``[start, end)`` that the register lacks.

    An empty list means the register covers the period, so its figures are the figures.
    """
    weeks = {w.start for w in (weeks_of(register) if register else [])}
    sessions = {s for item in data.get("placements") or [] for s in planned_sessions(item)}
    missing = []
    week = monday_of(start)
    while week < end:
        days = [session_day(week, s) for s in sessions]
        if week not in weeks and any(
            start <= d < end and not in_holiday(d, holidays) for d in days
        ):
            missing.append(week)
        week += timedelta(days=7)
    return missing
