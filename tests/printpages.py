"""Helpers of the in-process print view tests (tests/test_mutants_print*.py): the example
records read with PyYAML, never through the tool, and one audience's print pages rendered as
the build renders them, without MkDocs."""

from __future__ import annotations

import functools
import html
import re
from datetime import date
from typing import Any

import yaml

from aprecords.access import Audience, audiences
from aprecords.repository import Repository
from aprecords.scope import scope
from aprecords.site.printviews import meeting_audience, parents_audience
from aprecords.site.render import make_site, render_pages
from conftest import PROJECT
from test_guard_planted import emails, planted_texts, records

TODAY = date(2026, 1, 10)
RICH = "hollybrook-2025-001"  # Brickworks only; attendance, reviews
TWO = "marsh-lane-2025-002"  # Brickworks on Mondays, Fenwick Vale on Wednesdays


@functools.cache
def withheld(cls: str) -> list[tuple[str, str]]:
    """(record path, text) of every searchable text of class ``cls`` (read once)."""
    return planted_texts(cls)


@functools.cache
def examples() -> dict[str, tuple[str, dict[str, Any]]]:
    return records()


@functools.cache
def yaml_of(rel: str) -> dict[str, Any]:
    return yaml.safe_load((PROJECT / rel).read_text("utf-8"))


def placement(pid: str) -> dict[str, Any]:
    return examples()[pid][1]


def provider(prid: str) -> dict[str, Any]:
    return yaml_of(f"records/providers/{prid}.yaml")


def school(sid: str) -> dict[str, Any]:
    return yaml_of(f"records/schools/{sid}.yaml")


def said(md: str) -> str:
    """What a reader sees: tags and link targets dropped, character references decoded,
    spaces collapsed."""
    text = re.sub(r"\[([^]]*)\]\([^)]*\)", r"\1", re.sub(r"<[^>]+>", " ", md))
    return " ".join(html.unescape(text).split())


def audience(repo: Repository, name: str) -> Audience:
    return next(a for a in audiences(repo) if a.name == name)


def prints(
    repo: Repository,
    who: Audience,
    *,
    today: date = TODAY,
    history: Any = None,
    parents: Any = "build",
    meeting: Any = "build",
) -> dict[str, str]:
    """The print pages of one audience's site, as the build renders them (site/build.py):
    ``parents`` and ``meeting`` are the narrower scopes ("build": as the build makes them)."""
    site = make_site(scope(repo, who), repo.config, today, history)
    site.parents = scope(repo, parents_audience(who)) if parents == "build" else parents
    site.meeting = scope(repo, meeting_audience(who)) if meeting == "build" else meeting
    return {rel: text for rel, text in render_pages(site) if "/print-" in rel}


def all_emails() -> set[str]:
    docs = [yaml.safe_load(p.read_text()) for p in sorted((PROJECT / "records").rglob("*.yaml"))]
    return {value for data in docs for _, value in emails(data)}
