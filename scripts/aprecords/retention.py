"""Retention: when a placement record may be deleted, and which ones may be now.

A placement record must be kept for ``retention_years`` (aprecords.yml, at least 6) after the
placement ended; it may be deleted only once the ended date is more than that many years
before today. A placement with no ``ended`` date is never deletable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from aprecords import model


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def deletable_from(data: dict[str, Any], years: int) -> date | None:
    """The first day the record may be deleted, or None while the placement has not ended."""
    ended = model.parse_date((data.get("ended") or {}).get("date"))
    if ended is None:
        return None
    return add_years(ended, years) + timedelta(days=1)


def is_deletable(data: dict[str, Any], years: int, today: date) -> bool:
    """True when the placement ended more than ``years`` years before ``today``."""
    first = deletable_from(data, years)
    return first is not None and first <= today


@dataclass(frozen=True)
class Expired:
    """A placement record past its retention period."""

    path: str
    id: str
    ended: str
    deletable_from: date

    def as_dict(self) -> dict[str, str]:
        """The JSON form: path, id, ended, deletable_from."""
        return {
            "path": self.path,
            "id": self.id,
            "ended": self.ended,
            "deletable_from": self.deletable_from.isoformat(),
        }


def expired(records: list[tuple[str, dict[str, Any]]], years: int, today: date) -> list[Expired]:
    """Records (path, data) past retention as of ``today``, oldest deletable first."""
    found = []
    for path, data in records:
        first = deletable_from(data, years)
        if first is not None and first <= today:
            found.append(Expired(path, str(data.get("id", "")), data["ended"]["date"], first))
    return sorted(found, key=lambda e: (e.deletable_from, e.path))


def render(found: list[Expired], years: int, today: date, fmt: str) -> str:
    """The report as text for people or JSON for tools."""
    if fmt == "json":
        import json

        return json.dumps(
            {
                "today": today.isoformat(),
                "retention_years": years,
                "records": [e.as_dict() for e in found],
            },
            indent=2,
        )
    if not found:
        return (
            f"No placement record is past its retention period ({years} years after the "
            f"placement ended) as of {today}."
        )
    lines = [
        f"{len(found)} placement record{'s' * (len(found) != 1)} past the retention period "
        f"({years} years after the placement ended), as of {today}:"
    ]
    lines += [f"  {e.path}  ended {e.ended}, deletable from {e.deletable_from}" for e in found]
    lines.append(
        "To delete one, open a pull request that removes the file and names this "
        "report in its description; the history check allows the deletion."
    )
    return "\n".join(lines)
