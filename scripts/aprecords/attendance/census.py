"""``aprecords export census``: the school-arranged AP placements a census counts, as a
keying sheet in the DfE's shape (one row per provider of each placement).

A census counts placements open on its census day and those that ended since the previous
census day (:mod:`aprecords.attendance.censusdays`). Each row names the AP by URN, else
UKPRN, else the DfE setting-type code (never more than one), gives the DfE reason code,
and carries the pupil's name, UPN and the provider's name for the person keying it into
the MIS (there is no bulk import). Placements arranged by the local authority are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from aprecords import model
from aprecords.attendance.censusdays import Term, counted, window
from aprecords.csvout import csv_text
from aprecords.findings import Finding
from aprecords.repository import Record, Repository

COLUMNS = (
    "school_urn",
    "school_laestab",
    "record_id",
    "pupil_name",
    "upn",
    "provider_name",
    "ap_urn",
    "ap_ukprn",
    "ap_setting_type",
    "reason_code",
    "reason",
    "entry_date",
    "leaving_date",
    "attendance_pattern",
    "sessions_per_week",
    "hours_per_week",
)
REASON_CODES: dict[str, tuple[str, str]] = {
    "behaviour": ("BEH", "Behaviour"),
    "suspension": ("SUS", "Suspension"),
    "mental-health": ("MHN", "Mental health need"),
    "physical-health": ("PHN", "Physical health need"),
    "named-in-ehc-plan": ("EHC", "Named in EHC plan"),
    "engagement": ("OTH", "Other"),
    "vocational": ("OTH", "Other"),
    "other": ("OTH", "Other"),
}
"""Our reason -> the DfE's code and description (our reading: see docs/attendance.md)."""
SETTING_CODES: dict[str, str] = {
    "further-education": "NFE",
    "one-to-one-tuition": "OOT",
    "unregistered-provider": "OTH",
    "work-based-placement": "WBP",
    "other": "OTH",
}
"""Our setting type -> the DfE's AP setting-type code; an independent school has none (it
has a URN)."""


@dataclass(frozen=True)
class Row:
    """One census row and where its facts come from (for the checks)."""

    values: dict[str, str]
    placement: Record
    index: int
    provider: Record | None
    span: tuple[date, date | None]


@dataclass(frozen=True)
class Export:
    """The census rows, and the checks the MIS would fail them on (located findings)."""

    rows: list[Row]
    findings: list[Finding]
    census_day: date
    first_day: date

    def csv_text(self) -> str:
        """The rows as CSV with a header line."""
        return csv_text(COLUMNS, (r.values for r in self.rows))


def _span(data: dict[str, Any], item: dict[str, Any]) -> tuple[date, date | None] | None:
    """A provider's dates within a placement; none until the placement has started."""
    started = model.parse_date(data.get("actual_start"))
    if started is None:
        return None
    ended = model.parse_date((data.get("ended") or {}).get("date"))
    end = model.parse_date(item.get("end")) or ended
    if ended is not None and end is not None:
        end = min(end, ended)
    return model.parse_date(item.get("start")) or started, end


def ap_identity(provider: dict[str, Any]) -> tuple[str, str, str]:
    """URN, else UKPRN, else the DfE setting-type code: exactly one filled (or none known)."""
    urn = (provider.get("registration") or {}).get("urn", "")
    if urn:
        return urn, "", ""
    if provider.get("ukprn"):
        return "", provider["ukprn"], ""
    return "", "", SETTING_CODES.get(provider.get("setting_type", ""), "")


def sessions_per_week(item: dict[str, Any]) -> int:
    """Timetabled sessions (mornings and afternoons) a week at this provider."""
    return sum(len(halves or []) for halves in (item.get("sessions") or {}).values())


def _row(repo: Repository, record: Record, item: dict[str, Any], span: tuple) -> dict[str, str]:
    data = record.data
    school = repo.schools.get(data["school"])
    sdata = school.data if school else {}
    provider = repo.providers.get(item["provider"])
    pdata = provider.data if provider else {}
    urn, ukprn, setting = ap_identity(pdata)
    code, described = REASON_CODES.get(data.get("reason", ""), ("", ""))
    hours = item.get("hours_per_week")
    full_time = hours is not None and hours > repo.config.full_time_hours
    sessions = sessions_per_week(item)
    student = data.get("student") or {}
    return {
        "school_urn": sdata.get("urn", ""),
        "school_laestab": sdata.get("laestab", "").replace("/", ""),
        "record_id": data["id"],
        "pupil_name": student.get("name", ""),
        "upn": student.get("upn", ""),
        "provider_name": pdata.get("name", item["provider"]),
        "ap_urn": urn,
        "ap_ukprn": ukprn,
        "ap_setting_type": setting,
        "reason_code": code,
        "reason": described,
        "entry_date": span[0].isoformat(),
        "leaving_date": span[1].isoformat() if span[1] else "",
        "attendance_pattern": "" if hours is None else ("FT" if full_time else "PT"),
        "sessions_per_week": "" if full_time or not sessions else str(sessions),
        "hours_per_week": "" if hours is None else f"{hours:g}",
    }


def census(repo: Repository, term: Term, start: int, school: str | None = None) -> Export:
    """The rows a census counts (of one school, or all), checked as the MIS would."""
    from aprecords.attendance.censuschecks import check

    first, day = window(term, start, repo.config.data)
    rows: list[Row] = []
    for _pid, record in sorted(repo.placements.items()):
        data = record.data
        if school is not None and data["school"] != school:
            continue
        for index, item in enumerate(data["placements"]):
            if item.get("arranged_by", "school") != "school":
                continue
            span = _span(data, item)
            if span is None or not counted(span, (first, day)):
                continue
            values = _row(repo, record, item, span)
            provider = repo.providers.get(item["provider"])
            rows.append(Row(values, record, index, provider, span))
    return Export(rows, check(repo, rows, day), day, first)
