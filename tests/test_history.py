"""History rules (`validate --base REV`) against real git repositories in temporary folders."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from aprecords.validate.rules import RULES
from conftest import (
    PLACEMENT,
    REGISTER,
    TODAY,
    delete_line,
    git,
    insert_after,
    line_of,
    replace_line,
)

AMENDMENT = """\
      - date: 2026-01-09
        by: Ms Harriet Ambleside
        what: "Behaviour: the warning was for leaving the workshop, not for a phone."
        why: The provider corrected its incident log.
"""
"""A second amendment to the first review (the example has one, correcting its figures)."""
AFTER = "percentage: 93.9"
"""The last line of the example's first amendment."""


def findings(run_cli, root: Path, *extra: str, today: str = TODAY) -> tuple[int, list[dict]]:
    """Exit code and JSON findings of `validate --base main`."""
    result = run_cli(
        "--root", root, "validate", "--base", "main", "--format", "json", "--today", today, *extra
    )
    assert result.code in (0, 1), result.err
    return result.code, json.loads(result.out)["findings"]


def of_rule(found: list[dict], rule: str) -> list[dict]:
    return [f for f in found if f["rule"] == rule]


def test_history_rules_are_listed_with_ids_and_descriptions():
    history = {r.id: r for r in RULES if r.scope == "history"}
    assert {"review-unchanged", "record-kept", "id-not-reused"} <= set(history)
    assert all(r.description for r in history.values())


def test_unchanged_working_tree_passes(git_repo, run_cli):
    code, found = findings(run_cli, git_repo)
    assert code == 0 and found == []


def test_editing_a_past_review_fails_at_that_line(git_repo, run_cli):
    file = git_repo / PLACEMENT
    line = replace_line(
        file,
        "behaviour: Good; one warning",
        "behaviour: Good; one warning for leaving the workshop.",
    )
    code, found = findings(run_cli, git_repo)
    assert code == 1
    [hit] = of_rule(found, "review-unchanged")
    assert (hit["path"], hit["line"]) == (PLACEMENT, line)
    assert "amendments" in hit["message"] and "2025-12-09" in hit["message"]


def test_editing_a_past_review_is_an_annotation_in_github_format(git_repo, run_cli):
    file = git_repo / PLACEMENT
    line = replace_line(file, "percentage: 94.4", "percentage: 95")
    result = run_cli(
        "--root", git_repo, "validate", "--base", "main", "--format", "github", "--today", TODAY
    )
    assert result.code == 1
    assert f"::error file={PLACEMENT},line={line}," in result.out
    assert "title=review-unchanged::" in result.out


def test_removing_a_field_of_a_past_review_fails_at_the_review(git_repo, run_cli):
    file = git_repo / PLACEMENT
    delete_line(file, "interventions: None needed")
    code, found = findings(run_cli, git_repo)
    assert code == 1
    [hit] = of_rule(found, "review-unchanged")
    assert hit["line"] == line_of(file, "- date: 2025-12-09")
    assert "interventions" in hit["message"] and "removed" in hit["message"]


def only_review_unchanged(run_cli, root: Path) -> dict:
    """The one finding of `validate --base main`, which must be review-unchanged and fail."""
    code, found = findings(run_cli, root)
    assert [f["rule"] for f in found] == ["review-unchanged"], found
    assert code == 1
    return found[0]


def test_adding_a_key_to_a_past_review_fails_at_that_key(git_repo, run_cli):
    file = git_repo / PLACEMENT
    delete_line(file, "authorised_absence: 2")
    git(git_repo, "commit", "-q", "-am", "December review without the authorised absences")
    line = insert_after(file, "sessions_attended: 34", "      authorised_absence: 2")
    hit = only_review_unchanged(run_cli, git_repo)
    assert (hit["path"], hit["line"]) == (PLACEMENT, line)
    assert "attendance.authorised_absence of the review of 2025-12-09 was added" in hit["message"]


def test_appending_to_a_list_of_a_past_review_fails_at_the_new_item(git_repo, run_cli):
    file = git_repo / PLACEMENT
    review = line_of(file, "reviews:")
    t2 = line_of(file, "- target: T2", review)
    lines = file.read_text("utf-8").splitlines(keepends=True)
    progress_t2 = "".join(lines[t2 - 1 : t2 + 2])
    assert progress_t2.count("\n") == 3 and "comment: Half the unit" in progress_t2
    file.write_text("".join(lines[: t2 - 1] + lines[t2 + 2 :]), "utf-8")
    git(git_repo, "commit", "-q", "-am", "December review with progress on T1 only")
    line = insert_after(file, "comment: 94% attendance.", progress_t2, review)
    hit = only_review_unchanged(run_cli, git_repo)
    assert (hit["path"], hit["line"]) == (PLACEMENT, line)
    assert "progress[2] of the review of 2025-12-09 was added" in hit["message"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # Equal in Python (False == 0) but not the value that was recorded.
        ("ehcp_outcome: false", "ehcp_outcome: 0"),
        # A number become text.
        ("percentage: 94.4", 'percentage: "94.4"'),
    ],
)
def test_a_type_change_in_a_past_review_is_a_change(git_repo, run_cli, old, new):
    file = git_repo / PLACEMENT
    line = replace_line(file, old, new, line_of(file, "reviews:"))
    code, found = findings(run_cli, git_repo)
    assert code == 1
    [hit] = of_rule(found, "review-unchanged")
    assert (hit["path"], hit["line"]) == (PLACEMENT, line)
    assert "of the review of 2025-12-09 was changed" in hit["message"]


def test_removing_a_past_review_fails(git_repo, run_cli):
    file = git_repo / PLACEMENT
    text = file.read_text("utf-8")
    file.write_text(text[: text.index("reviews:")], "utf-8")
    code, found = findings(run_cli, git_repo)
    assert code == 1
    [hit] = of_rule(found, "review-unchanged")
    assert "removed" in hit["message"] and hit["path"] == PLACEMENT


def test_adding_an_amendment_passes(git_repo, run_cli):
    insert_after(
        git_repo / PLACEMENT, AFTER, AMENDMENT, start=line_of(git_repo / PLACEMENT, "reviews:")
    )
    code, found = findings(run_cli, git_repo)
    assert (code, found) == (0, [])


def test_changing_or_removing_a_recorded_amendment_fails(git_repo, run_cli):
    file = git_repo / PLACEMENT
    insert_after(file, AFTER, AMENDMENT, start=line_of(file, "reviews:"))
    git(git_repo, "commit", "-q", "-am", "Amend the December review")
    replace_line(file, "why: The provider", "why: The provider said so.")
    code, found = findings(run_cli, git_repo)
    [hit] = of_rule(found, "review-unchanged")
    assert code == 1 and "amendment 2 of the review of 2025-12-09" in hit["message"]
    assert "has been changed" in hit["message"]
    assert hit["line"] == line_of(file, "- date: 2026-01-09")
    file.write_text(file.read_text("utf-8").split("      - date: 2026-01-09")[0], "utf-8")
    code, found = findings(run_cli, git_repo)
    [hit] = of_rule(found, "review-unchanged")
    assert code == 1 and "amendment 2" in hit["message"] and "has been removed" in hit["message"]
    assert hit["line"] == line_of(file, "    amendments:")  # where the list now ends early


def test_adding_a_new_review_at_the_end_passes(git_repo, run_cli):
    result = run_cli("--root", git_repo, "review", "hollybrook-2025-001", "--date", "2026-03-17")
    assert result.code == 0, result.err
    code, found = findings(run_cli, git_repo, today="2026-03-20")
    assert of_rule(found, "review-unchanged") == []
    rules = {f["rule"] for f in found}
    assert rules == {
        "placeholder-filled",
        "attendance-return-missing",
    }  # the fixture's register ends w/c 5 Jan 2026: later weeks are not received


def test_deleting_a_record_fails_with_how_to_proceed(git_repo, run_cli):
    (git_repo / PLACEMENT).unlink()
    code, found = findings(run_cli, git_repo)
    assert code == 1
    [hit] = of_rule(found, "record-kept")
    assert (hit["path"], hit["line"], hit["column"]) == (PLACEMENT, 1, 1)
    assert "aprecords retention" in hit["message"] and "has not ended" in hit["message"]


def _end_placement(root: Path, when: str) -> None:
    insert_after(
        root / PLACEMENT,
        "reason: engagement",
        f"ended:\n  date: {when}\n  reason: Completed the course.",
    )
    git(root, "commit", "-q", "-am", "Placement ended")


def test_deleting_a_record_is_allowed_only_after_retention(git_repo, run_cli):
    _end_placement(git_repo, "2026-07-20")
    (git_repo / PLACEMENT).unlink()
    (git_repo / REGISTER).unlink()  # its register goes with it
    code, found = findings(run_cli, git_repo, today="2032-07-20")  # exactly six years: keep
    [hit] = of_rule(found, "record-kept")
    assert code == 1 and "2032-07-21" in hit["message"]
    code, found = findings(run_cli, git_repo, today="2032-07-21")
    assert of_rule(found, "record-kept") == [] and code == 0


def test_retention_years_comes_from_the_config(git_repo, run_cli):
    _end_placement(git_repo, "2026-07-20")
    replace_line(git_repo / "aprecords.yml", "retention_years:", "retention_years: 10")
    (git_repo / PLACEMENT).unlink()
    code, found = findings(run_cli, git_repo, today="2032-07-21")
    assert code == 1 and "10 years" in of_rule(found, "record-kept")[0]["message"]


def test_changing_a_record_id_in_place_fails_at_the_id(git_repo, run_cli):
    file = git_repo / PLACEMENT
    line = replace_line(file, "id: hollybrook-2025-001", "id: hollybrook-2025-009")
    code, found = findings(run_cli, git_repo)
    [hit] = of_rule(found, "record-kept")
    assert (hit["path"], hit["line"]) == (PLACEMENT, line)
    assert "hollybrook-2025-001" in hit["message"]


def test_reusing_an_id_for_another_pupil_fails(git_repo, run_cli):
    file = git_repo / PLACEMENT
    delete_line(file, "upn: P207000016049")
    line = replace_line(file, "name: Tobias Wrenfeather", "name: Marigold Fenn")
    code, found = findings(run_cli, git_repo)
    [hit] = of_rule(found, "id-not-reused")
    assert code == 1 and (hit["path"], hit["line"]) == (PLACEMENT, line)
    assert "Marigold" not in hit["message"] and "Tobias" not in hit["message"]


def test_a_different_upn_is_another_pupil_even_with_the_same_name(git_repo, run_cli):
    file = git_repo / PLACEMENT
    line = replace_line(file, "upn: P207000016049", "upn: B801200001001")
    code, found = findings(run_cli, git_repo)
    assert any(f["line"] == line for f in of_rule(found, "id-not-reused"))


def test_rewriting_the_file_for_another_pupil_fails(git_repo, run_cli):
    old = git_repo / PLACEMENT
    text = old.read_text("utf-8").replace("Tobias Wrenfeather", "Marigold Fenn")
    text = text.replace("P207000016049", "A801200001001")
    old.unlink()
    old.write_text(text, "utf-8")
    code, found = findings(run_cli, git_repo)
    assert code == 1 and of_rule(found, "id-not-reused")


def test_a_spelling_correction_of_the_name_is_a_warning(git_repo, run_cli):
    replace_line(git_repo / PLACEMENT, "name: Tobias Wrenfeather", "name: Tobias Wrenfether")
    code, found = findings(run_cli, git_repo)
    assert code == 0
    assert [f["severity"] for f in of_rule(found, "pupil-renamed")] == ["warning"]
    assert of_rule(found, "id-not-reused") == []


def test_same_upn_makes_a_new_name_a_warning(git_repo, run_cli):
    replace_line(git_repo / PLACEMENT, "name: Tobias Wrenfeather", "name: Toby Smith")
    code, found = findings(run_cli, git_repo)
    assert code == 0 and [f["rule"] for f in found] == ["pupil-renamed"]


def test_missing_revision_exits_2_and_says_to_fetch(git_repo, run_cli):
    result = run_cli("--root", git_repo, "validate", "--base", "origin/nowhere")
    assert result.code == 2
    assert "origin/nowhere" in result.err
    assert "git fetch --deepen" in result.err and "fetch-depth: 0" in result.err
    assert "Traceback" not in result.err


def test_shallow_clone_without_the_base_exits_2(git_repo, run_cli, tmp_path):
    replace_line(git_repo / PLACEMENT, "percentage: 94.4", "percentage: 94.4  # checked")
    git(git_repo, "commit", "-q", "-am", "Second commit")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{git_repo}", str(clone))
    base = git(git_repo, "rev-parse", "HEAD~1").strip()
    result = run_cli("--root", clone, "validate", "--base", base)
    assert result.code == 2 and "fetch-depth: 0" in result.err


def test_not_a_git_repository_exits_2(repo, run_cli):
    result = run_cli("--root", repo, "validate", "--base", "main")
    assert result.code == 2
    assert "not inside a git checkout" in result.err and "Traceback" not in result.err


def test_reads_the_base_with_a_fixed_number_of_git_processes(git_repo, run_cli, monkeypatch):
    source = (git_repo / PLACEMENT).read_text("utf-8")
    for n in range(2, 12):
        (git_repo / PLACEMENT).with_name(f"hollybrook-2025-{n:03d}.yaml").write_text(
            source.replace("hollybrook-2025-001", f"hollybrook-2025-{n:03d}"), "utf-8"
        )
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "More records")
    calls: list[list[str]] = []
    real = subprocess.run

    def counting(cmd, *args, **kwargs):
        calls.append(list(cmd))
        return real(cmd, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting)
    code, found = findings(run_cli, git_repo)
    assert [c[1] for c in calls if c[0] == "git"].count("cat-file") == 1
    assert len(calls) <= 4  # rev-parse twice, ls-tree, cat-file: not one per file


@pytest.mark.parametrize("paths_given", [True, False])
def test_paths_limit_the_history_findings(git_repo, run_cli, paths_given):
    replace_line(git_repo / PLACEMENT, "behaviour: Good;", "behaviour: Changed.")
    extra = [str(git_repo / "records/schools")] if paths_given else []
    code, found = findings(run_cli, git_repo, *extra)
    assert bool(of_rule(found, "review-unchanged")) is not paths_given
