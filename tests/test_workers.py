"""Validation on every core, and findings located from the first parse.

Positions come from the parse itself (no second parse): checked here against where the text
puts each token (found by searching the text, not by the loader), for deep pointers, keys and
values, list items, flow style and CRLF line ends. Validation split over processes must print
exactly the bytes one process prints.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from aprecords import workers
from aprecords.load import load_text
from aprecords.repository import LOAD_THRESHOLD
from aprecords.validate import RULES_THRESHOLD
from conftest import PROJECT

sys.path.insert(0, str(PROJECT / "bench"))
import synth  # noqa: E402

TEXT = """\
# a comment line
id: P-1
name: "Quoted: value"
empty:
reviews:
  - date: 2026-01-05
    targets:
      - id: T1
        notes: deep-one
      - {id: T2, notes: flow-two}
    attendance: {sessions: 12, attended: 11}
  - date: 2026-02-09
    targets: []
    plan: |
      block text
      over lines
list_of_lists:
  - - inner-a
    - inner-b
"""


def where(text: str, token: str, nth: int = 0) -> tuple[int, int]:
    """1-based line and column of the ``nth`` occurrence of ``token`` in ``text``."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(token, at + 1)
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


CASES = [
    # pointer, key?, the token the position must be at, which occurrence
    ("/id", False, "P-1", 0),
    ("/id", True, "id: P-1", 0),
    ("/name", False, '"Quoted', 0),
    ("/reviews/0/targets/0/notes", False, "deep-one", 0),
    ("/reviews/0/targets/0/notes", True, "notes: deep-one", 0),
    ("/reviews/0/targets/1/notes", False, "flow-two", 0),
    ("/reviews/0/targets/1/notes", True, "notes: flow-two", 0),
    ("/reviews/0/targets/1", False, "{id: T2", 0),
    ("/reviews/0/attendance/attended", False, "11}", 0),
    ("/reviews/1", False, "date: 2026-02-09", 0),
    ("/reviews/1/date", True, "date: 2026-02-09", 0),
    ("/reviews/1/targets", False, "[]", 0),
    ("/reviews/1/plan", False, "|", 0),
    ("/list_of_lists/0/1", False, "inner-b", 0),
    ("/list_of_lists/0", False, "- inner-a", 0),
    # a list item asked for as a key: there is no key, so the item itself
    ("/reviews/0", True, "date: 2026-01-05", 0),
    # missing: the deepest node that exists (the mapping that lacks it)
    ("/reviews/0/targets/0/missing", False, "id: T1", 0),
    ("/reviews/7/date", False, "- date: 2026-01-05", 0),
    ("/id/deeper", False, "P-1", 0),
]


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
@pytest.mark.parametrize(("ptr", "key", "token", "nth"), CASES)
def test_positions_from_the_parse_are_where_the_text_has_them(
    ptr: str, key: bool, token: str, nth: int, line_end: str
) -> None:
    text = TEXT.replace("\n", line_end)
    doc = load_text(text, "x.yaml")
    assert doc.marks is not None, "the parse kept no positions"
    got = doc.locate(ptr, key=key)
    assert got == where(TEXT, token, nth)  # CRLF changes no line or column
    assert doc._root is None, "locating composed the file again"


def test_empty_value_is_placed_where_libyaml_places_it() -> None:
    doc = load_text(TEXT, "x.yaml")
    node = yaml.compose(TEXT, Loader=yaml.CSafeLoader)
    empty = next(v for k, v in node.value if k.value == "empty")
    assert doc.locate("/empty") == (empty.start_mark.line + 1, empty.start_mark.column + 1)
    assert doc.locate("/empty", key=True) == where(TEXT, "empty:")


def test_positions_no_longer_used_once_the_data_changed_shape() -> None:
    doc = load_text(TEXT, "x.yaml")
    doc.data["reviews"].insert(0, {"date": "2025-12-01"})  # not in the text
    assert doc.locate("/reviews/1/date") == where(TEXT, "2026-02-09")
    assert doc.marks is None and doc._root is not None


def test_values_are_those_the_strict_constructor_makes() -> None:
    text = "a: 012\nb: -0.0\nc: 7\nd: true\ne: yes\nf: null\ng: ~\nh: '5'\ni: 2026-01-10\nj: 1e5\n"
    data = load_text(text, "x.yaml").data
    assert data == {
        "a": "012",
        "b": -0.0,
        "c": 7,
        "d": True,
        "e": "yes",
        "f": None,
        "g": None,
        "h": "5",
        "i": "2026-01-10",
        "j": "1e5",
    }
    assert str(data["b"]) == "-0.0" and type(data["c"]) is int and type(data["d"]) is bool


# --- worker processes ---------------------------------------------------------------------------


def test_small_repositories_stay_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(workers.WORKERS_ENV, raising=False)
    assert workers.worker_count(LOAD_THRESHOLD - 1, LOAD_THRESHOLD) == 1
    assert workers.worker_count(RULES_THRESHOLD - 1, RULES_THRESHOLD) == 1
    assert workers.worker_count(LOAD_THRESHOLD, LOAD_THRESHOLD) == min(workers.cpu_count(), 8)
    monkeypatch.setenv(workers.WORKERS_ENV, "3")
    assert workers.worker_count(5, LOAD_THRESHOLD) == 3
    monkeypatch.setenv(workers.WORKERS_ENV, "many")
    with pytest.raises(workers.WorkerError, match="not a whole number"):
        workers.worker_count(5, LOAD_THRESHOLD)


def test_split_keeps_order_and_balance() -> None:
    parts = workers.split(list(range(10)), 3)
    assert [list(p) for p in parts] == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]


def _pid_square(n: int) -> tuple[int, int]:
    return os.getpid(), n * n


def test_shares_run_in_other_processes_and_come_back_in_order() -> None:
    results = workers.run_shares(_pid_square, [1, 2, 3, 4])
    assert [r[1] for r in results] == [1, 4, 9, 16]
    assert results[0][0] == os.getpid()
    assert len({r[0] for r in results}) == 4


def _fail_in_child(n: int) -> int:
    if n == 2:
        raise ValueError("share two is broken")
    return n


def _die_in_child(n: int) -> int:
    if n == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    return n


def test_a_child_error_comes_back_as_the_error_without_a_traceback(
    capfd: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(ValueError, match="share two is broken"):
        workers.run_shares(_fail_in_child, [1, 2, 3])
    with pytest.raises(workers.WorkerError, match="stopped by signal 9"):
        workers.run_shares(_die_in_child, [1, 2, 3])
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err


@pytest.fixture(scope="module")
def big_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic repository above both thresholds."""
    root = tmp_path_factory.mktemp("big") / "repo"
    synth.generate(root, 150, seed=3)
    files = sum(1 for _ in (root / "records").rglob("*.yaml"))
    assert files >= LOAD_THRESHOLD and files >= RULES_THRESHOLD
    return root


@pytest.fixture(scope="module")
def slow_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Big enough for its validation to be stopped while workers run."""
    root = tmp_path_factory.mktemp("slow") / "repo"
    synth.generate(root, 1500, seed=4)
    return root


def _validate(root: Path, count: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT / "scripts"), workers.WORKERS_ENV: count}
    return subprocess.run(
        [sys.executable, "-m", "aprecords", "--root", str(root), "validate", *args],
        capture_output=True,
        env=env,
        timeout=600,
    )


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_output_is_byte_identical_with_one_and_several_workers(big_repo: Path, fmt: str) -> None:
    # As of a late date most placements have findings (overdue reviews, missing returns).
    args = ("--format", fmt, "--today", "2026-09-01")
    one, three = _validate(big_repo, "1", *args), _validate(big_repo, "3", *args)
    assert one.returncode == three.returncode
    assert one.stdout.count(b"overdue") > 30
    assert one.stdout == three.stdout
    assert one.stderr == three.stderr


def test_cross_record_rules_see_every_record_with_several_workers(big_repo: Path) -> None:
    """A duplicate id in two files far apart (different shares) is still found, in both."""
    placements = sorted((big_repo / "records" / "placements").rglob("*.yaml"))
    first, last = placements[0], placements[-1]
    first_id = yaml.safe_load(first.read_text("utf-8"))["id"]
    original = last.read_text("utf-8")
    last_id = yaml.safe_load(original)["id"]
    try:
        last.write_text(original.replace(f"id: {last_id}", f"id: {first_id}", 1), "utf-8")
        one = _validate(big_repo, "1", "--today", "2026-01-10")
        two = _validate(big_repo, "2", "--today", "2026-01-10")
    finally:
        last.write_text(original, "utf-8")
    assert one.stdout == two.stdout
    assert one.returncode == two.returncode == 1
    assert first.relative_to(big_repo).as_posix().encode() in two.stdout
    assert last.relative_to(big_repo).as_posix().encode() in two.stdout


@pytest.mark.parametrize(
    ("how", "code"), [("SIGTERM", 128 + signal.SIGTERM), ("Ctrl-C", 130)], ids=["term", "int"]
)
def test_a_stop_ends_every_worker_quietly(slow_repo: Path, how: str, code: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT / "scripts"), workers.WORKERS_ENV: "3"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "aprecords", "--root", str(slow_repo), "validate"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,  # its own process group, as a terminal gives a command
        # and Ctrl-C not ignored, as in a terminal: a suite started in the background by a
        # shell without job control inherits SIGINT ignored, and so would the command.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    children: set[int] = set()
    deadline = time.monotonic() + 60
    while not children and time.monotonic() < deadline:
        children = _children(proc.pid)
        time.sleep(0.02)
    assert children, "no worker process was started"
    if how == "SIGTERM":
        proc.send_signal(signal.SIGTERM)
    else:  # Ctrl-C in a terminal signals the whole process group
        os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == code
    assert b"Traceback" not in err
    time.sleep(0.2)
    assert not [pid for pid in children if _alive(pid)], "a worker outlived the command"


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
