"""Property tests: whatever a record file holds, `aprecords validate` answers with exit 0, 1
or 2 and a report, never an exception or a traceback."""

from __future__ import annotations

import contextlib
import io
import json
from copy import deepcopy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from aprecords import cli
from aprecords.load import load_text
from conftest import PLACEMENT, PROJECT, PROVIDER, SCHOOL, TODAY, make_repo

FUZZ = settings(max_examples=120, deadline=None)
TARGETS = [PLACEMENT, SCHOOL, PROVIDER, "aprecords.yml"]
FORMATS = ["text", "json", "github"]
EXAMPLE = load_text((PROJECT / PLACEMENT).read_text("utf-8"), PLACEMENT).data
"""The example placement as the strict loader reads it (dates are text)."""


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One repository for all examples of a test; each example rewrites one file."""
    return make_repo(tmp_path_factory.mktemp("fuzz") / "repo")


def run_validate(root: Path, fmt: str, *paths: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(
            ["--root", str(root), "validate", "--today", TODAY, "--format", fmt, *paths]
        )
    return code, out.getvalue(), err.getvalue()


def check(root: Path, target: str, content: bytes, fmt: str) -> int:
    """Write ``content`` as ``target``, validate, and check the answer's shape."""
    original = (PROJECT / target).read_bytes()
    (root / target).write_bytes(content)
    try:
        code, out, err = run_validate(root, fmt)
    finally:
        (root / target).write_bytes(original)
    assert code in (0, 1, 2)
    assert "Traceback" not in out + err
    if code == 2:
        assert err.startswith("aprecords: ") and out == ""
        assert target == "aprecords.yml", err  # a bad record is a finding, not a usage error
    elif fmt == "json":
        report = json.loads(out)
        assert report["ok"] is (code == 0)
        text = content.decode("utf-8", "replace")
        for finding in report["findings"]:
            assert finding["line"] >= 1 and finding["column"] >= 1
            if finding["path"] == target:  # the position lies within the file
                # bounds: splitlines() breaks at least where YAML does; columns restart at "\n"
                assert finding["line"] <= len(text.splitlines()) + 1, finding
                assert finding["column"] <= max(map(len, text.split("\n"))) + 1, finding
    elif fmt == "text":
        for line in out.splitlines():
            assert line.count(": ") >= 2 and line.endswith("]"), line
    return code


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)
YAMLISH = st.text(
    alphabet=st.sampled_from(list("abcT01:- \n\t#&*!|>'\"[]{},?%@`\\\ufeffé")), max_size=200
)


EXTREMES = st.builds(
    lambda prefix, unit, n: prefix + unit * n,
    st.sampled_from(["", "a: ", "id: x\nstudent:\n  year_group: ", "- "]),
    st.sampled_from(["7", "[", "{a: ", "- ", "  ", "x", "é", "1.0e9"]),
    st.integers(min_value=0, max_value=30_000),
)
"""Inputs that once crashed the interpreter or raised: deep nesting, 5000-digit numbers."""


@FUZZ
@given(
    text=st.one_of(TEXT, YAMLISH, EXTREMES),
    target=st.sampled_from(TARGETS),
    fmt=st.sampled_from(FORMATS),
)
def test_arbitrary_text(root: Path, text: str, target: str, fmt: str) -> None:
    check(root, target, text.encode("utf-8"), fmt)


@FUZZ
@given(raw=st.binary(max_size=400), target=st.sampled_from(TARGETS), fmt=st.sampled_from(FORMATS))
def test_arbitrary_bytes(root: Path, raw: bytes, target: str, fmt: str) -> None:
    check(root, target, raw, fmt)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
    st.sampled_from(["2025-02-30", "2025-09-08", "T1", "P207000016049", "FILL IN", "", "no"]),
)
KEYS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(sorted(EXAMPLE) + ["date", "target", "status", "provider", "sites", "id"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(KEYS, inner, max_size=4),
    ),
    max_leaves=20,
)


def dump(data: Any) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


@FUZZ
@given(data=VALUES, target=st.sampled_from(TARGETS), fmt=st.sampled_from(FORMATS))
def test_arbitrary_yaml_documents(root: Path, data: Any, target: str, fmt: str) -> None:
    check(root, target, dump(data), fmt)


def paths_of(node: Any, here: tuple = ()) -> list[tuple]:
    """Every path into a document: keys of mappings and indexes of lists."""
    found = [here]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths_of(value, (*here, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += paths_of(value, (*here, i))
    return found


def mutate(document: Any, path: tuple, action: str, value: Any) -> Any:
    """A copy of ``document`` with the node at ``path`` replaced, deleted, or given a sibling."""
    if not path:
        return value
    copy = deepcopy(document)
    parent = copy
    for token in path[:-1]:
        parent = parent[token]
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "add" and isinstance(parent, dict):
        parent[f"{last}_extra"] = value
    elif action == "add":
        parent.append(value)
    else:
        parent[last] = value
    return copy


DATES = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)).map(str)
LIKE = {
    str: st.one_of(
        DATES, st.sampled_from(["T1", "T2", "T3", "brickworks", "hollybrook", "yard"]), TEXT
    ),
    int: st.integers(min_value=-2, max_value=60),
    float: st.floats(min_value=-1, max_value=120, allow_nan=False),
    bool: st.booleans(),
}


def leaf_paths(document: Any) -> list[tuple]:
    leaves = []
    for path in paths_of(document):
        node = document
        for token in path:
            node = node[token]
        if type(node) in LIKE:
            leaves.append((path, type(node)))
    return leaves


@FUZZ
@given(data=st.data(), fmt=st.sampled_from(FORMATS))
def test_valid_record_with_other_values_of_the_same_kind(
    root: Path, data: st.DataObject, fmt: str
) -> None:
    """Values of the right type mostly pass the schema, so the rules see them too."""
    document = EXAMPLE
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        path, kind = data.draw(st.sampled_from(leaf_paths(document)))
        document = mutate(document, path, "replace", data.draw(LIKE[kind]))
    check(root, PLACEMENT, dump(document), fmt)


@FUZZ
@given(data=st.data(), fmt=st.sampled_from(FORMATS))
def test_mutated_valid_record(root: Path, data: st.DataObject, fmt: str) -> None:
    document = EXAMPLE
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        path = data.draw(st.sampled_from(paths_of(document)))
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        document = mutate(document, path, action, data.draw(VALUES))
    check(root, PLACEMENT, dump(document), fmt)


@settings(max_examples=60, deadline=None)
@given(data=VALUES, fmt=st.sampled_from(FORMATS))
def test_arbitrary_yaml_with_a_path_argument(root: Path, data: Any, fmt: str) -> None:
    """Restricting the report to one file changes nothing about robustness."""
    (root / PLACEMENT).write_bytes(dump(data))
    try:
        code, out, err = run_validate(root, fmt, str(root / PLACEMENT))
    finally:
        (root / PLACEMENT).write_bytes((PROJECT / PLACEMENT).read_bytes())
    assert code in (0, 1) and "Traceback" not in out + err


def test_the_fuzzed_repository_is_valid_to_start_with(root: Path) -> None:
    assert run_validate(root, "json")[0] == 0
