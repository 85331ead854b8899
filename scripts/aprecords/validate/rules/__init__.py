"""Every rule, collected from the modules of this package (one family per module)."""

from __future__ import annotations

from aprecords.validate.rules import (
    actions,
    attendance,
    dates,
    history,
    identifiers,
    identity,
    placeholders,
    provision,
    references,
    registration,
    sensitive,
)
from aprecords.validate.rules.base import Context, Hit, Rule

MODULES = (
    identity,
    references,
    dates,
    actions,
    identifiers,
    provision,
    registration,
    placeholders,
    attendance,
    sensitive,
    history,
)
RULES: tuple[Rule, ...] = tuple(
    value for module in MODULES for value in vars(module).values() if isinstance(value, Rule)
)

__all__ = ["RULES", "Context", "Hit", "Rule"]
