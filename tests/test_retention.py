"""`aprecords retention`: placement records past their retention period, oldest first."""

from __future__ import annotations

import json
from datetime import date

from aprecords.retention import add_years, deletable_from, is_deletable
from conftest import PLACEMENT, insert_after

FOLDER = "records/placements/hollybrook"


def _ended_copy(repo, number: int, ended: str) -> str:
    """A copy of the example placement, ended on ``ended``; returns its path."""
    rid = f"hollybrook-2025-{number:03d}"
    rel = f"{FOLDER}/{rid}.yaml"
    text = (repo / PLACEMENT).read_text("utf-8").replace("hollybrook-2025-001", rid)
    (repo / rel).write_text(text, "utf-8")
    insert_after(
        repo / rel, "reason: engagement", f"ended:\n  date: {ended}\n  reason: Moved away."
    )
    return rel


def test_nothing_listed_while_placements_continue(repo, run_cli):
    result = run_cli("--root", repo, "retention", "--today", "2040-01-01")
    assert result.code == 0 and "No placement record is past" in result.out
    result = run_cli("--root", repo, "retention", "--today", "2040-01-01", "--format", "json")
    assert json.loads(result.out)["records"] == []


def test_lists_expired_records_oldest_first_with_the_date_they_became_deletable(repo, run_cli):
    late = _ended_copy(repo, 2, "2019-03-01")
    early = _ended_copy(repo, 3, "2018-07-20")
    _ended_copy(repo, 4, "2020-01-01")  # exactly six years before --today: kept
    result = run_cli("--root", repo, "retention", "--today", "2026-01-01", "--format", "json")
    assert result.code == 0
    data = json.loads(result.out)
    assert data["retention_years"] == 6
    assert [(r["path"], r["deletable_from"]) for r in data["records"]] == [
        (early, "2024-07-21"),
        (late, "2025-03-02"),
    ]
    text = run_cli("--root", repo, "retention", "--today", "2026-01-01").out
    assert text.index(early) < text.index(late) and "2020-01-01" not in text
    assert "2 placement records past the retention period" in text


def test_retention_years_from_the_config(repo, run_cli):
    _ended_copy(repo, 2, "2018-07-20")
    config = repo / "aprecords.yml"
    config.write_text(config.read_text("utf-8").replace("retention_years: 6", "retention_years: 8"))
    data = json.loads(run_cli("--root", repo, "retention", "--today", "2026-01-01",
                              "--format", "json").out)  # fmt: skip
    assert data["records"] == [] and data["retention_years"] == 8


def test_dates():
    assert add_years(date(2024, 2, 29), 6) == date(2030, 2, 28)
    assert deletable_from({"ended": {"date": "2020-01-31"}}, 6) == date(2026, 2, 1)
    assert deletable_from({}, 6) is None and deletable_from({"ended": {"date": "soon"}}, 6) is None
    assert not is_deletable({"ended": {"date": "2020-01-31"}}, 6, date(2026, 1, 31))
    assert is_deletable({"ended": {"date": "2020-01-31"}}, 6, date(2026, 2, 1))
