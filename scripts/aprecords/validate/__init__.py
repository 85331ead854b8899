"""Validation: schema checks, then rules; every finding located at a line and column."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from aprecords.findings import Finding
from aprecords.repository import Repository
from aprecords.validate.rules import RULES, Context, Hit, Rule


def _to_finding(rule: Rule, hit: Hit) -> Finding:
    line, column = hit.record.doc.locate(hit.pointer, key=hit.key)
    return Finding(hit.record.path, line, column, rule.severity, hit.message, rule.id, hit.pointer)


def check_schemas(repo: Repository) -> list[Finding]:
    """Schema findings; records with any are marked invalid and skipped by the rules."""
    findings: list[Finding] = []
    for record in repo.records:
        found = repo.schemas.check(record.kind, record.doc)
        repo.mark(record, not found)
        findings.extend(found)
    return findings


def run_rules(repo: Repository, today: date, rules: Iterable[Rule] = RULES) -> list[Finding]:
    """Document rules on each valid record, then repository rules once."""
    ctx = Context(repo, today)
    findings: list[Finding] = []
    for rule in rules:
        if rule.scope == "document":
            for kind in rule.kinds:
                for record in repo.of_kind(kind):
                    findings.extend(_to_finding(rule, hit) for hit in rule.check(record, ctx))
        elif rule.scope == "repository":
            findings.extend(_to_finding(rule, hit) for hit in rule.check(ctx))
    return findings


def validate(repo: Repository, today: date, paths: set[str] | None = None) -> list[Finding]:
    """All findings for the repository (or only those in ``paths``), sorted by place."""
    findings = repo.load_findings + check_schemas(repo) + run_rules(repo, today)
    if paths is not None:
        findings = [f for f in findings if f.path in paths]
    return sorted(set(findings), key=lambda f: (f.path, f.line, f.column, f.rule, f.message))
