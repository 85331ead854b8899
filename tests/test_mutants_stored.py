"""site/stored.py beyond test_stored.py: what its surviving mutants showed untested
(bench/mutation.py site/stored.py)."""

from __future__ import annotations

import gzip
import os
import tempfile
from pathlib import Path

import pytest

from aprecords.site import stored


@pytest.mark.parametrize(
    "rel", ["assets/javascripts/lunr/min.json", "admin/a/b.html", "assets/x/y/z.html"]
)
def test_nothing_deep_in_the_shared_folders_is_compressed(rel: str) -> None:
    assert not stored.compressible(rel)


def test_every_page_of_a_folder_is_compressed_whatever_the_listing_order(tmp_path: Path) -> None:
    """Pages and kept files mixed in one folder: a kept file does not end the folder's walk."""
    for n in range(30):
        (tmp_path / f"{n:02}.css").write_text("kept", "utf-8")
        (tmp_path / f"{n:02}.html").write_text("page", "utf-8")
    assert stored.compress_site(tmp_path) == 30
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {f"{n:02}.css" for n in range(30)} | {f"{n:02}.html.gz" for n in range(30)}


def test_the_packed_file_is_made_beside_the_page_under_a_hidden_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same folder, so the rename is atomic (one file system); hidden and named after the
    page, so a leftover is never served and is found by name."""
    made: list[Path] = []
    real = tempfile.mkstemp

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        fd, path = real(*args, **kwargs)
        made.append(Path(path))
        return fd, path

    monkeypatch.setattr(stored.tempfile, "mkstemp", spy)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.html").write_text("page", "utf-8")
    assert stored.compress_site(tmp_path) == 1
    assert [p.parent for p in made] == [tmp_path / "sub"]
    assert made[0].name.startswith(".a.html.")


def test_a_failed_rename_leaves_the_plain_page_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.html").write_text("page", "utf-8")

    def refuse(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(stored.os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        stored.compress_site(tmp_path)
    assert sorted(os.listdir(tmp_path)) == ["a.html"]


def test_pages_are_packed_at_the_middle_level() -> None:
    """Level 6 (README: within a few per cent of level 9's size at a third of its time): the
    gzip header's XFL byte is 2 for the slowest level and 4 for the fastest, 0 between."""
    data = b"<p>Agreement.</p>" * 200
    packed = stored.pack(data)
    assert packed[8] == 0 and gzip.decompress(packed) == data


def test_a_plain_file_is_read_as_it_is(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(b"<p>plain</p>")
    assert stored.read(tmp_path / "a.html") == b"<p>plain</p>"
