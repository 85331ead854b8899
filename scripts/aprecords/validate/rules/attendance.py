"""Attendance records: weeks on Mondays, each once, marks within the placement, right codes.

Unknown codes are refused by the schema (``schema-enum``) before these rules run.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import PurePosixPath

from aprecords import model
from aprecords.attendance.codes import NO_SESSION, SESSION_NAMES
from aprecords.attendance.register import session_day, weeks_of
from aprecords.attendance.returns import (
    blank_planned,
    due_weeks,
    holidays_of,
    planned_sessions,
)
from aprecords.findings import pointer
from aprecords.repository import Record
from aprecords.validate.rules.base import Context, Hit, rule

KIND = ("attendance",)


def _weeks(record: Record) -> Iterator[tuple[int, date | None, list[str]]]:
    for i, entry in enumerate(record.data["weeks"]):
        yield i, model.parse_date(entry["week"]), entry["marks"]


@rule(
    "attendance-placement",
    "An attendance file names an existing placement, and is named after it.",
    kinds=KIND,
)
def attendance_placement(record: Record, ctx: Context) -> Iterator[Hit]:
    """``placement`` must be a placement record id and equal the file name."""
    placement = record.data["placement"]
    path = PurePosixPath(record.path)
    if path.stem != placement:
        yield Hit(
            record,
            pointer("placement"),
            f"this file is for placement '{placement}' but is named '{path.name}'; rename it "
            f"to '{placement}{path.suffix}' or correct the placement id",
        )
    if placement not in ctx.placements and not _placement_file_has_findings(ctx, placement):
        yield Hit(
            record,
            pointer("placement"),
            f"there is no placement '{placement}' in records/placements/; correct the id "
            "(it is the 'id' at the top of the agreement's file)",
        )


def _placement_file_has_findings(ctx: Context, placement: str) -> bool:
    """True when the placement's file exists but could not be read or is invalid: its own
    findings say why, and 'there is no placement' would send the reader the wrong way."""
    paths = [r.path for r in ctx.repo.records if r.kind == "placement" and not r.valid]
    paths += [f.path for f in ctx.repo.load_findings]
    return any(
        PurePosixPath(p).stem == placement
        and PurePosixPath(p).parts[:2] == ("records", "placements")
        for p in paths
    )


@rule("attendance-week-monday", "Every week starts on a Monday.", kinds=KIND)
def attendance_week_monday(record: Record, ctx: Context) -> Iterator[Hit]:
    """Weeks are identified by their Monday (week commencing)."""
    for i, start, _ in _weeks(record):
        if start is not None and start.weekday() != 0:
            monday = date.fromordinal(start.toordinal() - start.weekday())
            yield Hit(
                record,
                pointer("weeks", i, "week"),
                f"{start} is a {start:%A}; a week is named by its Monday, so write {monday}",
            )


@rule("attendance-unique-weeks", "No week appears twice, and weeks are oldest first.", kinds=KIND)
def attendance_unique_weeks(record: Record, ctx: Context) -> Iterator[Hit]:
    """A second entry for a week would make its marks ambiguous."""
    seen: dict[date, int] = {}
    previous: date | None = None
    for i, start, _ in _weeks(record):
        if start is None:
            continue
        if start in seen:
            yield Hit(
                record,
                pointer("weeks", i, "week"),
                f"the week of {start} is already listed (entry {seen[start] + 1}); "
                "merge the marks into one entry",
            )
        else:
            seen[start] = i
            if previous is not None and start < previous:
                yield Hit(
                    record,
                    pointer("weeks", i, "week"),
                    f"the week of {start} comes after the week of {previous}; keep weeks "
                    "oldest first, so move this entry up",
                )
        previous = start if previous is None else max(previous, start)


@rule(
    "attendance-within-placement",
    "No marks before the placement started or after it ended.",
    kinds=KIND,
)
def attendance_within_placement(record: Record, ctx: Context) -> Iterator[Hit]:
    """Sessions before ``actual_start`` (or after ``ended.date``) must be ``-``."""
    placement = ctx.placements.get(record.data["placement"])
    if placement is None:
        return
    start = model.parse_date(placement.data.get("actual_start"))
    ended = model.parse_date((placement.data.get("ended") or {}).get("date"))
    for i, week, marks in _weeks(record):
        if week is None:
            continue
        for s, mark in enumerate(marks):
            if mark == NO_SESSION:
                continue
            day = session_day(week, s)
            if start is None:
                yield Hit(
                    record,
                    pointer("weeks", i, "marks", s),
                    f"there are marks but placement '{placement.id}' has no actual_start; "
                    "add the date the placement started to its agreement",
                )
                return
            if day < start:
                yield Hit(
                    record,
                    pointer("weeks", i, "marks", s),
                    f"{SESSION_NAMES[s]} {day} is before the placement started ({start}); "
                    "write - for sessions before the start",
                )
            elif ended is not None and day > ended:
                yield Hit(
                    record,
                    pointer("weeks", i, "marks", s),
                    f"{SESSION_NAMES[s]} {day} is after the placement ended ({ended}); "
                    "write - for sessions after the end",
                )


@rule(
    "attendance-k-code",
    "Code K is used only for placements arranged by the local authority.",
    kinds=KIND,
)
def attendance_k_code(record: Record, ctx: Context) -> Iterator[Hit]:
    """School-arranged AP is recorded as B (off-site educational activity), not K."""
    placement = ctx.placements.get(record.data["placement"])
    if placement is None:
        return
    if any(p.get("arranged_by") == "local-authority" for p in placement.data["placements"]):
        return
    for i, week, marks in _weeks(record):
        for s, mark in enumerate(marks):
            if mark == "K":
                yield Hit(
                    record,
                    pointer("weeks", i, "marks", s),
                    f"K is for provision arranged by the local authority, but this placement "
                    f"is arranged by the school; use B for {SESSION_NAMES[s]} of {week}",
                )


@rule(
    "attendance-am-pm-mark",
    "Present marks match the session: / in the morning, \\ in the afternoon.",
    kinds=KIND,
    severity="warning",
)
def attendance_am_pm_mark(record: Record, ctx: Context) -> Iterator[Hit]:
    """A swapped slash usually means a mark was typed in the wrong column."""
    for i, week, marks in _weeks(record):
        for s, mark in enumerate(marks):
            morning = s % 2 == 0
            if (mark == "/" and not morning) or (mark == "\\" and morning):
                right = "\\" if morning else "/"
                yield Hit(
                    record,
                    pointer("weeks", i, "marks", s),
                    f"'{mark}' in {SESSION_NAMES[s]} of {week}: present is / in the morning "
                    f"and \\ in the afternoon; write {right}, or check the column",
                )


@rule(
    "attendance-timetable",
    "Marks fall on sessions the agreement's timetable lists.",
    kinds=KIND,
    severity="warning",
)
def attendance_timetable(record: Record, ctx: Context) -> Iterator[Hit]:
    """A mark on a day with no session at any provider is usually a mark in the wrong column."""
    placement = ctx.placements.get(record.data["placement"])
    if placement is None:
        return
    planned = {s for item in placement.data["placements"] for s in planned_sessions(item)}
    for i, week, marks in _weeks(record):
        for s, mark in enumerate(marks):
            if mark == NO_SESSION or s in planned:
                continue
            yield Hit(
                record,
                pointer("weeks", i, "marks", s),
                f"{SESSION_NAMES[s]} of {week} has '{mark}' but the timetable has no session "
                "then; check the column, or update the agreement's timetable",
            )


@rule(
    "attendance-planned-blank",
    "A timetabled session in a returned week has a mark, not '-'.",
    kinds=KIND,
    severity="warning",
)
def attendance_planned_blank(record: Record, ctx: Context) -> Iterator[Hit]:
    """A blank cell for a planned session is a mark not given, not 'no session'."""
    placement = ctx.placements.get(record.data["placement"])
    if placement is None:
        return
    weeks = weeks_of(record.data)
    due = due_weeks(
        placement.data,
        ctx.today,
        holidays_of(ctx.repo.config.data),
        model.parse_date(record.data.get("kept_from")),
    )
    index = {model.parse_date(e["week"]): i for i, e in enumerate(record.data["weeks"])}
    for week, s, provider in blank_planned(due, weeks):
        yield Hit(
            record,
            pointer("weeks", index[week.start], "marks", s),
            f"{SESSION_NAMES[s]} of {week.start} is on {provider}'s timetable but has '-'; "
            "write the mark (or # for a planned closure), or update the agreement's timetable",
        )
