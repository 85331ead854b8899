"""``aprecords fmt``: put record files in the canonical layout (``canonical.py``), or check it.

Files are read as validation reads them (only regular files, the size limit, UTF-8, the
strict loader); one that does not load is a finding and is left untouched. Changed files are
written all together or not at all (``writes.py``: a temporary file renamed into place, the
file's mode kept); a file already canonical is never written, so its time stamp stays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from aprecords.canonical import canonical
from aprecords.config import Config
from aprecords.errors import UsageError
from aprecords.files import LoadError, not_a_file, read_limited
from aprecords.findings import Finding
from aprecords.load import decode
from aprecords.repository import FOLDERS, RECORDS, load_config, record_files, relative
from aprecords.schemas import Schemas
from aprecords.writes import Change, write_all


@dataclass
class Outcome:
    """What ``fmt`` found: findings, the files it (would) rewrite, and how many it read."""

    findings: list[Finding] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    files: int = 0


def kind_of(root: Path, file: Path) -> str | None:
    """The record kind a path's place under records/ implies (None: not a record's place)."""
    try:
        parts = (file.parent.resolve() / file.name).relative_to((root / RECORDS).resolve()).parts
    except ValueError:
        return None
    kind = FOLDERS.get(parts[0]) if parts else None
    wanted = 3 if kind == "placement" else 2
    if kind is None or len(parts) != wanted or not file.name.endswith((".yaml", ".yml")):
        return None
    return kind


def _targets(root: Path, names: list[str]) -> list[tuple[str, Path]]:
    """(kind, file) of every record to format: all of records/, or the paths given."""
    if not names:
        return [(k, f) for k, f, link in record_files(root) if k is not None and not link]
    found: list[tuple[str, Path]] = []
    for name in names:
        path = Path(name)
        if path.is_dir() and not path.is_symlink():
            inside = [
                (k, f)
                for k, f, link in record_files(root)
                if k is not None and not link and f.resolve().is_relative_to(path.resolve())
            ]
            found += inside
            continue
        if not path.exists():
            raise UsageError(f"{name}: no such file")
        kind = kind_of(root, path)
        if kind is None:
            raise UsageError(
                f"{name}: not a record file; fmt formats records/schools/<id>.yaml, "
                "records/providers/<id>.yaml, records/placements/<school>/<id>.yaml and "
                "records/attendance/<id>.yaml"
            )
        found.append((kind, path))
    return sorted(set(found), key=lambda kf: str(kf[1]))


def first_difference(old: str, new: str) -> tuple[int, int]:
    """1-based line and column of the first character where two texts differ."""
    at = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), None)
    if at is None:
        at = min(len(old), len(new))
    line = old.count("\n", 0, at) + 1
    return line, at - (old.rfind("\n", 0, at) + 1) + 1


def format_text(text: str, rel: str, kind: str, schemas: Schemas) -> str:
    """The canonical text of a record (LoadError when it does not load strictly)."""
    return canonical(text, rel, schemas.resolved(kind))


def _read(file: Path, config: Config) -> tuple[bytes, str]:
    """(the file's bytes; the text the loader reads)."""
    try:
        problem = not_a_file(file.lstat().st_mode)
    except OSError as exc:
        raise LoadError(f"cannot read this file ({exc.strerror})", rule="not-a-file") from None
    if problem is not None or file.is_symlink():
        raise problem or LoadError("a link: records are plain files", rule="record-symlink")
    raw = read_limited(file, config.max_file_bytes)
    text = decode(raw, config.max_file_bytes)
    return raw, text


def fmt(root: Path, names: list[str], check: bool) -> Outcome:
    """Format (or with ``check`` only compare) the records named, or all of them."""
    schemas = Schemas(root / "schema")
    config = load_config(root, schemas)
    out = Outcome()
    changes: list[Change] = []
    for kind, file in _targets(root, names):
        rel = relative(root, file)
        out.files += 1
        try:
            raw, text = _read(file, config)
            new = format_text(text, rel, kind, schemas)
        except LoadError as exc:
            out.findings.append(Finding(rel, exc.line, exc.column, "error", exc.message, exc.rule))
            continue
        if raw == new.encode("utf-8"):
            continue
        stored = raw.decode("utf-8")  # with a byte-order mark, if any: that differs too
        out.changed.append(rel)
        if check:
            line, col = first_difference(stored, new)
            out.findings.append(
                Finding(
                    rel,
                    line,
                    col,
                    "error",
                    f"not in the canonical layout; run `aprecords fmt {rel}`",
                    "fmt",
                )
            )
        else:
            changes.append(Change(file, stored.removeprefix("\ufeff"), new, rel))
    if changes:
        write_all(changes)
    return out


def canonical_record(text: str, rel: str, kind: str, schemas: Schemas) -> str:
    """For writers (``new``, ``review``, attendance): their text in the canonical layout."""
    return format_text(text, rel, kind, schemas)
