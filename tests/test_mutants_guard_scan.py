"""Tests that kill mutants of ``aprecords.guard.scan`` (README "Mutation testing")."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from aprecords.access import CLASSES, Audience, hub
from aprecords.gitlog import Commit
from aprecords.guard.match import Needle, Reach
from aprecords.guard.scan import (
    Leak,
    LeakError,
    check_file,
    commit_findings,
    needles_digest,
    one_per_source,
    scan_changed,
)
from aprecords.scope import Scoped

NAME = ("Tobias Wrenfeather", "o.yaml")


def scoped(audience: Audience | None = None) -> Scoped:
    return Scoped(audience or hub(), {}, {}, {"p": {"x": "y"}}, {"p": "p.yaml"}, outside=[NAME])


def test_the_digest_is_of_every_needle_in_a_stable_order() -> None:
    a = Needle(("zoë",), "a.yaml", "a name", Reach.WORDS)
    b = Needle(("bob",), "b.yaml", "another", Reach.ANYWHERE)
    rows = sorted(
        [(["bob"], "b.yaml", "another", "anywhere"), (["zoë"], "a.yaml", "a name", "words")]
    )
    expected = hashlib.sha256(json.dumps(rows).encode("ascii")).hexdigest()
    assert needles_digest([a, b]) == needles_digest([b, a]) == expected
    farther = Needle(("zoë",), "a.yaml", "a name", Reach.ANYWHERE)
    assert needles_digest([farther, b]) != expected


def test_unchanged_files_are_skipped_only_for_the_same_needles(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "old.html").write_text("<p>Tobias Wrenfeather</p>", "utf-8")
    leaks, digest = scan_changed(site, scoped())
    assert digest and [leak.file for leak in leaks] == ["old.html"]
    assert scan_changed(site, scoped(), {"old.html"}, digest) == ([], digest)
    assert [x.file for x in scan_changed(site, scoped(), {"old.html"}, "0" * 64)[0]] == ["old.html"]
    assert [x.file for x in scan_changed(site, scoped(), (), digest)[0]] == ["old.html"]


def test_an_audiences_check_passes_on_what_it_may_skip(tmp_path: Path) -> None:
    from aprecords.guard.scan import check_audience
    from aprecords.repository import load_repository
    from aprecords.scope import scope
    from conftest import PROJECT

    repo = load_repository(PROJECT)
    audience = Audience("school-hollybrook", "H", "school", frozenset(CLASSES),
                        schools=frozenset({"hollybrook"}))  # fmt: skip
    site = tmp_path / "site"
    site.mkdir()
    other = repo.placements["marsh-lane-2025-001"].data["student"]["name"]
    (site / "old.html").write_text(f"<p>{other}</p>", "utf-8")
    with pytest.raises(LeakError) as caught:
        check_audience(repo, audience, site)
    digest = scan_changed(site, scope(repo, audience))[1]
    assert caught.value.audience == "school-hollybrook"
    assert check_audience(repo, audience, site, {"old.html"}, digest) == digest
    with pytest.raises(LeakError):
        check_audience(repo, audience, site, {"old.html"}, "0" * 64)


def test_a_commit_message_naming_an_outside_pupil_is_located() -> None:
    history = {
        "p.yaml": [Commit("0123456789abcdef", "2026-01-05", "A", "Moved: Tobias Wren-feather")]
    }
    (found,) = commit_findings(scoped(), history)
    assert found.startswith("commit 0123456789:1:8: error: the message of this change to p.yaml")
    assert found.endswith(
        "holds the full name of a pupil outside this audience (source: o.yaml); the change history "
        "of 'hub' shows it, so that site is not published: ask whoever runs the records "
        "repository to reword the commit [commit-message-leak]"
    ), found
    assert commit_findings(scoped(), {"other.yaml": history["p.yaml"]}) == []
    assert "Wren" not in found
    assert commit_findings(scoped(), None) == []
    assert commit_findings(scoped(), {"p.yaml": [Commit("1" * 16, "d", "A", "Updated")]}) == []
    reader = Audience("provider-x", "X", "provider", frozenset(CLASSES) - {"safeguarding"})
    assert commit_findings(scoped(reader), history) == []  # it never reads the messages


def test_one_file_is_refused_with_the_audience_file_and_what_it_holds() -> None:
    """``check_file`` (the calendar feeds): gzip and markup read as a reader would, only
    needles that fail a build counted, one leak per source."""
    import gzip

    from aprecords.guard.normal import words

    full = Needle(words("Tobias Wrenfeather"), "o.yaml", "the full name of a pupil outside")
    surname = Needle(words("Wrenfeather"), "o.yaml", "the surname of a pupil outside")
    warn = Needle(words("Hall"), "h.yaml", "an everyday surname", Reach.WARN)
    raw = gzip.compress(b"<b>Tobias</b> Wrenfeather, Hall")
    with pytest.raises(LeakError) as caught:
        check_file("school-a", "_calendars/school-a.ics.gz", raw, [full, surname, warn])
    assert caught.value.audience == "school-a"
    assert caught.value.leaks == [
        Leak("_calendars/school-a.ics.gz", "o.yaml", "the full name of a pupil outside")
    ]
    check_file("school-a", "x.ics", b"Hall and hallway", [full, surname, warn])  # no error
    check_file("school-a", "x.ics", b"Tobias Wrenfeather", [])


def test_forms_of_one_pupils_name_are_one_leak_and_other_kinds_are_apart() -> None:
    """The longest form of each pupil's name stands for all; a UPN, an id or a text is its own
    leak, even when its words read \"of a pupil\"."""
    hits = [
        Needle(("wrenfeather",), "o.yaml", "the surname of a pupil outside"),
        Needle(("tobias", "wrenfeather"), "o.yaml", "the full name of a pupil outside"),
        Needle(("a123",), "o.yaml", "the UPN of a pupil outside"),
        Needle(("x",), "o.yaml", "the record id of a pupil outside"),
        Needle(("y",), "p.yaml", "the surname of a pupil outside"),
        Needle(("z",), "o.yaml", "a withheld text"),
    ]
    found = sorted(one_per_source("f.html", hits))
    assert [(x.source, x.what) for x in found] == [
        ("o.yaml", "a withheld text"),
        ("o.yaml", "the UPN of a pupil outside"),
        ("o.yaml", "the full name of a pupil outside"),
        ("p.yaml", "the surname of a pupil outside"),
    ]
    twice = Needle(("q",), "q.yaml", "the surname of a pupil of a pupil outside")
    once = Needle(("q", "r"), "q.yaml", "the full name of a pupil of a pupil outside")
    assert [x.what for x in one_per_source("f", [twice, once])] == [once.what]
