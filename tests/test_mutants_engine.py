"""site/engine.py over tiny sites (a second each): what page reuse keeps, refuses and records,
how failures are reported, progress lines (bench/mutation.py site/engine.py)."""

from __future__ import annotations

import hashlib
import io
import json
import logging
from pathlib import Path

import pytest

from aprecords.site import engine, stored
from test_page_reuse import run, site_of

PAGES = {
    "index.md": "# Home\n\n[A](a.md)\n",
    "a.md": "# A\n\nSee [b's part](b.md#part) and [b](b.md).\n\n## Own\n",
    "b.md": "# B\n\n## Part\n\nText.\n",
    "c.md": "# C\n\nNo links.\n",
}


def files(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file() and p.suffix in (".html", ".json")
    }


@pytest.fixture
def first(tmp_path: Path) -> tuple[Path, Path, engine.Pages]:
    config, docs = site_of(tmp_path, PAGES)
    return config, docs, run(config, docs, tmp_path / "one")


def test_the_record_says_what_each_page_was_made_of(first, tmp_path: Path) -> None:
    _, docs, pages = first
    assert sorted(pages.pages) == ["a.md", "b.md", "c.md", "index.md"]
    a = pages.pages["a.md"]
    assert a["md"] == hashlib.sha256((docs / "a.md").read_bytes()).hexdigest()
    assert a["out"] == "a.html"
    assert a["sha"] == engine.sha256_file(tmp_path / "one/a.html")
    assert a["looked"] == {"b.md": True}
    assert a["to"] == {"b.md": {"part": "b.md#part"}}
    assert a["anchors"] == ["a", "own"]
    assert pages.search == engine.sha256_file(tmp_path / "one" / engine.SEARCH_INDEX)
    assert pages.key == "k" and pages.reused == set()
    assert engine.Pages.from_json(json.loads(json.dumps(pages.to_json()))).to_json() == (
        pages.to_json()
    )


@pytest.mark.parametrize("data", [None, [], {"pages": []}, {"key": "k"}])
def test_a_record_of_another_shape_is_an_empty_one(data: object) -> None:
    assert engine.Pages.from_json(data).to_json() == {"key": "", "pages": {}, "search": ""}


def test_reuse_gives_the_bytes_of_a_cold_build(first, tmp_path: Path) -> None:
    config, docs, pages = first
    (docs / "c.md").write_text("# C\n\nChanged.\n", "utf-8")
    again = run(config, docs, tmp_path / "two", previous=(tmp_path / "one", pages))
    assert again.reused == {"a.html", "b.html"}  # index.md is in the nav: always rendered
    assert (tmp_path / "two/a.html").stat().st_ino == (tmp_path / "one/a.html").stat().st_ino
    cold = run(config, docs, tmp_path / "cold")
    assert files(tmp_path / "two") == files(tmp_path / "cold")
    assert again.to_json() == cold.to_json()


def test_another_key_reuses_nothing(first, tmp_path: Path) -> None:
    config, docs, pages = first
    other = engine.Pages("other", pages.pages, pages.search)
    assert run(config, docs, tmp_path / "two", previous=(tmp_path / "one", other)).reused == set()


@pytest.mark.parametrize("change", ["altered", "missing"])
def test_a_search_index_not_the_recorded_one_reuses_nothing(
    first, tmp_path: Path, change: str
) -> None:
    config, docs, pages = first
    index = tmp_path / "one" / engine.SEARCH_INDEX
    if change == "altered":
        index.write_text(index.read_text("utf-8").replace("Text", "Texts"), "utf-8")
    else:
        index.unlink()
    again = run(config, docs, tmp_path / "two", previous=(tmp_path / "one", pages))
    assert again.reused == set()
    run(config, docs, tmp_path / "cold")
    assert files(tmp_path / "two") == files(tmp_path / "cold")


def test_a_page_whose_output_or_record_changed_is_rendered(first, tmp_path: Path) -> None:
    config, docs, pages = first
    (tmp_path / "one/a.html").write_text("<p>altered</p>", "utf-8")
    pages.pages["b.md"]["out"] = "elsewhere.html"
    pages.pages["c.md"]["looked"] = []
    again = run(config, docs, tmp_path / "two", previous=(tmp_path / "one", pages))
    assert again.reused == set()
    run(config, docs, tmp_path / "cold")
    assert files(tmp_path / "two") == files(tmp_path / "cold")
    assert not list((tmp_path / "two").glob("elsewhere*"))


def test_a_page_without_its_anchors_or_output_is_rendered(first, tmp_path: Path) -> None:
    config, docs, pages = first
    pages.pages["a.md"]["anchors"] = None
    (tmp_path / "one/b.html").unlink()
    again = run(config, docs, tmp_path / "two", previous=(tmp_path / "one", pages))
    assert again.reused == {"c.html"}
    run(config, docs, tmp_path / "cold")
    assert files(tmp_path / "two") == files(tmp_path / "cold")


def test_a_changed_page_is_rendered(first, tmp_path: Path) -> None:
    config, docs, pages = first
    (docs / "b.md").write_text(PAGES["b.md"] + "\nMore.\n", "utf-8")
    again = run(config, docs, tmp_path / "two", previous=(tmp_path / "one", pages))
    assert again.reused == {"a.html", "c.html"}
    assert b"More." in (tmp_path / "two/b.html").read_bytes()


def test_a_reused_page_linking_to_an_anchor_that_went_stops_the_build(
    first, tmp_path: Path
) -> None:
    """a.md is unchanged but b.md lost the heading a.md links to: as from nothing, the
    strict build fails (the reused page's anchor links are checked against today's anchors)."""
    config, docs, pages = first
    (docs / "b.md").write_text("# B\n\nText.\n", "utf-8")
    with pytest.raises(engine.EngineError, match="part"):
        run(config, docs, tmp_path / "cold")
    with pytest.raises(engine.EngineError, match="part"):
        run(config, docs, tmp_path / "two", previous=(tmp_path / "one", pages))


def test_a_compressed_previous_build_is_reused_compressed(first, tmp_path: Path) -> None:
    config, docs, pages = first
    stored.compress_site(tmp_path / "one")
    again = run(config, docs, tmp_path / "two", previous=(tmp_path / "one", pages))
    assert again.reused == {"a.html.gz", "b.html.gz", "c.html.gz"}
    assert stored.read(tmp_path / "two/a.html.gz") == stored.read(tmp_path / "one/a.html.gz")
    stored.compress_site(tmp_path / "two")
    cold = tmp_path / "cold"
    run(config, docs, cold)
    stored.compress_site(cold)
    assert files(tmp_path / "two").keys() == files(cold).keys()
    for name, data in files(cold).items():
        assert files(tmp_path / "two")[name] == data, name


def test_without_hard_links_a_reused_page_is_copied(
    first, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, docs, pages = first

    def no_links(source: object, target: object) -> None:
        raise OSError("no hard links")

    monkeypatch.setattr(engine.os, "link", no_links)
    again = run(config, docs, tmp_path / "two", previous=(tmp_path / "one", pages))
    assert again.reused == {"a.html", "b.html", "c.html"}
    assert (tmp_path / "two/a.html").read_bytes() == (tmp_path / "one/a.html").read_bytes()
    assert (tmp_path / "two/a.html").stat().st_ino != (tmp_path / "one/a.html").stat().st_ino


def test_static_files_go_where_the_caller_puts_them_else_are_copied(tmp_path: Path) -> None:
    config, docs = site_of(tmp_path, PAGES)
    (docs / "extra.txt").write_text("extra", "utf-8")
    calls: list[tuple[str, str]] = []

    def place(source: Path, rel: str, target: Path) -> bool:
        calls.append((source.name, rel))
        if rel == "extra.txt":
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("placed", "utf-8")
            return True
        return False

    overrides = {"docs_dir": str(docs), "site_dir": str(tmp_path / "s"), "nav": ["index.md"]}
    engine.build(config, overrides, key="k", place_static=place)
    assert ("extra.txt", "extra.txt") in calls
    assert any(rel.startswith("assets/javascripts/bundle") for _, rel in calls)
    assert (tmp_path / "s/extra.txt").read_text("utf-8") == "placed"
    assert next((tmp_path / "s/assets/javascripts").glob("bundle.*.js")).stat().st_size > 1000


def test_a_refused_build_says_what_mkdocs_warned(tmp_path: Path) -> None:
    config, docs = site_of(tmp_path, {**PAGES, "c.md": "# C\n\n[gone](gone.md)\n"})
    before = list(logging.getLogger("mkdocs").handlers)
    with pytest.raises(engine.EngineError) as caught:
        run(config, docs, tmp_path / "s")
    message = str(caught.value)
    assert message.startswith("Aborted with 1 warnings in strict mode!")
    assert "\n  " in message and "gone.md" in message
    assert logging.getLogger("mkdocs").handlers == before


def test_a_bad_configuration_is_an_engine_error(tmp_path: Path) -> None:
    config, docs = site_of(tmp_path, PAGES)
    config.write_text("site_name: x\ntheme:\n  name: no-such-theme\n", "utf-8")
    with pytest.raises(engine.EngineError):
        run(config, docs, tmp_path / "s")


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_shown_on_a_terminal_only_outside_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert engine.wants_progress(Tty()) and not engine.wants_progress(io.StringIO())
    config, docs = site_of(tmp_path, PAGES)
    stream = Tty()
    overrides = {"docs_dir": str(docs), "site_dir": str(tmp_path / "s"), "nav": ["index.md"]}
    engine.build(config, overrides, pages=4, label="hub: ", stream=stream)
    assert stream.getvalue() == "\rhub: rendered 4/4 pages\n"
    stream = Tty()
    engine.build(config, {**overrides, "site_dir": str(tmp_path / "t")}, pages=0, stream=stream)
    assert stream.getvalue() == ""


def test_progress_counts_only_the_pages_rendered(
    first, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    config, docs, pages = first
    stream = Tty()
    overrides = {"docs_dir": str(docs), "site_dir": str(tmp_path / "two"), "nav": ["index.md"]}
    engine.build(
        config, overrides, pages=4, stream=stream, key="k", previous=(tmp_path / "one", pages)
    )
    assert stream.getvalue() == "\rrendered 1/1 pages\n"


def test_progress_lines_every_25_pages_and_at_the_end() -> None:
    stream = Tty()
    progress = engine.Progress(51, stream, "x: ")
    outputs = [progress.on_post_page(f"<p>{n}</p>", page=None, config=None) for n in range(51)]
    assert outputs == [f"<p>{n}</p>" for n in range(51)]
    assert stream.getvalue() == (
        "\rx: rendered 25/51 pages\rx: rendered 50/51 pages\rx: rendered 51/51 pages\n"
    )


def test_versions_and_file_digests() -> None:
    import mkdocs

    assert engine.versions().startswith(f"mkdocs={mkdocs.__version__} mkdocs-material=9.")
    here = Path(__file__)
    assert engine.sha256_file(here) == hashlib.sha256(here.read_bytes()).hexdigest()
    assert engine.sha256_file(str(here)) == engine.sha256_file(here)


def test_no_progress_in_ci_even_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert not engine.wants_progress(Tty())


def test_progress_without_a_label() -> None:
    stream = Tty()
    progress = engine.Progress(2, stream)
    for _ in range(2):
        progress.on_post_page("", page=None, config=None)
    assert stream.getvalue() == "\rrendered 2/2 pages\n"


def test_a_record_without_key_or_search_has_empty_ones() -> None:
    pages = engine.Pages.from_json({"pages": {"a.md": {"md": "1"}}})
    assert (pages.key, pages.search, pages.pages) == ("", "", {"a.md": {"md": "1"}})


def test_versions_name_a_theme_that_is_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    def missing(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", missing)
    assert engine.versions().endswith(" mkdocs-material=unknown")


def test_a_reused_page_deep_in_folders_gets_its_folders(tmp_path: Path) -> None:
    config, docs = site_of(tmp_path, PAGES)
    (docs / "deep" / "er").mkdir(parents=True)
    (docs / "deep" / "er" / "d.md").write_text("# D\n", "utf-8")
    pages = run(config, docs, tmp_path / "one")
    again = run(config, docs, tmp_path / "two", previous=(tmp_path / "one", pages))
    assert "deep/er/d.html" in again.reused
    assert (tmp_path / "two/deep/er/d.html").read_bytes() == (
        tmp_path / "one/deep/er/d.html"
    ).read_bytes()


def test_a_page_that_cannot_be_linked_or_copied_is_rendered(
    first, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, docs, pages = first

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("no space left")

    real = engine.shutil.copyfile

    def refuse_pages(source: object, target: object) -> object:
        if str(target).endswith(".html"):  # MkDocs copies the theme's files with it too
            raise OSError("no space left")
        return real(source, target)

    monkeypatch.setattr(engine.os, "link", refuse)
    monkeypatch.setattr(engine.shutil, "copyfile", refuse_pages)
    again = run(config, docs, tmp_path / "two", previous=(tmp_path / "one", pages))
    assert again.reused == set()
    assert (tmp_path / "two/a.html").read_bytes() == (tmp_path / "one/a.html").read_bytes()


def test_the_live_server_serves_the_site_and_rebuilds_on_a_change(tmp_path: Path) -> None:
    import threading
    import urllib.request

    site, watched = tmp_path / "site", tmp_path / "docs"
    site.mkdir()
    watched.mkdir()
    (site / "index.html").write_text("<p>served</p>", "utf-8")
    built = threading.Event()
    server = engine.live_server(built.set, "127.0.0.1", 0, site, [watched])
    listening = threading.Event()
    activate = server.server_activate

    def activated() -> None:
        activate()
        listening.set()

    server.server_activate = activated  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        assert listening.wait(timeout=30)
        port = server.server_address[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=30) as r:
            assert b"<p>served</p>" in r.read()
        (watched / "new.md").write_text("# New\n", "utf-8")
        assert built.wait(timeout=60), "a change in a watched folder did not rebuild"
    finally:
        server.shutdown()
        thread.join(timeout=30)
