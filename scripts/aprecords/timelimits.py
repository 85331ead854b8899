"""Planned ends and time limits: a placement running past its agreed last day.

The agreement records ``planned_end``; a review may decide the placement continues, with a
new last day (``continue_until``). The DfE's consultation *Strengthening protections in
unregistered alternative provision* (2024) proposed time limits on placements; until the law
sets one, ``time_limit_weeks`` in aprecords.yml is off, and when set, a placement running
longer than that from its actual start needs a review's decision to continue.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from aprecords import model
from aprecords.actions import HUB, SCHOOL, Action
from aprecords.findings import pointer


def continued_until(data: dict[str, Any]) -> tuple[date | None, int | None]:
    """The latest last day a review agreed, and that review's index."""
    best: tuple[date | None, int | None] = (None, None)
    for i, review in enumerate(model.reviews(data)):
        until = model.parse_date(review.get("continue_until"))
        if until is not None and (best[0] is None or until >= best[0]):
            best = (until, i)
    return best


def limit_actions(
    pid: str, data: dict[str, Any], today: date, limit_weeks: int | None
) -> Iterator[Action]:
    """A started placement past its planned end, or past the time limit, not continued."""
    start = model.parse_date(data.get("actual_start"))
    if start is None or model.status(data, today) != "active":
        return
    until, review = continued_until(data)
    planned = model.parse_date(data.get("planned_end"))
    agreed = until if until is not None else planned
    if agreed is not None and agreed < today:
        where = (
            pointer("reviews", review, "continue_until")
            if until is not None
            else pointer("planned_end")
        )
        yield Action(
            "planned-end-passed",
            pid,
            where,
            f"the placement was agreed to end on {agreed}: record its end, or hold a "
            "review that decides it continues and until when",
            (HUB, SCHOOL),
            agreed,
            overdue=True,
            how="the end goes in ended; a review's decision in its continue_until",
        )
        return
    if limit_weeks is None:
        return
    limit = start + timedelta(weeks=limit_weeks)
    if today > limit and (until is None or until < today):
        yield Action(
            "time-limit-passed",
            pid,
            pointer("actual_start"),
            f"the placement has run more than {limit_weeks} weeks (since {start}; the time "
            f"limit passed on {limit}): hold a review that decides whether it continues, or "
            "end it",
            (HUB, SCHOOL),
            limit,
            overdue=True,
            how="the review's decision goes in continue_until (the limit: time_limit_weeks "
            "in aprecords.yml)",
        )
