"""workers.py beyond test_workers.py: what its surviving mutants showed untested
(bench/mutation.py workers.py)."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from aprecords import workers


def test_one_per_core_up_to_eight(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(workers.WORKERS_ENV, raising=False)
    monkeypatch.setattr(workers, "cpu_count", lambda: 64)
    assert workers.worker_count(100, 10) == 8
    monkeypatch.setattr(workers, "cpu_count", lambda: 1)
    assert workers.worker_count(100, 10) == 1


@pytest.mark.parametrize(("forced", "count"), [("0", 1), ("-3", 1), (" 5 ", 5)])
def test_a_forced_count_is_at_least_one(
    monkeypatch: pytest.MonkeyPatch, forced: str, count: int
) -> None:
    monkeypatch.setenv(workers.WORKERS_ENV, forced)
    assert workers.worker_count(1, 10) == count


def test_without_fork_everything_runs_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "fork")
    monkeypatch.setenv(workers.WORKERS_ENV, "4")
    assert workers.worker_count(100, 10) == 1
    monkeypatch.delenv(workers.WORKERS_ENV)
    assert workers.worker_count(100, 10) == 1


@pytest.mark.parametrize(("reported", "count"), [(None, 1), (6, 6)])
def test_the_core_count_without_affinity(
    monkeypatch: pytest.MonkeyPatch, reported: int | None, count: int
) -> None:
    monkeypatch.delattr(os, "sched_getaffinity")
    monkeypatch.setattr(os, "cpu_count", lambda: reported)
    assert workers.cpu_count() == count


def _pid_and_handler(n: int) -> tuple[int, int, Any]:
    return os.getpid(), n * 2, signal.getsignal(signal.SIGTERM)


def test_one_share_runs_here_and_changes_no_handler() -> None:
    [(pid, value, handler)] = workers.run_shares(_pid_and_handler, [5])
    assert (pid, value) == (os.getpid(), 10)
    assert handler is not workers._terminated


def test_two_shares_use_two_processes() -> None:
    results = workers.run_shares(_pid_and_handler, [1, 2])
    assert [r[1] for r in results] == [2, 4]
    assert results[0][0] == os.getpid() != results[1][0]


def test_outside_the_main_thread_every_share_runs_in_that_thread() -> None:
    got: list[Any] = []
    thread = threading.Thread(
        target=lambda: got.extend(workers.run_shares(_pid_and_handler, [1, 2, 3]))
    )
    thread.start()
    thread.join()
    assert [(pid, value) for pid, value, _ in got] == [(os.getpid(), n * 2) for n in (1, 2, 3)]


def test_children_end_with_status_0_after_sending_their_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    statuses: list[int] = []
    real = os.waitpid

    def spy(pid: int, options: int) -> tuple[int, int]:
        done = real(pid, options)
        statuses.append(os.waitstatus_to_exitcode(done[1]))
        return done

    monkeypatch.setattr(os, "waitpid", spy)
    assert [r[1] for r in workers.run_shares(_pid_and_handler, [1, 2, 3])] == [2, 4, 6]
    assert statuses == [0, 0]


def _exit_in_child(n: int) -> int:
    if n == 2:
        os._exit(3)
    return n


def _leave_in_child(n: int) -> int:
    if n == 2:
        raise SystemExit(5)  # not an Exception: nothing is sent back
    return n


def test_a_child_that_sends_nothing_is_named_by_its_exit_status() -> None:
    here = os.getpid()
    with pytest.raises(workers.WorkerError, match=r"ended with exit status 3 before it finished"):
        workers.run_shares(_exit_in_child, [1, 2])
    with pytest.raises(workers.WorkerError, match=r"ended with exit status 1 before it finished"):
        try:
            workers.run_shares(_leave_in_child, [1, 2])
        except BaseException:
            if os.getpid() != here:  # a child came back into the caller's code: never
                os._exit(7)
            raise


def test_a_failed_fork_leaves_the_signal_mask_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise OSError("no more processes")

    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    monkeypatch.setattr(os, "fork", no_fork)
    with pytest.raises(OSError, match="no more processes"):
        workers.run_shares(_pid_and_handler, [1, 2])
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before
    assert signal.SIGTERM not in before


class Unpicklable(Exception):
    def __init__(self, a: str, b: str) -> None:
        super().__init__(f"{a} and {b}")


def _odd_error_in_child(n: int) -> int:
    if n == 2:
        raise Unpicklable("this", "that")
    return n


def test_an_error_that_does_not_pickle_comes_back_by_name_and_message() -> None:
    with pytest.raises(workers.WorkerError) as caught:
        workers.run_shares(_odd_error_in_child, [1, 2])
    assert str(caught.value) == "a worker process failed: Unpicklable: this and that"


def test_describe_keeps_an_exception_that_pickles_and_names_one_that_does_not() -> None:
    name, message, data = workers._describe(ValueError("bad share"))
    assert (name, message) == ("ValueError", "bad share")
    assert data is not None and str(pickle.loads(data)) == "bad share"
    assert workers._describe(Unpicklable("x", "y")) == ("Unpicklable", "x and y", None)


def test_sigterm_becomes_exit_code_128_plus_the_signal() -> None:
    with pytest.raises(SystemExit) as caught:
        workers._terminated(signal.SIGTERM, None)
    assert caught.value.code == 143


def test_an_error_here_stops_and_reaps_every_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first share fails in this process while the children wait: each child is ended
    and waited for (no zombie is left), before the error comes out."""
    here = os.getpid()
    hold, never = os.pipe()  # nobody writes: a child reading it waits until it is stopped
    forked: list[int] = []
    real = os.fork

    def spy() -> int:
        pid = real()
        if pid:
            forked.append(pid)
        return pid

    def work(n: int) -> int:
        if os.getpid() != here:
            os.close(never)  # so a child never stopped still ends once the test closes it
            os.read(hold, 1)
        raise ValueError("share one is broken")

    monkeypatch.setattr(os, "fork", spy)
    try:
        with pytest.raises(ValueError, match="share one is broken"):
            workers.run_shares(work, [1, 2, 3])
    finally:
        os.close(hold)
        os.close(never)
    assert len(forked) == 2
    for pid in forked:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


RACE = """
import os, signal, sys, time
from aprecords import workers

def hold_until_stopped():
    # In each child, before _fork's own code runs: wait (up to 20 s) for the parent's
    # SIGTERM, so that it always arrives before the child has put back its handlers.
    end = time.monotonic() + 20
    while signal.SIGTERM not in signal.sigpending() and time.monotonic() < end:
        pass

os.register_at_fork(after_in_child=hold_until_stopped)
here = os.getpid()
hold, never = os.pipe()  # nobody writes: a child reading it waits until it is stopped

def work(n):
    if os.getpid() != here:
        os.close(never)  # a child never stopped ends when this process does
        os.read(hold, 1)
    raise ValueError("share one is broken")

try:
    workers.run_shares(work, [1, 2, 3])
except ValueError:
    sys.exit(0)
"""


def test_a_child_stopped_before_it_has_its_own_handlers_still_ends() -> None:
    """The parent's share fails at once and it stops the children just forked; a SIGTERM
    reaching a child before the child has set its handlers ends it all the same (it once
    was dropped, and the parent waited for that child forever)."""
    env = {**os.environ, "PYTHONPATH": str(Path(workers.__file__).parents[1])}
    proc = subprocess.Popen(
        [sys.executable, "-c", RACE], env=env, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the parent and the children it waits for
        proc.communicate()
        pytest.fail("the parent still waited for a child it had stopped after 60 s")
    assert proc.returncode == 0, err.decode()
