"""What a rule is: a stable id, a one-line description, a scope, and a check."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from aprecords.findings import Severity

if TYPE_CHECKING:
    from aprecords.repository import Record, Repository

Scope = Literal["document", "repository", "history"]


@dataclass(frozen=True)
class Context:
    """What every rule may look at: the repository and the date to judge deadlines by.

    ``schools``, ``providers`` and ``placements`` are the repository's lookups by id.
    """

    repo: Repository
    today: date

    @cached_property
    def schools(self) -> dict[str, Record]:
        """Valid school records by id."""
        return self.repo.schools

    @cached_property
    def providers(self) -> dict[str, Record]:
        """Valid provider records by id."""
        return self.repo.providers

    @cached_property
    def placements(self) -> dict[str, Record]:
        """Valid placement records by id."""
        return self.repo.placements

    @cached_property
    def placement_marks(self) -> dict[tuple[str, ...], str]:
        """The ``x-sensitivity`` class of each marked path of a placement record."""
        from aprecords.scope import sensitive_paths

        return sensitive_paths(self.repo.schemas, "placement")

    @cached_property
    def memo(self) -> dict[tuple[str, Any], Any]:
        """What several rules work out alike, kept for this run: (what, path) -> result."""
        return {}

    @cached_property
    def registers(self) -> dict[str, Record]:
        """Valid attendance records by the placement id they name."""
        from aprecords.attendance.register import attendance_records

        return attendance_records(self.repo)


@dataclass(frozen=True)
class Hit:
    """A rule's raw result: which record, where (JSON pointer), and what to tell the user."""

    record: Record
    pointer: str
    message: str
    key: bool = False


@dataclass(frozen=True)
class Rule:
    """One check. Document rules run per valid record of ``kinds``; repository rules once."""

    id: str
    description: str
    scope: Scope
    severity: Severity
    kinds: tuple[str, ...]
    check: Callable[..., Iterable[Hit]]


def rule(
    id: str,
    description: str,
    *,
    scope: Scope = "document",
    severity: Severity = "error",
    kinds: tuple[str, ...] = ("placement",),
) -> Callable[[Callable[..., Iterable[Hit]]], Rule]:
    """Make a function into a Rule: ``@rule("review-order", "Reviews are in date order.")``."""

    def wrap(check: Callable[..., Iterable[Hit]]) -> Rule:
        return Rule(id, description, scope, severity, kinds, check)

    return wrap
