"""What may be commissioned: registration, EHCP outcomes, attendance figures."""

from __future__ import annotations

from collections.abc import Iterator

from aprecords import model
from aprecords.attendance.returns import DAYS
from aprecords.findings import pointer
from aprecords.repository import Record
from aprecords.validate.rules.base import Context, Hit, rule


@rule(
    "ehcp-outcome-needs-ehcp",
    "A target marked as an EHCP outcome belongs to a pupil with an EHCP.",
    severity="warning",
)
def ehcp_outcome_needs_ehcp(record: Record, ctx: Context) -> Iterator[Hit]:
    """Likely a mistake either in ``student.ehcp`` or in the target."""
    if record.data["student"]["ehcp"]:
        return
    lists = [("targets",)] + [
        ("reviews", r, "targets") for r in range(len(model.reviews(record.data)))
    ]
    for path in lists:
        node = record.data
        for token in path:
            node = node[token]
        for i, target in enumerate(node):
            if target.get("ehcp_outcome"):
                yield Hit(
                    record,
                    pointer(*path, i, "ehcp_outcome"),
                    f"{target['id']} is marked as an EHCP outcome but student.ehcp is "
                    "false; correct one of them",
                )


@rule("attendance-figures", "A review's attendance figures add up and match its percentage.")
def attendance_figures(record: Record, ctx: Context) -> Iterator[Hit]:
    """Attended plus absences cannot exceed the sessions possible."""
    for r, review in enumerate(model.reviews(record.data)):
        figures = review["attendance"]
        possible = figures.get("sessions_possible")
        if possible is None:
            continue
        parts = {
            k: figures.get(k, 0)
            for k in ("sessions_attended", "authorised_absence", "unauthorised_absence")
        }
        attended = parts["sessions_attended"]
        if attended > possible:
            yield Hit(
                record,
                pointer("reviews", r, "attendance", "sessions_attended"),
                f"{attended} sessions attended is more than the {possible} possible",
            )
        elif sum(parts.values()) > possible:
            yield Hit(
                record,
                pointer("reviews", r, "attendance", "sessions_possible"),
                f"attended and absent sessions add up to {sum(parts.values())}, more than "
                f"the {possible} possible; check the figures",
            )
        pct = figures.get("percentage")
        if pct is not None and possible > 0 and "sessions_attended" in figures:
            actual = 100 * attended / possible
            if abs(actual - pct) >= 1:
                yield Hit(
                    record,
                    pointer("reviews", r, "attendance", "percentage"),
                    f"{pct}% does not match {attended} of {possible} sessions "
                    f"({actual:.1f}%); correct the figures or the percentage",
                )


@rule(
    "reason-needs-ehcp",
    "A placement whose census reason is named-in-ehc-plan belongs to a pupil with an EHCP.",
    severity="warning",
)
def reason_needs_ehcp(record: Record, ctx: Context) -> Iterator[Hit]:
    """The school census rejects the pair (DfE error 2363, as Arbor documents it)."""
    if record.data.get("reason") == "named-in-ehc-plan" and not record.data["student"]["ehcp"]:
        yield Hit(
            record,
            pointer("reason"),
            "the census reason is named-in-ehc-plan but student.ehcp is false: the census "
            "rejects the pair; correct the reason or the pupil's EHC plan",
        )


def _sessions(item: dict[str, object]) -> set[tuple[str, str]]:
    sessions = item.get("sessions")
    if not isinstance(sessions, dict):
        return set()
    return {
        (day, half)
        for day, halves in sessions.items()
        for half in halves or []
        if half in ("AM", "PM")
    }


def _name(ctx: Context, provider: str) -> str:
    """A provider's name where its record is known, else its id."""
    found = ctx.providers.get(provider)
    return str(found.data.get("name", provider)) if found else provider


def _overlap(a: dict[str, object], b: dict[str, object]) -> bool:
    """True when two providers' date ranges (open where not given) share a day."""
    a_start, a_end = model.parse_date(a.get("start")), model.parse_date(a.get("end"))
    b_start, b_end = model.parse_date(b.get("start")), model.parse_date(b.get("end"))
    return (a_end is None or b_start is None or b_start <= a_end) and (
        b_end is None or a_start is None or a_start <= b_end
    )


@rule(
    "timetable-clash",
    "No two providers of a pupil have the same session of the week over the same dates.",
)
def timetable_clash(record: Record, ctx: Context) -> Iterator[Hit]:
    """A pupil is in one place per session: a clash hides whose return a mark is."""
    items = record.data["placements"]
    for j, later in enumerate(items):
        for i in range(j):
            shared = _sessions(items[i]) & _sessions(later)
            if not shared or not _overlap(items[i], later):
                continue
            days = ", ".join(
                f"{day.capitalize()} {half}"
                for day, half in sorted(shared, key=lambda s: (DAYS.index(s[0]), s[1]))
            )
            yield Hit(
                record,
                pointer("placements", j, "sessions"),
                f"{_name(ctx, later['provider'])} and {_name(ctx, items[i]['provider'])} "
                f"(provider {i + 1} of the "
                f"list) both have {days}; a pupil is at one provider per session: change one "
                "timetable, or give the providers start and end dates that do not overlap",
            )
