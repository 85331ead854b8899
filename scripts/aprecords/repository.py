"""All records of a root, loaded once with the strict loader, looked up by id."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aprecords.config import CONFIG_FILE, Config, ConfigError
from aprecords.files import not_a_file
from aprecords.findings import Finding
from aprecords.load import Document, LoadError, load_file
from aprecords.schemas import Schemas
from aprecords.workers import gc_paused, run_shares, split, worker_count

RECORDS = "records"
FOLDERS = {
    "schools": "school",
    "providers": "provider",
    "placements": "placement",
    "attendance": "attendance",
}


@dataclass
class Record:
    """One loaded record file and its kind (``school``, ``provider`` or ``placement``)."""

    kind: str
    doc: Document
    valid: bool = True

    @property
    def data(self) -> dict[str, Any]:
        """The record's data."""
        return self.doc.data

    @property
    def path(self) -> str:
        """Path relative to the repository root, with forward slashes."""
        return self.doc.path

    @property
    def id(self) -> str:
        """The record's ``id`` (empty when missing or not text)."""
        value = self.doc.data.get("id")
        return value if isinstance(value, str) else ""


@dataclass
class Repository:
    """A records repository: configuration, schemas and every record that could be read."""

    root: Path
    config: Config
    schemas: Schemas
    records: list[Record] = field(default_factory=list)
    load_findings: list[Finding] = field(default_factory=list)
    files: int = 0
    tool: Path | None = None
    """Where the schemas (and the web form's package) come from when not from the records: a
    deployed server's pinned install of the tool (``aprecords build --tool-dir``)."""
    _by_id: dict[str, tuple[int, dict[str, Record]]] = field(default_factory=dict, repr=False)

    def of_kind(self, kind: str) -> list[Record]:
        """Readable, schema-valid records of one kind, in path order."""
        return [r for r in self.records if r.kind == kind and r.valid]

    def mark(self, record: Record, valid: bool) -> None:
        """Set whether a record passed its schema (the lookups by id change with it)."""
        record.valid = valid
        self._by_id.clear()

    def by_id(self, kind: str) -> dict[str, Record]:
        """Valid records of one kind by id (the first, where ids repeat).

        Built once and kept until a record is added or marked, so code may look records up
        per record without turning a run quadratic.
        """
        cached = self._by_id.get(kind)
        if cached is not None and cached[0] == len(self.records):
            return cached[1]
        found: dict[str, Record] = {}
        for record in self.of_kind(kind):
            found.setdefault(record.id, record)
        self._by_id[kind] = (len(self.records), found)
        return found

    @property
    def schools(self) -> dict[str, Record]:
        """Valid school records by id."""
        return self.by_id("school")

    @property
    def providers(self) -> dict[str, Record]:
        """Valid provider records by id."""
        return self.by_id("provider")

    @property
    def placements(self) -> dict[str, Record]:
        """Valid placement records by id."""
        return self.by_id("placement")


def relative(root: Path, file: Path) -> str:
    """A path as findings show it: relative to the root where possible, with '/'.

    The file's own name is not resolved, so a link is named by where it is, not where it
    points (findings about a link are at the link).
    """
    try:
        return (file.parent.resolve() / file.name).relative_to(root.resolve()).as_posix()
    except ValueError:
        return file.as_posix()


def load_config(root: Path, schemas: Schemas) -> Config:
    """Read and check aprecords.yml; raise ConfigError with located findings if unusable."""
    file = root / CONFIG_FILE
    try:
        doc = load_file(file, CONFIG_FILE)
    except LoadError as exc:
        raise ConfigError(
            f"{CONFIG_FILE}:{exc.line}:{exc.column}: error: {exc.message} [{exc.rule}]"
        ) from None
    findings = schemas.check("config", doc)
    if findings:
        raise ConfigError(
            "\n".join(
                f"{f.path}:{f.line}:{f.column}: error: {f.message} [{f.rule}]" for f in findings
            )
        )
    return Config.from_data(doc.data)


def _walk(folder: Path) -> list[tuple[Path, bool]]:
    """Everything under ``folder`` named like a record, and every link (links to folders are
    listed, not followed), each with whether it is a link (known without an extra stat)."""
    found: list[tuple[Path, bool]] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return found
    for entry in entries:
        path = folder / entry.name
        link = entry.is_symlink()
        if link or entry.name.endswith((".yaml", ".yml")):
            found.append((path, link))
        if not link and entry.is_dir(follow_symlinks=False):
            found.extend(_walk(path))
    return found


def record_files(root: Path) -> list[tuple[str | None, Path, bool]]:
    """Everything under records/ named like a YAML file, and every link (folders, pipes and
    links are findings): the kind its folder implies (None: misplaced), the path, and whether
    it is a link."""
    base = root / RECORDS
    found: list[tuple[str | None, Path, bool]] = []
    if not base.is_dir():
        return found
    for file, link in _walk(base):
        parts = file.relative_to(base).parts
        kind = FOLDERS.get(parts[0])
        if (
            kind == "placement"
            and len(parts) != 3
            or kind in ("school", "provider", "attendance")
            and len(parts) != 2
        ):
            kind = None
        found.append((kind, file, link))
    return found


def _link_problem(root: Path, file: Path) -> str:
    """Why a link under records/ is refused.

    Every link is refused: one that leads outside the repository would publish whatever it
    points to; one inside it shows a reviewer only a path, not the record, in a pull request
    and makes one record appear twice.
    """
    try:
        target = file.resolve(strict=True)
    except (OSError, RuntimeError):
        return (
            "this is a link that leads nowhere; records are plain files, so delete the link "
            "(or replace it by the record itself)"
        )
    what = "folder" if target.is_dir() else "file"
    if not target.is_relative_to(root.resolve()):
        return (
            f"this is a link to a {what} outside the records repository, which is never read; "
            "records are plain files: delete the link, and add the record itself if it "
            "belongs here"
        )
    where = target.relative_to(root.resolve()).as_posix()
    return (
        f"this is a link to the {what} {where}; records are plain files (a pull request "
        "shows a link as a path, not the record), so delete the link, or move the "
        f"{what} here instead"
    )


def _not_a_file(file: Path) -> LoadError | None:
    try:
        return not_a_file(file.stat().st_mode)
    except OSError:
        return None


LOAD_THRESHOLD = 100
"""Record files from which loading is split over processes (measured: see README,
"Benchmarks"); below it one process is faster, forking and sending results back costing more
than they save."""


def load_repository(root: Path, workers: int | None = 1, tool: Path | None = None) -> Repository:
    """Load configuration, schemas and all records; unreadable files become findings.

    ``workers``: processes to read and parse the files in (None: one per core from
    LOAD_THRESHOLD files on); the result is the same, in the same order, whatever the number.
    ``tool``: take the schemas from ``tool/schema`` (a pinned install of the tool), not from
    the records, whose commits cannot then change what each audience is shown.
    """
    schemas = Schemas((tool or root) / "schema")
    config = load_config(root, schemas)
    repo = Repository(root=root, config=config, schemas=schemas, tool=tool)
    found = record_files(root)
    if workers is None:
        workers = worker_count(len(found), LOAD_THRESHOLD)
    shares = split(found, workers)
    with gc_paused():
        loaded = run_shares(lambda part: [_load_one(root, config, *f) for f in part], shares)
    for share in loaded:
        for entry in share:
            repo.files += 1
            if isinstance(entry, Record):
                repo.records.append(entry)
            else:
                repo.load_findings.append(entry)
    return repo


def _load_one(
    root: Path, config: Config, kind: str | None, file: Path, link: bool
) -> Record | Finding:
    """One record file loaded, or the finding that says why it cannot be."""
    rel = relative(root, file)
    if link:
        return Finding(rel, 1, 1, "error", _link_problem(root, file), "record-symlink")
    if kind is None:
        problem = _not_a_file(file)
        return Finding(
            rel,
            1,
            1,
            "error",
            problem.message
            if problem is not None
            else "this file is not where records go: use records/schools/<id>.yaml, "
            "records/providers/<id>.yaml, records/placements/<school-id>/<id>.yaml "
            "or records/attendance/<placement-id>.yaml",
            problem.rule if problem is not None else "record-location",
        )
    try:
        doc = load_file(file, rel, config.max_file_bytes)
    except LoadError as exc:
        return Finding(rel, exc.line, exc.column, "error", exc.message, exc.rule)
    return Record(kind, doc)
