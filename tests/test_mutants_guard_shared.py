"""Tests that kill mutants of ``aprecords.guard.shared`` (README "Mutation testing"): the
words staff are told about help pages, the tool's own placeholders, and unreadable bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from aprecords.guard.shared import markdown_findings, scaffold_texts, shared_text_findings
from aprecords.repository import Repository, load_repository
from conftest import PROJECT


@pytest.fixture
def repo(tmp_path: Path) -> Repository:
    loaded = load_repository(PROJECT)
    loaded.root = tmp_path
    (tmp_path / "docs").mkdir()
    return loaded


def test_each_markdown_refusal_says_what_to_do() -> None:
    text = "a <!-- b -->\n![x](data:image/png;base64,AA==)\nWren<b></b>feather\n"
    assert list(markdown_findings("docs/p.md", text)) == [
        "docs/p.md:1:3: error: an HTML comment: readers do not see it, but it is published; "
        "delete it [help-page-format]",
        "docs/p.md:2:6: error: a data: URI, which hides a file inside the page; save the image "
        "as a PNG file in docs/ and link to it [help-page-format]",
        "docs/p.md:3:4: error: HTML tags between the letters of a word; write the word whole "
        "(use Markdown for emphasis) [help-page-format]",
    ]


def test_the_tools_own_placeholders_are_read_from_the_code_that_writes_them() -> None:
    found = scaffold_texts()
    assert len(found) >= 30 and all(t.startswith("FILL IN: ") for t in found)
    assert "FILL IN: approaches that help this pupil" in found  # written through f(...)
    assert any(t.startswith("FILL IN: the course or activity") for t in found)  # fill(...)
    assert "FILL IN: None" not in found


def test_unreadable_bytes_are_read_as_replacement_characters(repo: Repository) -> None:
    (repo.root / "mkdocs.yml").write_bytes(b"site_name: x\xff\n")
    (repo.root / "docs" / "p.md").write_bytes(b"# Page\n\nA \xff byte.\n")
    assert shared_text_findings(repo) == []


def test_every_file_is_read_after_a_refused_one(repo: Repository) -> None:
    name = repo.placements["hollybrook-2025-001"].data["student"]["name"]
    other = repo.placements["marsh-lane-2025-001"].data["student"]["name"]
    (repo.root / "docs" / "a.pdf").write_bytes(b"%PDF")
    (repo.root / "docs" / "b.md").write_text(f"# B\n\n{other} and {name}\n", "utf-8")
    found = shared_text_findings(repo)
    assert found[0].startswith("docs/a.pdf:1:1: error: a .pdf file")
    sources = [f.split("(source: ")[1].split(")")[0] for f in found[1:]]
    assert sources == sorted(sources) and len(sources) == 2
