"""Attendance figures with the DfE definitions, for a placement, a period, a school, a window.

- sessions possible: sessions with a present, activity or absence code (codes that are not
  possible sessions, not counted, or ``-`` are left out);
- attended: present (``/ \\ L``) and approved educational activity (``K V P W B``);
- authorised and unauthorised absence: by code;
- missing: sessions the timetable owes a mark for that are still ``-`` (see
  ``returns.owed_by``); they are neither possible nor attended, and always reported beside
  the figures, so a blank never reads as good attendance;
- attendance rate: attended / possible (the marked sessions), as a percentage;
- persistent absence: absence of 10% or more of possible sessions (so exactly 90% attendance
  is persistent absence); severe absence: 50% or more.

Periods are half-open: a session on day ``d`` is in ``[start, end)``. Windows before a
``today`` are calendar weeks: the last 4 weeks are the 28 days before ``today``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Literal

from aprecords import model
from aprecords.attendance.codes import NO_SESSION, category
from aprecords.attendance.register import Week, registers
from aprecords.attendance.returns import Holidays, Owed, holidays_of, owed_by

if TYPE_CHECKING:
    from aprecords.repository import Repository

RECENT_WEEKS = 4
HALF_TERM_WEEKS = 6
Level = Literal["severe", "persistent"]


@dataclass(frozen=True)
class Figures:
    """Session counts; rates are derived so they always agree with the counts."""

    possible: int = 0
    attended: int = 0
    authorised: int = 0
    unauthorised: int = 0
    missing: int = 0
    """Owed sessions with no mark (``-``): not in any other count."""

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.possible + other.possible,
            self.attended + other.attended,
            self.authorised + other.authorised,
            self.unauthorised + other.unauthorised,
            self.missing + other.missing,
        )

    @property
    def absent(self) -> int:
        """Sessions missed: authorised plus unauthorised absence."""
        return self.authorised + self.unauthorised

    @property
    def rate(self) -> float | None:
        """Attendance rate in percent, or None when no session was possible."""
        return 100.0 * self.attended / self.possible if self.possible else None

    @property
    def persistent(self) -> bool:
        """Absence of 10% or more of possible sessions (compared in whole numbers)."""
        return self.possible > 0 and self.absent * 10 >= self.possible

    @property
    def severe(self) -> bool:
        """Absence of 50% or more of possible sessions."""
        return self.possible > 0 and self.absent * 2 >= self.possible

    @property
    def level(self) -> Level | None:
        """'severe', 'persistent' or None."""
        return "severe" if self.severe else "persistent" if self.persistent else None


def count(marks: Iterable[str], owed: Collection[int] = ()) -> Figures:
    """Figures of a run of marks; a ``-`` at an index in ``owed`` is a missing mark."""
    tally = {"present": 0, "activity": 0, "authorised": 0, "unauthorised": 0}
    missing = 0
    for i, mark in enumerate(marks):
        kind = category(mark)
        if kind in tally:
            tally[kind] += 1
        elif mark == NO_SESSION and i in owed:
            missing += 1
    attended = tally["present"] + tally["activity"]
    possible = attended + tally["authorised"] + tally["unauthorised"]
    return Figures(possible, attended, tally["authorised"], tally["unauthorised"], missing)


def _none(week: date) -> frozenset[int]:
    return frozenset()


def between(
    weeks: Iterable[Week],
    start: date | None = None,
    end: date | None = None,
    owed: Owed = _none,
) -> Figures:
    """Figures of the sessions on days in ``[start, end)`` (either side may be open)."""
    total = Figures()
    for week in weeks:
        kept = [
            i
            for i, (day, _, _) in enumerate(week.sessions())
            if (start is None or day >= start) and (end is None or day < end)
        ]
        owed_here = owed(week.start)
        marks = [week.marks[i] for i in kept]
        total = total + count(marks, {n for n, i in enumerate(kept) if i in owed_here})
    return total


def weekly(weeks: Iterable[Week], owed: Owed = _none) -> list[tuple[date, Figures]]:
    """Each week's figures, oldest first."""
    return [
        (week.start, count(week.marks, owed(week.start)))
        for week in sorted(weeks, key=lambda w: w.start)
    ]


def window(weeks: Iterable[Week], today: date, length_weeks: int, owed: Owed = _none) -> Figures:
    """Figures of the ``length_weeks`` calendar weeks before ``today`` (today excluded)."""
    return between(weeks, today - timedelta(weeks=length_weeks), today, owed)


@dataclass(frozen=True)
class Period:
    """A stretch of the placement: from ``start`` up to (not including) ``end``."""

    label: str
    start: date | None
    end: date | None
    figures: Figures


def review_periods(
    placement: dict[str, Any], weeks: list[Week], today: date, owed: Owed = _none
) -> list[Period]:
    """Figures from the start to the first review, between reviews, and since the last one."""
    start = model.parse_date(placement.get("actual_start"))
    dates = [d for d in (model.parse_date(r.get("date")) for r in model.reviews(placement)) if d]
    periods: list[Period] = []
    previous, since = start, "the start"
    for when in dates:
        label = f"From {since} to the review of {_day(when)}"
        periods.append(Period(label, previous, when, between(weeks, previous, when, owed)))
        previous, since = when, f"the review of {_day(when)}"
    last = between(weeks, previous, today, owed)
    periods.append(Period(f"Since {since} (to {_day(today)})", previous, today, last))
    return periods


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def recent_weeks(config_data: dict[str, Any]) -> tuple[int, int]:
    """(recent, half-term) window lengths in weeks from aprecords.yml ``attendance``."""
    settings = config_data.get("attendance") or {}
    return (
        int(settings.get("recent_weeks", RECENT_WEEKS)),
        int(settings.get("half_term_weeks", HALF_TERM_WEEKS)),
    )


@dataclass(frozen=True)
class Flag:
    """A placement whose absence over a window is persistent or severe."""

    placement: str
    school: str
    window: str
    weeks: int
    figures: Figures

    @property
    def level(self) -> Level:
        """'severe' or 'persistent'."""
        level = self.figures.level
        assert level is not None
        return level


def flags_for(
    placements: dict[str, dict[str, Any]],
    weeks_by_placement: dict[str, list[Week]],
    today: date,
    lengths: tuple[int, int] = (RECENT_WEEKS, HALF_TERM_WEEKS),
    holidays: Holidays = (),
) -> list[Flag]:
    """Active placements persistently or severely absent over each window, worst first.

    Works on plain data (a site passes its audience's scoped records). Each flag's figures
    count the window's missing marks too, so the dashboard can say how many there are.
    """
    windows = [(f"last {n} weeks", n) for n in dict.fromkeys(lengths)]
    flags: list[Flag] = []
    for pid, data in sorted(placements.items()):
        if model.status(data, today) != "active":
            continue
        weeks = weeks_by_placement.get(pid, [])
        owed = owed_by(data, holidays, today)
        for label, length in windows:
            figures = window(weeks, today, length, owed)
            if figures.level is not None:
                flags.append(Flag(pid, data["school"], label, length, figures))
    return sorted(flags, key=lambda f: (f.weeks, f.figures.rate or 0.0, f.placement))


def absence_flags(
    repo: Repository, today: date, placement_ids: Iterable[str] | None = None
) -> list[Flag]:
    """``flags_for`` over the repository's placements (or only ``placement_ids``)."""
    wanted = None if placement_ids is None else set(placement_ids)
    placements = {
        pid: r.data for pid, r in repo.placements.items() if wanted is None or pid in wanted
    }
    return flags_for(
        placements,
        registers(repo),
        today,
        recent_weeks(repo.config.data),
        holidays_of(repo.config.data),
    )


def schools_for(
    placements: dict[str, dict[str, Any]],
    weeks_by_placement: dict[str, list[Week]],
    start: date | None = None,
    end: date | None = None,
    holidays: Holidays = (),
) -> dict[str, Figures]:
    """Figures of all placements of each school over ``[start, end)``, by school id.

    Works on plain data (a site passes its audience's scoped records). Missing marks are
    counted up to ``end`` (or without limit).
    """
    totals: dict[str, Figures] = {}
    for pid, data in sorted(placements.items()):
        owed = owed_by(data, holidays, end)
        figures = between(weeks_by_placement.get(pid, []), start, end, owed)
        totals[data["school"]] = totals.get(data["school"], Figures()) + figures
    return totals


def by_school(
    repo: Repository, start: date | None = None, end: date | None = None
) -> dict[str, Figures]:
    """``schools_for`` over the repository's placements."""
    placements = {pid: r.data for pid, r in repo.placements.items()}
    return schools_for(placements, registers(repo), start, end, holidays_of(repo.config.data))
