"""All-or-nothing writes of several files: stage every one, then rename them all, or none.

Each new text is written to a temporary file beside its target (flushed to disk) first. Only
when every file is staged, and no target changed since it was read, are they renamed into
place; should a rename still fail, the files already renamed are put back (an existing file
through a hard link to its old content kept until the end, a new file by removing it).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Change:
    """One file to write: its path, the text it held when read (None: absent), the new text,
    and how messages name it."""

    path: Path
    old: str | None
    new: str
    name: str


class WriteFailed(Exception):
    """Writing failed and every file is as it was (``message`` says what was not written)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _current(path: Path) -> str | None:
    """The file's text now (None: absent), as the importer read it (without a BOM)."""
    try:
        return path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return "\0unreadable"


def _mkdirs(folder: Path, made: list[Path]) -> None:
    """Create ``folder`` and its missing parents, noting each one made (to remove on failure)."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for each in reversed(missing):
        each.mkdir()
        made.append(each)


def _stage(change: Change) -> Path:
    """Write the new text to a temporary file beside the target, with the target's mode."""
    target = change.path
    mode = target.stat().st_mode & 0o777 if change.old is not None else None
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(change.new)
            out.flush()
            os.fsync(out.fileno())
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _install(change: Change, tmp: Path) -> Path | None:
    """Rename the staged file into place; return the hard link keeping the old content."""
    if change.old is None:
        os.link(tmp, change.path)  # fails if a file appeared meanwhile: never overwrites
        tmp.unlink()
        return None
    keep = change.path.with_name(f".{change.path.name}.{secrets.token_hex(4)}.old")
    os.link(change.path, keep)
    try:
        os.replace(tmp, change.path)
    except BaseException:
        keep.unlink(missing_ok=True)
        raise
    return keep


def _sync_folder(folder: Path) -> None:
    """Flush the folder's entries (the renames) to disk, where the system allows it."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _undo(done: list[tuple[Change, Path | None]]) -> list[tuple[Change, Path | None]]:
    """Put back every installed file; return those that could not be put back."""
    stuck = []
    for change, keep in reversed(done):
        try:
            if keep is None:
                change.path.unlink()
            else:
                os.replace(keep, change.path)
        except OSError:
            stuck.append((change, keep))
    return stuck


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _failed(exc: OSError, current: Change | None, names: str, stuck: list) -> WriteFailed:
    where = current.name if current is not None else names
    message = f"could not write {where} ({_why(exc)}); "
    if not stuck:
        return WriteFailed(message + f"nothing was written (not written: {names})")
    kept = "; ".join(
        f"{c.name} (its old content is in {k.name})" if k else c.name for c, k in stuck
    )
    return WriteFailed(
        message + f"these could not be put back and hold the new text: {kept}; every other "
        "file is unchanged"
    )


def write_all(changes: list[Change]) -> None:
    """Write every change or none; raise WriteFailed naming what was not written."""
    names = ", ".join(c.name for c in changes)
    made: list[Path] = []
    staged: list[tuple[Change, Path]] = []
    done: list[tuple[Change, Path | None]] = []
    stuck: list[tuple[Change, Path | None]] = []
    current = None
    ok = False
    try:
        for current in changes:
            _mkdirs(current.path.parent, made)
            staged.append((current, _stage(current)))
        for current in changes:
            if _current(current.path) != current.old:
                raise WriteFailed(
                    f"{current.name} changed while the import ran, so nothing was written "
                    f"(not written: {names}); run the import again"
                )
        for current, tmp in staged:
            done.append((current, _install(current, tmp)))
        ok = True
        for folder in {c.path.parent for c in changes}:
            _sync_folder(folder)
    except BaseException as exc:
        stuck = _undo(done)
        if isinstance(exc, OSError):
            raise _failed(exc, current, names, stuck) from None
        raise
    finally:
        for _change, tmp in staged:
            tmp.unlink(missing_ok=True)
        for change, keep in done:
            if keep is not None and (change, keep) not in stuck:
                keep.unlink(missing_ok=True)
        if not ok:
            for folder in reversed(made):
                with contextlib.suppress(OSError):
                    folder.rmdir()
