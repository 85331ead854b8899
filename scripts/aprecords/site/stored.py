"""Pages stored gzip-compressed (``aprecords build --compress``), as nginx's ``gzip_static``
serves them.

A built page is mostly markup repeated on every page, so it compresses about sevenfold; at a
thousand placements the pages, not the theme, are most of a site's bytes. With ``--compress``
each page (``.html``) and the search index (``.json``) is kept only as ``NAME.gz``: nginx
sends it as it is to every browser that accepts gzip (all of them) and unpacks it for any
client that does not (``gzip_static always; gunzip on;`` in the generated configuration), so
what a reader gets is byte for byte the page MkDocs wrote.

Kept as they are: every ``index.html`` (nginx's index module looks only for the plain file),
``404.html``, the theme's and the web form's files (``assets/``, ``admin/``: hard links shared
between audiences, never rewritten) and everything that is not a page.

Compression runs after the leak check passed and before the swap, in the new folder only: a
page's plain file is replaced by a new ``.gz`` file (never written through, so a hard link to
an earlier build's file is never changed). The output is deterministic (no name, time 0), so a
cold build and an incremental one give the same bytes.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from pathlib import Path

SUFFIX = ".gz"
COMPRESSED = (".html", ".json")
"""Suffixes of the files stored compressed."""
KEPT_NAMES = frozenset({"index.html", "404.html"})
KEPT_FOLDERS = ("assets", "admin")
"""Top-level folders left alone (shared theme files, the web form)."""
LEVEL = 6
"""zlib's default: within a few per cent of level 9's size at a third of its time."""


def compressible(rel: str) -> bool:
    """True for a site-relative path that ``--compress`` stores as ``rel + '.gz'``."""
    top, _, _ = rel.partition("/")
    name = rel.rpartition("/")[2]
    return (
        rel.endswith(COMPRESSED)
        and name not in KEPT_NAMES
        and not (top in KEPT_FOLDERS and "/" in rel)
    )


def pack(data: bytes) -> bytes:
    """The gzip member stored for ``data``: the same bytes for the same data, every time."""
    return gzip.compress(data, compresslevel=LEVEL, mtime=0)


def compress_site(folder: Path) -> int:
    """Replace every compressible plain file under ``folder`` by its ``.gz``; return the count.

    Each ``.gz`` is written to a temporary file beside it and renamed into place before the
    plain file is removed, so an interruption leaves one complete form of every page.
    """
    done = 0
    for dirpath, _dirnames, filenames in os.walk(folder):
        base = Path(dirpath)
        for name in filenames:
            path = base / name
            rel = path.relative_to(folder).as_posix()
            if not compressible(rel) or path.is_symlink():
                continue
            packed = pack(path.read_bytes())
            fd, tmp = tempfile.mkstemp(dir=base, prefix=f".{name}.")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(packed)
                os.replace(tmp, base / (name + SUFFIX))
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            path.unlink()
            done += 1
    return done


def stored_path(folder: Path, rel: str) -> Path | None:
    """Where the file MkDocs wrote as ``rel`` is in ``folder``: as it is, or as ``.gz``."""
    plain = folder / rel
    if plain.is_file():
        return plain
    packed = folder / (rel + SUFFIX)
    return packed if packed.is_file() else None


def read(path: Path) -> bytes:
    """A stored file's content as MkDocs wrote it (unpacked when its name ends in ``.gz``)."""
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.name.endswith(SUFFIX) else raw
