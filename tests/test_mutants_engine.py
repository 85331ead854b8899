"""site/engine.py over tiny sites: what page reuse keeps, refuses and records, how failures
are reported, progress lines, the plugin events (bench/mutation.py site/engine.py).

Most sites here use a theme of two templates (:func:`site_of`), built in a few hundredths of a
second, so that each mutant's run takes seconds; what needs Material (its search plugin's
excluded pages, its assets) builds with it (``test_page_reuse.site_of``).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from pathlib import Path

import pytest
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import BuildError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.pages import Page

import test_page_reuse
from aprecords.site import engine, stored
from test_page_reuse import run

CONFIG = """site_name: Reuse
strict: true
use_directory_urls: false
theme:
  name: null
  custom_dir: theme
  static_templates: [404.html]
plugins:
  - material/search
validation:
  links:
    not_found: warn
    anchors: warn
"""
THEME = {
    "main.html": "<title>{{ page.title }}</title>\n"
    '{% for item in nav %}<a href="{{ item.url|url }}">{{ item.title }}</a>{% endfor %}\n'
    "{{ page.content }}\n{% for file in pages %}{{ file.src_uri }} {% endfor %}\n",
    "404.html": "{% for item in nav %}{{ item.title }} {% endfor %}<p>Not found</p>\n",
    "empty.html": "",
    "style.css": "p { margin: 0 }\n" * 100,
    "partials/language.html": "{% macro t(key) %}{{ key }}{% endmacro %}\n",  # Material's search
}


def site_of(tmp: Path, pages: dict[str, str]) -> tuple[Path, Path]:
    """A docs folder with ``pages`` (name -> Markdown), a two-template theme, a strict base
    configuration with Material's search plugin (the engine reuses its index entries)."""
    config, docs = test_page_reuse.site_of(tmp, pages)
    config.write_text(CONFIG, "utf-8")
    for name, text in THEME.items():
        (tmp / "theme" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / "theme" / name).write_text(text, "utf-8")
    return config, docs


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
    calls: list[tuple[str, str, Path]] = []

    def place(source: Path, rel: str, target: Path) -> bool:
        calls.append((source.name, rel, target))
        if rel == "extra.txt":
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("placed", "utf-8")
            return True
        return False

    overrides = {"docs_dir": str(docs), "site_dir": str(tmp_path / "s"), "nav": ["index.md"]}
    engine.build(config, overrides, key="k", place_static=place)
    site = tmp_path / "s"
    assert sorted(calls) == [
        ("extra.txt", "extra.txt", site / "extra.txt"),
        ("style.css", "style.css", site / "style.css"),
    ]
    assert (site / "extra.txt").read_text("utf-8") == "placed"
    assert (site / "style.css").read_text("utf-8") == THEME["style.css"]
    engine.build(config, {**overrides, "site_dir": str(tmp_path / "t")}, key="k")
    assert (tmp_path / "t/extra.txt").read_text("utf-8") == "extra"
    assert (tmp_path / "t/style.css").read_text("utf-8") == THEME["style.css"]


def test_material_assets_are_offered_to_the_caller(tmp_path: Path) -> None:
    config, docs = test_page_reuse.site_of(tmp_path, PAGES)
    offered: list[str] = []

    def place(source: Path, rel: str, target: Path) -> bool:
        offered.append(rel)
        return False

    overrides = {"docs_dir": str(docs), "site_dir": str(tmp_path / "s"), "nav": ["index.md"]}
    engine.build(config, overrides, key="k", place_static=place)
    assert any(rel.startswith("assets/javascripts/bundle") for rel in offered)
    assert next((tmp_path / "s/assets/javascripts").glob("bundle.*.js")).stat().st_size > 1000


def test_a_refused_build_says_what_mkdocs_warned(tmp_path: Path) -> None:
    config, docs = site_of(tmp_path, {**PAGES, "c.md": "# C\n\n[gone](gone.md) [lost](lost.md)\n"})
    before = list(logging.getLogger("mkdocs").handlers)
    with pytest.raises(engine.EngineError) as caught:
        run(config, docs, tmp_path / "s")
    lines = str(caught.value).split("\n")
    assert lines[0] == "Aborted with 2 warnings in strict mode!"
    assert len(lines) == 3 and all(line.startswith("  Doc file 'c.md'") for line in lines[1:])
    assert "'gone.md'" in lines[1] and "'lost.md'" in lines[2]
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
    stream = Tty()  # no page count given: no progress, and no key
    assert (
        engine.build(config, {**overrides, "site_dir": str(tmp_path / "t")}, stream=stream).key
        == ""
    )
    assert stream.getvalue() == ""
    not_a_terminal = io.StringIO()
    engine.build(config, {**overrides, "site_dir": str(tmp_path / "u")}, 4, stream=not_a_terminal)
    assert not_a_terminal.getvalue() == ""


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


EVENTS = [
    "config", "pre_build", "files", "nav", "env", "post_build", "build_error", "pre_template",
    "template_context", "post_template", "pre_page", "page_markdown", "page_content",
    "page_context", "post_page",
]  # fmt: skip


class Recorder(BasePlugin):
    """Notes every plugin event: its name and what it was given (a page by its source)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, ...]] = []


def _given(value: object) -> str:
    return value.file.src_uri if isinstance(value, Page) else type(value).__name__


def _recording(event: str):
    def on_event(self: Recorder, *args: object, **kwargs: object) -> object:
        given = [_given(a) for a in args] + [f"{k}={_given(v)}" for k, v in sorted(kwargs.items())]
        self.seen.append((event, *given))
        return args[0] if args else None

    return on_event


for _event in EVENTS:
    setattr(Recorder, f"on_{_event}", _recording(_event))


def events_of_mkdocs(config: Path, docs: Path, site: Path) -> list[tuple[str, ...]]:
    """The plugin events of MkDocs' own build of the site, as run() configures it."""
    recorder = Recorder()
    loaded = load_config(str(config), docs_dir=str(docs), site_dir=str(site), nav=["index.md"])
    loaded.plugins["recorder"] = recorder
    try:
        mkdocs_build(loaded)
    except Exception as exc:  # noqa: BLE001 - the events up to the failure are what counts
        recorder.seen.append(("raised", type(exc).__name__))
    return recorder.seen


def events_of_engine(
    monkeypatch: pytest.MonkeyPatch, config: Path, docs: Path, site: Path, **kwargs: object
) -> list[tuple[str, ...]]:
    """The plugin events of engine.build's build of the site (run())."""
    recorder = Recorder()
    real = engine.load_config

    def loading(*args: object, **overrides: object) -> object:
        loaded = real(*args, **overrides)
        loaded.plugins["recorder"] = recorder
        return loaded

    monkeypatch.setattr(engine, "load_config", loading)
    try:
        run(config, docs, site, **kwargs)
    except engine.EngineError:
        recorder.seen.append(("raised", "Abort"))
    return recorder.seen


@pytest.mark.parametrize("broken", [False, True])
def test_plugins_see_the_events_of_mkdocs_own_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: bool
) -> None:
    """Every plugin event MkDocs' build runs, in its order, given the same kinds of things;
    a strict build's failure reaches on_build_error too."""
    pages = {**PAGES, "c.md": "# C\n\n[gone](gone.md)\n"} if broken else PAGES
    config, docs = site_of(tmp_path, pages)
    theirs = events_of_mkdocs(config, docs, tmp_path / "theirs")
    assert ("pre_build", "config=MkDocsConfig") in theirs
    assert (theirs[-2:] == [("build_error", "error=Abort"), ("raised", "Abort")]) is broken
    assert events_of_engine(monkeypatch, config, docs, tmp_path / "ours") == theirs
    if not broken:
        assert files(tmp_path / "ours") == files(tmp_path / "theirs")
        assert "404.html" in files(tmp_path / "ours") and len(files(tmp_path / "ours")) == 6


def test_a_reused_page_has_no_page_events_and_the_rest_are_mkdocs_own(
    first, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, docs, pages = first
    (docs / "c.md").write_text("# C\n\nChanged.\n", "utf-8")
    theirs = events_of_mkdocs(config, docs, tmp_path / "theirs")
    previous = (tmp_path / "one", pages)
    ours = events_of_engine(monkeypatch, config, docs, tmp_path / "two", previous=previous)
    reused = {"a.md", "b.md", "page=a.md", "page=b.md"}
    assert ours == [event for event in theirs if not reused & set(event)]
    assert len(ours) < len(theirs)


def test_a_build_error_from_a_plugin_aborts_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Failing(Recorder):
        def on_post_build(self, *, config: object) -> None:
            raise BuildError("the plugin gave up")

    failing = Failing()
    real = engine.load_config

    def loading(*args: object, **overrides: object) -> object:
        loaded = real(*args, **overrides)
        loaded.plugins["failing"] = failing
        return loaded

    monkeypatch.setattr(engine, "load_config", loading)
    config, docs = site_of(tmp_path, PAGES)
    with pytest.raises(engine.EngineError) as caught:
        run(config, docs, tmp_path / "s")
    assert str(caught.value) == "Aborted with a BuildError!"
    assert failing.seen[-1] == ("build_error", "error=BuildError")


def test_strict_mode_counts_mkdocs_warnings_that_do_not_propagate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The strict-mode counter listens on MkDocs' own logger, as ``mkdocs build`` does:
    not on a logger above it, which a handler set to stop propagation keeps in the dark."""
    monkeypatch.setattr(logging.getLogger("mkdocs"), "propagate", False)
    config, docs = site_of(tmp_path, {**PAGES, "c.md": "# C\n\n[gone](gone.md)\n"})
    before = list(logging.getLogger("mkdocs").handlers)
    with pytest.raises(engine.EngineError, match="strict mode") as caught:
        run(config, docs, tmp_path / "s")
    assert "\n  Doc file 'c.md'" in str(caught.value)  # the warning, kept by engine.build too
    assert logging.getLogger("mkdocs").handlers == before


class _SearchLike:
    search_index = "entries"


class SearchPlugin:
    """Named as MkDocs' own search plugin, which has no index before its on_config."""


class _Config:
    def __init__(self, *plugins: object) -> None:
        self.plugins = {str(n): p for n, p in enumerate(plugins)}


def test_the_search_plugin_is_found_by_its_index_or_its_name() -> None:
    by_index, by_name = _SearchLike(), SearchPlugin()
    assert engine._search_plugin(_Config(object(), by_index)) is by_index
    assert engine._search_plugin(_Config(object(), by_name, by_index)) is by_name
    assert engine._search_plugin(_Config(object(), object())) is None


def with_plugin(monkeypatch: pytest.MonkeyPatch, plugin: BasePlugin) -> None:
    """engine.build's configurations get ``plugin`` too."""
    real = engine.load_config

    def loading(*args: object, **overrides: object) -> object:
        loaded = real(*args, **overrides)
        loaded.plugins["test-plugin"] = plugin
        return loaded

    monkeypatch.setattr(engine, "load_config", loading)


def test_every_kind_of_message_is_counted_and_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Complaining(BasePlugin):
        def on_post_build(self, *, config: object) -> None:
            logging.getLogger("mkdocs.plugins.test").warning("a warning")
            logging.getLogger("mkdocs.plugins.test").error("an error")

    with_plugin(monkeypatch, Complaining())
    config, docs = site_of(tmp_path, PAGES)
    with pytest.raises(engine.EngineError) as caught:
        run(config, docs, tmp_path / "s")
    assert str(caught.value) == (
        "Aborted with 1 errors, 1 warnings in strict mode!\n  a warning\n  an error"
    )


def test_a_file_a_plugin_generates_is_written_not_offered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mkdocs.structure.files import File

    class Generating(BasePlugin):
        def on_files(self, files: object, *, config: object) -> object:
            files.append(File.generated(config, "made.txt", content="generated"))
            return files

    with_plugin(monkeypatch, Generating())
    config, docs = site_of(tmp_path, PAGES)
    offered: list[str] = []

    def place(source: Path, rel: str, target: Path) -> bool:
        offered.append(rel)
        return False

    overrides = {"docs_dir": str(docs), "site_dir": str(tmp_path / "s"), "nav": ["index.md"]}
    engine.build(config, overrides, key="k", place_static=place)
    assert offered == ["style.css"]
    assert (tmp_path / "s/made.txt").read_text("utf-8") == "generated"


def test_a_page_with_no_output_is_recorded_without_a_digest(tmp_path: Path) -> None:
    """MkDocs writes no file for a page whose template gives nothing; the record says so, and
    the next build renders the page again."""
    config, docs = site_of(tmp_path, {**PAGES, "c.md": "---\ntemplate: empty.html\n---\n# C\n"})
    pages = run(config, docs, tmp_path / "one")
    assert pages.pages["c.md"]["sha"] is None and not (tmp_path / "one/c.html").exists()
    again = run(config, docs, tmp_path / "two", previous=(tmp_path / "one", pages))
    assert again.reused == {"a.html", "b.html"}
    assert again.to_json() == pages.to_json()


def test_a_site_without_search_records_no_index_and_reuses_nothing(tmp_path: Path) -> None:
    config, docs = site_of(tmp_path, PAGES)
    config.write_text(CONFIG.replace("plugins:\n  - material/search\n", "plugins: []\n"))
    pages = run(config, docs, tmp_path / "one")
    assert pages.search == "" and not (tmp_path / "one" / engine.SEARCH_INDEX).exists()
    assert sorted(pages.pages) == ["a.md", "b.md", "c.md", "index.md"]
    again = run(config, docs, tmp_path / "two", previous=(tmp_path / "one", pages))
    assert again.reused == set() and again.to_json() == pages.to_json()


def test_a_page_kept_out_of_search_is_reused_without_entries(first, tmp_path: Path) -> None:
    config, docs, _ = first
    (docs / "c.md").write_text("---\nsearch:\n  exclude: true\n---\n# C\n", "utf-8")
    pages = run(config, docs, tmp_path / "one-c")
    index = json.loads((tmp_path / "one-c" / engine.SEARCH_INDEX).read_text("utf-8"))
    assert not [e for e in index["docs"] if e["location"].startswith("c.html")]
    (docs / "b.md").write_text(PAGES["b.md"] + "\nMore.\n", "utf-8")
    again = run(config, docs, tmp_path / "two", previous=(tmp_path / "one-c", pages))
    assert again.reused == {"a.html", "c.html"}
    run(config, docs, tmp_path / "cold")
    assert files(tmp_path / "two") == files(tmp_path / "cold")


def test_a_link_to_an_anchor_a_reused_page_lacks_stops_the_build(first, tmp_path: Path) -> None:
    """a.md changes to link to an anchor b.md (reused) does not have: b's anchors are
    restored, so the strict build fails as it does from nothing."""
    config, docs, pages = first
    (docs / "a.md").write_text("# A\n\n[b's part](b.md#part) [b's nothing](b.md#nothing)\n")
    with pytest.raises(engine.EngineError, match="nothing"):
        run(config, docs, tmp_path / "cold")
    with pytest.raises(engine.EngineError, match="nothing"):
        run(config, docs, tmp_path / "two", previous=(tmp_path / "one", pages))
    (docs / "a.md").write_text("# A\n\n[b's part](b.md#part)\n")
    again = run(config, docs, tmp_path / "three", previous=(tmp_path / "one", pages))
    assert again.reused == {"b.html", "c.html"}


def test_a_record_without_anchor_links_is_rendered(first, tmp_path: Path) -> None:
    config, docs, pages = first
    del pages.pages["a.md"]["to"]
    again = run(config, docs, tmp_path / "two", previous=(tmp_path / "one", pages))
    assert again.reused == {"b.html", "c.html"}
    assert again.pages["a.md"]["to"] == {"b.md": {"part": "b.md#part"}}


def test_extra_templates_are_refused_by_name(tmp_path: Path) -> None:
    config, docs = site_of(tmp_path, PAGES)
    config.write_text(CONFIG + "extra_templates: [extra.html]\n", "utf-8")
    (docs / "extra.html").write_text("<p>extra</p>", "utf-8")
    with pytest.raises(engine.EngineError) as caught:
        run(config, docs, tmp_path / "s")
    assert str(caught.value) == "extra template 'extra.html': not supported by aprecords"


def test_a_page_a_plugin_adds_to_the_files_late_is_rendered_as_mkdocs_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page added after the navigation was made (on_nav, not in the nav) has no Page yet:
    MkDocs makes one and renders it, and so does the engine."""
    from mkdocs.structure.files import File, InclusionLevel

    class AddingLate(BasePlugin):
        def on_nav(self, nav: object, *, config: object, files: object) -> object:
            late = File.generated(
                config, "late.md", content="# Late\n", inclusion=InclusionLevel.NOT_IN_NAV
            )
            files.append(late)
            return nav

    config, docs = site_of(tmp_path, PAGES)
    loaded = load_config(
        str(config), docs_dir=str(docs), site_dir=str(tmp_path / "theirs"), nav=["index.md"]
    )
    loaded.plugins["adding"] = AddingLate()
    mkdocs_build(loaded)
    with_plugin(monkeypatch, AddingLate())
    pages = run(config, docs, tmp_path / "ours")
    assert "late.md" in pages.pages
    assert b'<h1 id="late">Late</h1>' in (tmp_path / "ours/late.html").read_bytes()
    assert files(tmp_path / "ours") == files(tmp_path / "theirs")


def test_a_page_with_a_search_summary_gives_one_entry_and_others_one_per_section(
    tmp_path: Path,
) -> None:
    """A generated page's ``search_summary`` (and ``search_tags``) stands for all its sections
    in the index; a page without one keeps an entry per section, and a reused page keeps the
    entry it had."""
    body = "# Placement\n\n## Targets\n\nLong text.\n\n## Review 1\n\nMore.\n"
    pages = {
        **PAGES,
        "p.md": "---\nsearch_summary: Active Tobias W\nsearch_tags: [p-1]\n---\n" + body,
        "q.md": body,  # the same page without a summary: an entry per section
    }
    config, docs = site_of(tmp_path, pages)
    first = run(config, docs, tmp_path / "one")

    def entries(site: str) -> dict[str, list[dict]]:
        index = json.loads((tmp_path / site / engine.SEARCH_INDEX).read_text("utf-8"))
        found: dict[str, list[dict]] = {}
        for entry in index["docs"]:
            found.setdefault(entry["location"].split("#")[0], []).append(entry)
        return found

    one = entries("one")
    sections = one["q.html"]
    assert [e["location"] for e in sections] == ["q.html", "q.html#targets", "q.html#review-1"]
    title = sections[1]["title"]  # the first heading's entry, as Material wrote it
    assert one["p.html"] == [
        {"location": "p.html", "title": title, "text": "Active Tobias W", "tags": ["p-1"]}
    ]
    (docs / "c.md").write_text("# C\n\nChanged.\n", "utf-8")
    again = run(config, docs, tmp_path / "two", previous=(tmp_path / "one", first))
    assert "p.html" in again.reused
    assert entries("two") == {**one, "c.html": entries("two")["c.html"]}
