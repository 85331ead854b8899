"""Validation: schema checks, then rules; every finding located at a line and column."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date
from typing import Any

from aprecords.findings import Finding, split_pointer
from aprecords.repository import Record, Repository
from aprecords.validate.rules import RULES, Context, Hit, Rule
from aprecords.workers import gc_paused, run_shares, worker_count


def _to_finding(rule: Rule, hit: Hit) -> Finding:
    line, column = hit.record.doc.locate(hit.pointer, key=hit.key)
    return Finding(hit.record.path, line, column, rule.severity, hit.message, rule.id, hit.pointer)


def check_schemas(repo: Repository) -> list[Finding]:
    """Schema findings; records with any are marked invalid and skipped by the rules."""
    findings: list[Finding] = []
    for record in repo.records:
        found = repo.schemas.check(record.kind, record.doc)
        repo.mark(record, not found)
        findings.extend(_name_for_id(repo, record, f) for f in found)
    return findings


REFERENCES = {"school": "school", "provider": "provider"}
"""Fields whose value is another record's id, by their last key."""


def _name_for_id(repo: Repository, record: Record, finding: Finding) -> Finding:
    """A school's or provider's name typed where its id belongs: offer the id."""
    kind = REFERENCES.get(finding.pointer.rsplit("/", 1)[-1])
    if kind is None or finding.rule != "schema-pattern" or record.kind != "placement":
        return finding
    value: Any = record.data
    for token in split_pointer(finding.pointer):
        if isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        elif isinstance(value, dict) and token in value:
            value = value[token]
        else:
            return finding
    if not isinstance(value, str):
        return finding
    typed = " ".join(value.casefold().split())
    for other in repo.records:
        name = other.data.get("name") if other.kind == kind else None
        if isinstance(name, str) and " ".join(name.casefold().split()) == typed and other.id:
            tip = f" That is the name of {kind} '{other.id}': write {other.id}."
            return dataclasses.replace(finding, message=finding.message + tip)
    return finding


RULES_THRESHOLD = 100
"""Records from which the rules are split over processes (measured: see README, "Benchmarks")."""


def run_rules(
    repo: Repository, today: date, rules: Iterable[Rule] = RULES, workers: int | None = 1
) -> list[Finding]:
    """Document rules on each valid record, then repository rules once.

    ``workers``: processes to share the records between (None: one per core from
    RULES_THRESHOLD records on); each sees the whole repository (forked), so rules that look
    records up by id find them all. The findings are the same whatever the number.
    """
    rules = tuple(rules)
    if workers is None:
        workers = worker_count(len(repo.records), RULES_THRESHOLD)

    def share(part: int) -> list[Finding]:
        ctx = Context(repo, today)
        findings: list[Finding] = []
        for rule in rules:
            if rule.scope == "document":
                for kind in rule.kinds:
                    for record in repo.of_kind(kind)[part::workers]:
                        findings.extend(_to_finding(rule, hit) for hit in rule.check(record, ctx))
            elif rule.scope == "repository" and part == 0:
                findings.extend(_to_finding(rule, hit) for hit in rule.check(ctx))
        return findings

    with gc_paused():
        return [f for found in run_shares(share, range(workers)) for f in found]


def validate(
    repo: Repository, today: date, paths: set[str] | None = None, workers: int | None = 1
) -> list[Finding]:
    """All findings for the repository (or only those in ``paths``), sorted by place."""
    findings = repo.load_findings + check_schemas(repo) + run_rules(repo, today, workers=workers)
    if paths is not None:
        findings = [f for f in findings if f.path in paths]
    return sorted(set(findings), key=lambda f: (f.path, f.line, f.column, f.rule, f.message))
