"""site/incremental.py, function by function: the build key, the page record kept between
builds, and the theme files stored once (bench/mutation.py site/incremental.py)."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from aprecords.access import Audience
from aprecords.site import engine, incremental

HUB = Audience("hub", "The hub", "hub", frozenset({"identity", "send"}))
CSS = incremental.OWN_ASSETS / "aprecords.css"


def key(shared: str = "s", audience: Audience = HUB, name: str = "Site", nav: object = None):
    return incremental.build_key(shared, audience, name, nav or ["index.md"])


@pytest.mark.parametrize(
    "other",
    [
        {"shared": "t"},
        {"name": "Other site"},
        {"nav": ["index.md", "guide.md"]},
        {"audience": replace(HUB, name="hub2")},
        {"audience": replace(HUB, title="Another title")},
        {"audience": replace(HUB, kind="school")},
        {"audience": replace(HUB, grants=frozenset({"identity"}))},
    ],
)
def test_the_build_key_changes_with_each_thing_every_page_shares(other: dict) -> None:
    assert key() == key() and len(key()) == 64
    assert key(**other) != key()


def test_the_build_key_does_not_depend_on_the_order_grants_are_given_in() -> None:
    again = replace(HUB, grants=frozenset(["send", "identity"]))
    assert key(audience=again) == key()


def record() -> incremental.Record:
    pages = engine.Pages("k", {"a.md": {"md": "1", "out": "a.html"}}, "s")
    return incremental.Record(pages, "leak-digest", "parents-digest")


def test_a_saved_record_loads_as_it_was_in_a_private_folder(tmp_path: Path) -> None:
    incremental.save(tmp_path, "hub", record())
    loaded = incremental.load(tmp_path, "hub")
    assert loaded is not None
    assert loaded.pages.to_json() == record().pages.to_json()
    assert (loaded.leak, loaded.parents) == ("leak-digest", "parents-digest")
    folder = tmp_path / incremental.PAGES
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert os.listdir(folder) == ["hub.json"]  # no temporary file left
    assert incremental.load(tmp_path, "school") is None


def test_saving_again_replaces_the_record(tmp_path: Path) -> None:
    incremental.save(tmp_path, "hub", record())
    incremental.save(tmp_path, "hub", incremental.Record(engine.Pages("other"), "l", "p"))
    loaded = incremental.load(tmp_path, "hub")
    assert loaded is not None and loaded.pages.key == "other" and loaded.leak == "l"


@pytest.mark.parametrize(
    "text", ["not json", "[]", '{"engine": {}, "leak": "x"}', '{"leak": "x", "parents": "y"}']
)
def test_an_unreadable_record_means_build_everything(tmp_path: Path, text: str) -> None:
    (tmp_path / incremental.PAGES).mkdir()
    (tmp_path / incremental.PAGES / "hub.json").write_text(text, "utf-8")
    loaded = incremental.load(tmp_path, "hub")
    assert loaded is None or loaded.pages.pages == {}


def test_a_record_missing_its_leak_digest_is_not_trusted(tmp_path: Path) -> None:
    (tmp_path / incremental.PAGES).mkdir()
    data = {"engine": record().pages.to_json(), "parents": "p"}
    (tmp_path / incremental.PAGES / "hub.json").write_text(json.dumps(data), "utf-8")
    assert incremental.load(tmp_path, "hub") is None


def test_a_failed_save_leaves_the_old_record_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    incremental.save(tmp_path, "hub", record())

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(incremental.json, "dump", broken)
    with pytest.raises(OSError, match="disk full"):
        incremental.save(tmp_path, "hub", incremental.Record(engine.Pages("new")))
    assert os.listdir(tmp_path / incremental.PAGES) == ["hub.json"]
    monkeypatch.undo()
    loaded = incremental.load(tmp_path, "hub")
    assert loaded is not None and loaded.pages.key == "k"


def test_forget_removes_the_record_and_minds_no_missing_one(tmp_path: Path) -> None:
    incremental.save(tmp_path, "hub", record())
    incremental.forget(tmp_path, "hub")
    assert incremental.load(tmp_path, "hub") is None
    incremental.forget(tmp_path, "hub")


def test_shareable_files_are_the_theme_and_our_own_assets() -> None:
    shared = incremental.shareable()
    assert engine.sha256_file(CSS) in shared
    import material

    bundle = next((Path(material.__file__).parent / "templates/assets/javascripts").glob("b*.js"))
    assert engine.sha256_file(bundle) in shared
    assert engine.sha256_file(Path(__file__)) not in shared


def test_a_theme_file_is_stored_once_and_linked(tmp_path: Path) -> None:
    store = incremental.ThemeStore(tmp_path / "theme")
    one, two = tmp_path / "one/assets/aprecords.css", tmp_path / "two/assets/aprecords.css"
    assert store.place(CSS, "assets/aprecords.css", one)
    assert store.place(CSS, "assets/aprecords.css", two)
    kept = tmp_path / "theme" / engine.sha256_file(CSS)
    assert one.read_bytes() == CSS.read_bytes()
    assert one.stat().st_ino == two.stat().st_ino == kept.stat().st_ino
    assert stat.S_IMODE(kept.stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "theme").stat().st_mode) == 0o700
    assert os.listdir(tmp_path / "theme") == [kept.name]  # no temporary file left


def test_only_shipped_files_under_assets_are_placed(tmp_path: Path) -> None:
    store = incremental.ThemeStore(tmp_path / "theme")
    assert not store.place(CSS, "aprecords.css", tmp_path / "site/aprecords.css")
    page = tmp_path / "page.css"
    page.write_text("a record's text", "utf-8")
    assert not store.place(page, "assets/page.css", tmp_path / "site/assets/page.css")
    link = tmp_path / "link.css"
    link.symlink_to(CSS)
    assert not store.place(link, "assets/aprecords.css", tmp_path / "site/assets/aprecords.css")
    assert not (tmp_path / "site").exists() and not (tmp_path / "theme").exists()


@pytest.mark.parametrize("damage", ["altered", "symlink"])
def test_a_damaged_stored_copy_is_replaced_not_written_through(tmp_path: Path, damage: str) -> None:
    kept = tmp_path / "theme" / engine.sha256_file(CSS)
    kept.parent.mkdir()
    other = tmp_path / "elsewhere.css"
    other.write_text("someone else's file", "utf-8")
    if damage == "altered":
        os.link(other, kept)
    else:
        kept.symlink_to(other)
    target = tmp_path / "site/assets/aprecords.css"
    assert incremental.ThemeStore(tmp_path / "theme").place(CSS, "assets/aprecords.css", target)
    assert target.read_bytes() == CSS.read_bytes() and not kept.is_symlink()
    assert other.read_text("utf-8") == "someone else's file"


def test_a_good_stored_copy_is_kept(tmp_path: Path) -> None:
    store = incremental.ThemeStore(tmp_path / "theme")
    store.place(CSS, "assets/aprecords.css", tmp_path / "one/assets/aprecords.css")
    kept = tmp_path / "theme" / engine.sha256_file(CSS)
    inode = kept.stat().st_ino
    incremental.ThemeStore(tmp_path / "theme").place(CSS, "assets/x.css", tmp_path / "t/x.css")
    assert kept.stat().st_ino == inode


def test_without_hard_links_the_stored_copy_is_renamed_in_and_the_site_copies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(source: object, target: object) -> None:
        raise OSError("no hard links on this file system")

    monkeypatch.setattr(incremental.os, "link", no_links)
    target = tmp_path / "site/assets/aprecords.css"
    assert not incremental.ThemeStore(tmp_path / "theme").place(CSS, "assets/a.css", target)
    kept = tmp_path / "theme" / engine.sha256_file(CSS)
    assert kept.read_bytes() == CSS.read_bytes()
    assert os.listdir(tmp_path / "theme") == [kept.name]


def test_a_copy_stored_meanwhile_by_another_build_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers store the same file at once: the one that finds it there takes it."""
    kept = tmp_path / "theme" / engine.sha256_file(CSS)
    theirs = tmp_path / "theirs.css"
    theirs.write_bytes(CSS.read_bytes())
    real = os.link

    def raced(source: str, target: str) -> None:
        if Path(target) == kept:
            real(theirs, kept)  # the other worker's copy lands first
            raise FileExistsError(target)
        real(source, target)

    monkeypatch.setattr(incremental.os, "link", raced)
    target = tmp_path / "site/assets/aprecords.css"
    assert incremental.ThemeStore(tmp_path / "theme").place(CSS, "assets/a.css", target)
    assert target.stat().st_ino == kept.stat().st_ino == theirs.stat().st_ino
    assert os.listdir(tmp_path / "theme") == [kept.name]


def test_prune_removes_only_stored_files_no_site_links_to(tmp_path: Path) -> None:
    assert incremental.prune_theme(tmp_path) == []
    theme = tmp_path / incremental.THEME
    theme.mkdir()
    for name in ("b-unused", "a-unused", "used"):
        (theme / name).write_text(name, "utf-8")
    os.link(theme / "used", tmp_path / "site-file")
    (theme / "c-link").symlink_to(theme / "a-unused")
    (theme / "d-folder").mkdir()
    assert incremental.prune_theme(tmp_path) == ["a-unused", "b-unused"]
    assert sorted(os.listdir(theme)) == ["c-link", "d-folder", "used"]


def test_the_build_key_does_not_depend_on_the_order_of_a_nav_entry_s_keys() -> None:
    assert key(nav=[{"b": "x.md", "a": "y.md"}]) == key(nav=[{"a": "y.md", "b": "x.md"}])


def test_records_and_theme_files_go_into_folders_made_as_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deep folders made on the way; each temporary file beside its target, hidden and named,
    so the rename is atomic and a leftover is recognised; the record compact JSON."""
    made: list[Path] = []
    real = incremental.tempfile.mkstemp

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        fd, path = real(*args, **kwargs)
        made.append(Path(path))
        return fd, path

    monkeypatch.setattr(incremental.tempfile, "mkstemp", spy)
    state = tmp_path / "a" / "b" / ".aprecords"
    incremental.save(state, "hub", record())
    saved = state / incremental.PAGES / "hub.json"
    assert made[0].parent == saved.parent and made[0].name.startswith(".hub.")
    assert ", " not in saved.read_text("utf-8") and '": ' not in saved.read_text("utf-8")

    store = incremental.ThemeStore(tmp_path / "c" / "d" / "theme")
    js = incremental.OWN_ASSETS / "aprecords.js"
    site = tmp_path / "site" / "assets"
    assert store.place(CSS, "assets/aprecords.css", site / "aprecords.css")
    assert store.place(js, "assets/aprecords.js", site / "aprecords.js")  # folder there
    assert [p.parent for p in made[1:]] == [tmp_path / "c/d/theme"] * 2
    assert all(p.name.startswith(".theme-") for p in made[1:])


def test_a_file_is_checked_in_the_store_once_per_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = incremental.ThemeStore(tmp_path / "theme")
    calls: list[str] = []
    real = store._put

    def counted(source: Path, stored: Path, digest: str) -> None:
        calls.append(digest)
        real(source, stored, digest)

    monkeypatch.setattr(store, "_put", counted)
    for n in range(3):
        assert store.place(CSS, "assets/aprecords.css", tmp_path / f"s{n}/assets/aprecords.css")
    assert calls == [engine.sha256_file(CSS)]
