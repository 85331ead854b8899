"""Whether an unregistered provider is giving education that the law says needs registering.

An institution is an independent school, and must register, when it provides full-time
education to five or more pupils of compulsory school age, or to at least one such pupil
who has an EHC plan or is looked after by a local authority (Education Act 1996, s.463, as
substituted by the Education Act 2002, s.172; "statement" now an EHC plan). Full-time is
the DfE's "generally more than 18 hours a week" (``full_time_hours`` in aprecords.yml). The
count is across every placement at the provider on each day, so it is a repository rule.
Compulsory school age is read from the year group: Years 7 to 11 (our reading: it ends on
the last Friday of June of Year 11).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from aprecords import model
from aprecords.findings import pointer
from aprecords.repository import Record
from aprecords.validate.rules.base import Context, Hit, rule

THRESHOLD_PUPILS = 5
COMPULSORY_YEARS = range(7, 12)


@dataclass(frozen=True)
class Span:
    """One pupil's full-time time at one provider, from one placement record."""

    record: Record
    index: int
    pupil: str
    start: date
    end: date | None
    hours: float
    single: bool
    """Counts alone: the pupil has an EHC plan or is looked after."""


def _start_end(data: dict[str, Any], item: dict[str, Any]) -> tuple[date | None, date | None]:
    """The provider's dates: its own, else the placement's actual (or, until it starts, the
    requested) start and its end."""
    start = model.parse_date(item.get("start")) or model.parse_date(
        data.get("actual_start") or data.get("requested_start")
    )
    end = model.parse_date(item.get("end")) or model.parse_date(
        (data.get("ended") or {}).get("date")
    )
    return start, end


def _hours(data: dict[str, Any]) -> dict[str, tuple[float, int]]:
    """Hours a week per provider within one placement, and the first item naming it."""
    found: dict[str, tuple[float, int]] = {}
    for i, item in enumerate(data["placements"]):
        hours, first = found.get(item["provider"], (0.0, i))
        found[item["provider"]] = (hours + item["hours_per_week"], first)
    return found


def full_time_spans(ctx: Context) -> dict[str, list[Span]]:
    """Full-time pupils of compulsory school age at each unregistered provider."""
    limit = ctx.repo.config.full_time_hours
    spans: dict[str, list[Span]] = defaultdict(list)
    for record in ctx.placements.values():
        data = record.data
        student = data["student"]
        if student.get("year_group") not in COMPULSORY_YEARS:
            continue
        for provider_id, (hours, index) in _hours(data).items():
            provider = ctx.providers.get(provider_id)
            if provider is None or provider.data["registration"]["status"] != "unregistered":
                continue
            if hours <= limit:
                continue
            start, end = _start_end(data, data["placements"][index])
            if start is None:
                continue
            single = bool(student.get("ehcp")) or bool(student.get("looked_after"))
            pupil = student.get("upn") or data["id"]
            spans[provider_id].append(Span(record, index, pupil, start, end, hours, single))
    return spans


def _breach(spans: list[Span], today: date) -> tuple[date, list[Span]] | None:
    """The first day from today (or a later start) on which the provider passes the threshold,
    and the spans open that day."""
    days = sorted({today} | {s.start for s in spans if s.start > today})
    for day in days:
        open_then = [s for s in spans if s.start <= day and (s.end is None or s.end >= day)]
        pupils = {s.pupil for s in open_then}
        if len(pupils) >= THRESHOLD_PUPILS or any(s.single for s in open_then):
            return day, open_then
    return None


@rule(
    "registration-threshold",
    "No unregistered provider educates 5 pupils full-time, or 1 with an EHC plan or looked after.",
    scope="repository",
)
def registration_threshold(ctx: Context) -> Iterator[Hit]:
    """Each full-time placement at a provider that would have to register, at its hours."""
    for provider_id, spans in sorted(full_time_spans(ctx).items()):
        found = _breach(spans, ctx.today)
        if found is None:
            continue
        day, open_then = found
        singles = [s for s in open_then if s.single]
        why = (
            "a pupil with an EHC plan or looked after"
            if singles
            else f"{len({s.pupil for s in open_then})} pupils of compulsory school age"
        )
        for span in open_then:
            yield Hit(
                span.record,
                pointer("placements", span.index, "hours_per_week"),
                f"{provider_id} is unregistered but on {day.isoformat()} gives full-time "
                f"education (more than {ctx.repo.config.full_time_hours:g} hours a week) to "
                f"{why}: the law requires it to register as a school; reduce the hours or "
                "use a registered provider",
            )


@rule(
    "unregistered-full-time",
    "A pupil full-time at an unregistered provider is warned about: it may have to register.",
    severity="warning",
)
def unregistered_full_time(record: Record, ctx: Context) -> Iterator[Hit]:
    """Full-time at an unregistered setting: a warning that explains the threshold."""
    limit = ctx.repo.config.full_time_hours
    for provider_id, (total, index) in _hours(record.data).items():
        provider = ctx.providers.get(provider_id)
        if provider and provider.data["registration"]["status"] == "unregistered" and total > limit:
            yield Hit(
                record,
                pointer("placements", index, "hours_per_week"),
                f"{total:g} hours a week at {provider_id}, which is unregistered, is full-time "
                f"(more than {limit:g} hours): {provider_id} must register as a school once "
                "it educates 5 pupils of compulsory school age full-time, or 1 with an EHC "
                "plan or looked after (rule registration-threshold counts them)",
            )


@rule(
    "provider-standards-evidence",
    "A non-school provider has current evidence for each national standard.",
    severity="warning",
    kinds=("provider",),
)
def provider_standards_evidence(record: Record, ctx: Context) -> Iterator[Hit]:
    """Each missing or expired standard, at its expiry date or at ``standards`` (or ``id``)."""
    from aprecords.standards import gaps

    recorded = record.data.get("standards")
    for gap in gaps(record.data, ctx.today):
        if gap.standing == "expired":
            yield Hit(
                record,
                pointer("standards", gap.key, "expires"),
                f"the evidence for {gap.what} expired on {gap.expires}: see it again and "
                "record it (seen, by, expires)",
            )
        else:
            yield Hit(
                record,
                pointer("standards") if recorded else pointer("id"),
                f"no evidence recorded for {gap.what} (standards.{gap.key}): the national "
                "standards apply to this non-school provider",
                key=True,
            )
