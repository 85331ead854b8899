"""One truth for attendance at reviews: the register's figures for each review's period.

A review reports attendance "since the last review": from the previous review (or the
actual start) up to the day before this review. Where the register covers that period
(every week with timetabled school days has an entry, and no timetabled session is left
``-``), its figures are the figures; a review's typed figures that differ are a warning, and
``aprecords review`` fills them in. Over missing marks it fills nothing and says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from aprecords import model
from aprecords.attendance.codes import NO_SESSION
from aprecords.attendance.figures import Figures, between
from aprecords.attendance.register import Week, session_day, weeks_of
from aprecords.attendance.returns import Holidays, Owed, owed_by, uncovered_weeks


@dataclass(frozen=True)
class ReviewPeriod:
    """The register's account of the period a review reports on."""

    start: date
    end: date
    """The review's date: the period is ``[start, end)``."""
    figures: Figures
    uncovered: list[date]
    blank: list[date] = field(default_factory=list)
    """Weeks of the period with a timetabled session left ``-`` (a missing mark)."""

    @property
    def covered(self) -> bool:
        """True when the register has every timetabled session of the period marked."""
        return not self.uncovered and not self.blank and self.figures.possible > 0


def blank_weeks(weeks: list[Week], owed: Owed, start: date, end: date) -> list[date]:
    """Weeks with an owed session on a day in ``[start, end)`` still ``-``."""
    return [
        w.start
        for w in weeks
        if any(
            w.marks[s] == NO_SESSION and start <= session_day(w.start, s) < end
            for s in owed(w.start)
        )
    ]


def period_before(
    data: dict[str, Any],
    register: dict[str, Any] | None,
    when: date,
    holidays: Holidays,
    previous: date | None = None,
) -> ReviewPeriod | None:
    """The register's figures from ``previous`` (else the actual start) up to ``when``."""
    start = previous or model.parse_date(data.get("actual_start"))
    if start is None or start >= when:
        return None
    weeks = weeks_of(register) if register else []
    kept = model.parse_date((register or {}).get("kept_from"))
    owed = owed_by(data, holidays, when, kept)
    figures = between(weeks, start, when, owed)
    return ReviewPeriod(
        start,
        when,
        figures,
        uncovered_weeks(data, register, start, when, holidays),
        blank_weeks(weeks, owed, start, when),
    )


def review_periods(
    data: dict[str, Any], register: dict[str, Any] | None, holidays: Holidays
) -> list[tuple[int, dict[str, Any], ReviewPeriod]]:
    """(index, review, period) of every recorded review with a readable date."""
    found = []
    previous = None
    for i, review in enumerate(model.reviews(data)):
        when = model.parse_date(review.get("date"))
        if when is None:
            continue
        period = period_before(data, register, when, holidays, previous)
        if period is not None:
            found.append((i, review, period))
        previous = when
    return found


def disagreement(typed: dict[str, Any], figures: Figures) -> str | None:
    """How a review's typed figures differ from the register's, or None when they agree."""
    pairs = (
        ("sessions_possible", figures.possible),
        ("sessions_attended", figures.attended),
        ("authorised_absence", figures.authorised),
        ("unauthorised_absence", figures.unauthorised),
    )
    wrong = [
        f"{key} {typed[key]} (register: {value})"
        for key, value in pairs
        if isinstance(typed.get(key), int) and typed[key] != value
    ]
    pct = typed.get("percentage")
    if isinstance(pct, int | float) and figures.rate is not None and abs(pct - figures.rate) > 0.05:
        wrong.append(f"percentage {pct:g} (register: {figures.rate:.1f})")
    return "; ".join(wrong) or None
