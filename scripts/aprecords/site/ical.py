"""``reviews.ics``: an iCalendar feed of upcoming reviews and placement starts for one site.

Made from the audience's scoped records only, so it holds nothing its pages do not. A pupil
whose name is withheld from the audience is shown by record id. Events are all-day; their
UIDs are stable (kind, record id, date), so a calendar that subscribes updates in place.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event

from aprecords import model

FEED = "reviews.ics"
PRODID = "-//aprecords//reviews and starts//EN"
Registry = dict[str, dict[str, Any]]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _pupil(pid: str, data: dict[str, Any]) -> str:
    student = data.get("student")
    name = _text(student.get("name")) if isinstance(student, dict) else None
    return name or pid


def _name(ident: str, registry: Registry) -> str:
    found = registry.get(ident)
    return (_text(found.get("name")) if isinstance(found, dict) else None) or ident


def events(
    placements: Registry, schools: Registry, providers: Registry, today: date
) -> list[tuple[str, date, str, str]]:
    """(uid stem, day, summary, description) of every upcoming review and start, by date."""
    found: list[tuple[str, date, str, str]] = []
    for pid, data in sorted(placements.items()):
        if model.status(data, today) == "ended":
            continue
        who = f"{_pupil(pid, data)} ({_name(data['school'], schools)})"
        review = model.next_review(data)
        when = model.parse_date(review.get("date")) if isinstance(review, dict) else None
        if when is not None and when >= today:
            staff = _text(review.get("staff"))
            more = f"Staff completing the review: {staff}. " if staff else ""
            found.append((f"review-{pid}", when, f"Review: {who}", f"{more}Record {pid}."))
        start = model.parse_date(data.get("actual_start") or data.get("requested_start"))
        if start is not None and start >= today:
            where = ", ".join(_name(p, providers) for p in model.provider_ids(data))
            summary, description = f"Placement starts: {who}", f"At {where}. Record {pid}."
            found.append((f"start-{pid}", start, summary, description))
    return sorted(found, key=lambda e: (e[1], e[0]))


def feed(
    placements: Registry, schools: Registry, providers: Registry, today: date, name: str
) -> bytes:
    """The iCalendar file (RFC 5545) as bytes; stamped with ``today`` so builds repeat."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{name}: reviews and starts")
    stamp = datetime(today.year, today.month, today.day, tzinfo=UTC)
    for stem, day, summary, description in events(placements, schools, providers, today):
        event = Event()
        event.add("uid", f"{stem}-{day.isoformat()}@aprecords")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", summary)
        event.add("description", description)
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
