"""bench/synth.py: a small synthetic repository validates cleanly, has the files asked for, is
the same for the same seed, and the generator refuses to write into a non-empty folder."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from aprecords import model
from aprecords.load import load_file, load_text
from conftest import PROJECT, TODAY

sys.path.insert(0, str(PROJECT / "bench"))
import synth  # noqa: E402

SCRIPT = PROJECT / "bench" / "synth.py"


def _files(root: Path, folder: str) -> list[Path]:
    return sorted((root / "records" / folder).rglob("*.yaml"))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "repo"
    synth.generate(out, 30, seed=7, schools=4, providers=5)
    return out


def test_small_repository_validates_without_findings(small: Path, run_cli) -> None:
    result = run_cli("--root", small, "validate", "--today", TODAY, "--format", "json")
    assert result.code == 0, result.out + result.err
    report = json.loads(result.out)
    registers = len(_files(small, "attendance"))
    assert registers > 0, "active placements have attendance registers"
    assert report["findings"] == [] and report["records"] == 30 + 4 + 5 + registers


def test_right_number_of_files_and_layout(small: Path) -> None:
    assert (small / "aprecords.yml").is_file()
    copied = sorted(p.name for p in (small / "schema").glob("*.schema.json"))
    assert copied == sorted(p.name for p in (PROJECT / "schema").glob("*.schema.json"))
    assert len(_files(small, "schools")) == 4
    assert len(_files(small, "providers")) == 5
    placements = _files(small, "placements")
    assert len(placements) == 30
    for file in placements:
        data = load_file(file, file.name).data
        assert data["id"] == file.stem and data["school"] == file.parent.name
        assert len(data.get("reviews") or []) <= 3


def test_same_seed_same_files_other_seed_other_files(small: Path, tmp_path: Path) -> None:
    again = synth.generate(tmp_path / "again", 30, seed=7, schools=4, providers=5).out
    other = synth.generate(tmp_path / "other", 30, seed=8, schools=4, providers=5).out

    def contents(root: Path) -> dict[str, str]:
        return {
            p.relative_to(root).as_posix(): p.read_text("utf-8")
            for p in sorted((root / "records").rglob("*.yaml"))
        }

    assert contents(again) == contents(small)
    assert contents(other) != contents(small)


def test_covers_reviews_from_0_to_3_and_every_status(tmp_path: Path) -> None:
    out = synth.generate(tmp_path / "r", 200, seed=3, schools=3, providers=4).out
    docs = [load_file(f, f.name).data for f in _files(out, "placements")]
    assert {len(d.get("reviews") or []) for d in docs} == {0, 1, 2, 3}
    today = date.fromisoformat(TODAY)
    assert {model.status(d, today) for d in docs} == {"requested", "active", "ended"}
    assert any(len(model.provider_ids(d)) == 2 for d in docs)


def test_emitter_round_trips_awkward_text() -> None:
    awkward = {
        "a": "yes",
        "b": "key: value # not a comment",
        "c": "012",
        "d": "'quoted' start",
        "e": "line one\nline two",
        "f": "word " * 30,
        "g": "Hair & Beauty",
        "h": "2025-09-01",
    }
    text = synth.dump({"id": "x", **awkward}, "school", "../../")
    assert load_text(text, "x.yaml").data == {"id": "x", **awkward}


def test_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    out = tmp_path / "busy"
    out.mkdir()
    (out / "keep.txt").write_text("mine", "utf-8")
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--records", "3", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "not an empty folder" in proc.stderr and str(out) in proc.stderr
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["busy"]  # no temp folder left behind


def test_writes_into_an_empty_folder_from_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--records", "5", "--out", str(out), "--schools", "2"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(_files(out, "placements")) == 5 and len(_files(out, "schools")) == 2


def test_site_option_copies_mkdocs_and_docs_only_when_asked(tmp_path: Path) -> None:
    plain = synth.generate(tmp_path / "plain", 2, schools=1, providers=1).out
    assert not (plain / "mkdocs.yml").exists() and not (plain / "docs").exists()
    with_site = synth.generate(tmp_path / "site", 2, schools=1, providers=1, site=True).out
    assert (with_site / "mkdocs.yml").read_text("utf-8") == (PROJECT / "mkdocs.yml").read_text(
        "utf-8"
    )
    assert sorted(p.name for p in (with_site / "docs").iterdir()) == sorted(
        p.name for p in (PROJECT / "docs").iterdir()
    )
