"""Rule registration-threshold: an unregistered provider educating 5 pupils of compulsory
school age full-time, or 1 with an EHC plan or looked after, counted across placements on
each day (Education Act 1996, s.463); the per-pupil rule is a warning that explains it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from aprecords.findings import Finding
from aprecords.repository import load_repository
from aprecords.validate import validate
from conftest import PLACEMENT, PROVIDER, delete_line, line_of, make_repo, replace_line

TODAY = date(2026, 1, 10)
LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn(n: int) -> str:
    """A valid UPN (DfE check letter) that differs per pupil, worked out independently."""
    body = f"2070000160{n:02d}"
    total = sum(w * int(c) for w, c in enumerate(body, start=2))
    return LETTERS[total % 23] + body


def pupils(repo: Path, count: int, **changes: str) -> list[str]:
    """``count`` pupils 20 hours a week at brickworks (made unregistered), none with an EHC
    plan or looked after; ``changes`` maps a record path's number to 'old=>new' edits."""
    replace_line(repo / PROVIDER, "status: registered", "status: unregistered")
    delete_line(repo / PROVIDER, "urn: '199950'")
    text = (repo / PLACEMENT).read_text("utf-8")
    text = text.replace("ehcp: true", "ehcp: false").replace(
        "hours_per_week: 9", "hours_per_week: 20"
    )
    paths = []
    for n in range(1, count + 1):
        rid = f"hollybrook-2025-1{n:02d}"
        path = f"records/placements/hollybrook/{rid}.yaml"
        body = text.replace("hollybrook-2025-001", rid).replace("P207000016049", upn(n))
        for edit in changes.get(f"p{n}", "").split(";"):
            if edit:
                old, new = edit.split("=>")
                assert old in body, old
                body = body.replace(old, new, 1)
        (repo / path).write_text(body, "utf-8")
        paths.append(path)
    (repo / PLACEMENT).unlink()
    return paths


def hits(repo: Path, rule: str = "registration-threshold") -> list[Finding]:
    return [f for f in validate(load_repository(repo), TODAY) if f.rule == rule]


def test_four_pupils_full_time_are_below_the_threshold(repo: Path) -> None:
    paths = pupils(repo, 4)
    assert hits(repo) == []
    warned = hits(repo, "unregistered-full-time")
    assert sorted(f.path for f in warned) == sorted(paths)
    assert all(f.severity == "warning" for f in warned)
    assert "5 pupils of compulsory school age" in warned[0].message


def test_five_pupils_full_time_pass_the_threshold(repo: Path) -> None:
    paths = pupils(repo, 5)
    found = hits(repo)
    assert sorted((f.path, f.severity) for f in found) == [(p, "error") for p in sorted(paths)]
    line = line_of(repo / paths[0], "hours_per_week: 20")
    assert {f.line for f in found} == {line}
    assert "on 2026-01-10" in found[0].message and "5 pupils" in found[0].message


def test_pupils_past_compulsory_school_age_are_not_counted(repo: Path) -> None:
    pupils(repo, 5, p5="year_group: 10=>year_group: 12")
    assert hits(repo) == []


def test_one_looked_after_pupil_is_enough(repo: Path) -> None:
    (path,) = pupils(repo, 1, p1="looked_after: false=>looked_after: true")
    (found,) = hits(repo)
    assert found.path == path and "looked after" in found.message


def test_part_time_pupils_are_not_counted(repo: Path) -> None:
    pupils(repo, 5, p5="hours_per_week: 20=>hours_per_week: 18")
    assert hits(repo) == []


def test_counted_on_each_day(repo: Path) -> None:
    ended = (
        "actual_start: 2025-09-16=>actual_start: 2025-09-16\n"
        "ended:\n  date: 2025-12-19\n  reason: Done."
    )
    pupils(repo, 5, p5=ended)
    assert hits(repo) == []  # never five at once from today on
    repo_b = repo.parent / "b"
    make_repo(repo_b)
    later = "actual_start: 2025-09-16=>actual_start: 2026-02-23"
    paths = pupils(repo_b, 5, p5=later)
    found = hits(repo_b)
    assert sorted(f.path for f in found) == sorted(paths)
    assert "on 2026-02-23" in found[0].message
