"""Work split over processes: one share in this process, the others in forked children.

libyaml and the rules hold the GIL, so threads would not help. Children are forked (they see
everything loaded so far without copying it), send back one pickled result each through a
pipe, and exit; results come back in share order, so merging them is deterministic. A child
never prints: its error comes back as a message. Ctrl-C and SIGTERM stop every child.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

WORKERS_ENV = "APRECORDS_WORKERS"
"""Set to a number to force the worker count (1: one process), whatever the size."""


class WorkerError(Exception):
    """A child process failed or stopped: its message, never its traceback."""


def cpu_count() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(items: int, threshold: int, most: int = 8) -> int:
    """Processes to use for ``items`` pieces of work: one below ``threshold``, else one per
    core (at most ``most``); the environment variable APRECORDS_WORKERS overrides both."""
    forced = os.environ.get(WORKERS_ENV, "").strip()
    if forced:
        try:
            wanted = int(forced)
        except ValueError:
            raise WorkerError(f"{WORKERS_ENV}={forced!r} is not a whole number") from None
        return max(1, wanted) if hasattr(os, "fork") else 1
    if items < threshold or not hasattr(os, "fork"):
        return 1
    return max(1, min(cpu_count(), most))


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: loading makes millions of objects that all stay
    (records' data, no cycles), and each collection would walk them all again (measured: a
    third of the loading time, four fifths of unpickling the workers' records)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def split(items: Sequence[T], parts: int) -> list[Sequence[T]]:
    """``items`` cut into ``parts`` runs of consecutive items, in order, sizes within one."""
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (i < extra)
        out.append(items[start:end])
        start = end
    return out


def run_shares(work: Callable[[T], R], shares: Sequence[T]) -> list[R]:
    """``[work(s) for s in shares]``: the first here, each other in a forked child at once."""
    if len(shares) <= 1 or threading.current_thread() is not threading.main_thread():
        return [work(s) for s in shares]
    children: list[tuple[int, int]] = []
    previous = signal.signal(signal.SIGTERM, _terminated)
    gc.freeze()  # children do not copy pages of the objects they inherit just to scan them
    try:
        for share in shares[1:]:
            children.append(_fork(work, share))
        results = [work(shares[0])]
        while children:
            pid, fd = children.pop(0)
            results.append(_collect(pid, fd))
        return results
    finally:
        for pid, fd in children:  # stopped early (an error, Ctrl-C, SIGTERM): stop the rest
            _stop(pid, fd)
        gc.unfreeze()
        signal.signal(signal.SIGTERM, previous)


def _terminated(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


STOPS = frozenset({signal.SIGINT, signal.SIGTERM})


def _fork(work: Callable[[T], R], share: T) -> tuple[int, int]:
    read, write = os.pipe()
    # SIGINT and SIGTERM stay blocked across the fork until the child has its own handlers:
    # a SIGTERM the parent sends at once (its own share failed) would otherwise reach the
    # parent's Python handler, which CPython drops once the child has put the default back
    # ("ignored due to race condition"), and the parent would wait for that child forever.
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOPS)
    try:
        pid = os.fork()
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        raise
    if pid:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(write)
        return pid, read
    # The child: no handlers of the parent's, no output, no return into the caller's code.
    status = 1
    try:
        os.close(read)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us on Ctrl-C
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a SIGTERM already sent ends us here
        try:
            payload = pickle.dumps((True, work(share)), pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - sent to the parent, which raises it
            payload = pickle.dumps((False, _describe(exc)), pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write, "wb") as out:
            out.write(payload)
        status = 0
    except BaseException:  # noqa: BLE001 - a child must never print a traceback
        pass
    finally:
        os._exit(status)


def _describe(exc: Exception) -> tuple[str, str, bytes | None]:
    """An exception as (type name, message, the pickled exception if it survives a round trip)."""
    try:
        data = pickle.dumps(exc)
        pickle.loads(data)
    except Exception:  # noqa: BLE001 - not every exception pickles; its message will do
        data = None
    return type(exc).__name__, str(exc), data


def _collect(pid: int, fd: int) -> Any:
    with os.fdopen(fd, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    try:
        ok, value = pickle.loads(data)
    except Exception:  # noqa: BLE001 - nothing or half a result: the child was stopped
        how = (
            f"was stopped by signal {os.WTERMSIG(status)}"
            if os.WIFSIGNALED(status)
            else f"ended with exit status {os.waitstatus_to_exitcode(status)}"
        )
        raise WorkerError(
            f"a worker process {how} before it finished; run again, or set "
            f"{WORKERS_ENV}=1 to use one process"
        ) from None
    if ok:
        return value
    name, message, pickled = value
    if pickled is not None:
        raise pickle.loads(pickled)
    raise WorkerError(f"a worker process failed: {name}: {message}")


def _stop(pid: int, fd: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    os.close(fd)
