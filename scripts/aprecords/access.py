"""Audiences: who may see which records, and which sensitivity classes of them.

The hub sees everything. Every school and every provider in the registries gets an audience of
its own without anyone editing the policy; ``aprecords.yml`` may change their grants and add
named custom audiences (for example a local-authority officer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from aprecords.repository import Repository

CLASSES = ("identity", "safeguarding", "send", "wellbeing")
DEFAULT_GRANTS = {
    "hub": frozenset(CLASSES),
    "school": frozenset(CLASSES),
    "provider": frozenset(CLASSES) - {"safeguarding"},
}
Kind = Literal["hub", "school", "provider", "custom"]


@dataclass(frozen=True)
class Audience:
    """One site's readers: a folder name, what they may see, and which records are theirs."""

    name: str
    title: str
    kind: Kind
    grants: frozenset[str]
    schools: frozenset[str] = frozenset()
    providers: frozenset[str] = frozenset()

    @property
    def sees_all(self) -> bool:
        """The hub's audience sees every record."""
        return self.kind == "hub"

    def sees_placement(self, data: dict[str, Any]) -> bool:
        """True when the placement is this audience's: its school, or one of its providers."""
        if self.sees_all:
            return True
        if data.get("school") in self.schools:
            return True
        return any(p.get("provider") in self.providers for p in data.get("placements") or [])


def hub(hub_name: str = "the hub") -> Audience:
    """The hub's audience: every record, every class."""
    return Audience("hub", hub_name, "hub", DEFAULT_GRANTS["hub"])


def audiences(repo: Repository) -> list[Audience]:
    """Every audience: the hub, one per school, one per provider, then the custom ones."""
    policy = repo.config.data.get("audiences", {})

    def grants(kind: str) -> frozenset[str]:
        given = policy.get(kind + "s", {}).get("grants")
        return frozenset(given) if given is not None else DEFAULT_GRANTS[kind]

    found = [hub(repo.config.hub)]
    for school_id, school in sorted(repo.schools.items()):
        found.append(
            Audience(
                f"school-{school_id}",
                school.data["name"],
                "school",
                grants("school"),
                schools=frozenset({school_id}),
            )
        )
    for provider_id, provider in sorted(repo.providers.items()):
        found.append(
            Audience(
                f"provider-{provider_id}",
                provider.data["name"],
                "provider",
                grants("provider"),
                providers=frozenset({provider_id}),
            )
        )
    for custom in policy.get("custom", []):
        found.append(
            Audience(
                custom["name"],
                custom["title"],
                "custom",
                frozenset(custom["grants"]),
                schools=frozenset(custom.get("schools", [])),
                providers=frozenset(custom.get("providers", [])),
            )
        )
    return found
