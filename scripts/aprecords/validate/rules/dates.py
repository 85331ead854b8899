"""Dates: reviews in order, next review on time, nothing ending before it starts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from aprecords import model
from aprecords.findings import pointer
from aprecords.repository import Record
from aprecords.validate.rules.base import Context, Hit, rule


@rule("review-order", "Reviews are in date order and none is before the placement started.")
def review_order(record: Record, ctx: Context) -> Iterator[Hit]:
    """Reviews are appended oldest first; a review cannot predate the actual start."""
    start = model.parse_date(record.data.get("actual_start"))
    previous = None
    for i, review in enumerate(model.reviews(record.data)):
        when = model.parse_date(review["date"])
        if when is None:
            continue
        if start is None:
            yield Hit(
                record,
                pointer("reviews", i, "date"),
                "there is a review but no actual_start; add the date the placement started",
            )
        elif when < start:
            yield Hit(
                record,
                pointer("reviews", i, "date"),
                f"review dated {when} is before the placement started ({start}); check both dates",
            )
        if previous is not None and when < previous:
            yield Hit(
                record,
                pointer("reviews", i, "date"),
                f"review dated {when} comes after one dated {previous}; reviews go "
                "oldest first, so add new reviews at the end",
            )
        previous = when


@rule("dates-in-order", "A placement ends after it starts.")
def dates_in_order(record: Record, ctx: Context) -> Iterator[Hit]:
    """End dates are on or after the start dates they belong to."""
    start = model.parse_date(record.data.get("actual_start"))
    ended = model.parse_date((record.data.get("ended") or {}).get("date"))
    if ended is not None and start is None:
        yield Hit(
            record,
            pointer("ended", "date"),
            "the placement has an end date but no actual_start; add the start date",
        )
    elif ended is not None and start is not None and ended < start:
        yield Hit(
            record,
            pointer("ended", "date"),
            f"the placement ends ({ended}) before it started ({start}); check both dates",
        )
    for i, item in enumerate(record.data["placements"]):
        first, last = model.parse_date(item.get("start")), model.parse_date(item.get("end"))
        if first and last and last < first:
            yield Hit(
                record,
                pointer("placements", i, "end"),
                f"this provider's end ({last}) is before its start ({first})",
            )


def _next_review_base(record: Record) -> tuple[str, object]:
    recorded = model.reviews(record.data)
    if recorded:
        return pointer("reviews", len(recorded) - 1, "next_review", "date"), model.parse_date(
            recorded[-1]["date"]
        )
    when = record.data.get("actual_start") or record.data["requested_start"]
    return pointer("next_review", "date"), model.parse_date(when)


@rule("next-review-due", "The next review is after the latest review and within one term.")
def next_review_due(record: Record, ctx: Context) -> Iterator[Hit]:
    """Reviews happen at least every ``review.max_interval_weeks`` weeks (default 16)."""
    where, base = _next_review_base(record)
    nxt = model.parse_date(model.next_review(record.data)["date"])
    if nxt is None or base is None:
        return
    weeks = ctx.repo.config.max_interval_weeks
    if model.reviews(record.data) and nxt <= base:
        yield Hit(
            record, where, f"the next review ({nxt}) must be after the latest review ({base})"
        )
    elif nxt > base + timedelta(weeks=weeks):
        yield Hit(
            record,
            where,
            f"the next review ({nxt}) is more than {weeks} weeks after {base}; "
            f"reviews are at least termly, so set it on or before "
            f"{base + timedelta(weeks=weeks)}",
        )


@rule(
    "review-overdue", "An active placement's next review date has not passed.", severity="warning"
)
def review_overdue(record: Record, ctx: Context) -> Iterator[Hit]:
    """Judged against --today, so CI runs are reproducible."""
    if model.status(record.data, ctx.today) != "active":
        return
    nxt = model.parse_date(model.next_review(record.data)["date"])
    if nxt is not None and nxt < ctx.today:
        where, _ = _next_review_base(record)
        yield Hit(
            record,
            where,
            f"the review due on {nxt} is overdue ({(ctx.today - nxt).days} days, "
            f"as of {ctx.today}); hold it and add it under reviews",
        )


@rule("review-date-unique", "No two reviews of a placement share a date.")
def review_date_unique(record: Record, ctx: Context) -> Iterator[Hit]:
    """Running `aprecords review` again completes that date's review; a second is a mistake."""
    first: dict[object, int] = {}
    for i, review in enumerate(model.reviews(record.data)):
        when = model.parse_date(review.get("date"))
        if when is None:
            continue
        if when in first:
            yield Hit(
                record,
                pointer("reviews", i, "date"),
                f"this review has the same date ({when}) as review {first[when] + 1} of the "
                f"list; keep one review for {when} (copy what this one adds into it)",
            )
        else:
            first[when] = i


def _holiday_named(day: date, config_data: dict[str, Any]) -> str | None:
    """The name of the configured school holiday ``day`` falls in ('a school holiday' if it
    has none), or None; a Saturday or Sunday is 'a weekend'."""
    for item in (config_data.get("attendance") or {}).get("holidays") or []:
        first, last = model.parse_date(item.get("start")), model.parse_date(item.get("end"))
        if first and last and first <= day <= last:
            return str(item.get("name") or "a school holiday")
    return "a weekend" if day.weekday() >= 5 else None


@rule(
    "review-in-holiday",
    "The next review is on a school day, not in a school holiday or at a weekend.",
    severity="warning",
)
def review_in_holiday(record: Record, ctx: Context) -> Iterator[Hit]:
    """A review set one term on by `aprecords review` may land in a holiday: move it."""
    if model.status(record.data, ctx.today) == "ended":
        return
    nxt = model.parse_date(model.next_review(record.data).get("date"))
    when = _holiday_named(nxt, ctx.repo.config.data) if nxt else None
    if nxt is not None and when is not None and nxt >= ctx.today:
        where, _ = _next_review_base(record)
        yield Hit(
            record,
            where,
            f"the next review ({nxt}) falls in {when}, when the school and the provider may be "
            "closed; set it on a school day",
        )
