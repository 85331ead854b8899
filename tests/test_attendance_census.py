"""``aprecords export census``: school-arranged placements of a term as CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from aprecords.attendance.census import COLUMNS, term_dates, term_of
from conftest import PLACEMENT, replace_line


def rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


def test_autumn_row_has_the_census_fields(repo: Path, run_cli) -> None:
    result = run_cli("--root", repo, "export", "census", "--term", "autumn", "--year", "2025")
    assert result.code == 0, result.err
    assert rows(result.out) == [
        {
            "school_urn": "199901",
            "school_laestab": "8881001",
            "record_id": "hollybrook-2025-001",
            "upn": "P207000016049",
            "provider_urn": "199950",
            "provider_ukprn": "10099901",
            "setting_type": "independent-school",
            "reason": "engagement",
            "hours_per_week": "9",
            "attendance_pattern": "part-time",
            "start_date": "2025-09-16",
            "end_date": "",
        }
    ]


def test_only_placements_active_in_the_term(repo: Path, run_cli) -> None:
    result = run_cli("--root", repo, "export", "census", "--term", "summer", "--year", "2025")
    assert rows(result.out) == []
    replace_line(
        repo / PLACEMENT,
        "actual_start:",
        "actual_start: 2025-09-16\nended:\n  date: 2025-12-19\n  reason: Finished.",
    )
    spring = run_cli("--root", repo, "export", "census", "--term", "spring", "--year", "2026")
    assert rows(spring.out) == []
    autumn = run_cli("--root", repo, "export", "census", "--term", "autumn", "--year", "2025")
    assert [r["end_date"] for r in rows(autumn.out)] == ["2025-12-19"]


def test_current_term_comes_from_today(repo: Path, run_cli) -> None:
    result = run_cli("--root", repo, "export", "census", "--today", "2026-01-10")
    assert [r["record_id"] for r in rows(result.out)] == ["hollybrook-2025-001"]
    assert term_of(date(2026, 1, 10)) == ("spring", 2026)


def test_full_time_is_more_than_the_configured_hours(repo: Path, run_cli) -> None:
    args = ("--root", repo, "export", "census", "--term", "autumn", "--year", "2025")
    replace_line(repo / PLACEMENT, "hours_per_week:", "hours_per_week: 18")
    assert rows(run_cli(*args).out)[0]["attendance_pattern"] == "part-time"
    replace_line(repo / PLACEMENT, "hours_per_week:", "hours_per_week: 18.5")
    assert rows(run_cli(*args).out)[0]["attendance_pattern"] == "full-time"
    config = repo / "aprecords.yml"
    config.write_text(
        config.read_text("utf-8").replace("full_time_hours: 18", "full_time_hours: 20")
    )
    assert rows(run_cli(*args).out)[0]["attendance_pattern"] == "part-time"


def test_local_authority_placements_are_left_out(repo: Path, run_cli) -> None:
    replace_line(repo / PLACEMENT, "arranged_by:", "arranged_by: local-authority")
    result = run_cli("--root", repo, "export", "census", "--term", "autumn", "--year", "2025")
    assert rows(result.out) == []


def test_missing_upn_is_warned_about(repo: Path, run_cli) -> None:
    replace_line(repo / PLACEMENT, "upn:", "year_group: 10")
    text = (repo / PLACEMENT).read_text("utf-8").replace("  year_group: 10\n", "", 1)
    (repo / PLACEMENT).write_text(text, "utf-8")
    result = run_cli("--root", repo, "export", "census", "--term", "autumn", "--year", "2025")
    assert rows(result.out)[0]["upn"] == ""
    assert "no UPN" in result.err


def test_out_is_written_once_and_never_overwritten(repo: Path, tmp_path: Path, run_cli) -> None:
    out = tmp_path / "census.csv"
    args = ("--root", repo, "export", "census", "--term", "autumn", "--year", "2025", "--out", out)
    first = run_cli(*args)
    assert first.code == 0 and first.out == ""
    text = out.read_text("utf-8")
    assert len(rows(text)) == 1
    out.write_text("kept", "utf-8")
    second = run_cli(*args)
    assert second.code == 2 and "exists" in second.err
    assert out.read_text("utf-8") == "kept"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_usage_errors(repo: Path, run_cli) -> None:
    assert run_cli("--root", repo, "export", "census", "--term", "autumn").code == 2
    result = run_cli("--root", repo, "export", "census", "--school", "nowhere")
    assert result.code == 2 and "no such school" in result.err


def test_term_dates() -> None:
    assert term_dates("autumn", 2025) == (date(2025, 9, 1), date(2025, 12, 31))
    assert term_dates("spring", 2026) == (date(2026, 1, 1), date(2026, 3, 31))
    assert term_dates("summer", 2026) == (date(2026, 4, 1), date(2026, 8, 31))


def test_records_with_schema_errors_stop_the_export(repo: Path, run_cli) -> None:
    from conftest import delete_line

    delete_line(repo / PLACEMENT, "hours_per_week:")
    result = run_cli("--root", repo, "export", "census", "--term", "autumn", "--year", "2025")
    assert result.code == 1 and result.out == ""
    assert f"{PLACEMENT}:" in result.err and "before exporting" in result.err
