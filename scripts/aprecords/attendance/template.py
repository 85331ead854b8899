"""A provider's attendance template: its pupils and the weeks to mark, ready to fill in.

Offered on each provider's site as ``attendance-template.csv``. Rows cover the weeks not yet
received (partly received ones too) and the coming weeks; a provider's timetabled sessions
still without a mark are left empty to fill in. In a week the register already holds, every
mark it has is written as it is (so the row imports without contradicting it); elsewhere
every other session is ``-``. Once marked, the file imports as it is (rows left unmarked are
skipped by the import). Cells are written so that no spreadsheet runs one as a formula
(:mod:`aprecords.csvsafe`); the mark codes stay as they are.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from aprecords import csvsafe
from aprecords.attendance.codes import BY_MARK, NO_SESSION, SESSION_KEYS
from aprecords.attendance.register import session_day, weeks_of
from aprecords.attendance.returns import (
    holidays_of,
    in_holiday,
    missing_for,
    monday_of,
    planned_sessions,
)

FILE = "attendance-template.csv"
AHEAD = 4
"""Weeks from the current one that the template lists after the ones not yet received."""


def _sessions(data: dict[str, Any], provider: str) -> set[int]:
    return {
        s
        for item in data.get("placements") or []
        if item.get("provider") == provider
        for s in planned_sessions(item)
    }


def template_csv(
    placements: dict[str, dict[str, Any]],
    attendance: dict[str, dict[str, Any]],
    provider: str,
    today: date,
    config_data: dict[str, Any],
    with_names: bool,
) -> str:
    """The CSV text for one provider: header, then one row per pupil and week."""
    holidays = holidays_of(config_data)
    out = io.StringIO()
    writer = csvsafe.writer(out, keep={NO_SESSION, *BY_MARK})
    writer.writerow(["pupil", *(["name"] if with_names else []), "week_commencing", *SESSION_KEYS])
    for pid, data in sorted(placements.items()):
        sessions = _sessions(data, provider)
        if not sessions or "actual_start" not in data or "ended" in data:
            continue
        start = date.fromisoformat(data["actual_start"])
        owed = [
            m.week
            for m in missing_for(data, attendance.get(pid), today, holidays)
            if m.provider == provider
        ]
        coming = [monday_of(today) + timedelta(weeks=n) for n in range(AHEAD)]
        recorded = {w.start: w.marks for w in weeks_of(attendance.get(pid) or {})}
        for week in sorted(set(owed) | {w for w in coming if w + timedelta(days=4) >= start}):
            days = {s: session_day(week, s) for s in sessions}
            marks = recorded.get(week, (NO_SESSION,) * 10)
            to_mark = {
                s
                for s in sessions
                if days[s] >= start and not in_holiday(days[s], holidays) and marks[s] == NO_SESSION
            }
            if not to_mark:
                continue
            cells = ["" if s in to_mark else marks[s] for s in range(10)]
            name = [data["student"]["name"]] if with_names else []
            writer.writerow([pid, *name, week.isoformat(), *cells])
    return out.getvalue()
