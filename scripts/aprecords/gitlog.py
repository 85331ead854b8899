"""Git plumbing: the commits that changed each file, and the files of a revision.

Each function runs a fixed, small number of git processes whatever the number of files
(``file_history``: one ``git log``; ``read_tree``: one ``git ls-tree`` and one
``git cat-file --batch``), so they stay fast on repositories with thousands of records.
Nothing here imports from the rest of the package.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

# Record and field separators that cannot occur in a commit hash, a date or a one-line subject
# (git turns control characters in subjects into nothing worse than themselves; names are
# NUL-separated with -z, so paths can hold any character).
_RS, _US = "\x1e", "\x1f"
_LOG_FORMAT = f"{_RS}%H{_US}%as{_US}%an{_US}%s"


class GitError(Exception):
    """Git could not answer: not a checkout, git missing, or a revision that is not there."""


@dataclass(frozen=True)
class Commit:
    """One commit as the site lists it under a record: sha, ISO date, author, subject."""

    sha: str
    date: str
    author: str
    subject: str


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run one git command in ``root``; raise GitError with git's own message on failure."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, input=stdin, capture_output=True, check=False
        )
    except OSError as exc:  # git not installed, root missing
        raise GitError(f"cannot run git: {exc.strerror}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return done.stdout


def file_history(root: Path) -> dict[str, list[Commit]] | None:
    """Commits that changed each file under ``root``, newest first, keyed by path relative to it.

    One ``git log --name-only`` pass over the whole history. Renames are not followed
    (``--no-renames``): a moved file's earlier commits stay under its old path. Following
    renames would rely on git's similarity guess, and two records written from the same
    template look alike, so one pupil's commit messages could be shown on another's page.
    Merge commits list no files and so appear under none.

    Returns None when ``root`` is not inside a git checkout (or git is not installed), so
    the site can say that history is unavailable; an empty mapping for a repository with
    no commits yet.
    """
    try:
        out = _git(
            root,
            "log",
            "-z",
            "--no-renames",
            "--name-only",
            "--relative",
            f"--format={_LOG_FORMAT}",
            "--",
            ".",
        )
    except GitError as exc:
        text = str(exc)
        if "does not have any commits" in text or "bad default revision" in text:
            return {}
        return None
    history: dict[str, list[Commit]] = {}
    for chunk in out.decode("utf-8", "replace").split(_RS):
        if not chunk:
            continue
        header, _, names = chunk.partition("\0")
        sha, date, author, subject = header.split(_US, 3)
        commit = Commit(sha, date, author, subject)
        for name in names.lstrip("\n").split("\0"):
            if name:
                history.setdefault(name, []).append(commit)
    return history


def resolve_revision(root: Path, rev: str) -> str:
    """The commit id of ``rev``; GitError when root is no checkout or rev is not fetched."""
    _git(root, "rev-parse", "--is-inside-work-tree")
    try:
        out = _git(
            root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"
        )
    except GitError:
        raise GitError(f"the revision '{rev}' is not in this clone") from None
    return out.decode().strip()


def read_tree(root: Path, rev: str, under: str, max_bytes: int | None = None) -> dict[str, bytes]:
    """Contents of every file below folder ``under`` (relative to root) at revision ``rev``.

    Keys are paths relative to ``root``. Runs ``git ls-tree -r -l -z`` once and
    ``git cat-file --batch`` once for all the files. Symbolic links, and files larger than
    ``max_bytes`` (their size is listed), are left out unread.
    """
    listing = _git(root, "ls-tree", "-r", "-l", "-z", rev, "--", under)
    blobs: list[tuple[str, str]] = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        mode, kind, oid, size = meta.decode().split()
        if kind != "blob" or mode == "120000":
            continue
        if max_bytes is not None and int(size) > max_bytes:
            continue
        blobs.append((name.decode("utf-8", "surrogateescape"), oid))
    if not blobs:
        return {}
    out = _git(root, "cat-file", "--batch", stdin="".join(f"{oid}\n" for _, oid in blobs).encode())
    files: dict[str, bytes] = {}
    pos = 0
    for name, oid in blobs:
        end = out.index(b"\n", pos)
        header = out[pos:end].decode().split(" ")
        if len(header) != 3 or header[0] != oid:
            raise GitError(f"unexpected answer from git cat-file for {name}")
        size = int(header[2])
        files[name] = out[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1  # contents are followed by a newline
    return files
