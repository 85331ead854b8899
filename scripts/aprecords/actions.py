"""What someone has to do next about a placement: the dashboards' "Action needed" items.

One function, :func:`placement_actions`, derives every item from a placement's (schema-valid)
data and the date; the validation rules in ``validate/rules/actions.py`` report the same items
as findings, so the dashboard and CI never disagree. Each item names what to do, who does it
(``hub``, ``school`` or ``provider:<id>``) and where in the record it is settled. ``what`` is
in the words of the people who do it (names, not ids; no commands or settings); ``how`` adds
the hub's own steps (commands, record fields), for the hub's site and ``validate`` only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from aprecords import model
from aprecords.attendance.returns import Missing, holidays_of, missing_for, week_list
from aprecords.attendance.reviews import disagreement, review_periods
from aprecords.config import Config
from aprecords.findings import pointer

if TYPE_CHECKING:
    from aprecords.access import Audience

HUB, SCHOOL = "hub", "school"

SETUP_ITEMS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("agreements", "rationale_and_targets_agreed", "agreed"),
        "agree the rationale and targets with the hub mentor, and record the date",
        "hub+school",
    ),
    (
        ("agreements", "attendance", "contacts_shared"),
        "share the school's attendance contacts with the provider",
        "school",
    ),
    (
        ("agreements", "safeguarding", "dsl_details_shared"),
        "give the hub the school DSL's details and the safeguarding email",
        "school",
    ),
    (
        ("agreements", "safeguarding", "responsibilities_understood"),
        "confirm that the provider's DSL responsibilities are understood",
        "hub+provider",
    ),
    (
        ("agreements", "risks", "risk_assessment_shared"),
        "share the risk assessment with the hub",
        "school",
    ),
    (
        ("agreements", "risks", "covers_offsite"),
        "make the risk assessment cover the off-site vocational provision",
        "school",
    ),
)
"""The set-up confirmations the form asks for before a placement starts: where each is
recorded, what to do while it is not ``true``, and who does it."""


@dataclass(frozen=True)
class Action:
    """One thing to do about one placement."""

    rule: str
    """The validation rule that reports the same item."""
    placement: str
    pointer: str
    what: str
    who: tuple[str, ...]
    since: date | None = None
    """The date it became due (a review date, a start date), if it has one."""
    overdue: bool = False
    how: str = ""
    """The hub's steps in its own terms (a command, a record field): never on other sites."""

    @property
    def for_hub(self) -> str:
        """What to do, with the hub's steps where there are any."""
        return f"{self.what}; {self.how}" if self.how else self.what

    def concerns(self, audience: Audience, school: str) -> bool:
        """True when ``audience`` should see this item on its dashboard.

        The hub sees every item; a school (or a custom audience) every item about its
        pupils (``school`` is the placement's); a provider only its own duties.
        """
        if audience.kind == "hub":
            return True
        if audience.kind == "provider":
            return any(f"provider:{p}" in self.who for p in audience.providers)
        return school in audience.schools


def school_days_after(start: date, days: int) -> date:
    """The date ``days`` school days (Monday to Friday) after ``start``."""
    when = start
    while days > 0:
        when += timedelta(days=1)
        if when.weekday() < 5:
            days -= 1
    return when


def _who(spec: str, providers: list[str]) -> tuple[str, ...]:
    """``"hub+provider"`` as ``("hub", "provider:a", "provider:b")``."""
    who: list[str] = []
    for part in spec.split("+"):
        if part == "provider":
            who.extend(f"provider:{p}" for p in providers)
        else:
            who.append(part)
    return tuple(who)


def _get(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = data
    for token in path:
        if not isinstance(node, dict):
            return None
        node = node.get(token)
    return node


def setup_missing(data: dict[str, Any]) -> list[tuple[tuple[str, ...], str, str]]:
    """The set-up confirmations of a placement that are missing or not ``true``."""
    return [item for item in SETUP_ITEMS if _get(data, item[0]) is not True]


def next_review_pointer(data: dict[str, Any]) -> str:
    """Where the next review date is agreed: the latest review's, else the agreement's."""
    recorded = model.reviews(data)
    if recorded:
        return pointer("reviews", len(recorded) - 1, "next_review", "date")
    return pointer("next_review", "date")


def placement_actions(
    pid: str,
    data: dict[str, Any],
    today: date,
    config: Config,
    register: dict[str, Any] | None = None,
    providers: Mapping[str, dict[str, Any]] | None = None,
    names: Mapping[str, str] | None = None,
) -> Iterator[Action]:
    """Every action item of one placement as of ``today``, most urgent kinds first.

    ``register`` is the data of the placement's attendance record, if it has one;
    ``providers`` the providers' data by id (for the duties at non-school providers).
    ``names`` the providers' names by id (an id without a name is shown as it is).
    """
    from aprecords.lanotify import la_actions, non_school
    from aprecords.standards import standards_actions
    from aprecords.timelimits import limit_actions

    known = providers or {}
    yield from la_actions(pid, data, today, non_school(known), names)
    yield from standards_actions(pid, data, today, known)
    yield from limit_actions(pid, data, today, config.data.get("time_limit_weeks"))
    state = model.status(data, today)
    if state == "ended":
        return
    providers = model.provider_ids(data)
    everyone = (HUB, SCHOOL, *(f"provider:{p}" for p in providers))
    start = model.parse_date(data.get("actual_start"))
    requested = model.parse_date(data.get("requested_start"))
    if start is None and requested is not None and requested < today:
        yield Action(
            "start-overdue",
            pid,
            pointer("requested_start"),
            f"the requested start ({requested}) has passed and the placement has not started: "
            "record the date it started, or agree a new start date",
            (HUB, SCHOOL),
            requested,
            overdue=True,
            how="the start date goes in actual_start, a new date in requested_start",
        )
    if state == "active" and start is not None:
        deadline = school_days_after(start, config.grace_school_days)
        late = today > deadline
        for path, what, who in setup_missing(data):
            yield Action(
                "setup-overdue" if late else "setup-incomplete",
                pid,
                pointer(*path),
                f"the placement started on {start} but not yet confirmed: {what}"
                + (f" (due by {deadline})" if not late else f" (was due by {deadline})"),
                _who(who, providers),
                deadline,
                overdue=late,
            )
    if state == "active":
        nxt = model.next_review(data)
        when = model.parse_date(nxt.get("date"))
        if when is not None and when < today:
            yield Action(
                "review-overdue",
                pid,
                next_review_pointer(data),
                f"hold the review that was due on {when}, and record it",
                everyone,
                when,
                overdue=True,
                how="add it with `aprecords review`",
            )
        elif when is not None and when <= today + timedelta(days=config.due_soon_days):
            yield Action(
                "review-due",
                pid,
                next_review_pointer(data),
                f"the review is due on {when}: arrange the meeting",
                everyone,
                when,
            )
    holidays = holidays_of(config.data)
    for i, review, period in review_periods(data, register, holidays):
        differs = disagreement(model.review_figures(review), period.figures)
        if period.covered and differs:
            yield Action(
                "review-attendance-register",
                pid,
                pointer("reviews", i, "attendance"),
                f"the review of {period.end} gives {differs}: add an amendment with the "
                "register's figures (or correct the register)",
                (HUB,),
                period.end,
            )
    missing: dict[str, list[Missing]] = {}
    for item in missing_for(data, register, today, holidays):
        missing.setdefault(item.provider, []).append(item)
    for provider, items in missing.items():
        name = (names or {}).get(provider, provider)
        weeks = [m.week for m in items]
        partly = [m.week for m in items if m.partly]
        yield Action(
            "attendance-return-missing",
            pid,
            _provider_pointer(data, provider),
            f"attendance return not received from {name} for {week_list(weeks)} "
            f"({len(weeks)} week{'s' if len(weeks) != 1 else ''}"
            + (f"; {week_list(partly)} only partly marked" if partly else "")
            + f"): {name} sends the marks of every timetabled session of "
            f"{'that week' if len(weeks) == 1 else 'those weeks'} to {returns_to(config)}",
            (f"provider:{provider}",),
            # A week's return is due on the Monday after it.
            weeks[0] + timedelta(days=7),
            overdue=True,
            how="import it with `aprecords attendance import`; weeks in a school holiday "
            "go in attendance.holidays of aprecords.yml",
        )


def returns_to(config: Config) -> str:
    """Who attendance returns go to, in words: the configured contact, else the hub."""
    contact = (config.data.get("attendance") or {}).get("returns_to")
    if isinstance(contact, dict) and contact.get("email"):
        return f"{contact.get('name') or config.hub} ({contact['email']})"
    return f"the {config.hub} hub"


def _provider_pointer(data: dict[str, Any], provider: str) -> str:
    """Where a provider is named first among the placement's providers (a provider owing a
    return is always one of them: its weeks come from its own timetable there)."""
    items = data.get("placements") or []
    first = next(i for i, item in enumerate(items) if item.get("provider") == provider)
    return pointer("placements", first, "provider")
