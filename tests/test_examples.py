"""The example records: they validate with exactly the one intended warning, and they keep
covering every case the site and the other tests rely on (requested, active with 0/1/3
reviews, ended, EHCP, two providers, changed targets, overdue and due-soon reviews...)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from aprecords import model
from aprecords.load import load_file
from aprecords.validate.rules.identifiers import upn_check_letter
from conftest import PROJECT, TODAY

RECORDS = PROJECT / "records"
AS_OF = date.fromisoformat(TODAY)
FULL_TIME_HOURS = 18


def _load(folder: str) -> dict[str, dict[str, Any]]:
    files = sorted((RECORDS / folder).rglob("*.yaml"))
    return {f.stem: load_file(f, f.relative_to(PROJECT).as_posix()).data for f in files}


@pytest.fixture(scope="module")
def schools() -> dict[str, dict[str, Any]]:
    return _load("schools")


@pytest.fixture(scope="module")
def providers() -> dict[str, dict[str, Any]]:
    return _load("providers")


@pytest.fixture(scope="module")
def placements() -> dict[str, dict[str, Any]]:
    return _load("placements")


def _reviews(data: dict[str, Any]) -> int:
    return len(model.reviews(data))


def _active(placements: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in placements.items() if model.status(v, AS_OF) == "active"}


# --- validation -----------------------------------------------------------------------------


def test_examples_validate_with_only_the_intended_warning(run_cli) -> None:
    result = run_cli("--root", PROJECT, "validate", "--today", TODAY, "--format", "json")
    assert result.code == 0, result.out + result.err
    report = json.loads(result.out)
    assert report["ok"] is True
    assert [(f["path"], f["rule"], f["severity"]) for f in report["findings"]] == [
        ("records/placements/marsh-lane/marsh-lane-2025-001.yaml", "review-overdue", "warning")
    ]


def test_every_record_file_is_in_the_canonical_layout(run_cli) -> None:
    """What the web form writes (tests/test_fmt_node.py compares with its YAML package)."""
    result = run_cli("--root", PROJECT, "fmt", "--check")
    assert result.code == 0, result.out + result.err
    assert "28 records: 0 not in the canonical layout" in result.err
    for file in sorted(RECORDS.rglob("*.yaml")):
        assert "yaml-language-server" not in file.read_text("utf-8"), file  # see .vscode/


# --- registries -----------------------------------------------------------------------------


def test_at_least_three_schools(schools) -> None:
    assert len(schools) >= 3


def test_providers_registered_and_unregistered_one_with_two_sites(providers) -> None:
    assert len(providers) >= 4
    status = [p["registration"]["status"] for p in providers.values()]
    assert status.count("registered") >= 2
    assert status.count("unregistered") >= 2
    assert any(len(p["sites"]) >= 2 for p in providers.values())


# --- placements: coverage of the lifecycle ---------------------------------------------------


def test_twelve_placements_spread_across_every_school(placements, schools) -> None:
    assert len(placements) >= 12
    used = {p["school"] for p in placements.values()}
    assert used == set(schools)


def test_record_ids_follow_school_year_serial(placements) -> None:
    for record_id, data in placements.items():
        school, year, serial = record_id.rsplit("-", 2)
        assert school == data["school"] and len(year) == 4 and len(serial) == 3, record_id


def test_a_requested_placement_not_started(placements) -> None:
    assert any("actual_start" not in p for p in placements.values())
    assert any(model.status(p, AS_OF) == "requested" for p in placements.values())


@pytest.mark.parametrize("count", [0, 1, 3])
def test_active_placements_with_0_1_and_3_reviews(placements, count) -> None:
    assert any(_reviews(p) == count for p in _active(placements).values())


def test_an_ended_placement(placements) -> None:
    assert any("ended" in p and model.status(p, AS_OF) == "ended" for p in placements.values())


def test_with_and_without_ehcp_and_outcomes_only_for_ehcp_pupils(placements) -> None:
    ehcp = [p for p in placements.values() if p["student"]["ehcp"]]
    assert ehcp and len(ehcp) < len(placements)
    for data in placements.values():
        lists = [data["targets"], *(r["targets"] for r in model.reviews(data))]
        outcomes = [t for targets in lists for t in targets if t.get("ehcp_outcome")]
        assert data["student"]["ehcp"] or not outcomes, data["id"]
    assert any(t.get("ehcp_outcome") for p in ehcp for t in p["targets"])


def test_a_pupil_at_two_providers(placements) -> None:
    assert any(len(model.provider_ids(p)) >= 2 for p in placements.values())


def test_targets_changed_added_and_closed_at_reviews(placements) -> None:
    changes = {
        t["change"] for p in placements.values() for r in model.reviews(p) for t in r["targets"]
    }
    assert {"changed", "added", "closed"} <= changes


def test_pupils_with_valid_upns(placements) -> None:
    upns = [p["student"]["upn"] for p in placements.values() if "upn" in p["student"]]
    assert "P207000016049" in upns and len(upns) >= 3
    for upn in upns:
        assert upn_check_letter(upn) == upn[0], upn


def test_one_active_review_overdue_and_one_due_soon(placements) -> None:
    due = {
        k: model.parse_date(model.next_review(p)["date"]) for k, p in _active(placements).items()
    }
    assert [k for k, when in due.items() if when < AS_OF] == ["marsh-lane-2025-001"]
    assert any(AS_OF <= when <= AS_OF + timedelta(days=14) for when in due.values())


def test_an_active_placement_below_90_percent_attendance(placements) -> None:
    rates = [model.latest_attendance_rate(p) for p in _active(placements).values()]
    assert any(rate is not None and rate < 90 for rate in rates)


def test_unregistered_providers_never_above_the_full_time_threshold(placements, providers) -> None:
    unregistered = {
        k for k, p in providers.items() if p["registration"]["status"] == "unregistered"
    }
    for data in placements.values():
        for item in data["placements"]:
            if item["provider"] in unregistered:
                assert item["hours_per_week"] <= FULL_TIME_HOURS, data["id"]
    assert any(
        item["provider"] in unregistered for p in placements.values() for item in p["placements"]
    )


def test_reasons_and_who_arranged(placements) -> None:
    assert sum("reason" in p for p in placements.values()) >= 3
    arranged = [i.get("arranged_by") for p in placements.values() for i in p["placements"]]
    assert "school" in arranged and "local-authority" in arranged


def test_free_text_has_apostrophe_ampersand_and_multiline_answers() -> None:
    texts = [f.read_text("utf-8") for f in sorted(RECORDS.rglob("*.yaml"))]
    assert any("'" in line for t in texts for line in t.splitlines() if not line.startswith("#"))
    assert any("Hair & Beauty" in t for t in texts)
    assert any(": |" in t for t in texts)  # text of several lines: a literal block
    assert not any(": >" in t for t in texts)  # never folded: the canonical layout has none


def test_contact_details_are_fictional(schools, providers) -> None:
    text = "\n".join(f.read_text("utf-8") for f in sorted(RECORDS.rglob("*.yaml")))
    emails = [w.strip(".,;") for w in text.split() if "@" in w]
    assert emails and all(e.endswith("example.org") for e in emails), emails
    phones = [
        person["phone"]
        for record in [*schools.values(), *providers.values()]
        for person in [record["dsl"], *record.get("attendance_contacts", [])]
        if "phone" in person
    ]
    assert phones and all(p.startswith("01632 960") for p in phones)


def test_files_live_where_their_ids_say(placements) -> None:
    for file in sorted((RECORDS / "placements").rglob("*.yaml")):
        data = placements[file.stem]
        assert data["id"] == file.stem and data["school"] == file.parent.name
