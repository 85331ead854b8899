"""Shared fixtures and helpers: a small valid records repository, record editing, CLI runners.

Colleagues: append new fixtures at the end; keep the helpers here generic.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
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
EXAMPLE_RECORDS = (SCHOOL, PROVIDER, PLACEMENT)


def make_repo(root: Path) -> Path:
    """Write a small valid records repository at ``root``: config, schemas, three records."""
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
