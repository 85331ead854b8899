"""``aprecords fmt``: the canonical layout written in place, comments kept, values unchanged;
``--check`` reports without writing; bad input is a located finding and the file stays."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aprecords.canonical import canonical
from aprecords.files import LoadError
from aprecords.load import load_text
from aprecords.repository import FOLDERS
from aprecords.schemas import Schemas
from aprecords.values import same
from conftest import PLACEMENT, PROJECT, REGISTER, SCHOOL

BEFORE_FORMATTING = "10ce418"
"""The last commit before the example records were formatted."""
FORMATTED = "a1c38e9"
"""The commit that formatted them (``aprecords fmt`` over records/, nothing else)."""

COMMENTED = """\
# A note at the top.
school: hollybrook
id: hollybrook-2025-001  # the record's id
student:  # who
  upn: P207000016049
  name: Tobias Wrenfeather
  # looked_after: true if looked after
weeks: [1, 2]
placements:
  # the first provider
  - provider: brickworks
    sites: [yard]  # every site
    # a note at the end of the item
# a note before the last key
reason: "engagement"
"""

COMMENTED_CANONICAL = """\
# A note at the top.
id: hollybrook-2025-001  # the record's id
school: hollybrook
student:  # who
  name: Tobias Wrenfeather
  upn: P207000016049
  # looked_after: true if looked after
placements:
  # the first provider
  - provider: brickworks
    sites:  # every site
      - yard
    # a note at the end of the item
# a note before the last key
reason: engagement
weeks:
  - 1
  - 2
"""


def test_fmt_keeps_comments_beside_what_they_describe(repo: Path, run_cli) -> None:
    file = repo / PLACEMENT
    file.write_text(COMMENTED)
    result = run_cli("--root", repo, "fmt", file)
    assert result.code == 0, result.err
    assert f"formatted {PLACEMENT}" in result.out
    assert file.read_text() == COMMENTED_CANONICAL
    assert load_text(COMMENTED, "x").data == load_text(COMMENTED_CANONICAL, "x").data
    stamp = file.stat().st_mtime_ns
    again = run_cli("--root", repo, "fmt", file)
    assert again.code == 0 and "formatted" not in again.out
    assert file.stat().st_mtime_ns == stamp


def test_check_reports_the_first_difference_and_writes_nothing(repo: Path, run_cli) -> None:
    file = repo / PLACEMENT
    text = file.read_text()
    assert "  - provider: brickworks\n    course:" in text
    changed = text.replace("    sites:\n      - yard\n", "    sites: [yard]\n")
    file.write_text(changed)
    line = changed.split("\n").index("    sites: [yard]") + 1
    stamp = file.stat().st_mtime_ns
    result = run_cli("--root", repo, "fmt", "--check")
    assert result.code == 1
    assert result.out.strip() == (
        f"{PLACEMENT}:{line}:11: error: not in the canonical layout; "
        f"run `aprecords fmt {PLACEMENT}` [fmt]"
    )
    assert "1 not in the canonical layout" in result.err
    assert file.read_text() == changed and file.stat().st_mtime_ns == stamp
    assert run_cli("--root", repo, "fmt").code == 0
    assert file.read_text() == text
    assert run_cli("--root", repo, "fmt", "--check").code == 0


def test_only_changed_files_are_written_and_their_mode_is_kept(repo: Path, run_cli) -> None:
    school, register = repo / SCHOOL, repo / REGISTER
    register.write_text(register.read_text().replace("'-'", '"-"'))
    register.chmod(0o640)
    stamp = school.stat().st_mtime_ns
    result = run_cli("--root", repo, "fmt")
    assert result.code == 0
    assert result.out.splitlines() == [f"formatted {REGISTER}"]
    assert school.stat().st_mtime_ns == stamp
    assert register.stat().st_mode & 0o777 == 0o640
    assert register.read_text() == (PROJECT / REGISTER).read_text()
    assert not [p for p in register.parent.iterdir() if p.name.startswith(".")]


def test_a_file_that_does_not_load_is_a_located_finding_and_stays(repo: Path, run_cli) -> None:
    file = repo / SCHOOL
    text = file.read_text()
    lines = text.split("\n")
    bad = "\n".join([*lines[:2], lines[0], *lines[2:]])  # the first key again, at line 3
    file.write_text(bad)
    for args in ((), ("--check",)):
        result = run_cli("--root", repo, "fmt", *args)
        assert result.code == 1
        assert result.out.startswith(f"{SCHOOL}:3:1: error: the key 'id' appears twice")
        assert result.out.rstrip().endswith("[duplicate-key]")
        assert file.read_text() == bad


def test_a_value_that_would_not_read_back_the_same_is_refused(repo: Path, run_cli) -> None:
    file = repo / PLACEMENT
    text = file.read_text()
    bad = text.replace("  year_group: 10\n", "  year_group: 1.0e300\n")
    assert bad != text
    file.write_text(bad)
    result = run_cli("--root", repo, "fmt")
    assert result.code == 1
    assert "cannot write so that it reads back the same" in result.out
    assert file.read_text() == bad


def test_paths_outside_the_records_are_a_usage_error(repo: Path, run_cli) -> None:
    result = run_cli("--root", repo, "fmt", repo / "aprecords.yml")
    assert result.code == 2
    assert "not a record file" in result.err
    assert run_cli("--root", repo, "fmt", repo / "records/none.yaml").code == 2


def test_a_folder_formats_the_records_under_it(repo: Path, run_cli) -> None:
    school, placement = repo / SCHOOL, repo / PLACEMENT
    for file in (school, placement):
        file.write_text(file.read_text().replace("id: ", "id:   ", 1))
    result = run_cli("--root", repo, "fmt", repo / "records/placements")
    assert result.out.splitlines() == [f"formatted {PLACEMENT}"]
    assert "id:   " in school.read_text()


def _at(rev: str, rel: str) -> str | None:
    proc = subprocess.run(
        ["git", "-C", str(PROJECT), "show", f"{rev}:{rel}"], capture_output=True, text=True
    )
    return proc.stdout if proc.returncode == 0 else None


def test_formatting_the_examples_changed_no_value() -> None:
    """The commit that formatted the examples changed no value of any record.

    Both sides are fixed commits, so later edits of the examples do not touch this check; a
    clone without that history (shallow) cannot make it and fails, never skips: a CI job on
    a shallow checkout would otherwise pass without it.
    """
    if _at(BEFORE_FORMATTING, PLACEMENT) is None or _at(FORMATTED, PLACEMENT) is None:
        pytest.fail(
            f"commits {BEFORE_FORMATTING}/{FORMATTED} are not in this clone (shallow?): "
            "run `git fetch --unshallow` (CI: check out the whole history, fetch-depth: 0)"
        )
    listed = subprocess.run(
        ["git", "-C", str(PROJECT), "ls-tree", "-r", "--name-only", FORMATTED, "records/"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    compared = 0
    for rel in listed:
        old, formatted = _at(BEFORE_FORMATTING, rel), _at(FORMATTED, rel)
        assert old is not None and formatted is not None, rel  # formatting added no file
        before = load_text(old, rel).data
        after = load_text(formatted, rel).data
        assert after == before and same(after, before), rel
        assert old != formatted or not old.startswith("# yaml-language-server"), rel
        compared += 1
    assert compared >= 28


def test_check_findings_are_annotations_in_github_format(repo: Path, run_cli) -> None:
    file = repo / SCHOOL
    file.write_text(file.read_text().replace("id: ", "id:  ", 1))
    result = run_cli("--root", repo, "fmt", "--check", "--format", "github")
    assert result.code == 1
    assert result.out.startswith(f"::error file={SCHOOL},line=1,col=5,title=fmt::not in the")
    assert run_cli("--root", repo, "fmt", "--check", "--format", "json", file).code == 1


def test_ci_pre_commit_and_the_ci_script_run_the_check() -> None:
    for name in (".ci/run", ".gitlab-ci.yml", ".github/workflows/records.yml"):
        assert "aprecords fmt --check" in (PROJECT / name).read_text("utf-8"), name
    for name in (".pre-commit-config.yaml", ".pre-commit-hooks.yaml"):
        text = (PROJECT / name).read_text("utf-8")
        assert "id: aprecords-fmt" in text and "entry: aprecords fmt --check" in text, name
    lines = (PROJECT / ".ci/run").read_text("utf-8").splitlines()
    at = lines.index(".venv/bin/aprecords fmt --check")
    assert (
        lines.index(".venv/bin/ruff format --check .")
        < at
        < lines.index("bash .ci/newest-versions")
    )


def test_a_byte_order_mark_and_crlf_line_ends_are_not_canonical(repo: Path, run_cli) -> None:
    file = repo / SCHOOL
    text = file.read_text()
    end = len(text.split("\n")[0]) + 1  # where the first line's \r is
    for variant, col in (("\ufeff" + text, 1), (text.replace("\n", "\r\n"), end)):
        file.write_bytes(variant.encode("utf-8"))
        result = run_cli("--root", repo, "fmt", "--check")
        assert result.code == 1 and f"{SCHOOL}:1:{col}: error: not in the canonical" in result.out
        assert run_cli("--root", repo, "fmt").code == 0
        assert file.read_bytes() == text.encode("utf-8")


def _with_notes(text: str, rng, trial: int) -> tuple[str, list[str]]:
    """``text`` with comments added at random places (own lines at any indentation, or line
    ends), only where they leave the values as they were."""
    lines = text.split("\n")[:-1]
    data = load_text(text, "x").data
    notes = []
    for k in range(rng.randint(1, 6)):
        note = f"# note {trial}-{k}"
        at = rng.randrange(len(lines) + 1)
        if rng.random() < 0.5 and at < len(lines):
            candidate = [*lines[:at], f"{lines[at]}  {note}", *lines[at + 1 :]]
        else:
            candidate = [*lines[:at], " " * rng.choice([0, 2, 4, 6, 8]) + note, *lines[at:]]
        try:
            if load_text("\n".join(candidate) + "\n", "x").data != data:
                continue  # inside a text block: part of the text, not a comment
        except LoadError:
            continue
        lines = candidate
        notes.append(note)
    return "\n".join(lines) + "\n", notes


def test_comments_anywhere_are_kept_once_and_fmt_is_idempotent() -> None:
    rng = random.Random(13)
    schemas = Schemas(PROJECT / "schema")
    for file in sorted((PROJECT / "records").rglob("*.yaml")):
        schema = schemas.resolved(FOLDERS[file.relative_to(PROJECT / "records").parts[0]])
        for trial in range(5):
            text, notes = _with_notes(file.read_text("utf-8"), rng, trial)
            out = canonical(text, "x", schema)
            assert [out.count(n) for n in notes] == [1] * len(notes), (file, notes)
            assert canonical(out, "x", schema) == out, (file, notes)
            assert load_text(out, "x").data == load_text(text, "x").data


def test_a_shallow_clone_fails_the_history_check(tmp_path: Path) -> None:
    """The check above in a clone of depth 1 (this tree's tests and code copied in): failed."""
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{PROJECT}", str(clone)],
        check=True, capture_output=True,
    )  # fmt: skip
    shallow = ["git", "-C", str(clone), "rev-parse", "--is-shallow-repository"]
    assert subprocess.run(shallow, capture_output=True, text=True).stdout.strip() == "true"
    for folder in ("tests", "scripts"):
        shutil.rmtree(clone / folder)
        shutil.copytree(PROJECT / folder, clone / folder, ignore=shutil.ignore_patterns("__py*"))
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-q",
         "tests/test_fmt.py::test_formatting_the_examples_changed_no_value"],
        cwd=clone, env={**env, "PYTHONPATH": str(clone / "scripts")},
        capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "1 failed" in proc.stdout and "git fetch --unshallow" in proc.stdout, proc.stdout
