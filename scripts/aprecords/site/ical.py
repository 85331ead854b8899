"""iCalendar feeds of upcoming reviews and placement starts for one audience.

Made from the audience's scoped records only, so a feed holds nothing its pages do not.
``reviews.ics`` behind the site's login names pupils (by record id where the name is withheld
from the audience); the subscribable feed at a secret address (``site/feeds.py``) gives only
initials and the record id, since calendar services copy events into the cloud. Events are
all-day. A UID names the event, not its date (the start of a placement; the n-th review of
one), so a subscribed calendar moves an event when its date changes. Each feed asks to be
fetched again every few hours (REFRESH-INTERVAL, RFC 7986, and Outlook's X-PUBLISHED-TTL).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event

from aprecords import model

FEED = "reviews.ics"
PRODID = "-//aprecords//reviews and starts//EN"
REFRESH = "PT6H"
"""How often a subscribed calendar should fetch the feed again."""
Registry = dict[str, dict[str, Any]]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def initials(name: str) -> str:
    """``Tobias Wrenfeather`` as ``T.W.``; each part of a hyphenated name counts."""
    parts = [p for word in name.split() for p in word.split("-") if p[:1].isalpha()]
    return "".join(f"{p[0].upper()}." for p in parts)


def _pupil(pid: str, data: dict[str, Any], names: bool) -> str:
    student = data.get("student")
    name = _text(student.get("name")) if isinstance(student, dict) else None
    if name is None:
        return pid
    return name if names else f"{initials(name)} {pid}"


def _name(ident: str, registry: Registry) -> str:
    found = registry.get(ident)
    return (_text(found.get("name")) if isinstance(found, dict) else None) or ident


def events(
    placements: Registry, schools: Registry, providers: Registry, today: date, names: bool = True
) -> list[tuple[str, date, str, str]]:
    """(uid stem, day, summary, description) of every upcoming review and start, by date;
    ``names`` False gives pupils as initials and record id."""
    found: list[tuple[str, date, str, str]] = []
    for pid, data in sorted(placements.items()):
        if model.status(data, today) == "ended":
            continue
        who = f"{_pupil(pid, data, names)} ({_name(data['school'], schools)})"
        review = model.next_review(data)
        when = model.parse_date(review.get("date")) if isinstance(review, dict) else None
        if when is not None and when >= today:
            staff = _text(review.get("staff"))
            more = f"Staff completing the review: {staff}. " if staff else ""
            number = len(model.reviews(data)) + 1
            summary, description = f"Review: {who}", f"{more}Record {pid}."
            found.append((f"review-{pid}-{number}", when, summary, description))
        start = model.parse_date(data.get("actual_start") or data.get("requested_start"))
        if start is not None and start >= today:
            where = ", ".join(_name(p, providers) for p in model.provider_ids(data))
            summary, description = f"Placement starts: {who}", f"At {where}. Record {pid}."
            found.append((f"start-{pid}", start, summary, description))
    return sorted(found, key=lambda e: (e[1], e[0]))


def feed(
    placements: Registry,
    schools: Registry,
    providers: Registry,
    today: date,
    name: str,
    names: bool = True,
) -> bytes:
    """The iCalendar file (RFC 5545) as bytes; stamped with ``today`` so builds repeat."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{name}: reviews and starts")
    cal.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", REFRESH)
    stamp = datetime(today.year, today.month, today.day, tzinfo=UTC)
    for stem, day, summary, description in events(placements, schools, providers, today, names):
        event = Event()
        event.add("uid", f"{stem}@aprecords")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", summary)
        event.add("description", description)
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
