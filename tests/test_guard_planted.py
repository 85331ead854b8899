"""Issue 19: every class of withheld text and every contact key, planted in several placements,
is found: on an audience's site, in a copy into a visible field, and in the parents' copy.

Expectations come from the example records read here with PyYAML, never from the guard."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from aprecords.access import CLASSES, Audience, hub
from aprecords.guard.names import searchable
from aprecords.guard.scan import LeakError, scan
from aprecords.repository import Repository, load_repository
from aprecords.scope import scope
from conftest import PROJECT, TODAY, Result, copy_examples, replace_line

CLASS_PATHS = {
    "identity": [("student", "name"), ("student", "upn")],
    "safeguarding": [
        ("agreements", "safeguarding", "information"),
        ("reviews", "*", "safeguarding"),
    ],
    "safety": [("agreements", "safeguarding", "provider_needs")],
    "send": [
        ("aims", "profile", "what_works"),
        ("agreements", "send"),
        ("agreements", "access_arrangements"),
    ],
    "wellbeing": [("aims", "profile", "barriers"), ("agreements", "wellbeing")],
}
"""Where each class lives, read from schema/placement.schema.json's x-sensitivity marks."""


def records() -> dict[str, tuple[str, dict[str, Any]]]:
    found = {}
    for path in sorted((PROJECT / "records/placements").glob("*/*.yaml")):
        found[path.stem] = (path.relative_to(PROJECT).as_posix(), yaml.safe_load(path.read_text()))
    return found


def texts_at(data: Any, path: tuple[str, ...]) -> Iterator[str]:
    if not path:
        if isinstance(data, dict):
            for value in data.values():
                yield from texts_at(value, ())
        elif isinstance(data, list):
            for value in data:
                yield from texts_at(value, ())
        elif isinstance(data, str):
            yield data
        return
    head, rest = path[0], path[1:]
    if head == "*" and isinstance(data, list):
        for item in data:
            yield from texts_at(item, rest)
    elif isinstance(data, dict) and head in data:
        yield from texts_at(data[head], rest)


def planted_texts(cls: str) -> list[tuple[str, str]]:
    """(record path, text) of every searchable text of class ``cls`` in the examples."""
    return [
        (path, text)
        for path, data in records().values()
        for where in CLASS_PATHS[cls]
        for text in texts_at(data, where)
        if searchable(text) or cls == "identity"
    ]


def test_the_schema_marks_are_the_ones_planted_here() -> None:
    schema = json.loads((PROJECT / "schema/placement.schema.json").read_text())
    marks: dict[str, set[tuple[str, ...]]] = {}

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if isinstance(node, dict):
            if "x-sensitivity" in node:
                marks.setdefault(node["x-sensitivity"], set()).add(path)
            for key, sub in node.get("properties", {}).items():
                walk(sub, (*path, key))
            if "items" in node:
                walk(node["items"], (*path, "*"))

    walk(schema, ())
    assert marks == {cls: set(paths) for cls, paths in CLASS_PATHS.items()}


@pytest.fixture(scope="module")
def repo() -> Repository:
    return load_repository(PROJECT)


@pytest.mark.parametrize("cls", CLASSES)
def test_every_text_of_a_class_is_found_on_a_site_without_it(
    repo: Repository, tmp_path: Path, cls: str
) -> None:
    audience = Audience("custom", "Custom", "hub", frozenset(CLASSES) - {cls})
    scoped = scope(repo, audience)
    planted = planted_texts(cls)
    assert len({path for path, _ in planted}) >= 2, f"the examples hold too little {cls} text"
    site = tmp_path / "site"
    site.mkdir()
    for i, (_, text) in enumerate(planted):  # each in a page of its own, spelt with hyphens
        (site / f"p{i}.html").write_text(f"<p>{'-'.join(text.upper().split())}</p>", "utf-8")
    leaks = scan(site, scoped)
    for i, (path, _) in enumerate(planted):
        assert any(leak.file == f"p{i}.html" and leak.source.startswith(path) for leak in leaks), (
            f"{cls} text of {path} not found"
        )


def test_a_copy_of_withheld_text_is_found_in_every_placement(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    """One copy per class, each in another placement, with its separators changed: one
    ``withheld-text-copied`` error in each file (a split of the records cached per kind, not
    per record, would see only the first)."""
    root = copy_examples(tmp_path / "repo")
    copied: dict[str, str] = {}
    for cls in ("safeguarding", "send", "wellbeing", "safety"):
        path, text = next((p, t) for p, t in planted_texts(cls) if p not in copied.values())
        spoilt = " - ".join(text.split()).upper()
        replace_line(root / path, "    course:", f"course: {json.dumps(spoilt)}")
        copied[cls] = path
    result = run_cli("--root", root, "validate", "--today", TODAY)
    found = [line for line in result.out.splitlines() if line.endswith("[withheld-text-copied]")]
    assert result.code == 1 and len(found) == len(copied)
    for cls, path in copied.items():
        assert any(line.startswith(f"{path}:") and f"'{cls}'" in line for line in found)


def emails(data: Any) -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str) and (key == "email" or key.endswith("_email")):
                yield key, value
            else:
                yield from emails(value)
    elif isinstance(data, list):
        for value in data:
            yield from emails(value)


def parents_site(tmp_path: Path, pids: list[str], text: str) -> Path:
    site = tmp_path / "site"
    for pid in pids:
        page = site / "placements" / pid / "print-parents.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"<p>Contact: {text}</p>", "utf-8")
    return site


def test_every_contact_key_is_kept_out_of_the_parents_copy(repo: Repository, tmp_path) -> None:
    """Every key holding an e-mail address (``email`` and every ``*_email``), of schools,
    providers and placements alike, is searched for in every parents' copy."""
    from aprecords.site.printviews import check_parents

    docs = [yaml.safe_load(p.read_text()) for p in sorted((PROJECT / "records").rglob("*.yaml"))]
    found = {(key, value) for data in docs for key, value in emails(data)}
    keys = {key for key, _ in found}
    assert "email" in keys and any(k.endswith("_email") and k != "email" for k in keys)
    pids = sorted(records())[:3]
    for n, (key, value) in enumerate(sorted(found)):
        site = parents_site(tmp_path / str(n), pids, value.upper())
        with pytest.raises(LeakError) as caught:
            check_parents(repo, hub(), site)
        assert len(caught.value.leaks) == len(pids), f"{key} {value}"


def test_the_parents_copy_never_holds_safeguarding_or_safety(repo: Repository, tmp_path) -> None:
    from aprecords.site.printviews import PARENTS_DROP, check_parents, parents_audience

    assert {"safeguarding", "safety"} <= PARENTS_DROP
    assert not parents_audience(hub()).grants & {"safeguarding", "safety"}
    for n, cls in enumerate(("safeguarding", "safety")):
        path, text = planted_texts(cls)[0]
        pid = Path(path).stem
        site = parents_site(tmp_path / str(n), [pid], text)
        with pytest.raises(LeakError) as caught:
            check_parents(repo, hub(), site)
        assert path in {leak.source.split("#")[0] for leak in caught.value.leaks}


def test_unchanged_parents_copies_are_read_again_for_other_needles(repo, tmp_path) -> None:
    from aprecords.site.printviews import check_parents

    path, text = planted_texts("safeguarding")[0]
    pid = Path(path).stem
    site = parents_site(tmp_path, [pid], text)
    rel = f"placements/{pid}/print-parents.html"
    with pytest.raises(LeakError):
        check_parents(repo, hub(), site, unchanged={rel}, checked_with="0" * 64)
