"""Shared fixtures and helpers: a small valid records repository, record editing, CLI runners.

Colleagues: append new fixtures at the end; keep the helpers here generic.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from aprecords import cli

PROJECT = Path(__file__).resolve().parents[1]
TODAY = "2026-01-10"
"""A fixed date the example records are valid against (no review overdue)."""

SCHOOL = "records/schools/hollybrook.yaml"
PROVIDER = "records/providers/brickworks.yaml"
PLACEMENT = "records/placements/hollybrook/hollybrook-2025-001.yaml"
REGISTER = "records/attendance/hollybrook-2025-001.yaml"
EXAMPLE_RECORDS = (SCHOOL, PROVIDER, PLACEMENT, REGISTER)


def make_repo(root: Path) -> Path:
    """Write a small valid records repository at ``root``: config, schemas, four records (a
    school, a provider, a placement and its attendance register, complete to TODAY)."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT / "aprecords.yml", root / "aprecords.yml")
    shutil.copytree(PROJECT / "schema", root / "schema")
    for rel in EXAMPLE_RECORDS:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT / rel, root / rel)
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A fresh, valid records repository in ``tmp_path / "repo"``; returns its root."""
    return make_repo(tmp_path / "repo")


def line_of(file: Path, text: str, start: int = 1) -> int:
    """1-based number of the first line at or after ``start`` that contains ``text``."""
    for number, line in enumerate(file.read_text("utf-8").splitlines(), start=1):
        if number >= start and text in line:
            return number
    raise AssertionError(f"{text!r} not found in {file}")


def replace_line(file: Path, old: str, new: str, start: int = 1) -> int:
    """Replace the first line at or after ``start`` containing ``old`` by ``new`` (same indent
    unless ``new`` has its own). Returns the 1-based line number replaced."""
    lines = file.read_text("utf-8").splitlines(keepends=True)
    number = line_of(file, old, start)
    current = lines[number - 1]
    indent = current[: len(current) - len(current.lstrip(" "))]
    lines[number - 1] = (new if new.startswith(" ") else indent + new) + "\n"
    file.write_text("".join(lines), "utf-8")
    return number


def insert_after(file: Path, anchor: str, new: str, start: int = 1) -> int:
    """Insert ``new`` (written as is) after the first line containing ``anchor``.
    Returns the 1-based line number of the first inserted line."""
    lines = file.read_text("utf-8").splitlines(keepends=True)
    number = line_of(file, anchor, start)
    lines.insert(number, new if new.endswith("\n") else new + "\n")
    file.write_text("".join(lines), "utf-8")
    return number + 1


def delete_line(file: Path, text: str, start: int = 1) -> int:
    """Delete the first line at or after ``start`` containing ``text``; returns its number."""
    lines = file.read_text("utf-8").splitlines(keepends=True)
    number = line_of(file, text, start)
    del lines[number - 1]
    file.write_text("".join(lines), "utf-8")
    return number


@dataclass
class Result:
    """What a command run gave: exit code and both output streams."""

    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run ``aprecords.cli.main(args)`` in-process; argparse exits become exit codes."""

    def run(*args: str | Path) -> Result:
        capsys.readouterr()
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as exc:  # argparse usage errors
            code = exc.code if isinstance(exc.code, int) else 2
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def run_module(*args: str | Path, cwd: Path | None = None, timeout: float = 120) -> Result:
    """Run ``python -m aprecords ARGS`` in a subprocess (as a user would)."""
    proc = subprocess.run(
        [sys.executable, "-m", "aprecords", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(PROJECT / "scripts")},
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def require_tool(name: str) -> str:
    """Path of executable ``name``. Missing: skip locally with a reason, fail when CI=true."""
    found = shutil.which(name)
    if found:
        return found
    message = f"{name} is not installed (needed for this test)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI must provide it")
    pytest.skip(f"{message}; install it to run this test locally")


GIT_AUTHOR = ("-c", "user.name=Test Author", "-c", "user.email=test@example.org")


def git(root: Path, *args: str, when: str = "2026-01-05T10:00:00+00:00") -> str:
    """Run git in ``root`` with a fixed author and date, no user or system config; stdout."""
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    done = subprocess.run(
        ["git", *GIT_AUTHOR, *args], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture
def git_repo(repo: Path) -> Path:
    """The ``repo`` fixture as a git repository with everything in one commit on ``main``."""
    require_tool("git")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "Initial records")
    return repo


# --- Site fixtures (issue 3): a full copy of the examples, a loopback web server, Chromium ---

SITE_FILES = ("aprecords.yml", "mkdocs.yml", "schema", "records", "docs")


def copy_examples(root: Path) -> Path:
    """A records repository at ``root`` holding a copy of every example record, schema,
    docs page and the base mkdocs.yml (a snapshot, so colleagues' edits cannot race a test)."""
    root.mkdir(parents=True, exist_ok=True)
    for name in SITE_FILES:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns(".*"))
        elif source.is_file():
            shutil.copy(source, root / name)
    return root


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """A fresh copy of the example repository (see ``copy_examples``)."""
    return copy_examples(tmp_path / "examples")


class LoopbackServer:
    """A threaded ``http.server`` serving one folder on 127.0.0.1 (for browser tests)."""

    def __init__(self, folder: Path) -> None:
        import functools
        import threading
        from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

        class Quiet(SimpleHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

        handler = functools.partial(Quiet, directory=str(folder))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium driven by Playwright (skips locally, fails on CI when missing)."""
    if not Path(CHROMIUM).exists():
        require_tool("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("playwright is not installed; CI must provide it")
        pytest.skip("playwright is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


POLICY_KEYS = ("audiences:", "hosting:")


def without_policy(file: Path) -> None:
    """Remove the top-level ``audiences`` and ``hosting`` blocks of an aprecords.yml copy, so a
    test can append a policy of its own (a repeated top-level key is a duplicate-key error)."""
    kept: list[str] = []
    skipping = False
    for line in file.read_text("utf-8").splitlines(keepends=True):
        if line[:1] not in (" ", "#", "\n", ""):
            skipping = line.startswith(POLICY_KEYS)
        if not skipping:
            kept.append(line)
    file.write_text("".join(kept), "utf-8")


# Who sees which example placement, read by hand from the records: a school its own folder,
# a provider each placement naming it under `placements[].provider`, the hub everything.
HOLLYBROOK = [f"hollybrook-{n}" for n in ("2024-007", "2025-001", "2025-002", "2025-003")]
MARSH_LANE = [f"marsh-lane-{n}" for n in ("2024-003", "2025-001", "2025-002", "2025-004")]
ST_ALDRIC = [f"st-aldric-2025-00{n}" for n in (1, 2, 3, 4)]
SEEN_BY = {
    "hub": HOLLYBROOK + MARSH_LANE + ST_ALDRIC,
    "school-hollybrook": HOLLYBROOK,
    "school-marsh-lane": MARSH_LANE,
    "school-st-aldric": ST_ALDRIC,
    "provider-brickworks": [
        "hollybrook-2025-001", "hollybrook-2025-003", "marsh-lane-2025-002", "st-aldric-2025-004"
    ],
    "provider-fenwick-vale": ["hollybrook-2024-007", "marsh-lane-2025-002", "st-aldric-2025-002"],
    "provider-shear-brilliance": [
        "marsh-lane-2025-001", "marsh-lane-2025-004", "st-aldric-2025-003"
    ],
    "provider-torque-garage": ["hollybrook-2025-002", "marsh-lane-2024-003", "st-aldric-2025-001"],
}  # fmt: skip


# --- Hosting fixtures (issue 10): folders nginx's unprivileged workers can traverse ---------

WEB_USER = "www-data"
"""The user Debian's nginx workers run as; the tests run nginx that way too (as root)."""


@contextmanager
def www_readable_dir(prefix: str = "aprecords-www-") -> Iterator[Path]:
    """A fresh folder directly under /tmp, mode 0755, removed afterwards.

    pytest's ``tmp_path`` lives under ``/tmp/pytest-of-<user>/`` (mode 0700): nginx workers
    running as www-data could not traverse it, so anything nginx serves lives in one of these.
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    os.chmod(folder, 0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def www_tmp() -> Iterator[Path]:
    """A ``www_readable_dir`` for one test."""
    with www_readable_dir() as folder:
        yield folder
