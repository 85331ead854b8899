"""Search results and browser tabs name the page as its heading does: the pupil's name where
the audience sees identity, never the record id taken from the file name."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from aprecords.access import audiences
from aprecords.repository import load_repository
from aprecords.scope import scope
from aprecords.site.render import make_site, render_pages
from conftest import PROJECT


def test_every_page_with_a_heading_has_it_as_its_title() -> None:
    repo = load_repository(PROJECT)
    chosen = {a.name: a for a in audiences(repo)}["school-hollybrook"]
    pages = dict(render_pages(make_site(scope(repo, chosen), repo.config, date(2026, 3, 25))))
    searched = {r: t for r, t in pages.items() if "search:\n  exclude: true" not in t}
    assert len(searched) > 10  # the print views are left out of search; the rest are here
    for rel, text in searched.items():
        assert text.startswith("---\ntitle: "), rel
        title = json.loads(text.split("\n")[1].removeprefix("title: "))
        assert f"\n# {title}\n" in text, rel  # the page's own heading, word for word


def test_search_results_show_the_pupils_name(examples: Path, tmp_path: Path, run_cli) -> None:
    site = tmp_path / "site"
    args = ("--root", examples, "build", "--today", "2026-03-25", "--site-dir", site)
    assert run_cli(*args, "--audience", "school-hollybrook").code == 0
    index = json.loads((site / "school-hollybrook/search/search_index.json").read_text("utf-8"))
    titles = {d["location"]: d["title"] for d in index["docs"] if "#" not in d["location"]}
    assert titles["placements/hollybrook-2025-001.html"] == "Tobias Wrenfeather"
    assert not any("2025 001" in t or "2025-001" in t for t in titles.values())
