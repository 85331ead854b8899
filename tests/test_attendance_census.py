"""``aprecords export census``: the school-arranged placements a census counts, in the
DfE's shape, read back as a spreadsheet would (csv module), with expected values worked out
by hand from the example records (tests/conftest.py: hollybrook-2025-001 at brickworks)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from aprecords.attendance.censusdays import census_day, current, parse_year, window
from aprecords.validate.rules.identifiers import upn_check_letter
from conftest import PLACEMENT, PROVIDER, delete_line, insert_after, line_of, replace_line

AUTUMN = ("export", "census", "--term", "autumn", "--year", "2025/26")
SPRING = ("export", "census", "--term", "spring", "--year", "2025/26")


def rows(text: str) -> list[dict[str, str]]:
    """The CSV as a spreadsheet reads it: the first line names the columns."""
    return list(csv.DictReader(io.StringIO(text, newline="")))


def ids(run_cli, repo: Path, *args: str) -> list[str]:
    result = run_cli("--root", repo, *args)
    assert result.code == 0, result.err
    return [r["record_id"] for r in rows(result.out)]


def test_autumn_row_is_in_the_dfe_shape(repo: Path, run_cli) -> None:
    result = run_cli("--root", repo, *AUTUMN)
    assert result.code == 0, result.err
    # Worked out from the example: brickworks has a URN (199950) and a UKPRN; the URN alone
    # is given. reason engagement is the DfE's "other". Tuesday AM+PM and Thursday AM are
    # 3 sessions; 9 hours is not more than 18, so part-time.
    assert rows(result.out) == [
        {
            "school_urn": "199901",
            "school_laestab": "8881001",
            "record_id": "hollybrook-2025-001",
            "pupil_name": "Tobias Wrenfeather",
            "upn": "P207000016049",
            "provider_name": "Brickworks Construction Skills",
            "ap_urn": "199950",
            "ap_ukprn": "",
            "ap_setting_type": "",
            "reason_code": "OTH",
            "reason": "Other",
            "entry_date": "2025-09-16",
            "leaving_date": "",
            "attendance_pattern": "PT",
            "sessions_per_week": "3",
            "hours_per_week": "9",
        }
    ]
    assert "census day 2025-10-02" in result.err and "ended since 2025-05-16" in result.err
    same = run_cli("--root", repo, "export", "census", "--term", "autumn", "--year", "2025")
    assert same.out == result.out


def test_census_days_follow_the_dfe_rule() -> None:
    # 2025/26 as published (East Sussex and Norfolk census pages): 2 Oct, 15 Jan, 21 May.
    assert census_day("autumn", 2025) == date(2025, 10, 2)
    assert census_day("spring", 2025) == date(2026, 1, 15)
    assert census_day("summer", 2025) == date(2026, 5, 21)
    # 2026/27 by the rule: 1 Oct 2026 is a Thursday; Thursdays of January 2027 are the 7th,
    # 14th and 21st; of May 2027 the 6th, 13th and 20th.
    assert census_day("autumn", 2026) == date(2026, 10, 1)
    assert census_day("spring", 2026) == date(2027, 1, 21)
    assert census_day("summer", 2026) == date(2027, 5, 20)
    # 2024/25 as published: 3 Oct 2024, 16 Jan 2025, 15 May 2025.
    assert [census_day(t, 2024) for t in ("autumn", "spring", "summer")] == [
        date(2024, 10, 3),
        date(2025, 1, 16),
        date(2025, 5, 15),
    ]
    assert window("spring", 2025) == (date(2025, 10, 3), date(2026, 1, 15))
    assert window("autumn", 2025) == (date(2025, 5, 16), date(2025, 10, 2))


def test_the_year_is_read_as_a_school_year() -> None:
    assert parse_year("2025/26", "spring") == 2025
    assert parse_year("2026", "spring") == 2025
    assert parse_year("2025", "autumn") == 2025
    for bad in ("2025/27", "25/26", "2025-26", "next"):
        with pytest.raises(ValueError):
            parse_year(bad, "autumn")


def test_spring_counts_a_placement_ended_since_the_autumn_census(repo: Path, run_cli) -> None:
    ended = "actual_start: 2025-09-16\nended:\n  date: 2025-11-21\n  reason: Finished."
    replace_line(repo / PLACEMENT, "actual_start:", ended)
    assert ids(run_cli, repo, *SPRING) == ["hollybrook-2025-001"]
    replace_line(repo / PLACEMENT, "  date: 2025-11-21", "  date: 2025-10-03")
    assert ids(run_cli, repo, *SPRING) == ["hollybrook-2025-001"]  # the window's first day
    replace_line(repo / PLACEMENT, "  date: 2025-10-03", "  date: 2025-10-02")
    assert ids(run_cli, repo, *SPRING) == []  # ended on the autumn census day: counted then
    assert ids(run_cli, repo, *AUTUMN) == ["hollybrook-2025-001"]
    result = run_cli("--root", repo, *AUTUMN)
    assert rows(result.out)[0]["leaving_date"] == "2025-10-02"


def test_autumn_leaves_out_a_placement_starting_after_census_day(repo: Path, run_cli) -> None:
    replace_line(repo / PLACEMENT, "actual_start:", "actual_start: 2025-12-01")
    assert ids(run_cli, repo, *AUTUMN) == []
    assert ids(run_cli, repo, *SPRING) == ["hollybrook-2025-001"]
    replace_line(repo / PLACEMENT, "actual_start:", "actual_start: 2025-10-02")
    assert ids(run_cli, repo, *AUTUMN) == ["hollybrook-2025-001"]  # open on census day


def test_census_days_can_be_set_in_the_config(repo: Path, run_cli) -> None:
    replace_line(repo / PLACEMENT, "actual_start:", "actual_start: 2025-10-06")
    assert ids(run_cli, repo, *AUTUMN) == []
    config = repo / "aprecords.yml"
    config.write_text(
        config.read_text("utf-8") + "census:\n  days:\n    2025/26: {autumn: 2025-10-09}\n",
        "utf-8",
    )
    assert ids(run_cli, repo, *AUTUMN) == ["hollybrook-2025-001"]
    assert "census day 2025-10-09" in run_cli("--root", repo, *AUTUMN).err


def test_next_census_comes_from_today(repo: Path, run_cli) -> None:
    result = run_cli("--root", repo, "export", "census", "--today", "2026-01-10")
    assert "spring census 2025/26" in result.err
    assert [r["record_id"] for r in rows(result.out)] == ["hollybrook-2025-001"]
    assert current(date(2026, 1, 15)) == ("spring", 2025)
    assert current(date(2026, 1, 16)) == ("summer", 2025)
    assert current(date(2026, 5, 22)) == ("autumn", 2026)


def test_urn_else_ukprn_else_setting_type(repo: Path, run_cli) -> None:
    def ap() -> tuple[str, str, str]:
        row = rows(run_cli("--root", repo, *AUTUMN).out)[0]
        return row["ap_urn"], row["ap_ukprn"], row["ap_setting_type"]

    assert ap() == ("199950", "", "")
    replace_line(repo / PROVIDER, "status: registered", "status: unregistered")
    delete_line(repo / PROVIDER, "urn: '199950'")
    assert ap() == ("", "10099901", "")
    delete_line(repo / PROVIDER, "ukprn:")
    replace_line(repo / PROVIDER, "setting_type:", "setting_type: one-to-one-tuition")
    assert ap() == ("", "", "OOT")
    replace_line(repo / PROVIDER, "setting_type:", "setting_type: independent-school")
    result = run_cli("--root", repo, *AUTUMN)
    assert rows(result.out)[0]["ap_setting_type"] == ""
    line = line_of(repo / PROVIDER, "setting_type:")
    assert f"{PROVIDER}:{line}:15: warning: no URN, no UKPRN" in result.err
    assert "[census-ap-identity]" in result.err


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("mental-health", "MHN"),
        ("physical-health", "PHN"),
        ("behaviour", "BEH"),
        ("vocational", "OTH"),
    ],
)
def test_reasons_are_given_as_dfe_codes(repo: Path, run_cli, reason: str, code: str) -> None:
    replace_line(repo / PLACEMENT, "reason: engagement", f"reason: {reason}")
    assert rows(run_cli("--root", repo, *AUTUMN).out)[0]["reason_code"] == code


def test_named_in_ehc_plan_must_agree_with_the_pupil(repo: Path, run_cli) -> None:
    line = replace_line(repo / PLACEMENT, "reason: engagement", "reason: named-in-ehc-plan")
    result = run_cli("--root", repo, *AUTUMN)
    assert rows(result.out)[0]["reason_code"] == "EHC"
    assert "census-ehc-plan" not in result.err  # the example pupil has an EHC plan
    replace_line(repo / PLACEMENT, "ehcp: true", "ehcp: false")
    result = run_cli("--root", repo, *AUTUMN)
    assert result.code == 0
    assert f"{PLACEMENT}:{line}:9: warning: the reason is named-in-ehc-plan" in result.err


def test_a_missing_reason_is_located(repo: Path, run_cli) -> None:
    delete_line(repo / PLACEMENT, "reason: engagement")
    result = run_cli("--root", repo, *AUTUMN)
    assert rows(result.out)[0]["reason_code"] == ""
    assert f"{PLACEMENT}:1:1: warning: no reason" in result.err


def test_upn_check_letter() -> None:
    # P207000016049: digits 2,0,7,0,0,0,0,1,6,0,4,9 weighted 2..13 sum to
    # 4+28+9+60+48+117 = 266; 266 mod 23 = 13, the 14th letter without I, O, S: P.
    assert upn_check_letter("P207000016049") == "P"


def test_upns_the_mis_rejects_are_located(repo: Path, run_cli) -> None:
    line = replace_line(repo / PLACEMENT, "upn:", "  upn: Q207000016049")
    result = run_cli("--root", repo, *AUTUMN)
    assert f"{PLACEMENT}:{line}:8: warning: the UPN Q207000016049 fails its check" in result.err
    delete_line(repo / PLACEMENT, "upn:")
    result = run_cli("--root", repo, *AUTUMN)
    assert rows(result.out)[0]["upn"] == ""
    assert f"{PLACEMENT}:3:1: warning: no UPN" in result.err


def test_full_time_is_more_than_the_configured_hours(repo: Path, run_cli) -> None:
    def pattern() -> tuple[str, str]:
        row = rows(run_cli("--root", repo, *AUTUMN).out)[0]
        return row["attendance_pattern"], row["sessions_per_week"]

    replace_line(repo / PLACEMENT, "hours_per_week:", "hours_per_week: 18")
    assert pattern() == ("PT", "3")
    replace_line(repo / PLACEMENT, "hours_per_week:", "hours_per_week: 18.5")
    assert pattern() == ("FT", "")
    config = repo / "aprecords.yml"
    config.write_text(
        config.read_text("utf-8").replace("full_time_hours: 18", "full_time_hours: 20")
    )
    assert pattern() == ("PT", "3")


def test_full_time_beside_another_open_placement_is_located(repo: Path, run_cli) -> None:
    lines = (repo / PLACEMENT).read_text("utf-8").splitlines(keepends=True)
    first = line_of(repo / PLACEMENT, "  - provider:")
    last = line_of(repo / PLACEMENT, "level_flexibility:")
    second = "".join(lines[first - 1 : last]).replace("hours_per_week: 9", "hours_per_week: 3")
    line = replace_line(repo / PLACEMENT, "hours_per_week:", "hours_per_week: 20")
    insert_after(repo / PLACEMENT, "level_flexibility:", second)
    result = run_cli("--root", repo, *AUTUMN)
    assert result.code == 0, result.err
    assert [r["attendance_pattern"] for r in rows(result.out)] == ["FT", "PT"]
    assert f"{PLACEMENT}:{line}:21: warning: full-time at Brickworks" in result.err


def test_local_authority_placements_are_left_out(repo: Path, run_cli) -> None:
    replace_line(repo / PLACEMENT, "arranged_by:", "arranged_by: local-authority")
    assert ids(run_cli, repo, *AUTUMN) == []


def test_out_is_written_once_and_never_overwritten(repo: Path, tmp_path: Path, run_cli) -> None:
    out = tmp_path / "census.csv"
    first = run_cli("--root", repo, *AUTUMN, "--out", out)
    assert first.code == 0 and first.out == ""
    assert len(rows(out.read_text("utf-8"))) == 1
    out.write_text("kept", "utf-8")
    second = run_cli("--root", repo, *AUTUMN, "--out", out)
    assert second.code == 2 and "exists" in second.err
    assert out.read_text("utf-8") == "kept"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_usage_errors(repo: Path, run_cli) -> None:
    assert run_cli("--root", repo, "export", "census", "--term", "autumn").code == 2
    result = run_cli("--root", repo, "export", "census", "--school", "nowhere")
    assert result.code == 2 and "no such school" in result.err
    bad = run_cli("--root", repo, "export", "census", "--term", "autumn", "--year", "2025/27")
    assert bad.code == 2 and "must follow each other" in bad.err and "Traceback" not in bad.err


def test_records_with_schema_errors_stop_the_export(repo: Path, run_cli) -> None:
    delete_line(repo / PLACEMENT, "hours_per_week:")
    result = run_cli("--root", repo, *AUTUMN)
    assert result.code == 1 and result.out == ""
    assert f"{PLACEMENT}:" in result.err and "before exporting" in result.err
