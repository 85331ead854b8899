"""Every validator rule fails where it should (rule id, severity, file, exact line) and passes on
the valid fixture repository; plus the schema-level checks issue 2 names."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from aprecords.findings import Finding
from aprecords.repository import load_repository
from aprecords.validate import validate
from aprecords.validate.rules import RULES
from conftest import (
    PLACEMENT,
    PROVIDER,
    REGISTER,
    SCHOOL,
    TODAY,
    delete_line,
    insert_after,
    line_of,
    replace_line,
)

AS_OF = date.fromisoformat(TODAY)


def findings(root: Path, today: date = AS_OF) -> list[Finding]:
    return validate(load_repository(root), today)


def check_letter(body: str) -> str:
    """DfE check letter for the 12 characters after it (written from DOMAIN.md, independently
    of the code under test)."""
    letters = "ABCDEFGHJKLMNPQRTUVWXYZ"
    total = sum(
        weight * (int(ch) if ch.isdigit() else letters.index(ch))
        for weight, ch in enumerate(body, start=2)
    )
    return letters[total % 23]


def test_check_letter_worked_example_from_domain_notes() -> None:
    assert check_letter("207000016049") == "P"


# --- the passing case -------------------------------------------------------------------------


def test_fixture_repository_is_clean(repo: Path) -> None:
    assert findings(repo) == []


# --- helpers to build second records ----------------------------------------------------------


def add_school(root: Path, school_id: str) -> Path:
    """A second valid school, copied from hollybrook with a new id and file name."""
    file = root / "records" / "schools" / f"{school_id}.yaml"
    shutil.copy(root / SCHOOL, file)
    replace_line(file, "id: hollybrook", f"id: {school_id}")
    return file


def placement_copy(root: Path, school_id: str, record_id: str) -> Path:
    """The example placement copied into ``school_id``'s folder under ``record_id``."""
    file = root / "records" / "placements" / school_id / f"{record_id}.yaml"
    file.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / PLACEMENT, file)
    replace_line(file, "id: hollybrook-2025-001", f"id: {record_id}")
    replace_line(file, "school: hollybrook", f"school: {school_id}")
    return file


# --- the failing cases: one table, so the meta-test can see which rules are covered ----------

Edit = Callable[[Path], tuple[str, int]]
"""Changes the repository; returns (path of the expected finding, its expected line)."""


@dataclass(frozen=True)
class Case:
    name: str
    rule: str
    severity: str
    edit: Edit
    today: str = TODAY


def _replace(rel: str, old: str, new: str, at: str | None = None) -> Edit:
    """Replace a line; the finding is expected on that line (or on the line holding ``at``)."""

    def edit(root: Path) -> tuple[str, int]:
        number = replace_line(root / rel, old, new)
        return rel, line_of(root / rel, at) if at else number

    return edit


def _named_in_ehc_plan_without_one(root: Path) -> tuple[str, int]:
    replace_line(root / PLACEMENT, "ehcp: true", "ehcp: false")
    return PLACEMENT, replace_line(
        root / PLACEMENT, "reason: engagement", "reason: named-in-ehc-plan"
    )


def _id_mismatch(root: Path) -> tuple[str, int]:
    return PLACEMENT, replace_line(root / PLACEMENT, "id: hollybrook", "id: hollybrook-2025-009")


def _wrong_folder(root: Path) -> tuple[str, int]:
    add_school(root, "oakfield")
    moved = "records/placements/oakfield/hollybrook-2025-001.yaml"
    (root / moved).parent.mkdir(parents=True)
    (root / PLACEMENT).rename(root / moved)
    return moved, line_of(root / moved, "school: hollybrook")


def _school_id_mismatch(root: Path) -> tuple[str, int]:
    file = root / "records" / "schools" / "hollybrook-academy.yaml"
    (root / SCHOOL).rename(file)
    return "records/schools/hollybrook-academy.yaml", line_of(file, "id: hollybrook")


def _duplicate_school(root: Path) -> tuple[str, int]:
    twin = "records/schools/hollybrook.yml"
    shutil.copy(root / SCHOOL, root / twin)
    return twin, line_of(root / twin, "id: hollybrook")


def _duplicate_placement(root: Path) -> tuple[str, int]:
    add_school(root, "oakfield")
    copy = placement_copy(root, "oakfield", "hollybrook-2025-001")
    return copy.relative_to(root).as_posix(), line_of(copy, "id: hollybrook-2025-001")


def _no_actual_start(root: Path) -> tuple[str, int]:
    delete_line(root / PLACEMENT, "actual_start:")
    return PLACEMENT, line_of(root / PLACEMENT, "  - date: 2025-12-09")


def _review_out_of_order(root: Path) -> tuple[str, int]:
    """A second review dated before the first, appended at the end."""
    file = root / PLACEMENT
    text = file.read_text("utf-8")
    first = text.index("reviews:\n") + len("reviews:\n")
    review = text[first:]
    second = review.replace("date: 2025-12-09", "date: 2025-11-20").replace(
        "date: 2026-03-17", "date: 2026-02-17"
    )
    file.write_text(text + second, "utf-8")
    return PLACEMENT, line_of(file, "  - date: 2025-11-20")


def _ended_before_start(root: Path) -> tuple[str, int]:
    number = insert_after(
        root / PLACEMENT, "actual_start:", "ended:\n  date: 2025-09-01\n  reason: Moved away.\n"
    )
    return PLACEMENT, number + 1


def _same_date_review(root: Path) -> tuple[str, int]:
    """The review of 9 Dec added a second time, as re-running an older `review` did."""
    file = root / PLACEMENT
    text = file.read_text("utf-8")
    first = text.index("reviews:\n") + len("reviews:\n")
    file.write_text(text + text[first:], "utf-8")
    return PLACEMENT, line_of(
        file, "  - date: 2025-12-09", line_of(file, "  - date: 2025-12-09") + 1
    )


SECOND_PROVIDER = """\
  - provider: fenwick-vale
    course: Land-based studies taster
    sites:
      - home-farm
    sessions:
      thursday:
        - AM
      friday:
        - AM
    hours_per_week: 6
    arranged_by: school
    accreditation:
      course_length: One term
      qualification: Award in Land-Based Studies
      level: entry-3
      enrichment_only: false
      progress_reporting: Termly report
      level_flexibility: None needed
"""


def _timetable_clash(root: Path) -> tuple[str, int]:
    """A second provider on Thursday morning, which Brickworks already has."""
    at = insert_after(
        root / PLACEMENT, "level_flexibility: Can move to the Entry 3", SECOND_PROVIDER
    )
    # A mapping is reported at its first entry, the line after "sessions:".
    return PLACEMENT, line_of(root / PLACEMENT, "    sessions:", at) + 1


def _provider_end_before_start(root: Path) -> tuple[str, int]:
    number = insert_after(
        root / PLACEMENT, "hours_per_week: 9", "    start: 2025-09-16\n    end: 2025-09-10\n"
    )
    return PLACEMENT, number + 1


def _unregistered_full_time(root: Path) -> tuple[str, int]:
    replace_line(root / PROVIDER, "status: registered", "status: unregistered")
    delete_line(root / PROVIDER, "urn: '199950'")
    return PLACEMENT, replace_line(root / PLACEMENT, "hours_per_week: 9", "hours_per_week: 18.5")


def _unregistered_full_time_no_ehcp(root: Path) -> tuple[str, int]:
    """One pupil without an EHC plan, not looked after: below the registration threshold."""
    replace_line(root / PLACEMENT, "ehcp: true", "ehcp: false")
    return _unregistered_full_time(root)


def _upn_outside_la_range(root: Path) -> tuple[str, int]:
    body = "100000016049"
    return PLACEMENT, replace_line(
        root / PLACEMENT, "upn: P207000016049", f"upn: {check_letter(body)}{body}"
    )


def _unknown_review_target(root: Path) -> tuple[str, int]:
    first_review = line_of(root / PLACEMENT, "reviews:")
    return PLACEMENT, replace_line(root / PLACEMENT, "- target: T2", "- target: T7", first_review)


def _added_but_existing(root: Path) -> tuple[str, int]:
    first_review = line_of(root / PLACEMENT, "reviews:")
    return PLACEMENT, replace_line(
        root / PLACEMENT, "change: carried", "change: added", first_review
    )


def _target_missing_from_review(root: Path) -> tuple[str, int]:
    """Drop T2 from the review's targets: reported at the review's target list."""
    file = root / PLACEMENT
    text = file.read_text("utf-8")
    review_t2 = text.rindex("      - id: T2\n")
    end = text.index("    next_review:\n", review_t2)
    file.write_text(text[:review_t2] + text[end:], "utf-8")
    return PLACEMENT, line_of(file, "      - id: T1", line_of(file, "reviews:"))


CASES = [
    Case("id differs from file name", "file-name-matches-id", "error", _id_mismatch),
    Case("placement in another school's folder", "file-name-matches-id", "error", _wrong_folder),
    Case("school file renamed", "file-name-matches-id", "error", _school_id_mismatch),
    Case("two schools share an id", "unique-ids", "error", _duplicate_school),
    Case("two placements share an id", "unique-ids", "error", _duplicate_placement),
    Case(
        "unknown school",
        "school-exists",
        "error",
        _replace(PLACEMENT, "school: hollybrook", "school: nowhere"),
    ),
    Case(
        "unknown provider",
        "provider-exists",
        "error",
        _replace(PLACEMENT, "- provider: brickworks", "- provider: nobody"),
    ),
    Case(
        "site not of that provider",
        "site-exists",
        "error",
        _replace(PLACEMENT, "      - yard", "      - moon"),
    ),
    Case(
        "duplicate target id",
        "target-ids",
        "error",
        _replace(PLACEMENT, "- id: T2", "- id: T1"),
    ),
    Case("review reports on an unknown target", "target-ids", "error", _unknown_review_target),
    Case("existing target marked added", "target-ids", "error", _added_but_existing),
    Case("target dropped at a review", "target-ids", "error", _target_missing_from_review),
    Case(
        "review before the placement started",
        "review-order",
        "error",
        _replace(PLACEMENT, "  - date: 2025-12-09", "  - date: 2025-09-01"),
    ),
    Case("review without actual start", "review-order", "error", _no_actual_start),
    Case("reviews out of date order", "review-order", "error", _review_out_of_order),
    Case("two reviews on one date", "review-date-unique", "error", _same_date_review),
    Case(
        "next review in the spring half term",
        "review-in-holiday",
        "warning",
        _replace(PLACEMENT, "date: 2026-03-17", "date: 2026-02-17"),
    ),
    Case(
        "next review on a Saturday",
        "review-in-holiday",
        "warning",
        _replace(PLACEMENT, "date: 2026-03-17", "date: 2026-03-14"),
    ),
    Case("two providers on one session", "timetable-clash", "error", _timetable_clash),
    Case("ended before it started", "dates-in-order", "error", _ended_before_start),
    Case("provider end before its start", "dates-in-order", "error", _provider_end_before_start),
    Case(
        "next review more than a term away",
        "next-review-due",
        "error",
        _replace(PLACEMENT, "date: 2026-03-17", "date: 2026-04-07"),
    ),
    Case(
        "next review not after the latest review",
        "next-review-due",
        "error",
        _replace(PLACEMENT, "date: 2026-03-17", "date: 2025-12-09"),
    ),
    Case(
        "next review overdue",
        "review-overdue",
        "warning",
        lambda root: (PLACEMENT, line_of(root / PLACEMENT, "date: 2026-03-17")),
        today="2026-03-18",
    ),
    Case(
        "wrong UPN check letter",
        "upn-check-letter",
        "error",
        _replace(PLACEMENT, "upn: P207000016049", "upn: Q207000016049"),
    ),
    Case("UPN LA code out of range", "upn-la-code", "warning", _upn_outside_la_range),
    Case(
        "LAESTAB LA code out of range",
        "laestab-la-code",
        "warning",
        _replace(SCHOOL, "laestab: '8881001'", 'laestab: "1001001"'),
    ),
    Case(
        "unregistered over 18 hours",
        "unregistered-full-time",
        "warning",
        _unregistered_full_time_no_ehcp,
    ),
    Case(
        "unregistered provider educating a pupil with an EHC plan full-time",
        "registration-threshold",
        "error",
        _unregistered_full_time,
    ),
    Case(
        "census reason named-in-ehc-plan without an EHCP",
        "reason-needs-ehcp",
        "warning",
        _named_in_ehc_plan_without_one,
    ),
    Case(
        "EHCP outcome without an EHCP",
        "ehcp-outcome-needs-ehcp",
        "warning",
        _replace(PLACEMENT, "ehcp: true", "ehcp: false", at="ehcp_outcome: true"),
    ),
    Case(
        "attended more than possible",
        "attendance-figures",
        "error",
        _replace(PLACEMENT, "sessions_attended: 34", "sessions_attended: 37"),
    ),
    Case(
        "sessions add up to more than possible",
        "attendance-figures",
        "error",
        _replace(
            PLACEMENT, "authorised_absence: 2", "authorised_absence: 5", at="sessions_possible"
        ),
    ),
    Case(
        "percentage does not match the sessions",
        "attendance-figures",
        "error",
        _replace(PLACEMENT, "percentage: 94.4", "percentage: 80"),
    ),
    Case(
        "placeholder left in a review",
        "placeholder-filled",
        "error",
        _replace(PLACEMENT, "behaviour: Good;", "behaviour: 'FILL IN: how was behaviour?'"),
    ),
    Case(
        "placeholder left in a school",
        "placeholder-filled",
        "error",
        _replace(SCHOOL, "name: Hollybrook Academy", "name: FILL IN school name"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rule_fails(repo: Path, case: Case) -> None:
    path, line = case.edit(repo)
    found = findings(repo, date.fromisoformat(case.today))
    hits = [f for f in found if f.rule == case.rule]
    assert hits, f"{case.rule} did not fire; findings: {found}"
    assert (path, line, case.severity) in {(f.path, f.line, f.severity) for f in hits}, hits
    for hit in hits:
        assert hit.message and "\n" not in hit.message
        assert hit.column >= 1
    # The case exercises its rule, not a schema problem that stops the rules from running.
    assert not [f for f in found if f.rule.startswith("schema-")], found


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rule_fails_through_the_command_in_every_format(
    repo: Path, run_cli, case: Case, fmt: str
) -> None:
    """`aprecords validate` exits 1 for an error (0 for a warning) and shows it at its line."""
    path, line = case.edit(repo)
    result = run_cli("--root", repo, "validate", "--today", case.today, "--format", fmt)
    assert result.code == (1 if case.severity == "error" else 0), result.out + result.err
    if fmt == "json":
        shown = {(f["path"], f["line"], f["rule"]) for f in json.loads(result.out)["findings"]}
        assert (path, line, case.rule) in shown
    elif fmt == "github":
        start = f"::{case.severity} file={path},line={line},col="
        assert re.search(rf"^{re.escape(start)}[0-9]+,title={case.rule}::.+$", result.out, re.M)
    else:
        assert re.search(
            rf"^{re.escape(path)}:{line}:[0-9]+: {case.severity}: .+ \[{case.rule}\]$",
            result.out,
            re.M,
        ), result.out


def test_duplicate_id_is_reported_on_both_files(repo: Path) -> None:
    """Whichever file a pull request touches, the clash shows on it."""
    add_school(repo, "oakfield")
    copy = placement_copy(repo, "oakfield", "hollybrook-2025-001")
    found = [f for f in findings(repo) if f.rule == "unique-ids"]
    assert sorted(f.path for f in found) == sorted([PLACEMENT, copy.relative_to(repo).as_posix()])
    assert all(f.line == line_of(repo / f.path, "id: ") and f.column == 5 for f in found)


def test_review_overdue_is_not_reported_before_the_date(repo: Path) -> None:
    found = findings(repo, date(2026, 3, 17))
    # The fixture's register ends w/c 5 Jan 2026, so returns are missing by then; nothing else.
    assert [f.rule for f in found] == ["attendance-return-missing"]


def test_placement_not_yet_started_is_never_overdue(repo: Path) -> None:
    """A start date in the future means no review can be due yet, whatever next_review says."""
    file = repo / PLACEMENT
    text = file.read_text()
    file.write_text(text[: text.index("\nreviews:")] + "\n")
    (repo / REGISTER).unlink()  # its marks would predate the new start
    replace_line(file, "actual_start: 2025-09-16", "actual_start: 2026-09-01")
    assert [f.rule for f in findings(repo)] == []
    replace_line(file, "actual_start: 2026-09-01", "actual_start: 2025-09-16")
    # Started again, and with its register gone no attendance has been received either.
    assert sorted(f.rule for f in findings(repo)) == ["attendance-return-missing", "review-overdue"]


def test_ended_placement_is_never_overdue(repo: Path) -> None:
    insert_after(repo / PLACEMENT, "actual_start:", "ended:\n  date: 2026-02-01\n  reason: Done.\n")
    assert findings(repo, date(2026, 6, 1)) == []


def test_unregistered_at_the_threshold_is_allowed(repo: Path) -> None:
    replace_line(repo / PROVIDER, "status: registered", "status: unregistered")
    delete_line(repo / PROVIDER, "urn: '199950'")
    replace_line(repo / PLACEMENT, "hours_per_week: 9", "hours_per_week: 18")
    # Only the duties at a non-school provider remain: tell the LA, check the standards.
    assert {f.rule for f in findings(repo)} == {
        "la-notification-missing",
        "provider-standards",
        "provider-standards-evidence",
    }


def test_full_time_threshold_is_configurable(repo: Path) -> None:
    replace_line(repo / PROVIDER, "status: registered", "status: unregistered")
    delete_line(repo / PROVIDER, "urn: '199950'")
    replace_line(repo / "aprecords.yml", "full_time_hours: 18", "full_time_hours: 8")
    found = findings(repo)
    line = line_of(repo / PLACEMENT, "hours_per_week: 9")
    duties = ("la-notification-missing", "provider-standards", "provider-standards-evidence")
    found = [f for f in found if f.rule not in duties]
    assert sorted((f.rule, f.line) for f in found) == [
        ("registration-threshold", line),  # the example pupil has an EHC plan
        ("unregistered-full-time", line),
    ]
    assert all("more than 8 hours" in f.message for f in found)


def test_review_interval_is_configurable(repo: Path) -> None:
    replace_line(repo / "aprecords.yml", "max_interval_weeks: 16", "max_interval_weeks: 12")
    found = findings(repo)
    assert [(f.rule, f.line) for f in found] == [
        ("next-review-due", line_of(repo / PLACEMENT, "date: 2026-03-17"))
    ]
    assert "more than 12 weeks" in found[0].message


def test_temporary_upn_is_accepted(repo: Path) -> None:
    body = "20700001604A"
    replace_line(repo / PLACEMENT, "upn: P207000016049", f"upn: {check_letter(body)}{body}")
    assert findings(repo) == []


def test_a_temporary_upns_final_letter_counts_at_its_table_value(repo: Path) -> None:
    """Worked by hand from DOMAIN.md: body 207000016049 sums to 266 (4 + 28 + 9 + 60 + 48 +
    9 x 13 = 117). Put Z (value 22) in place of the final 9: 266 - 117 + 22 x 13 = 149 + 286 =
    435, and 435 mod 23 = 435 - 414 = 21, check letter Y. Valuing the Z as 0 would give 149 mod
    23 = 11, M: so Y must pass and M must be reported, saying Y is the right letter."""
    replace_line(repo / PLACEMENT, "upn: P207000016049", "upn: Y20700001604Z")
    assert findings(repo) == []
    line = replace_line(repo / PLACEMENT, "upn: Y20700001604Z", "upn: M20700001604Z")
    found = findings(repo)
    assert [(f.rule, f.line) for f in found] == [("upn-check-letter", line)]
    assert "should be Y, not M" in found[0].message


def test_upn_is_optional(repo: Path) -> None:
    delete_line(repo / PLACEMENT, "upn:")
    assert findings(repo) == []


# --- schema-level checks ----------------------------------------------------------------------


@dataclass(frozen=True)
class SchemaCase:
    name: str
    rel: str
    old: str
    new: str
    rule: str
    words: str
    at: str | None = None  # line holding the finding, when not the edited one


SCHEMA_CASES = [
    SchemaCase(
        "impossible date",
        PLACEMENT,
        "requested_start: 2025-09-08",
        "requested_start: 2025-02-30",
        "schema-format",
        "real calendar date",
    ),
    SchemaCase(
        "date in the wrong form",
        PLACEMENT,
        "requested_start: 2025-09-08",
        "requested_start: 08/09/2025",
        "schema-",
        "YYYY-MM-DD",
    ),
    SchemaCase(
        "URN too short",
        SCHOOL,
        "urn: '199901'",
        'urn: "19990"',
        "schema-pattern",
        "URN is 6 digits",
    ),
    SchemaCase(
        "URN written as a number",
        SCHOOL,
        "urn: '199901'",
        "urn: 199901",
        "schema-type",
        "put it in quotes",
    ),
    SchemaCase(
        "LAESTAB with letters",
        SCHOOL,
        "laestab: '8881001'",
        'laestab: "888100X"',
        "schema-pattern",
        "LAESTAB",
    ),
    SchemaCase(
        "UKPRN not starting with 1",
        PROVIDER,
        "ukprn: '10099901'",
        'ukprn: "20099901"',
        "schema-pattern",
        "UKPRN is 8 digits",
    ),
    SchemaCase(
        "provider URN shape",
        PROVIDER,
        "urn: '199950'",
        'urn: "1999500"',
        "schema-pattern",
        "URN is 6 digits",
    ),
    SchemaCase(
        "UPN too short",
        PLACEMENT,
        "upn: P207000016049",
        "upn: P20700001604",
        "schema-pattern",
        "13 characters",
    ),
    SchemaCase(
        "UPN with I as check letter",
        PLACEMENT,
        "upn: P207000016049",
        "upn: I207000016049",
        "schema-pattern",
        "13 characters",
    ),
    SchemaCase(
        "empty answer",
        PLACEMENT,
        "behaviour: Good;",
        "behaviour: ''",
        "schema-",
        "needs an answer",
    ),
    SchemaCase(
        "blank answer",
        PLACEMENT,
        "interventions: None needed",
        'interventions: "   "',
        "schema-pattern",
        "needs an answer",
    ),
    SchemaCase(
        "answer left out after the colon",
        PLACEMENT,
        "what_works: Clear short",
        "what_works:",
        "schema-type",
        "write the answer after the colon",
    ),
    SchemaCase(
        "year group 14",
        PLACEMENT,
        "year_group: 10",
        "year_group: 14",
        "schema-enum",
        "7, 8, 9, 10, 11, 12, 13",
    ),
    SchemaCase(
        "progress status",
        PLACEMENT,
        "status: met",
        "status: done",
        "schema-enum",
        "met, partly-met, not-met, on-track",
    ),
    SchemaCase(
        "qualification level",
        PLACEMENT,
        "level: level-1",
        "level: level-4",
        "schema-enum",
        "entry-1",
    ),
    SchemaCase(
        "provider course level",
        PROVIDER,
        "level: entry-3",
        "level: entry-4",
        "schema-enum",
        "level-3",
    ),
    SchemaCase(
        "attendance code",
        PLACEMENT,
        "school_code: B",
        "school_code: Z",
        "schema-enum",
        "B, K, V, P, W",
    ),
    SchemaCase(
        "percentage over 100",
        PLACEMENT,
        "percentage: 94.4",
        "percentage: 104.4",
        "schema-maximum",
        "104.4",
    ),
    SchemaCase(
        "negative sessions",
        PLACEMENT,
        "unauthorised_absence: 0",
        "unauthorised_absence: -1",
        "schema-minimum",
        "-1",
    ),
    SchemaCase(
        "yes is not a boolean",
        PLACEMENT,
        "ehcp: true",
        "ehcp: yes",
        "schema-type",
        "write true (in lower case, without quotes)",
    ),
    SchemaCase(
        "no hours",
        PLACEMENT,
        "hours_per_week: 9",
        "hours_per_week: 0",
        "schema-exclusiveMinimum",
        "hours_per_week is 0; it must be more than 0",
    ),
    SchemaCase(
        "too many hours",
        PLACEMENT,
        "hours_per_week: 9",
        "hours_per_week: 41",
        "schema-maximum",
        "is 41; it must be at most 40",
    ),
    SchemaCase(
        "half a session",
        PLACEMENT,
        "sessions_possible: 36",
        "sessions_possible: 36.5",
        "schema-type",
        "should be a whole number, but is the number 36.5",
    ),
    SchemaCase(
        "year group in quotes",
        PLACEMENT,
        "year_group: 10",
        "year_group: '10'",
        "schema-enum",
        "is the text '10'; write it without quotes",
    ),
    SchemaCase(
        "name that YAML reads as a boolean",
        PLACEMENT,
        "name: Tobias Wrenfeather",
        "name: true",
        "schema-type",
        "put it in quotes: 'true'",
    ),
    SchemaCase(
        "bad email",
        SCHOOL,
        "safeguarding_email: safeguarding@hollybrook.example.org",
        "safeguarding_email: safeguarding at hollybrook",
        "schema-",
        "email address",
    ),
    SchemaCase(
        "target id shape",
        PLACEMENT,
        "- id: T2",
        "- id: target-2",
        "schema-pattern",
        "T1, T2",
    ),
]


@pytest.mark.parametrize("case", SCHEMA_CASES, ids=[c.name for c in SCHEMA_CASES])
def test_schema_check(repo: Path, case: SchemaCase) -> None:
    number = replace_line(repo / case.rel, case.old, case.new)
    found = [f for f in findings(repo) if f.path == case.rel]
    assert len(found) == 1, found
    (finding,) = found
    assert finding.rule.startswith(case.rule), finding
    assert finding.severity == "error"
    assert (finding.path, finding.line) == (case.rel, number)
    assert case.words in finding.message, finding.message


def test_misspelt_key_suggests_the_right_one(repo: Path) -> None:
    number = replace_line(repo / PLACEMENT, "behaviour: Good;", "behavour: Good;")
    found = findings(repo)
    misspelt = [f for f in found if f.rule == "schema-additionalProperties"]
    assert [(f.path, f.line, f.column) for f in misspelt] == [(PLACEMENT, number, 5)]
    assert "'behavour' is not a field" in misspelt[0].message
    assert "did you mean 'behaviour'?" in misspelt[0].message
    # One mistake, one finding: the 'missing behaviour' it causes is not reported again.
    assert [f for f in found if f.rule == "schema-required"] == []


def test_unknown_top_level_key(repo: Path) -> None:
    number = insert_after(repo / PLACEMENT, "school: hollybrook", "colour: blue")
    found = findings(repo)
    assert [(f.rule, f.line, f.column) for f in found] == [
        ("schema-additionalProperties", number, 1)
    ]
    assert "not a field of the record" in found[0].message


def test_missing_property_is_located_at_the_mapping_that_lacks_it(repo: Path) -> None:
    delete_line(repo / PLACEMENT, "year_group: 10")
    found = findings(repo)
    assert [(f.rule, f.path, f.line, f.column) for f in found] == [
        ("schema-required", PLACEMENT, line_of(repo / PLACEMENT, "student:"), 1)
    ]
    assert "student is missing 'year_group'" in found[0].message


def test_missing_top_level_property_is_located_at_the_record(repo: Path) -> None:
    delete_line(repo / PLACEMENT, "requested_start:")
    found = findings(repo)
    first_key = line_of(repo / PLACEMENT, "id: ")  # the record's mapping starts there
    assert [(f.rule, f.line, f.column) for f in found] == [("schema-required", first_key, 1)]
    assert "missing 'requested_start'" in found[0].message


def test_school_needs_urn_or_laestab(repo: Path) -> None:
    delete_line(repo / SCHOOL, "urn:")
    assert findings(repo) == []
    delete_line(repo / SCHOOL, "laestab:")
    found = [f for f in findings(repo) if f.path == SCHOOL]
    assert [(f.path, f.line) for f in found] == [(SCHOOL, line_of(repo / SCHOOL, "id: "))]
    assert "URN or its LAESTAB" in found[0].message


def test_registered_provider_needs_a_urn(repo: Path) -> None:
    delete_line(repo / PROVIDER, "urn: '199950'")
    found = [f for f in findings(repo) if f.path == PROVIDER]
    assert [(f.rule, f.path, f.line) for f in found] == [
        ("schema-required", PROVIDER, line_of(repo / PROVIDER, "registration:"))
    ]


def test_reference_to_an_invalid_record_points_to_its_file(repo: Path) -> None:
    """An invalid school is not used by the rules; its placement says why, not 'no school'."""
    replace_line(repo / SCHOOL, "urn: '199901'", 'urn: "1"')
    found = findings(repo)
    assert [(f.path, f.rule) for f in found] == [
        (PLACEMENT, "school-exists"),
        (SCHOOL, "schema-pattern"),
    ]
    assert "cannot be used until records/schools/hollybrook.yaml is fixed" in found[0].message


def test_reference_to_an_unreadable_record_points_to_its_file(repo: Path) -> None:
    (repo / PROVIDER).write_text("id: brickworks\n\tname: x\n", "utf-8")
    found = findings(repo)
    assert [(f.path, f.rule) for f in found] == [
        (PLACEMENT, "provider-exists"),
        (PROVIDER, "tab-character"),
    ]
    assert "until records/providers/brickworks.yaml is fixed" in found[0].message


def test_unreadable_record_is_a_finding_not_a_crash(repo: Path) -> None:
    (repo / PLACEMENT).write_text("id: x\nid: y\n", "utf-8")
    found = findings(repo)
    assert [(f.path, f.line, f.column, f.rule) for f in found] == [
        (PLACEMENT, 2, 1, "duplicate-key")
    ]


def test_misplaced_file_is_reported(repo: Path) -> None:
    stray = repo / "records" / "placements" / "loose.yaml"
    shutil.copy(repo / PLACEMENT, stray)
    found = findings(repo)
    assert [(f.path, f.rule) for f in found] == [
        ("records/placements/loose.yaml", "record-location")
    ]


# --- meta: every rule is well described and has a failing case ---------------------------------


def test_rule_ids_are_kebab_case_unique_and_described() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids)), "rule ids must be unique"
    for rule in RULES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.id), rule.id
        assert rule.description.strip(), rule.id
        assert "\n" not in rule.description, rule.id
        assert rule.description.endswith("."), rule.id
        assert len(rule.description) <= 120, rule.id
        assert rule.severity in ("error", "warning"), rule.id


ISSUE_2_FAMILIES = {"identity", "references", "dates", "identifiers", "provision", "placeholders"}
"""Rule modules of validate/rules/ whose failing cases live in CASES above."""


def test_every_rule_has_a_failing_case() -> None:
    """Issue 2's rules each have a case in CASES. Rules that other features add (attendance
    files, history against a git revision) must at least be tested by id in another test file."""
    covered = {case.rule for case in CASES}
    here = Path(__file__).resolve()
    elsewhere = "\n".join(
        f.read_text("utf-8") for f in sorted(here.parent.glob("test_*.py")) if f != here
    )
    missing = []
    for rule in RULES:
        family = rule.check.__module__.rsplit(".", 1)[-1]
        if rule.id in covered or family not in ISSUE_2_FAMILIES and f'"{rule.id}"' in elsewhere:
            continue
        missing.append(f"{rule.id} ({family})")
    assert missing == [], f"rules without a failing test: {missing}"


def test_a_clash_names_both_providers_and_sessions_apart_in_time_do_not_clash(repo: Path) -> None:
    _timetable_clash(repo)
    (hit,) = [f for f in findings(repo) if f.rule == "timetable-clash"]
    # Named as staff know them; a provider with no record here by its id.
    assert "Brickworks Construction Skills" in hit.message and "fenwick-vale" in hit.message
    assert "Thursday AM" in hit.message and "Friday" not in hit.message
    # Brickworks until 30 Nov 2025, Fenwick Vale from 1 Dec: one after the other, no clash.
    insert_after(repo / PLACEMENT, "hours_per_week: 9", "    end: 2025-11-30\n")
    insert_after(repo / PLACEMENT, "hours_per_week: 6", "    start: 2025-12-01\n")
    assert not [f for f in findings(repo) if f.rule == "timetable-clash"]


def test_a_review_in_a_holiday_is_named_and_a_school_day_is_not_warned(repo: Path) -> None:
    replace_line(repo / PLACEMENT, "date: 2026-03-17", "date: 2026-02-17")
    (hit,) = [f for f in findings(repo) if f.rule == "review-in-holiday"]
    assert "Spring half term 2026" in hit.message and "2026-02-17" in hit.message
    replace_line(repo / PLACEMENT, "date: 2026-02-17", "date: 2026-02-23")  # the Monday after
    assert not [f for f in findings(repo) if f.rule == "review-in-holiday"]
