"""A build that fails, is stopped or is killed never weakens what is served.

* One audience failing keeps its previous folder and its CSP hashes; the other audiences'
  headers and the configuration's strictness do not change (no 'unsafe-inline' fallback).
* SIGTERM (what ``timeout`` and CI runners send) stops a real ``aprecords build`` subprocess,
  its worker processes and removes their temporary folders; the previous sites stay.
* Whatever a killed (SIGKILL) build left beside the sites, the next build removes first.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from aprecords.access import audiences
from aprecords.errors import UsageError
from aprecords.repository import load_repository
from aprecords.site import build as build_module
from aprecords.site import engine, hosting
from aprecords.site.parallel import build_lock, build_many, script_hashes
from conftest import PROJECT, TODAY, copy_examples

TEMP_KINDS = (".new-", ".docs-", ".old-")


def location(conf: str, name: str) -> str:
    """The text of ``location /<name>/ { ... }`` in a generated configuration."""
    return conf.split(f"location /{name}/ {{", 1)[1].split("\n    }", 1)[0]


def script_src(block: str) -> str:
    return block.split("script-src", 1)[1].split(";", 1)[0]


def leftovers(site: Path) -> list[str]:
    return sorted(p.name for p in site.iterdir() if any(k in p.name for k in TEMP_KINDS))


@pytest.fixture(scope="module")
def examples_built(tmp_path_factory: pytest.TempPathFactory):
    root = copy_examples(tmp_path_factory.mktemp("stops") / "examples")
    repo = load_repository(root)
    return root, repo, audiences(repo)


def test_a_failed_audience_keeps_its_csp_and_weakens_no_other(
    tmp_path: Path, examples_built, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, repo, everyone = examples_built
    names = [a.name for a in everyone]
    site = tmp_path / "site"
    assert all(o.built for o in build_many(repo, everyone, site, date(2026, 1, 10), workers=1))
    before = hosting.nginx_config(hosting.Hosting(), everyone, site, script_hashes(site, names))
    for name in names:
        assert "'sha256-" in script_src(location(before, name))
    kept = (site / "school-hollybrook").stat().st_ino

    real_build_docs = build_module.build_docs

    def fails_for_hollybrook(*args, label: str = "", **kwargs):  # type: ignore[no-untyped-def]
        if label.startswith("school-hollybrook:"):
            raise engine.EngineError("injected: MkDocs failed for hollybrook")
        return real_build_docs(*args, label=label, **kwargs)

    monkeypatch.setattr(build_module, "build_docs", fails_for_hollybrook)
    # Another date: every audience is rebuilt; hollybrook's build fails.
    outcomes = build_many(repo, everyone, site, date(2026, 1, 11), workers=1)
    failed = [o.audience for o in outcomes if o.error]
    assert failed == ["school-hollybrook"]
    assert (site / "school-hollybrook").stat().st_ino == kept  # its previous site stays
    after = hosting.nginx_config(hosting.Hosting(), everyone, site, script_hashes(site, names))
    assert all("unsafe-inline" not in s.split(";")[0] for s in after.split("script-src")[1:])
    for name in names:
        assert script_src(location(after, name)) == script_src(location(before, name)), name

    # The failed audience is rebuilt next time (its record no longer vouches for the folder),
    # and the hub's dashboard, which listed it as not updated, says so no more.
    monkeypatch.setattr(build_module, "build_docs", real_build_docs)
    again = build_many(repo, everyone, site, date(2026, 1, 11), workers=1)
    assert [o.audience for o in again if o.built] == ["hub", "school-hollybrook"]


def test_hashes_without_a_build_record_come_from_the_folder_or_allow_no_inline_script(
    tmp_path: Path, examples_built
) -> None:
    _, repo, everyone = examples_built
    chosen = [a for a in everyone if a.name in ("hub", "school-marsh-lane")]
    site = tmp_path / "site"
    build_many(repo, chosen, site, date(2026, 1, 10), workers=1)
    recorded = script_hashes(site, ["hub"])["hub"]
    (site / ".aprecords" / "hub.json").unlink()
    assert script_hashes(site, ["hub"])["hub"] == recorded  # read from what is served
    (site / ".aprecords" / "school-marsh-lane.json").write_text('{"script_hashes": ["x\\" ;"]}')
    assert script_hashes(site, ["school-marsh-lane"]) == {"school-marsh-lane": recorded}
    conf = hosting.nginx_config(hosting.Hosting(), everyone, site, script_hashes(site, ["hub"]))
    # Never built (no folder, no record): no inline script at all, and nothing weaker.
    assert script_src(location(conf, "school-st-aldric")) == " 'self'"


def run_build(root: Path, site: Path, day: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "aprecords", "--root", str(root), "build", "--today", day]
        + ["--site-dir", str(site)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT / "scripts")},
        start_new_session=True,
    )


def wait_for_temporary_folders(site: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not leftovers(site):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the build made no temporary folder"
        time.sleep(0.01)
    time.sleep(0.3)  # into MkDocs


def processes_using(site: Path) -> list[int]:
    """Processes whose command line names ``site`` (the build and its forked workers)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(site).encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


@pytest.fixture
def built_once(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    root = copy_examples(tmp_path / "examples")
    site = tmp_path / "site"
    first = run_build(root, site, TODAY)
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, out + err
    pages = {
        p.name: (p / "index.html").read_bytes()
        for p in site.iterdir()
        if p.is_dir() and p.name[0] != "." and p.name != "nginx"
    }
    return root, site, pages


@pytest.mark.parametrize("target", ["main process", "process group"])
def test_sigterm_stops_workers_and_removes_temporary_folders(built_once, target: str) -> None:
    root, site, pages = built_once
    conf = (site / "nginx" / "aprecords.conf").read_bytes()
    proc = run_build(root, site, "2026-01-11")  # another date: every audience rebuilds
    wait_for_temporary_folders(site, proc)
    if target == "main process":
        proc.send_signal(signal.SIGTERM)  # `kill PID`
    else:
        os.killpg(proc.pid, signal.SIGTERM)  # `timeout`, CI runners
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM, out + err
    assert "stopped (SIGTERM)" in err and "Traceback" not in err
    deadline = time.monotonic() + 10
    while processes_using(site) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_using(site) == []  # no worker left behind
    assert leftovers(site) == []  # .<audience>.new-*, .docs-* (MkDocs' input), .old-*
    for name in pages:  # every audience has a whole site (the old one, or a finished new one)
        assert (site / name / "index.html").is_file(), name
    assert (site / "nginx" / "aprecords.conf").read_bytes() == conf
    done = run_build(root, site, "2026-01-11")
    out, err = done.communicate(timeout=600)
    assert done.returncode == 0, out + err


def test_a_killed_build_is_cleaned_up_by_the_next(built_once) -> None:
    root, site, pages = built_once
    proc = run_build(root, site, "2026-01-11")
    wait_for_temporary_folders(site, proc)
    os.killpg(proc.pid, signal.SIGKILL)  # no chance to clean up
    proc.communicate(timeout=60)
    left = leftovers(site)
    assert left, "a SIGKILLed build leaves its temporary folders"
    done = run_build(root, site, "2026-01-11")
    out, err = done.communicate(timeout=600)
    assert done.returncode == 0, out + err
    assert leftovers(site) == []
    assert all((site / name / "index.html").is_file() for name in pages)


def test_a_site_caught_in_the_middle_of_a_swap_is_put_back(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / ".hub.old-abc123").mkdir(parents=True)  # killed between the two renames
    (site / ".hub.old-abc123" / "index.html").write_text("the previous hub site")
    (site / "school-x").mkdir()
    (site / ".school-x.old-def456").mkdir()  # the swap finished; the old copy was not removed
    (site / ".school-x.new-ghi789").mkdir()
    (site / ".not-ours").mkdir()
    removed = build_module.clean_leftovers(site)
    assert (site / "hub" / "index.html").read_text() == "the previous hub site"
    assert sorted(removed) == [".school-x.new-ghi789", ".school-x.old-def456"]
    assert sorted(p.name for p in site.iterdir()) == [".not-ours", "hub", "school-x"]


def test_two_builds_never_write_to_the_same_folder_at_once(tmp_path: Path, examples_built):
    _, repo, everyone = examples_built
    site = tmp_path / "site"
    site.mkdir()
    with build_lock(site), pytest.raises(UsageError, match="another build is writing there"):
        build_many(repo, everyone[:1], site, date(2026, 1, 10), workers=1)


def test_a_site_folder_nginx_could_not_enter_is_refused_clearly(
    tmp_path: Path, examples_built, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone else's 0700 folder (chmod refused): a usage error, not a traceback."""
    _, repo, everyone = examples_built
    site = tmp_path / "site"
    site.mkdir()
    site.chmod(0o700)

    def refused(*args: object, **kwargs: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chmod", refused)
    with pytest.raises(UsageError, match="mode 700, not owned by you: the web server could not"):
        build_many(repo, everyone[:1], site, date(2026, 1, 10), workers=1)
    assert list(site.iterdir()) == []
