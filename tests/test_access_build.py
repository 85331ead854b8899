"""Building every audience from the examples: leak check on each, injected leaks fail the build,
only changed audiences are rebuilt, and the web-server configuration is written beside them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from aprecords import scope as scope_module
from aprecords.access import audiences
from aprecords.guard.names import searchable
from aprecords.guard.normal import words
from aprecords.guard.scan import audience_leaks
from aprecords.repository import load_repository
from aprecords.scope import WITHHELD, scope
from aprecords.site import build as build_module
from conftest import HOLLYBROOK, MARSH_LANE, PROJECT, SEEN_BY, TODAY, line_of, without_policy


def copy_project(root: Path) -> Path:
    """Records, schemas, config, docs and the base MkDocs file of the project at ``root``."""
    root.mkdir(parents=True)
    for name in ("aprecords.yml", "mkdocs.yml"):
        shutil.copy(PROJECT / name, root / name)
    for name in ("schema", "records", "docs"):
        if (PROJECT / name).is_dir():
            shutil.copytree(PROJECT / name, root / name)
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """The examples built for every audience once: (repository, site folder, stdout)."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from aprecords import cli

    root = copy_project(tmp_path_factory.mktemp("examples") / "repo")
    site = root / "site"
    # A folder this tool built for an audience that no longer exists: removed by a full build.
    (site / "school-gone").mkdir(parents=True)
    (site / "school-gone" / "index.html").write_text("old pages")
    (site / ".aprecords").mkdir()
    (site / ".aprecords" / "school-gone.json").write_text("{}")
    (site / "unrelated").mkdir()
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["--root", str(root), "build", "--today", TODAY, "--site-dir", str(site)])
    assert code == 0, out.getvalue() + err.getvalue()
    return root, site, out.getvalue()


def _text(file: Path) -> str:
    import html

    return html.unescape(file.read_text("utf-8"))


def test_every_audience_is_built_and_passes_the_leak_check(built) -> None:
    root, site, out = built
    repo = load_repository(root)
    found = audiences(repo)
    custom = repo.config.data.get("audiences", {}).get("custom", [])
    assert custom, "the examples should show a custom audience"
    assert len(found) == 1 + len(repo.schools) + len(repo.providers) + len(custom)
    for audience in found:
        folder = site / audience.name
        assert f"built {folder}" in out
        assert (folder / "index.html").is_file()
        assert (folder / "search" / "search_index.json").is_file()
        assert audience_leaks(repo, audience, folder) == [], audience.name


def test_school_sites_hold_their_own_pupils_and_nobody_else(built) -> None:
    root, site, _ = built
    repo = load_repository(root)
    for sid in repo.schools:
        index = json.loads((site / f"school-{sid}" / "search/search_index.json").read_text())
        text = " ".join(words(json.dumps(index, ensure_ascii=False)))
        for record in repo.placements.values():
            name = " ".join(words(record.data["student"]["name"]))
            # The check could fail: own pupils are found in the index (search finds them).
            assert (name in text) == (record.data["school"] == sid), (sid, record.id)


def test_each_site_has_pages_for_exactly_its_placements_and_schools(built) -> None:
    _, site, _ = built
    # aprecords.yml's custom audience: Hollybrook's and Marsh Lane's placements.
    seen_by = {**SEEN_BY, "la-inclusion": HOLLYBROOK + MARSH_LANE}
    assert sorted(p.name for p in site.iterdir() if not p.name.startswith(".")) == sorted(
        [*seen_by, "nginx", "unrelated"]
    )
    for name, ids in seen_by.items():
        folder = site / name
        pages = {p.stem for p in (folder / "placements").glob("*.html")} - {"index"}
        assert sorted(pages) == sorted(ids), name
        # A school page for each school with a placement here (all three for the hub).
        schools = {p.stem for p in (folder / "schools").glob("*.html")} - {"index"}
        assert schools == {pid.rsplit("-", 2)[0] for pid in ids}, name


def test_provider_sites_show_withheld_in_place_of_safeguarding(built) -> None:
    root, site, _ = built
    repo = load_repository(root)
    for prid in repo.providers:
        scoped = scope(repo, next(a for a in audiences(repo) if a.name == f"provider-{prid}"))
        if not scoped.placements:
            continue
        everything = " ".join(
            _text(f) for f in (site / f"provider-{prid}").rglob("*.html") if f.is_file()
        )
        assert "withheld for this audience" in everything
        for pid, data in scoped.placements.items():
            assert data["agreements"]["safeguarding"]["information"] is WITHHELD
            original = repo.placements[pid].data["agreements"]["safeguarding"]
            if searchable(original["information"]):
                assert original["information"] not in everything
            assert " ".join(original["reporting"].split()) in " ".join(everything.split())


def test_folders_of_audiences_that_left_are_removed(built) -> None:
    root, site, out = built
    assert not (site / "school-gone").exists()
    assert not (site / ".aprecords" / "school-gone.json").exists()
    assert f"removed {site / 'school-gone'}" in out
    assert (site / "unrelated").is_dir()  # not built here: left alone


def test_the_web_server_configuration_is_written_beside_the_sites(built) -> None:
    root, site, out = built
    conf = (site / "nginx" / "aprecords.conf").read_text("utf-8")
    for audience in audiences(load_repository(root)):
        assert f"location /{audience.name}/ {{" in conf
    assert (site / "nginx" / "README.md").is_file()
    # Every audience was built here, so each folder's CSP allows exactly its inline scripts.
    assert all("unsafe-inline" not in s.split(";")[0] for s in conf.split("script-src")[1:])
    for audience in audiences(load_repository(root)):
        block = conf.split(f"location /{audience.name}/ {{", 1)[1].split("\n    }", 1)[0]
        script_src = block.split("script-src", 1)[1].split(";", 1)[0]
        assert "'sha256-" in script_src and "unsafe-inline" not in script_src
    assert "web server configuration:" in out


# --- injected leaks ------------------------------------------------------------------------


@pytest.fixture
def repo_root(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "repo")


def _build(run_cli, root: Path, *names: str):
    args = ["--root", root, "build", "--today", TODAY, "--site-dir", root / "site"]
    for name in names:
        args += ["--audience", name]
    return run_cli(*args)


def test_a_wrong_scope_letting_one_outside_pupil_through_fails_the_build(
    run_cli, repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _build(run_cli, repo_root, "school-hollybrook")
    assert first.code == 0, first.err
    before = (repo_root / "site/school-hollybrook/index.html").read_bytes()

    repo = load_repository(repo_root)
    intruder = next(r for r in repo.placements.values() if r.data["school"] != "hollybrook")
    real_scope = scope_module.scope

    def leaky_scope(repo, audience):  # a deliberately wrong scope
        scoped = real_scope(repo, audience)
        scoped.placements[intruder.id] = intruder.data
        scoped.paths[intruder.id] = intruder.path
        return scoped

    monkeypatch.setattr(build_module, "scope", leaky_scope)
    (repo_root / "site/.aprecords/school-hollybrook.json").unlink()  # force a rebuild
    result = _build(run_cli, repo_root, "school-hollybrook")
    assert result.code == 1
    assert "leak check failed for the audience 'school-hollybrook'" in result.err
    assert f"(source: {intruder.path})" in result.err
    assert "school-hollybrook/search/search_index.json" in result.err
    assert intruder.data["student"]["name"] not in result.err + result.out
    # The leaky site was never swapped in, and nothing of it is left behind.
    assert (repo_root / "site/school-hollybrook/index.html").read_bytes() == before
    assert [p.name for p in (repo_root / "site").iterdir() if ".new-" in p.name] == []


def test_a_page_printing_a_withheld_value_fails_the_build(
    run_cli, repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = load_repository(repo_root)
    provider, secret = next(
        (p, (r, r.data["agreements"]["safeguarding"]["information"]))
        for r in repo.placements.values()
        for p in [r.data["placements"][0]["provider"]]
        if searchable(r.data["agreements"]["safeguarding"]["information"])
    )
    real_scope = scope_module.scope

    def unredacted(repo, audience):  # renders as if safeguarding were granted
        from dataclasses import replace

        return real_scope(repo, replace(audience, grants=audience.grants | {"safeguarding"}))

    monkeypatch.setattr(build_module, "scope", unredacted)
    result = _build(run_cli, repo_root, f"provider-{provider}")
    assert result.code == 1
    record, text = secret
    assert f"(source: {record.path}#/agreements/safeguarding/information)" in result.err
    assert "withheld from this audience (safeguarding)" in result.err
    assert text not in result.err
    assert not (repo_root / f"site/provider-{provider}").exists()


@pytest.mark.parametrize(
    ("planted", "what"),
    [
        # records/placements/marsh-lane/marsh-lane-2025-001.yaml, read by hand: its UPN and id.
        ("Z888100225007", "the UPN of a pupil outside this audience"),
        ("marsh-lane-2025-001", "the record id of a placement outside this audience"),
    ],
)
def test_an_outside_upn_or_record_id_alone_on_a_page_fails_the_build(
    run_cli, repo_root: Path, monkeypatch: pytest.MonkeyPatch, planted: str, what: str
) -> None:
    """Only the UPN (or only the id) of another school's pupil, no name: still a leak."""
    real_render = build_module.render_pages

    def planting(site):  # a dashboard that prints one outside identifier (and indexes it)
        for rel, text in real_render(site):
            if rel == "index.md":
                text = text.replace('search_summary: "', f'search_summary: "{planted} ', 1)
                text += f"\n\nSee also {planted}.\n"
            yield rel, text

    monkeypatch.setattr(build_module, "render_pages", planting)
    result = _build(run_cli, repo_root, "school-hollybrook")
    assert result.code == 1
    assert "leak check failed for the audience 'school-hollybrook'" in result.err
    source = "records/placements/marsh-lane/marsh-lane-2025-001.yaml"
    assert f"school-hollybrook/index.html: {what} (source: {source})" in result.err
    assert f"school-hollybrook/search/search_index.json: {what} (source: {source})" in result.err
    # A UPN is never printed; an id names no pupil and is part of the source path anyway.
    assert "Z888100225007" not in result.err + result.out
    assert not (repo_root / "site/school-hollybrook").exists()


# --- selection, incremental rebuilds, policy errors ----------------------------------------


def test_only_changed_audiences_are_rebuilt(run_cli, repo_root: Path) -> None:
    names = ("hub", "school-hollybrook", "school-marsh-lane")
    first = _build(run_cli, repo_root, *names)
    assert first.code == 0, first.err
    assert all(f"built {repo_root / 'site' / n}" in first.out for n in names)

    again = _build(run_cli, repo_root, *names)
    assert all(f"unchanged {repo_root / 'site' / n}" in again.out for n in names)

    record = next((repo_root / "records/placements/marsh-lane").glob("*.yaml"))
    text = record.read_text("utf-8")
    record.write_text(text.replace("\ntargets:", "\n# a comment changes nothing\ntargets:"))
    comment_only = _build(run_cli, repo_root, *names)
    assert all(f"unchanged {repo_root / 'site' / n}" in comment_only.out for n in names)

    line = line_of(record, "  rationale:")
    lines = record.read_text("utf-8").splitlines(keepends=True)
    lines[line - 1] = "  rationale: A changed rationale, written for this test.\n"
    # drop the folded continuation lines of the old rationale, if any
    while lines[line].startswith("    "):
        del lines[line]
    record.write_text("".join(lines), "utf-8")
    changed = _build(run_cli, repo_root, *names)
    assert changed.code == 0, changed.err
    assert f"built {repo_root / 'site/hub'}" in changed.out
    assert f"built {repo_root / 'site/school-marsh-lane'}" in changed.out
    assert f"unchanged {repo_root / 'site/school-hollybrook'}" in changed.out

    # A folder that is no longer intact is rebuilt even though its inputs did not change.
    (repo_root / "site/school-hollybrook/index.html").unlink()
    repaired = _build(run_cli, repo_root, *names)
    assert f"built {repo_root / 'site/school-hollybrook'}" in repaired.out
    assert (repo_root / "site/school-hollybrook/index.html").is_file()


def test_an_unknown_audience_is_a_usage_error_listing_the_names(run_cli, repo_root: Path) -> None:
    result = _build(run_cli, repo_root, "school-atlantis")
    assert result.code == 2
    assert "no audience called 'school-atlantis'" in result.err
    assert "hub, school-hollybrook" in result.err
    assert not (repo_root / "site").exists()


def test_a_bad_policy_stops_the_build_with_exit_2_at_its_line(run_cli, repo_root: Path) -> None:
    without_policy(repo_root / "aprecords.yml")
    with (repo_root / "aprecords.yml").open("a", encoding="utf-8") as f:
        f.write(
            "audiences:\n  custom:\n    - name: la\n      title: LA\n"
            "      schools: [atlantis]\n      grants: [send]\n"
        )
    result = _build(run_cli, repo_root)
    assert result.code == 2
    line = line_of(repo_root / "aprecords.yml", "schools: [atlantis]")
    assert f"aprecords.yml:{line}:" in result.err
    assert "no school has the id 'atlantis'" in result.err
    assert not (repo_root / "site").exists()


def test_password_files_inside_the_repository_are_refused(run_cli, repo_root: Path) -> None:
    without_policy(repo_root / "aprecords.yml")
    with (repo_root / "aprecords.yml").open("a", encoding="utf-8") as f:
        f.write(f"hosting:\n  mode: basic\n  password_dir: {repo_root}/secrets\n")
    result = _build(run_cli, repo_root, "hub")
    assert result.code == 2
    line = line_of(repo_root / "aprecords.yml", "password_dir:")
    assert f"aprecords.yml:{line}:" in result.err
    assert "inside the records repository" in result.err
