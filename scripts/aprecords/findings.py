"""What a check reports: a finding at a file, line and column."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Finding:
    """One problem found in one file, located by 1-based line and column."""

    path: str
    line: int
    column: int
    severity: Severity
    message: str
    rule: str
    pointer: str = ""

    def as_dict(self) -> dict[str, object]:
        """The JSON form of the contract: path, line, column, pointer, rule, severity, message."""
        data = asdict(self)
        return {
            k: data[k] for k in ("path", "line", "column", "pointer", "rule", "severity", "message")
        }


def has_errors(findings: list[Finding]) -> bool:
    """True when any finding is an error (warnings alone do not fail a check)."""
    return any(f.severity == "error" for f in findings)


def escape_pointer_token(token: str | int) -> str:
    """Escape one JSON pointer token (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    """Build a JSON pointer from path tokens: ``pointer("reviews", 0, "date")``."""
    return "".join("/" + escape_pointer_token(t) for t in tokens)


def split_pointer(ptr: str) -> list[str]:
    """Split a JSON pointer into unescaped tokens."""
    if not ptr:
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in ptr.lstrip("/").split("/")]
