"""`aprecords validate`: exit codes, the three report formats, PATH arguments, root discovery."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import (
    PLACEMENT,
    PROJECT,
    PROVIDER,
    SCHOOL,
    TODAY,
    line_of,
    make_repo,
    replace_line,
    run_module,
)

TEXT_LINE = re.compile(
    r"^(?P<path>[^:\n]+):(?P<line>[0-9]+):(?P<column>[0-9]+): (?P<severity>error|warning): "
    r"(?P<message>.+) \[(?P<rule>[A-Za-z0-9-]+)\]$"
)
GITHUB_LINE = re.compile(
    r"^::(?P<severity>error|warning) file=(?P<file>[^,:\n]+),line=(?P<line>[0-9]+),"
    r"col=(?P<col>[0-9]+),title=(?P<title>[^,:\n]+)::(?P<message>[^\r\n]+)$"
)
FINDING_KEYS = {"path", "line", "column", "pointer", "rule", "severity", "message"}


def validate(run_cli, root: Path, *args: str, today: str = TODAY):
    return run_cli("--root", root, "validate", "--today", today, *args)


def break_upn(root: Path) -> int:
    """One error: a wrong UPN check letter. Returns its line."""
    return replace_line(root / PLACEMENT, "upn: P207000016049", "upn: Q207000016049")


# --- exit codes -------------------------------------------------------------------------------


def test_valid_repository_exits_0_with_a_summary(repo: Path, run_cli) -> None:
    result = validate(run_cli, repo)
    assert result.code == 0
    assert result.out == ""
    assert "4 records checked: 0 errors, 0 warnings" in result.err


def test_warnings_alone_exit_0(repo: Path, run_cli) -> None:
    result = validate(run_cli, repo, today="2026-03-18")
    assert result.code == 0
    assert "warning:" in result.out and "[review-overdue]" in result.out
    # review-overdue, and attendance-return-missing: the register ends w/c 5 Jan 2026.
    assert "0 errors, 2 warnings;" in result.err


def test_errors_exit_1(repo: Path, run_cli) -> None:
    line = break_upn(repo)
    result = validate(run_cli, repo)
    assert result.code == 1
    assert result.out.strip() == (
        f"{PLACEMENT}:{line}:8: error: the UPN Q207000016049 fails its check: the check letter "
        "should be P, not Q; copy the UPN again from the MIS [upn-check-letter]"
    )
    assert "1 error," in result.err and "fix the errors" in result.err


def test_unreadable_record_exits_1_not_2(repo: Path, run_cli) -> None:
    (repo / PLACEMENT).write_bytes(b"id: x\nname: \xff\n")
    result = validate(run_cli, repo)
    assert result.code == 1
    assert result.out.startswith(f"{PLACEMENT}:2:7: error: the file is not UTF-8")


@pytest.mark.parametrize("today", ["2026-13-01", "yesterday", "10/01/2026", ""])
def test_bad_today_is_a_usage_error(repo: Path, run_cli, today: str) -> None:
    result = run_cli("--root", repo, "validate", "--today", today)
    assert result.code == 2
    assert "--today" in result.err and "YYYY-MM-DD" in result.err
    assert "Traceback" not in result.err


def test_unknown_format_is_a_usage_error(repo: Path, run_cli) -> None:
    result = run_cli("--root", repo, "validate", "--format", "xml")
    assert result.code == 2 and "invalid choice" in result.err


def test_no_aprecords_yml_above_the_working_folder(
    tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("validate")
    assert result.code == 2
    assert "no aprecords.yml here or in any folder above" in result.err
    assert "--root" in result.err


def test_root_without_aprecords_yml(tmp_path: Path, run_cli) -> None:
    result = run_cli("--root", tmp_path, "validate")
    assert result.code == 2 and "no aprecords.yml there" in result.err


def test_nonexistent_path(repo: Path, run_cli) -> None:
    result = validate(run_cli, repo, str(repo / "records" / "nope.yaml"))
    assert result.code == 2
    assert "nope.yaml: no such file" in result.err


def test_path_outside_the_repository(repo: Path, tmp_path: Path, run_cli) -> None:
    """It cannot be checked as a record of this repository: saying 'valid' would be a lie."""
    outside = tmp_path / "elsewhere.yaml"
    shutil.copy(repo / PLACEMENT, outside)
    result = validate(run_cli, repo, str(outside))
    assert result.code == 2
    assert "outside" in result.err and "elsewhere.yaml" in result.err


def test_invalid_aprecords_yml_names_line_and_field(repo: Path, run_cli) -> None:
    line = replace_line(repo / "aprecords.yml", "max_interval_weeks: 16", "max_interval_wekes: 16")
    result = validate(run_cli, repo)
    assert result.code == 2
    assert f"aprecords.yml:{line}:3: error: 'max_interval_wekes' is not a field" in result.err
    assert "did you mean 'max_interval_weeks'?" in result.err


def test_unparsable_aprecords_yml(repo: Path, run_cli) -> None:
    (repo / "aprecords.yml").write_text("organisation:\n  hub: J16\n  hub: J17\n", "utf-8")
    result = validate(run_cli, repo)
    assert result.code == 2
    assert "aprecords.yml:3:3: error: the key 'hub' appears twice" in result.err


def test_missing_schema_folder(repo: Path, run_cli) -> None:
    shutil.rmtree(repo / "schema")
    result = validate(run_cli, repo)
    assert result.code == 2 and "no schema folder" in result.err


def test_broken_schema_file(repo: Path, run_cli) -> None:
    (repo / "schema" / "school.schema.json").write_text("{not json", "utf-8")
    result = validate(run_cli, repo)
    assert result.code == 2 and "school.schema.json" in result.err
    assert "Traceback" not in result.err


# --- formats ----------------------------------------------------------------------------------


def several_problems(root: Path) -> None:
    """A schema error, a rule error and a warning in three files; one message holds a line
    break, a comma and a percent sign."""
    replace_line(root / PLACEMENT, "status: met", 'status: "met,\\nnot really 100%"')
    replace_line(root / PROVIDER, "name: Brickworks", "name: FILL IN the provider's name")
    replace_line(root / SCHOOL, "laestab: '8881001'", 'laestab: "1001001"')


def test_text_format_is_one_compiler_style_line_per_finding(repo: Path, run_cli) -> None:
    several_problems(repo)
    result = validate(run_cli, repo)
    assert result.code == 1
    lines = result.out.splitlines()
    assert len(lines) == 3, result.out
    parsed = [TEXT_LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert [(m["path"], m["severity"], m["rule"]) for m in parsed] == [
        (PLACEMENT, "error", "schema-enum"),
        (PROVIDER, "error", "placeholder-filled"),
        (SCHOOL, "warning", "laestab-la-code"),
    ]
    assert parsed[0]["line"] == str(line_of(repo / PLACEMENT, 'status: "met,'))
    assert "met,\\nnot really 100%" in parsed[0]["message"]


def test_json_format_follows_the_contract(repo: Path, run_cli) -> None:
    several_problems(repo)
    result = validate(run_cli, repo, "--format", "json")
    assert result.code == 1
    report = json.loads(result.out)
    assert set(report) == {"ok", "records", "findings"}
    assert report["ok"] is False and report["records"] == 4
    assert len(report["findings"]) == 3
    for finding in report["findings"]:
        assert set(finding) == FINDING_KEYS
        assert isinstance(finding["line"], int) and isinstance(finding["column"], int)
    enum = report["findings"][0]
    assert enum["pointer"] == "/reviews/0/progress/0/status"
    assert "met,\nnot really 100%" in enum["message"]  # JSON keeps the value as typed
    assert result.err == ""  # no summary mixed into machine output


def test_json_ok_with_warnings_only(repo: Path, run_cli) -> None:
    result = validate(run_cli, repo, "--format", "json", today="2026-03-18")
    report = json.loads(result.out)
    assert result.code == 0 and report["ok"] is True
    assert [f["severity"] for f in report["findings"]] == ["warning", "warning"]


def test_json_of_a_clean_repository(repo: Path, run_cli) -> None:
    result = validate(run_cli, repo, "--format", "json")
    assert json.loads(result.out) == {"ok": True, "records": 4, "findings": []}


def test_github_format_is_workflow_commands(repo: Path, run_cli) -> None:
    several_problems(repo)
    result = validate(run_cli, repo, "--format", "github")
    assert result.code == 1
    lines = result.out.splitlines()
    assert len(lines) == 3
    parsed = [GITHUB_LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert [(m["severity"], m["title"]) for m in parsed] == [
        ("error", "schema-enum"),
        ("error", "placeholder-filled"),
        ("warning", "laestab-la-code"),
    ]
    assert parsed[0]["file"] == PLACEMENT
    # data escaping: line break and percent sign; a comma is fine in the message
    assert "met,%0Anot really 100%25" in parsed[0]["message"]
    assert result.err == ""


def test_github_format_escapes_commas_and_colons_in_properties(repo: Path, run_cli) -> None:
    odd = repo / "records" / "placements" / "hollybrook" / "a,b:c.yaml"
    odd.write_text("id: x\n\tname: y\n", "utf-8")
    result = validate(run_cli, repo, "--format", "github")
    (line,) = result.out.splitlines()
    match = GITHUB_LINE.match(line)
    assert match, line
    assert match["file"] == "records/placements/hollybrook/a%2Cb%3Ac.yaml"
    assert (match["line"], match["col"], match["title"]) == ("2", "1", "tab-character")


LOADER_BAD_INPUTS = [
    ("duplicate key", b"id: a\nschool: b\nid: c\n", 3, 1, "duplicate-key"),
    ("tab", b"id: a\n\tschool: b\n", 2, 1, "tab-character"),
    ("not UTF-8", b"id: a\nname: Zo\xeb\n", 2, 9, "encoding"),
    ("anchor", b"id: a\nschool: &s b\n", 2, 9, "yaml-anchor"),
    ("tag", b"id: a\nschool: !!str b\n", 2, 9, "yaml-tag"),
    ("empty", b"", 1, 1, "empty-file"),
    ("comments only", b"# nothing\n", 1, 1, "empty-file"),
    ("top-level list", b"- id: a\n", 1, 1, "top-level-mapping"),
    ("two documents", b"id: a\n---\nid: b\n", 2, 1, "yaml-syntax"),
    ("syntax", b"id: a\nschool: [b\n", 3, 1, "yaml-syntax"),
]


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
@pytest.mark.parametrize(
    ("name", "raw", "line", "column", "rule"),
    LOADER_BAD_INPUTS,
    ids=[c[0] for c in LOADER_BAD_INPUTS],
)
def test_unreadable_record_in_every_format(
    repo: Path, run_cli, fmt: str, name: str, raw: bytes, line: int, column: int, rule: str
) -> None:
    (repo / PLACEMENT).write_bytes(raw)
    result = validate(run_cli, repo, "--format", fmt)
    assert result.code == 1, result.err
    if fmt == "json":
        (finding,) = json.loads(result.out)["findings"]
        assert (finding["path"], finding["line"], finding["column"], finding["rule"]) == (
            PLACEMENT,
            line,
            column,
            rule,
        )
    elif fmt == "github":
        assert result.out.startswith(
            f"::error file={PLACEMENT},line={line},col={column},title={rule}::"
        )
    else:
        match = TEXT_LINE.match(result.out.strip())
        assert match and (match["line"], match["column"], match["rule"]) == (
            str(line),
            str(column),
            rule,
        )


# --- PATH arguments ---------------------------------------------------------------------------


def duplicate_placement_in_second_school(root: Path) -> str:
    school = root / "records" / "schools" / "oakfield.yaml"
    shutil.copy(root / SCHOOL, school)
    replace_line(school, "id: hollybrook", "id: oakfield")
    copy = root / "records" / "placements" / "oakfield" / "hollybrook-2025-001.yaml"
    copy.parent.mkdir(parents=True)
    shutil.copy(root / PLACEMENT, copy)
    replace_line(copy, "school: hollybrook", "school: oakfield")
    return copy.relative_to(root).as_posix()


@pytest.mark.parametrize("given", ["first", "second"])
def test_path_restricts_the_report_but_repository_rules_apply(
    repo: Path, run_cli, given: str
) -> None:
    other = duplicate_placement_in_second_school(repo)
    rel = PLACEMENT if given == "first" else other
    replace_line(repo / SCHOOL, "laestab: '8881001'", 'laestab: "1001001"')  # not reported
    result = validate(run_cli, repo, "--format", "json", str(repo / rel))
    report = json.loads(result.out)
    assert result.code == 1
    assert report["records"] == 1
    assert [(f["path"], f["rule"], f["line"]) for f in report["findings"]] == [
        (rel, "unique-ids", line_of(repo / rel, "id: "))
    ]


def test_path_to_a_folder(repo: Path, run_cli) -> None:
    break_upn(repo)
    replace_line(repo / SCHOOL, "laestab: '8881001'", 'laestab: "1001001"')
    result = validate(run_cli, repo, "--format", "json", str(repo / "records" / "schools"))
    report = json.loads(result.out)
    assert result.code == 0  # the placement's error is outside the given folder
    assert report["records"] == 1
    assert [f["rule"] for f in report["findings"]] == ["laestab-la-code"]


def test_records_counts_only_record_files(repo: Path, run_cli) -> None:
    result = validate(run_cli, repo, str(repo / "aprecords.yml"), str(repo / SCHOOL))
    assert result.code == 0
    assert "1 records checked" in result.err


# --- running it -------------------------------------------------------------------------------


def test_python_dash_m_aprecords(repo: Path) -> None:
    break_upn(repo)
    result = run_module("validate", "--today", TODAY, cwd=repo)
    assert result.code == 1
    assert TEXT_LINE.match(result.out.strip())
    assert "[upn-check-letter]" in result.out
    assert "Traceback" not in result.err


def test_python_dash_m_usage_error(tmp_path: Path) -> None:
    result = run_module("validate", cwd=tmp_path)
    assert result.code == 2
    assert result.err.startswith("aprecords: no aprecords.yml")


def test_root_is_found_from_a_subfolder(repo: Path, run_cli, monkeypatch) -> None:
    break_upn(repo)
    monkeypatch.chdir(repo / "records" / "placements")
    result = run_cli("validate", "--today", TODAY)
    assert result.code == 1
    assert result.out.startswith(f"{PLACEMENT}:")  # paths stay relative to the root
    relative = run_cli("validate", "--today", TODAY, "hollybrook")  # PATH relative to here
    assert relative.code == 1 and relative.out == result.out
    schools = run_cli("validate", "--today", TODAY, "../schools")
    assert schools.code == 0 and schools.out == ""


def test_project_examples_validate(run_cli) -> None:
    result = run_cli("--root", PROJECT, "validate", "--today", TODAY, "--format", "json")
    assert result.code == 0, result.out + result.err
    assert json.loads(result.out)["records"] >= 3


def test_closed_output_pipe_is_not_a_traceback(tmp_path: Path) -> None:
    """`aprecords validate | head -1` with a long report: no BrokenPipeError trace."""
    root = make_repo(tmp_path / "repo")
    many = "".join("    - ''\n" for _ in range(3000))
    replace_line(root / PLACEMENT, "assessment:", "assessment:\n  other:\n" + many.rstrip("\n"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "aprecords", "validate", "--today", TODAY],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert b"error:" in first
    assert "Traceback" not in err and "BrokenPipeError" not in err
