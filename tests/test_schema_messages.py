"""The schemas themselves: plain-words titles and descriptions, closed objects, sensitivity
marks, enumerations, and a home for every item of the form (../shared/FORM.md)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import PROJECT

SCHEMA_DIR = PROJECT / "schema"
FORM_MD = PROJECT / "tests" / "data" / "FORM.md"  # a copy of ../shared/FORM.md
CLASSES = {"identity", "safeguarding", "safety", "send", "wellbeing"}
SCHEMAS: dict[str, dict[str, Any]] = {
    f.name: json.loads(f.read_text("utf-8")) for f in sorted(SCHEMA_DIR.glob("*.schema.json"))
}


def test_the_four_schemas_of_issue_2_exist() -> None:
    for kind in ("placement", "school", "provider", "config", "common"):
        assert f"{kind}.schema.json" in SCHEMAS
        assert SCHEMAS[f"{kind}.schema.json"]["$schema"].endswith("/draft/2020-12/schema")


# --- walking the schemas ----------------------------------------------------------------------


def deref(file: str, schema: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Follow ``$ref`` (relative file names and local pointers); sibling keys win."""
    while "$ref" in schema:
        ref = schema["$ref"]
        target_file, _, fragment = ref.partition("#")
        file = target_file or file
        target: Any = SCHEMAS[file]
        for token in fragment.strip("/").split("/") if fragment.strip("/") else []:
            target = target[token]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return file, schema


def walk(file: str, schema: Any, where: str = "") -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every subschema of a file, with a readable location; ``if`` conditions are skipped
    (they only test values, they define no fields)."""
    if not isinstance(schema, dict):
        return
    yield file, where or "/", schema
    for key, value in schema.items():
        if key in ("if", "not", "const", "enum", "default", "examples", "required"):
            continue
        if key in ("properties", "$defs"):
            for name, sub in value.items():
                yield from walk(file, sub, f"{where}/{key}/{name}")
        elif isinstance(value, dict):
            yield from walk(file, value, f"{where}/{key}")
        elif isinstance(value, list):
            for i, sub in enumerate(value):
                yield from walk(file, sub, f"{where}/{key}/{i}")


def all_subschemas() -> list[tuple[str, str, dict[str, Any]]]:
    return [found for file, schema in SCHEMAS.items() for found in walk(file, schema)]


def properties() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for file, where, schema in all_subschemas():
        for name, prop in schema.get("properties", {}).items():
            found.append((file, f"{where}/properties/{name}", prop))
    return found


# --- titles, descriptions, closed objects -----------------------------------------------------


@pytest.mark.parametrize(("file", "where", "prop"), properties(), ids=lambda v: str(v)[:60])
def test_every_property_has_a_title_and_description(
    file: str, where: str, prop: dict[str, Any]
) -> None:
    """Directly, or on the definition it refers to (JSON Schema applies both)."""
    _, resolved = deref(file, prop)
    for word in ("title", "description"):
        text = resolved.get(word)
        assert isinstance(text, str) and text.strip(), f"{file}{where} has no {word}"
        assert "\n" not in text
    assert resolved["title"] != resolved["description"]


def test_there_are_many_properties_checked() -> None:
    assert len(properties()) > 150


def objects() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (file, where, schema)
        for file, where, schema in all_subschemas()
        if schema.get("type") == "object" or "properties" in schema
    ]


@pytest.mark.parametrize(("file", "where", "schema"), objects(), ids=lambda v: str(v)[:60])
def test_every_object_is_closed(file: str, where: str, schema: dict[str, Any]) -> None:
    """A misspelt key must be an error. The one kind of open object allowed is a map whose
    keys are free (no named properties) and whose values have a schema."""
    extra = schema.get("additionalProperties")
    if "properties" in schema:
        assert extra is False, f"{file}{where}: additionalProperties must be false"
    else:
        assert extra is False or isinstance(extra, dict), f"{file}{where}: open object"


# --- sensitivity --------------------------------------------------------------------------------


def test_sensitivity_values_are_known_classes() -> None:
    marks = [
        (file, where, schema["x-sensitivity"])
        for file, where, schema in all_subschemas()
        if "x-sensitivity" in schema
    ]
    assert len(marks) >= 6
    for file, where, value in marks:
        assert value in CLASSES, f"{file}{where}: unknown x-sensitivity {value!r}"


def resolve(kind: str, path: str) -> dict[str, Any]:
    """The (dereferenced) schema of a dotted record path: ``reviews[].progress[].status``."""
    file = f"{kind}.schema.json"
    file, schema = deref(file, SCHEMAS[file])
    for token in path.split("."):
        name, many = token.removesuffix("[]"), token.endswith("[]")
        assert name in schema.get("properties", {}), f"{kind}: {path}: no '{name}'"
        file, schema = deref(file, schema["properties"][name])
        if many:
            assert schema.get("type") == "array", f"{kind}: {path}: '{name}' is not a list"
            file, schema = deref(file, schema["items"])
    return schema


REQUIRED_MARKS = [
    ("student.name", "identity"),
    ("student.upn", "identity"),
    ("agreements.safeguarding.information", "safeguarding"),
    ("reviews[].safeguarding", "safeguarding"),
    ("agreements.send", "send"),
    ("agreements.access_arrangements", "send"),
    ("agreements.wellbeing", "wellbeing"),
    ("aims.profile.barriers", "wellbeing"),
    ("aims.profile.what_works", "send"),
]


@pytest.mark.parametrize(("path", "mark"), REQUIRED_MARKS)
def test_form_sensitive_items_are_marked(path: str, mark: str) -> None:
    assert resolve("placement", path).get("x-sensitivity") == mark


def test_safeguarding_procedure_and_contacts_are_not_marked() -> None:
    """FORM.md: the procedure and contacts are not sensitive, only the information is."""
    for path in ("agreements.safeguarding.reporting", "agreements.safeguarding"):
        assert "x-sensitivity" not in resolve("placement", path)


# --- fixed choices ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "choices"),
    [
        ("student.year_group", [7, 8, 9, 10, 11, 12, 13]),
        ("reviews[].progress[].status", ["met", "partly-met", "not-met", "on-track"]),
        (
            "placements[].accreditation.level",
            ["entry-1", "entry-2", "entry-3", "level-1", "level-2", "level-3", "none"],
        ),
        ("agreements.attendance.school_code", ["B", "K", "V", "P", "W"]),
        (
            "assessment.methods[]",
            [
                "weekly-attendance",
                "mentor-feedback",
                "daily-concerns",
                "termly-review",
                "termly-reporting",
                "intervention-advice",
            ],
        ),
        ("reviews[].targets[].change", ["carried", "changed", "added", "closed"]),
    ],
)
def test_fixed_choices_are_enumerations(path: str, choices: list[Any]) -> None:
    assert resolve("placement", path)["enum"] == choices


def test_attendance_codes_are_ones_that_count_as_attendance() -> None:
    """DOMAIN.md: B for school-arranged AP, K for LA-arranged; D, absence codes, X never."""
    codes = set(resolve("placement", "agreements.attendance.school_code")["enum"])
    assert {"B", "K"} <= codes
    assert not codes & {"D", "X", "Z", "#", "C", "G", "N", "O", "U", "/", "\\"}


# --- every item of the form has a home ----------------------------------------------------------

FORM_HOMES: dict[str, list[str]] = {
    # Header
    "school": ["school"],
    "student.name": ["student.name"],
    "student.upn": ["student.upn"],
    "student.year_group": ["student.year_group"],
    "placements[]": [
        "placements[].provider",
        "placements[].course",
        "placements[].sessions.monday",
        "placements[].sessions.friday",
        "placements[].sites",
        "placements[].start",
        "placements[].end",
    ],
    "requested_start": ["requested_start"],
    "completed_by": ["completed_by.name", "completed_by.role", "completed_by.email"],
    "actual_start": ["actual_start"],
    # Commissioning aims
    "aims.rationale": ["aims.rationale"],
    "aims.profile.strengths": ["aims.profile.strengths"],
    "aims.profile.barriers": ["aims.profile.barriers"],
    "aims.profile.what_works": ["aims.profile.what_works"],
    # Target setting
    "targets[].target": ["targets[].target", "targets[].id"],
    "targets[].ehcp_outcome": ["targets[].ehcp_outcome"],
    "targets[].school_support": ["targets[].school_support"],
    "targets[].provider_support": ["targets[].provider_support"],
    "hub_mentor": ["hub_mentor.name", "hub_mentor.email"],
    # How will this be assessed?
    "assessment[]": ["assessment.methods", "assessment.other"],
    # Set-up communications and agreements
    "agreements.rationale_and_targets_agreed": [
        "agreements.rationale_and_targets_agreed.agreed",
        "agreements.rationale_and_targets_agreed.date",
    ],
    "agreements.timetable": [
        "agreements.timetable.school_offer",
        "placements[].hours_per_week",
        "placements[].sessions",
    ],
    "agreements.attendance": [
        "agreements.attendance.contacts_shared",
        "agreements.attendance.daily_absence_reporting",
        "agreements.attendance.weekly_herringbone",
        "agreements.attendance.school_code",
    ],
    "placements[].accreditation": [
        "placements[].accreditation.course_length",
        "placements[].accreditation.qualification",
        "placements[].accreditation.level",
        "placements[].accreditation.enrichment_only",
        "placements[].accreditation.progress_reporting",
        "placements[].accreditation.level_flexibility",
    ],
    "agreements.access_arrangements.current": ["agreements.access_arrangements.current"],
    "agreements.access_arrangements.planned": ["agreements.access_arrangements.planned"],
    "agreements.wellbeing": [
        "agreements.wellbeing.friendships",
        "agreements.wellbeing.community",
        "agreements.wellbeing.mental_health",
        "agreements.wellbeing.support",
    ],
    "agreements.safeguarding": [
        "agreements.safeguarding.information",
        "agreements.safeguarding.reporting",
        "agreements.safeguarding.dsl_details_shared",
        "agreements.safeguarding.responsibilities_understood",
    ],
    "agreements.send": [
        "agreements.send.information",
        "agreements.send.effect_on_provision",
        "agreements.send.ehcp_targets_linked",
        "agreements.send.upcoming_assessments",
    ],
    "agreements.risks": [
        "agreements.risks.risk_assessment_shared",
        "agreements.risks.covers_offsite",
        "agreements.risks.strategies_apply_offsite",
        "agreements.risks.transport_risks",
    ],
    "next_review.date": ["next_review.date"],
    "next_review.staff": ["next_review.staff"],
    # Review
    "reviews[].date": ["reviews[].date"],
    "reviews[].behaviour": ["reviews[].behaviour"],
    "reviews[].attendance": [
        "reviews[].attendance.summary",
        "reviews[].attendance.sessions_possible",
        "reviews[].attendance.sessions_attended",
        "reviews[].attendance.authorised_absence",
        "reviews[].attendance.unauthorised_absence",
        "reviews[].attendance.percentage",
    ],
    "reviews[].safeguarding": ["reviews[].safeguarding"],
    "reviews[].progress[]": [
        "reviews[].progress[].target",
        "reviews[].progress[].status",
        "reviews[].progress[].comment",
    ],
    "reviews[].interventions": ["reviews[].interventions"],
    "reviews[].targets[]": [
        "reviews[].targets[].id",
        "reviews[].targets[].target",
        "reviews[].targets[].ehcp_outcome",
        "reviews[].targets[].school_support",
        "reviews[].targets[].provider_support",
        "reviews[].targets[].change",
    ],
    "reviews[].next_review": ["reviews[].next_review.date", "reviews[].next_review.staff"],
}

REGISTRY_HOMES: list[tuple[str, str]] = [
    ("school", "id"),
    ("school", "name"),
    ("school", "urn"),
    ("school", "laestab"),
    ("school", "dsl.name"),
    ("school", "dsl.phone"),
    ("school", "dsl.email"),
    ("school", "safeguarding_email"),
    ("school", "attendance_contacts[].email"),
    ("provider", "id"),
    ("provider", "name"),
    ("provider", "registration.status"),
    ("provider", "registration.urn"),
    ("provider", "ukprn"),
    ("provider", "sites[].address.lines"),
    ("provider", "sites[].address.postcode"),
    ("provider", "dsl.name"),
    ("provider", "courses[].qualification"),
    ("provider", "courses[].level"),
    ("provider", "staff_checks.confirmed"),
    ("provider", "staff_checks.reference"),
    ("provider", "qa_visit"),
    # fixed text of the form, with the organisation names, in the configuration
    ("config", "organisation.hub"),
    ("config", "organisation.collaboration"),
    ("config", "organisation.mis"),
    ("config", "organisation.safeguarding_lead_title"),
    ("config", "arrangements.attendance"),
    ("config", "arrangements.safeguarding"),
    ("config", "review.max_interval_weeks"),
    ("config", "full_time_hours"),
    ("config", "retention_years"),
]


@pytest.mark.parametrize("path", sorted({home for homes in FORM_HOMES.values() for home in homes}))
def test_form_item_has_a_home_in_the_placement_schema(path: str) -> None:
    schema = resolve("placement", path)
    assert schema.get("title") and schema.get("description")


@pytest.mark.parametrize(("kind", "path"), REGISTRY_HOMES)
def test_registry_item_has_a_home(kind: str, path: str) -> None:
    schema = resolve(kind, path)
    assert schema.get("title") and schema.get("description")


def form_md_paths(text: str) -> list[str]:
    """The 'suggested path' cell of every table row in FORM.md, ``.x`` expanded, notes in
    brackets left out."""
    found: list[str] = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 2:
            continue
        previous = ""
        cell = re.sub(r"\([^)]*\)", "", cells[1])  # notes in brackets are not paths
        for token in re.findall(r"`([^`]+)`", cell):
            if token.startswith(".") and previous:
                token = previous.rsplit(".", 1)[0] + token
            found.append(token)
            previous = token
    return found


def test_form_md_path_extraction() -> None:
    sample = (
        "| Student profile | `aims.profile.strengths`, `.barriers` | `wellbeing` |\n"
        "| SEND | `agreements.send` (`send`-sensitive) |\n"
    )
    assert form_md_paths(sample) == [
        "aims.profile.strengths",
        "aims.profile.barriers",
        "agreements.send",
    ]


def test_every_path_form_md_suggests_is_in_the_table() -> None:
    suggested = form_md_paths(FORM_MD.read_text("utf-8")) + ["assessment[]"]
    assert len(suggested) > 30
    assert sorted(set(suggested) - set(FORM_HOMES)) == []


def test_placement_fields_follow_the_order_of_the_form() -> None:
    """The agreement page shows items in the order of the form; the schema holds that order."""
    order = [
        "school",
        "student",
        "placements",
        "requested_start",
        "completed_by",
        "actual_start",
        "aims",
        "targets",
        "hub_mentor",
        "assessment",
        "agreements",
        "next_review",
        "reviews",
    ]
    names = list(SCHEMAS["placement.schema.json"]["properties"])
    assert [n for n in names if n in order] == order
    review = list(resolve("placement", "reviews[]")["properties"])
    form_review = [
        "date",
        "behaviour",
        "attendance",
        "safeguarding",
        "progress",
        "interventions",
        "targets",
        "next_review",
    ]
    assert [n for n in review if n in form_review] == form_review


def test_the_standard_assessment_methods_are_the_schemas() -> None:
    """Pages and `aprecords new` spell out the methods the schema enumerates, no more, no less."""
    from aprecords.model import ASSESSMENT_METHODS

    assessment = SCHEMAS["placement.schema.json"]["properties"]["assessment"]
    enum = assessment["properties"]["methods"]["items"]["enum"]
    assert list(ASSESSMENT_METHODS) == enum
