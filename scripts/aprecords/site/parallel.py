"""Build many audiences: only those whose inputs changed, in parallel across CPU cores.

Each audience's inputs are summed up in a fingerprint (SHA-256) of: its scoped, redacted
records as JSON, with their change history; the templates, assets and code of this package
and its version; ``docs/``, ``mkdocs.yml``, ``aprecords.yml`` and ``schema/``; and the date the
dashboards are judged against. The fingerprint and a manifest of the built folder (every file's
path and size) are kept in ``DIR/.aprecords/<audience>.json``, beside the folders and outside
every folder nginx serves. An audience whose fingerprint is unchanged and whose folder still
matches its manifest is skipped; the others are built in worker processes (one per core), each
with the atomic swap and the leak check of :func:`aprecords.site.build.build_audience`, which
renders only the pages that changed since the audience's last build and links theme files from
one stored copy (:mod:`aprecords.site.incremental`: ``DIR/.aprecords/pages/`` and ``theme/``).

One build at a time writes to ``DIR`` (a lock in ``DIR/.aprecords/``); it first removes what a
killed build left behind. SIGTERM (``timeout``, CI runners, systemd) stops the workers, removes
their unfinished folders and leaves every audience's previous site in place (exit 143).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from aprecords.access import Audience
from aprecords.repository import Repository
from aprecords.scope import Scoped, Withheld, scope
from aprecords.site.stale import Status

STORE = ".aprecords"
LOCK = "build.lock"
_HASH = re.compile(r"^'sha256-[A-Za-z0-9+/]+={0,2}'$")
PACKAGE = Path(__file__).resolve().parents[1]


class Terminated(SystemExit):
    """SIGTERM arrived: unwind, removing unfinished folders on the way (exit code 143)."""

    def __init__(self) -> None:
        super().__init__(128 + signal.SIGTERM)


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated


@contextlib.contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """While inside, SIGTERM raises :class:`Terminated` (main thread only) instead of killing
    the process outright, so ``finally`` blocks remove temporary folders."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def build_lock(site_dir: Path) -> Iterator[None]:
    """Hold ``DIR/.aprecords/build.lock``; another build writing to DIR is a usage error."""
    from aprecords.errors import UsageError

    store = site_dir / STORE
    store.mkdir(parents=True, exist_ok=True)
    os.chmod(store, 0o700)  # build records: never for the web server's eyes
    fd = os.open(store / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(
                f"{site_dir}: another build is writing there; wait for it to finish"
            ) from None
        yield
    finally:
        os.close(fd)


def clean_leftovers(site_dir: Path) -> list[str]:
    """Remove a killed build's temporary folders and files (hold the build lock)."""
    from aprecords.site.build import clean_leftovers as clean_folders

    removed = clean_folders(site_dir)
    store = site_dir / STORE
    for sub in (store, store / "pages", store / "theme", site_dir / "nginx"):
        for leftover in sorted(sub.glob(".*")) if sub.is_dir() else []:
            if leftover.is_file():
                leftover.unlink()
                removed.append(f"{sub.name}/{leftover.name}")
    return removed


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


def shared_inputs(root: Path, today: date, compress: bool = False, tool: Path | None = None) -> str:
    """Digest of every input all audiences share (code, templates, docs, config, schemas, the
    site engine's and theme's versions, and whether pages are stored compressed); ``tool``:
    where the schemas and the web form come from when not from the records (``aprecords build
    --tool-dir``)."""
    from importlib.metadata import PackageNotFoundError, version

    from aprecords.site import engine

    h = hashlib.sha256()
    h.update(f"{engine.versions()}\0".encode())  # a new MkDocs or theme rebuilds every audience
    for package in ("aprecords", "english-words"):  # the dictionary
        try:
            h.update(f"{package}={version(package)}\0".encode())
        except PackageNotFoundError:
            h.update(f"{package}=unknown\0".encode())
    # *.txt: the guard's vendored Unicode data (guard/data/confusables-*.txt)
    _digest_files(h, PACKAGE, ("*.py", "*.j2", "*.css", "*.js", "*.svg", "*.html", "*.txt"))
    for name in ("docs", "mkdocs.yml", "aprecords.yml"):
        _digest_files(h, root / name)
    _digest_files(h, (tool or root) / "schema")
    from aprecords.site.build import node_modules
    from aprecords.site.cmsassets import PACKAGE as CMS_PACKAGE

    modules = node_modules(root, tool)  # the web form's pinned version (hub only, but cheap)
    h.update(f"cms={modules}\0".encode())
    if modules is not None:
        _digest_files(h, modules / CMS_PACKAGE / "package.json")
    h.update(today.isoformat().encode())
    h.update(b"\0compress" if compress else b"\0plain")
    return h.hexdigest()


def _json_default(value: Any) -> Any:
    if isinstance(value, Withheld):
        return {"\0withheld": True}
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)


def fingerprint(
    scoped: Scoped, shared: str, history: dict[str, Any] | None, status: Status | None = None
) -> str:
    """The fingerprint of one audience: its scoped records, their history, the shared inputs,
    and what its leak check searches for (the outside pupils, the withheld values and their
    classes): a new pupil elsewhere rebuilds and re-checks it, so no result depends on the
    cache. The hub's also holds the ``status`` its dashboard reports."""
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
    if status is not None and not status.empty():
        payload["status"] = status.as_json()
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


def record_state(
    site_dir: Path,
    outcome: Outcome,
    print_: str,
    shown: Scoped | None = None,
    today: date | None = None,
) -> None:
    """Remember what the audience's folder was built from (atomically): its fingerprint and
    manifest, its inline-script hashes and leak-check warnings, and (``shown``) the audience
    itself, the record files it shows and the date it was built for, so a later build that
    holds it back can keep serving it and say since when (:mod:`aprecords.site.stale`)."""
    name = outcome.audience
    target = _state_file(site_dir, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {
        "fingerprint": print_,
        "manifest": manifest(site_dir / name),
        "script_hashes": list(outcome.script_hashes),
        "warnings": list(outcome.warnings),
    }
    if shown is not None:
        a = shown.audience
        data["audience"] = {"kind": a.kind, "title": a.title}
        data["paths"] = sorted(set(shown.paths.values()))
    if today is not None:
        data["today"] = today.isoformat()
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f)
    os.replace(tmp, target)


def _states(site_dir: Path) -> dict[str, dict[str, Any]]:
    """Every audience's build record (name -> data), those that can be read."""
    store = site_dir / STORE
    found: dict[str, dict[str, Any]] = {}
    for file in sorted(store.glob("*.json")) if store.is_dir() else []:
        if file.name.startswith("_") or not (site_dir / file.stem).is_dir():
            continue
        try:
            data = json.loads(file.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            found[file.stem] = data
    return found


def published(site_dir: Path) -> dict[str, frozenset[str]]:
    """The record files each audience's folder shows, as its build record says."""
    return {
        name: frozenset(str(p) for p in state["paths"])
        for name, state in _states(site_dir).items()
        if isinstance(state.get("paths"), list)
    }


def built_for(site_dir: Path) -> dict[str, str]:
    """The date each audience's folder was built for (its dashboards' "today")."""
    return {
        name: str(state["today"])
        for name, state in _states(site_dir).items()
        if isinstance(state.get("today"), str)
    }


def kept_audience(site_dir: Path, name: str) -> Audience | None:
    """An audience built here before, as its build record describes it (for serving its
    folder while it is held back although its own registry record has an error)."""
    state = _states(site_dir).get(name)
    if state is None:
        return None
    about = state.get("audience") if isinstance(state.get("audience"), dict) else {}
    kind = about.get("kind")
    if kind not in ("school", "provider", "custom"):
        kind = "school" if name.startswith("school-") else "provider"
        kind = kind if name.startswith(("school-", "provider-")) else "custom"
    title = about.get("title") if isinstance(about.get("title"), str) else name
    return Audience(name, title, kind, frozenset())


def stored_warnings(site_dir: Path, name: str) -> tuple[str, ...] | None:
    """The leak-check warnings recorded with an audience's build; None if unknown."""
    try:
        found = json.loads(_state_file(site_dir, name).read_text("utf-8"))["warnings"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return tuple(str(w) for w in found) if isinstance(found, list) else None


def script_hashes(site_dir: Path, names: Iterable[str]) -> dict[str, list[str]]:
    """Each audience's inline-script hashes: those of the folder being served.

    Taken from the build record (a failed build keeps the previous folder and its hashes);
    without a record, read from the folder itself; no folder, none (``script-src 'self'``).
    """
    from aprecords.site.hosting import inline_script_hashes

    found: dict[str, list[str]] = {}
    for name in names:
        try:
            state = json.loads(_state_file(site_dir, name).read_text("utf-8"))
            hashes = state["script_hashes"]
            if not isinstance(hashes, list) or not all(
                isinstance(h, str) and _HASH.match(h) for h in hashes
            ):
                raise TypeError(name)
            found[name] = sorted(hashes)
        except (OSError, ValueError, KeyError, TypeError):
            folder = site_dir / name
            found[name] = inline_script_hashes(folder) if folder.is_dir() else []
    return found


def invalidate_state(site_dir: Path, name: str) -> None:
    """Before rebuilding: the record no longer vouches for the folder (no fingerprint), but
    keeps its script hashes, which stay right for the folder while the rebuild may fail."""
    target = _state_file(site_dir, name)
    try:
        state = json.loads(target.read_text("utf-8"))
    except (OSError, ValueError):
        target.unlink(missing_ok=True)
        return
    if not isinstance(state, dict):
        target.unlink()
        return
    state["fingerprint"] = None
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(state, f)
    os.replace(tmp, target)


# Worker processes: the repository and history are handed over once, when a worker starts
# (with the 'fork' start method nothing is pickled), not with every task.
_worker: dict[str, Any] = {}


def _init_worker(
    repo: Repository,
    history: Any,
    site_dir: Path,
    today: date,
    shared: str | None = None,
    compress: bool = False,
    status: Status | None = None,
) -> None:
    _worker.update(
        repo=repo,
        history=history,
        site_dir=site_dir,
        today=today,
        shared=shared,
        compress=compress,
        status=status,
    )
    signal.signal(signal.SIGTERM, _worker_sigterm)


def _worker_sigterm(signum: int, frame: object) -> None:
    if _busy:
        raise Terminated  # unwinds the build, removing its temporary folders
    os._exit(128 + signum)  # idle: nothing to clean


_busy = False


def _build_one(audience: Audience) -> Outcome:
    global _busy
    _busy = True
    try:
        return build_one(audience=audience, **_worker)
    except Terminated:
        os._exit(128 + signal.SIGTERM)  # cleaned up; end the worker, not just the task
    finally:
        _busy = False


def _stop_workers() -> None:
    """SIGTERM every worker (each removes its unfinished folders) and wait for them."""
    children = multiprocessing.active_children()
    for child in children:
        child.terminate()
    for child in children:
        child.join(timeout=60)
        if child.is_alive():
            child.kill()


def build_one(
    repo: Repository,
    history: Any,
    site_dir: Path,
    today: date,
    audience: Audience,
    shared: str | None = None,
    compress: bool = False,
    status: Status | None = None,
) -> Outcome:
    """Build one audience (swap and leak check included); a failure becomes an Outcome.

    Unchanged pages of its previous build are reused and theme files shared
    (:mod:`aprecords.site.incremental`, records in ``DIR/.aprecords``). ``status``: what the
    hub's dashboard says about the other sites (ignored for other audiences)."""
    from aprecords.site.build import BuildError, build_audience
    from aprecords.site.hosting import inline_script_hashes

    target = site_dir / audience.name
    status = status if audience.sees_all else None
    try:
        build_audience(
            repo, audience, target, today, history, site_dir / STORE, shared, compress, status
        )
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
    compress: bool = False,
    status: Status | None = None,
) -> list[Outcome]:
    """Build the audiences whose inputs changed into ``site_dir/<name>/``; skip the rest.

    ``compress``: store pages gzip-compressed (:mod:`aprecords.site.stored`); a change of it
    rebuilds every audience.

    ``status`` (records with errors, and the audiences they hold back, which are not in
    ``audiences``): shown on the hub's dashboard with the audiences whose build fails here;
    when one fails that the status did not list, the hub's dashboard is rebuilt to say so
    (one page). The status is kept in ``DIR/.aprecords/_status.json`` (:mod:`.stale`).

    ``workers`` defaults to ``os.cpu_count()``; with one worker or one audience to build, the
    build runs in this process. A failed audience (invalid output, a leak) keeps its previous
    folder and is reported in its Outcome; the others still build. ``site_dir`` is made 0755
    (the web server must traverse it), its build records 0700.
    """
    from aprecords.guard.normal import warm
    from aprecords.guard.shared import check_help_pages
    from aprecords.site.build import GENERATED, _base_config

    _base_config(repo.root)  # mkdocs.yml may not run code: refused before anything is built
    warm()
    check_help_pages(repo, [g for g in GENERATED if g != "index.md"])  # before anything is written
    site_dir = site_dir.resolve()
    site_dir.mkdir(parents=True, exist_ok=True)
    _traversable(site_dir)
    with build_lock(site_dir), stop_on_sigterm():
        clean_leftovers(site_dir)
        try:
            return _build_many(repo, audiences, site_dir, today, workers, force, compress, status)
        except BaseException:
            # The workers have stopped; a stop can interrupt their own cleanup halfway.
            with _sigterm_ignored():
                clean_leftovers(site_dir)
            raise


@contextlib.contextmanager
def _sigterm_ignored() -> Iterator[None]:
    """While inside, a further SIGTERM does not interrupt (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _traversable(site_dir: Path) -> None:
    """Make ``site_dir`` 0755 (nginx's workers must traverse it), or say why it cannot be."""
    from aprecords.errors import UsageError

    try:
        os.chmod(site_dir, 0o755)
    except PermissionError:
        mode = site_dir.stat().st_mode & 0o777
        if mode & 0o005 != 0o005:
            raise UsageError(
                f"{site_dir}: mode {mode:o}, not owned by you: the web server could not read the "
                "sites; build into a folder of your own, or ask its owner to make it 0755"
            ) from None


def _build_many(
    repo: Repository,
    audiences: list[Audience],
    site_dir: Path,
    today: date,
    workers: int | None,
    force: bool,
    compress: bool = False,
    given: Status | None = None,
) -> list[Outcome]:
    from aprecords.guard.scan import audience_plan, theme_digests
    from aprecords.site.build import change_history
    from aprecords.site.stale import load as load_status
    from aprecords.site.stale import save as save_status

    history = change_history(repo.root)
    shared = shared_inputs(repo.root, today, compress, repo.tool)
    scopes = {a.name: scope(repo, a) for a in audiences}
    names = {a.name for a in audiences}
    before = load_status(site_dir / STORE)
    held = (given or Status()).held
    # Until this build says otherwise, an audience that failed last time is still failing
    # (one that is held back now is listed for that instead).
    known = names | set(built_for(site_dir))
    hubs = {a.name for a in audiences if a.sees_all}  # a dashboard never lists its own site
    carried = {
        k: v for k, v in before.failed.items() if k in known and k not in held and k not in hubs
    }
    status = (given or Status()).with_failures(carried, {**before.as_of, **built_for(site_dir)})
    prints = {
        a.name: fingerprint(scopes[a.name], shared, history, status if a.sees_all else None)
        for a in audiences
    }
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
        invalidate_state(site_dir, a.name)
    workers = min(workers or os.cpu_count() or 1, len(stale))
    if stale:
        theme_digests()  # once here; forked workers inherit it
    if workers <= 1:
        results = [
            build_one(repo, history, site_dir, today, a, shared, compress, status) for a in stale
        ]
    else:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(repo, history, site_dir, today, shared, compress, status),
        )
        try:
            # Biggest first, so the longest build does not start last. (Futures are never
            # cancelled: Python 3.11's pool fails on cancelled futures when workers stop.)
            order = sorted(stale, key=lambda a: -len(scope_size(repo, a)))
            futures = [pool.submit(_build_one, a) for a in order]
            results = [future.result() for future in futures]
        except BaseException:
            with _sigterm_ignored():
                _stop_workers()
                pool.shutdown(wait=True)
            raise
        pool.shutdown(wait=True)
    for result in results:
        outcome = replace(result, warnings=warnings[result.audience])
        if outcome.built:
            name = outcome.audience
            record_state(site_dir, outcome, prints[name], scopes[name], today)
        outcomes[outcome.audience] = outcome
    failed = {k: v for k, v in carried.items() if k not in names}  # not built this time
    failed.update({o.audience: o.error for o in outcomes.values() if o.error})
    final = status.with_failures(failed, built_for(site_dir))
    hub = next((a for a in audiences if a.sees_all), None)
    if hub is not None and hub.name not in failed and final != status:
        # A failure the hub's dashboard does not show yet (or one that is over): say so.
        again = fingerprint(scopes[hub.name], shared, history, final)
        invalidate_state(site_dir, hub.name)
        outcome = build_one(repo, history, site_dir, today, hub, shared, compress, final)
        outcome = replace(outcome, warnings=warnings[hub.name])
        if outcome.built:
            record_state(site_dir, outcome, again, scopes[hub.name], today)
        else:
            failed[hub.name] = str(outcome.error)
            final = final.with_failures(failed, built_for(site_dir))
        outcomes[hub.name] = outcome
    save_status(site_dir / STORE, final)
    if stale:
        from aprecords.site.incremental import prune_theme

        prune_theme(site_dir / STORE)
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
        if state.stem in wanted or state.name.startswith("_"):  # _status.json: no audience
            continue
        folder = site_dir / state.stem
        if folder.is_dir():
            shutil.rmtree(folder)
        state.unlink()
        (store / "pages" / state.name).unlink(missing_ok=True)
        removed.append(state.stem)
    if removed:
        from aprecords.site.incremental import prune_theme

        prune_theme(store)
    return removed
