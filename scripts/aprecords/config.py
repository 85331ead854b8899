"""The repository's ``aprecords.yml``: organisation names, policy and audiences, with defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aprecords.load import DEFAULT_MAX_BYTES

CONFIG_FILE = "aprecords.yml"

DEFAULT_ARRANGEMENTS = {
    "attendance": (
        "All absences are reported daily to the attendance contacts shared by the referring "
        "school. All other attendance is emailed weekly as a herringbone report to those "
        "contacts. Legal attendance recording following DfE guidance, the first-day response "
        "and the management of any unauthorised absence are carried out by each alternative "
        "provider on {mis}."
    ),
    "safeguarding": (
        "All {hub} providers have their own safeguarding policies and a nominated, trained DSL, "
        "and give safeguarding updates and training at defined and regular intervals. This is "
        "overseen and checked by {hub} and the {collaboration}'s {safeguarding_lead_title}."
    ),
}


class ConfigError(Exception):
    """aprecords.yml is missing or unusable: a usage error (exit 2)."""


@dataclass(frozen=True)
class Config:
    """Settings of one records repository; every field has a default but the names."""

    data: dict[str, Any]
    hub: str
    collaboration: str
    mis: str
    safeguarding_lead_title: str = "Director of Safeguarding and Attendance"
    site_name: str = "Alternative provision agreements"
    max_interval_weeks: int = 16
    due_soon_days: int = 14
    grace_school_days: int = 5
    full_time_hours: float = 18
    retention_years: int = 6
    max_file_bytes: int = DEFAULT_MAX_BYTES
    arrangements: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Config:
        """Build from the (schema-valid) mapping in aprecords.yml."""
        org = data["organisation"]
        review = data.get("review", {})
        names = {
            "hub": org["hub"],
            "collaboration": org["collaboration"],
            "mis": org["mis"],
            "safeguarding_lead_title": org.get(
                "safeguarding_lead_title", "Director of Safeguarding and Attendance"
            ),
        }
        texts = {**DEFAULT_ARRANGEMENTS, **data.get("arrangements", {})}
        return cls(
            data=data,
            site_name=data.get("site_name", cls.site_name),
            max_interval_weeks=review.get("max_interval_weeks", 16),
            due_soon_days=review.get("due_soon_days", 14),
            grace_school_days=data.get("setup", {}).get("grace_school_days", 5),
            full_time_hours=data.get("full_time_hours", 18),
            retention_years=data.get("retention_years", 6),
            max_file_bytes=data.get("max_file_bytes", DEFAULT_MAX_BYTES),
            arrangements={k: _fill(v, names) for k, v in texts.items()},
            **names,
        )


def _fill(text: str, names: dict[str, str]) -> str:
    for key, value in names.items():
        text = text.replace("{" + key + "}", value)
    return text


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds aprecords.yml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return None
