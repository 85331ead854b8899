"""Scope before render: filter records to an audience and redact what it may not see.

Redaction follows the schema's ``x-sensitivity`` marks: a property whose class the audience is
not granted is replaced by ``WITHHELD`` in a copy of the data, so pages say "withheld for this
audience" instead of silently leaving it out. Nothing downstream ever sees the original value.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from aprecords.access import Audience
from aprecords.findings import pointer
from aprecords.repository import Repository
from aprecords.schemas import SchemaError, Schemas


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

    def walk(target: Any, path: Path, depth: int = 0) -> None:
        if not isinstance(target, dict):
            return
        if depth > 40:  # a mark further down would be missed: refuse rather than leak
            raise SchemaError(
                f"the {kind} schema is nested more than 40 levels deep (at "
                f"/{'/'.join(path)}); sensitivity marks below could be missed, so nothing "
                "is built: flatten the schema"
            )
        if "x-sensitivity" in target:
            found[path] = target["x-sensitivity"]
            return
        for name, sub in target.get("properties", {}).items():
            walk(sub, (*path, name), depth + 1)
        # Values of any other key, list items and every branch of a combinator: a mark in any
        # of them must not be missed, or the value would reach every audience.
        others = [target.get("additionalProperties"), *target.get("patternProperties", {}).values()]
        for sub in others:
            walk(sub, (*path, "*"), depth + 1)
        for sub in [target.get("items"), *target.get("prefixItems", [])]:
            walk(sub, (*path, "*"), depth + 1)
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in target.get(key, []):
                walk(sub, path, depth + 1)
        for key in ("if", "then", "else"):
            walk(target.get(key), path, depth + 1)

    walk(schemas.resolved(kind), ())
    return found


def _redact(data: Any, path: Path, trail: tuple[str | int, ...], out: list[tuple[Any, str]]) -> Any:
    """Replace the value(s) at ``path`` inside ``data`` (in place); collect what was removed."""
    if not path:
        return data
    head, rest = path[0], path[1:]
    if head == "*":
        keys: list[Any] = []
        if isinstance(data, list):
            keys = list(range(len(data)))
        elif isinstance(data, dict):
            keys = list(data)
        for key in keys:
            data[key] = (
                _redact(data[key], rest, (*trail, key), out)
                if rest
                else _withhold(data[key], (*trail, key), out)
            )
        return data
    if isinstance(data, dict) and head in data:
        if rest:
            _redact(data[head], rest, (*trail, head), out)
        else:
            data[head] = _withhold(data[head], (*trail, head), out)
    return data


def _withhold(value: Any, trail: tuple[str | int, ...], out: list[tuple[Any, str]]) -> Any:
    if value is WITHHELD:
        return value
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
    """(pupil name, UPN or record id, path) of placements outside the scope, for the leak check.

    Every one is listed, even one equal to a visible pupil's name (two pupils of the same
    name): the leak check decides what it can search for and warns about the rest."""
    attendance: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Attendance records (by placement id) of the placements in scope only."""
    classes: dict[str, str] = field(default_factory=dict)
    """Sensitivity class of each withheld source ("path#pointer" -> class)."""


def scope(repo: Repository, audience: Audience) -> Scoped:
    """Filter and redact the repository's valid records for one audience.

    Placements are the audience's when :meth:`Audience.sees_placement` says so; a school's
    registry entry is visible to the school itself and to audiences with a pupil from it;
    providers' registry entries are visible to all (they hold no pupil data); attendance
    follows its placement. Every value whose ``x-sensitivity`` class is not granted is
    replaced by :data:`WITHHELD` in a deep copy.
    """
    kinds = ("placement", "school", "provider", "attendance")
    documents = repo.schemas.documents
    sensitive = {kind: sensitive_paths(repo.schemas, kind) for kind in kinds if kind in documents}
    result = Scoped(audience, {}, {}, {}, {})

    def redacted(record_data: dict[str, Any], kind: str, path: str) -> dict[str, Any]:
        data = copy.deepcopy(record_data)
        for spath, cls in sensitive.get(kind, {}).items():
            if cls in audience.grants:
                continue
            removed: list[tuple[Any, str]] = []
            _redact(data, spath, (), removed)
            for value, ptr in removed:
                source = f"{path}#{ptr}"
                result.classes[source] = cls
                result.withheld.extend((text, source) for text in leaf_texts(value))
        return data

    placed_schools: set[str] = set()
    outside: list[tuple[str, str]] = []
    for pid, record in sorted(repo.placements.items()):
        if audience.sees_placement(record.data):
            result.placements[pid] = redacted(record.data, "placement", record.path)
            result.paths[pid] = record.path
            placed_schools.add(record.data["school"])
    # Every placement file that is not in scope, valid or not, names a pupil this audience
    # must not see (an invalid or duplicate record never reaches a page, but check anyway).
    # The hub may see every pupil: nothing is outside it (its dashboard names the records
    # with errors, which are left out of the sites: site/stale.py).
    in_scope = set(result.paths.values())
    for record in [] if audience.sees_all else repo.records:
        if record.kind != "placement" or record.path in in_scope:
            continue
        data = record.data
        student = data.get("student") if isinstance(data.get("student"), dict) else {}
        values = [student.get("name"), student.get("upn"), data.get("id")]
        outside.extend((v, record.path) for v in values if isinstance(v, str) and v.strip())
    result.outside = outside
    for sid, record in sorted(repo.schools.items()):
        if audience.sees_all or sid in audience.schools or sid in placed_schools:
            result.schools[sid] = redacted(record.data, "school", record.path)
            result.paths[f"school:{sid}"] = record.path
    for prid, record in sorted(repo.providers.items()):
        result.providers[prid] = redacted(record.data, "provider", record.path)
        result.paths[f"provider:{prid}"] = record.path
    for record in repo.of_kind("attendance"):
        pid = record.data.get("placement")
        if pid in result.placements and pid not in result.attendance:
            result.attendance[pid] = redacted(record.data, "attendance", record.path)
            result.paths[f"attendance:{pid}"] = record.path
    if "identity" not in audience.grants:
        names = [
            repo.placements[pid].data.get("student", {}).get("name") for pid in result.placements
        ]
        replace = name_replacer([n for n in names if isinstance(n, str)])
        for group in (result.placements, result.attendance):
            for key, data in group.items():
                own = repo.placements[key].data.get("student", {}).get("name")
                group[key] = _map_texts(data, lambda text, own=own: replace(text, own))
    return result


def initials(name: str) -> str:
    """A name's initials, forename and surname: ``Tobias Wrenfeather`` -> ``T.W.``."""
    parts = [p for p in name.split() if p[:1].isalnum()]
    picked = [parts[0], parts[-1]] if len(parts) > 1 else parts
    return "".join(f"{p[0].upper()}." for p in picked) or "the pupil"


_TOKEN = re.compile(r"[^\W_]+(?:['\u2019\u02bc-](?![sS]\b)[^\W_]+)*")
"""A name part as typed: letters and digits, with inner apostrophes and hyphens (but not a
possessive: ``Marigold's`` is ``Marigold``, ``O'Sullivan`` one part)."""
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'"})
_BETWEEN = re.compile(r"[\s,]*\Z")
_INITIAL_BEFORE = re.compile(r"\.?\s+\Z")
_INITIAL_AFTER = re.compile(r",?\s+\Z")


def _key(text: str) -> str:
    return text.casefold().translate(_APOSTROPHES)


@dataclass(frozen=True)
class _Pupil:
    name: str
    initials: str
    initial: str  # the forename's first letter, case-folded
    parts: frozenset[str]


def name_replacer(names: list[str]) -> Any:
    """A function replacing these pupils' names in a text by their initials.

    Each part of a name (forename, surname, middle names; ``O'Rourke-Mills`` is one part) is
    replaced wherever it stands as a word, in any case; consecutive parts of the same pupil
    (the full name, ``Surname, Forename``) and an initial next to the surname (``T.
    Wrenfeather``, ``Wrenfeather, T``) become one set of initials. A part that is an everyday
    word (``Will``, ``Grace``) is replaced only where it is not written all in lower case, so
    "will" stays a word; the leak check warns about such names. A part two pupils share alone
    is taken for ``own`` (the record's pupil) if it is one of them. Texts without any name part
    are returned untouched after one scan, so this stays fast with thousands of pupils.
    """
    from aprecords.guard.normal import everyday

    owners: dict[str, list[_Pupil]] = {}
    for name in sorted(set(names)):
        parts = _TOKEN.findall(name)
        if not parts:
            continue
        pupil = _Pupil(name, initials(name), parts[0][0].casefold(), frozenset(map(_key, parts)))
        for part in pupil.parts:
            owners.setdefault(part, []).append(pupil)
    common = {part for part in owners if everyday(part)}

    def replace(text: str, own: str | None = None) -> str:
        """``text`` without these names; ``own``: the pupil a shared forename most likely is."""
        if owners.keys().isdisjoint(_TOKEN.findall(_key(text))):
            return text
        found = list(_TOKEN.finditer(text))
        out: list[str] = []
        pos = i = 0
        while i < len(found):
            token = found[i].group()
            key = _key(token)
            if key not in owners or (key in common and token == token.lower()):
                i += 1
                continue
            pupils, end = owners[key], i
            while end + 1 < len(found) and _BETWEEN.match(
                text, found[end].end(), found[end + 1].start()
            ):
                nxt = [p for p in pupils if _key(found[end + 1].group()) in p.parts]
                if not nxt:
                    break
                pupils, end = nxt, end + 1
            pupil = next((p for p in pupils if p.name == own), pupils[0])
            start, stop = found[i].start(), found[end].end()
            before = found[i - 1] if i > 0 else None
            if (
                before is not None
                and before.start() >= pos
                and before.group().casefold() == pupil.initial
                and _INITIAL_BEFORE.match(text[before.end() : start])
            ):
                start = before.start()
            after = found[end + 1] if end + 1 < len(found) else None
            if (
                after is not None
                and after.group().casefold() == pupil.initial
                and _INITIAL_AFTER.match(text[stop : after.start()])
            ):
                stop, end = after.end(), end + 1
                if text[stop : stop + 1] == ".":
                    stop += 1
            out.append(text[pos:start] + pupil.initials)
            pos, i = stop, end + 1
        return "".join(out) + text[pos:]

    return replace


def _map_texts(value: Any, replace: Any) -> Any:
    """``value`` with ``replace`` applied to every text inside it (WITHHELD kept)."""
    if isinstance(value, dict):
        return {k: _map_texts(v, replace) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_texts(v, replace) for v in value]
    if isinstance(value, str):
        return replace(value)
    return value
