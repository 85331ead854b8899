"""History rules against a git revision (``validate --base REV``)."""

from __future__ import annotations

from aprecords.errors import UsageError
from aprecords.findings import Finding
from aprecords.repository import Repository


def check_history(repo: Repository, base: str, paths: set[str] | None) -> list[Finding]:
    """Not built yet: the history rules come with the Git workflow."""
    raise UsageError("--base is not available yet in this version")
