"""Build many audiences: only those whose inputs changed, in parallel across CPU cores.

Each audience's inputs are summed up in a fingerprint (SHA-256) of: its scoped, redacted
records as JSON, with their change history; the templates, assets and code of this package
and its version; ``docs/``, ``mkdocs.yml``, ``aprecords.yml`` and ``schema/``; and the date the
dashboards are judged against. The fingerprint and a manifest of the built folder (every file's
path and size) are kept in ``DIR/.aprecords/<audience>.json``, beside the folders and outside
every folder nginx serves. An audience whose fingerprint is unchanged and whose folder still
matches its manifest is skipped; the others are built in worker processes (one per core), each
with the atomic swap and the leak check of :func:`aprecords.site.build.build_audience`.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from aprecords.access import Audience
from aprecords.repository import Repository
from aprecords.scope import Scoped, Withheld, scope

STORE = ".aprecords"
PACKAGE = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Outcome:
    """What happened to one audience: built, skipped (unchanged) or failed (with why)."""

    audience: str
    path: Path
    built: bool
    error: str | None = None
    script_hashes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    """What the leak check could not search for in this audience's site (by record and field)."""


def _digest_files(h: Any, base: Path, patterns: Iterable[str] = ("*",)) -> None:
    if not base.exists():
        h.update(f"missing:{base.name}\0".encode())
        return
    files = [base] if base.is_file() else sorted({f for p in patterns for f in base.rglob(p)})
    for file in files:
        if file.is_symlink():  # never followed (help_files refuses links in docs/)
            h.update(f"link:{file.relative_to(base.parent).as_posix()}\0".encode())
        elif file.is_file() and "__pycache__" not in file.parts:
            h.update(file.relative_to(base.parent).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(file.read_bytes()).digest())


def shared_inputs(root: Path, today: date) -> str:
    """Digest of every input all audiences share (code, templates, docs, config, schemas)."""
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256()
    for package in ("aprecords", "pyicu-wheels", "english-words"):  # folding, dictionary
        try:
            h.update(f"{package}={version(package)}\0".encode())
        except PackageNotFoundError:
            h.update(f"{package}=unknown\0".encode())
    _digest_files(h, PACKAGE, ("*.py", "*.j2", "*.css", "*.js", "*.svg", "*.html"))
    for name in ("docs", "mkdocs.yml", "aprecords.yml", "schema"):
        _digest_files(h, root / name)
    h.update(today.isoformat().encode())
    return h.hexdigest()


def _json_default(value: Any) -> Any:
    if isinstance(value, Withheld):
        return {"\0withheld": True}
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)


def fingerprint(scoped: Scoped, shared: str, history: dict[str, Any] | None) -> str:
    """The fingerprint of one audience: its scoped records, their history, the shared inputs,
    and what its leak check searches for (the outside pupils, the withheld values and their
    classes): a new pupil elsewhere rebuilds and re-checks it, so no result depends on the
    cache."""
    audience = scoped.audience
    paths = sorted(set(scoped.paths.values()))
    payload = {
        "audience": [audience.name, audience.title, audience.kind, sorted(audience.grants)],
        "schools": scoped.schools,
        "providers": scoped.providers,
        "placements": scoped.placements,
        "attendance": scoped.attendance,
        "paths": scoped.paths,
        "history": {p: (history or {}).get(p) for p in paths} if history is not None else None,
        "shared": shared,
        "searched": [scoped.outside, scoped.withheld, scoped.classes],
    }
    text = json.dumps(payload, sort_keys=True, default=_json_default, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest(folder: Path) -> str:
    """Digest of a built folder's file list and sizes (cheap: no file is read)."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            file = Path(dirpath, name)
            h.update(f"{file.relative_to(folder).as_posix()}\0{file.stat().st_size}\0".encode())
    return h.hexdigest()


def _state_file(site_dir: Path, name: str) -> Path:
    return site_dir / STORE / f"{name}.json"


def is_current(site_dir: Path, name: str, print_: str) -> bool:
    """True when the audience's folder was built from inputs with this fingerprint, intact."""
    try:
        state = json.loads(_state_file(site_dir, name).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    folder = site_dir / name
    return (
        isinstance(state, dict)
        and state.get("fingerprint") == print_
        and folder.is_dir()
        and state.get("manifest") == manifest(folder)
    )


def record_state(site_dir: Path, outcome: Outcome, print_: str) -> None:
    """Remember what the audience's folder was built from (atomically)."""
    name = outcome.audience
    target = _state_file(site_dir, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "fingerprint": print_,
        "manifest": manifest(site_dir / name),
        "script_hashes": list(outcome.script_hashes),
        "warnings": list(outcome.warnings),
    }
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f)
    os.replace(tmp, target)


def stored_warnings(site_dir: Path, name: str) -> tuple[str, ...] | None:
    """The leak-check warnings recorded with an audience's build; None if unknown."""
    try:
        found = json.loads(_state_file(site_dir, name).read_text("utf-8"))["warnings"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return tuple(str(w) for w in found) if isinstance(found, list) else None


def script_hashes(site_dir: Path, names: Iterable[str]) -> list[str] | None:
    """The inline-script hashes of all these audiences' folders; None if one is unknown."""
    found: set[str] = set()
    for name in names:
        try:
            state = json.loads(_state_file(site_dir, name).read_text("utf-8"))
            found.update(state["script_hashes"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
    return sorted(found)


def forget_state(site_dir: Path, name: str) -> None:
    """Drop the record of an audience's build (before rebuilding it)."""
    _state_file(site_dir, name).unlink(missing_ok=True)


# Worker processes: the repository and history are handed over once, when a worker starts
# (with the 'fork' start method nothing is pickled), not with every task.
_worker: dict[str, Any] = {}


def _init_worker(repo: Repository, history: Any, site_dir: Path, today: date) -> None:
    _worker.update(repo=repo, history=history, site_dir=site_dir, today=today)


def _build_one(audience: Audience) -> Outcome:
    return build_one(audience=audience, **_worker)


def build_one(
    repo: Repository, history: Any, site_dir: Path, today: date, audience: Audience
) -> Outcome:
    """Build one audience (swap and leak check included); a failure becomes an Outcome."""
    from aprecords.site.build import BuildError, build_audience
    from aprecords.site.hosting import inline_script_hashes

    target = site_dir / audience.name
    try:
        build_audience(repo, audience, target, today, history)
    except BuildError as exc:
        return Outcome(audience.name, target, False, str(exc))
    return Outcome(audience.name, target, True, script_hashes=tuple(inline_script_hashes(target)))


def build_many(
    repo: Repository,
    audiences: list[Audience],
    site_dir: Path,
    today: date,
    workers: int | None = None,
    force: bool = False,
) -> list[Outcome]:
    """Build the audiences whose inputs changed into ``site_dir/<name>/``; skip the rest.

    ``workers`` defaults to ``os.cpu_count()``; with one worker or one audience to build, the
    build runs in this process. A failed audience (invalid output, a leak) keeps its previous
    folder and is reported in its Outcome; the others still build.
    """
    from aprecords.site.build import GENERATED, change_history
    from aprecords.site.verify import audience_plan, check_help_pages, theme_digests
    from aprecords.textnorm import warm

    warm()
    check_help_pages(repo, [g for g in GENERATED if g != "index.md"])  # before any build
    site_dir = site_dir.resolve()
    site_dir.mkdir(parents=True, exist_ok=True)
    history = change_history(repo.root)
    shared = shared_inputs(repo.root, today)
    scopes = {a.name: scope(repo, a) for a in audiences}
    prints = {a.name: fingerprint(scopes[a.name], shared, history) for a in audiences}
    stale = [a for a in audiences if force or not is_current(site_dir, a.name, prints[a.name])]
    warnings: dict[str, tuple[str, ...]] = {}
    for a in audiences:  # the leak check's warnings: kept with an unchanged build
        kept = None if a in stale else stored_warnings(site_dir, a.name)
        if kept is None:
            kept = tuple(audience_plan(repo, scopes[a.name], history).warnings)
        warnings[a.name] = kept
    outcomes = {
        a.name: Outcome(a.name, site_dir / a.name, False, warnings=warnings[a.name])
        for a in audiences
        if a not in stale
    }
    for a in stale:
        forget_state(site_dir, a.name)
    workers = min(workers or os.cpu_count() or 1, len(stale))
    if stale:
        theme_digests()  # once here; forked workers inherit it
    if workers <= 1:
        results = [build_one(repo, history, site_dir, today, a) for a in stale]
    else:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(repo, history, site_dir, today),
        ) as pool:
            # Biggest first, so the longest build does not start last.
            order = sorted(stale, key=lambda a: -len(scope_size(repo, a)))
            results = list(pool.map(_build_one, order, chunksize=1))
    for result in results:
        outcome = replace(result, warnings=warnings[result.audience])
        if outcome.built:
            record_state(site_dir, outcome, prints[outcome.audience])
        outcomes[outcome.audience] = outcome
    return [outcomes[a.name] for a in audiences]


def scope_size(repo: Repository, audience: Audience) -> list[str]:
    """The placements an audience sees (ids only; for ordering the work)."""
    return [pid for pid, r in repo.placements.items() if audience.sees_placement(r.data)]


def prune(site_dir: Path, keep: Iterable[str]) -> list[str]:
    """Remove the folders of audiences built here before that no longer exist.

    Only folders with a build record in ``DIR/.aprecords/`` are touched (nothing this tool
    did not build is deleted). nginx has no location for them any more, but a school or
    provider that left should not leave its pupils' pages lying on the server either.
    """
    store = site_dir / STORE
    wanted = set(keep)
    removed = []
    for state in sorted(store.glob("*.json")) if store.is_dir() else []:
        if state.stem in wanted:
            continue
        folder = site_dir / state.stem
        if folder.is_dir():
            shutil.rmtree(folder)
        state.unlink()
        removed.append(state.stem)
    return removed
