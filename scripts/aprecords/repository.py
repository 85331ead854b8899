"""All records of a root, loaded once with the strict loader, looked up by id."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aprecords.config import CONFIG_FILE, Config, ConfigError
from aprecords.findings import Finding
from aprecords.load import Document, LoadError, load_file
from aprecords.schemas import Schemas

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
    """A path as findings show it: relative to the root where possible, with '/'."""
    try:
        return file.resolve().relative_to(root.resolve()).as_posix()
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


def record_files(root: Path) -> list[tuple[str | None, Path]]:
    """Every YAML file under records/ with the kind its folder implies (None: misplaced)."""
    base = root / RECORDS
    found: list[tuple[str | None, Path]] = []
    if not base.is_dir():
        return found
    for file in sorted(base.rglob("*")):
        if file.suffix not in (".yaml", ".yml") or not file.is_file():
            continue
        parts = file.relative_to(base).parts
        kind = FOLDERS.get(parts[0])
        if (
            kind == "placement"
            and len(parts) != 3
            or kind in ("school", "provider", "attendance")
            and len(parts) != 2
        ):
            kind = None
        found.append((kind, file))
    return found


def load_repository(root: Path) -> Repository:
    """Load configuration, schemas and all records; unreadable files become findings."""
    schemas = Schemas(root / "schema")
    config = load_config(root, schemas)
    repo = Repository(root=root, config=config, schemas=schemas)
    for kind, file in record_files(root):
        repo.files += 1
        rel = relative(root, file)
        if kind is None:
            repo.load_findings.append(
                Finding(
                    rel,
                    1,
                    1,
                    "error",
                    "this file is not where records go: use records/schools/<id>.yaml, "
                    "records/providers/<id>.yaml, records/placements/<school-id>/<id>.yaml "
                    "or records/attendance/<placement-id>.yaml",
                    "record-location",
                )
            )
            continue
        try:
            doc = load_file(file, rel, config.max_file_bytes)
        except LoadError as exc:
            repo.load_findings.append(
                Finding(rel, exc.line, exc.column, "error", exc.message, exc.rule)
            )
            continue
        repo.records.append(Record(kind, doc))
    return repo
