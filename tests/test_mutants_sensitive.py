"""Tests that kill mutants of ``aprecords.validate.rules.sensitive`` (README "Mutation
testing"): which class a field has, the copy thresholds, and the words of each finding."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from aprecords.validate.rules.sensitive import sensitivity
from conftest import PLACEMENT, Result, replace_line

TODAY = "2026-01-10"


def hits(result: Result, rule: str) -> list[str]:
    return [line for line in result.out.splitlines() if line.endswith(f"[{rule}]")]


def test_the_nearest_marked_ancestor_gives_the_class_at_any_depth() -> None:
    marks = {("x",): "send", ("a", "b"): "safety", ("r", "*", "s"): "safeguarding"}
    assert sensitivity(("x",), marks) == "send"
    assert sensitivity(("x", "y", "z"), marks) == "send"
    assert sensitivity(("a", "b", "c"), marks) == "safety"
    assert sensitivity(("a", "b", "c", "d"), marks) == "safety"
    assert sensitivity(("r", 3, "s"), marks) == "safeguarding"
    assert sensitivity(("r", 3, "t"), marks) is None and sensitivity(("a",), marks) is None


def test_a_reviews_safeguarding_text_is_withheld_and_its_copy_refused(
    repo: Path, run_cli: Callable[..., Result]
) -> None:
    note = "Disclosed a worry about home; the DSL has the details."
    replace_line(repo / PLACEMENT, "    safeguarding: None.", f"safeguarding: {json.dumps(note)}")
    line = replace_line(repo / PLACEMENT, "  interventions:", f"interventions: {json.dumps(note)}")
    result = run_cli("--root", repo, "validate", "--today", TODAY)
    (found,) = hits(result, "withheld-text-copied")
    assert found == (
        f"{PLACEMENT}:{line}:20: error: reviews[0].interventions repeats "
        "reviews[0].safeguarding word for word, which is kept from audiences without the "
        "'safeguarding' class; remove the copy (refer to the withheld field instead) "
        "[withheld-text-copied]"
    )


@pytest.mark.parametrize(
    ("text", "copied"),
    [
        ("Sees a counsellor.", True),  # 3 words, 18 characters
        ("Sees a counselor.", True),  # 3 words, exactly 16 characters once folded
        ("Sees counsellorx", False),  # 2 words
        ("Is on a list", False),  # 4 words, 12 characters
    ],
)
def test_a_withheld_text_is_checked_for_copies_from_three_words_and_sixteen_characters(
    repo: Path, run_cli: Callable[..., Result], text: str, copied: bool
) -> None:
    replace_line(repo / PLACEMENT, "    safeguarding: None.", f"safeguarding: {json.dumps(text)}")
    replace_line(repo / PLACEMENT, "  interventions:", f"interventions: {json.dumps(text)}")
    result = run_cli("--root", repo, "validate", "--today", TODAY)
    assert bool(hits(result, "withheld-text-copied")) is copied


def test_a_safeguarding_term_is_named_in_the_warning(repo: Path, run_cli) -> None:
    line = replace_line(repo / PLACEMENT, "  interventions:", 'interventions: "Ring the LA-DO."')
    result = run_cli("--root", repo, "validate", "--today", TODAY)
    assert hits(result, "safeguarding-term") == [
        f"{PLACEMENT}:{line}:20: warning: 'LADO' in reviews[0].interventions reads like "
        "safeguarding information, but this field is shown to every audience that sees the "
        "placement (providers too); move it to a safeguarding field (agreements.safeguarding, "
        "or the review's safeguarding), or reword it [safeguarding-term]"
    ]


def test_each_record_is_split_once_and_each_field_shape_classed_once_per_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The two rules share one split per record, and all records one class per field shape:
    the work is counted, so a cache that never hits (or is emptied per record) fails."""
    from datetime import date

    from aprecords import model
    from aprecords.repository import load_repository
    from aprecords.validate import run_rules
    from aprecords.validate.rules import RULES, sensitive

    root = Path(__file__).resolve().parents[1]
    repo = load_repository(root)
    placements = repo.of_kind("placement")
    assert len(placements) >= 3
    leaves, nearest = [], []
    real_leaves, real_nearest = model.string_leaves, sensitive._nearest

    def counted(data: object, trail: tuple = ()) -> object:
        if not trail:
            leaves.append(data)
        return real_leaves(data, trail)

    monkeypatch.setattr(sensitive.model, "string_leaves", counted)
    monkeypatch.setattr(
        sensitive, "_nearest", lambda path, marks: nearest.append(path) or real_nearest(path, marks)
    )
    chosen = [r for r in RULES if r.id in ("safeguarding-term", "withheld-text-copied")]
    assert len(chosen) == 2
    plain = run_rules(repo, date(2026, 1, 10), chosen)
    assert len(leaves) == len(placements)
    assert len(nearest) == len(set(nearest)) > 0
    shapes = {sensitive.schema_path(t) for r in placements for t, _ in real_leaves(r.data)}
    assert set(nearest) == shapes
    monkeypatch.undo()
    assert run_rules(repo, date(2026, 1, 10), chosen) == plain
