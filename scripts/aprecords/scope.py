"""Scope before render: filter records to an audience and redact what it may not see.

Redaction follows the schema's ``x-sensitivity`` marks: a property whose class the audience is
not granted is replaced by ``WITHHELD`` in a copy of the data, so pages say "withheld for this
audience" instead of silently leaving it out. Nothing downstream ever sees the original value.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from aprecords.access import Audience
from aprecords.findings import pointer
from aprecords.repository import Repository
from aprecords.schemas import Schemas


class Withheld:
    """Marks a value removed for this audience (one shared instance: ``WITHHELD``)."""

    def __repr__(self) -> str:
        return "WITHHELD"

    def __str__(self) -> str:
        return "withheld for this audience"


WITHHELD = Withheld()
Path = tuple[str, ...]  # property names, "*" for every item of a list


def sensitive_paths(schemas: Schemas, kind: str) -> dict[Path, str]:
    """Every path in a record of ``kind`` that carries an ``x-sensitivity`` class."""
    found: dict[Path, str] = {}

    def resolve(node: dict[str, Any], doc: str) -> tuple[dict[str, Any], str]:
        ref = node.get("$ref")
        if not ref:
            return node, doc
        target_doc, _, frag = ref.partition("#")
        target_doc = target_doc.removesuffix(".schema.json") or doc
        target: Any = schemas.schema(target_doc)
        for token in [t for t in frag.split("/") if t]:
            target = target[token]
        return resolve(target, target_doc)

    def walk(node: dict[str, Any], doc: str, path: Path, depth: int = 0) -> None:
        if depth > 20:
            return
        if "x-sensitivity" in node:
            found[path] = node["x-sensitivity"]
            return
        target, target_doc = resolve(node, doc)
        if target is not node and "x-sensitivity" in target:
            found[path] = target["x-sensitivity"]
            return
        for name, sub in target.get("properties", {}).items():
            walk(sub, target_doc, (*path, name), depth + 1)
        if isinstance(target.get("items"), dict):
            walk(target["items"], target_doc, (*path, "*"), depth + 1)

    walk(schemas.schema(kind), kind, ())
    return found


def _redact(data: Any, path: Path, trail: tuple[str | int, ...], out: list[tuple[Any, str]]) -> Any:
    """Replace the value(s) at ``path`` inside ``data`` (in place); collect what was removed."""
    if not path:
        return data
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(data, list):
            for i, item in enumerate(data):
                data[i] = (
                    _redact(item, rest, (*trail, i), out)
                    if rest
                    else _withhold(item, (*trail, i), out)
                )
        return data
    if isinstance(data, dict) and head in data:
        if rest:
            _redact(data[head], rest, (*trail, head), out)
        else:
            data[head] = _withhold(data[head], (*trail, head), out)
    return data


def _withhold(value: Any, trail: tuple[str | int, ...], out: list[tuple[Any, str]]) -> Withheld:
    out.append((value, pointer(*trail)))
    return WITHHELD


def leaf_texts(value: Any) -> list[str]:
    """Every text or number inside a value (for the leak check)."""
    if isinstance(value, dict):
        return [t for v in value.values() for t in leaf_texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in leaf_texts(v)]
    if value is None or isinstance(value, bool):
        return []
    return [str(value)]


@dataclass
class Scoped:
    """The records one audience may see, already redacted; the only input of page rendering."""

    audience: Audience
    schools: dict[str, dict[str, Any]]
    providers: dict[str, dict[str, Any]]
    placements: dict[str, dict[str, Any]]
    paths: dict[str, str]
    withheld: list[tuple[str, str]] = field(default_factory=list)
    """(value, "path#pointer") of every text removed by redaction, for the leak check."""
    outside: list[tuple[str, str]] = field(default_factory=list)
    """(pupil name or UPN, path) of placements outside the scope, for the leak check."""


def scope(repo: Repository, audience: Audience) -> Scoped:
    """Filter and redact the repository's valid records for one audience."""
    sensitive = {
        kind: sensitive_paths(repo.schemas, kind) for kind in ("placement", "school", "provider")
    }
    result = Scoped(audience, {}, {}, {}, {})

    def redacted(record_data: dict[str, Any], kind: str, path: str) -> dict[str, Any]:
        data = copy.deepcopy(record_data)
        for spath, cls in sensitive[kind].items():
            if cls in audience.grants:
                continue
            removed: list[tuple[Any, str]] = []
            _redact(data, spath, (), removed)
            for value, ptr in removed:
                result.withheld.extend((text, f"{path}#{ptr}") for text in leaf_texts(value))
        return data

    placed_schools: set[str] = set()
    for pid, record in sorted(repo.placements.items()):
        if audience.sees_placement(record.data):
            result.placements[pid] = redacted(record.data, "placement", record.path)
            result.paths[pid] = record.path
            placed_schools.add(record.data["school"])
        else:
            student = record.data["student"]
            result.outside.extend(
                (v, record.path) for v in (student["name"], student.get("upn")) if v
            )
    for sid, record in sorted(repo.schools.items()):
        if audience.sees_all or sid in audience.schools or sid in placed_schools:
            result.schools[sid] = redacted(record.data, "school", record.path)
            result.paths[f"school:{sid}"] = record.path
    for prid, record in sorted(repo.providers.items()):
        result.providers[prid] = redacted(record.data, "provider", record.path)
        result.paths[f"provider:{prid}"] = record.path
    return result
