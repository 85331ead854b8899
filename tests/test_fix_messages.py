"""Messages about values name the fix: the closest choice, the right key, the ISO date."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import PLACEMENT, Result, replace_line


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("status: met", "status: Met", "is 'Met', which is not one of the choices: met, "
         "partly-met, not-met, on-track; did you mean 'met'?"),
        ("status: met", "status: on track", "did you mean 'on-track'?"),
        ("level: level-1", "level: Level 1", "did you mean 'level-1'?"),
        ("level: level-1", "level: levle-1", "did you mean 'level-1'?"),
        ("requested_start: 2025-09-08", "requested_start: 08/09/2025",
         "requested_start '08/09/2025': Write a real calendar date as YYYY-MM-DD, for example "
         "2025-09-08. Did you mean 2025-09-08?"),
        ("requested_start: 2025-09-08", "requested_start: 8/9/25", "Did you mean 2025-09-08?"),
        ("  ehcp: true", "  ehcp: True", "should be true or false, but is text; write true "
         "(in lower case, without quotes)"),
        ("  ehcp: true", "  ehcp: Yes", "write true (in lower case, without quotes)"),
        ("  looked_after: false", "  looked_after: No", "write false (in lower case"),
        ("- provider: brickworks", "- provider: Brickworks Construction Skills",
         "That is the name of provider 'brickworks': write brickworks."),
    ],
)  # fmt: skip
def test_the_message_names_the_fix(
    repo: Path, run_cli: Callable[..., Result], old: str, new: str, says: str
) -> None:
    line = replace_line(repo / PLACEMENT, old, new)
    result = run_cli("--root", repo, "validate", "--today", "2026-01-10")
    assert result.code == 1
    mine = [x for x in result.out.splitlines() if x.startswith(f"{PLACEMENT}:{line}:")]
    assert len(mine) == 1, result.out
    assert says in mine[0]


def test_a_misspelt_key_is_one_finding_at_its_own_line(
    repo: Path, run_cli: Callable[..., Result]
) -> None:
    line = replace_line(repo / PLACEMENT, "  ehcp: true", "  EHCP: true")
    result = run_cli("--root", repo, "validate", "--today", "2026-01-10")
    assert result.code == 1
    assert result.out.splitlines() == [
        f"{PLACEMENT}:{line}:3: error: 'EHCP' is not a field of student; did you mean 'ehcp'? "
        "check the spelling (fields here: name, upn, year_group, ehcp, looked_after) "
        "[schema-additionalProperties]"
    ]


def test_a_key_that_is_not_a_misspelling_still_leaves_the_field_missing(
    repo: Path, run_cli: Callable[..., Result]
) -> None:
    replace_line(repo / PLACEMENT, "  ehcp: true", "  plan_in_place: true")
    result = run_cli("--root", repo, "validate", "--today", "2026-01-10")
    assert "student is missing 'ehcp'" in result.out
    assert "'plan_in_place' is not a field of student" in result.out
