"""``aprecords export register``: the codes a school keys into its own register for a week.

*Working together to improve school attendance* (DfE, statutory from 19 August 2024) has
the school record a pupil at off-site provision it arranged as ``B`` (attending any other
approved educational activity) when the provider confirms attendance, ``K`` when the local
authority arranged the provision, and the absence (or other) code otherwise. From the
provider's marks in the attendance register, per pupil and timetabled session:

- present (``/``, ``\\``, ``L``): ``B`` (school-arranged) or ``K`` (LA-arranged);
- any other code: the same code (``U`` late after the register closed, ``I`` illness, ...);
- a timetabled session without a mark: no code, and a note to chase the return (a missing
  mark is never keyed as attendance);
- sessions in school (``-``, not timetabled at a provider) are not listed: the school takes
  its own register for them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from aprecords import model
from aprecords.attendance.codes import NO_SESSION, SESSION_NAMES, category
from aprecords.attendance.register import register_of, session_day
from aprecords.attendance.returns import holidays_of, in_holiday, planned_sessions
from aprecords.repository import Repository

COLUMNS = (
    "pupil_name",
    "upn",
    "record_id",
    "date",
    "session",
    "provider",
    "provider_mark",
    "school_code",
    "note",
)


def school_code(mark: str, arranged_by: str) -> str:
    """The code the school records for a provider's mark (see the module notes)."""
    if category(mark) == "present":
        return "K" if arranged_by == "local-authority" else "B"
    return mark


def _note(mark: str) -> str:
    """Why a timetabled session has no code to key (empty when it has one)."""
    if mark == NO_SESSION:
        return "the provider marked no session on a timetabled one: check before keying"
    if not mark:
        return "no mark from the provider: chase the return before keying"
    return ""


def _active_in(data: dict[str, Any], monday: date) -> bool:
    """Whether a placement has started by the week's Friday and not ended before Monday."""
    start = model.parse_date(data.get("actual_start"))
    ended = model.parse_date((data.get("ended") or {}).get("date"))
    return (
        start is not None
        and start <= monday + timedelta(days=4)
        and (ended is None or ended >= monday)
    )


def _session_providers(data: dict[str, Any], monday: date) -> dict[int, dict[str, Any]]:
    """Each timetabled session of the week and the placement item that teaches it."""
    found: dict[int, dict[str, Any]] = {}
    started = model.parse_date(data.get("actual_start"))
    ended = model.parse_date((data.get("ended") or {}).get("date"))
    for item in data["placements"]:
        first = model.parse_date(item.get("start")) or started
        last = model.parse_date(item.get("end")) or ended
        for index in planned_sessions(item):
            day = session_day(monday, index)
            if (first is None or day >= first) and (last is None or day <= last):
                found.setdefault(index, item)
    return found


def register_rows(repo: Repository, school: str, monday: date) -> list[dict[str, str]]:
    """Per pupil of the school and timetabled session at a provider, the code to key."""
    holidays = holidays_of(repo.config.data)
    rows = []
    for pid, record in sorted(repo.placements.items()):
        data = record.data
        if data["school"] != school or not _active_in(data, monday):
            continue
        weeks = {w.start: w for w in register_of(repo, pid)}
        week = weeks.get(monday)
        taught = _session_providers(data, monday)
        marks = week.marks if week else ()
        extra = {i for i, m in enumerate(marks) if m != NO_SESSION and i not in taught}
        for index in sorted(set(taught) | extra):
            day = session_day(monday, index)
            if index in taught and in_holiday(day, holidays) and index not in extra:
                continue
            item = taught.get(index) or data["placements"][0]
            mark = marks[index] if index < len(marks) else ""
            returned = bool(mark) and mark != NO_SESSION
            rows.append(
                {
                    "pupil_name": data["student"].get("name", ""),
                    "upn": data["student"].get("upn", ""),
                    "record_id": pid,
                    "date": day.isoformat(),
                    "session": SESSION_NAMES[index].split()[1],
                    "provider": repo.providers[item["provider"]].data.get("name", "")
                    if item["provider"] in repo.providers
                    else item["provider"],
                    "provider_mark": mark if returned else "",
                    "school_code": school_code(mark, item.get("arranged_by", "school"))
                    if returned
                    else "",
                    "note": _note(mark),
                }
            )
    return rows
