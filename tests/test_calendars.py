"""Subscribable calendars: a feed per audience at a secret address kept outside the
repository, with pupils as initials and record id only, a refresh interval, UIDs that stay
when a date moves; read back with the icalendar library (as a calendar client parses it)."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar

from aprecords.access import checked_audiences
from aprecords.config import ConfigError
from aprecords.repository import load_repository
from aprecords.site import feeds
from aprecords.site.ical import feed, initials
from conftest import PLACEMENT, copy_examples, line_of, replace_line

TODAY = date(2026, 1, 10)


def parsed(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def with_secrets(root: Path, folder: Path) -> None:
    config = root / "aprecords.yml"
    text = config.read_text("utf-8")
    old = "  password_dir: /etc/aprecords/htpasswd\n"
    assert old in text
    config.write_text(text.replace(old, old + f"  calendar_secrets: {folder}\n"), "utf-8")


def test_initials() -> None:
    assert initials("Tobias Wrenfeather") == "T.W."
    assert initials("Rhiannon Ffoulkes-Banner") == "R.F.B."


def test_public_feed_has_initials_record_id_and_a_refresh_interval(repo: Path) -> None:
    loaded = load_repository(repo)
    data = {k: r.data for k, r in loaded.placements.items()}
    schools = {k: r.data for k, r in loaded.schools.items()}
    body = feed(data, schools, {}, TODAY, "Test", names=False)
    assert b"Wrenfeather" not in body and b"Tobias" not in body
    cal = parsed(body)
    assert str(cal["refresh-interval"].to_ical().decode()) == "PT6H"
    assert cal["x-published-ttl"] == "PT6H"
    (review,) = [e for e in cal.walk("VEVENT") if str(e["summary"]).startswith("Review")]
    # The example's next review (after the one of 2025-12-09) is its 2nd.
    assert str(review["summary"]) == "Review: T.W. hollybrook-2025-001 (Hollybrook Academy)"
    assert str(review["uid"]) == "review-hollybrook-2025-001-2@aprecords"


def test_uids_stay_when_a_review_moves(repo: Path) -> None:
    def uids() -> dict[str, date]:
        loaded = load_repository(repo)
        data = {k: r.data for k, r in loaded.placements.items()}
        cal = parsed(feed(data, {}, {}, TODAY, "Test", names=False))
        return {str(e["uid"]): e.decoded("dtstart") for e in cal.walk("VEVENT")}

    before = uids()
    old = next(iter(before.values()))
    replace_line(repo / PLACEMENT, "date: 2026-03-17", "date: 2026-03-27")
    after = uids()
    assert set(after) == set(before)
    assert after != before and date(2026, 3, 27) in after.values() and old not in after.values()


def test_build_publishes_each_audience_with_a_secret(tmp_path: Path, run_cli) -> None:
    root = copy_examples(tmp_path / "r")
    secrets = tmp_path / "secrets"
    with_secrets(root, secrets)
    rotated = run_cli("--root", root, "calendar", "rotate", "school-hollybrook")
    assert rotated.code == 0, rotated.err
    url = rotated.out.split(": ", 1)[1].split()[0]
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert feeds.SECRET.match(secret) and len(secret) == 43
    assert stat.S_IMODE((secrets / "school-hollybrook").stat().st_mode) == 0o600
    assert run_cli("--root", root, "calendar", "url", "school-hollybrook").out.strip() == url
    loaded = load_repository(root)
    site = tmp_path / "site"
    assert feeds.publish(loaded, checked_audiences(loaded), site, TODAY) == ["school-hollybrook"]
    published = site / feeds.FOLDER / f"{secret}.ics"
    assert stat.S_IMODE(published.stat().st_mode) == 0o644
    body = published.read_bytes()
    names = [r.data["student"]["name"] for r in loaded.placements.values()]
    surnames = {n.split()[-1] for n in names}
    assert not [s for s in surnames if s.encode() in body.replace(b"\r\n ", b"")]
    events = list(parsed(body).walk("VEVENT"))
    assert events and all("hollybrook-" in str(e["uid"]) for e in events)
    # Rotating replaces the address at the next build; revoking removes it at once.
    run_cli("--root", root, "calendar", "rotate", "school-hollybrook")
    feeds.publish(loaded, checked_audiences(loaded), site, TODAY)
    assert not published.exists() and len(list((site / feeds.FOLDER).iterdir())) == 1
    revoked = run_cli("--root", root, "calendar", "revoke", "school-hollybrook", "--site-dir", site)
    assert revoked.code == 0, revoked.err
    assert list((site / feeds.FOLDER).iterdir()) == []
    assert run_cli("--root", root, "calendar", "url", "school-hollybrook").code == 2


def test_secrets_inside_the_repository_are_refused(tmp_path: Path, run_cli) -> None:
    root = copy_examples(tmp_path / "r")
    with_secrets(root, root / "calendars")
    line = line_of(root / "aprecords.yml", "calendar_secrets:")
    for args in (("calendar", "rotate", "hub"), ("build", "--site-dir", tmp_path / "site")):
        result = run_cli("--root", root, *args)
        assert result.code == 2, result.err
        assert f"aprecords.yml:{line}:21: error: hosting.calendar_secrets:" in result.err
        assert "inside the records repository" in result.err
    assert not (root / "calendars").exists() and not (tmp_path / "site").exists()


def test_a_damaged_secret_is_named(tmp_path: Path) -> None:
    (tmp_path / "hub").write_text("short\n", "ascii")
    with pytest.raises(ConfigError, match="not a calendar secret"):
        feeds.read_secret(tmp_path, "hub")
    assert feeds.read_secret(tmp_path, "nobody") is None


def test_unknown_audience_is_a_usage_error(tmp_path: Path, run_cli) -> None:
    root = copy_examples(tmp_path / "r")
    result = run_cli("--root", root, "calendar", "rotate", "nobody")
    assert result.code == 2 and "no such audience" in result.err


def test_no_secret_no_calendar_folder(tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "r")
    with_secrets(root, tmp_path / "secrets")
    loaded = load_repository(root)
    site = tmp_path / "site"
    site.mkdir()
    assert feeds.publish(loaded, checked_audiences(loaded), site, TODAY) == []
    assert list(site.iterdir()) == []


def test_the_guard_reads_a_public_feed_before_it_is_published(tmp_path: Path, monkeypatch) -> None:
    """A feed holding a pupil's name (its own pupil's, since no login protects it) is not
    written: the leak guard stops it (issue 19)."""
    from aprecords.guard.scan import LeakError
    from aprecords.site import ical

    root = copy_examples(tmp_path / "r")
    secrets = tmp_path / "secrets"
    with_secrets(root, secrets)
    feeds.write_secret(secrets, "school-hollybrook")
    loaded = load_repository(root)
    name = loaded.placements["hollybrook-2025-001"].data["student"]["name"]
    real = ical.feed
    monkeypatch.setattr(
        ical,
        "feed",
        lambda *a, **k: real(*a, **k).replace(
            b"END:VCALENDAR", b"X-NOTE:" + "-".join(name.upper()).encode() + b"\r\nEND:VCALENDAR"
        ),
    )
    site = tmp_path / "site"
    with pytest.raises(LeakError) as caught:
        feeds.publish(loaded, checked_audiences(loaded), site, TODAY)
    assert "school-hollybrook" in str(caught.value) and name not in str(caught.value)
    assert not list((site / feeds.FOLDER).glob("*.ics"))
