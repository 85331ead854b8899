"""One truth for attendance at reviews: the register's figures, filled in and checked.

hollybrook-2025-001 (brickworks: Tue AM, Tue PM, Thu AM) was reviewed on 2025-12-09; its
register then has w/c 15 Dec (/ \\ and L: 3 attended) and w/c 5 Jan (3 attended), Christmas
being a holiday, and the review of 9 Dec itself falls in w/c 8 Dec (Tue 9 AM and PM, Thu 11
AM: 3 more). So a review on Tue 13 Jan 2026 covers 9 of 9 sessions, counted by hand.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from datetime import date
from pathlib import Path

import yaml

from aprecords.access import hub
from aprecords.repository import load_repository
from aprecords.scope import scope
from aprecords.site.render import dashboard_lists, make_site
from conftest import PLACEMENT, REGISTER, Result, copy_examples, line_of, replace_line

RULE = "review-attendance-register"


def test_review_takes_its_figures_from_the_register(
    repo: Path, run_cli: Callable[..., Result]
) -> None:
    result = run_cli("--root", repo, "review", "hollybrook-2025-001", "--date", "2026-01-13")
    assert result.code == 0, result.err
    text = (repo / PLACEMENT).read_text("utf-8")
    assert "# From the attendance register, 2025-12-09 to 2026-01-12" in text
    figures = yaml.safe_load(text)["reviews"][-1]["attendance"]
    assert {k: v for k, v in figures.items() if k != "summary"} == {
        "sessions_possible": 9,
        "sessions_attended": 9,
        "authorised_absence": 0,
        "unauthorised_absence": 0,
        "percentage": 100.0,
    }
    checked = run_cli("--root", repo, "validate", "--today", "2026-01-13")
    assert f"[{RULE}]" not in checked.out


def test_without_a_covering_register_the_figures_are_left_to_type(
    repo: Path, run_cli: Callable[..., Result]
) -> None:
    # By 20 Jan the register lacks w/c 12 Jan: the command says so and fills nothing in.
    assert (
        run_cli("--root", repo, "review", "hollybrook-2025-001", "--date", "2026-01-20").code == 0
    )
    text = (repo / PLACEMENT).read_text("utf-8")
    assert "# The register has no marks for w/c 2026-01-12" in text
    assert "sessions_possible" not in yaml.safe_load(text)["reviews"][-1]["attendance"]


def test_typed_figures_that_differ_from_the_register_are_a_warning(
    repo: Path, run_cli: Callable[..., Result]
) -> None:
    file = repo / PLACEMENT
    # The first review (9 Dec) covers 16 Sep .. 8 Dec; its amendment gives the register's
    # 31 of 33. Typing 32 attended over it makes the two disagree.
    replace_line(file, "sessions_attended: 31", "sessions_attended: 32")
    result = run_cli("--root", repo, "validate", "--today", "2026-01-10")
    hits = [x for x in result.out.splitlines() if x.endswith(f"[{RULE}]")]
    assert len(hits) == 1 and result.code == 0
    assert hits[0].startswith(f"{PLACEMENT}:{line_of(file, 'summary: Strong start')}:")
    assert "sessions_attended 32 (register: 31)" in hits[0]


def test_the_register_is_not_judged_where_it_has_gaps(
    repo: Path, run_cli: Callable[..., Result]
) -> None:
    # Without w/c 13 Oct the register no longer covers the first review's period: its
    # typed figures cannot be checked, so nothing is said.
    register = repo / REGISTER
    lines = [x for x in register.read_text("utf-8").splitlines(True) if "2025-10-13" not in x]
    register.write_text("".join(lines), "utf-8")
    replace_line(repo / PLACEMENT, "sessions_attended: 31", "sessions_attended: 32")
    result = run_cli("--root", repo, "validate", "--today", "2026-01-10")
    assert f"[{RULE}]" not in result.out


def test_examples_agree_with_their_registers(
    run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    root = copy_examples(tmp_path / "r")
    result = run_cli("--root", root, "validate", "--today", "2026-01-10")
    assert f"[{RULE}]" not in result.out


def test_the_dashboard_uses_the_corrected_figures() -> None:
    """marsh-lane-2025-002's review typed 72.5%; its amendment gives the register's 91.2%."""
    from conftest import PROJECT

    repo = load_repository(PROJECT)
    lists = dashboard_lists(make_site(scope(repo, hub()), repo.config, date(2026, 1, 10)))
    assert "marsh-lane-2025-002" not in [row.id for row, _ in lists["low"]]


def test_a_disagreement_is_on_the_hubs_action_list_only(tmp_path: Path) -> None:
    import html

    from aprecords.access import audiences
    from aprecords.site.render import render_pages

    root = copy_examples(tmp_path / "r")
    replace_line(
        root / "records/placements/hollybrook/hollybrook-2025-001.yaml",
        "sessions_attended: 31",
        "sessions_attended: 32",
    )
    repo = load_repository(root)
    seen = {}
    for audience in audiences(repo):
        if audience.name in ("hub", "school-hollybrook", "provider-brickworks"):
            site = make_site(scope(repo, audience), repo.config, date(2026, 1, 10))
            page = dict(render_pages(site))["index.md"]
            section = html.unescape(page.split("## Action needed")[1].split("\n## ")[0])
            seen[audience.name] = "gives sessions_attended 32 (register: 31)" in section
    # It is the hub mentor's to put right; the school sees it among its pupils' items.
    assert seen == {"hub": True, "school-hollybrook": True, "provider-brickworks": False}


def test_figures_are_not_filled_over_missing_marks(
    repo: Path, run_cli: Callable[..., Result]
) -> None:
    # Thu AM of w/c 5 Jan left blank: 1 of the 9 timetabled sessions has no mark.
    week = line_of(repo / REGISTER, "- week: 2026-01-05")
    replace_line(repo / REGISTER, "- /", "- '-'", start=week + 2 + 6)
    result = run_cli("--root", repo, "review", "hollybrook-2025-001", "--date", "2026-01-13")
    assert result.code == 0, result.err
    text = (repo / PLACEMENT).read_text("utf-8")
    assert "# Not filled in: 1 timetabled session in w/c 2026-01-05 has no mark" in text
    assert "sessions_possible" not in yaml.safe_load(text)["reviews"][-1]["attendance"]


def test_running_review_again_for_its_date_completes_it(
    repo: Path, run_cli: Callable[..., Result]
) -> None:
    """As the guide says: add the review, import the missing week, run the command again."""
    args = ("--root", repo, "review", "hollybrook-2025-001", "--date", "2026-01-20")
    assert run_cli(*args).code == 0
    again = run_cli(*args)  # the register still lacks w/c 12 Jan: nothing to complete
    assert again.code == 0 and "still not filled in" in again.out
    assert "The register has no marks for w/c 2026-01-12" in again.out
    before = (repo / PLACEMENT).read_text("utf-8")
    assert len(yaml.safe_load(before)["reviews"]) == 2
    with (repo / REGISTER).open("a", encoding="utf-8") as handle:
        handle.write(
            "  - week: 2026-01-12\n    marks: ['-', '-', /, \\, '-', '-', I, '-', '-', '-']\n"
        )
    done = run_cli(*args)
    assert done.code == 0, done.err
    assert "Completed the review of 2026-01-20" in done.out
    text = (repo / PLACEMENT).read_text("utf-8")
    reviews = yaml.safe_load(text)["reviews"]
    assert [r["date"] for r in reviews] == [date(2025, 12, 9), date(2026, 1, 20)]
    # 9 sessions to 12 Jan (counted in the module docstring), then Tue 13 AM and PM present
    # and Thu 15 AM ill: 12 possible, 11 attended, 1 authorised.
    figures = {k: v for k, v in reviews[-1]["attendance"].items() if k != "summary"}
    assert figures == {
        "sessions_possible": 12,
        "sessions_attended": 11,
        "authorised_absence": 1,
        "unauthorised_absence": 0,
        "percentage": 91.7,
    }
    assert "The register has no marks for" not in text and "# sessions_possible: 0" not in text
    # Every other line is as it was: the only lines added are the figures (and their note),
    # the only ones removed the command's own placeholder comments.
    diff = list(difflib.ndiff(before.splitlines(), text.splitlines()))
    added = [d[2:].strip() for d in diff if d.startswith("+ ")]
    removed = [d[2:].strip() for d in diff if d.startswith("- ")]
    assert all(line.startswith("#") for line in removed) and len(removed) == 8
    assert [a.split(":")[0] for a in added if not a.startswith("#")] == list(figures)
    third = run_cli(*args)
    assert "already recorded with its attendance figures" in third.out
    assert (repo / PLACEMENT).read_text("utf-8") == text
