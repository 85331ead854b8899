"""``aprecords fmt`` writes the bytes the web form writes: checked against the npm package
``yaml`` 2.9.1 itself (pinned in package-lock.json, installed by ``npm ci``), run by Node.js
with Sveltia CMS's options (tests/node/stringify.mjs), over every example record and over
values that need quoting, escaping or a text block; and the strict loader reads every output
back as the same values."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from aprecords.canonical import Comments, canonical, comments_of, layout
from aprecords.load import load_text, parse
from aprecords.repository import FOLDERS
from aprecords.schemas import Schemas
from conftest import PROJECT, require_tool

YAML_PACKAGE = PROJECT / "node_modules" / "yaml" / "package.json"
SCRIPT = PROJECT / "tests" / "node" / "stringify.mjs"

TRICKY: list[object] = [
    "plain words", "it's", 'say "hi"', "it's \"both\"", "'quoted'", '"double"', "a: b", "a:b",
    "key:", "a :b", "a #b", "a#b", "#a", "-a", "- a", "-", "?a", "? a", "?", "*a", "&a", "!a",
    "%a", "@a", "`a", "|a", ">a", ",a", "[a]", "{a}", "a]", "a, b", "yes", "no", "on", "off",
    "true", "True", "FALSE", "null", "Null", "NULL", "~", "", " ", "  ", "012", "12", "-1",
    "+1", "1.5", ".5", "1.", "1:30", "12:30:45", "1e3", "1E-3", "0x1F", "0o17", "0b101",
    ".inf", "-.inf", ".nan", "1_000", "2024-01-01", "2024-01-01T10:00:00Z", "trailing ",
    " leading", "---", "--- x", "...", "a ---", "%YAML", "x\n---\ny", "x\n%z",
    "multi\nline", "multi\nline\n", "multi\nline\n\n", "two\n\nparagraphs", " lead\nx",
    "x\n lead", "trail \nx", "\nstarts with a break", "ends with breaks\n\n\n", "\n", "\n\n",
    "line one\n  indented\nline three", "spaces at the end\n  ", "x\n \ny",
    "a long line of text that goes on " * 12, "long with break\n" + "word " * 40 + "\n  ",
    "ünïcödé ✓ — “curly” ‘quotes’", "emoji 😀 and more text that is long enough to fold?\n ",
    "a\\b", "C:\\path\\to", "50%", "100 % sure", "<b>bold</b>", "x & y", "@home", "a  b",
    "x\n\n\ny\n", "'single' and \"double\"\nand a second line", "ends with colon:",
    90, 90.0, 90.5, 0.1, 1.0e16, 12, -3, 0, True, False, None, [], {},
    ["a", "b"], [{"a": 1, "b": [1, 2]}], {"x": {"y": 1}}, [["a", ["b"]]], [[]], [{}],
]  # fmt: skip


def _node() -> str:
    node = require_tool("node")
    if not YAML_PACKAGE.is_file():
        message = "node_modules/yaml is missing: run `npm ci` (yaml is pinned in package-lock.json)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    assert json.loads(YAML_PACKAGE.read_text())["version"] == "2.9.1"
    return node


def stringify(documents: list[dict]) -> list[str]:
    """What the yaml package writes for each {"data", "schema"}."""
    proc = subprocess.run(
        [_node(), str(SCRIPT)],
        input=json.dumps({"documents": documents}),
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT,
        timeout=120,
    )
    return json.loads(proc.stdout)


def _schema(schemas: Schemas, file: Path) -> dict:
    return schemas.resolved(FOLDERS[file.relative_to(PROJECT / "records").parts[0]])


def _without_comments(text: str) -> str:
    return "\n".join(line.partition("  #")[0] for line in text.split("\n"))


def examples() -> list[tuple[Path, str]]:
    found = []
    for file in sorted((PROJECT / "records").rglob("*.yaml")):
        found.append((file, FOLDERS[file.relative_to(PROJECT / "records").parts[0]]))
    return found


def test_every_example_record_is_what_the_yaml_package_writes() -> None:
    schemas = Schemas(PROJECT / "schema")
    records = examples()
    assert len(records) >= 28
    documents, ours = [], []
    for file, kind in records:
        text = file.read_text("utf-8")
        data = load_text(text, file.name).data
        documents.append({"data": data, "schema": schemas.resolved(kind)})
        ours.append(canonical(text, file.name, schemas.resolved(kind)))
    commented = 0
    for (file, _), mine, theirs in zip(records, ours, stringify(documents), strict=True):
        text = file.read_text("utf-8")
        assert text == mine, f"{file} is not formatted: run aprecords fmt"
        notes = comments_of(text)
        if notes:
            commented += 1  # the form drops comments; the layout of the rest is the same
            mine = canonical(_without_comments(text), file.name, _schema(schemas, file))
        assert mine == theirs, file
    assert commented == 2


@pytest.mark.parametrize("where", ["value", "list item", "nested"])
def test_tricky_values_are_written_as_the_yaml_package_writes_them(where: str) -> None:
    def place(value: object) -> dict:
        if where == "value":
            return {"before": "x", "value": value, "after": "y"}
        if where == "list item":
            return {"items": ["x", value, "y"]}
        return {"outer": [{"first": "x", "value": value, "list": [value]}], "end": 1}

    documents = [{"data": place(v), "schema": None} for v in TRICKY]
    theirs = stringify(documents)
    for value, doc, expected in zip(TRICKY, documents, theirs, strict=True):
        mine = layout(doc["data"], None, Comments())
        assert mine == expected, repr(value)
        back = parse(mine)
        assert back == doc["data"], repr(value)
        assert [type(x) for x in _leaves(back)] == [type(x) for x in _leaves(doc["data"])] or (
            isinstance(value, float)
        ), repr(value)


def _leaves(value: object) -> list[object]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _leaves(v)]
    if isinstance(value, list):
        return [x for v in value for x in _leaves(v)]
    return [value]


def test_keys_follow_the_schema_order_as_in_the_form() -> None:
    """Keys written in another order come out in the schema's order, in both writers."""
    schemas = Schemas(PROJECT / "schema")
    file = PROJECT / "records/placements/hollybrook/hollybrook-2025-001.yaml"
    data = load_text(file.read_text("utf-8"), file.name).data
    shuffled = dict(reversed(list(data.items())))
    shuffled["reviews"] = [dict(reversed(list(r.items()))) for r in data["reviews"]]
    schema = schemas.resolved("placement")
    [theirs] = stringify([{"data": shuffled, "schema": schema}])
    assert layout(shuffled, schema, Comments()) == theirs == file.read_text("utf-8")
