"""Tests that kill mutants of ``aprecords.scope`` (see README "Mutation testing").

Each asserts what an audience gets: which records, which values withheld and from where, and
how pupils' names are replaced for an audience without the ``identity`` class.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from aprecords.access import CLASSES, Audience, hub
from aprecords.load import load_text
from aprecords.repository import Record, Repository, load_repository
from aprecords.schemas import SchemaError, Schemas
from aprecords.scope import (
    WITHHELD,
    _map_texts,
    _redact,
    initials,
    leaf_texts,
    name_replacer,
    scope,
    sensitive_paths,
)
from conftest import PROJECT

HOLLYBROOK_1 = "records/placements/hollybrook/hollybrook-2025-001.yaml"  # Tobias Wrenfeather
HOLLYBROOK_3 = "records/placements/hollybrook/hollybrook-2025-003.yaml"  # Ezekiel Harrowgate


def school_audience(school: str, grants: frozenset[str] = frozenset(CLASSES)) -> Audience:
    return Audience(f"school-{school}", school, "school", grants, schools=frozenset({school}))


# --- the marker ---------------------------------------------------------------------------


def test_withheld_reads_as_withheld() -> None:
    assert str(WITHHELD) == "withheld for this audience"
    assert repr(WITHHELD) == "WITHHELD"


# --- redaction of one path ----------------------------------------------------------------


def test_a_star_withholds_every_value_of_a_map_and_every_item_of_a_list() -> None:
    out: list[tuple[Any, str]] = []
    data = {"notes": {"a": "first", "b": ["x", "y"]}, "list": ["p", "q"], "keep": "k"}
    _redact(data, ("notes", "*"), (), out)
    _redact(data, ("list", "*"), (), out)
    assert data == {
        "notes": {"a": WITHHELD, "b": WITHHELD},
        "list": [WITHHELD, WITHHELD],
        "keep": "k",
    }
    assert out == [
        ("first", "/notes/a"),
        (["x", "y"], "/notes/b"),
        ("p", "/list/0"),
        ("q", "/list/1"),
    ]


def test_a_star_inside_a_path_goes_on_below_each_item() -> None:
    out: list[tuple[Any, str]] = []
    data = {"items": [{"text": "one", "n": 1}, {"n": 2}, {"text": "three"}]}
    _redact(data, ("items", "*", "text"), (), out)
    assert data == {"items": [{"text": WITHHELD, "n": 1}, {"n": 2}, {"text": WITHHELD}]}
    assert out == [("one", "/items/0/text"), ("three", "/items/2/text")]


def test_a_star_on_a_plain_value_changes_nothing() -> None:
    out: list[tuple[Any, str]] = []
    assert _redact("text", ("*",), (), out) == "text"
    assert _redact({"a": 3}, ("a", "*"), (), out) == {"a": 3}
    assert out == []


def test_leaf_texts_leave_out_none_and_booleans() -> None:
    assert leaf_texts({"a": None, "b": True, "c": [1, "x", False], "d": {"e": 2.5}}) == [
        "1",
        "x",
        "2.5",
    ]


def test_map_texts_reaches_into_lists_and_keeps_what_is_not_text() -> None:
    value = {"a": ["tobias here", 3, WITHHELD, {"b": "ann"}], "c": None}
    assert _map_texts(value, str.upper) == {
        "a": ["TOBIAS HERE", 3, WITHHELD, {"b": "ANN"}],
        "c": None,
    }


# --- where the marks are ------------------------------------------------------------------


def write_schema(folder: Path, schema: dict[str, Any]) -> Schemas:
    folder.mkdir(exist_ok=True)
    (folder / "placement.schema.json").write_text(json.dumps(schema), "utf-8")
    return Schemas(folder)


def test_marks_in_if_then_else_one_of_pattern_and_prefix_items_are_found(tmp_path: Path) -> None:
    secret = {"type": "string", "x-sensitivity": "safeguarding"}
    schema = {
        "type": "object",
        "properties": {
            "map": {"type": "object", "patternProperties": {"^x-": secret}},
            "arr": {"type": "array", "prefixItems": [{"type": "integer"}, secret]},
        },
        "if": {"properties": {"i": secret}},
        "then": {"properties": {"t": {"x-sensitivity": "send"}}},
        "else": {"properties": {"e": {"x-sensitivity": "wellbeing"}}},
        "oneOf": [{"properties": {"o": {"x-sensitivity": "identity"}}}],
    }
    assert sensitive_paths(write_schema(tmp_path, schema), "placement") == {
        ("map", "*"): "safeguarding",
        ("arr", "*"): "safeguarding",
        ("i",): "safeguarding",
        ("t",): "send",
        ("e",): "wellbeing",
        ("o",): "identity",
    }


def nested(depth: int, via: str) -> dict[str, Any]:
    """A schema whose mark is ``depth`` walking steps below the top, each step ``via``."""
    node: dict[str, Any] = {"type": "string", "x-sensitivity": "send"}
    for _ in range(depth):
        if via == "properties":
            node = {"type": "object", "properties": {"p": node}}
        elif via == "items":
            node = {"type": "array", "items": node}
        elif via == "additionalProperties":
            node = {"type": "object", "additionalProperties": node}
        elif via == "then":
            node = {"if": {"type": "object"}, "then": node}
        else:
            node = {via: [node]}
    return node


@pytest.mark.parametrize("via", ["properties", "items", "additionalProperties", "allOf", "then"])
def test_a_mark_40_levels_down_is_found_and_a_deeper_schema_is_refused(
    tmp_path: Path, via: str
) -> None:
    step = {"properties": "p", "items": "*", "additionalProperties": "*"}.get(via)
    found = sensitive_paths(write_schema(tmp_path / "a", nested(40, via)), "placement")
    assert found == {tuple([step] * 40) if step else (): "send"}
    with pytest.raises(SchemaError) as raised:
        sensitive_paths(write_schema(tmp_path / "b", nested(41, via)), "placement")
    at = "/".join([step] * 41) if step else ""
    assert str(raised.value) == (
        f"the placement schema is nested more than 40 levels deep (at /{at}); sensitivity "
        "marks below could be missed, so nothing is built: flatten the schema"
    )


# --- what each audience gets ----------------------------------------------------------------


@pytest.fixture
def repo() -> Repository:
    return load_repository(PROJECT)


def marked_schemas(tmp_path: Path) -> Schemas:
    """The project's schemas, with a school's and a provider's name and attendance weeks
    marked ``send`` (the real ones mark placements only)."""
    folder = tmp_path / "schema"
    shutil.copytree(PROJECT / "schema", folder)
    for kind, prop in (("school", "name"), ("provider", "name"), ("attendance", "weeks")):
        file = folder / f"{kind}.schema.json"
        schema = json.loads(file.read_text("utf-8"))
        schema["properties"][prop]["x-sensitivity"] = "send"
        file.write_text(json.dumps(schema), "utf-8")
    return Schemas(folder)


def add_attendance(repo: Repository, pid: str) -> str:
    path = f"records/attendance/{pid}.yaml"
    doc = load_text(f"placement: {pid}\nweeks: [{{week: 2025-09-15, marks: [/]}}]\n", path)
    repo.records.append(Record("attendance", doc))
    return path


def test_school_provider_and_attendance_marks_are_withheld_with_their_source(
    repo: Repository, tmp_path: Path
) -> None:
    repo.schemas = marked_schemas(tmp_path)
    repo.records = [r for r in repo.records if r.kind != "attendance"]
    att = add_attendance(repo, "hollybrook-2025-001")
    audience = school_audience("hollybrook", frozenset(CLASSES) - {"send"})
    scoped = scope(repo, audience)
    assert scoped.audience is audience
    school = "records/schools/hollybrook.yaml"
    assert scoped.schools["hollybrook"]["name"] is WITHHELD
    assert scoped.paths["school:hollybrook"] == school
    assert ("Hollybrook Academy", f"{school}#/name") in scoped.withheld
    assert scoped.classes[f"{school}#/name"] == "send"
    provider = "records/providers/brickworks.yaml"
    assert scoped.providers["brickworks"]["name"] is WITHHELD
    assert scoped.paths["provider:brickworks"] == provider
    assert ("Brickworks Construction Skills", f"{provider}#/name") in scoped.withheld
    assert scoped.attendance["hollybrook-2025-001"] == {
        "placement": "hollybrook-2025-001",
        "weeks": WITHHELD,
    }
    assert scoped.paths["attendance:hollybrook-2025-001"] == att
    assert ("2025-09-15", f"{att}#/weeks") in scoped.withheld
    assert ("/", f"{att}#/weeks") in scoped.withheld
    # granted, nothing is withheld
    everything = scope(repo, school_audience("hollybrook"))
    assert everything.schools["hollybrook"]["name"] == "Hollybrook Academy"
    assert everything.attendance["hollybrook-2025-001"]["weeks"][0]["marks"] == ["/"]


def test_kinds_without_a_schema_are_not_redacted(repo: Repository, tmp_path: Path) -> None:
    folder = tmp_path / "schema"
    shutil.copytree(PROJECT / "schema", folder)
    (folder / "school.schema.json").unlink()
    repo.schemas = Schemas(folder)
    scoped = scope(repo, school_audience("hollybrook", frozenset()))
    assert scoped.schools["hollybrook"]["name"] == "Hollybrook Academy"
    assert scoped.placements["hollybrook-2025-001"]["student"]["name"] is WITHHELD


def test_a_school_without_pupils_is_seen_by_the_hub_and_by_itself_only(repo: Repository) -> None:
    doc = load_text("id: quiet-hall\nname: Quiet Hall School\n", "records/schools/quiet-hall.yaml")
    repo.records.append(Record("school", doc))
    assert "quiet-hall" in repo.schools
    assert "quiet-hall" in scope(repo, hub()).schools
    own = scope(repo, school_audience("quiet-hall"))
    assert set(own.schools) == {"quiet-hall"} and own.placements == {}
    assert "quiet-hall" not in scope(repo, school_audience("hollybrook")).schools


def test_an_invalid_placement_whose_student_is_not_a_mapping_is_still_outside(
    repo: Repository,
) -> None:
    doc = load_text("id: odd-2025-001\nschool: elsewhere\nstudent: Ann Lee\n", "odd.yaml")
    repo.records.append(Record("placement", doc, valid=False))
    outside = scope(repo, school_audience("hollybrook")).outside
    assert ("odd-2025-001", "odd.yaml") in outside
    assert not [v for v, path in outside if path == "odd.yaml" and v != "odd-2025-001"]


def test_a_forename_two_pupils_share_becomes_each_records_own_initials(repo: Repository) -> None:
    """Without ``identity``: the text of each placement (and its attendance) names its pupil."""
    other = repo.placements["hollybrook-2025-003"]
    other.data["student"]["name"] = "Tobias Harrowgate"
    rationale = other.data["aims"]["rationale"]
    other.data["aims"]["rationale"] = rationale.replace(
        "keeps Ezekiel engaged", "keeps Tobias engaged"
    )
    own = repo.placements["hollybrook-2025-001"]
    own.data["aims"]["rationale"] = "Tobias likes practical work."
    repo.records = [r for r in repo.records if r.kind != "attendance"]
    for pid in ("hollybrook-2025-001", "hollybrook-2025-003"):
        add_attendance(repo, pid)
        repo.records[-1].data["note"] = ["Tobias came"]
    grants = frozenset(CLASSES) - {"identity"}
    scoped = scope(repo, school_audience("hollybrook", grants))
    assert (
        scoped.placements["hollybrook-2025-001"]["aims"]["rationale"]
        == "T.W. likes practical work."
    )
    assert "keeps T.H. engaged" in scoped.placements["hollybrook-2025-003"]["aims"]["rationale"]
    assert scoped.attendance["hollybrook-2025-001"]["note"] == ["T.W. came"]
    assert scoped.attendance["hollybrook-2025-003"]["note"] == ["T.H. came"]
    assert scoped.placements["hollybrook-2025-001"]["student"]["name"] is WITHHELD


# --- initials and the name replacer ---------------------------------------------------------


def test_initials_are_of_the_first_and_last_part() -> None:
    assert initials("Tobias") == "T."
    assert initials("Tobias Wrenfeather") == "T.W."
    assert initials("tobias james wrenfeather") == "T.W."
    assert initials("- Ann (Lee)") == "A."
    assert initials("--") == "the pupil"


def test_a_name_with_no_letters_does_not_stop_the_others() -> None:
    replace = name_replacer(["--", "Tobias Wrenfeather"])
    assert replace("with Tobias Wrenfeather today") == "with T.W. today"


def test_names_at_the_very_start_and_end_of_a_text() -> None:
    replace = name_replacer(["Tobias Wrenfeather"])
    assert replace("Met Tobias Wrenfeather") == "Met T.W."
    assert replace("Met Wrenfeather") == "Met T.W."
    assert replace("Seen by Wrenfeather, T") == "Seen by T.W."
    assert replace("Wrenfeather T. came") == "T.W. came"
    assert replace("T. Wrenfeather came") == "T.W. came"
    assert replace("Tobias") == "T.W."
    assert replace("T. Wrenfeather and T. Wrenfeather") == "T.W. and T.W."
