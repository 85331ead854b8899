"""Planned ends and the configurable time limit (off by default): a placement past its agreed
last day, or past the limit without a review deciding it continues, is a warning at the date
to settle. The example placement started on 2025-09-16; its review of 2025-12-09 is the last."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from aprecords.repository import load_repository
from aprecords.validate import validate
from conftest import PLACEMENT, insert_after, line_of, replace_line

RULES = ("planned-end-passed", "time-limit-passed")


def hits(repo: Path, today: str = "2026-01-10") -> list[tuple[str, int, str]]:
    found = validate(load_repository(repo), date.fromisoformat(today))
    return [(f.rule, f.line, f.message) for f in found if f.rule in RULES]


def continue_until(repo: Path, day: str) -> int:
    return insert_after(
        repo / PLACEMENT, "interventions: None needed", f"    continue_until: {day}"
    )


def test_nothing_without_a_planned_end_or_a_limit(repo: Path) -> None:
    assert hits(repo) == []


def test_a_passed_planned_end_is_located(repo: Path) -> None:
    line = insert_after(repo / PLACEMENT, "requested_start:", "planned_end: 2025-12-19")
    assert hits(repo, "2025-12-19") == []  # the last day itself
    ((rule, at, message),) = hits(repo)
    assert (rule, at) == ("planned-end-passed", line)
    assert "agreed to end on 2025-12-19" in message


def test_a_review_deciding_to_continue_settles_it(repo: Path) -> None:
    insert_after(repo / PLACEMENT, "requested_start:", "planned_end: 2025-12-19")
    line = continue_until(repo, "2026-03-27")
    assert hits(repo) == []
    ((rule, at, _message),) = hits(repo, "2026-03-30")
    assert (rule, at) == ("planned-end-passed", line)


def test_an_ended_placement_is_not_asked_about(repo: Path) -> None:
    insert_after(repo / PLACEMENT, "requested_start:", "planned_end: 2025-12-19")
    ended = "actual_start: 2025-09-16\nended:\n  date: 2025-12-19\n  reason: Finished."
    replace_line(repo / PLACEMENT, "actual_start:", ended)
    assert hits(repo) == []


def test_the_time_limit_is_off_until_set(repo: Path) -> None:
    config = repo / "aprecords.yml"
    config.write_text(config.read_text("utf-8") + "time_limit_weeks: 12\n", "utf-8")
    # 16 September 2025 + 12 weeks = 9 December 2025.
    assert hits(repo, "2025-12-09") == []
    ((rule, at, message),) = hits(repo, "2025-12-10")
    assert (rule, at) == ("time-limit-passed", line_of(repo / PLACEMENT, "actual_start:"))
    assert "passed on 2025-12-09" in message
    continue_until(repo, "2026-02-13")
    assert hits(repo) == []
    assert [r for r, *_ in hits(repo, "2026-02-16")] == ["planned-end-passed"]
