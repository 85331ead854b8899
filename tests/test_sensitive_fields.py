"""Sensitive text in the wrong field: warned, or refused when it copies a withheld text."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import PLACEMENT, Result, replace_line


def hits(result: Result, rule: str) -> list[str]:
    return [line for line in result.out.splitlines() if line.endswith(f"[{rule}]")]


@pytest.mark.parametrize(
    "text",
    [
        "Referral to children's social care; a child protection plan is in place.",
        "Mum says the POLICE visited at the weekend.",
        "Discussed at the MASH on Monday.",
        "LADO informed.",
        "A section  47 enquiry is open.",  # two spaces: whitespace does not hide a term
    ],
)
def test_safeguarding_words_in_a_visible_field_are_a_warning(
    repo: Path, run_cli: Callable[..., Result], text: str
) -> None:
    line = replace_line(repo / PLACEMENT, "  interventions:", f"interventions: {json.dumps(text)}")
    result = run_cli("--root", repo, "validate", "--today", "2026-01-10")
    found = hits(result, "safeguarding-term")
    assert result.code == 0 and len(found) == 1, result.out
    assert found[0].startswith(f"{PLACEMENT}:{line}:")
    assert "reviews[0].interventions" in found[0]


def test_the_same_words_in_a_safeguarding_field_are_fine(
    repo: Path, run_cli: Callable[..., Result]
) -> None:
    replace_line(
        repo / PLACEMENT,
        "information: Older sibling",
        "information: Older sibling on a child protection plan; police aware.",
    )
    result = run_cli("--root", repo, "validate", "--today", "2026-01-10")
    assert hits(result, "safeguarding-term") == []


def test_words_inside_other_words_are_not_terms(repo: Path, run_cli: Callable[..., Result]) -> None:
    replace_line(
        repo / PLACEMENT, "  interventions:", "interventions: Policeman role-play; Mashed."
    )
    result = run_cli("--root", repo, "validate", "--today", "2026-01-10")
    assert hits(result, "safeguarding-term") == []


def test_the_list_of_terms_is_configurable(repo: Path, run_cli: Callable[..., Result]) -> None:
    config = repo / "aprecords.yml"
    config.write_text(config.read_text("utf-8") + "safeguarding_terms: [Operation Encompass]\n")
    replace_line(repo / PLACEMENT, "  interventions:", "interventions: Police came; see the log.")
    assert (
        hits(run_cli("--root", repo, "validate", "--today", "2026-01-10"), "safeguarding-term")
        == []
    )
    replace_line(
        repo / PLACEMENT, "  interventions:", "interventions: An operation encompass call."
    )
    assert (
        len(hits(run_cli("--root", repo, "validate", "--today", "2026-01-10"), "safeguarding-term"))
        == 1
    )


def test_a_withheld_text_copied_into_a_visible_field_is_an_error(
    repo: Path, run_cli: Callable[..., Result]
) -> None:
    from aprecords.load import load_file

    secret = load_file(repo / PLACEMENT, PLACEMENT).data["agreements"]["safeguarding"][
        "information"
    ]
    line = replace_line(
        repo / PLACEMENT, "  interventions:", f"interventions: {json.dumps('Noted: ' + secret)}"
    )
    result = run_cli("--root", repo, "validate", "--today", "2026-01-10")
    found = hits(result, "withheld-text-copied")
    assert result.code == 1 and len(found) == 1
    assert found[0].startswith(f"{PLACEMENT}:{line}:")
    assert "agreements.safeguarding.information" in found[0] and "'safeguarding'" in found[0]
    assert secret not in result.out  # the finding names the field, never repeats the text
