"""``aprecords attendance import`` writes every file or none (issue 10, item 10).

Each failure is made to happen for real where possible (a file-size limit the kernel enforces,
a file edited between the check and the write), otherwise injected after the first rename; in
every case no file under records/attendance/ changed (bytes, modification time and inode), no
temporary file is left, and the message names what was not written, without a traceback.
"""

from __future__ import annotations

import errno
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT

HEADER = (
    "pupil,week_commencing,mon_am,mon_pm,tue_am,tue_pm,wed_am,wed_pm,thu_am,thu_pm,fri_am,fri_pm\n"
)
NEW = "marsh-lane-2024-003"  # ended 2025-07-18; has no attendance file yet
SMALL = "marsh-lane-2025-004"  # the smallest attendance file of the examples
LARGE = "st-aldric-2025-003"
ROWS = {
    NEW: f"{NEW},2025-07-14,/,\\,,,,,,,,\n",
    SMALL: f"{SMALL},2026-01-12,,,,,,,/,\\,,\n",
    LARGE: f"{LARGE},2026-01-12,/,\\,,,/,,,,,\n",
}


def folder_state(root: Path) -> dict[str, tuple[bytes, int, int]]:
    folder = root / "records/attendance"
    if not folder.exists():
        return {}
    return {
        f.name: (f.read_bytes(), f.stat().st_mtime_ns, f.stat().st_ino)
        for f in sorted(folder.iterdir())
    }


def write_csv(tmp_path: Path, *pids: str) -> Path:
    csv = tmp_path / "week.csv"
    csv.write_text(HEADER + "".join(ROWS[p] for p in pids), "utf-8")
    return csv


def attendance(pid: str) -> str:
    return f"records/attendance/{pid}.yaml"


def test_the_rows_import_when_nothing_fails(examples: Path, tmp_path: Path, run_cli) -> None:
    """The baseline of the failure tests below: the same CSV writes all three files."""
    before = folder_state(examples)
    result = run_cli("--root", examples, "attendance", "import", write_csv(tmp_path, *ROWS))
    assert result.code == 0, result.err
    after = folder_state(examples)
    assert f"{NEW}.yaml" not in before and f"{NEW}.yaml" in after
    assert after[f"{SMALL}.yaml"][0] != before[f"{SMALL}.yaml"][0]
    assert after[f"{LARGE}.yaml"][0] != before[f"{LARGE}.yaml"][0]


def test_a_real_write_failure_on_the_second_file_writes_nothing(
    examples: Path, tmp_path: Path
) -> None:
    """The kernel refuses to let the process write a file past RLIMIT_FSIZE (even as root):
    the small file is staged, the large one fails half-way."""
    limit = (examples / attendance(LARGE)).stat().st_size  # its new text is longer
    assert (examples / attendance(SMALL)).stat().st_size + 200 < limit
    csv = write_csv(tmp_path, SMALL, LARGE)
    before = folder_state(examples)

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = subprocess.run(
        [sys.executable, "-m", "aprecords", "--root", examples, "attendance", "import", csv],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limited,
        env={**os.environ, "PYTHONPATH": str(PROJECT / "scripts"), "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"could not write {attendance(LARGE)} (File too large)" in proc.stderr
    assert "nothing was written" in proc.stderr
    assert attendance(SMALL) in proc.stderr.split("not written:")[1]
    assert folder_state(examples) == before  # no temporary file left either


def test_a_failure_after_renames_puts_every_file_back(
    examples: Path, tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two files renamed into place (a new one and a changed one), then the third fails."""
    from aprecords import writes

    real = writes._install
    installed: list[str] = []

    def third_fails(change: writes.Change, tmp: Path) -> Path | None:
        if len(installed) == 2:
            raise OSError(errno.EIO, "Input/output error")
        installed.append(change.name)
        return real(change, tmp)

    monkeypatch.setattr(writes, "_install", third_fails)
    before = folder_state(examples)
    result = run_cli("--root", examples, "attendance", "import", write_csv(tmp_path, *ROWS))
    assert installed == [attendance(NEW), attendance(SMALL)]  # sorted by record id
    assert result.code == 1 and "Traceback" not in result.err
    assert f"could not write {attendance(LARGE)} (Input/output error)" in result.err
    not_written = result.err.split("not written:")[1]
    assert all(attendance(pid) in not_written for pid in ROWS)
    assert folder_state(examples) == before


def test_a_folder_the_import_made_is_removed_on_failure(
    repo: Path, tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aprecords import writes

    def full(change: writes.Change) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writes, "_stage", full)
    csv = tmp_path / "one.csv"
    csv.write_text(HEADER + "hollybrook-2025-001,2025-09-15,,,/,\\,,,/,,,\n", "utf-8")
    shutil.rmtree(repo / "records/attendance")  # the fixture's register: start with none
    assert not (repo / "records/attendance").exists()
    result = run_cli("--root", repo, "attendance", "import", csv)
    assert result.code == 1 and "No space left on device" in result.err
    assert "nothing was written" in result.err
    assert not (repo / "records/attendance").exists()


def test_a_file_edited_while_the_import_ran_is_not_overwritten(
    examples: Path, tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aprecords.attendance import importer

    real = importer.plan_import
    edited = examples / attendance(LARGE)

    def then_someone_saves(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        plan = real(*args, **kwargs)
        with edited.open("a", encoding="utf-8") as out:
            out.write("# a colleague's note\n")
        return plan

    monkeypatch.setattr(importer, "plan_import", then_someone_saves)
    csv = write_csv(tmp_path, SMALL, LARGE)
    result = run_cli("--root", examples, "attendance", "import", csv)
    after = folder_state(examples)
    assert result.code == 1 and "Traceback" not in result.err
    assert f"{attendance(LARGE)} changed while the import ran" in result.err
    assert "run the import again" in result.err
    assert edited.read_text("utf-8").endswith("# a colleague's note\n")  # kept, not overwritten
    monkeypatch.undo()
    result = run_cli("--root", examples, "attendance", "import", csv)  # now it goes through
    assert result.code == 0, result.err
    assert edited.read_text("utf-8") != after[f"{LARGE}.yaml"][0].decode()
    assert "# a colleague's note" in edited.read_text("utf-8")


def test_text_echoed_from_the_csv_shows_control_characters_escaped(
    repo: Path, tmp_path: Path, run_cli
) -> None:
    csv = tmp_path / "odd.csv"
    pupil = "\x1b[2Jx\u202egnp.exe"
    csv.write_text(HEADER + f"{pupil},2025-09-15,,,/,\\,,,/,,,\n", "utf-8")
    result = run_cli("--root", repo, "attendance", "import", csv)
    assert result.code == 1
    assert "unknown pupil '\\x1b[2Jx\\u202egnp.exe'" in result.err
    assert "\x1b" not in result.err and "\u202e" not in result.err


@pytest.mark.parametrize("linked", ["file", "folder"])
def test_an_attendance_link_is_neither_read_nor_written_through(
    examples: Path, tmp_path: Path, run_cli, linked: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = examples / "records/attendance"
    if linked == "file":
        target = outside / f"{SMALL}.yaml"
        (folder / f"{SMALL}.yaml").rename(target)
        (folder / f"{SMALL}.yaml").symlink_to(target)
        where = attendance(SMALL)
    else:
        target = outside / "attendance"
        folder.rename(target)
        folder.symlink_to(target)
        where = "records/attendance"
    before = {f.name: f.read_bytes() for f in sorted(target.parent.rglob("*")) if f.is_file()}
    result = run_cli("--root", examples, "attendance", "import", write_csv(tmp_path, SMALL))
    assert result.code == 1 and "Traceback" not in result.err
    assert f"{where}:1:1: error: {where} is a link (symlink)" in result.err
    after = {f.name: f.read_bytes() for f in sorted(target.parent.rglob("*")) if f.is_file()}
    assert after == before
