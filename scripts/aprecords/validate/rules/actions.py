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


def _provider_data(ctx: Context) -> dict[str, dict]:
    """The providers' data by id, built once per run."""
    cached = ctx.memo.get(("providers", ""))
    if cached is None:
        cached = ctx.memo["providers", ""] = {k: r.data for k, r in ctx.providers.items()}
    return cached


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
                _provider_data(ctx),
                names={pid: r.data.get("name", pid) for pid, r in ctx.repo.providers.items()},
            )
        )
    return cached


def _hits(record: Record, ctx: Context, rule_id: str) -> Iterator[Hit]:
    for action in _actions(record, ctx):
        if action.rule == rule_id:
            yield Hit(record, action.pointer, action.for_hub)


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


@rule(
    "la-notification-missing",
    "A placement at a non-school provider records when the local authority was told of it "
    "and its end.",
    severity="warning",
)
def la_notification_missing(record: Record, ctx: Context) -> Iterator[Hit]:
    """From the agreement on; its end once it has ended (if the LA was told of it)."""
    yield from _hits(record, ctx, "la-notification-missing")


@rule(
    "planned-end-passed",
    "A placement past its planned end (or a review's continue_until) has ended or continues.",
    severity="warning",
)
def planned_end_passed(record: Record, ctx: Context) -> Iterator[Hit]:
    """The agreed last day has passed and no ended date or later continue_until is recorded."""
    yield from _hits(record, ctx, "planned-end-passed")


@rule(
    "time-limit-passed",
    "A placement longer than time_limit_weeks (when set) has a review deciding it continues.",
    severity="warning",
)
def time_limit_passed(record: Record, ctx: Context) -> Iterator[Hit]:
    """Off unless aprecords.yml sets time_limit_weeks."""
    yield from _hits(record, ctx, "time-limit-passed")


@rule(
    "provider-standards",
    "An active placement's non-school providers have current evidence for each national standard.",
    severity="warning",
)
def provider_standards(record: Record, ctx: Context) -> Iterator[Hit]:
    """Missing or expired evidence in the provider's record (standards.py)."""
    yield from _hits(record, ctx, "provider-standards")
