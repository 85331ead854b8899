"""Scope before render: each audience gets only its records, with ungranted classes WITHHELD."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aprecords.access import CLASSES, Audience, audiences
from aprecords.load import load_text
from aprecords.repository import Record, Repository, load_repository
from aprecords.schemas import Schemas
from aprecords.scope import WITHHELD, leaf_texts, scope, sensitive_paths
from conftest import PROJECT


@pytest.fixture(scope="module")
def examples() -> Repository:
    return load_repository(PROJECT)


@pytest.fixture(scope="module")
def by_name(examples: Repository) -> dict[str, Audience]:
    return {a.name: a for a in audiences(examples)}


def _providers_of(data: dict[str, Any]) -> set[str]:
    return {p["provider"] for p in data["placements"]}


def _values_at(data: Any, path: tuple[str, ...]) -> list[Any]:
    """Every value at a schema path ("*" for each item) inside ``data``."""
    if not path:
        return [data]
    head, rest = path[0], path[1:]
    if head == "*":
        items = (
            data
            if isinstance(data, list)
            else list(data.values())
            if isinstance(data, dict)
            else []
        )
        return [v for item in items for v in _values_at(item, rest)]
    if isinstance(data, dict) and head in data:
        return _values_at(data[head], rest)
    return []


def test_every_school_audience_gets_exactly_its_own_pupils(examples, by_name) -> None:
    assert len(examples.schools) >= 2
    for sid in examples.schools:
        scoped = scope(examples, by_name[f"school-{sid}"])
        expected = {pid for pid, r in examples.placements.items() if r.data["school"] == sid}
        assert set(scoped.placements) == expected
        assert set(scoped.schools) == {sid}
        # Schools see every class of their own pupils: nothing withheld.
        assert scoped.withheld == []
        names = {r.data["student"]["name"] for pid, r in examples.placements.items()}
        own = {examples.placements[p].data["student"]["name"] for p in expected}
        outside = {v for v, _ in scoped.outside}
        assert names - own <= outside
        assert not own & outside


def test_every_provider_audience_gets_its_placed_pupils_without_safeguarding(
    examples, by_name
) -> None:
    for prid in examples.providers:
        scoped = scope(examples, by_name[f"provider-{prid}"])
        expected = {p for p, r in examples.placements.items() if prid in _providers_of(r.data)}
        assert set(scoped.placements) == expected
        for pid in expected:
            original = examples.placements[pid].data
            data = scoped.placements[pid]
            safeguarding = data["agreements"]["safeguarding"]
            assert safeguarding["information"] is WITHHELD
            # The reporting procedure stays: the provider must know how to report a concern.
            assert safeguarding["reporting"] == original["agreements"]["safeguarding"]["reporting"]
            assert safeguarding["dsl_details_shared"] is not WITHHELD
            for review in data.get("reviews", []):
                assert review["safeguarding"] is WITHHELD
            # Other classes are granted to providers by default.
            assert data["student"]["name"] == original["student"]["name"]
            assert data["agreements"]["send"] == original["agreements"]["send"]
            # The placing school's registry entry (its DSL contacts) is visible.
            school = scoped.schools[original["school"]]
            assert school["dsl"] == examples.schools[original["school"]].data["dsl"]
        # Registries: only schools with a pupil at this provider.
        assert set(scoped.schools) == {examples.placements[p].data["school"] for p in expected}
        assert set(scoped.providers) == set(examples.providers)


def test_withheld_values_are_listed_with_their_source_and_class(examples, by_name) -> None:
    provider = next(
        p for p in examples.providers if scope(examples, by_name[f"provider-{p}"]).placements
    )
    scoped = scope(examples, by_name[f"provider-{provider}"])
    assert scoped.withheld
    for text, source in scoped.withheld:
        path, _, ptr = source.partition("#")
        record = next(r for r in examples.placements.values() if r.path == path)
        assert text in leaf_texts(record.data)
        assert ptr.endswith("safeguarding") or ptr.endswith("/information")
        assert scoped.classes[source] == "safeguarding"


def test_no_ungranted_value_survives_for_any_audience(examples) -> None:
    """For every audience and every marked path, an ungranted class is WITHHELD everywhere."""
    marks = sensitive_paths(examples.schemas, "placement")
    assert marks, "the placement schema marks sensitive values"
    for audience in audiences(examples):
        scoped = scope(examples, audience)
        for data in scoped.placements.values():
            for path, cls in marks.items():
                for value in _values_at(data, path):
                    if cls in audience.grants:
                        assert value is not WITHHELD
                    else:
                        assert value is WITHHELD, (audience.name, path)


def test_the_hub_gets_everything_unredacted(examples, by_name) -> None:
    scoped = scope(examples, by_name["hub"])
    assert set(scoped.placements) == set(examples.placements)
    assert set(scoped.schools) == set(examples.schools)
    assert scoped.withheld == [] and scoped.outside == []
    for pid, record in examples.placements.items():
        assert scoped.placements[pid] == record.data


def test_scoped_data_is_a_copy(examples, by_name) -> None:
    provider = next(iter(examples.providers))
    scope(examples, by_name[f"provider-{provider}"])
    for record in examples.placements.values():
        assert record.data["agreements"]["safeguarding"]["information"] is not WITHHELD


def test_a_custom_audience_without_identity_sees_no_names(examples) -> None:
    school = sorted(examples.schools)[0]
    officer = Audience(
        "la-officer", "LA officer", "custom", frozenset({"send"}), schools=frozenset({school})
    )
    scoped = scope(examples, officer)
    assert scoped.placements
    for pid, data in scoped.placements.items():
        assert data["student"]["name"] is WITHHELD
        assert data["agreements"]["wellbeing"] is WITHHELD
        assert data["agreements"]["send"] is not WITHHELD
        name = examples.placements[pid].data["student"]["name"]
        assert (name, f"{scoped.paths[pid]}#/student/name") in scoped.withheld
        assert scoped.classes[f"{scoped.paths[pid]}#/student/name"] == "identity"


def test_outside_lists_names_upns_and_ids_even_a_visible_namesake(tmp_path: Path) -> None:
    repo = load_repository(PROJECT)
    audience = Audience(
        "school-hollybrook", "x", "school", frozenset(CLASSES), schools=frozenset({"hollybrook"})
    )
    # Read from records/placements/marsh-lane/marsh-lane-2025-001.yaml by hand.
    path = "records/placements/marsh-lane/marsh-lane-2025-001.yaml"
    other = repo.placements["marsh-lane-2025-001"]
    assert other.path == path
    outside = set(scope(repo, audience).outside)
    assert {
        ("Saffron Quickthorpe", path),
        ("Z888100225007", path),
        ("marsh-lane-2025-001", path),
    } <= outside
    # hollybrook's own pupil (records/placements/hollybrook/hollybrook-2025-001.yaml) is not.
    assert not {"Tobias Wrenfeather", "P207000016049", "hollybrook-2025-001"} & {
        v for v, _ in outside
    }
    # Two pupils with the same name: still listed (the leak check warns that it cannot
    # search for it, rather than the scope dropping it silently).
    other.data["student"]["name"] = "TOBIAS WRENFEATHER"
    outside = set(scope(repo, audience).outside)
    assert {
        ("TOBIAS WRENFEATHER", path),
        ("Z888100225007", path),
        ("marsh-lane-2025-001", path),
    } <= outside


def test_invalid_placements_still_count_as_outside() -> None:
    repo = load_repository(PROJECT)
    record = next(iter(repo.placements.values()))
    repo.mark(record, False)
    assert record.id not in repo.placements  # the lookup follows the mark
    school = next(s for s in repo.schools if s != record.data["school"])
    audience = Audience("s", "s", "school", frozenset(CLASSES), schools=frozenset({school}))
    outside = {v for v, _ in scope(repo, audience).outside}
    assert record.data["student"]["name"] in outside


def test_attendance_follows_its_placement() -> None:
    repo = load_repository(PROJECT)
    pids = sorted(repo.placements)
    for pid in pids:
        doc = load_text(f"placement: {pid}\nweeks: []\n", f"records/attendance/{pid}.yaml")
        repo.records.append(Record("attendance", doc))
    sid = repo.placements[pids[0]].data["school"]
    audience = Audience("s", "s", "school", frozenset(CLASSES), schools=frozenset({sid}))
    scoped = scope(repo, audience)
    assert set(scoped.attendance) == set(scoped.placements)
    assert set(scoped.attendance) < set(pids)


def test_sensitive_paths_follow_every_branch_of_a_schema(tmp_path: Path) -> None:
    """A mark hidden in a combinator, a map of values or a $ref is still found."""
    (tmp_path / "placement.schema.json").write_text(
        """{
      "type": "object",
      "properties": {
        "a": {"anyOf": [{"type": "string", "x-sensitivity": "send"}, {"type": "null"}]},
        "b": {"type": "object", "additionalProperties": {"$ref": "#/$defs/secret"}},
        "c": {"type": "array", "items": {"allOf": [{"$ref": "#/$defs/note"}]}},
        "d": {"$ref": "#/$defs/secret"}
      },
      "$defs": {
        "secret": {"type": "string", "x-sensitivity": "safeguarding"},
        "note": {"type": "object", "properties": {"text": {"x-sensitivity": "wellbeing"}}}
      }
    }""",
        "utf-8",
    )
    marks = sensitive_paths(Schemas(tmp_path), "placement")
    assert marks == {
        ("a",): "send",
        ("b", "*"): "safeguarding",
        ("c", "*", "text"): "wellbeing",
        ("d",): "safeguarding",
    }


def test_every_class_in_the_schemas_is_one_audiences_can_grant(examples) -> None:
    """An unknown class would be withheld from every audience but the hub: catch typos."""
    for kind in ("placement", "school", "provider"):
        assert set(sensitive_paths(examples.schemas, kind).values()) <= set(CLASSES)
