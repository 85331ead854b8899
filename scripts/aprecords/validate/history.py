"""History rules against a git revision (``validate --base REV``).

The placement records at REV are read with one ``git ls-tree`` and one ``git cat-file
--batch``, loaded with the same strict loader as the working tree, paired with today's
records by id, and handed to the rules of scope "history" (``rules/history.py``).
"""

from __future__ import annotations

import os
import stat
from datetime import date
from pathlib import Path
from typing import Any

from aprecords.errors import UsageError
from aprecords.findings import Finding
from aprecords.gitlog import GitError, read_tree, resolve_revision
from aprecords.load import LoadError, decode, load_text
from aprecords.repository import RECORDS, Record, Repository
from aprecords.unseen import without_unseen
from aprecords.validate.rules import RULES, Hit
from aprecords.validate.rules.history import Change, Gone, HistoryContext

PLACEMENTS = f"{RECORDS}/placements"

FETCH_HINT = (
    "fetch more history and run again: `git fetch --deepen=100` (or `git fetch --unshallow`), "
    "or in CI check out with `fetch-depth: 0`"
)


def _same_now(file: Path, raw: bytes) -> bool:
    """The working file holds exactly ``raw`` (a pipe or a file of another size is not read)."""
    try:
        info = os.lstat(file)
        return stat.S_ISREG(info.st_mode) and info.st_size == len(raw) and file.read_bytes() == raw
    except OSError:
        return False


def records_at(repo: Repository, rev: str) -> dict[str, dict[str, Any]]:
    """Placement records at ``rev`` that differ from the working tree, by path.

    A file byte-for-byte the same now cannot break a history rule, so it is not parsed; nor
    is a file that did not load at ``rev`` (nothing valid was recorded there to protect). A
    file holding invisible format characters, refused today, is read without them.
    """
    root = repo.root
    try:
        resolve_revision(root, rev)
    except GitError as exc:
        if "not a git repository" in str(exc) or "cannot run git" in str(exc):
            raise UsageError(
                f"{root} is not inside a git checkout ({exc}), so --base {rev} cannot be "
                "compared; run the check in a clone of the records repository"
            ) from None
        raise UsageError(f"--base {rev}: {exc} (perhaps a shallow clone); {FETCH_HINT}") from None
    try:
        files = read_tree(root, rev, PLACEMENTS, repo.config.max_file_bytes)
    except GitError as exc:
        raise UsageError(f"cannot read {PLACEMENTS} at {rev}: {exc}; {FETCH_HINT}") from None
    found: dict[str, dict[str, Any]] = {}
    for path, raw in files.items():
        parts = path.split("/")
        if len(parts) != 4 or not path.endswith((".yaml", ".yml")):
            continue
        if _same_now(root / path, raw):
            continue
        try:
            doc = load_text(decode(raw, repo.config.max_file_bytes, unseen_ok=True), path, True)
        except LoadError:
            continue
        # Read as it will be once its invisible characters are deleted: deleting one from a
        # recorded review (which validation now requires) is not a change to that review.
        found[path] = without_unseen(doc.data)
    return found


def pair(repo: Repository, old: dict[str, dict[str, Any]]) -> tuple[Change, ...]:
    """Each record at the base with its counterpart now: same id, at the same path if possible."""
    now = [r for r in repo.records if r.kind == "placement"]
    by_path = {r.path: r for r in now}
    by_id: dict[str, Record] = {}
    for record in now:
        by_id.setdefault(record.id, record)
    changes = []
    for path, data in sorted(old.items()):
        old_id = data.get("id")
        if not isinstance(old_id, str) or not old_id:
            continue  # no id at the base: that version was never a valid record
        here = by_path.get(path)
        if here is None and (repo.root / path).exists():
            continue  # still there but unreadable now: the load error says what to fix
        new = here if here is not None and here.id == old_id else by_id.get(old_id)
        changes.append(Change(path, data, new, here))
    return tuple(changes)


def check_history(
    repo: Repository, base: str, paths: set[str] | None, today: date | None = None
) -> list[Finding]:
    """Findings of the history rules comparing the working tree with revision ``base``."""
    ctx = HistoryContext(repo, today or date.today(), base, pair(repo, records_at(repo, base)))
    findings: list[Finding] = []
    for rule in RULES:
        if rule.scope != "history":
            continue
        for hit in rule.check(ctx):
            if isinstance(hit, Gone):
                findings.append(Finding(hit.path, 1, 1, rule.severity, hit.message, rule.id))
            elif isinstance(hit, Hit):
                line, col = hit.record.doc.locate(hit.pointer, key=hit.key)
                findings.append(
                    Finding(
                        hit.record.path, line, col, rule.severity, hit.message, rule.id, hit.pointer
                    )
                )
    if paths is not None:
        findings = [f for f in findings if f.path in paths]
    return sorted(set(findings), key=lambda f: (f.path, f.line, f.column, f.rule, f.message))
