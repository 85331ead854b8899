"""References between records: schools, providers, sites and target ids."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from aprecords.findings import pointer
from aprecords.repository import Record
from aprecords.validate.rules.base import Context, Hit, rule


def _broken_file(ctx: Context, kind: str, ident: str) -> str | None:
    """The path of a file for ``ident`` that exists but is unreadable or invalid, if any."""
    folder = f"records/{kind}s/"
    paths = [r.path for r in ctx.repo.records if r.kind == kind]
    paths += [f.path for f in ctx.repo.load_findings]
    return next((p for p in paths if p.startswith(folder) and PurePosixPath(p).stem == ident), None)


def _not_found(ctx: Context, kind: str, ident: str, known: dict[str, Record]) -> str:
    broken = _broken_file(ctx, kind, ident)
    if broken:
        return f"the {kind} '{ident}' cannot be used until {broken} is fixed (see its errors)"
    names = ", ".join(sorted(known)) or "none yet"
    return (
        f"there is no {kind} '{ident}' in records/{kind}s/ (known: {names}); "
        f"correct the id or add the {kind}'s file first"
    )


@rule("school-exists", "The referring school is a file in records/schools/.")
def school_exists(record: Record, ctx: Context) -> Iterator[Hit]:
    """``school`` must name a school record."""
    school = record.data["school"]
    if school not in ctx.schools:
        yield Hit(record, pointer("school"), _not_found(ctx, "school", school, ctx.schools))


@rule("provider-exists", "Every provider named is a file in records/providers/.")
def provider_exists(record: Record, ctx: Context) -> Iterator[Hit]:
    """Each ``placements[].provider`` must name a provider record."""
    for i, item in enumerate(record.data["placements"]):
        if item["provider"] not in ctx.providers:
            yield Hit(
                record,
                pointer("placements", i, "provider"),
                _not_found(ctx, "provider", item["provider"], ctx.providers),
            )


@rule("site-exists", "Every site attended is one of that provider's sites.")
def site_exists(record: Record, ctx: Context) -> Iterator[Hit]:
    """Each ``placements[].sites[]`` must be a site id of the provider named beside it."""
    for i, item in enumerate(record.data["placements"]):
        provider = ctx.providers.get(item["provider"])
        if provider is None:
            continue
        sites = [s["id"] for s in provider.data["sites"]]
        for j, site in enumerate(item["sites"]):
            if site not in sites:
                yield Hit(
                    record,
                    pointer("placements", i, "sites", j),
                    f"'{site}' is not a site of {item['provider']} "
                    f"(its sites: {', '.join(sites)}); use one of those ids",
                )


@rule("target-ids", "Target ids are unique, and reviews refer only to targets that exist.")
def target_ids(record: Record, ctx: Context) -> Iterator[Hit]:
    """Reviews measure progress against the targets in force before them."""
    in_force: set[str] = set()
    for i, target in enumerate(record.data["targets"]):
        if target["id"] in in_force:
            yield Hit(
                record,
                pointer("targets", i, "id"),
                f"target id {target['id']} is used twice; number the targets T1, T2, T3...",
            )
        in_force.add(target["id"])
    for r, review in enumerate(record.data.get("reviews") or []):
        for p, progress in enumerate(review["progress"]):
            if progress["target"] not in in_force:
                yield Hit(
                    record,
                    pointer("reviews", r, "progress", p, "target"),
                    f"review {review['date']} reports on {progress['target']}, which is not "
                    f"a target in force before it (targets: {', '.join(sorted(in_force))})",
                )
        after: set[str] = set()
        for t, target in enumerate(review["targets"]):
            where = pointer("reviews", r, "targets", t, "change")
            if target["id"] in after:
                yield Hit(
                    record,
                    pointer("reviews", r, "targets", t, "id"),
                    f"target id {target['id']} appears twice in this review's targets",
                )
            after.add(target["id"])
            if target["change"] == "added" and target["id"] in in_force:
                yield Hit(
                    record,
                    where,
                    f"{target['id']} already exists, so it cannot be 'added'; use 'changed' "
                    "or 'carried', or give the new target a new id",
                )
            elif target["change"] != "added" and target["id"] not in in_force:
                yield Hit(
                    record,
                    where,
                    f"{target['id']} is marked '{target['change']}' but was not a target "
                    "before this review; mark it 'added'",
                )
        for missing in sorted(in_force - after):
            yield Hit(
                record,
                pointer("reviews", r, "targets"),
                f"{missing} is missing from this review's targets; list it as 'carried', "
                "'changed' or 'closed'",
            )
        in_force = {t["id"] for t in review["targets"] if t["change"] != "closed"}
