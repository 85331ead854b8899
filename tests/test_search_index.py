"""The search index holds one entry per generated page (issue 23): what identifies a placement,
not every section and review, so its size grows by a few hundred bytes per placement. The
leak guard reads it like every other file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from aprecords.repository import load_repository
from aprecords.site import searchtext
from conftest import TODAY, without_policy

SCHOOL = "school-hollybrook"
LA = "la-send"
LA_POLICY = (
    "audiences:\n  custom:\n    - name: la-send\n      title: SEND officer\n"
    "      schools: [hollybrook]\n      grants: [send]\n"
)


def build(run_cli, root: Path, *names: str):
    args = ["--root", root, "build", "--today", TODAY, "--site-dir", root / "site"]
    for name in names:
        args += ["--audience", name]
    return run_cli(*args)


def index_of(site: Path) -> list[dict[str, str]]:
    return json.loads((site / "search/search_index.json").read_text("utf-8"))["docs"]


def by_page(docs: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    pages: dict[str, list[dict[str, str]]] = {}
    for doc in docs:
        pages.setdefault(doc["location"].partition("#")[0], []).append(doc)
    return pages


def test_one_entry_per_placement_holding_what_identifies_it(examples: Path, run_cli) -> None:
    assert build(run_cli, examples, "hub").code == 0
    pages = by_page(index_of(examples / "site/hub"))
    repo = load_repository(examples)
    for pid in repo.placements:
        assert len(pages[f"placements/{pid}.html"]) == 1, pid  # not one per section
    for name in ("placements/index.html", "index.html", "schools/hollybrook.html"):
        assert len(pages[name]) == 1, name
    assert not [p for p in pages if "/print-" in p]  # print views stay out
    [entry] = pages["placements/hollybrook-2025-001.html"]
    assert entry["location"] == "placements/hollybrook-2025-001.html"
    assert entry["title"] == "Tobias Wrenfeather"
    assert entry["tags"] == ["hollybrook-2025-001"]  # weighed above titles: the id wins
    assert pages["schools/hollybrook.html"][0]["tags"] == ["hollybrook"]
    for words in (
        "Tobias Wrenfeather",
        "P207000016049",
        "Hollybrook Academy",
        "Brickworks Construction Skills",
        "Construction multi-skills",
        "active",
    ):
        assert words in entry["text"], words
    # Review text is on the page, no longer in the index (docs/guide.md says so).
    assert "one warning for using a phone" not in json.dumps(pages)
    # Help pages keep one entry per section.
    assert len(pages["guide.html"]) > 5


def test_a_withheld_name_or_upn_is_left_out_of_the_entry(examples: Path, run_cli) -> None:
    without_policy(examples / "aprecords.yml")
    with (examples / "aprecords.yml").open("a", encoding="utf-8") as f:
        f.write(LA_POLICY)
    assert build(run_cli, examples, LA).code == 0
    [entry] = by_page(index_of(examples / "site" / LA))["placements/hollybrook-2025-001.html"]
    assert entry["title"] == "Placement hollybrook-2025-001"
    assert entry["tags"] == ["hollybrook-2025-001"] and "Hollybrook Academy" in entry["text"]
    for withheld in ("Tobias", "Wrenfeather", "P207000016049"):
        assert withheld not in entry["text"], withheld


def test_an_outside_pupil_only_in_the_index_fails_the_build(
    examples: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A summary (and so the index alone, no page) naming another school's pupil."""
    repo = load_repository(examples)
    intruder = next(r for r in repo.placements.values() if r.data["school"] != "hollybrook")
    name = intruder.data["student"]["name"]
    real = searchtext.summaries

    def planting(site):
        found = real(site)
        rel = "placements/hollybrook-2025-001.md"
        found[rel] = found[rel]._replace(text=f"{found[rel].text} {name}")
        return found

    monkeypatch.setattr(searchtext, "summaries", planting)
    result = build(run_cli, examples, SCHOOL)
    assert result.code == 1
    assert f"leak check failed for the audience '{SCHOOL}'" in result.err
    assert f"{SCHOOL}/search/search_index.json" in result.err
    assert f"(source: {intruder.path})" in result.err
    assert f"{SCHOOL}/placements/hollybrook-2025-001.html" not in result.err
    assert name not in result.err + result.out
    assert not (examples / "site" / SCHOOL).exists()


def test_a_summary_leaves_out_withheld_values() -> None:
    """The summary's own rule, without a build: withheld values and non-texts are skipped."""
    from aprecords.scope import WITHHELD

    assert searchtext._words("A", WITHHELD, None, 7, {"x": 1}) == ["A", "7"]
    entries = [
        {"location": "a.html", "title": "Banner title", "text": "banner"},
        {"location": "a.html#x", "title": "X &amp; Y", "text": "long"},
        {"location": "a.html#r", "title": "Review 1", "text": "longer"},
    ]
    searchtext.collapse(entries, 0, "a.html", " id  &#60;b>\n name ")
    assert entries == [{"location": "a.html", "title": "X &amp; Y", "text": "id &lt;b&gt; name"}]
    searchtext.collapse(entries, 0, "a.html", "id", ["a-1"])
    assert entries[0]["tags"] == ["a-1"]
    empty: list[dict[str, str]] = []
    searchtext.collapse(empty, 0, "b.html", "text", ["b"])
    assert empty == []


def test_front_matter_keeps_a_name_beyond_the_basic_plane(examples: Path) -> None:
    """A name with a character beyond U+FFFF reads back whole from the front matter (JSON's
    escapes of it would read back as two lone surrogates, which no file can be written with)."""
    import yaml

    from aprecords.access import hub
    from aprecords.scope import scope
    from aprecords.site.render import make_site, render_pages

    name = "Tobias \U00020bb7Wrenfeather"  # 𠮷, a CJK character outside the BMP
    file = examples / "records/placements/hollybrook/hollybrook-2025-001.yaml"
    file.write_text(file.read_text("utf-8").replace("Tobias Wrenfeather", name), "utf-8")
    repo = load_repository(examples)
    site = make_site(scope(repo, hub(repo.config.hub)), repo.config, date(2026, 1, 10))
    text = dict(render_pages(site))["placements/hollybrook-2025-001.md"]
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["title"] == name
    assert name in meta[searchtext.META_KEY]
    assert meta[searchtext.TAGS_KEY] == ["hollybrook-2025-001"]
