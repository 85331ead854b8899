"""Facts derived from a placement record's data: status, current targets, review dates.

Plain functions over schema-valid data; nothing here reads files.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any, Literal

Status = Literal["requested", "active", "ended"]

# The six standard ways an agreement is assessed (the form's "How will this be assessed?"),
# by the ids the schema enumerates, with the words shown to people.
ASSESSMENT_METHODS = {
    "weekly-attendance": "Weekly attendance updates and checks",
    "mentor-feedback": "Regular feedback with the hub mentor",
    "daily-concerns": "Daily communication on safeguarding or other concerns",
    "termly-review": "Termly review meeting with the hub mentor",
    "termly-reporting": "Termly attendance, behaviour and progress reporting",
    "intervention-advice": "Advice on interventions or changes",
}


def parse_date(value: Any) -> date | None:
    """An ISO date string as a date, or None when absent or not a real date."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def status(data: dict[str, Any], today: date) -> Status:
    """requested (not started), active, or ended (end date reached)."""
    ended = parse_date((data.get("ended") or {}).get("date"))
    if ended is not None and ended <= today:
        return "ended"
    start = parse_date(data.get("actual_start"))
    if start is None or start > today:
        return "requested"
    return "active"


def reviews(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The recorded reviews, oldest first as written."""
    return list(data.get("reviews") or [])


def current_targets(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The targets in force: the latest review's (without closed ones), else the agreement's."""
    recorded = reviews(data)
    if recorded:
        return [t for t in recorded[-1]["targets"] if t.get("change") != "closed"]
    return list(data.get("targets") or [])


def next_review(data: dict[str, Any]) -> dict[str, Any]:
    """The next review as agreed most recently (latest review's, else the agreement's)."""
    recorded = reviews(data)
    if recorded:
        return recorded[-1]["next_review"]
    return data["next_review"]


def latest_attendance_rate(data: dict[str, Any]) -> float | None:
    """The attendance percentage reported at the latest review that gives one."""
    for review in reversed(reviews(data)):
        figures = review_figures(review)
        rate = attendance_rate(figures)
        if rate is not None:
            return rate
    return None


def review_figures(review: dict[str, Any]) -> dict[str, Any]:
    """A review's attendance figures, as corrected by its latest amendment that gives any."""
    figures = dict(review.get("attendance") or {})
    corrected = amended_figures(review)
    if corrected is not None:
        figures.update(corrected[1])
    return figures


def amended_figures(review: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(date, figures) of the latest amendment that corrects the attendance figures."""
    for amendment in reversed(review.get("amendments") or []):
        if isinstance(amendment, dict) and isinstance(amendment.get("attendance"), dict):
            return amendment.get("date", ""), amendment["attendance"]
    return None


def attendance_rate(figures: dict[str, Any]) -> float | None:
    """Percentage from the figures (sessions) or, failing that, the stated percentage."""
    possible, attended = figures.get("sessions_possible"), figures.get("sessions_attended")
    if isinstance(possible, int) and isinstance(attended, int) and possible > 0:
        return 100.0 * attended / possible
    pct = figures.get("percentage")
    return float(pct) if isinstance(pct, int | float) else None


def provider_ids(data: dict[str, Any]) -> list[str]:
    """Providers the pupil attends, in the order of the agreement, without repeats."""
    return list(dict.fromkeys(p["provider"] for p in data.get("placements") or []))


def string_leaves(
    value: Any, trail: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(JSON path, text) of every string in a record's data, in document order."""
    if isinstance(value, str):
        yield trail, value
    elif isinstance(value, dict):
        for key, sub in value.items():
            yield from string_leaves(sub, (*trail, key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from string_leaves(sub, (*trail, i))
