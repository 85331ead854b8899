"""Issue 14: page-level incremental builds give the bytes of a build from nothing; theme files
are kept once (hard links) and only theme files; the leak check skips only files it read before
with the same needles."""

from __future__ import annotations

import json
import os
import shutil
import stat
from datetime import date
from pathlib import Path

import pytest

from aprecords.access import Audience, audiences
from aprecords.guard.scan import scan_changed
from aprecords.repository import load_repository
from aprecords.scope import scope
from aprecords.site import stored
from aprecords.site.parallel import STORE, build_many
from conftest import PROJECT, replace_line

DAY = date(2026, 1, 10)
PLACEMENT = "records/placements/hollybrook/hollybrook-2025-002.yaml"
OTHER = "records/placements/hollybrook/hollybrook-2025-001.yaml"


def chosen(root: Path) -> list[Audience]:
    """The hub, the changed placement's school and one provider: three kinds, few pages."""
    repo = load_repository(root)
    wanted = {"hub", "school-hollybrook"}
    picked = [a for a in audiences(repo) if a.name in wanted]
    provider = next(a for a in audiences(repo) if a.kind == "provider")
    return [*picked, provider]


def build(root: Path, site: Path, compress: bool = False) -> None:
    repo = load_repository(root)
    outcomes = build_many(repo, chosen(root), site, DAY, workers=1, compress=compress)
    assert all(o.error is None for o in outcomes), [o.error for o in outcomes]


def tree(site: Path) -> dict[str, bytes]:
    """Every served file (build records and nginx files left out) and its bytes."""
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file() and STORE not in p.parts
    }


def inodes(site: Path) -> dict[str, int]:
    return {
        p.relative_to(site).as_posix(): p.stat().st_ino
        for p in site.rglob("*")
        if p.is_file() and STORE not in p.parts
    }


def same_as_cold(root: Path, site: Path, tmp: Path, compress: bool = False) -> None:
    """The incremental folder holds exactly the bytes of a build from nothing."""
    cold = tmp / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    build(root, cold, compress)
    got, want = tree(site), tree(cold)
    assert sorted(got) == sorted(want)
    assert [name for name in want if got[name] != want[name]] == []


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "compressed"])
def test_incremental_builds_match_cold_builds_and_reuse_unchanged_pages(
    examples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compress: bool
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1768003200")  # the sitemap's date, fixed
    root, site = examples, tmp_path / "site"
    gz = ".gz" if compress else ""  # --compress stores pages and the search index as .gz

    def search_index() -> bytes:
        return stored.read(site / f"hub/search/search_index.json{gz}")

    build(root, site, compress)
    before = inodes(site)
    assert f"hub/placements/hollybrook-2025-002.html{gz}" in before
    assert "hub/index.html" in before  # index pages stay plain

    # 1. One record changed: its pages are new, an unchanged record's pages are reused.
    # A page someone altered in the served folder is not reused (its SHA-256 differs).
    tampered = site / f"hub/placements/hollybrook-2025-003.html{gz}"
    altered = stored.read(tampered) + b"<!-- altered -->"
    tampered.write_bytes(stored.pack(altered) if compress else altered)
    replace_line(root / PLACEMENT, "  rationale: Kayden", "  rationale: Changed today. Kayden")
    replace_line(root / PLACEMENT, "course: Motor vehicle", "course: Motor vehicle repair")
    build(root, site, compress)
    after = inodes(site)
    changed, kept = (f"hub/placements/hollybrook-2025-00{n}.html{gz}" for n in (2, 1))
    assert after[changed] != before[changed]
    assert after[kept] == before[kept]
    assert b"altered" not in stored.read(tampered)
    assert b"Changed today" in stored.read(site / changed)
    assert b"Motor vehicle repair" in search_index()  # the course is in the page's one entry
    same_as_cold(root, site, tmp_path, compress)

    # 2. A record added (a copy of another under a new id) and one removed, in one build.
    text = (root / OTHER).read_text("utf-8").replace("hollybrook-2025-001", "hollybrook-2025-009")
    (root / OTHER).with_name("hollybrook-2025-009.yaml").write_text(text, "utf-8")
    (root / PLACEMENT).unlink()
    build(root, site, compress)
    assert (site / f"hub/placements/hollybrook-2025-009.html{gz}").is_file()
    assert not list((site / "hub/placements").glob("hollybrook-2025-002*"))
    assert b"hollybrook-2025-002" not in search_index()
    same_as_cold(root, site, tmp_path, compress)

    # 3. A help page changed: every page is rendered again (the navigation is on every page).
    before = inodes(site)
    guide = root / "docs/guide.md"
    guide.write_text(guide.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    build(root, site, compress)
    after = inodes(site)
    pages = [n for n in after if n.endswith((".html", ".html.gz")) and n in before]
    assert pages and all(after[n] != before[n] for n in pages)
    same_as_cold(root, site, tmp_path, compress)


def test_a_change_of_compress_rebuilds_in_the_other_form(examples: Path, tmp_path: Path) -> None:
    """Switching --compress on or off rebuilds every page in the new form, nothing left over."""
    root, site = examples, tmp_path / "site"
    build(root, site)
    build(root, site, compress=True)
    files = tree(site)
    assert "hub/placements/hollybrook-2025-002.html.gz" in files
    assert not [
        n
        for n in files
        if n.endswith(".html")
        and not n.endswith("index.html")
        and "/assets/" not in n
        and "/admin/" not in n
        and not n.endswith("404.html")
    ]
    build(root, site)
    files = tree(site)
    assert "hub/placements/hollybrook-2025-002.html" in files
    assert not [n for n in files if n.endswith((".html.gz", ".json.gz"))]


def test_theme_files_are_linked_once_and_nothing_else_is_shared(
    examples: Path, tmp_path: Path
) -> None:
    root, site = examples, tmp_path / "site"
    build(root, site)
    names = [a.name for a in chosen(root)]
    by_inode: dict[int, set[str]] = {}
    for name in names:
        for file in (site / name).rglob("*"):
            if file.is_file():
                st = file.stat()
                assert stat.S_IMODE(st.st_mode) == 0o644, file
                rel = file.relative_to(site / name).as_posix()
                by_inode.setdefault(st.st_ino, set()).add(f"{name}/{rel}")
    shared = [paths for paths in by_inode.values() if len(paths) > 1]
    assert any(any("javascripts/bundle" in p for p in paths) for paths in shared)
    assert any(any(p.endswith("assets/aprecords.css") for p in paths) for paths in shared)
    for paths in shared:  # one theme file, at the same path in every audience's folder
        assert len(paths) == len(names), paths
        rels = {p.split("/", 1)[1] for p in paths}
        assert len(rels) == 1 and next(iter(rels)).startswith("assets/"), paths
    # A later build changes one audience; the others' files (and the stored ones) keep
    # their bytes: nothing is written through a link.
    bundle = next(p for p in (site / names[1] / "assets/javascripts").glob("bundle.*.js"))
    kept = bundle.read_bytes()
    replace_line(root / PLACEMENT, "  rationale: Kayden", "  rationale: Changed today. Kayden")
    replace_line(root / PLACEMENT, "course: Motor vehicle", "course: Motor vehicle repair")
    build(root, site)
    assert bundle.read_bytes() == kept
    store = site / STORE / "theme"
    assert stat.S_IMODE(store.stat().st_mode) == 0o700
    assert all(f.stat().st_nlink > 1 for f in store.iterdir())


def test_the_leak_check_skips_unchanged_files_only_for_the_same_needles(tmp_path: Path) -> None:
    repo = load_repository(PROJECT)
    audience = next(a for a in audiences(repo) if a.kind == "provider")
    scoped = scope(repo, audience)
    name = next(v for v, _ in scoped.outside if " " in v)
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "old.html").write_text(f"<p>{name}</p>", "utf-8")
    leaks, digest = scan_changed(folder, scoped)
    assert [leak.file for leak in leaks] == ["old.html"]
    # Same needles: the caller vouches that old.html passed them before; it is not read.
    assert scan_changed(folder, scoped, {"old.html"}, digest)[0] == []
    # Different needles (another digest): every file is read again.
    again, _ = scan_changed(folder, scoped, {"old.html"}, "0" * 64)
    assert [leak.file for leak in again] == ["old.html"]
    # A changed file is always read.
    (folder / "new.html").write_text(f"<p>{name}</p>", "utf-8")
    found, _ = scan_changed(folder, scoped, {"old.html"}, digest)
    assert [leak.file for leak in found] == ["new.html"]


def test_a_page_record_that_does_not_match_is_not_trusted(examples: Path, tmp_path: Path) -> None:
    """A record naming other hashes (or unreadable) makes every page render again; the
    result is still the cold build's."""
    root, site = examples, tmp_path / "site"
    build(root, site)
    record = site / STORE / "pages" / "hub.json"
    data = json.loads(record.read_text("utf-8"))
    for page in data["engine"]["pages"].values():
        page["sha"] = "0" * 64
    record.write_text(json.dumps(data), "utf-8")
    before = inodes(site)
    replace_line(root / PLACEMENT, "  rationale: Kayden", "  rationale: Changed today. Kayden")
    replace_line(root / PLACEMENT, "course: Motor vehicle", "course: Motor vehicle repair")
    build(root, site)
    after = inodes(site)
    hub = [n for n in after if n.startswith("hub/") and n.endswith(".html") and n in before]
    assert hub and all(after[n] != before[n] for n in hub)
    assert os.stat(record).st_mode & 0o077 == 0
    same_as_cold(root, site, tmp_path)
