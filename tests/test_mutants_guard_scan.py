"""Tests that kill mutants of ``aprecords.guard.scan`` (README "Mutation testing")."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from aprecords.access import CLASSES, Audience, hub
from aprecords.gitlog import Commit
from aprecords.guard.match import Needle, Reach
from aprecords.guard.scan import LeakError, commit_findings, needles_digest, scan_changed
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
    expected = hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode("utf-8")).hexdigest()
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
