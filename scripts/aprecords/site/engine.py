"""The one adapter to MkDocs: load the base configuration with overrides, build, report progress.

Nothing else in the package imports mkdocs, so a change of engine stays in this module.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin


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
) -> None:
    """Build one site with MkDocs in-process; raise EngineError with MkDocs' warnings."""
    stream = stream or sys.stdout
    logger = logging.getLogger("mkdocs")
    collect = _Collect()
    logger.addHandler(collect)
    try:
        config = load_config(str(config_file), **overrides)
        if pages and wants_progress(stream):
            config.plugins["aprecords-progress"] = Progress(pages, stream, label)
        mkdocs_build(config)
    except MkDocsException as exc:
        details = "\n".join(f"  {m}" for m in collect.messages)
        raise EngineError(f"{exc}\n{details}".rstrip()) from None
    finally:
        logger.removeHandler(collect)


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
