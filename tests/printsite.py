"""Helpers shared by the print, phone and accessibility browser tests (issue 12): one built
and served copy of the examples, the page types to visit, and axe-core from node_modules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import PROJECT, TODAY, copy_examples, git

AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = PROJECT / "test-artifacts"
RICH = "hollybrook-2025-001"
"""The example agreement with attendance, reviews and a change history."""
VIEWS = ("full", "agreement", "parents")

PAGE_TYPES = {
    "dashboard": "index.html",
    "schools": "schools/index.html",
    "school": "schools/hollybrook.html",
    "providers": "providers/index.html",
    "provider": "providers/brickworks.html",
    "placements": "placements/index.html",
    "agreement": f"placements/{RICH}.html",
    "print-full": f"placements/{RICH}/print-full.html",
    "print-agreement": f"placements/{RICH}/print-agreement.html",
    "print-parents": f"placements/{RICH}/print-parents.html",
    "record-format": "record-format.html",
}


def help_pages(site_dir: Path) -> dict[str, str]:
    """Every help page of the built site (docs/*.md become top-level pages)."""
    names = sorted(p.stem for p in (PROJECT / "docs").glob("*.md"))
    pages = {f"help-{n}": ("about.html" if n == "index" else f"{n}.html") for n in names}
    assert all((site_dir / p).is_file() for p in pages.values()), pages
    return pages


def build_examples(root: Path, *audiences: str, with_git: bool = False) -> Path:
    """The examples copied under ``root``, optionally committed to git, built for
    ``audiences`` into ``root/site``; returns the site folder."""
    from aprecords import cli

    repo = copy_examples(root / "repo")
    if with_git:
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", ".")
        git(repo, "commit", "-q", "-m", "Examples for the print tests")
    out = root / "site"
    args = ["--root", str(repo), "build", "--today", TODAY, "--site-dir", str(out)]
    for name in audiences:
        args += ["--audience", name]
    assert cli.main(args) == 0, "the examples did not build"
    return out


def axe_script() -> Path:
    """axe-core's script from node_modules (``npm ci``); skip locally, fail on CI without it."""
    if AXE.is_file():
        return AXE
    message = f"{AXE} is missing: run `npm ci` (axe-core is pinned in package-lock.json)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
