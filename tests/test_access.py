"""Audiences: derived from the registries, policy checked at its line, listed by the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from aprecords.access import CLASSES, audiences, checked_audiences, policy_findings, select
from aprecords.config import ConfigError
from aprecords.errors import UsageError
from aprecords.repository import load_repository
from aprecords.scope import scope
from conftest import PROJECT, SEEN_BY, line_of, without_policy


def copy_examples(root: Path) -> Path:
    """The whole example repository (config, schemas, every record) at ``root``."""
    root.mkdir(parents=True)
    shutil.copy(PROJECT / "aprecords.yml", root / "aprecords.yml")
    without_policy(root / "aprecords.yml")
    shutil.copytree(PROJECT / "schema", root / "schema")
    shutil.copytree(PROJECT / "records", root / "records")
    return root


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    return copy_examples(tmp_path / "repo")


def add_policy(root: Path, text: str) -> None:
    with (root / "aprecords.yml").open("a", encoding="utf-8") as f:
        f.write(text)


def test_one_audience_per_school_and_provider_plus_the_hub(examples: Path) -> None:
    repo = load_repository(examples)
    names = [a.name for a in audiences(repo)]
    assert names[0] == "hub"
    assert {f"school-{s}" for s in repo.schools} <= set(names)
    assert {f"provider-{p}" for p in repo.providers} <= set(names)
    custom = [c["name"] for c in repo.config.data.get("audiences", {}).get("custom", [])]
    assert names[1 + len(repo.schools) + len(repo.providers) :] == custom
    assert len(names) == 1 + len(repo.schools) + len(repo.providers) + len(custom)
    grants = {a.kind: a.grants for a in audiences(repo)}
    assert grants["hub"] == grants["school"] == frozenset(CLASSES)
    assert grants["provider"] == frozenset(CLASSES) - {"safeguarding"}


def test_a_new_school_file_gives_a_new_audience_without_a_policy_edit(examples: Path) -> None:
    source = examples / "records/schools/hollybrook.yaml"
    text = source.read_text("utf-8").replace("id: hollybrook", "id: newfield", 1)
    (examples / "records/schools/newfield.yaml").write_text(text, "utf-8")
    names = {a.name for a in audiences(load_repository(examples))}
    assert "school-newfield" in names


def test_policy_grants_change_the_defaults(examples: Path) -> None:
    add_policy(examples, "audiences:\n  providers:\n    grants: [identity]\n")
    provider = next(a for a in audiences(load_repository(examples)) if a.kind == "provider")
    assert provider.grants == frozenset({"identity"})


def test_a_custom_audience_sees_its_schools(examples: Path) -> None:
    add_policy(
        examples,
        "audiences:\n  custom:\n    - name: la-officer\n      title: LA officer\n"
        "      schools: [hollybrook, marsh-lane]\n      grants: [identity, send]\n",
    )
    repo = load_repository(examples)
    officer = checked_audiences(repo)[-1]
    assert officer.name == "la-officer" and officer.kind == "custom"
    scoped = scope(repo, officer)
    assert {d["school"] for d in scoped.placements.values()} == {"hollybrook", "marsh-lane"}


@pytest.mark.parametrize(
    ("policy", "anchor", "words"),
    [
        (
            "      schools: [hollybrook, atlantis]\n",
            "schools: [hollybrook, atlantis]",
            "no school has the id 'atlantis'",
        ),
        (
            "      providers:\n        - nowhere-ltd\n",
            "- nowhere-ltd",
            "no provider has the id 'nowhere-ltd'",
        ),
    ],
)
def test_unknown_school_or_provider_is_an_error_at_its_line(
    examples: Path, policy: str, anchor: str, words: str
) -> None:
    add_policy(
        examples,
        "audiences:\n  custom:\n    - name: la-officer\n      title: LA officer\n"
        f"{policy}      grants: [send]\n",
    )
    findings = policy_findings(load_repository(examples))
    assert len(findings) == 1
    finding = findings[0]
    assert words in finding.message
    assert finding.path == "aprecords.yml"
    assert finding.line == line_of(examples / "aprecords.yml", anchor)
    with pytest.raises(ConfigError, match=rf"aprecords.yml:{finding.line}:\d+: error: {words}"):
        checked_audiences(load_repository(examples))


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("hub", "two audiences would share the folder 'hub'"),
        ("school-hollybrook", "two audiences would share the folder 'school-hollybrook'"),
        ("school-future", "kept for them"),
        ("nginx", "a folder the build uses itself"),
    ],
)
def test_clashing_folder_names_are_errors(examples: Path, name: str, words: str) -> None:
    add_policy(
        examples,
        f"audiences:\n  custom:\n    - name: {name}\n      title: X\n"
        "      schools: [hollybrook]\n      grants: [send]\n",
    )
    findings = policy_findings(load_repository(examples))
    assert [f.line for f in findings] == [line_of(examples / "aprecords.yml", f"name: {name}")]
    assert words in findings[0].message


def test_two_custom_audiences_with_one_name(examples: Path) -> None:
    entry = "    - name: la\n      title: X\n      schools: [hollybrook]\n      grants: [send]\n"
    add_policy(examples, "audiences:\n  custom:\n" + entry + entry)
    findings = policy_findings(load_repository(examples))
    assert len(findings) == 1
    assert findings[0].pointer == "/audiences/custom/1/name"


def test_hosting_groups_must_name_audiences(examples: Path) -> None:
    add_policy(
        examples,
        "hosting:\n  mode: sso\n  groups:\n    hub: g-1111\n    school-atlantis: g-2222\n",
    )
    findings = policy_findings(load_repository(examples))
    assert [f.line for f in findings] == [line_of(examples / "aprecords.yml", "school-atlantis")]
    assert "'school-atlantis' is not an audience" in findings[0].message


def test_select_by_name_and_unknown_names(examples: Path) -> None:
    found = audiences(load_repository(examples))
    assert [a.name for a in select(found, ["school-hollybrook", "hub"])] == [
        "school-hollybrook",
        "hub",
    ]
    assert select(found, []) == found
    with pytest.raises(UsageError, match="no audience called 'nope'.*hub, school-"):
        select(found, ["nope"])


def test_audiences_command_lists_records_and_classes(run_cli, examples: Path) -> None:
    result = run_cli("--root", examples, "audiences", "--format", "json")
    assert result.code == 0, result.err
    rows = {row["name"]: row for row in json.loads(result.out)["audiences"]}
    assert sorted(rows) == sorted(SEEN_BY)
    everything = ["identity", "safeguarding", "safety", "send", "wellbeing"]
    for name, ids in SEEN_BY.items():
        row = rows[name]
        assert row["records"] == {"count": len(ids), "ids": ids}, name
        assert row["folder"] == f"{name}/"
        provider = name.startswith("provider-")
        assert row["kind"] == name.split("-")[0]
        expected = ["identity", "safety", "send", "wellbeing"] if provider else everything
        assert row["classes"] == expected
        assert row["withheld_classes"] == (["safeguarding"] if provider else [])

    text = run_cli("--root", examples, "audiences")
    assert text.code == 0
    assert "school-hollybrook  (school: " in text.out
    assert "classes:  identity, safeguarding, safety, send, wellbeing" in text.out
    assert "hollybrook-2025-001" in text.out


def test_audiences_command_reports_a_bad_policy_with_exit_2(run_cli, examples: Path) -> None:
    add_policy(
        examples,
        "audiences:\n  custom:\n    - name: hub\n      title: X\n"
        "      schools: [hollybrook]\n      grants: [send]\n",
    )
    result = run_cli("--root", examples, "audiences")
    assert result.code == 2
    line = line_of(examples / "aprecords.yml", "name: hub")
    assert f"aprecords.yml:{line}:" in result.err
    assert "Traceback" not in result.err
