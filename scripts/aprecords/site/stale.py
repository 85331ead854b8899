"""Which sites keep their last good version, and why: the hub's "Sites not updated".

A data error never stops every site. An error in a record holds back only the audiences that
show that record (or showed it in their last good build): they keep the folder they have,
and every other audience is built as usual. The hub is always built, since its dashboard is
where the errors and the sites held back are listed for the people who fix them; it is built
from the valid records (a record its schema refuses is left out of every site until fixed).

Who shows a record, following :func:`aprecords.scope.scope`: a placement its audiences
(:meth:`Audience.sees_placement`: its school's, its providers', the custom ones listing
either); an attendance register its placement's; a school's registry entry the school and
every audience with a pupil from it; a provider's registry entry every audience (each site
lists every provider). A file that is not a record of a known kind holds back every audience.
The record's data is read as far as it goes (a file the schema refuses may still name its
school and providers), and the folder of a placement names its school.

A build that fails (a leak found, MkDocs refusing) also keeps the audience's last good site;
:func:`aprecords.site.parallel.build_many` then rebuilds the hub's dashboard to say so, and
the build keeps the list in ``DIR/.aprecords/_status.json`` for the next build and the deploy.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from aprecords.access import Audience
from aprecords.findings import Finding
from aprecords.repository import FOLDERS, RECORDS, Repository

STATUS = "_status.json"
"""Beside the audiences' build records (no audience name has an underscore)."""


def finding_line(finding: Finding) -> str:
    """A finding as one line of text: ``path:line:column: message [rule]``."""
    from aprecords.report import one_line

    return one_line(
        f"{finding.path}:{finding.line}:{finding.column}: {finding.message} [{finding.rule}]"
    )


@dataclass(frozen=True)
class Status:
    """What the hub's dashboard says about the sites: the records with errors, the audiences
    held back by them (and why), the audiences whose build failed, and the date each site
    that was not updated was built for."""

    errors: tuple[str, ...] = ()
    held: dict[str, tuple[str, ...]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    as_of: dict[str, str] = field(default_factory=dict)

    @property
    def stale(self) -> dict[str, tuple[str, ...]]:
        """Every audience not updated, with its reasons (errors first, then a failure)."""
        names = sorted({*self.held, *self.failed})
        return {
            n: (*self.held.get(n, ()), *([self.failed[n]] if n in self.failed else ()))
            for n in names
        }

    def empty(self) -> bool:
        """Nothing to report: every site is up to date and no record has an error."""
        return not (self.errors or self.held or self.failed)

    def as_json(self) -> dict[str, Any]:
        return {
            "errors": list(self.errors),
            "held": {k: list(v) for k, v in sorted(self.held.items())},
            "failed": dict(sorted(self.failed.items())),
            "as_of": dict(sorted(self.as_of.items())),
        }

    def report(self) -> list[str]:
        """The sites not updated, as lines for a log: each with the date it still shows,
        then its reasons, indented (control characters escaped)."""
        from aprecords.report import one_line

        lines = []
        for name, reasons in self.stale.items():
            since = self.as_of.get(name)
            kept = f"its site of {since} stays" if since else "it has no site yet"
            lines.append(one_line(f"{name}: not updated ({kept}):"))
            lines += [f"  {one_line(reason)}" for reason in reasons]
        return lines

    def with_failures(self, failed: dict[str, str], as_of: dict[str, str]) -> Status:
        """The same status with this build's failures in place of the ones it started with."""
        dates = {k: v for k, v in self.as_of.items() if k in self.held or k in failed}
        dates.update({k: v for k, v in as_of.items() if k in failed})
        return Status(self.errors, self.held, dict(failed), dates)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _refs(data: Any) -> tuple[str | None, list[str]]:
    """The school and providers a placement's data names, as far as it can be read."""
    if not isinstance(data, dict):
        return None, []
    items = data.get("placements")
    providers = [
        p for item in (items if isinstance(items, list) else []) if isinstance(item, dict)
        for p in [_text(item.get("provider"))] if p
    ]  # fmt: skip
    return _text(data.get("school")), providers


def _sees(audience: Audience, school: str | None, providers: list[str]) -> bool:
    return audience.sees_placement(
        {"school": school, "placements": [{"provider": p} for p in providers]}
    )


def _kind(path: str) -> str | None:
    parts = PurePosixPath(path).parts
    if len(parts) >= 3 and parts[0] == RECORDS:
        return FOLDERS.get(parts[1])
    return None


class _Who:
    """Who shows what, worked out once for a repository and a set of audiences."""

    def __init__(self, repo: Repository, audiences: list[Audience]) -> None:
        self.audiences = [a for a in audiences if not a.sees_all]
        self.by_path = {r.path: r for r in repo.records}
        self.placements: list[tuple[str | None, str | None, list[str]]] = []
        for record in repo.records:  # valid or not: what each placement file names
            if record.kind == "placement":
                school, providers = _refs(record.data)
                ident = _text(record.data.get("id")) if isinstance(record.data, dict) else None
                self.placements.append((ident, school, providers))

    def of_placement(self, school: str | None, providers: list[str]) -> set[str]:
        return {a.name for a in self.audiences if _sees(a, school, providers)}

    def of_path(self, path: str) -> set[str]:
        kind = _kind(path)
        record = self.by_path.get(path)
        data = record.data if record is not None and isinstance(record.data, dict) else {}
        stem = PurePosixPath(path).stem
        if kind == "placement":
            school, providers = _refs(data)
            folder = PurePosixPath(path).parts[2] if len(PurePosixPath(path).parts) > 3 else None
            return self.of_placement(school, providers) | self.of_placement(folder, [])
        if kind == "attendance":
            pid = _text(data.get("placement")) or stem
            found: set[str] = set()
            for ident, school, providers in self.placements:
                if ident == pid:
                    found |= self.of_placement(school, providers)
            return found
        if kind == "school":
            sid = _text(data.get("id")) or stem
            found = {a.name for a in self.audiences if sid in a.schools} | {f"school-{sid}"}
            for _, school, providers in self.placements:
                if school == sid:
                    found |= self.of_placement(school, providers)
            return found
        # A provider's entry is on every site; a file of no known kind could be anything.
        return {a.name for a in self.audiences} | (
            {f"provider-{_text(data.get('id')) or stem}"} if kind == "provider" else set()
        )


def held_back(
    repo: Repository,
    errors: Iterable[Finding],
    audiences: list[Audience],
    published: dict[str, frozenset[str]] | None = None,
) -> dict[str, tuple[str, ...]]:
    """The audiences an error holds back, each with its reasons (one line per finding).

    ``published``: the record paths each audience's last good build showed (an audience
    whose last build showed a record with an error is held back too, so a record that can
    no longer be read does not silently vanish from the sites that showed it). The hub is
    never held back. Names may include audiences that no longer exist as such (a school
    whose own record has an error): they keep their folder too.
    """
    who = _Who(repo, audiences)
    shown = published or {}
    held: dict[str, list[str]] = {}
    for finding in sorted(set(errors)):
        names = who.of_path(finding.path)
        names |= {name for name, paths in shown.items() if finding.path in paths}
        names.discard("hub")
        for name in sorted(names):
            held.setdefault(name, []).append(finding_line(finding))
    return {name: tuple(lines) for name, lines in sorted(held.items())}


def parse(raw: bytes | str) -> Status:
    """A status kept as JSON (ValueError when it is not one)."""
    try:
        data = json.loads(raw)
        return Status(
            tuple(str(e) for e in data.get("errors", [])),
            {str(k): tuple(str(x) for x in v) for k, v in dict(data.get("held", {})).items()},
            {str(k): str(v) for k, v in dict(data.get("failed", {})).items()},
            {str(k): str(v) for k, v in dict(data.get("as_of", {})).items()},
        )
    except (TypeError, AttributeError) as exc:
        raise ValueError(f"not a status: {exc}") from None


def load(store: os.PathLike[str] | str) -> Status:
    """The status the last build kept (empty when there is none or it cannot be read)."""
    try:
        with open(os.path.join(store, STATUS), "rb") as f:
            return parse(f.read())
    except (OSError, ValueError):
        return Status()


def save(store: os.PathLike[str] | str, status: Status) -> None:
    """Keep ``status`` in ``store`` (the build-record folder), atomically."""
    fd, tmp = tempfile.mkstemp(dir=store, prefix=f".{STATUS}.")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(status.as_json(), f, indent=1, ensure_ascii=False)
    os.replace(tmp, os.path.join(store, STATUS))
