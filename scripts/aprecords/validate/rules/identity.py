"""File names, folders and ids."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from aprecords.findings import pointer
from aprecords.repository import Record
from aprecords.validate.rules.base import Context, Hit, rule


@rule(
    "file-name-matches-id",
    "The file is named <id>.yaml, and a placement sits in its school's folder.",
    kinds=("school", "provider", "placement"),
)
def file_name_matches_id(record: Record, ctx: Context) -> Iterator[Hit]:
    """The id is how records link to each other; the file name must say the same."""
    path = PurePosixPath(record.path)
    if path.stem != record.id:
        yield Hit(
            record,
            pointer("id"),
            f"the id '{record.id}' does not match the file name '{path.name}'; "
            f"rename the file to '{record.id}{path.suffix}' or correct the id",
        )
    if record.kind == "placement" and path.parent.name != record.data["school"]:
        yield Hit(
            record,
            pointer("school"),
            f"this record is for school '{record.data['school']}' but sits in the folder "
            f"'{path.parent.name}'; move it to records/placements/{record.data['school']}/",
        )


@rule(
    "unique-ids",
    "No two records of the same kind share an id.",
    scope="repository",
    kinds=("school", "provider", "placement"),
)
def unique_ids(ctx: Context) -> Iterator[Hit]:
    """Every record sharing an id is reported at its id, so the clash shows on whichever
    file a change touches (``validate PATH`` reports only the files given)."""
    for kind in ("school", "provider", "placement"):
        by_id: dict[str, list[Record]] = {}
        for record in ctx.repo.of_kind(kind):
            by_id.setdefault(record.id, []).append(record)
        for same in by_id.values():
            if len(same) < 2:
                continue
            for record in same:
                others = ", ".join(r.path for r in same if r is not record)
                yield Hit(
                    record,
                    pointer("id"),
                    f"the id '{record.id}' is also used by {others}; ids must be unique, "
                    "so give one of them a new id (and file name)",
                )
