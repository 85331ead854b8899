"""Page reuse (issue 14) is sound where two hand-made mutations once passed the whole suite
(issue 23): reuse that ignores a change in what a page's links look up, and a build key
without the MkDocs and theme versions. Each test below fails on its mutation.
"""

from __future__ import annotations

from datetime import date
from importlib.metadata import version
from pathlib import Path

import pytest

from aprecords.access import audiences
from aprecords.repository import load_repository
from aprecords.site import engine, incremental
from aprecords.site.parallel import build_many
from conftest import replace_line

DAY = date(2026, 1, 10)
PLACEMENT = "records/placements/hollybrook/hollybrook-2025-002.yaml"
CONFIG = """site_name: Reuse
strict: true
use_directory_urls: false
theme:
  name: material
plugins:
  - search
validation:
  links:
    not_found: {not_found}
    anchors: warn
"""


def site_of(tmp: Path, pages: dict[str, str], not_found: str = "warn") -> tuple[Path, Path]:
    """A docs folder with ``pages`` (name -> Markdown) and a base configuration for it."""
    docs = tmp / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    for old in docs.glob("*.md"):
        old.unlink()
    for name, text in pages.items():
        (docs / name).write_text(text, "utf-8")
    config = tmp / "mkdocs.yml"
    config.write_text(CONFIG.format(not_found=not_found), "utf-8")
    return config, docs


def run(config: Path, docs: Path, site: Path, previous: tuple[Path, engine.Pages] | None = None):
    """engine.build as the site build calls it (index.md alone in the nav, a fixed key)."""
    overrides = {"docs_dir": str(docs), "site_dir": str(site), "nav": ["index.md"]}
    return engine.build(config, overrides, key="k", previous=previous)


def test_a_page_whose_link_target_appears_is_rendered_again(tmp_path: Path) -> None:
    """a.md is unchanged, but the page it links to is new: its link must now point there.

    Reuse that ignored the paths a page's links looked up kept the old, dead link.
    """
    pages = {"index.md": "# Home\n", "a.md": "# A\n\nSee [the other page](b.md).\n"}
    config, docs = site_of(tmp_path, pages, not_found="info")  # a missing target is allowed
    first = run(config, docs, tmp_path / "one")
    assert first.pages["a.md"]["looked"] == {"b.md": False}
    assert 'href="b.md"' in (tmp_path / "one/a.html").read_text("utf-8")

    config, docs = site_of(tmp_path, {**pages, "b.md": "# B\n"}, not_found="info")
    second = run(config, docs, tmp_path / "two", previous=(tmp_path / "one", first))
    assert "a.html" not in second.reused
    assert 'href="b.html"' in (tmp_path / "two/a.html").read_text("utf-8")
    cold = run(config, docs, tmp_path / "cold")
    assert (tmp_path / "two/a.html").read_bytes() == (tmp_path / "cold/a.html").read_bytes()
    assert cold.pages["a.md"]["looked"] == {"b.md": True}


def test_a_page_whose_link_target_went_is_rendered_again_and_stops_the_build(
    tmp_path: Path,
) -> None:
    """b.md is removed and a.md, unchanged, links to it: as from nothing, the strict build
    fails naming the dead link (a reused a.html would have kept it silently)."""
    pages = {
        "index.md": "# Home\n",
        "a.md": "# A\n\nSee [the other page](b.md).\n",
        "b.md": "# B\n",
        "c.md": "# C\n\nNo links.\n",
    }
    config, docs = site_of(tmp_path, pages)
    first = run(config, docs, tmp_path / "one")
    # Reuse works here: with nothing changed, the pages out of the nav are linked again.
    again = run(config, docs, tmp_path / "again", previous=(tmp_path / "one", first))
    assert again.reused == {"a.html", "b.html", "c.html"}

    del pages["b.md"]
    config, docs = site_of(tmp_path, pages)
    with pytest.raises(engine.EngineError, match="b.md"):
        run(config, docs, tmp_path / "two", previous=(tmp_path / "one", first))


def test_the_engine_versions_name_the_installed_mkdocs_and_theme() -> None:
    import mkdocs

    assert engine.versions() == (
        f"mkdocs={mkdocs.__version__} mkdocs-material={version('mkdocs-material')}"
    )


def test_the_build_key_changes_with_the_engine_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    audience = audiences(load_repository(Path(__file__).resolve().parents[1]))[0]
    key = incremental.build_key("shared", audience, "Site", ["index.md"])
    assert key == incremental.build_key("shared", audience, "Site", ["index.md"])
    monkeypatch.setattr(engine, "versions", lambda: "mkdocs=1.6.1 mkdocs-material=99.0.0")
    assert incremental.build_key("shared", audience, "Site", ["index.md"]) != key


def test_a_new_mkdocs_or_theme_version_renders_every_page_again(
    examples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an upgrade of MkDocs or Material nothing rendered by the old one is reused, and
    an audience whose records did not change is built again all the same."""
    school = [a for a in audiences(load_repository(examples)) if a.name == "school-hollybrook"]
    site, folder = tmp_path / "site", tmp_path / "site" / "school-hollybrook"
    installed = engine.versions()

    def build(change: str = "", versions: str = installed) -> dict[str, int]:
        """Build (after changing a placement's rationale); each HTML file's inode."""
        if change:
            replace_line(examples / PLACEMENT, "  rationale: ", f"  rationale: {change}")
        monkeypatch.setattr(engine, "versions", lambda: versions)
        outcomes = build_many(load_repository(examples), school, site, DAY, workers=1)
        assert [(o.built, o.error) for o in outcomes] == [(True, None)]
        return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*.html")}

    def kept(before: dict[str, int], after: dict[str, int]) -> list[str]:
        return [name for name in after if before.get(name) == after[name]]

    first = build()
    # One placement changed: its pages are rendered, the others' are reused (same inodes).
    second = build("Changed once.")
    assert len(kept(first, second)) >= 5, kept(first, second)
    # The same change with another MkDocs or Material: no page is reused.
    newer = installed.replace("mkdocs-material=", "mkdocs-material=1")
    third = build("Changed twice.", newer)
    assert kept(second, third) == []
    # Nothing changed but the engine: the audience is built again, every page rendered.
    fourth = build("", newer.replace("mkdocs=", "mkdocs=1"))
    assert kept(third, fourth) == []
