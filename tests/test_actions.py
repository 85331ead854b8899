"""Action items: set-up confirmations, late starts and reviews, in CI and on the right dashboards.

Dates below are worked out by hand from the example records: hollybrook-2025-001 started on
Tuesday 2025-09-16 (five school days later is Tuesday 2025-09-23); hollybrook-2025-002 asked
to start on 2026-01-19 and has no actual_start; st-aldric-2025-002 asked for 2026-02-23.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from aprecords.access import audiences
from aprecords.actions import SETUP_ITEMS, school_days_after
from aprecords.repository import load_repository
from aprecords.scope import scope
from aprecords.site.render import dashboard_lists, make_site, render_pages
from conftest import PLACEMENT, Result, copy_examples, line_of, replace_line

SETUP_KEYS = [path[-1] for path, _, _ in SETUP_ITEMS]


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2025, 9, 16), 5, date(2025, 9, 23)),  # Tue + 5 school days = next Tue
        (date(2026, 1, 9), 5, date(2026, 1, 16)),  # Fri -> Mon..Fri of the next week
        (date(2026, 1, 10), 1, date(2026, 1, 12)),  # a Saturday start: Monday is the first
        (date(2026, 1, 5), 0, date(2026, 1, 5)),
    ],
)
def test_school_days_skip_weekends(start: date, days: int, expected: date) -> None:
    assert school_days_after(start, days) == expected


def unconfirm(file: Path, keys: list[str]) -> dict[str, int]:
    """Set each of ``keys`` to false in ``file``; their line numbers by key."""
    return {key: replace_line(file, f"{key}: true", f"{key}: false") for key in keys}


def findings(result: Result, rule: str) -> list[str]:
    return [line for line in result.out.splitlines() if line.endswith(f"[{rule}]")]


def test_setup_confirmations_are_due_in_the_grace_period_then_overdue_never_errors(
    repo: Path, run_cli: Callable[..., Result]
) -> None:
    lines = unconfirm(repo / PLACEMENT, SETUP_KEYS)
    early = run_cli("--root", repo, "validate", "--today", "2025-09-23")
    assert early.code == 0, early.out
    warned = findings(early, "setup-incomplete")
    assert len(warned) == 6 and not findings(early, "setup-overdue")
    for key, line in lines.items():
        assert any(f"{PLACEMENT}:{line}:" in w for w in warned), key
    assert all("warning:" in w and "due by 2025-09-23" in w for w in warned)

    late = run_cli("--root", repo, "validate", "--today", "2025-09-24")
    assert late.code == 0, late.out  # the date alone never fails a check (issue 20)
    failed = findings(late, "setup-overdue")
    assert len(failed) == 6 and not findings(late, "setup-incomplete")
    assert all("warning:" in f and "was due by 2025-09-23" in f for f in failed)
    risk = next(
        f for f in failed if f.startswith(f"{PLACEMENT}:{lines['risk_assessment_shared']}:")
    )
    assert "share the risk assessment with the hub" in risk


def test_grace_period_is_configurable(repo: Path, run_cli: Callable[..., Result]) -> None:
    unconfirm(repo / PLACEMENT, ["contacts_shared"])
    (repo / "aprecords.yml").write_text(
        (repo / "aprecords.yml")
        .read_text("utf-8")
        .replace("grace_school_days: 5", "grace_school_days: 10"),
        "utf-8",
    )
    # Ten school days after Tue 16 Sep 2025 is Tue 30 Sep 2025.
    assert run_cli("--root", repo, "validate", "--today", "2025-09-30").code == 0
    late = run_cli("--root", repo, "validate", "--today", "2025-10-01")
    assert len(findings(late, "setup-overdue")) == 1 and late.code == 0


def test_nothing_is_asked_before_the_start(repo: Path, run_cli: Callable[..., Result]) -> None:
    unconfirm(repo / PLACEMENT, SETUP_KEYS)
    result = run_cli("--root", repo, "validate", "--today", "2025-09-15")
    assert not findings(result, "setup-incomplete") and not findings(result, "setup-overdue")


def test_a_placement_that_never_started_is_flagged(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    root = copy_examples(tmp_path / "r")
    file = "records/placements/hollybrook/hollybrook-2025-002.yaml"
    assert run_cli("--root", root, "validate", "--today", "2026-01-19").out.count(file) == 0
    ten_months = run_cli("--root", root, "validate", "--today", "2026-11-19")
    late = [f for f in findings(ten_months, "start-overdue") if f.startswith(file)]
    assert len(late) == 1 and late[0].startswith(
        f"{file}:{line_of(root / file, 'requested_start:')}:"
    )
    assert "2026-01-19" in late[0] and "warning:" in late[0]


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_examples(tmp_path_factory.mktemp("actions") / "r")
    file = root / "records/placements/hollybrook/hollybrook-2025-001.yaml"
    unconfirm(file, ["risk_assessment_shared", "responsibilities_understood"])
    return root


def dashboard(root: Path, audience: str, today: date) -> str:
    repo = load_repository(root)
    chosen = {a.name: a for a in audiences(repo)}[audience]
    pages = dict(render_pages(make_site(scope(repo, chosen), repo.config, today)))
    return pages["index.md"]


def action_section(page: str) -> str:
    return page.split("## Action needed")[1].split("\n## ")[0]


LATE_START = "st-aldric-2025-002"
RISK = "share the risk assessment with the hub"
DSL = "confirm that the provider&#39;s dsl responsibilities are understood"


@pytest.mark.parametrize(
    ("audience", "shown"),
    [
        ("hub", {LATE_START, RISK, DSL}),
        ("school-st-aldric", {LATE_START}),
        ("school-hollybrook", {RISK, DSL}),
        ("provider-brickworks", {DSL}),
        ("provider-torque-garage", set()),
        ("la-inclusion", {RISK, DSL}),
    ],
)
def test_each_action_reaches_the_right_dashboards_only(
    examples: Path, audience: str, shown: set[str]
) -> None:
    page = dashboard(examples, audience, date(2026, 3, 25))
    # A provider's dashboard opens with its weekly return (the template, one click away);
    # then, as on every dashboard, what needs doing.
    first = ["## Your weekly attendance return"] if audience.startswith("provider-") else []
    heads = re.findall(r"(?m)^## .*", page)
    assert heads[: len(first) + 1] == [*first, "## Action needed"], "not the first section"
    section = action_section(page)
    for item in (LATE_START, RISK, DSL):
        assert (item in section.lower()) == (item in shown), (audience, item)


def test_examples_give_the_hub_and_a_school_work_to_do_on_25_march() -> None:
    from conftest import PROJECT

    for audience in ("hub", "school-st-aldric"):
        section = action_section(dashboard(PROJECT, audience, date(2026, 3, 25)))
        assert section.count("\n| ") >= 3, audience  # heading, rule and at least one item
        assert "overdue, was due" in section


def test_starting_soon_lists_only_future_starts(examples: Path) -> None:
    repo = load_repository(examples)
    hub = {a.name: a for a in audiences(repo)}["hub"]

    def starting(today: date) -> list[str]:
        site = make_site(scope(repo, hub), repo.config, today)
        return [row.id for row in dashboard_lists(site)["starting"]]

    assert "hollybrook-2025-002" in starting(date(2026, 1, 10))  # starts in 9 days
    assert "hollybrook-2025-002" not in starting(date(2026, 1, 25))  # six days late
    assert starting(date(2026, 3, 25)) == []  # 23 Feb is past; nothing else requested


def test_a_single_schools_site_has_no_school_column(examples: Path) -> None:
    school = dashboard(examples, "school-hollybrook", date(2026, 3, 25))
    hub = dashboard(examples, "hub", date(2026, 3, 25))
    assert "| Pupil | School |" in hub
    assert "| Pupil | School |" not in school and "| Pupil |" in school


def test_each_section_offers_a_change_request_with_nothing_but_the_record_id(
    examples: Path,
) -> None:
    from urllib.parse import unquote

    repo = load_repository(examples)
    chosen = {a.name: a for a in audiences(repo)}["provider-brickworks"]
    pages = dict(render_pages(make_site(scope(repo, chosen), repo.config, date(2026, 3, 25))))
    page = pages["placements/hollybrook-2025-001.md"]
    links = [unquote(u) for u in re.findall(r"\]\((mailto:[^)]*)\)", page)]
    assert len(links) == 8  # one per section of the form, review history included
    assert all(u.startswith("mailto:l.inchcape@j16.example.org?") for u in links)
    assert any("subject=Change request: hollybrook-2025-001, Targets" in u for u in links)
    student = repo.placements["hollybrook-2025-001"].data["student"]
    for link in links:
        assert "Record: hollybrook-2025-001" in link
        for secret in (student["name"], *student["name"].split(), student["upn"]):
            assert secret not in link


@pytest.mark.parametrize(
    ("review", "rule"),
    [
        ("2026-03-24", "review-overdue"),  # yesterday
        ("2026-03-25", "review-due"),  # today: due, not yet overdue
        ("2026-04-08", "review-due"),  # the last day of due_soon_days (14)
        ("2026-04-09", None),
    ],
)
def test_a_review_due_today_is_due_not_overdue(review: str, rule: str | None) -> None:
    from aprecords.actions import placement_actions
    from conftest import PROJECT

    repo = load_repository(PROJECT)
    data = {
        "actual_start": "2026-01-06",
        "placements": [],
        "next_review": {"date": review, "staff": "A Mentor"},
    }
    found = [
        a
        for a in placement_actions("x", data, date(2026, 3, 25), repo.config)
        if a.rule.startswith("review-")
    ]
    assert [a.rule for a in found] == ([rule] if rule else [])
    if rule:
        assert found[0].since == date.fromisoformat(review)
        assert found[0].overdue is (rule == "review-overdue")
