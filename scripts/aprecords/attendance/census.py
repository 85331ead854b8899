"""``aprecords export census``: school-arranged placements active in a term, as census CSV.

One row per provider of each school-arranged placement that overlaps the term. Terms are
calendar ranges of the year named: autumn 1 September to 31 December, spring 1 January to
31 March, summer 1 April to 31 August (the school census of each term asks about the
placements of that term). Placements arranged by the local authority are left out: they
are not school-arranged provision.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from aprecords import csvsafe, model
from aprecords.repository import Repository

Term = Literal["autumn", "spring", "summer"]
TERMS: tuple[Term, ...] = ("autumn", "spring", "summer")
COLUMNS = (
    "school_urn",
    "school_laestab",
    "record_id",
    "upn",
    "provider_urn",
    "provider_ukprn",
    "setting_type",
    "reason",
    "hours_per_week",
    "attendance_pattern",
    "start_date",
    "end_date",
)


def term_dates(term: Term, year: int) -> tuple[date, date]:
    """First and last day of a term (inclusive)."""
    if term == "autumn":
        return date(year, 9, 1), date(year, 12, 31)
    if term == "spring":
        return date(year, 1, 1), date(year, 3, 31)
    return date(year, 4, 1), date(year, 8, 31)


def term_of(day: date) -> tuple[Term, int]:
    """The term a day falls in, and its year."""
    if day.month >= 9:
        return "autumn", day.year
    return ("spring" if day.month <= 3 else "summer"), day.year


@dataclass(frozen=True)
class Export:
    """The census rows, and warnings about missing facts the census will ask for."""

    rows: list[dict[str, str]]
    warnings: list[str]

    def csv_text(self) -> str:
        """The rows as CSV with a header line, every cell quoted and none a spreadsheet would
        run as a formula (:mod:`aprecords.csvsafe`)."""
        out = io.StringIO(newline="")
        writer = csvsafe.dict_writer(out, COLUMNS)
        writer.writeheader()
        writer.writerows_dict(self.rows)
        return out.getvalue()


def _span(data: dict[str, Any], item: dict[str, Any]) -> tuple[date | None, date | None]:
    """A provider's dates within a placement; no start until the placement has started."""
    started = model.parse_date(data.get("actual_start"))
    if started is None:
        return None, None
    ended = model.parse_date((data.get("ended") or {}).get("date"))
    return (
        model.parse_date(item.get("start")) or started,
        model.parse_date(item.get("end")) or ended,
    )


def census(repo: Repository, term: Term, year: int, school: str | None = None) -> Export:
    """Rows for the school-arranged placements active in the term (of one school, or all)."""
    first, last = term_dates(term, year)
    threshold = repo.config.full_time_hours
    rows: list[dict[str, str]] = []
    warnings: list[str] = []
    schools, providers = repo.schools, repo.providers
    for pid, record in sorted(repo.placements.items()):
        data = record.data
        if school is not None and data["school"] != school:
            continue
        school_data = schools.get(data["school"])
        for item in data["placements"]:
            if item.get("arranged_by", "school") != "school":
                continue
            start, end = _span(data, item)
            if start is None or start > last or (end is not None and end < first):
                continue
            provider = providers.get(item["provider"])
            pdata = provider.data if provider else {}
            registration = pdata.get("registration") or {}
            upn = (data.get("student") or {}).get("upn", "")
            if not upn:
                warnings.append(f"{record.path}: no UPN; the census needs student.upn")
            hours = item.get("hours_per_week")
            pattern = "" if hours is None else ("full-time" if hours > threshold else "part-time")
            rows.append(
                {
                    "school_urn": (school_data.data.get("urn", "") if school_data else ""),
                    "school_laestab": (
                        school_data.data.get("laestab", "").replace("/", "") if school_data else ""
                    ),
                    "record_id": pid,
                    "upn": upn,
                    "provider_urn": registration.get("urn", ""),
                    "provider_ukprn": pdata.get("ukprn", ""),
                    "setting_type": pdata.get("setting_type", ""),
                    "reason": data.get("reason", ""),
                    "hours_per_week": "" if hours is None else f"{hours:g}",
                    "attendance_pattern": pattern,
                    "start_date": start.isoformat(),
                    "end_date": end.isoformat() if end else "",
                }
            )
            if not data.get("reason"):
                warnings.append(f"{record.path}: no reason; the census needs one")
    return Export(rows, warnings)
