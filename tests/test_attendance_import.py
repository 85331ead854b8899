"""``aprecords attendance import``: idempotent, all-or-nothing, problems located in the CSV."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aprecords.load import load_text
from aprecords.repository import load_repository
from aprecords.validate import validate
from conftest import PLACEMENT, REGISTER, TODAY, replace_line


@pytest.fixture
def repo(repo: Path) -> Path:
    """The small repository without its attendance register: imports here start from none."""
    (repo / REGISTER).unlink()
    (repo / REGISTER).parent.rmdir()
    return repo


HEADER = (
    "pupil,week_commencing,mon_am,mon_pm,tue_am,tue_pm,wed_am,wed_pm,thu_am,thu_pm,fri_am,fri_pm\n"
)
ID = "hollybrook-2025-001"
UPN = "P207000016049"
ATT = f"records/attendance/{ID}.yaml"
# hollybrook-2025-001: Tuesday AM and PM and Thursday AM, from Tuesday 2025-09-16.
WEEK1 = f"{ID},2025-09-15,,,/,\\,,,/,,,\n"
WEEK2 = f"{UPN},2025-09-22,,,I,I,,,/,,,\n"


def write_csv(tmp_path: Path, *rows: str, name: str = "marks.csv") -> Path:
    file = tmp_path / name
    file.write_text(HEADER + "".join(rows), "utf-8")
    return file


def flow(text: str) -> str:
    """The file's weeks as one line each, ``{week: ..., marks: [...]}``, to compare easily."""
    weeks = load_text(text, "x").data.get("weeks") or []
    return "".join(f"{{week: {w['week']}, marks: [{', '.join(w['marks'])}]}}\n" for w in weeks)


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    folder = root / "records/attendance"
    if not folder.exists():
        return {}
    return {f.name: (f.read_bytes(), f.stat().st_mtime_ns) for f in sorted(folder.iterdir())}


def test_import_creates_a_valid_file_by_record_id_and_upn(
    repo: Path, tmp_path: Path, run_cli
) -> None:
    result = run_cli("--root", repo, "attendance", "import", write_csv(tmp_path, WEEK1, WEEK2))
    assert result.code == 0, result.err
    assert "2 rows: 2 weeks added, 0 unchanged" in result.out
    text = (repo / ATT).read_text("utf-8")
    assert flow(text) == (
        "{week: 2025-09-15, marks: [-, -, /, \\, -, -, /, -, -, -]}\n"
        "{week: 2025-09-22, marks: [-, -, I, I, -, -, /, -, -, -]}\n"
    )
    assert run_cli("--root", repo, "fmt", "--check", repo / ATT).code == 0
    found = validate(load_repository(repo), date.fromisoformat(TODAY))
    # Two weeks imported; those from 29 Sep 2025 on are not received yet (test_returns.py).
    assert [f.rule for f in found] == ["attendance-return-missing"]


def test_reimporting_the_same_file_writes_nothing(repo: Path, tmp_path: Path, run_cli) -> None:
    csv = write_csv(tmp_path, WEEK1, WEEK2)
    assert run_cli("--root", repo, "attendance", "import", csv).code == 0
    before = snapshot(repo)
    result = run_cli("--root", repo, "attendance", "import", csv)
    assert result.code == 0
    assert "0 weeks added, 2 unchanged" in result.out and "no file changed" in result.out
    assert snapshot(repo) == before


def test_conflicting_mark_names_the_row_and_session(repo: Path, tmp_path: Path, run_cli) -> None:
    assert run_cli("--root", repo, "attendance", "import", write_csv(tmp_path, WEEK1)).code == 0
    before = snapshot(repo)
    changed = write_csv(tmp_path, WEEK2, WEEK1.replace(",/,\\,", ",/,N,"), name="again.csv")
    result = run_cli("--root", repo, "attendance", "import", changed)
    assert result.code == 1
    # Row 3 of the file (after the header and WEEK2), column 6 is tue_pm.
    assert f"{changed}:3:6: error: Tue PM of the week of 2025-09-15" in result.err
    assert "'\\' is already recorded" in result.err and "--replace" in result.err
    assert "nothing was written" in result.err
    assert snapshot(repo) == before  # WEEK2 was fine, but nothing is written on failure


def test_replace_rewrites_only_that_week_and_keeps_comments(
    repo: Path, tmp_path: Path, run_cli
) -> None:
    assert (
        run_cli("--root", repo, "attendance", "import", write_csv(tmp_path, WEEK1, WEEK2)).code == 0
    )
    file = repo / ATT
    text = file.read_text("utf-8")
    text = text.replace("weeks:\n", "weeks:\n  # checked by the attendance officer\n")
    file.write_text(text + "  # end of autumn term\n", "utf-8")
    changed = write_csv(tmp_path, WEEK1.replace(",/,\\,", ",/,N,"), name="fix.csv")
    result = run_cli("--root", repo, "attendance", "import", "--replace", changed)
    assert result.code == 0, result.err
    assert "1 replaced" in result.out
    new = file.read_text("utf-8")
    lines = text.split("\n")
    at = lines.index("      - \\")  # the first week's Tuesday PM, the only mark replaced
    lines[at] = "      - N"
    assert new == "\n".join(lines) + "  # end of autumn term\n"


def test_blank_sessions_may_be_filled_without_replace(repo: Path, tmp_path: Path, run_cli) -> None:
    partial = f"{ID},2025-09-15,,,/,\\,,,,,,\n"
    assert run_cli("--root", repo, "attendance", "import", write_csv(tmp_path, partial)).code == 0
    result = run_cli(
        "--root", repo, "attendance", "import", write_csv(tmp_path, WEEK1, name="b.csv")
    )
    assert result.code == 0, result.err
    assert "1 completed" in result.out
    assert "[-, -, /, \\, -, -, /, -, -, -]" in flow((repo / ATT).read_text("utf-8"))


def test_an_earlier_week_is_inserted_in_date_order(repo: Path, tmp_path: Path, run_cli) -> None:
    later = f"{ID},2025-09-29,,,/,\\,,,/,,,\n"
    assert (
        run_cli("--root", repo, "attendance", "import", write_csv(tmp_path, WEEK1, later)).code == 0
    )
    before = flow((repo / ATT).read_text("utf-8")).splitlines()
    assert (
        run_cli(
            "--root", repo, "attendance", "import", write_csv(tmp_path, WEEK2, name="b.csv")
        ).code
        == 0
    )
    after = flow((repo / ATT).read_text("utf-8")).splitlines()
    weeks = [line.split(",")[0].split()[-1] for line in after]
    assert weeks == ["2025-09-15", "2025-09-22", "2025-09-29"]
    assert [line for line in after if "2025-09-22" not in line] == before


def test_a_block_style_file_is_rewritten_canonically(repo: Path, tmp_path: Path, run_cli) -> None:
    file = repo / ATT
    file.parent.mkdir(parents=True)
    marks = "".join(f"      - '{m}'\n" for m in ["-", "-", "/", "\\", "-", "-", "/", "-", "-", "-"])
    file.write_text(
        f"# kept\nplacement: {ID}\nweeks:\n  - week: 2025-09-15\n    marks:\n{marks}", "utf-8"
    )
    assert run_cli("--root", repo, "attendance", "import", write_csv(tmp_path, WEEK2)).code == 0
    text = file.read_text("utf-8")
    assert text.startswith("# kept\nplacement: hollybrook-2025-001\nweeks:\n")
    assert flow(text).count("{week:") == 2
    assert run_cli("--root", repo, "fmt", "--check", file).code == 0
    found = validate(load_repository(repo), date.fromisoformat(TODAY))
    # Two weeks imported; those from 29 Sep 2025 on are not received yet (test_returns.py).
    assert [f.rule for f in found] == ["attendance-return-missing"]


def test_unknown_pupils_are_reported_and_nothing_is_written(
    repo: Path, tmp_path: Path, run_cli
) -> None:
    csv = write_csv(
        tmp_path,
        WEEK1,
        "hollybrook-2099-001,2025-09-15,,,/,\\,,,,,,\n",
        "A123456789012,2025-09-15,,,,,,,,,,\n",
    )
    result = run_cli("--root", repo, "attendance", "import", csv)
    assert result.code == 1
    assert f"{csv}:3:1: error: unknown pupil 'hollybrook-2099-001'" in result.err
    assert f"{csv}:4:1: error: unknown pupil 'A123456789012'" in result.err
    assert snapshot(repo) == {}


def test_upn_outside_the_placement_dates(repo: Path, tmp_path: Path, run_cli) -> None:
    csv = write_csv(tmp_path, f"{UPN},2025-09-01,/,\\,,,,,,,,\n")
    result = run_cli("--root", repo, "attendance", "import", csv)
    assert result.code == 1
    assert (
        f"{csv}:2:1: error: pupil {UPN} has no placement running in the week of 2025-09-01"
        in result.err
    )


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (f"{ID},2025-09-15,,,/,\\,,,/,,\n", 12, "this row has 11 columns"),
        (f"{ID},15 Sept,,,/,\\,,,/,,,\n", 2, "'15 Sept' is not a date"),
        (
            f"{ID},2025-09-17,,,/,\\,,,/,,,\n",
            2,
            "2025-09-17 is a Wednesday; week_commencing is the Monday, 2025-09-15",
        ),
        (f"{ID},2025-09-15,,,/,\\,,,Q9,,,\n", 9, "'Q9' in thu_am is not an attendance code"),
        (",2025-09-15,,,/,\\,,,/,,,\n", 1, "the pupil is empty"),
        (
            f"{ID},2025-09-15,,,/,\\,,,K,,,\n",
            9,
            "Thu AM (thu_am): K is for provision arranged",
        ),
        (
            f"{ID},2025-09-15,/,\\,,,,,,,,\n",
            3,
            "Mon AM (mon_am) 2025-09-15 has a mark but hollybrook-2025-001 started on 2025-09-16",
        ),
    ],
)
def test_malformed_rows_name_file_row_and_column(
    repo: Path, tmp_path: Path, run_cli, row: str, column: int, words: str
) -> None:
    csv = write_csv(tmp_path, WEEK2, row)
    result = run_cli("--root", repo, "attendance", "import", csv)
    assert result.code == 1
    assert f"{csv}:3:{column}: error: {words}" in result.err
    assert snapshot(repo) == {}


def test_two_rows_for_one_week_must_agree(repo: Path, tmp_path: Path, run_cli) -> None:
    csv = write_csv(
        tmp_path, WEEK1, WEEK1, WEEK1.replace(f"{ID}", UPN).replace(",/,,,\n", ",I,,,\n")
    )
    result = run_cli("--root", repo, "attendance", "import", csv)
    assert result.code == 1
    assert f"{csv}:4:2: error: row 2 already gives other marks" in result.err


def test_wrong_header_names_the_column(repo: Path, tmp_path: Path, run_cli) -> None:
    csv = tmp_path / "h.csv"
    csv.write_text(HEADER.replace("tue_am", "tuesday_noon") + WEEK1, "utf-8")
    result = run_cli("--root", repo, "attendance", "import", csv)
    assert result.code == 1
    assert f"{csv}:1:5: error: no column for tue_am; the header needs all ten" in result.err


def test_lower_case_codes_dd_mm_yyyy_dates_and_a_bom_are_accepted(
    repo: Path, tmp_path: Path, run_cli
) -> None:
    csv = tmp_path / "mis.csv"
    csv.write_bytes(("\ufeff" + HEADER + f"{ID},22/09/2025,,,i,i,,,l,,,\n").encode("utf-8"))
    assert run_cli("--root", repo, "attendance", "import", csv).code == 0
    assert "{week: 2025-09-22, marks: [-, -, I, I, -, -, L, -, -, -]}" in flow(
        (repo / ATT).read_text("utf-8")
    )


def test_windows_1252_is_read_and_said_and_other_bytes_are_refused(
    repo: Path, tmp_path: Path, run_cli
) -> None:
    csv = tmp_path / "excel.csv"
    # Excel's plain CSV: Windows-1252, where 0xE9 is 'é' (here in a column not imported).
    csv.write_bytes(
        (HEADER.rstrip() + ",notes\n").encode()
        + f"{ID},2025-09-15,,,/,\\,,,/,,,,caf".encode()
        + b"\xe9\n"
    )
    result = run_cli("--root", repo, "attendance", "import", csv)
    assert result.code == 0, result.err
    assert "note: the file is not UTF-8; it was read as Windows-1252" in result.out
    assert "columns not imported (for the reader of the sheet only): 'notes'" in result.out
    csv.write_bytes(HEADER.encode() + f"{ID},2025-09-15,,,/,\\,,,/,,,\n".encode() + b"\x81\n")
    result = run_cli("--root", repo, "attendance", "import", csv)
    assert result.code == 1 and f"{csv}:3:1: error: the file is neither UTF-8 nor" in result.err
    result = run_cli("--root", repo, "attendance", "import", tmp_path / "nope.csv")
    assert result.code == 2 and "cannot read the file" in result.err


def test_a_broken_attendance_file_stops_the_import(repo: Path, tmp_path: Path, run_cli) -> None:
    file = repo / ATT
    file.parent.mkdir(parents=True)
    file.write_text(f"placement: {ID}\nweeks:\n  - {{week: 2025-09-15, marks: [-, -]}}\n", "utf-8")
    result = run_cli("--root", repo, "attendance", "import", write_csv(tmp_path, WEEK2))
    assert result.code == 1
    assert f"{ATT}:3:" in result.err and "fix the file first" in result.err


def test_no_temporary_files_are_left_behind(repo: Path, tmp_path: Path, run_cli) -> None:
    assert run_cli("--root", repo, "attendance", "import", write_csv(tmp_path, WEEK1)).code == 0
    assert sorted(p.name for p in (repo / "records/attendance").iterdir()) == [f"{ID}.yaml"]


def test_la_arranged_placement_accepts_k(repo: Path, tmp_path: Path, run_cli) -> None:
    replace_line(repo / PLACEMENT, "arranged_by:", "arranged_by: local-authority")
    row = f"{ID},2025-09-15,,,K,K,,,K,,,\n"
    assert run_cli("--root", repo, "attendance", "import", write_csv(tmp_path, row)).code == 0


def test_a_placement_with_schema_errors_is_named_not_crashed_on(
    repo: Path, tmp_path: Path, run_cli
) -> None:
    from conftest import delete_line

    delete_line(repo / PLACEMENT, "course:")
    csv = write_csv(tmp_path, WEEK1, WEEK2)
    result = run_cli("--root", repo, "attendance", "import", csv)
    assert result.code == 1 and "Traceback" not in result.err
    assert f"{csv}:2:1: error: the agreement {PLACEMENT} has errors" in result.err
    assert snapshot(repo) == {}


def test_a_file_listing_a_week_twice_is_not_merged_silently(
    repo: Path, tmp_path: Path, run_cli
) -> None:
    file = repo / ATT
    file.parent.mkdir(parents=True)
    row = "  - {week: 2025-09-15, marks: [-, -, /, \\, -, -, /, -, -, -]}\n"
    text = f"placement: {ID}\nweeks:\n{row}{row.replace('/, -, -, -]', 'I, -, -, -]')}"
    file.write_text(text, "utf-8")
    result = run_cli("--root", repo, "attendance", "import", write_csv(tmp_path, WEEK2))
    assert result.code == 1
    assert f"{ATT}:4:" in result.err and "listed twice" in result.err
    assert file.read_text("utf-8") == text


# --- a forgiving reader: headings, dates, names, warnings ------------------------------------

MIS_HEADER = (
    "Week Commencing, Pupil ,Fri PM,Fri AM,Thu PM,Thu AM,Wed PM,Wed AM,Tue PM,Tue AM,"
    "Mon PM,MON AM\n"
)


def test_headings_in_any_order_and_case_and_two_digit_years(
    repo: Path, tmp_path: Path, run_cli
) -> None:
    csv = tmp_path / "mis.csv"
    # The MIS writes the week first and the sessions Friday to Monday; Tue AM is "I".
    csv.write_text(MIS_HEADER + f"15/09/25,{ID},,,,/,,,\\,I,,\n", "utf-8")
    result = run_cli("--root", repo, "attendance", "import", csv)
    assert result.code == 0, result.err
    text = (repo / ATT).read_text("utf-8")
    assert "{week: 2025-09-15, marks: [-, -, I, \\, -, -, /, -, -, -]}" in flow(text)


def test_a_pupil_named_exactly_is_found_and_others_get_candidates(
    repo: Path, tmp_path: Path, run_cli
) -> None:
    csv = write_csv(tmp_path, "  tobias   WRENFEATHER ,2025-09-15,,,/,\\,,,/,,,\n")
    result = run_cli("--root", repo, "attendance", "import", csv)
    assert result.code == 0, result.err
    assert (repo / ATT).exists()
    csv = write_csv(tmp_path, "Tobias Wrenfether,2025-09-22,,,/,\\,,,/,,,\n", name="typo.csv")
    result = run_cli("--root", repo, "attendance", "import", csv)
    assert result.code == 1
    assert f"{csv}:2:1: error: unknown pupil 'Tobias Wrenfether'" in result.err
    assert "did you mean 'tobias wrenfeather'?" in result.err


def test_two_pupils_of_one_name_make_the_name_ambiguous(
    repo: Path, tmp_path: Path, run_cli
) -> None:
    source = (repo / PLACEMENT).read_text("utf-8")
    twin = source.replace(ID, "hollybrook-2025-009").replace("P207000016049", "A207000016049")
    twin = twin.replace("upn: A207000016049", "upn: " + "Y20700001604Z")
    (repo / PLACEMENT).with_name("hollybrook-2025-009.yaml").write_text(twin, "utf-8")
    csv = write_csv(tmp_path, "Tobias Wrenfeather,2025-09-15,,,/,\\,,,/,,,\n")
    result = run_cli("--root", repo, "attendance", "import", csv)
    assert result.code == 1
    assert "more than one pupil is called 'Tobias Wrenfeather'" in result.err
    assert "hollybrook-2025-001" in result.err and "hollybrook-2025-009" in result.err


def test_warnings_about_the_marks_are_shown_at_import(repo: Path, tmp_path: Path, run_cli) -> None:
    # Thu AM is timetabled but left empty in a week that was otherwise returned.
    csv = write_csv(tmp_path, f"{ID},2025-09-15,,,/,\\,,,,,,\n")
    result = run_cli("--root", repo, "attendance", "import", csv)
    assert result.code == 0, result.err
    assert f"{ATT}:" in result.out and "warning:" in result.out
    assert "[attendance-planned-blank]" in result.out


def test_a_providers_template_imports_as_it_is_once_marked(tmp_path: Path, run_cli) -> None:
    """Built from the examples on 25 Mar 2026, Brickworks' template lists its three pupils'
    weeks not received (w/c 12 Jan .. 16 Mar less half term) and the coming weeks."""
    import csv as csvmodule

    from conftest import copy_examples

    root = copy_examples(tmp_path / "r")
    site = tmp_path / "site"
    args = ["--root", root, "build", "--today", "2026-03-25", "--site-dir", site]
    assert run_cli(*args, "--audience", "provider-brickworks").code == 0
    template = site / "provider-brickworks" / "attendance-template.csv"
    rows = list(csvmodule.reader(template.read_text("utf-8").splitlines()))
    assert rows[0][:3] == ["pupil", "name", "week_commencing"]
    mine = [r for r in rows[1:] if r[0] == ID]
    assert [r[2] for r in mine][:2] == ["2026-01-12", "2026-01-19"]
    assert "2026-02-16" not in [r[2] for r in mine]  # half term
    assert {r[0] for r in rows[1:]} == {ID, "marsh-lane-2025-002", "st-aldric-2025-004"}
    # Tobias: Tue AM, Tue PM and Thu AM are left to fill in; everything else is '-'.
    assert mine[0][3:] == ["-", "-", "", "", "-", "-", "", "-", "-", "-"]
    mine[0][3:] = ["-", "-", "/", "\\", "-", "-", "/", "-", "-", "-"]
    marked = tmp_path / "marked.csv"
    with marked.open("w", newline="", encoding="utf-8") as handle:
        csvmodule.writer(handle).writerows([rows[0], *[r for r in rows[1:] if r[0] != ID], *mine])
    result = run_cli("--root", root, "attendance", "import", marked)
    assert result.code == 0, result.err
    assert ": 1 week added, 0 unchanged" in result.out
    assert f"{len(rows) - 2} rows with no mark at all skipped" in result.out  # all but header, one
    text = (root / ATT).read_text("utf-8")
    assert "{week: 2026-01-12, marks: [-, -, /, \\, -, -, /, -, -, -]}" in flow(text)


def test_a_partly_marked_week_stays_in_the_template_to_complete(tmp_path: Path, run_cli) -> None:
    """Tobias's w/c 5 Jan with Thu AM blanked: on 13 Jan that week is partly received, so the
    template lists it with the marks the register has and Thu AM empty; once marked, the row
    completes the week."""
    import csv as csvmodule

    from conftest import copy_examples, line_of

    root = copy_examples(tmp_path / "r")
    week = line_of(root / ATT, "- week: 2026-01-05")
    replace_line(root / ATT, "- /", "- '-'", start=week + 2 + 6)  # the seventh: Thu AM
    site = tmp_path / "site"
    args = ["--root", root, "build", "--today", "2026-01-13", "--site-dir", site]
    assert run_cli(*args, "--audience", "provider-brickworks").code == 0
    template = site / "provider-brickworks" / "attendance-template.csv"
    rows = list(csvmodule.reader(template.read_text("utf-8").splitlines()))
    (partly,) = [r for r in rows[1:] if r[0] == ID and r[2] == "2026-01-05"]
    assert partly[3:] == ["-", "-", "/", "\\", "-", "-", "", "-", "-", "-"]
    partly[9] = "I"
    marked = tmp_path / "marked.csv"
    with marked.open("w", newline="", encoding="utf-8") as handle:
        csvmodule.writer(handle).writerows([rows[0], partly])
    result = run_cli("--root", root, "attendance", "import", marked)
    assert result.code == 0, result.err
    assert "1 completed" in result.out
    assert "{week: 2026-01-05, marks: [-, -, /, \\, -, -, I, -, -, -]}" in flow(
        (root / ATT).read_text("utf-8")
    )
