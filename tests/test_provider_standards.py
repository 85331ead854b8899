"""Providers against the national standards: per standard the evidence seen, by whom, when
and when it expires; for a non-school provider, missing or expired evidence is a warning in
its file, an action for the hub on every active placement there, and its page shows it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from aprecords.access import hub
from aprecords.repository import load_repository
from aprecords.scope import scope
from aprecords.site.render import make_site, render_pages
from aprecords.standards import STANDARDS
from aprecords.validate import validate
from conftest import PLACEMENT, PROVIDER, delete_line, line_of, replace_line

TODAY = date(2026, 1, 10)
RULES = ("provider-standards", "provider-standards-evidence")


def evidence(first_aid_expires: str) -> str:
    lines = ["standards:"]
    for key, _what in STANDARDS:
        lines += [f"  {key}:", "    seen: 2025-07-14", "    by: Mrs Clementine Ashdown"]
        if key == "first_aid":
            lines.append(f"    expires: {first_aid_expires}")
    return "\n".join(lines) + "\n"


def found(repo: Path) -> list[tuple[str, str, int, str]]:
    return [
        (f.rule, f.path, f.line, f.message)
        for f in validate(load_repository(repo), TODAY)
        if f.rule in RULES
    ]


def unregistered(repo: Path) -> None:
    replace_line(repo / PROVIDER, "status: registered", "status: unregistered")
    delete_line(repo / PROVIDER, "urn: '199950'")


def test_registered_providers_are_not_asked(repo: Path) -> None:
    assert found(repo) == []


def test_missing_evidence_is_a_warning_in_the_file_and_on_the_placement(repo: Path) -> None:
    unregistered(repo)
    hits = found(repo)
    in_file = [h for h in hits if h[0] == "provider-standards-evidence"]
    assert len(in_file) == len(STANDARDS) == 12
    assert {(h[1], h[2]) for h in in_file} == {(PROVIDER, 1)}  # at id: no standards yet
    (on_placement,) = [h for h in hits if h[0] == "provider-standards"]
    assert on_placement[1:3] == (PLACEMENT, line_of(repo / PLACEMENT, "- provider: brickworks"))
    words = on_placement[3]
    assert "enhanced DBS checks and a single central record (missing; dbs_scr)" in words
    assert "a quality-assurance visit (missing; qa_visit)" in words


def test_expired_evidence_is_located_at_its_expiry(repo: Path) -> None:
    unregistered(repo)
    with (repo / PROVIDER).open("a", encoding="utf-8") as handle:
        handle.write(evidence("2026-01-09"))
    hits = found(repo)
    expires = line_of(repo / PROVIDER, "expires: 2026-01-09")
    assert [(h[0], h[1], h[2]) for h in hits] == [
        ("provider-standards", PLACEMENT, line_of(repo / PLACEMENT, "- provider: brickworks")),
        ("provider-standards-evidence", PROVIDER, expires),
    ]
    assert "first aid (expired 2026-01-09; first_aid)" in hits[0][3]
    replace_line(repo / PROVIDER, "expires: 2026-01-09", "    expires: 2026-01-10")
    assert found(repo) == []  # valid through its expiry day


def test_ended_placements_carry_no_warning(repo: Path) -> None:
    unregistered(repo)
    ended = "actual_start: 2025-09-16\nended:\n  date: 2025-12-19\n  reason: Finished."
    replace_line(repo / PLACEMENT, "actual_start:", ended)
    assert [h[0] for h in found(repo)] == ["provider-standards-evidence"] * 12


def page(repo: Path) -> str:
    loaded = load_repository(repo)
    validate(loaded, TODAY)
    site = make_site(scope(loaded, hub()), loaded.config, TODAY, None)
    return dict(render_pages(site))["providers/brickworks.md"]


def test_the_provider_page_shows_its_standing(repo: Path) -> None:
    assert "national standards for non-school provision do not apply" in page(repo)
    unregistered(repo)
    with (repo / PROVIDER).open("a", encoding="utf-8") as handle:
        handle.write(evidence("2026-01-09"))
    text = page(repo)
    rows = [line for line in text.splitlines() if "| Mrs Clementine Ashdown |" in line]
    assert len(rows) == 12
    (first_aid,) = [r for r in rows if r.startswith("| first aid |")]
    assert "**Expired**" in first_aid and "9 Jan 2026" in first_aid
    assert sum("| Current |" in r for r in rows) == 11


def test_the_hub_item_is_due_from_the_first_lapse(repo: Path) -> None:
    from aprecords.actions import placement_actions

    def since() -> date | None:
        loaded = load_repository(repo)
        providers = {k: r.data for k, r in loaded.providers.items()}
        data = loaded.placements["hollybrook-2025-001"].data
        (item,) = [
            a
            for a in placement_actions("x", data, TODAY, loaded.config, None, providers)
            if a.rule == "provider-standards"
        ]
        assert item.who == ("hub",) and item.overdue
        return item.since

    unregistered(repo)
    assert since() == date(2025, 9, 16)  # evidence missing: needed since the start
    with (repo / PROVIDER).open("a", encoding="utf-8") as handle:
        handle.write(evidence("2026-01-09"))
    assert since() == date(2026, 1, 9)  # first aid lapsed after its expiry day
