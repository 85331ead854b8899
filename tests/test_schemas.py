"""The schema set: local references are inlined once, and a broken schema is a usage error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
