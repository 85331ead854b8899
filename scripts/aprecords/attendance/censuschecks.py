"""The checks a school's MIS applies to AP placements at census time, run on the census
rows before they are keyed, each a finding at the file, line and column to fix.

Our reading of the DfE's validation as MIS suppliers document it (docs/attendance.md,
"Checks before keying"): a UPN with a wrong check letter is rejected; a placement needs a
reason; "named in EHC plan" needs a pupil with an EHC plan (error 2363); each placement
needs a URN, UKPRN or AP setting type (error 2364); and a pupil with more than one
placement open at once is expected to be part-time at each (error 2392).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING

from aprecords.findings import Finding, pointer
from aprecords.repository import Record, Repository
from aprecords.validate.rules.identifiers import upn_check_letter

if TYPE_CHECKING:
    from aprecords.attendance.census import Row


def _at(record: Record, ptr: str, message: str, rule: str, key: bool = False) -> Finding:
    line, column = record.doc.locate(ptr, key=key)
    return Finding(record.path, line, column, "warning", message, rule, ptr)


def _upn(record: Record) -> Finding | None:
    student = record.data.get("student") or {}
    upn = student.get("upn", "")
    if not upn:
        return _at(
            record,
            pointer("student"),
            "no UPN: the census needs student.upn (from the MIS, never worked out by hand)",
            "census-upn",
            key=True,
        )
    if upn_check_letter(upn) != upn[0]:
        return _at(
            record,
            pointer("student", "upn"),
            f"the UPN {upn} fails its check letter (the MIS rejects it): copy it again "
            "from the MIS",
            "census-upn",
        )
    if upn[-1].isalpha():
        return _at(
            record,
            pointer("student", "upn"),
            f"{upn} is a temporary UPN: the census accepts it only until the permanent one "
            "is known",
            "census-upn",
        )
    return None


def _reason(record: Record) -> Finding | None:
    data = record.data
    reason = data.get("reason")
    if not reason:
        return _at(
            record,
            "",
            "no reason for the placement: the census needs one (add reason: to the record)",
            "census-reason",
        )
    if reason == "named-in-ehc-plan" and (data.get("student") or {}).get("ehcp") is not True:
        return _at(
            record,
            pointer("reason"),
            "the reason is named-in-ehc-plan but student.ehcp is not true: the MIS rejects the "
            "pair (DfE error 2363); correct the reason or the pupil's EHC plan",
            "census-ehc-plan",
        )
    return None


def _identity(provider: Record) -> Finding | None:
    from aprecords.attendance.census import ap_identity

    if any(ap_identity(provider.data)):
        return None
    setting = provider.data.get("setting_type")
    where = pointer("setting_type") if setting else pointer("name")
    why = (
        f"setting type {setting} has no DfE code (an independent school has a URN)"
        if setting
        else "no setting type"
    )
    return _at(
        provider,
        where,
        f"no URN, no UKPRN and {why}: the census needs one of them (DfE error 2364); add "
        "registration.urn or ukprn",
        "census-ap-identity",
        key=not setting,
    )


def _overlaps(rows: list[Row], census_day: date) -> list[Finding]:
    """Full-time placements of a pupil who has another placement open at the same time."""
    found = []
    by_pupil: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_pupil[row.values["upn"] or row.placement.path].append(row)
    for pupil_rows in by_pupil.values():
        for row in pupil_rows:
            if row.values["attendance_pattern"] != "FT":
                continue
            start, end = row.span
            others = [
                o
                for o in pupil_rows
                if o is not row
                and o.span[0] <= (end or census_day)
                and (o.span[1] is None or o.span[1] >= start)
            ]
            if others:
                found.append(
                    _at(
                        row.placement,
                        pointer("placements", row.index, "hours_per_week"),
                        f"full-time at {row.values['provider_name']} while another placement is "
                        "open: the census expects part-time at each (DfE error 2392)",
                        "census-attendance-pattern",
                    )
                )
    return found


def check(repo: Repository, rows: list[Row], census_day: date) -> list[Finding]:
    """Every check on the rows, once per record or provider, in file order."""
    found: list[Finding] = []
    seen: set[str] = set()
    for row in rows:
        for record, test in ((row.placement, _upn), (row.placement, _reason)):
            key = f"{record.path}:{test.__name__}"
            if key not in seen:
                seen.add(key)
                if (finding := test(record)) is not None:
                    found.append(finding)
        if row.provider is not None and row.provider.path not in seen:
            seen.add(row.provider.path)
            if (finding := _identity(row.provider)) is not None:
                found.append(finding)
    found += _overlaps(rows, census_day)
    return sorted(found)
