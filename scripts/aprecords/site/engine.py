"""The one adapter to MkDocs: load the base configuration with overrides, build, report progress.

Nothing else in the package imports mkdocs, so a change of engine stays in this module
(tests/test_engine_adapter.py checks that, and fingerprints the private MkDocs functions used
here, so a MkDocs release that changes them fails loudly instead of making reuse wrong).

:func:`build` runs MkDocs' own build steps (those of ``mkdocs.commands.build.build``, in the
same order), with two differences:

* **Page reuse** (issue 14). Given the previous build's folder and its :class:`Pages` record,
  a page is not rendered again when nothing it is made of changed: the build's ``key`` (the
  base configuration, nav, site name, theme and engine versions, this package's code and the
  help pages: everything every page shares) is the same, its Markdown has the same SHA-256,
  every path its links looked up is still there or still missing, and the previous output
  file still has the SHA-256 recorded for it (of its content, unpacked when it was stored
  compressed: :mod:`aprecords.site.stored`). Its output is hard-linked from the previous
  folder as it is stored there (never written to: the new folder is new, see :func:`_link`),
  its search entries are taken from the previous search index at its place in the page
  order, and its
  anchors and anchor links are restored so MkDocs' anchor validation sees every page. Pages in
  the nav are always rendered (their titles are in every page's navigation). So the output is
  the same, byte for byte, as a build from nothing (tests/test_incremental.py compares them).
* **One search entry per generated page**: a page whose front matter has a
  ``search_summary`` contributes one entry with that text instead of one per section
  (:mod:`aprecords.site.searchtext`, issue 23); a reused page's entry comes from the previous
  index as it was.
* **Static files** are placed by a caller's ``place_static`` first (hard links to shared theme
  files); files it declines are copied as MkDocs copies them.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import shutil
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import mkdocs
from mkdocs import utils
from mkdocs.commands.build import _build_page, _build_theme_template, _populate_page
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, BuildError, MkDocsException
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files, InclusionLevel, get_files, set_exclusions
from mkdocs.structure.nav import get_navigation
from mkdocs.structure.pages import Page

from aprecords.site import searchtext, stored

SEARCH_INDEX = "search/search_index.json"
PlaceStatic = Callable[[Path, str, Path], bool]
"""``place_static(source, output path relative to the site, absolute output path)``: True when
the caller put the file there itself (a hard link), False to have it copied."""


def versions() -> str:
    """The engine's and the theme's versions (part of every build key)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        material = version("mkdocs-material")
    except PackageNotFoundError:  # pragma: no cover - Material is a dependency
        material = "unknown"
    return f"mkdocs={mkdocs.__version__} mkdocs-material={material}"


def sha256_file(path: Path | str) -> str:
    """SHA-256 of a file's bytes, hex."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, hashlib.sha256).hexdigest()


@dataclass
class Pages:
    """What a build made of each page: kept with the build, read by the next one (JSON)."""

    key: str = ""
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per Markdown source: ``md`` (SHA-256), ``out`` (output path), ``sha`` (output SHA-256),
    ``looked`` (paths its links looked up -> found), ``to`` (anchor links: path -> {anchor:
    link}), ``anchors`` (anchor ids it has)."""
    search: str = ""
    """SHA-256 of the search index written."""
    reused: set[str] = field(default_factory=set)
    """Paths (as stored: ``x.html`` or ``x.html.gz``) hard-linked from the previous folder in
    this build (not stored)."""

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "pages": self.pages, "search": self.search}

    @classmethod
    def from_json(cls, data: Any) -> Pages:
        if not isinstance(data, dict) or not isinstance(data.get("pages"), dict):
            return cls()
        return cls(str(data.get("key", "")), data["pages"], str(data.get("search", "")))


class EngineError(Exception):
    """MkDocs refused to build (a warning in strict mode, a broken link, a bad config)."""


def wants_progress(stream: TextIO) -> bool:
    """Progress lines only on an interactive terminal and never in CI logs."""
    return stream.isatty() and not os.environ.get("CI")


class Progress(BasePlugin):
    """Counts rendered pages and rewrites one terminal line: 'rendered 120/1000 pages'."""

    def __init__(self, total: int, stream: TextIO, label: str = "") -> None:
        super().__init__()
        self.total, self.stream, self.label, self.done = total, stream, label, 0

    def on_post_page(self, output: str, /, *, page: Any, config: Any) -> str:
        self.done += 1
        if self.done == self.total or self.done % 25 == 0:
            end = "\n" if self.done == self.total else ""
            self.stream.write(f"\r{self.label}rendered {self.done}/{self.total} pages{end}")
            self.stream.flush()
        return output


class _Collect(logging.Handler):
    """Keeps MkDocs' warnings so a failed strict build can say what went wrong."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build(
    config_file: Path,
    overrides: dict[str, Any],
    pages: int = 0,
    label: str = "",
    stream: TextIO | None = None,
    *,
    key: str = "",
    previous: tuple[Path, Pages] | None = None,
    place_static: PlaceStatic | None = None,
) -> Pages:
    """Build one site with MkDocs in-process into a new, empty ``site_dir``; raise EngineError
    with MkDocs' warnings. With ``previous`` (the folder of the last build and its record) and
    the same ``key``, unchanged pages are reused (see the module's docstring)."""
    stream = stream or sys.stdout
    logger = logging.getLogger("mkdocs")
    collect = _Collect()
    logger.addHandler(collect)
    try:
        config = load_config(str(config_file), **overrides)
        progress = None
        if pages and wants_progress(stream):
            progress = Progress(pages, stream, label)
            config.plugins["aprecords-progress"] = progress
        return _build(config, key, previous, place_static, progress)
    except MkDocsException as exc:
        details = "\n".join(f"  {m}" for m in collect.messages)
        raise EngineError(f"{exc}\n{details}".rstrip()) from None
    finally:
        logger.removeHandler(collect)


def _search_plugin(config: Any) -> Any:
    for plugin in config.plugins.values():
        if hasattr(plugin, "search_index") or type(plugin).__name__ == "SearchPlugin":
            return plugin
    return None


def _old_entries(folder: Path, record: Pages) -> dict[str, list[Any]] | None:
    """The previous search index's entries by page URL; None if it is not the one recorded."""
    path = stored.stored_path(folder, SEARCH_INDEX)
    try:
        raw = stored.read(path) if path is not None else None
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile):
        return None
    if raw is None:
        return None
    if hashlib.sha256(raw).hexdigest() != record.search:
        return None
    grouped: dict[str, list[Any]] = {}
    for entry in json.loads(raw)["docs"]:
        grouped.setdefault(entry["location"].partition("#")[0], []).append(entry)
    return grouped


def _link(source: Path, target: Path) -> None:
    """Put ``source``'s file at ``target`` (a new path in the new folder): a hard link, or a
    copy where links cannot be made. Nothing is ever opened for writing through a link."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _reuse(
    file: Any, old: dict[str, Any] | None, md: str, files: Files, folder: Path, site: Path
) -> str | None:
    """Link the previous output of an unchanged page into the new folder and return its path
    as stored (``x.html``, or ``x.html.gz``); None (and nothing linked) when the page must be
    rendered: its Markdown, its output path, or what its links find changed, its record lacks
    its anchors or anchor links, or the linked file is not byte for byte the one recorded."""
    if old is None or old.get("md") != md or old.get("out") != file.dest_uri:
        return None
    looked = old.get("looked")
    if (
        not isinstance(looked, dict)
        or not isinstance(old.get("anchors"), list)
        or not isinstance(old.get("to"), dict)
    ):
        return None
    if any((files.get_file_from_path(p) is not None) != bool(f) for p, f in looked.items()):
        return None
    source = stored.stored_path(folder, file.dest_uri)
    if source is None:
        return None
    rel = source.relative_to(folder).as_posix()
    target = site / rel
    try:
        _link(source, target)
        content = stored.read(target)  # the very file that will be served, unpacked
        if hashlib.sha256(content).hexdigest() == old.get("sha"):
            return rel
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile):
        pass
    target.unlink(missing_ok=True)
    return None


def _render(page: Page, config: Any, files: Files) -> dict[str, bool]:
    """MkDocs' page population, recording every path its links looked up."""
    looked: dict[str, bool] = {}
    lookup = files.get_file_from_path

    def recording(path: str) -> Any:
        found = lookup(path)
        looked[path] = found is not None
        return found

    files.get_file_from_path = recording  # type: ignore[method-assign]
    try:
        _populate_page(page, config, files)
    finally:
        del files.get_file_from_path
    return looked


def _build(
    config: Any,
    key: str,
    previous: tuple[Path, Pages] | None,
    place_static: PlaceStatic | None,
    progress: Progress | None,
) -> Pages:
    """``mkdocs.commands.build.build`` (MkDocs 1.6), with page reuse and placed static files."""
    logger = logging.getLogger("mkdocs")
    counter = utils.CountHandler()
    counter.setLevel(logging.WARNING)
    if config.strict:
        logger.addHandler(counter)
    site = Path(config.site_dir)
    record = Pages(key)
    try:
        config = config.plugins.on_config(config)
        config.plugins.on_pre_build(config=config)
        files = get_files(config)
        env = config.theme.get_env()
        files.add_files_from_theme(env, config)
        files = config.plugins.on_files(files, config=config)
        set_exclusions(files, config)
        nav = get_navigation(files, config)
        nav = config.plugins.on_nav(nav, config=config, files=files)

        folder, old = previous if previous and previous[1].key == key else (None, Pages())
        entries = _old_entries(folder, old) if folder is not None else None
        if entries is None:
            folder = None
        in_nav = {page.file.src_uri for page in nav.pages}
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
        reuse: dict[str, dict[str, Any]] = {}
        looked: dict[str, dict[str, bool]] = {}
        hashes: dict[str, str] = {}
        for file in doc_files:
            if file.page is None:
                Page(None, file, config)
            hashes[file.src_uri] = hashlib.sha256(file.content_bytes).hexdigest()
            before = old.pages.get(file.src_uri)
            if (
                folder is not None
                and file.src_uri not in in_nav
                and (linked := _reuse(file, before, hashes[file.src_uri], files, folder, site))
            ):
                reuse[file.src_uri] = before  # type: ignore[assignment]
                record.reused.add(linked)
                file.page.present_anchor_ids = set(before["anchors"])  # type: ignore[index]
            else:
                looked[file.src_uri] = _render(file.page, config, files)
        if progress is not None and reuse:
            progress.total = len(looked)
        env = config.plugins.on_env(env, config=config, files=files)

        for file in files:
            if file.is_documentation_page() or not file.inclusion.is_included():
                continue
            src = Path(file.abs_src_path) if file.abs_src_path else None
            target = Path(file.abs_dest_path)
            if src is None or place_static is None or not place_static(src, file.dest_uri, target):
                file.copy_file()
        for template in config.theme.static_templates:
            _build_theme_template(template, env, files, config, nav)
        for template in config.extra_templates:
            raise Abort(f"extra template {template!r}: not supported by aprecords")

        search = _search_plugin(config)
        for file in doc_files:
            page = file.page
            kept = reuse.get(file.src_uri)
            if kept is None:
                index = [] if search is None else search.search_index.entries
                start = len(index)
                _build_page(page, config, doc_files, nav, env)
                summary = page.meta.get(searchtext.META_KEY)
                if isinstance(summary, str):  # (without search, a list nothing reads)
                    tags = page.meta.get(searchtext.TAGS_KEY)
                    searchtext.collapse(index, start, page.url, summary, tags)
                continue
            assert entries is not None
            if search is not None:
                search.search_index.entries.extend(entries.get(page.url, []))
        for file in doc_files:
            kept = reuse.get(file.src_uri)
            if kept is not None:  # validated like a rendered page, against today's anchors
                page = file.page
                page.links_to_anchors = {}
                for path, links in kept["to"].items():
                    target_file = files.get_file_from_path(path)
                    if target_file is not None:
                        page.links_to_anchors[target_file] = dict(links)
            file.page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
        config.plugins.on_post_build(config=config)
        if counts := counter.get_counts():
            msg = ", ".join(f"{v} {k.lower()}s" for k, v in counts)
            raise Abort(f"Aborted with {msg} in strict mode!")
    except Exception as e:
        config.plugins.on_build_error(error=e)
        if isinstance(e, BuildError):
            raise Abort("Aborted with a BuildError!") from None
        raise
    finally:
        logger.removeHandler(counter)

    for file in doc_files:
        page = file.page
        kept = reuse.get(file.src_uri)
        if kept is not None:
            record.pages[file.src_uri] = kept
            continue
        out = site / file.dest_uri
        record.pages[file.src_uri] = {
            "md": hashes[file.src_uri],
            "out": file.dest_uri,
            "sha": sha256_file(out) if out.is_file() else None,
            "looked": looked[file.src_uri],
            "to": {
                target.src_uri: dict(links)
                for target, links in (page.links_to_anchors or {}).items()
            },
            "anchors": sorted(a for a in page.present_anchor_ids or () if isinstance(a, str)),
        }
    index = site / SEARCH_INDEX
    record.search = sha256_file(index) if index.is_file() else ""
    return record


def live_server(
    builder: Callable[[], Any], host: str, port: int, site_dir: Path, watch: list[Path]
) -> LiveReloadServer:
    """MkDocs' live-reload server (the one behind ``mkdocs serve``) over a built site.

    ``builder`` runs when a watched path changes; browsers reload when it returns.
    Call ``.serve()`` (blocks) and ``.shutdown()``.
    """
    server = LiveReloadServer(builder=builder, host=host, port=port, root=str(site_dir))
    for path in watch:
        server.watch(str(path))
    return server
