"""Tests that kill mutants of ``aprecords.site.verify`` (see README "Mutation testing").

The functions a build calls (help pages, one audience's check) are called here directly, in
this process, on the examples and small hand-made sites, so that mutmut can tell which
tests reach them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aprecords.access import CLASSES, Audience
from aprecords.errors import UsageError
from aprecords.repository import Repository, load_repository
from aprecords.site.verify import (
    HelpPageLeakError,
    LeakError,
    audience_leaks,
    audience_plan,
    check_audience,
    check_help_pages,
    config_texts,
    help_files,
    help_page_leaks,
)
from conftest import PROJECT

TOBIAS = "records/placements/hollybrook/hollybrook-2025-001.yaml"  # Tobias Wrenfeather
SAFFRON = "records/placements/marsh-lane/marsh-lane-2025-001.yaml"  # Saffron Quickthorpe


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, "utf-8")
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Repository:
    """The examples, with the repository root (and so ``docs/``) moved to ``tmp_path``."""
    loaded = load_repository(PROJECT)
    loaded.root = tmp_path
    return loaded


def hollybrook(grants: frozenset[str] = frozenset(CLASSES)) -> Audience:
    return Audience(
        "school-hollybrook", "Hollybrook", "school", grants, schools=frozenset({"hollybrook"})
    )


# --- help pages -----------------------------------------------------------------------------


def test_help_files_lists_every_file_but_hidden_and_skipped_ones(tmp_path: Path) -> None:
    docs = write(
        tmp_path / "docs",
        {
            "index.md": "",
            "b/z.md": "",
            "b/a.css": "",
            ".hidden.md": "",
            ".git/config": "",
            "b/.cache/x": "",
            "skipped/s.md": "",
        },
    )
    (docs / "empty").mkdir()
    assert help_files(docs, skip=["skipped"]) == ["b/a.css", "b/z.md", "index.md"]
    assert help_files(docs) == ["b/a.css", "b/z.md", "index.md", "skipped/s.md"]
    assert help_files(tmp_path / "nowhere") == []


def test_a_link_in_the_help_pages_or_as_the_folder_is_refused(tmp_path: Path) -> None:
    docs = write(tmp_path / "docs", {"index.md": ""})
    (docs / "env").symlink_to("/proc/self/environ")
    with pytest.raises(UsageError) as raised:
        help_files(docs)
    assert str(raised.value) == (
        f"{docs / 'env'}: is a symbolic link (to /proc/self/environ); help pages are published "
        "to every audience, so links are refused: replace it with the file itself or remove it"
    )
    (docs / "env").unlink()
    (docs / "sub").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(UsageError, match="sub: is a symbolic link"):
        help_files(docs)
    linked = tmp_path / "linked"
    linked.symlink_to(docs, target_is_directory=True)
    with pytest.raises(UsageError) as raised:
        help_files(linked)
    assert str(raised.value) == (
        f"{linked}: is a symbolic link; the help pages folder must be a real folder inside the "
        "repository"
    )
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "gone")
    with pytest.raises(UsageError):
        help_files(dangling)


def test_help_pages_naming_a_pupil_get_one_line_each_at_the_right_line(repo: Repository) -> None:
    write(
        repo.root / "docs",
        {
            "guide.md": "# Guide\n\nThe example hollybrook-2026-004 is fictional.\n\n"
            "Ask about WRENFEATHER, Tobias.\n",
            "sub/upn.md": "Intro\nUPN P207000016049\nand marsh-lane-2025-001 too\n",
            "skipme/x.md": "Tobias Wrenfeather\n",
            "safe.md": "Nothing to see.\n",
        },
    )
    found = help_page_leaks(repo, skip=["skipme"])
    rule = (
        "; help pages are published to every audience, so they must hold no pupil's name, UPN, "
        "record id or sensitive text [help-page-leak]"
    )
    assert found == [
        f"docs/guide.md:5:1: error: the name in MIS order (surname, forename) of a pupil "
        f"(source: {TOBIAS}){rule}",
        f"docs/sub/upn.md:2:1: error: the UPN of a pupil (source: {TOBIAS}){rule}",
        f"docs/sub/upn.md:3:1: error: the record id of a placement (source: {SAFFRON}){rule}",
    ]
    with pytest.raises(HelpPageLeakError) as raised:
        check_help_pages(repo, skip=["skipme"])
    assert str(raised.value) == "\n".join(found) + (
        "\naprecords: 3 pupil value(s) in the help pages; no site was built (the previous ones "
        "are unchanged)"
    )


def test_a_sensitive_text_in_a_help_page_is_of_a_sensitivity_class(repo: Repository) -> None:
    """Reported once, though the text is longer than one search window (two needles)."""
    secret = "Older sibling known to youth services; no current plan."
    write(repo.root / "docs", {"a.md": f"x\n{secret}\n"})
    assert help_page_leaks(repo) == [
        f"docs/a.md:2:1: error: a value of a sensitivity class (safeguarding) (source: "
        f"{TOBIAS}#/agreements/safeguarding/information); help pages are published to every audience, so "
        "they must hold no pupil's name, UPN, record id or sensitive text [help-page-leak]"
    ]


def test_clean_or_missing_help_pages_pass(repo: Repository) -> None:
    assert help_page_leaks(repo) == []
    check_help_pages(repo)
    write(repo.root / "docs", {"index.md": "Records of placements. hollybrook-2026-004\n"})
    assert help_page_leaks(repo) == []
    check_help_pages(repo)


# --- one audience's built site ------------------------------------------------------------


def test_config_texts_are_the_policy_texts_every_site_shows() -> None:
    repo = load_repository(PROJECT)
    texts = config_texts(repo)
    assert "J16" in texts and "RESPECT Collaboration" in texts
    assert repo.config.arrangements["safeguarding"] in texts
    assert repo.config.arrangements["attendance"] in texts


def test_an_audiences_site_is_checked_against_its_own_scope(
    repo: Repository, tmp_path: Path
) -> None:
    site = write(
        tmp_path / "site",
        {
            "index.html": "<p>Tobias Wrenfeather, J16 and the RESPECT Collaboration</p>",
            "p/x.html": "<p>Saffron <em>Quickthorpe</em></p>",
        },
    )
    leaks = audience_leaks(repo, hollybrook(), site)
    assert [str(leak) for leak in leaks] == [
        f"p/x.html: the full name of a pupil outside this audience (source: {SAFFRON})"
    ]
    with pytest.raises(LeakError) as raised:
        check_audience(repo, hollybrook(), site)
    assert raised.value.audience == "school-hollybrook" and raised.value.leaks == leaks
    os.remove(site / "p/x.html")
    assert audience_leaks(repo, hollybrook(), site) == []
    check_audience(repo, hollybrook(), site)


def test_a_pupil_named_like_the_organisation_is_a_namesake_in_the_plan(repo: Repository) -> None:
    """aprecords.yml's texts count as visible to every audience: an outside pupil whose
    name is one of them cannot be searched for, and the plan warns instead."""
    from aprecords.scope import scope

    other = repo.placements["marsh-lane-2025-001"]
    other.data["student"]["name"] = "Respect Collaboration"
    scoped = scope(repo, hollybrook())
    result = audience_plan(repo, scoped)
    warned = [w for w in result.warnings if w.startswith(f"{SAFFRON}#/student/name")]
    assert len(warned) == 1 and "aprecords.yml" in warned[0]
    assert not any(n.source == SAFFRON and "name" in n.what for n in result.needles)
