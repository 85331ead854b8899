"""Attendance on the built sites: the agreement page section, the dashboard flags, reviews.ics."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar

from aprecords.attendance.register import weeks_of
from aprecords.load import load_file
from conftest import TODAY, copy_examples


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The examples built for the hub and for Hollybrook's school audience."""
    from aprecords import cli

    root = copy_examples(tmp_path_factory.mktemp("attendance-site") / "repo")
    out = root.parent / "site"
    # Hollybrook's staff have a subscribable calendar (site/feeds.py).
    config = root / "aprecords.yml"
    secrets = root.parent / "calendar-secrets"
    old = "  password_dir: /etc/aprecords/htpasswd\n"
    config.write_text(
        config.read_text("utf-8").replace(old, f"{old}  calendar_secrets: {secrets}\n"), "utf-8"
    )
    assert cli.main(["--root", str(root), "calendar", "rotate", "school-hollybrook"]) == 0
    args = ["--root", str(root), "build", "--today", TODAY, "--site-dir", str(out)]
    code = cli.main([*args, "--audience", "hub", "--audience", "school-hollybrook"])
    assert code == 0, "the attendance tests' sites did not build"
    return root, out


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_agreement_page_has_the_section_after_the_review_history(sites) -> None:
    root, out = sites
    html = (out / "hub/placements/marsh-lane-2025-001.html").read_text("utf-8")
    order = [
        html.index(f'id="{anchor}"')
        for anchor in ("review-history", "attendance", "target-progress")
    ]
    assert order == sorted(order)
    section = html[order[1] : order[2]]
    weeks = weeks_of(load_file(root / "records/attendance/marsh-lane-2025-001.yaml", "x").data)
    assert section.count('<th scope="row">') == len(weeks)
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="att-chart" role="img"' in section
    assert section.count("<rect ") == len(weeks)
    assert "persistent absence" in text_of(section)


def test_placement_without_attendance_says_so(sites) -> None:
    _, out = sites
    html = (out / "hub/placements/hollybrook-2025-002.html").read_text("utf-8")
    assert "No attendance recorded yet." in html


def test_dashboard_lists_persistent_and_severe_absence(sites) -> None:
    _, out = sites
    html = (out / "hub/index.html").read_text("utf-8")
    start = html.index('id="absence-over-the-last-4-and-the-last-6-weeks"')
    section = html[start : html.index('id="calendar"')]
    rows = re.findall(r'href="placements/([a-z0-9-]+)\.html".*?</tr>', section, re.S)
    assert ("st-aldric-2025-001" in rows) and ("marsh-lane-2025-001" in rows)
    assert "hollybrook-2025-001" not in rows
    severe = re.search(r"st-aldric-2025-001\.html.*?last 4 weeks.*?</tr>", section, re.S)
    assert severe and "status-severe" in severe.group(0)
    assert 'href="reviews.ics"' in html


def test_school_dashboard_only_lists_its_own_pupils(sites) -> None:
    _, out = sites
    html = (out / "school-hollybrook/index.html").read_text("utf-8")
    assert "marsh-lane-2025-001" not in html and "st-aldric" not in html
    assert "No pupil is persistently or severely absent over these weeks." in html


def events(path: Path) -> list:
    calendar = Calendar.from_ical(path.read_bytes())
    return [c for c in calendar.walk("VEVENT")]


def test_calendar_parses_and_holds_upcoming_reviews_and_starts(sites) -> None:
    _, out = sites
    found = events(out / "hub/reviews.ics")
    assert found, "the hub's calendar is empty"
    today = date.fromisoformat(TODAY)
    days = [e.decoded("dtstart") for e in found]
    assert all(isinstance(d, date) and d >= today for d in days)
    assert days == sorted(days)
    uids = [str(e["uid"]) for e in found]
    assert len(set(uids)) == len(uids)
    summaries = [str(e["summary"]) for e in found]
    assert any(s.startswith("Review: ") for s in summaries)
    assert "start-hollybrook-2025-002@aprecords" in uids  # requested placement; no date in it
    assert not any("hollybrook-2025-003" in u for u in uids)  # ended


def test_school_calendar_is_scoped(sites) -> None:
    _, out = sites
    uids = [str(e["uid"]) for e in events(out / "school-hollybrook/reviews.ics")]
    assert uids and all("-hollybrook-" in u for u in uids)
    text = (out / "school-hollybrook/reviews.ics").read_text("utf-8")
    assert "marsh-lane" not in text.replace("\r\n ", "") and "st-aldric" not in text


def test_the_build_publishes_the_secret_calendar_without_names(sites) -> None:
    root, out = sites
    secret = (root.parent / "calendar-secrets" / "school-hollybrook").read_text().strip()
    (feed,) = (out / "_calendars").iterdir()
    assert feed.name == f"{secret}.ics"
    body = feed.read_bytes().replace(b"\r\n ", b"")
    found = events(feed)
    assert found and all("-hollybrook-" in str(e["uid"]) for e in found)
    for pupil in root.glob("records/placements/hollybrook/*.yaml"):
        name = load_file(pupil, pupil.name).data["student"]["name"]
        assert name.split()[-1].encode() not in body
    private = (out / "school-hollybrook/reviews.ics").read_bytes().replace(b"\r\n ", b"")
    assert b"Tobias Wrenfeather" in private  # the feed behind the login keeps names


def test_withheld_names_are_shown_by_record_id() -> None:
    from aprecords.scope import WITHHELD
    from aprecords.site.ical import events

    placement = {
        "school": "s",
        "student": {"name": WITHHELD},
        "placements": [{"provider": "p"}],
        "requested_start": "2026-02-02",
        "next_review": {"date": "2026-03-02", "staff": "Ms Example"},
    }
    found = events({"s-2026-001": placement}, {"s": {"name": "S School"}}, {}, date(2026, 1, 10))
    assert [(uid, day, summary) for uid, day, summary, _ in found] == [
        ("start-s-2026-001", date(2026, 2, 2), "Placement starts: s-2026-001 (S School)"),
        ("review-s-2026-001-1", date(2026, 3, 2), "Review: s-2026-001 (S School)"),
    ]
    assert "At p. Record s-2026-001." in [d for *_, d in found]


def test_dashboard_shows_each_schools_attendance(sites) -> None:
    _, out = sites
    html = (out / "hub/index.html").read_text("utf-8")
    section = text_of(html[html.index('id="attendance-per-school"') : html.index('id="calendar"')])
    # Marsh Lane's whole record, counted by hand from records/attendance/marsh-lane-*.yaml
    # (every week is before 10 Jan 2026):
    #   2025-001: 13 weeks x 4 sessions = 52 possible; absent I, N, I, O, O, U = 6; 46 attended
    #   2025-002: 12 weeks x 4 sessions = 48 possible; absent I, I, M = 3; 45 attended (K)
    #   2025-004:  4 weeks x 2 sessions =  8 possible; 8 attended (L is present)
    # 99 of 108 sessions: 91.666...%, shown to one decimal. The last 4 weeks are 13 Dec to
    # 9 Jan (weeks of 15 Dec and 5 Jan): 001 has 8 possible, O O U absent, 5 attended; 002 8 of
    # 8; 004 4 of 4: 17 of 20, 85.0%. The last 6 weeks (29 Nov to 9 Jan) add the weeks of 1 and
    # 8 Dec: 001 16 possible, 12 attended; 002 16 of 16; 004 8 of 8: 36 of 40, 90.0%.
    assert "85.0% (17 of 20) 90.0% (36 of 40) 91.7% (99 of 108)" in section
    assert "Last 4 weeks" in section and "Whole record" in section
