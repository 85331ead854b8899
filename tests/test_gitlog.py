"""gitlog: commits per file in one git call, files of a revision, and no checkout at all."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from aprecords import gitlog
from aprecords.gitlog import Commit, GitError, file_history, read_tree
from conftest import PLACEMENT, REGISTER, SCHOOL, git, replace_line, require_tool


def _count_git(monkeypatch) -> list[list[str]]:
    calls: list[list[str]] = []
    real = subprocess.run

    def counting(cmd, *args, **kwargs):
        calls.append(list(cmd))
        return real(cmd, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting)
    return calls


def test_commits_per_file_newest_first_in_one_git_call(git_repo, monkeypatch):
    replace_line(git_repo / PLACEMENT, "percentage: 94.4", "percentage: 94.4  # checked")
    git(git_repo, "commit", "-q", "-am", "Check: attendance % (94.4)", when="2026-02-01T09:00:00Z")
    calls = _count_git(monkeypatch)
    history = file_history(git_repo)
    assert len(calls) == 1 and calls[0][:2] == ["git", "log"]
    assert history is not None
    first = git(git_repo, "rev-list", "--max-parents=0", "HEAD").strip()
    second = git(git_repo, "rev-parse", "HEAD").strip()
    assert history[PLACEMENT] == [
        Commit(second, "2026-02-01", "Test Author", "Check: attendance % (94.4)"),
        Commit(first, "2026-01-05", "Test Author", "Initial records"),
    ]
    assert [c.sha for c in history[SCHOOL]] == [first]
    with pytest.raises(AttributeError):
        history[SCHOOL][0].sha = "x"  # frozen


def test_paths_are_relative_to_a_root_below_the_checkout(tmp_path):
    require_tool("git")
    top = tmp_path / "top"
    (top / "records-repo" / "records").mkdir(parents=True)
    (top / "records-repo" / "records" / "a b.yaml").write_text("id: a\n", "utf-8")
    (top / "other.txt").write_text("x\n", "utf-8")
    git(top, "init", "-q")
    git(top, "add", ".")
    git(top, "commit", "-q", "-m", "Both")
    history = file_history(top / "records-repo")
    assert list(history) == ["records/a b.yaml"]


def test_none_outside_a_checkout_and_empty_before_the_first_commit(tmp_path):
    require_tool("git")
    plain = tmp_path / "plain"
    plain.mkdir()
    assert file_history(plain) is None
    git(plain, "init", "-q")
    assert file_history(plain) == {}


def test_none_when_git_is_not_installed(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert file_history(tmp_path) is None


def test_renames_are_not_followed(git_repo):
    new = Path(PLACEMENT).with_name("moved.yaml").as_posix()
    git(git_repo, "mv", PLACEMENT, new)
    git(git_repo, "commit", "-q", "-m", "Move")
    history = file_history(git_repo)
    assert [c.subject for c in history[new]] == ["Move"]
    assert [c.subject for c in history[PLACEMENT]] == ["Move", "Initial records"]


def test_many_files_still_one_call(git_repo, monkeypatch):
    folder = git_repo / "records" / "bulk"
    folder.mkdir()
    for n in range(60):
        (folder / f"f{n}.yaml").write_text(f"n: {n}\n", "utf-8")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "Bulk")
    calls = _count_git(monkeypatch)
    history = file_history(git_repo)
    assert len(calls) == 1 and sum(k.startswith("records/bulk/") for k in history) == 60


def test_read_tree_reads_all_files_with_two_git_processes(git_repo, monkeypatch):
    replace_line(git_repo / PLACEMENT, "percentage: 94.4", "percentage: 99")
    calls = _count_git(monkeypatch)
    files = read_tree(git_repo, "HEAD", "records")
    assert [c[1] for c in calls] == ["ls-tree", "cat-file"]
    assert files[PLACEMENT] == git(git_repo, "show", f"HEAD:{PLACEMENT}").encode()
    assert b"percentage: 94.4\n" in files[PLACEMENT]
    assert set(files) == {PLACEMENT, SCHOOL, REGISTER, "records/providers/brickworks.yaml"}


def test_resolve_revision_errors(git_repo, tmp_path):
    with pytest.raises(GitError, match="not in this clone"):
        gitlog.resolve_revision(git_repo, "no-such-branch")
    with pytest.raises(GitError, match="not a git repository"):
        gitlog.resolve_revision(tmp_path, "HEAD")
    assert len(gitlog.resolve_revision(git_repo, "main")) == 40
