"""School census days, academic years, and which placements a census counts.

The DfE holds the school census on a Thursday each term: autumn the first Thursday of
October, spring the third Thursday of January, summer the third Thursday of May (the
2025/26 days, 2 October 2025, 15 January 2026 and 21 May 2026, follow that rule). A
repository may set other days in ``aprecords.yml`` (``census: days:``) when the DfE moves one.

A census counts the placements open on its census day and those that ended since the
previous census day (see docs/attendance.md for the sources).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, Literal

Term = Literal["autumn", "spring", "summer"]
TERMS: tuple[Term, ...] = ("autumn", "spring", "summer")
_RULE: dict[Term, tuple[int, int]] = {"autumn": (10, 1), "spring": (1, 3), "summer": (5, 3)}
"""Month and which Thursday of it, per term."""
_YEAR = re.compile(r"^(\d{4})(?:/(\d{2}))?$")


class YearError(ValueError):
    """A --year that is neither YYYY nor YYYY/YY (consecutive years)."""


def nth_thursday(year: int, month: int, n: int) -> date:
    """The n-th Thursday of a month."""
    first = date(year, month, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7, weeks=n - 1)


def year_label(start: int) -> str:
    """``2025/26`` for the academic year starting in September 2025."""
    return f"{start}/{(start + 1) % 100:02d}"


def parse_year(text: str, term: Term) -> int:
    """The academic year's first calendar year from ``2025/26``, or from the calendar year
    the term falls in (``--term spring --year 2026`` is spring of 2025/26)."""
    match = _YEAR.match(text.strip())
    if match is None:
        raise YearError(f"--year {text}: give the school year as YYYY/YY (e.g. 2025/26)")
    first = int(match.group(1))
    if match.group(2) is not None:
        if int(match.group(2)) != (first + 1) % 100:
            raise YearError(
                f"--year {text}: the two years must follow each other (e.g. {year_label(first)})"
            )
        return first
    return first if term == "autumn" else first - 1


def census_day(term: Term, start: int, config_data: dict[str, Any] | None = None) -> date:
    """The census day of a term of the academic year starting in ``start``: the day set in
    aprecords.yml for that year, else the DfE's rule."""
    days = ((config_data or {}).get("census") or {}).get("days") or {}
    given = (days.get(year_label(start)) or {}).get(term)
    if isinstance(given, str):
        return date.fromisoformat(given)
    month, nth = _RULE[term]
    return nth_thursday(start if term == "autumn" else start + 1, month, nth)


def previous(term: Term, start: int) -> tuple[Term, int]:
    """The census before this one (autumn follows the summer of the year before)."""
    if term == "autumn":
        return "summer", start - 1
    return ("autumn" if term == "spring" else "spring"), start


def window(term: Term, start: int, config_data: dict[str, Any] | None = None) -> tuple[date, date]:
    """The day after the previous census day, and this census day (both counted)."""
    before = census_day(*previous(term, start), config_data)
    return before + timedelta(days=1), census_day(term, start, config_data)


def counted(span: tuple[date, date | None], days: tuple[date, date]) -> bool:
    """Whether a placement from ``span[0]`` to ``span[1]`` (None: still open) is in the
    census: started by census day, and open then or ended on or after the window's first day."""
    start, end = span
    first, census = days
    return start <= census and (end is None or end >= first)


def current(today: date, config_data: dict[str, Any] | None = None) -> tuple[Term, int]:
    """The census being prepared on ``today``: the next census day on or after it."""
    for start in (today.year - 1, today.year):
        for term in TERMS:
            if census_day(term, start, config_data) >= today:
                return term, start
    return "autumn", today.year + 1  # unreachable: the autumn census of this year is later
