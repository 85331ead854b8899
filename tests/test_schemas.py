"""The schema set: local references are inlined once, and a broken schema is a usage error."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aprecords.schemas import SchemaError, Schemas


def write(folder: Path, name: str, schema: dict) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.schema.json").write_text(json.dumps(schema))


def test_references_are_inlined_with_the_referring_nodes_own_keywords_on_top(repo: Path) -> None:
    schemas = Schemas(repo / "schema")
    name = schemas.resolved("placement")["properties"]["student"]["properties"]["name"]
    assert "$ref" not in json.dumps(schemas.resolved("placement"))
    assert name["x-sensitivity"] == "identity" and name["title"] == "Name"
    assert name["minLength"] == 1 and "x-hint" in name  # from common.schema.json#/$defs/answer


def test_a_reference_that_leads_nowhere_is_a_schema_error(tmp_path: Path) -> None:
    write(tmp_path, "thing", {"properties": {"a": {"$ref": "common.schema.json#/$defs/nope"}}})
    write(tmp_path, "common", {"$defs": {}})
    with pytest.raises(SchemaError, match="thing.schema.json: the reference .* leads nowhere"):
        Schemas(tmp_path).resolved("thing")


def test_a_recursive_schema_keeps_its_reference_and_still_validates(tmp_path: Path) -> None:
    tree = {
        "$id": "https://example.org/tree.schema.json",
        "type": "object",
        "properties": {"children": {"type": "array", "items": {"$ref": "#"}}},
        "additionalProperties": False,
    }
    write(tmp_path, "tree", tree)
    schemas = Schemas(tmp_path)
    validator = schemas._validators["tree"]
    assert validator.is_valid({"children": [{"children": []}]})
    assert not validator.is_valid({"children": [{"leaves": 1}]})


# --- the jsonschema-rs fast pass never lets through what jsonschema rejects -------------------

LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["", " ", "2025-02-30", "2025-09-08", "T1", "AM", "level-1", "x@y", "a@b.org"]),
    # Python's re reads '$' as "end, or before a final line break"; ECMA-262 does not.
    st.sampled_from(["2025-09-08\n", "T1\n", "level-1\n", "a@b.org\n", "123456\n", "x\n\n"]),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=2),
)


def _paths(node: Any, trail: tuple = ()) -> list[tuple]:
    out = [trail]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*trail, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*trail, i))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fast_pass_agrees_with_jsonschema_on_mutated_records(data: st.DataObject) -> None:
    from aprecords.load import load_file
    from conftest import PROJECT

    schemas = _project_schemas()
    kind, rel = data.draw(st.sampled_from(EXAMPLES))
    record = copy.deepcopy(load_file(PROJECT / rel, rel).data)
    for _ in range(data.draw(st.integers(1, 3))):
        trail = data.draw(st.sampled_from(_paths(record)[1:]))
        parent = record
        for token in trail[:-1]:
            parent = parent[token]
        action = data.draw(st.sampled_from(["replace", "delete", "add", "line-break"]))
        if action == "line-break" and isinstance(parent[trail[-1]], str):
            parent[trail[-1]] += "\n"  # e.g. upn: "P207000016049\n", or a '|' block
        elif action == "delete" and isinstance(parent, dict):
            del parent[trail[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[data.draw(st.sampled_from(["extra", "nmae", "id", "date"]))] = data.draw(LEAVES)
        else:
            parent[trail[-1]] = data.draw(LEAVES)
    slow = schemas._validators[kind].is_valid(record)
    assert schemas._surely_valid(kind, record) == slow


def test_a_trailing_line_break_is_refused_by_both_validators() -> None:
    """The case the property test once missed: jsonschema's '$' matched before the break."""
    from aprecords.load import load_file
    from conftest import PROJECT

    schemas = _project_schemas()
    kind, rel = EXAMPLES[0]
    record = load_file(PROJECT / rel, rel).data
    assert schemas._validators[kind].is_valid(record) and schemas._surely_valid(kind, record)
    record["student"]["upn"] += "\n"
    assert not schemas._validators[kind].is_valid(record)
    assert not schemas._surely_valid(kind, record)


EXAMPLES = [
    ("placement", "records/placements/hollybrook/hollybrook-2025-001.yaml"),
    ("school", "records/schools/hollybrook.yaml"),
    ("provider", "records/providers/brickworks.yaml"),
]


@functools.cache
def _project_schemas() -> Schemas:
    from conftest import PROJECT

    return Schemas(PROJECT / "schema")
