"""Providers against the national standards for non-school alternative provision.

The DfE's *Non-school alternative provision: voluntary national standards* (August 2025)
ask commissioners to quality-assure non-school (unregistered) providers. A provider record
keeps, per standard, the evidence seen, by whom, when and when it expires (``standards``).
For a non-school provider, evidence that is missing or has expired is an action item for the
hub and a warning on every active placement there; each provider's page shows its standing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from aprecords import model
from aprecords.actions import HUB, Action
from aprecords.findings import pointer

STANDARDS: tuple[tuple[str, str], ...] = (
    ("dbs_scr", "enhanced DBS checks and a single central record"),
    ("child_protection_policy", "child protection policy"),
    ("behaviour_policy", "behaviour policy"),
    ("dsl", "a named designated safeguarding lead, trained"),
    ("health_and_safety", "health and safety"),
    ("first_aid", "first aid"),
    ("fire_safety", "fire safety"),
    ("insurance", "insurance"),
    ("induction", "induction with a baseline assessment and a learning plan"),
    ("attendance", "session-by-session attendance and prompt follow-up of absence"),
    ("la_approved_list", "the local authority's approved list"),
    ("qa_visit", "a quality-assurance visit"),
)
"""Each standard's key in ``standards`` and what it is, in the order pages show them."""
Standing = Literal["current", "expired", "missing"]


@dataclass(frozen=True)
class Evidence:
    """One standard's standing for a provider."""

    key: str
    what: str
    standing: Standing
    seen: str = ""
    by: str = ""
    expires: str = ""


def standing(provider: dict[str, Any], today: date) -> list[Evidence]:
    """Every standard's evidence for a provider, as of ``today``."""
    recorded = provider.get("standards") or {}
    found = []
    for key, what in STANDARDS:
        item = recorded.get(key)
        if not item:
            found.append(Evidence(key, what, "missing"))
            continue
        expires = model.parse_date(item.get("expires"))
        state: Standing = "expired" if expires is not None and expires < today else "current"
        found.append(Evidence(key, what, state, item["seen"], item["by"], item.get("expires", "")))
    return found


def needs_standards(provider: dict[str, Any]) -> bool:
    """The standards apply to non-school (unregistered) providers."""
    return (provider.get("registration") or {}).get("status") == "unregistered"


def gaps(provider: dict[str, Any], today: date) -> list[Evidence]:
    """The missing or expired evidence of a provider the standards apply to."""
    if not needs_standards(provider):
        return []
    return [e for e in standing(provider, today) if e.standing != "current"]


def gap_words(found: list[Evidence]) -> str:
    """What is not current, in staff's words with the key to record it under: ``first aid
    (expired 2025-12-01; first_aid), insurance (missing; insurance)``."""
    return ", ".join(
        f"{e.what} ({'expired ' + e.expires if e.standing == 'expired' else 'missing'}; {e.key})"
        for e in found
    )


def standards_actions(
    pid: str, data: dict[str, Any], today: date, providers: Mapping[str, dict[str, Any]]
) -> Iterator[Action]:
    """For an active placement: each of its non-school providers with evidence to check."""
    if model.status(data, today) != "active":
        return
    seen: set[str] = set()
    for i, item in enumerate(data["placements"]):
        provider_id = item["provider"]
        provider = providers.get(provider_id)
        if provider is None or provider_id in seen:
            continue
        seen.add(provider_id)
        found = gaps(provider, today)
        if found:
            # Due since the first evidence lapsed, or (evidence missing) since the start.
            due = [model.parse_date(e.expires) for e in found if e.standing == "expired"]
            if any(e.standing == "missing" for e in found):
                due.append(model.parse_date(data.get("actual_start")))
            yield Action(
                "provider-standards",
                pid,
                pointer("placements", i, "provider"),
                f"{provider.get('name', provider_id)}'s evidence against the national "
                f"standards is not current: {gap_words(found)}; the hub checks it and records "
                "what it saw",
                (HUB,),
                min(d for d in due if d is not None),
                overdue=True,
                how=f"under standards in records/providers/{provider_id}.yaml",
            )
