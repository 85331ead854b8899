"""A placement's attendance register: its weeks of marks, read from an attendance record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from aprecords.attendance.codes import NO_SESSION, SESSION_NAMES

if TYPE_CHECKING:
    from aprecords.repository import Record, Repository


@dataclass(frozen=True)
class Week:
    """One week commencing ``start`` (a Monday) and its ten marks, Mon AM..Fri PM."""

    start: date
    marks: tuple[str, ...]

    def sessions(self) -> list[tuple[date, str, str]]:
        """(day, session name, mark) for each of the ten sessions."""
        return [
            (session_day(self.start, i), SESSION_NAMES[i], mark)
            for i, mark in enumerate(self.marks)
        ]


def session_day(week: date, index: int) -> date:
    """The date of session ``index`` (0 = Monday AM .. 9 = Friday PM) of a week."""
    return week + timedelta(days=index // 2)


def weeks_of(data: dict[str, Any]) -> list[Week]:
    """The weeks of an attendance record's data, oldest first; unreadable dates are skipped."""
    found: list[Week] = []
    for entry in data.get("weeks") or []:
        try:
            start = date.fromisoformat(entry["week"])
        except (TypeError, ValueError, KeyError):
            continue
        found.append(Week(start, tuple(entry.get("marks") or ())))
    return sorted(found, key=lambda w: w.start)


def marked(week: Week) -> bool:
    """True when any session of the week carries a mark other than ``-``."""
    return any(mark != NO_SESSION for mark in week.marks)


def attendance_records(repo: Repository) -> dict[str, Record]:
    """Valid attendance records by the placement id they name (the first, where repeated)."""
    found: dict[str, Record] = {}
    for record in repo.of_kind("attendance"):
        placement = record.data.get("placement")
        if isinstance(placement, str):
            found.setdefault(placement, record)
    return found


def registers(repo: Repository) -> dict[str, list[Week]]:
    """The weeks of every placement that has an attendance file, by placement id."""
    return {pid: weeks_of(record.data) for pid, record in attendance_records(repo).items()}


def register_of(repo: Repository, placement_id: str) -> list[Week]:
    """The weeks recorded for one placement (empty when it has no attendance file)."""
    record = attendance_records(repo).get(placement_id)
    return weeks_of(record.data) if record is not None else []
