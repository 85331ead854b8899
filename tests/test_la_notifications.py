"""Telling the local authority about placements at non-school providers: the record's
la_notified dates, the action item until they are recorded, and ``aprecords export
la-notifications`` read back as a spreadsheet would (csv), with values worked out by hand
from the example placement (hollybrook-2025-001 at brickworks, made unregistered)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from aprecords.actions import placement_actions
from aprecords.repository import load_repository
from aprecords.validate import validate
from conftest import PLACEMENT, PROVIDER, delete_line, insert_after, line_of, replace_line

TODAY = date(2026, 1, 10)


def unregistered(repo: Path) -> None:
    replace_line(repo / PROVIDER, "status: registered", "status: unregistered")
    delete_line(repo / PROVIDER, "urn: '199950'")


def hits(repo: Path) -> list[tuple[str, int, int, str]]:
    found = validate(load_repository(repo), TODAY)
    return [
        (f.path, f.line, f.column, f.message) for f in found if f.rule == "la-notification-missing"
    ]


def test_a_registered_provider_needs_no_notification(repo: Path) -> None:
    assert hits(repo) == []


def test_the_school_is_asked_until_the_date_is_recorded(repo: Path) -> None:
    unregistered(repo)
    line = line_of(repo / PLACEMENT, "- provider: brickworks")
    ((path, at, column, message),) = hits(repo)
    assert (path, at, column) == (PLACEMENT, line, 15)
    assert (
        "tell the local authority about this placement at Brickworks Construction Skills" in message
    )
    assert "la_notified.start" in message  # the record field, in the hub's and validate's words
    loaded = load_repository(repo)
    providers = {k: r.data for k, r in loaded.providers.items()}
    data = loaded.placements["hollybrook-2025-001"].data
    (action,) = [
        a
        for a in placement_actions("x", data, TODAY, loaded.config, None, providers)
        if a.rule == "la-notification-missing"
    ]
    assert action.who == ("school",) and action.overdue  # started 2025-09-16
    insert_after(repo / PLACEMENT, "reason: engagement", "la_notified:\n  start: 2025-09-10")
    assert hits(repo) == []


def test_its_end_is_asked_for_once_the_la_knew_of_it(repo: Path) -> None:
    unregistered(repo)
    ended = "actual_start: 2025-09-16\nended:\n  date: 2025-12-19\n  reason: Finished."
    replace_line(repo / PLACEMENT, "actual_start:", ended)
    assert hits(repo) == []  # the LA was never told of it: nothing to follow up
    insert_after(repo / PLACEMENT, "reason: engagement", "la_notified:\n  start: 2025-09-10")
    ((path, at, _column, message),) = hits(repo)
    assert (path, at) == (PLACEMENT, line_of(repo / PLACEMENT, "  date: 2025-12-19"))
    assert "ended on 2025-12-19" in message
    insert_after(repo / PLACEMENT, "  start: 2025-09-10", "  end: 2025-12-22")
    assert hits(repo) == []


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_export_for_the_local_authority(repo: Path, run_cli) -> None:
    args = ("--root", repo, "export", "la-notifications", "--la", "888", "--today", "2026-01-10")
    assert rows(run_cli(*args).out) == []  # brickworks is registered: not non-school AP
    unregistered(repo)
    result = run_cli(*args)
    assert result.code == 0, result.err
    assert rows(result.out) == [
        {
            "la_code": "888",  # laestab 8881001
            "school_name": "Hollybrook Academy",
            "school_laestab": "8881001",
            "record_id": "hollybrook-2025-001",
            "pupil_name": "Tobias Wrenfeather",
            "upn": "P207000016049",
            "year_group": "10",
            "ehc_plan": "yes",
            "looked_after": "no",
            "provider_name": "Brickworks Construction Skills",
            "provider_addresses": "Unit 4, Kiln Road, Exampleton, ZZ99 2BB",  # site yard only
            "hours_per_week": "9",
            "start_date": "2025-09-16",
            "planned_end": "",
            "end_date": "",
            "la_told_of_placement": "",
            "la_told_of_end": "",
        }
    ]
    insert_after(repo / PLACEMENT, "reason: engagement", "la_notified:\n  start: 2025-09-10")
    assert rows(run_cli(*args).out)[0]["la_told_of_placement"] == "2025-09-10"


def test_unknown_authority_is_a_usage_error(repo: Path, run_cli) -> None:
    result = run_cli("--root", repo, "export", "la-notifications", "--la", "999")
    assert result.code == 2
    assert "authorities are 888" in result.err and "Traceback" not in result.err


def test_out_is_never_overwritten(repo: Path, tmp_path: Path, run_cli) -> None:
    out = tmp_path / "la.csv"
    out.write_text("kept", "utf-8")
    result = run_cli("--root", repo, "export", "la-notifications", "--la", "888", "--out", out)
    assert result.code == 2 and out.read_text("utf-8") == "kept"


def test_provision_the_la_arranged_needs_no_notification(repo: Path) -> None:
    unregistered(repo)
    replace_line(repo / PLACEMENT, "arranged_by:", "arranged_by: local-authority")
    assert hits(repo) == []


def test_the_school_dashboard_lists_the_item_until_done(repo: Path) -> None:
    from aprecords.access import CLASSES, Audience
    from aprecords.scope import scope
    from aprecords.site.render import make_site, render_pages

    school = Audience(
        "school-hollybrook", "Hollybrook", "school", frozenset(CLASSES),
        schools=frozenset({"hollybrook"}),
    )  # fmt: skip

    def actions() -> str:
        loaded = load_repository(repo)
        validate(loaded, TODAY)
        text = dict(render_pages(make_site(scope(loaded, school), loaded.config, TODAY, None)))
        index = text["index.md"]
        return index[index.index("## Action needed") : index.index("Placements as of")]

    unregistered(repo)
    assert (
        "Tell the local authority about this placement at Brickworks Construction Skills"
        in actions()
    )
    assert "was due 16 Sep 2025" in actions()
    insert_after(repo / PLACEMENT, "reason: engagement", "la_notified:\n  start: 2025-09-10")
    assert "Tell the local authority" not in actions()
