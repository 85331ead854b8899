"""History rules compare values, not text (issue 13, item 2): a record re-laid out by the web
form, by ``aprecords fmt`` or by any YAML writer is no finding; a changed value still is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from aprecords.load import load_text
from conftest import PLACEMENT, TODAY, git
from test_fmt_node import stringify

MODELINE = "# yaml-language-server: $schema=../../../schema/placement.schema.json\n"


def base_data(repo: Path) -> dict:
    """The example placement with a whole-number percentage written 90.0 and a review text
    ending in a line break (``|``), as hand-written records had them."""
    data = load_text((repo / PLACEMENT).read_text("utf-8"), PLACEMENT).data
    first = data["reviews"][0]
    first["attendance"]["percentage"] = 90.0
    first["behaviour"] = "Good; one warning.\nSettled in well.\n"
    return data


def commit_base(repo: Path, text: str) -> None:
    (repo / PLACEMENT).write_text(text, "utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "records as hand-written")


def history(run_cli, repo: Path) -> list[dict]:
    result = run_cli(
        "--root", repo, "validate", "--base", "main", "--format", "json", "--today", TODAY
    )
    assert result.code in (0, 1), result.err
    return [f for f in json.loads(result.out)["findings"] if f["rule"] == "review-unchanged"]


def hand_written(data: dict) -> str:
    """Flow lists and mappings inside, a folded text, 90.0, a modeline and comments."""
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=60)
    text = text.replace("percentage: 90.0", "percentage: 90.0  # rounded")
    return MODELINE + "# Notes for the editor.\n" + text


def flow_everywhere(data: dict) -> str:
    return yaml.safe_dump(data, default_flow_style=True, sort_keys=True, width=50)


def wrapped_and_sorted(data: dict) -> str:
    """Keys in alphabetical order, long text wrapped over several lines."""
    return yaml.safe_dump(data, sort_keys=True, width=24, indent=4)


def web_form(data: dict) -> str:
    """What Sveltia CMS saves: its YAML package's output, text trimmed of final line breaks."""
    data = json.loads(json.dumps(data))
    first = data["reviews"][0]
    first["behaviour"] = first["behaviour"].rstrip("\n")  # `|` becomes `|-`
    [text] = stringify([{"data": data, "schema": None}])
    return text


@pytest.mark.parametrize("relayout", [flow_everywhere, wrapped_and_sorted, web_form])
def test_a_relayout_is_no_history_finding(repo: Path, run_cli, relayout) -> None:
    data = base_data(repo)
    commit_base(repo, hand_written(data))
    assert history(run_cli, repo) == []
    text = relayout(data)
    assert text != hand_written(data)
    (repo / PLACEMENT).write_text(text, "utf-8")
    assert load_text(text, PLACEMENT).data["reviews"][0]["attendance"]["percentage"] == 90
    assert history(run_cli, repo) == []


def test_aprecords_fmt_is_no_history_finding(repo: Path, run_cli) -> None:
    commit_base(repo, hand_written(base_data(repo)))
    assert run_cli("--root", repo, "fmt", repo / PLACEMENT).code == 0
    text = (repo / PLACEMENT).read_text("utf-8")
    assert "percentage: 90  # rounded\n" in text and "behaviour: |\n" in text
    assert history(run_cli, repo) == []


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("attendance", "percentage"), 90.5),
        (("attendance", "percentage"), "90"),
        (("behaviour",), "Good; one warning.\nSettled in well, mostly.\n"),
        (("behaviour",), "Good; one warning.\nSettled in well.\n "),
        (("attendance", "sessions_attended"), True),
    ],
)
@pytest.mark.parametrize("relayout", [flow_everywhere, web_form])
def test_a_changed_value_in_a_relayout_is_still_found(
    repo: Path, run_cli, relayout, where: tuple, value: object
) -> None:
    data = base_data(repo)
    commit_base(repo, hand_written(data))
    changed = json.loads(json.dumps(data))
    node = changed["reviews"][0]
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    (repo / PLACEMENT).write_text(relayout(changed), "utf-8")
    [hit] = history(run_cli, repo)
    assert f"{'.'.join(where)} of the review of" in hit["message"]
    assert "was changed" in hit["message"]


@pytest.mark.parametrize(
    ("a", "b", "loose", "equal"),
    [
        (90, 90.0, False, True),
        (0.1 + 0.2, 0.3, False, False),
        (True, 1, False, False),
        (False, 0.0, False, False),
        (1, "1", False, False),
        ("2025-09-08", "2025-09-08", False, True),
        ("text\n", "text", False, False),
        ("text\n", "text", True, True),
        ("text\n\n", "text", True, True),
        ("text \n", "text", True, False),
        ("\ntext", "text", True, False),
        ({"a": 1, "b": [1, 2.0]}, {"b": [1.0, 2], "a": 1.0}, False, True),
        ({"a": 1}, {"a": 1, "b": None}, False, False),
        ([1, 2], [2, 1], False, False),
        ([1], [1, 1], False, False),
        (None, "", False, False),
    ],
)
def test_values_are_compared_as_values(a: object, b: object, loose: bool, equal: bool) -> None:
    from aprecords.values import same

    assert same(a, b, final_breaks=loose) is equal
    assert same(b, a, final_breaks=loose) is equal
