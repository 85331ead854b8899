"""Issue 19: help pages hold only what the guard reads. Every other format, and Markdown that
hides text from the guard or the reader, is refused with file, line, column and what to do."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from aprecords.guard.shared import shared_text_findings
from aprecords.repository import Repository, load_repository
from conftest import PROJECT

NAME = "Tobias Wrenfeather"  # a pupil of the examples


@pytest.fixture
def repo(tmp_path: Path) -> Repository:
    loaded = load_repository(PROJECT)
    loaded.root = tmp_path
    (tmp_path / "docs").mkdir()
    return loaded


def png(*chunks: tuple[bytes, bytes]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    pixels = chunk(b"IDAT", zlib.compress(b"\x00\x00"))
    extra = b"".join(chunk(k, d) for k, d in chunks)
    return b"\x89PNG\r\n\x1a\n" + header + extra + pixels + chunk(b"IEND", b"")


def findings(repo: Repository, name: str, content: bytes) -> list[str]:
    (repo.root / "docs" / name).write_bytes(content)
    return shared_text_findings(repo)


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("form.pdf", b"%PDF-1.4\n(Wrenfeather) Tj", "a .pdf file; help pages hold only Markdown"),
        ("form.docx", b"PK\x03\x04 word/document.xml", "a .docx file"),
        ("map.svg", b"<svg><text><tspan>Wren</tspan><tspan>feather</tspan></text></svg>", ".svg"),
        ("style.css", b"p::after { content: 'x' }", "a .css file"),
        ("photo.png", b"<svg><text>x</text></svg>", "is not a whole PNG image"),
        ("photo.png", png((b"tEXt", b"Author\x00Someone")), "metadata (tEXt)"),
        ("photo.jpg", b"\xff\xd8\xff\xe1\x00\x08Exif\x00\x00\xff\xda\x00\x02px", "(EXIF or XMP)"),
        ("photo.webp", b"RIFF\x0e\x00\x00\x00WEBPEXIF\x02\x00\x00\x00ab", "metadata (EXIF)"),
    ],
)
def test_files_the_guard_cannot_read_are_refused(repo, name: str, content: bytes, says: str):
    (found,) = findings(repo, name, content)
    assert found.startswith(f"docs/{name}:1:1: error: ") and says in found
    assert found.endswith("[help-page-format]")


def test_a_clean_png_is_accepted(repo: Repository) -> None:
    assert findings(repo, "photo.png", png()) == []


@pytest.mark.parametrize(
    ("line", "column", "says"),
    [
        ("Ask Wren<b></b>feather today", 8, "HTML tags between the letters of a word"),
        ("A note <!-- hidden --> here", 8, "an HTML comment"),
        ("![x](data:image/png;base64,iVBORw0KGgo=)", 6, "a data: URI"),
        ("A hidden\u2065mark", 9, "U+2065, a code point Unicode"),
        ("A filler\u3164here", 9, "U+3164 HANGUL FILLER"),
    ],
)
def test_markdown_that_hides_text_is_refused_where_it_stands(repo, line, column, says) -> None:
    found = findings(repo, "page.md", f"# Page\n\n{line}\n".encode())
    assert any(f.startswith(f"docs/page.md:3:{column}: error: ") and says in f for f in found)


def test_a_name_split_by_markup_in_a_help_page_is_still_found(repo: Repository) -> None:
    found = findings(repo, "page.md", b"# Page\n\nAsk Wren<b></b>feather, Tobias.\n")
    assert any("the name in MIS order" in f and "[help-page-leak]" in f for f in found)
    assert not any(NAME in f for f in found)  # a finding never repeats the value


@pytest.mark.parametrize("name", ["aprecords.yml", "mkdocs.yml"])
def test_the_configuration_every_site_shows_refuses_what_shows_as_nothing(repo, name) -> None:
    text = (PROJECT / name).read_text("utf-8") + "# a note\u2065 here\n"
    (repo.root / name).write_text(text, "utf-8")
    line = len(text.splitlines())
    found = shared_text_findings(repo)
    assert any(f.startswith(f"{name}:{line}:9: error: U+2065") for f in found), found
