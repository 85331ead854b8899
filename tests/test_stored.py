"""Issue 14: ``aprecords build --compress`` stores pages gzip-compressed (site/stored.py).

What is compressed and what is kept, that the stored bytes unpack to exactly what MkDocs
wrote, that nothing is written through a hard link, and that everything reading a built site
(the leak check, the CSP hashes) reads compressed pages as well as plain ones. nginx serving
them is tested over a real build in test_nginx.py.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import shutil
from pathlib import Path

import pytest

from aprecords import cli
from aprecords.access import audiences
from aprecords.guard.scan import scan_changed
from aprecords.repository import load_repository
from aprecords.scope import scope
from aprecords.site import stored
from aprecords.site.hosting import inline_script_hashes
from conftest import PROJECT, TODAY


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        ("placements/hollybrook-2025-001.html", True),
        ("placements/hollybrook-2025-001/print-parents.html", True),
        ("guide.html", True),
        ("search/search_index.json", True),
        ("index.html", False),  # nginx's index module finds only the plain file
        ("placements/index.html", False),
        ("404.html", False),
        ("assets/javascripts/workers/search.js", False),
        ("assets/extra.json", False),  # theme files are shared hard links
        ("admin/index.html", False),
        ("admin/config.json", False),
        ("calendar.ics", False),
        ("sitemap.xml.gz", False),
        ("assets.html", True),  # a page named like a folder is still a page
    ],
)
def test_what_is_stored_compressed(rel: str, expected: bool) -> None:
    assert stored.compressible(rel) is expected


def test_compressing_a_folder_keeps_every_byte_and_writes_through_no_link(tmp_path: Path) -> None:
    site, elsewhere = tmp_path / "site", tmp_path / "previous-build"
    (site / "placements").mkdir(parents=True)
    elsewhere.mkdir()
    page = "<!doctype html><p>" + "Agreement. " * 500 + "</p>"
    (site / "placements" / "a.html").write_text(page, "utf-8")
    (site / "index.html").write_text("<p>home</p>", "utf-8")
    (elsewhere / "b.html").write_text("<p>from the previous build</p>", "utf-8")
    os.link(elsewhere / "b.html", site / "placements" / "b.html")  # as a reused page could be
    assert stored.compress_site(site) == 2
    names = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert names == ["index.html", "placements/a.html.gz", "placements/b.html.gz"]
    packed = (site / "placements" / "a.html.gz").read_bytes()
    assert gzip.decompress(packed).decode("utf-8") == page
    assert len(packed) * 10 < len(page.encode())
    assert (elsewhere / "b.html").read_text("utf-8") == "<p>from the previous build</p>"
    assert stored.read(site / "placements" / "b.html.gz") == (elsewhere / "b.html").read_bytes()
    assert stored.compress_site(site) == 0  # nothing left to do
    assert list(site.rglob(".*")) == [], "no temporary file left behind"


def test_the_stored_bytes_are_the_same_every_time() -> None:
    data = "<p>Ünïcode and ASCII</p>".encode() * 100
    assert stored.pack(data) == stored.pack(data)
    assert stored.pack(data)[4:8] == b"\0\0\0\0", "no time stamp"
    assert gzip.decompress(stored.pack(data)) == data


def test_stored_path_finds_either_form(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("a", "utf-8")
    (tmp_path / "b.html.gz").write_bytes(stored.pack(b"b"))
    assert stored.stored_path(tmp_path, "a.html") == tmp_path / "a.html"
    assert stored.stored_path(tmp_path, "b.html") == tmp_path / "b.html.gz"
    assert stored.stored_path(tmp_path, "c.html") is None
    assert stored.read(tmp_path / "b.html.gz") == b"b"


@pytest.fixture(scope="module")
def built_twice(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The examples built plain and with --compress (the hub and one provider)."""
    base = tmp_path_factory.mktemp("stored")
    folders = []
    for name, extra in (("plain", ()), ("compressed", ("--compress",))):
        site = base / name
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = cli.main(
                ["--root", str(PROJECT), "build", "--today", TODAY, "--site-dir", str(site),
                 "--audience", "hub", "--audience", "provider-brickworks", *extra]
            )  # fmt: skip
        assert code == 0, out.getvalue()
        folders.append(site)
    return folders[0], folders[1]


def test_a_compressed_build_unpacks_to_the_plain_build(built_twice: tuple[Path, Path]) -> None:
    plain, compressed = built_twice
    for audience in ("hub", "provider-brickworks"):
        want = {
            p.relative_to(plain / audience).as_posix(): p
            for p in (plain / audience).rglob("*")
            if p.is_file()
        }
        got = {
            p.relative_to(compressed / audience).as_posix(): p
            for p in (compressed / audience).rglob("*")
            if p.is_file()
        }
        packed = [rel for rel in want if stored.compressible(rel)]
        assert len(packed) > 20, "pages and the search index are stored compressed"
        assert sorted(got) == sorted(r + ".gz" if r in packed else r for r in want)
        for rel, path in want.items():
            if rel in packed:
                assert stored.read(got[rel + ".gz"]) == path.read_bytes(), rel
            else:  # as they are (MkDocs' own sitemap.xml.gz holds its build time: unpacked)
                assert stored.read(got[rel]) == stored.read(path), rel
        size = sum(p.stat().st_size for p in got.values() if p.name.endswith(".html.gz"))
        before = sum(want[r].stat().st_size for r in packed if r.endswith(".html"))
        assert size * 4 < before, (size, before)


def test_readers_of_a_built_site_read_compressed_pages(built_twice: tuple[Path, Path]) -> None:
    plain, compressed = built_twice
    # The CSP hashes come from the inline scripts of every page, plain or compressed.
    hashes = inline_script_hashes(plain / "hub")
    assert hashes and inline_script_hashes(compressed / "hub") == hashes
    # The leak check reads a compressed page: an outside pupil's name planted in one is found.
    repo = load_repository(PROJECT)
    audience = next(a for a in audiences(repo) if a.name == "provider-brickworks")
    scoped = scope(repo, audience)
    outside = next(value for value, _ in scoped.outside if " " in value)
    assert scan_changed(compressed / audience.name, scoped)[0] == []
    copy = compressed.parent / "planted"
    shutil.copytree(compressed / audience.name, copy)
    page = next((copy / "placements").glob("*-*.html.gz"))
    page.write_bytes(stored.pack(stored.read(page) + f"<p>{outside}</p>".encode()))
    leaks, _ = scan_changed(copy, scoped)
    assert [leak.file for leak in leaks] == [page.relative_to(copy).as_posix()]
