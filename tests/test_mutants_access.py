"""Audiences compared whole, who sees which placement, and policy findings to the column.

Written to kill the mutants of ``access.py`` that ``test_access.py`` lets survive (README
"Mutation testing"): each audience's title and record sets, the hub seeing every placement,
and each policy finding's exact place, severity, rule and words.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aprecords.access import (
    CLASSES,
    Audience,
    audiences,
    checked_audiences,
    hub,
    policy_findings,
    select,
)
from aprecords.config import ConfigError
from aprecords.errors import UsageError
from aprecords.findings import Finding
from aprecords.repository import load_repository
from conftest import PROJECT, line_of, without_policy

ALL = frozenset(CLASSES)
SCHOOLS = "hollybrook, marsh-lane, st-aldric"
AUDIENCE_NAMES = (
    "hub, la, provider-brickworks, provider-fenwick-vale, provider-shear-brilliance, "
    "provider-torque-garage, school-hollybrook, school-marsh-lane, school-st-aldric"
)


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(PROJECT / "aprecords.yml", root / "aprecords.yml")
    without_policy(root / "aprecords.yml")
    for folder in ("schema", "records"):
        shutil.copytree(PROJECT / folder, root / folder)
    return root


def add_policy(root: Path, text: str) -> Path:
    config = root / "aprecords.yml"
    with config.open("a", encoding="utf-8") as f:
        f.write(text)
    return config


def custom(name: str = "la", extra: str = "      schools: [hollybrook]\n") -> str:
    return f"audiences:\n  custom:\n    - name: {name}\n      title: LA officer\n{extra}" + (
        "      grants: [send]\n"
    )


def test_every_audience_whole(examples: Path) -> None:
    add_policy(
        examples,
        custom(extra="      schools: [marsh-lane]\n      providers: [brickworks, torque-garage]\n"),
    )
    no_safeguarding = ALL - {"safeguarding"}
    assert audiences(load_repository(examples)) == [
        Audience("hub", "J16", "hub", ALL),
        Audience(
            "school-hollybrook", "Hollybrook Academy", "school", ALL, frozenset({"hollybrook"})
        ),
        Audience(
            "school-marsh-lane",
            "Marsh Lane Community School",
            "school",
            ALL,
            frozenset({"marsh-lane"}),
        ),
        Audience(
            "school-st-aldric",
            "St Aldric's Catholic High School",
            "school",
            ALL,
            frozenset({"st-aldric"}),
        ),
        Audience(
            "provider-brickworks",
            "Brickworks Construction Skills",
            "provider",
            no_safeguarding,
            providers=frozenset({"brickworks"}),
        ),
        Audience(
            "provider-fenwick-vale",
            "Fenwick Vale Land-Based College",
            "provider",
            no_safeguarding,
            providers=frozenset({"fenwick-vale"}),
        ),
        Audience(
            "provider-shear-brilliance",
            "Shear Brilliance Hair & Beauty Studio",
            "provider",
            no_safeguarding,
            providers=frozenset({"shear-brilliance"}),
        ),
        Audience(
            "provider-torque-garage",
            "Torque Community Garage",
            "provider",
            no_safeguarding,
            providers=frozenset({"torque-garage"}),
        ),
        Audience(
            "la",
            "LA officer",
            "custom",
            frozenset({"send"}),
            frozenset({"marsh-lane"}),
            frozenset({"brickworks", "torque-garage"}),
        ),
    ]


def test_the_hub_is_named_by_the_config_or_the_hub() -> None:
    assert hub() == Audience("hub", "the hub", "hub", ALL)
    assert hub("J16").title == "J16"


def test_the_hub_sees_every_placement_and_others_only_theirs() -> None:
    placement = {"school": "hollybrook", "placements": [{"provider": "brickworks"}]}
    assert hub().sees_all
    assert hub().sees_placement({})
    assert hub().sees_placement(placement)
    school = Audience("school-hollybrook", "H", "school", ALL, frozenset({"hollybrook"}))
    other = Audience("school-marsh-lane", "M", "school", ALL, frozenset({"marsh-lane"}))
    provider = Audience(
        "provider-brickworks", "B", "provider", ALL, providers=frozenset({"brickworks"})
    )
    assert not school.sees_all and not provider.sees_all
    assert school.sees_placement(placement) and provider.sees_placement(placement)
    assert not other.sees_placement(placement)
    assert not provider.sees_placement({"school": "hollybrook", "placements": None})
    custom_kind = Audience("hub-like", "C", "custom", ALL)
    assert not custom_kind.sees_all and not custom_kind.sees_placement(placement)


def finding(line: int, column: int, message: str, pointer: str) -> Finding:
    return Finding("aprecords.yml", line, column, "error", message, "audience-policy", pointer)


def at(config: Path, text: str) -> tuple[int, int]:
    """1-based line and column where ``text`` first appears in ``config``."""
    line = line_of(config, text)
    return line, config.read_text("utf-8").splitlines()[line - 1].index(text) + 1


def test_a_name_kept_for_providers_is_an_error_at_the_name(examples: Path) -> None:
    config = add_policy(examples, custom("provider-future"))
    assert policy_findings(load_repository(examples)) == [
        finding(
            *at(config, "provider-future"),
            "'provider-future' looks like a school's or provider's own audience; names starting "
            "with 'school-' or 'provider-' are kept for them, choose another",
            "/audiences/custom/0/name",
        )
    ]


def test_unknown_ids_are_errors_at_each_list_item_with_the_known_ids(examples: Path) -> None:
    config = add_policy(
        examples,
        custom(
            extra="      schools: [hollybrook, atlantis]\n      providers:\n"
            "        - brickworks\n        - nowhere\n"
        ),
    )
    assert policy_findings(load_repository(examples)) == sorted(
        [
            finding(
                *at(config, "atlantis"),
                f"no school has the id 'atlantis' (records/schools/atlantis.yaml); known "
                f"schools: {SCHOOLS}",
                "/audiences/custom/0/schools/1",
            ),
            finding(
                *at(config, "nowhere"),
                "no provider has the id 'nowhere' (records/providers/nowhere.yaml); known "
                "providers: brickworks, fenwick-vale, shear-brilliance, torque-garage",
                "/audiences/custom/0/providers/1",
            ),
        ]
    )


def test_with_no_providers_registered_the_hint_says_none_yet(examples: Path) -> None:
    shutil.rmtree(examples / "records" / "providers")
    add_policy(examples, custom(extra="      providers: [brickworks]\n"))
    [found] = policy_findings(load_repository(examples))
    assert found.message == (
        "no provider has the id 'brickworks' (records/providers/brickworks.yaml); known "
        "providers: none yet"
    )


def test_an_audience_without_schools_or_providers_is_an_error_at_its_entry(
    examples: Path,
) -> None:
    config = add_policy(examples, custom(extra=""))
    assert policy_findings(load_repository(examples)) == [
        finding(
            *at(config, "name: la"),
            "the audience 'la' would see no placements: list its schools or providers",
            "/audiences/custom/0",
        )
    ]


def test_an_unknown_hosting_group_is_an_error_at_its_key(examples: Path) -> None:
    add_policy(examples, custom())
    config = add_policy(examples, "hosting:\n  mode: sso\n  groups:\n    nobody: g-2222\n")
    assert policy_findings(load_repository(examples)) == [
        finding(
            *at(config, "nobody: g-2222"),
            f"'nobody' is not an audience; use one of: {AUDIENCE_NAMES}",
            "/hosting/groups/nobody",
        )
    ]


def test_an_unreadable_policy_file_puts_findings_at_its_start(examples: Path) -> None:
    """The config changed on disk after loading: the findings still come, at line 1."""
    config = add_policy(examples, custom(extra=""))
    repo = load_repository(examples)
    config.write_bytes(b"\xff not UTF-8")
    assert policy_findings(repo) == [
        finding(
            1,
            1,
            "the audience 'la' would see no placements: list its schools or providers",
            "/audiences/custom/0",
        )
    ]


def test_checked_audiences_names_every_problem_on_its_own_line(examples: Path) -> None:
    config = add_policy(examples, custom("nginx", extra=""))
    line, column = at(config, "name: nginx")
    with pytest.raises(ConfigError) as raised:
        checked_audiences(load_repository(examples))
    assert str(raised.value) == (
        f"aprecords.yml:{line}:{column}: error: the audience 'nginx' would see no placements: "
        "list its schools or providers [audience-policy]\n"
        f"aprecords.yml:{line}:{column + 6}: error: 'nginx' is a folder the build uses itself; "
        "choose another name [audience-policy]"
    )


def test_unknown_audience_names_are_listed_together() -> None:
    found = [hub(), Audience("la", "LA officer", "custom", ALL, frozenset({"hollybrook"}))]
    with pytest.raises(UsageError) as raised:
        select(found, ["x", "la", "y"])
    assert str(raised.value) == "no audience called 'x', 'y'; the audiences are: hub, la"
    assert select(found, ["la", "hub", "la"]) == [found[1], found[0]]
