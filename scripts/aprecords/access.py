"""Audiences: who may see which records, and which sensitivity classes of them.

The hub sees everything. Every school and every provider in the registries gets an audience of
its own without anyone editing the policy; ``aprecords.yml`` may change their grants and add
named custom audiences (for example a local-authority officer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from aprecords.config import CONFIG_FILE, ConfigError
from aprecords.findings import Finding, pointer
from aprecords.load import LoadError, load_file
from aprecords.repository import Repository

CLASSES = ("identity", "safeguarding", "safety", "send", "wellbeing")
DEFAULT_GRANTS = {
    "hub": frozenset(CLASSES),
    "school": frozenset(CLASSES),
    "provider": frozenset(CLASSES) - {"safeguarding"},
}
Kind = Literal["hub", "school", "provider", "custom"]
RESERVED = frozenset({"nginx", "assets", "search"})
"""Folder names the build uses beside the audience folders (no audience may take them)."""


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


def policy_findings(repo: Repository) -> list[Finding]:
    """Problems of the audience and hosting policy in aprecords.yml, located at their lines.

    A custom audience naming an unknown school or provider, two audiences sharing a folder,
    a custom name that a future school or provider could take, a folder name the build uses
    itself, and a hosting group mapped to an unknown audience are all errors.
    """
    data = repo.config.data
    policy = data.get("audiences", {})
    found: list[tuple[str, str]] = []  # (pointer, message)
    names = {a.name for a in audiences(repo) if a.kind != "custom"}
    for i, custom in enumerate(policy.get("custom", [])):
        name = custom["name"]
        at = pointer("audiences", "custom", i, "name")
        if name in names:
            found.append((at, f"two audiences would share the folder '{name}'; rename this one"))
        elif name.startswith(("school-", "provider-")):
            found.append(
                (
                    at,
                    f"'{name}' looks like a school's or provider's own audience; names starting "
                    "with 'school-' or 'provider-' are kept for them, choose another",
                )
            )
        elif name in RESERVED:
            found.append((at, f"'{name}' is a folder the build uses itself; choose another name"))
        names.add(name)
        for key, known, what in (
            ("schools", repo.schools, "school"),
            ("providers", repo.providers, "provider"),
        ):
            for j, ref in enumerate(custom.get(key, [])):
                if ref not in known:
                    hint = ", ".join(sorted(known)) or "none yet"
                    found.append(
                        (
                            pointer("audiences", "custom", i, key, j),
                            f"no {what} has the id '{ref}' (records/{what}s/{ref}.yaml); "
                            f"known {what}s: {hint}",
                        )
                    )
        if not custom.get("schools") and not custom.get("providers"):
            found.append(
                (
                    pointer("audiences", "custom", i),
                    f"the audience '{name}' would see no placements: list its schools or providers",
                )
            )
    for group_key in data.get("hosting", {}).get("groups") or {}:
        if group_key not in names:
            found.append(
                (
                    pointer("hosting", "groups", group_key),
                    f"'{group_key}' is not an audience; use one of: {', '.join(sorted(names))}",
                )
            )
    return _located(repo, found)


def _located(repo: Repository, found: list[tuple[str, str]]) -> list[Finding]:
    if not found:
        return []
    try:
        doc = load_file(repo.root / CONFIG_FILE, CONFIG_FILE)
    except LoadError:
        doc = None
    findings = []
    for ptr, message in found:
        line, col = doc.locate(ptr, key=ptr.startswith("/hosting/groups/")) if doc else (1, 1)
        findings.append(Finding(CONFIG_FILE, line, col, "error", message, "audience-policy", ptr))
    return sorted(findings)


def checked_audiences(repo: Repository) -> list[Audience]:
    """Every audience, or ConfigError (exit 2) naming each policy problem at its line."""
    problems = policy_findings(repo)
    if problems:
        raise ConfigError(
            "\n".join(
                f"{f.path}:{f.line}:{f.column}: error: {f.message} [{f.rule}]" for f in problems
            )
        )
    return audiences(repo)


def select(found: list[Audience], names: list[str] | None) -> list[Audience]:
    """The audiences named (all when ``names`` is empty); unknown names are a usage error."""
    from aprecords.errors import UsageError

    if not names:
        return found
    by_name = {a.name: a for a in found}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise UsageError(
            f"no audience called {', '.join(repr(n) for n in unknown)}; "
            f"the audiences are: {', '.join(by_name)}"
        )
    return [by_name[n] for n in dict.fromkeys(names)]
