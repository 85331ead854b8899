"""Identifier rules at their edges: the LA-code range ends and the exact messages.

Written to kill the mutants of ``validate/rules/identifiers.py`` that the rule tests let
survive (README "Mutation testing"): 201 and 943 are inside the range, 200 and 944 outside,
and the message names the code, the range and the letters involved.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aprecords.findings import Finding
from aprecords.repository import load_repository
from aprecords.validate import validate
from conftest import PLACEMENT, SCHOOL, TODAY, replace_line

UPN_LINE = "upn: P207000016049"
LAESTAB_LINE = "laestab: '8881001'"


def check_letter(body: str) -> str:
    """DfE check letter for the 12 characters after it (from DOMAIN.md, not the code)."""
    letters = "ABCDEFGHJKLMNPQRTUVWXYZ"
    total = sum(
        weight * (int(ch) if ch.isdigit() else letters.index(ch))
        for weight, ch in enumerate(body, start=2)
    )
    return letters[total % 23]


def rule_findings(root: Path, rule: str) -> list[Finding]:
    return [f for f in validate(load_repository(root), date.fromisoformat(TODAY)) if f.rule == rule]


@pytest.mark.parametrize(("la", "outside"), [(200, True), (201, False), (943, False), (944, True)])
def test_upn_la_code_range_ends(repo: Path, la: int, outside: bool) -> None:
    body = f"{la}000016049"
    line = replace_line(repo / PLACEMENT, UPN_LINE, f"upn: {check_letter(body)}{body}")
    found = rule_findings(repo, "upn-la-code")
    if not outside:
        assert found == []
        return
    assert [(f.path, f.line, f.severity, f.message) for f in found] == [
        (
            PLACEMENT,
            line,
            "warning",
            f"the UPN's local-authority code {la} is outside the usual range 201-943; "
            "check it is right",
        )
    ]


@pytest.mark.parametrize(("la", "outside"), [(200, True), (201, False), (943, False), (944, True)])
def test_laestab_la_code_range_ends(repo: Path, la: int, outside: bool) -> None:
    line = replace_line(repo / SCHOOL, LAESTAB_LINE, f'laestab: "{la}1001"')
    found = rule_findings(repo, "laestab-la-code")
    if not outside:
        assert found == []
        return
    assert [(f.path, f.line, f.severity, f.message) for f in found] == [
        (
            SCHOOL,
            line,
            "warning",
            f"the LAESTAB's local-authority code {la} is outside the usual range 201-943; "
            "check it is right",
        )
    ]


def test_laestab_with_slash_reports_the_three_digit_code(repo: Path) -> None:
    replace_line(repo / SCHOOL, LAESTAB_LINE, 'laestab: "100/1001"')
    [found] = rule_findings(repo, "laestab-la-code")
    assert "local-authority code 100 is outside" in found.message


def test_wrong_check_letter_message_names_both_letters(repo: Path) -> None:
    body = "207000016049"
    right = check_letter(body)
    wrong = "A" if right != "A" else "B"
    line = replace_line(repo / PLACEMENT, UPN_LINE, f"upn: {wrong}{body}")
    found = rule_findings(repo, "upn-check-letter")
    assert [(f.path, f.line, f.severity, f.message) for f in found] == [
        (
            PLACEMENT,
            line,
            "error",
            f"the UPN {wrong}{body} fails its check: the check letter should be {right}, "
            f"not {wrong}; copy the UPN again from the MIS",
        )
    ]


def test_temporary_upn_ending_in_a_letter_is_checked(repo: Path) -> None:
    """A temporary UPN ends in a letter, which counts by its place in the check alphabet."""
    body = "20700001604Z"
    replace_line(repo / PLACEMENT, UPN_LINE, f"upn: {check_letter(body)}{body}")
    assert rule_findings(repo, "upn-check-letter") == []
    wrong = "A" if check_letter(body) != "A" else "B"
    replace_line(repo / PLACEMENT, "upn:", f"upn: {wrong}{body}")
    assert len(rule_findings(repo, "upn-check-letter")) == 1
