"""`aprecords build`: the examples give a complete hub site; failures never lose the old one."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from conftest import TODAY, replace_line

PAGES = (
    "index.html",
    "schools/index.html",
    "providers/index.html",
    "placements/index.html",
    "record-format.html",
    "about.html",
    "glossary.html",
    "data-protection.html",
    "search/search_index.json",
)


def build(run_cli, root: Path, site: Path, *extra: str):
    if "--audience" not in extra:
        extra = (*extra, "--audience", "hub")
    return run_cli("--root", root, "build", "--today", TODAY, "--site-dir", site, *extra)


def leftovers(site: Path) -> list[str]:
    """Temporary folders of the swap (.hub.new-*, .hub.old-*) left in the site folder."""
    return [p.name for p in site.iterdir() if p.name.startswith((".hub.new-", ".hub.old-"))]


def test_examples_build_into_site_hub_with_every_page(examples, tmp_path, run_cli) -> None:
    site = tmp_path / "site"
    result = build(run_cli, examples, site)
    assert result.code == 0, result.err
    hub = site / "hub"
    for page in PAGES:
        assert (hub / page).is_file(), page
    for kind in ("schools", "providers"):
        for record in (examples / "records" / kind).glob("*.yaml"):
            assert (hub / kind / f"{record.stem}.html").is_file()
    placements = sorted((examples / "records/placements").rglob("*.yaml"))
    assert len(placements) >= 12
    for record in placements:
        assert (hub / "placements" / f"{record.stem}.html").is_file()
    assert leftovers(site) == [], "no temporary folders left behind"


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_a_built_folder_is_readable_by_the_web_server_whatever_the_umask(
    examples, tmp_path, run_cli, umask: int
) -> None:
    """Not the 0700 of a temporary folder: nginx's www-data workers must read the site, so
    folders are 0755 and files 0644 whatever the umask (docs/deployment.md)."""
    site = tmp_path / "site"
    old = os.umask(umask)
    try:
        assert build(run_cli, examples, site).code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((site / "hub").stat().st_mode) == 0o755
    assert stat.S_IMODE((site / "hub/index.html").stat().st_mode) == 0o644
    assert stat.S_IMODE((site / "hub/placements").stat().st_mode) == 0o755


def test_record_pages_stay_out_of_the_navigation(examples, tmp_path, run_cli) -> None:
    site = tmp_path / "site"
    assert build(run_cli, examples, site).code == 0
    help_page = (site / "hub/glossary.html").read_text()  # links to no record in its text
    assert "placements/index.html" in help_page
    assert not re.search(r"(schools|providers|placements)/(?!index)[a-z0-9-]+\.html", help_page)


def test_no_page_refers_to_another_host(examples, tmp_path, run_cli) -> None:
    site = tmp_path / "site"
    assert build(run_cli, examples, site).code == 0
    for page in (site / "hub").rglob("*.html"):
        text = page.read_text()
        loads = re.findall(r'\ssrc="([^"]+)"', text)  # scripts, images, frames
        loads += re.findall(r'<link\b[^>]*\shref="([^"]+)"', text)  # styles, icons, preloads
        for url in loads:
            assert not re.match(r"(https?:)?//", url), (page, url)
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text


def test_search_index_holds_record_text_escaped(examples, tmp_path, run_cli) -> None:
    file = examples / "records/placements/hollybrook/hollybrook-2025-001.yaml"
    replace_line(file, "course: Construction", "course: '<img src=x onerror=alert(1)> calm'")
    site = tmp_path / "site"
    assert build(run_cli, examples, site).code == 0
    index = json.loads((site / "hub/search/search_index.json").read_text())
    texts = " ".join(d["title"] + " " + d["text"] for d in index["docs"])
    assert "Tobias Wrenfeather" in texts
    assert "&lt;img src=x onerror=alert(1)&gt; calm" in texts
    assert "<img" not in texts


def test_a_failed_build_leaves_the_previous_site(examples, tmp_path, run_cli) -> None:
    site = tmp_path / "site"
    assert build(run_cli, examples, site).code == 0
    before = {p: p.read_bytes() for p in (site / "hub").rglob("*") if p.is_file()}
    (examples / "docs" / "broken.md").write_text("# Broken\n\nSee [nothing](missing-page.md).\n")
    replace_line(
        examples / "records/placements/hollybrook/hollybrook-2025-001.yaml",
        "name: Tobias Wrenfeather",
        "  name: Tobias Changed",
    )
    result = build(run_cli, examples, site)
    assert result.code == 1
    assert "missing-page.md" in result.err and "previous one is unchanged" in result.err
    after = {p: p.read_bytes() for p in (site / "hub").rglob("*") if p.is_file()}
    assert after == before
    assert leftovers(site) == []


def test_an_invalid_record_holds_back_the_sites_that_show_it_with_located_findings(
    examples, tmp_path, run_cli
):
    file = examples / "records/placements/hollybrook/hollybrook-2025-001.yaml"
    line = replace_line(file, "year_group: 10", "  year_group: 42")
    site = tmp_path / "site"
    chosen = ("hub", "school-hollybrook", "provider-brickworks", "la-inclusion")
    chosen += ("school-st-aldric", "provider-torque-garage")
    result = build(run_cli, examples, site, *(x for a in chosen for x in ("--audience", a)))
    assert result.code == 1
    assert re.search(
        rf"records/placements/hollybrook/hollybrook-2025-001\.yaml:{line}:\d+: error: ",
        result.out,
    )
    # Never built before: the sites that would show it have nothing yet; the others are built
    # (tests/test_time_alone.py: a site built before keeps its last good version).
    for held in ("school-hollybrook", "provider-brickworks", "la-inclusion"):
        assert not (site / held).exists(), held
        assert f"aprecords: {held}: not updated (it has no site yet):" in result.err
    for built in ("hub", "school-st-aldric", "provider-torque-garage"):
        assert (site / built / "index.html").is_file(), built


def test_no_progress_output_when_not_on_a_terminal(examples, tmp_path) -> None:
    from conftest import run_module

    result = run_module(
        "--root",
        examples,
        "build",
        "--today",
        TODAY,
        "--site-dir",
        tmp_path / "site",
        "--audience",
        "hub",
    )
    assert result.code == 0, result.err
    assert "rendered" not in result.out + result.err


def test_progress_counts_pages_on_a_terminal(monkeypatch) -> None:
    import io

    from aprecords.site.engine import Progress, wants_progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    stream = Tty()
    assert wants_progress(stream)
    progress = Progress(30, stream)
    for _ in range(30):
        progress.on_post_page("", page=None, config=None)
    assert "rendered 25/30 pages" in stream.getvalue()
    assert stream.getvalue().endswith("rendered 30/30 pages\n")
    monkeypatch.setenv("CI", "true")
    assert not wants_progress(stream)


def test_record_format_page_is_current() -> None:
    from aprecords.schemas import Schemas
    from aprecords.site.recordformat import fields, markdown
    from conftest import PROJECT

    committed = (PROJECT / "docs/record-format.md").read_text("utf-8")
    assert committed == markdown(Schemas(PROJECT / "schema")), (
        "docs/record-format.md is out of date: run python -m aprecords.site.recordformat ."
    )
    paths = {f.path: f for f in fields(Schemas(PROJECT / "schema"), "placement")}
    assert paths["student.name"].sensitivity == "identity"
    assert paths["reviews[].safeguarding"].sensitivity == "safeguarding"
    assert paths["student.name"].required and not paths["student.upn"].required
    assert "met" in paths["reviews[].progress[].status"].kind
