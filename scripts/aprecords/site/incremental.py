"""Between builds (issue 14): each audience's page record, and theme files kept once.

**Page record.** ``DIR/.aprecords/pages/<audience>.json`` (in the 0700 build-record folder,
never served) holds what the audience's last swapped-in build made of each page
(:class:`aprecords.site.engine.Pages`: Markdown and output SHA-256, the paths its links looked
up, its anchors) and the digests of the needles its leak checks searched for. The next build
of the audience reuses the pages whose inputs did not change (``engine.build``) and reads
only the other files for the leak check. That is sound: a reused page is, byte for byte (its
SHA-256 is checked on the very file linked into the new folder), a page of a build that passed
a check for needles with the recorded digest; when today's needles have the same digest,
reading it again cannot find anything, and when they differ every file is read. A page's
hits depend only on its bytes, its name and the needles. Every other file (new pages, the
search index, the sitemap, the feeds) is read as before; theme files are skipped by digest, as
before.

**Theme files once.** A file MkDocs would copy into a site is hard-linked instead from
``DIR/.aprecords/theme/<sha256>`` when both hold: its output path is under ``assets/`` and its
bytes are those of a file shipped in Material's ``templates/assets/`` or in this package's
``site/assets/`` (compared by SHA-256: fixed files no record can reach). Pages, search indexes,
feeds and everything generated are always files of their own audience. Stored files are
written once (a new file renamed into place, mode 0644) and never opened for writing again:
a build writes only new files into its own new folder and swaps it in, so no build can change
a file another audience's folder links to. nginx still serves each audience only its folder
(a hard link is an ordinary file of that folder: no ``disable_symlinks`` concern).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aprecords.access import Audience
from aprecords.guard.scan import theme_digests
from aprecords.site import engine

PAGES = "pages"
THEME = "theme"
OWN_ASSETS = Path(__file__).parent / "assets"


@dataclass(frozen=True)
class Record:
    """An audience's page record with the digests of its leak checks' needles."""

    pages: engine.Pages
    leak: str = ""
    parents: str = ""


def build_key(shared: str, audience: Audience, site_name: str, nav: Any) -> str:
    """What every page of one audience's site shares: if it changes, no page is reused."""
    payload = [
        shared,  # code, templates, docs/, mkdocs.yml, aprecords.yml, schemas, the date
        engine.versions(),
        site_name,
        nav,
        [audience.name, audience.title, audience.kind, sorted(audience.grants)],
    ]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()


def _record_file(state: Path, name: str) -> Path:
    return state / PAGES / f"{name}.json"


def load(state: Path, name: str) -> Record | None:
    """The record of the audience's last build, or None (missing or unreadable: build all)."""
    try:
        data = json.loads(_record_file(state, name).read_text("utf-8"))
        return Record(
            engine.Pages.from_json(data["engine"]), str(data["leak"]), str(data["parents"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save(state: Path, name: str, record: Record) -> None:
    """Keep the record of a build just swapped in (atomically: a new file renamed over)."""
    target = _record_file(state, name)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = {"engine": record.pages.to_json(), "leak": record.leak, "parents": record.parents}
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, separators=(",", ":"))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def forget(state: Path, name: str) -> None:
    """Remove an audience's record (its folder is gone)."""
    _record_file(state, name).unlink(missing_ok=True)


@functools.lru_cache(maxsize=1)
def shareable() -> frozenset[str]:
    """SHA-256 of every file that may be shared between audiences: the theme's shipped assets
    and this package's own (``site/assets/``); neither holds anything from a record."""
    own = {engine.sha256_file(f) for f in OWN_ASSETS.rglob("*") if f.is_file()}
    return theme_digests() | frozenset(own)


class ThemeStore:
    """Content-addressed theme files in ``folder``, hard-linked into the sites."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.checked: set[str] = set()

    def place(self, source: Path, rel: str, target: Path) -> bool:
        """Link ``target`` (a new path) to the stored copy of ``source``; False when the file
        is not on the allow-list (the caller copies it) or cannot be linked."""
        if not rel.startswith("assets/") or source.is_symlink():
            return False
        digest = engine.sha256_file(source)
        if digest not in shareable():
            return False
        stored = self.folder / digest
        if digest not in self.checked:
            self._put(source, stored, digest)
            self.checked.add(digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(stored, target)
        except OSError:  # another filesystem, or too many links: a copy of its own
            return False
        return True

    def _put(self, source: Path, stored: Path, digest: str) -> None:
        """Make sure ``stored`` holds ``source``'s bytes: kept if it does, else written anew
        (a new file linked or renamed into place; two builds storing it at once both win)."""
        if not stored.is_symlink() and stored.is_file() and engine.sha256_file(stored) == digest:
            return
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".theme-")
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                shutil.copyfileobj(src, out)
            os.chmod(tmp, 0o644)
            if stored.exists() or stored.is_symlink():
                os.replace(tmp, stored)  # damaged: a new file takes its name
            else:
                try:
                    os.link(tmp, stored)
                except FileExistsError:  # stored meanwhile by another worker
                    pass
                except OSError:  # no hard links here: a rename does it
                    os.replace(tmp, stored)
        finally:
            Path(tmp).unlink(missing_ok=True)


def prune_theme(state: Path) -> list[str]:
    """Remove stored theme files no site links to any more (e.g. after a theme upgrade)."""
    folder = state / THEME
    removed = []
    for file in sorted(folder.iterdir()) if folder.is_dir() else []:
        if file.is_file() and not file.is_symlink() and file.stat().st_nlink == 1:
            file.unlink()
            removed.append(file.name)
    return removed
