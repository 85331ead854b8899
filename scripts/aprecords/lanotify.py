"""Telling the local authority about placements at non-school providers.

The DfE's response to *Strengthening protections in unregistered alternative provision*
(2025) asks schools to tell their local authority about every placement in non-school
(unregistered) AP, and of its end. A placement records both dates under ``la_notified``;
until then an action item asks the school for them, and ``aprecords export la-notifications``
lists the placements for each local authority (the LA of the school's LAESTAB).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from aprecords import model
from aprecords.actions import SCHOOL, Action
from aprecords.findings import pointer
from aprecords.repository import Repository

COLUMNS = (
    "la_code",
    "school_name",
    "school_laestab",
    "record_id",
    "pupil_name",
    "upn",
    "year_group",
    "ehc_plan",
    "looked_after",
    "provider_name",
    "provider_addresses",
    "hours_per_week",
    "start_date",
    "planned_end",
    "end_date",
    "la_told_of_placement",
    "la_told_of_end",
)


def non_school(providers: Mapping[str, dict[str, Any]]) -> frozenset[str]:
    """The providers (id -> data) that are not schools: those recorded as unregistered."""
    return frozenset(
        pid
        for pid, data in providers.items()
        if (data.get("registration") or {}).get("status") == "unregistered"
    )


def non_school_items(data: dict[str, Any], outside: frozenset[str]) -> list[int]:
    """Indexes of the placement's providers that are not schools, where the school arranged
    the provision (the local authority knows of what it arranged itself)."""
    return [
        i
        for i, item in enumerate(data["placements"])
        if item["provider"] in outside and item.get("arranged_by", "school") == "school"
    ]


def la_actions(
    pid: str,
    data: dict[str, Any],
    today: date,
    outside: frozenset[str],
    names: Mapping[str, str] | None = None,
) -> Iterator[Action]:
    """Ask the school to tell the LA of the placement, and (once told of it) of its end."""
    items = non_school_items(data, outside)
    if not items:
        return
    told = data.get("la_notified") or {}
    first = data["placements"][items[0]]["provider"]
    first = (names or {}).get(first, first)
    if model.status(data, today) == "ended":
        ended = model.parse_date(data["ended"]["date"])
        if told.get("start") and not told.get("end"):
            yield Action(
                "la-notification-missing",
                pid,
                pointer("ended", "date"),
                f"tell the local authority that the placement at {first} (not a school) "
                f"ended on {ended}, and record the date you told them",
                (SCHOOL,),
                ended,
                overdue=True,
                how="the date goes in la_notified.end",
            )
        return
    if told.get("start"):
        return
    start = model.parse_date(data.get("actual_start")) or model.parse_date(
        data.get("requested_start")
    )
    yield Action(
        "la-notification-missing",
        pid,
        pointer("placements", items[0], "provider"),
        f"tell the local authority about this placement at {first} (not a school), and "
        "record the date you told them",
        (SCHOOL,),
        start,
        overdue=start is not None and start <= today,
        how="the date goes in la_notified.start",
    )


def la_code(school: dict[str, Any]) -> str:
    """The local authority's 3-digit code: the start of the school's LAESTAB."""
    return str(school.get("laestab", "")).replace("/", "")[:3]


def _addresses(provider: dict[str, Any], item: dict[str, Any]) -> str:
    """The addresses of the sites the placement uses, one per line part, ``; `` between."""
    used = set(item.get("sites") or [])
    found = []
    for site in provider.get("sites") or []:
        if not used or site.get("id") in used:
            address = site.get("address") or {}
            found.append(", ".join([*address.get("lines", []), address.get("postcode", "")]))
    return "; ".join(found)


def notifications(repo: Repository, la: str, today: date) -> list[dict[str, str]]:
    """One row per non-school provider of each placement of the LA's schools that is open
    or planned, or ended with the LA not yet told of its end."""
    outside = non_school({k: r.data for k, r in repo.providers.items()})
    rows = []
    for pid, record in sorted(repo.placements.items()):
        data = record.data
        school = repo.schools.get(data["school"])
        if school is None or la_code(school.data) != la:
            continue
        told = data.get("la_notified") or {}
        if model.status(data, today) == "ended" and (told.get("end") or not told.get("start")):
            continue
        student = data["student"]
        for index in non_school_items(data, outside):
            item = data["placements"][index]
            provider = repo.providers[item["provider"]].data
            rows.append(
                {
                    "la_code": la,
                    "school_name": school.data.get("name", ""),
                    "school_laestab": school.data.get("laestab", "").replace("/", ""),
                    "record_id": pid,
                    "pupil_name": student.get("name", ""),
                    "upn": student.get("upn", ""),
                    "year_group": str(student.get("year_group", "")),
                    "ehc_plan": "yes" if student.get("ehcp") else "no",
                    "looked_after": "yes" if student.get("looked_after") else "no",
                    "provider_name": provider.get("name", ""),
                    "provider_addresses": _addresses(provider, item),
                    "hours_per_week": f"{item['hours_per_week']:g}",
                    "start_date": item.get("start")
                    or data.get("actual_start")
                    or data.get("requested_start", ""),
                    "planned_end": item.get("end") or data.get("planned_end", ""),
                    "end_date": (data.get("ended") or {}).get("date", ""),
                    "la_told_of_placement": told.get("start", ""),
                    "la_told_of_end": told.get("end", ""),
                }
            )
    return rows


def la_codes(repo: Repository) -> list[str]:
    """The local authorities of the repository's schools."""
    return sorted({la_code(s.data) for s in repo.schools.values() if la_code(s.data)})
