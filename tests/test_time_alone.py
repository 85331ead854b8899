"""Time alone never stops publication (issue 20, point 5).

* What only the date creates (overdue reviews and set-up, starts passed, returns not
  received) is an action item and a warning: a repository's errors are the same on any
  date, so neither a pull request's check nor a build nor a deploy fails for the date alone.
* A data error in one audience's records keeps that audience's last good site while every
  other audience is updated; the hub's dashboard and the build's output (the deploy's log)
  say which site is not updated and why. A build that fails for one audience (a leak, MkDocs)
  is listed the same way.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from aprecords.access import audiences
from aprecords.actions import SETUP_ITEMS
from aprecords.repository import load_repository
from aprecords.site import build as build_module
from aprecords.site import engine, stale
from aprecords.site.parallel import build_many
from aprecords.validate import validate
from conftest import PROJECT, TODAY, Result, copy_examples, replace_line

DATES = ("2019-06-03", "2025-09-01", TODAY, "2026-07-31", "2031-02-28", "2045-12-31")
BROKEN = "records/placements/st-aldric/st-aldric-2025-001.yaml"
CHOSEN = ("hub", "school-hollybrook", "school-st-aldric", "provider-torque-garage")
HELD = ("provider-torque-garage", "school-st-aldric")


def unconfirmed(root: Path) -> Path:
    """Every set-up confirmation of every example placement set to false."""
    for file in sorted((root / "records" / "placements").rglob("*.yaml")):
        text = file.read_text("utf-8")
        for path, _, _ in SETUP_ITEMS:
            text = text.replace(f"{path[-1]}: true", f"{path[-1]}: false")
        file.write_text(text, "utf-8")
    return root


def errors_and_dated(root: Path, day: str) -> tuple[set[tuple[str, ...]], set[str]]:
    """The errors found on ``day`` (every detail), and the rules that warned."""
    found = validate(load_repository(root), date.fromisoformat(day))
    return {
        (f.path, str(f.line), str(f.column), f.rule, f.message)
        for f in found
        if f.severity == "error"
    }, {f.rule for f in found if f.severity == "warning"}


@pytest.mark.parametrize("source", ["examples", "synthetic"])
def test_a_repositorys_errors_are_the_same_on_every_date(
    tmp_path: Path, source: str, run_cli: Callable[..., Result]
) -> None:
    if source == "examples":
        root = unconfirmed(copy_examples(tmp_path / "r"))
        # and one real error, which must be found on every date alike
        replace_line(root / BROKEN, "hours_per_week:", "hours_per_week: lots")
    else:
        import sys

        sys.path.insert(0, str(PROJECT / "bench"))
        import synth

        root = synth.generate(tmp_path / "r", 40, seed=11, schools=3, providers=4).out
        unconfirmed(root)
    seen: dict[str, set[tuple[str, ...]]] = {}
    dated: set[str] = set()
    for day in DATES:
        seen[day], warned = errors_and_dated(root, day)
        dated |= warned
    first = seen[DATES[0]]
    for day in DATES:
        assert seen[day] == first, (day, seen[day] ^ first)
    # The dates did make the date-dependent findings: all of them are warnings.
    assert {"review-overdue", "setup-overdue", "attendance-return-missing"} <= dated
    assert "start-overdue" in dated or source == "synthetic"
    if source == "examples":
        assert [e[3] for e in first] == ["schema-type"]
    late = run_cli("--root", root, "validate", "--today", DATES[-1], "--format", "github")
    assert late.code == (1 if first else 0), late.out
    assert "::warning " in late.out and "title=setup-overdue" in late.out


def folder_id(site: Path, name: str) -> int:
    return (site / name / "index.html").stat().st_ino


def dashboard(site: Path, name: str = "hub", section: str = "") -> str:
    """The text of an audience's dashboard (from the heading ``section`` on, to the next)."""
    text = (site / name / "index.html").read_text("utf-8")
    if section:
        text = text.split(f'<h2 id="{section}">', 1)[1].split("<h2", 1)[0]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)))


def build(run_cli: Callable[..., Result], root: Path, site: Path, day: str) -> Result:
    chosen = [arg for name in CHOSEN for arg in ("--audience", name)]
    return run_cli("--root", root, "build", "--today", day, "--site-dir", site, *chosen)


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from aprecords import cli

    base = tmp_path_factory.mktemp("time")
    root = copy_examples(base / "r")
    site = base / "site"
    chosen = [arg for name in CHOSEN for arg in ("--audience", name)]
    assert cli.main(["--root", str(root), "build", "--today", TODAY, "--site-dir", str(site)]
                    + chosen) == 0  # fmt: skip
    return root, site


def test_a_data_error_holds_back_only_the_sites_that_show_it(
    first_build: tuple[Path, Path], run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    import shutil

    root = tmp_path / "r"
    site = tmp_path / "site"
    shutil.copytree(first_build[0], root)
    shutil.copytree(first_build[1], site)
    before = {name: folder_id(site, name) for name in CHOSEN}
    unconfirmed(root)  # and twenty years on: everything is overdue, nothing is an error
    line = replace_line(root / BROKEN, "hours_per_week:", "hours_per_week: lots")
    later = "2045-12-31"
    done = build(run_cli, root, site, later)
    assert done.code == 1, done.out + done.err
    assert f"{BROKEN}:{line}:" in done.out and "error:" in done.out
    for name in CHOSEN:
        kept = folder_id(site, name) == before[name]
        assert kept == (name in HELD), name
        page = dashboard(site, name)
        assert ("31 Dec 2045" in page) == (name not in HELD), name
        assert ("Sites not updated" in page) == (name == "hub"), name
    # The build says which sites were not updated, since when and why.
    for name in HELD:
        assert f"aprecords: {name}: not updated (its site of {TODAY} stays):" in done.err
    assert re.search(rf"aprecords:   {re.escape(BROKEN)}:{line}:\d+: .*\[schema-type\]", done.err)
    # So does the hub's dashboard, with the overdue items as action items.
    table = dashboard(site, "hub", "sites-not-updated")
    for name in HELD:
        assert re.search(rf"{name} 10 Jan 2026 {re.escape(BROKEN)}:{line}:", table), table
    assert "school-hollybrook" not in table
    assert f"{BROKEN}:{line}:" in dashboard(site, "hub", "records-with-errors")
    assert "overdue, was due" in dashboard(site, "hub", "action-needed")
    status = json.loads((site / ".aprecords" / "_status.json").read_text())
    assert sorted(status["held"]) == list(HELD) and status["failed"] == {}
    # The configuration still serves the sites held back.
    conf = (site / "nginx" / "aprecords.conf").read_text()
    for name in CHOSEN:
        assert f"location /{name}/ {{" in conf

    # Fixed: every site is updated and the hub's dashboard has nothing to say.
    replace_line(root / BROKEN, "hours_per_week:", "hours_per_week: 12")
    again = build(run_cli, root, site, later)
    assert again.code == 0, again.out + again.err
    for name in CHOSEN:
        assert "31 Dec 2045" in dashboard(site, name), name
    assert "Sites not updated" not in dashboard(site) and "not updated" not in again.err
    status = json.loads((site / ".aprecords" / "_status.json").read_text())
    assert status == {"errors": [], "held": {}, "failed": {}, "as_of": {}}


def test_a_school_whose_own_record_breaks_keeps_its_site_and_its_location(
    first_build: tuple[Path, Path], run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    import shutil

    root = tmp_path / "r"
    site = tmp_path / "site"
    shutil.copytree(first_build[0], root)
    shutil.copytree(first_build[1], site)
    kept = folder_id(site, "school-st-aldric")
    school = root / "records/schools/st-aldric.yaml"
    school.write_text(school.read_text("utf-8").replace("name:", "name: [", 1), "utf-8")
    # Without --audience: every audience that exists is built, none is pruned that is held.
    done = run_cli("--root", root, "build", "--today", "2026-01-12", "--site-dir", site)
    assert done.code == 1, done.out + done.err
    assert "school-st-aldric" not in {a.name for a in audiences(load_repository(root))}
    assert folder_id(site, "school-st-aldric") == kept
    assert "removed" not in done.out
    conf = (site / "nginx" / "aprecords.conf").read_text()
    assert "location /school-st-aldric/ {" in conf
    assert "aprecords: school-st-aldric: not updated" in done.err
    assert "school-st-aldric" in dashboard(site, "hub", "sites-not-updated")


def test_a_failed_build_is_listed_on_the_hubs_dashboard_until_it_passes(
    first_build: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    root = tmp_path / "r"
    site = tmp_path / "site"
    shutil.copytree(first_build[0], root)
    shutil.copytree(first_build[1], site)
    repo = load_repository(root)
    chosen = [a for a in audiences(repo) if a.name in CHOSEN]
    real = build_module.build_docs

    def fails_for_hollybrook(*args, label: str = "", **kwargs):  # type: ignore[no-untyped-def]
        if label.startswith("school-hollybrook:"):
            raise engine.EngineError("injected: MkDocs failed for hollybrook")
        return real(*args, label=label, **kwargs)

    monkeypatch.setattr(build_module, "build_docs", fails_for_hollybrook)
    outcomes = build_many(repo, chosen, site, date(2026, 1, 12), workers=1)
    assert [o.audience for o in outcomes if o.error] == ["school-hollybrook"]
    hub = dashboard(site, "hub", "sites-not-updated")
    assert re.search(r"school-hollybrook 10 Jan 2026 the school-hollybrook site", hub), hub
    assert "injected: MkDocs failed for hollybrook" in hub
    # Again, still failing: nothing new to say, so the hub is not rebuilt.
    hub_id = folder_id(site, "hub")
    outcomes = build_many(repo, chosen, site, date(2026, 1, 12), workers=1)
    assert {o.audience: o.built for o in outcomes}["hub"] is False
    assert folder_id(site, "hub") == hub_id
    # It passes: the hub's dashboard says nothing any more.
    monkeypatch.setattr(build_module, "build_docs", real)
    outcomes = build_many(repo, chosen, site, date(2026, 1, 12), workers=1)
    assert not [o for o in outcomes if o.error]
    assert "Sites not updated" not in dashboard(site)


# --- who a record's error holds back --------------------------------------------------------


def finding(path: str, line: int = 1) -> object:
    from aprecords.findings import Finding

    return Finding(path, line, 1, "error", "broken", "schema-type")


def test_an_error_holds_back_the_audiences_that_show_its_record() -> None:
    repo = load_repository(PROJECT)
    everyone = audiences(repo)

    def held(path: str, published: dict[str, frozenset[str]] | None = None) -> list[str]:
        return sorted(stale.held_back(repo, [finding(path)], everyone, published))

    # A placement: its school's, its providers', the custom audience listing its school.
    assert held("records/placements/hollybrook/hollybrook-2025-001.yaml") == [
        "la-inclusion",
        "provider-brickworks",
        "school-hollybrook",
    ]
    # A file that cannot be read names its school by its folder.
    assert held("records/placements/st-aldric/new.yaml") == ["school-st-aldric"]
    # ... and the sites that showed it last time keep it.
    shown = {"provider-fenwick-vale": frozenset({"records/placements/st-aldric/new.yaml"})}
    assert held("records/placements/st-aldric/new.yaml", shown) == [
        "provider-fenwick-vale",
        "school-st-aldric",
    ]
    # An attendance register follows its placement.
    assert held("records/attendance/marsh-lane-2025-002.yaml") == [
        "la-inclusion",
        "provider-brickworks",
        "provider-fenwick-vale",
        "school-marsh-lane",
    ]
    # A school's entry: the school, and every audience with a pupil from it.
    assert held("records/schools/st-aldric.yaml") == [
        "provider-brickworks",
        "provider-fenwick-vale",
        "provider-shear-brilliance",
        "provider-torque-garage",
        "school-st-aldric",
    ]
    # A provider's entry is on every site; so could be a file of no known kind.
    others = sorted(a.name for a in everyone if a.name != "hub")
    assert held("records/providers/brickworks.yaml") == others
    assert held("records/stray.yaml") == others
    assert held("aprecords.yml") == others
    # The hub is never held back: its dashboard is where the errors are listed.
    assert "hub" not in stale.held_back(
        repo, [finding(p) for p in ("aprecords.yml",)], everyone, {"hub": frozenset({"x"})}
    )
    # One line per finding, in order.
    lines = stale.held_back(
        repo,
        [finding("records/placements/st-aldric/st-aldric-2025-003.yaml", n) for n in (9, 4)],
        everyone,
    )["school-st-aldric"]
    assert [line.split(":")[1] for line in lines] == ["4", "9"]


def test_the_status_is_kept_and_read_back(tmp_path: Path) -> None:
    status = stale.Status(("a:1:1: x [r]",), {"school-a": ("a:1:1: x [r]",)}, {"b": "boom"})
    status = status.with_failures({"b": "boom"}, {"b": "2026-01-01", "zz": "2026-01-02"})
    stale.save(tmp_path, status)
    assert stale.load(tmp_path) == status
    assert status.as_of == {"b": "2026-01-01"}
    assert status.stale == {"b": ("boom",), "school-a": ("a:1:1: x [r]",)}
    assert status.report() == [
        "b: not updated (its site of 2026-01-01 stays):",
        "  boom",
        "school-a: not updated (it has no site yet):",
        "  a:1:1: x [r]",
    ]
    (tmp_path / stale.STATUS).write_text("[1, 2]")
    assert stale.load(tmp_path) == stale.Status() and stale.Status().empty()
    with pytest.raises(ValueError):
        stale.parse("[1]")


def test_nothing_is_outside_the_hub_not_even_an_invalid_record() -> None:
    """The hub may see every pupil; its dashboard names the records with errors."""
    from aprecords.access import hub
    from aprecords.scope import scope

    repo = load_repository(PROJECT)
    record = repo.placements["hollybrook-2025-001"]
    repo.mark(record, False)
    assert scope(repo, hub()).outside == []
    school = next(a for a in audiences(repo) if a.name == "school-st-aldric")
    assert ("hollybrook-2025-001", record.path) in scope(repo, school).outside
