"""Action items as findings: a placement that should have started, or started unconfirmed.

The dashboards list the same items (``aprecords.actions``); here they reach CI. Overdue and
due reviews are reported by ``review-overdue`` in ``dates.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

from aprecords.actions import placement_actions
from aprecords.repository import Record
from aprecords.validate.rules.base import Context, Hit, rule


def _hits(record: Record, ctx: Context, rule_id: str) -> Iterator[Hit]:
    config = ctx.repo.config
    for action in placement_actions(
        record.data["id"],
        record.data,
        ctx.today,
        due_soon_days=config.due_soon_days,
        grace_school_days=config.grace_school_days,
    ):
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
)
def setup_overdue(record: Record, ctx: Context) -> Iterator[Hit]:
    """Agreement, contacts, DSL details, responsibilities and risk assessment confirmed."""
    yield from _hits(record, ctx, "setup-overdue")
