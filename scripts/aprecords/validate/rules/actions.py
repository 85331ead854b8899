"""Action items as findings: a late start, unconfirmed set-up, attendance returns not received,
review figures that disagree with the register.

The dashboards list the same items (``aprecords.actions``); here they reach CI. Overdue and
due reviews are reported by ``review-overdue`` in ``dates.py``. Every one is a warning: what
only the passing of time creates is something to do, never an error that fails a pull
request's check, a build or a deploy (tests/test_time_alone.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from aprecords.actions import Action, placement_actions
from aprecords.repository import Record
from aprecords.validate.rules.base import Context, Hit, rule


def _actions(record: Record, ctx: Context) -> list[Action]:
    """A placement's action items, worked out once per run for the five rules below (the
    attendance returns walk every week since the start: the most costly check there is)."""
    cached = ctx.memo.get(("actions", record.path))
    if cached is None:
        register = ctx.registers.get(record.id)
        cached = ctx.memo["actions", record.path] = list(
            placement_actions(
                record.id,
                record.data,
                ctx.today,
                ctx.repo.config,
                register.data if register else None,
            )
        )
    return cached


def _hits(record: Record, ctx: Context, rule_id: str) -> Iterator[Hit]:
    for action in _actions(record, ctx):
        if action.rule == rule_id:
            yield Hit(record, action.pointer, action.what)


@rule(
    "start-overdue",
    "A placement whose requested start has passed has started (or has a new start date).",
    severity="warning",
)
def start_overdue(record: Record, ctx: Context) -> Iterator[Hit]:
    """Judged against --today: requested_start before today and no actual_start."""
    yield from _hits(record, ctx, "start-overdue")


@rule(
    "setup-incomplete",
    "A started placement's set-up confirmations are all true (warning in the grace period).",
    severity="warning",
)
def setup_incomplete(record: Record, ctx: Context) -> Iterator[Hit]:
    """Within ``setup.grace_school_days`` school days of the actual start."""
    yield from _hits(record, ctx, "setup-incomplete")


@rule(
    "setup-overdue",
    "A placement's set-up confirmations are all true once the grace period after its start ends.",
    severity="warning",
)
def setup_overdue(record: Record, ctx: Context) -> Iterator[Hit]:
    """Agreement, contacts, DSL details, responsibilities and risk assessment confirmed."""
    yield from _hits(record, ctx, "setup-overdue")


@rule(
    "attendance-return-missing",
    "Every timetabled week of an active placement has its attendance return (holidays excepted).",
    severity="warning",
)
def attendance_return_missing(record: Record, ctx: Context) -> Iterator[Hit]:
    """Per provider, the weeks due and not received (see attendance/returns.py)."""
    yield from _hits(record, ctx, "attendance-return-missing")


@rule(
    "review-attendance-register",
    "A review's attendance figures agree with the register where it covers the period.",
    severity="warning",
)
def review_attendance_register(record: Record, ctx: Context) -> Iterator[Hit]:
    """Two truths about one period's attendance: the register's wins (attendance/reviews.py)."""
    yield from _hits(record, ctx, "review-attendance-register")
