"""Reading a record file safely: only a regular file, its size checked before reading."""

from __future__ import annotations

import os
import stat
from pathlib import Path

DEFAULT_MAX_BYTES = 1024 * 1024


class LoadError(Exception):
    """A file that cannot be read as a record, with where and what to do."""

    def __init__(self, message: str, line: int = 1, column: int = 1, rule: str = "yaml-syntax"):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.rule = rule


def size_error(size: int, max_bytes: int) -> LoadError:
    """The error for a file over the size limit."""
    return LoadError(
        f"the file is {size:,} bytes, over the limit of {max_bytes:,}; "
        "a record this large is almost certainly a mistake (split it, or raise "
        "max_file_bytes in aprecords.yml)",
        rule="file-size",
    )


_KINDS = (
    (stat.S_ISDIR, "a folder", "rename it, or move the records in it to where records go"),
    (stat.S_ISFIFO, "a named pipe (FIFO)", "delete it"),
    (stat.S_ISSOCK, "a socket", "delete it"),
    (stat.S_ISCHR, "a device", "delete it"),
    (stat.S_ISBLK, "a device", "delete it"),
)


def not_a_file(mode: int) -> LoadError | None:
    """The error for something that is not a regular file (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    what, todo = next(((w, t) for test, w, t in _KINDS if test(mode)), ("not a file", "delete it"))
    return LoadError(
        f"this is {what}, not a file, though its name ends like a record's; {todo} "
        "(records are plain text files)",
        rule="not-a-file",
    )


def _read_all(fd: int, size: int, max_bytes: int) -> bytes:
    """Up to ``max_bytes + 1`` bytes (one more tells a file that grew), asking for the size
    the stat gave (a buffered read of ``max_bytes`` would allocate that much per file)."""
    parts: list[bytes] = []
    total = 0
    while total <= max_bytes:
        chunk = os.read(fd, min(max_bytes + 1 - total, max(size + 1 - total, 65536)))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)


def read_limited(file: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``: its size is checked (fstat)
    before reading, and a folder, pipe, socket or device is refused without waiting on it."""
    try:
        # O_NONBLOCK: opening a named pipe does not wait for a writer.
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        try:  # a socket cannot be opened: say what it is
            problem = not_a_file(os.stat(file).st_mode)
        except OSError:
            problem = None
        raise problem or LoadError(
            f"cannot read the file: {exc.strerror}", rule="unreadable"
        ) from None
    info = os.fstat(fd)
    problem = not_a_file(info.st_mode)
    if problem is None and info.st_size > max_bytes:
        problem = size_error(info.st_size, max_bytes)
    if problem is not None:
        os.close(fd)
        raise problem
    try:
        raw = _read_all(fd, info.st_size, max_bytes)
    except OSError as exc:
        raise LoadError(f"cannot read the file: {exc.strerror}", rule="unreadable") from None
    finally:
        os.close(fd)
    if len(raw) > max_bytes:  # it grew after the fstat
        raise size_error(len(raw), max_bytes)
    return raw
