"""A stand-in for ``systemctl start`` where systemd is not running (containers, CI).

It starts a service unit as systemd would in the respects the deploy depends on: the units
it ``Requires=`` first (a failed one fails it), then its ``ExecStart`` with the variables of
its ``EnvironmentFile`` and ``Environment``, as its ``User=`` (``runuser``; root when none),
with its ``UMask`` and ``WorkingDirectory``; output goes to a journal file per unit. SIGTERM
stops every process the unit started, as ``KillMode=control-group`` does (here: every
descendant, ``runuser`` starting its command in a session of its own). The sandbox settings
are not applied (``systemd-analyze security`` rates them: test_deploy.py).
Paths of a real server are moved into a scratch folder by ``--map REAL=SCRATCH``, and its
users replaced by existing ones with ``--user REAL=OTHER``; ``--env KEY=VALUE`` is given to
every unit started.

    python tests/systemd_standin.py --units DIR --journal DIR [--map A=B]... [--user A=B]...
        [--env K=V]... start NAME
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass
class Unit:
    """The settings of a unit file that the stand-in applies."""

    name: str
    values: dict[str, list[str]] = field(default_factory=dict)

    def get(self, key: str, default: str = "") -> str:
        found = self.values.get(key)
        return found[-1] if found else default

    def all(self, key: str) -> list[str]:
        return [w for v in self.values.get(key, []) for w in v.split()]


def read_unit(file: Path) -> Unit:
    unit = Unit(file.name)
    for raw in file.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";", "[")) or "=" not in line:
            continue
        key, value = line.split("=", 1)
        unit.values.setdefault(key.strip(), []).append(value.strip())
    return unit


def moved(text: str, mapping: list[tuple[str, str]]) -> str:
    for real, scratch in mapping:
        text = text.replace(real, scratch)
    return text


def environment_file(file: Path) -> dict[str, str]:
    found = {}
    for raw in file.read_text().splitlines():
        line = raw.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            found[key.strip()] = " ".join(shlex.split(value)) if value.strip() else ""
    return found


def start(
    units: Path,
    name: str,
    journal: Path,
    mapping: list[tuple[str, str]],
    extra_env: dict[str, str] | None = None,
    users: dict[str, str] | None = None,
) -> int:
    """Start ``name`` (and what it requires) as systemd would; its exit code."""
    unit = read_unit(units / name)
    for required in unit.all("Requires"):
        code = start(units, required, journal, mapping, extra_env, users)
        if code != 0:
            (journal / f"{name}.log").write_text(f"dependency failed: {required}\n")
            return 1
    env = {"PATH": PATH, "LANG": "C.UTF-8"}
    for file in unit.values.get("EnvironmentFile", []):
        optional = file.startswith("-")
        path = Path(moved(file.lstrip("-"), mapping))
        if path.is_file():
            env.update(environment_file(path))
        elif not optional:
            raise FileNotFoundError(path)
    for assignment in unit.values.get("Environment", []):
        for word in shlex.split(assignment):
            key, _, value = word.partition("=")
            env[key] = value
    env.update(extra_env or {})
    user = unit.get("User")
    user = (users or {}).get(user, user)
    command = shlex.split(moved(unit.get("ExecStart"), mapping))
    if user:
        env["HOME"] = pwd.getpwnam(user).pw_dir
        env["USER"] = env["LOGNAME"] = user
        command = ["runuser", "-u", user, "--", *command]
    else:
        env["HOME"] = "/root"
    umask = int(unit.get("UMask", "0022"), 8)
    with (journal / f"{name}.log").open("w") as log:
        proc = subprocess.Popen(
            command,
            env=env,
            cwd=moved(unit.get("WorkingDirectory", "/"), mapping),
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=lambda: os.umask(umask),
        )
        code = proc.wait(timeout=3600)
        # As systemd, a unit is over only when every process it started has ended (they are
        # ours to wait for: the stand-in is their subreaper).
        deadline = time.monotonic() + 120
        while REAPER and descendants(os.getpid()) and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                while os.waitpid(-1, os.WNOHANG)[0]:
                    pass
            time.sleep(0.05)
        return code


REAPER = False
"""True in the command (``main``): every process the units start is ours to wait for."""


def subreaper() -> None:
    """Become the parent of every orphaned descendant (prctl PR_SET_CHILD_SUBREAPER), so
    that the units' processes stay in view as in a control group."""
    import ctypes

    global REAPER
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)
    REAPER = True


def descendants(pid: int) -> list[int]:
    """Every living process started by ``pid``, and by those, from /proc."""
    parents: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents.setdefault(int(fields[1]), []).append(int(status.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def stop(signum: int, frame: object) -> None:
    """SIGTERM to every process of the running units, as systemd's control group stop."""
    import signal

    for each in descendants(os.getpid()):
        with contextlib.suppress(ProcessLookupError):
            os.kill(each, signal.SIGTERM)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=Path, required=True)
    parser.add_argument("--journal", type=Path, required=True)
    parser.add_argument("--map", action="append", default=[])
    parser.add_argument("--user", action="append", default=[])
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for every unit")
    parser.add_argument("verb")
    parser.add_argument("name")
    args = parser.parse_args(argv)
    mapping = [tuple(m.split("=", 1)) for m in args.map]
    if args.verb != "start":
        return 0
    import signal

    subreaper()
    signal.signal(signal.SIGTERM, stop)
    users = dict(u.split("=", 1) for u in args.user)
    extra = dict(e.split("=", 1) for e in args.env)
    code = start(args.units, args.name, args.journal, mapping, extra, users)  # type: ignore[arg-type]
    for log in sorted(args.journal.glob("*.log")):
        sys.stdout.write(f"--- {log.name}\n{log.read_text()}")
    return code


if __name__ == "__main__":
    sys.exit(main())
