"""The meeting print is checked as built: on a site that sees the restricted class, no agreement
print may hold a restricted (safeguarding) text or an outside pupil
(``printviews.check_meeting``), whatever the renderer was given. Pages are rendered in this
process and written as HTML where MkDocs writes them; the restricted texts come from the
records (``printpages.withheld``), never from the check."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import markdown
import pytest

from aprecords.guard.scan import LeakError
from aprecords.repository import Repository, load_repository
from aprecords.site.printviews import MEETING_DROP, check_meeting
from conftest import PROJECT
from printpages import audience, prints, withheld


@pytest.fixture(scope="module")
def repo() -> Repository:
    return load_repository(PROJECT)


def as_meeting_prints(root: Path, pages: dict[str, str], view: str) -> Path:
    """Each placement's ``view`` page, written where the meeting print is built."""
    for rel, text in pages.items():
        if rel.endswith(f"/print-{view}.md"):
            target = root / rel.rsplit("/", 1)[0] / "print-agreement.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(markdown.markdown(text.split("\n---\n", 1)[1], extensions=["tables"]))
    return root


def restricted_sites(repo: Repository) -> list[str]:
    from aprecords.access import audiences

    return [a.name for a in audiences(repo) if MEETING_DROP & a.grants]


def test_the_rendered_meeting_prints_pass_and_the_restricted_record_in_their_place_fails(
    repo: Repository, tmp_path: Path
) -> None:
    names = restricted_sites(repo)
    assert names, "the examples must have a site that sees the restricted class"
    assert withheld("safeguarding"), "the examples must hold restricted texts"
    for name in names:
        who = audience(repo, name)
        pages = prints(repo, who)
        ok = as_meeting_prints(tmp_path / name / "ok", pages, "agreement")
        assert len(list(ok.glob("placements/*/print-agreement.html"))) >= 3
        digest = check_meeting(repo, who, ok)
        assert re.fullmatch(r"[0-9a-f]{64}", digest)
        full = as_meeting_prints(tmp_path / name / "full", pages, "full")
        with pytest.raises(LeakError) as caught:
            check_meeting(repo, who, full)
        assert caught.value.audience == name
        leaks = caught.value.leaks
        assert all(x.file.endswith("/print-agreement.html") for x in leaks)
        assert all(x.what.endswith(" (meeting print)") for x in leaks)
        assert {x.source.split("#")[0] for x in leaks} & {
            path for path, _ in withheld("safeguarding")
        }


def test_a_site_without_the_restricted_class_has_no_meeting_check(
    repo: Repository, tmp_path: Path
) -> None:
    from aprecords.access import audiences

    plain = [a for a in audiences(repo) if not MEETING_DROP & a.grants]
    assert plain
    site = tmp_path / "site" / "placements" / "p"
    site.mkdir(parents=True)
    text = withheld("safeguarding")[0][1]
    (site / "print-agreement.html").write_text(f"<p>{text}</p>", "utf-8")
    for who in plain:
        assert check_meeting(repo, who, tmp_path / "site") == ""


def test_compressed_and_unchanged_copies(repo: Repository, tmp_path: Path) -> None:
    """A copy stored compressed is read; an unchanged one is skipped only when the digest it
    passed is this one; other print views and stray files are not meeting prints."""
    who = audience(repo, restricted_sites(repo)[0])
    digest = check_meeting(repo, who, tmp_path)  # nothing built: nothing to find
    source, text = withheld("safeguarding")[0]
    folder = tmp_path / "placements" / "p"
    folder.mkdir(parents=True)
    (folder / "print-full.html").write_text(text, "utf-8")
    (folder / "print-agreement.txt").write_text(text, "utf-8")
    assert check_meeting(repo, who, tmp_path) == digest
    (folder / "print-agreement.html.gz").write_bytes(gzip.compress(text.encode()))
    with pytest.raises(LeakError) as caught:
        check_meeting(repo, who, tmp_path)
    assert {(x.file, x.source.split("#")[0]) for x in caught.value.leaks} == {
        ("placements/p/print-agreement.html.gz", source)
    }
    unchanged = {"placements/p/print-agreement.html.gz"}
    assert check_meeting(repo, who, tmp_path, unchanged, digest) == digest
    with pytest.raises(LeakError):
        check_meeting(repo, who, tmp_path, unchanged, "0" * 64)
