"""Findings printed for people (text), for CI annotations (github) and for tools (json)."""

from __future__ import annotations

import json
import re

from aprecords.findings import Finding, has_errors
from aprecords.unseen import FORMAT_CHARS

FORMATS = ("text", "json", "github")


_CONTROL = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029{FORMAT_CHARS}]")


def one_line(value: str) -> str:
    """Text as one printable line: line breaks, other control characters (which could also
    drive a terminal) and invisible format characters (which can reorder what a terminal
    shows) are shown escaped, as in ``'met,\\nnot met'`` or ``\\u202e``."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], value)


def _gh_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(value: str) -> str:
    return _gh_data(value).replace(":", "%3A").replace(",", "%2C")


def render(findings: list[Finding], records: int, fmt: str) -> str:
    """The whole report in one format (without a trailing newline)."""
    if fmt == "json":
        return json.dumps(
            {
                "ok": not has_errors(findings),
                "records": records,
                "findings": [f.as_dict() for f in findings],
            },
            indent=2,
            ensure_ascii=False,
        )
    if fmt == "github":
        return "\n".join(
            f"::{f.severity} file={_gh_prop(f.path)},line={f.line},col={f.column},"
            f"title={_gh_prop(f.rule)}::{_gh_data(f.message)}"
            for f in findings
        )
    return "\n".join(
        f"{one_line(f.path)}:{f.line}:{f.column}: {f.severity}: {one_line(f.message)} [{f.rule}]"
        for f in findings
    )


def summary(findings: list[Finding], records: int) -> str:
    """One line for the end of a text report."""
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    verdict = "fix the errors above, then run again" if errors else "all records are valid"
    return (
        f"{records} records checked: {errors} error{'s' * (errors != 1)}, "
        f"{warnings} warning{'s' * (warnings != 1)}; {verdict}"
    )
