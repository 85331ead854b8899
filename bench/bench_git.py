"""Benchmark: the git side of aprecords against baselines measured in the same run.

    python bench/bench_git.py [--records 2000] [--commits 20] [--sample 40] [--seed 1]

On one synthetic repository (``bench/synth.py``) committed in ``--commits`` commits, each
changing a slice of the records, it measures:

1. ``gitlog.file_history`` (one ``git log`` for every file) against the bare ``git log
   --name-only`` process it runs (the floor), and against one ``git log`` per file, timed on
   ``--sample`` files and scaled to all of them (what a naive site build would do);
2. ``validate --base HEAD~1`` (history rules) against ``validate`` alone, in-process.

Nothing here is a pass/fail timing test: it prints times and ratios.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth  # noqa: E402
from aprecords.gitlog import file_history  # noqa: E402
from aprecords.repository import load_repository  # noqa: E402
from aprecords.validate import validate  # noqa: E402
from aprecords.validate.history import check_history  # noqa: E402

ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
AUTHOR = ["-c", "user.name=Bench", "-c", "user.email=bench@example.org"]


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *AUTHOR, *args], cwd=root, env=ENV, check=True, capture_output=True)


def timed(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def make_history(root: Path, records: int, commits: int, seed: int) -> list[Path]:
    synth.generate(root, records, seed=seed)
    files = sorted((root / "records" / "placements").rglob("*.yaml"))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Initial records")
    for n in range(1, commits):
        for file in files[n::commits]:
            with file.open("a", encoding="utf-8") as out:
                out.write(f"# touched in commit {n}\n")
        git(root, "commit", "-q", "-am", f"Change {n}")
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--commits", type=int, default=20)
    parser.add_argument("--sample", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-git-") as tmp:
        root = Path(tmp) / "repo"
        files = make_history(root, args.records, args.commits, args.seed)
        rel = [f.relative_to(root).as_posix() for f in files]
        print(f"{len(files)} placement records, {args.commits} commits")

        log = ["git", "log", "--format=%H%x1f%as%x1f%an%x1f%s"]
        sample = rel[: args.sample]

        def bare_log() -> None:
            subprocess.run([*log, "-z", "--no-renames", "--name-only"], cwd=root,
                           capture_output=True, check=True)  # fmt: skip

        def log_per_file() -> None:
            for name in sample:
                subprocess.run([*log, "--", name], cwd=root, capture_output=True, check=True)

        floor = timed(bare_log, args.repeat)
        ours = timed(lambda: file_history(root), args.repeat)
        per_file = timed(log_per_file, 1) * len(rel) / len(sample)
        print(f"git log --name-only alone (floor):  {floor:8.3f} s")
        print(f"gitlog.file_history:                {ours:8.3f} s  ({ours / floor:.2f}x the floor)")
        print(f"one git log per file (scaled):      {per_file:8.3f} s  "
              f"({per_file / ours:.1f}x slower than file_history)")  # fmt: skip

        repo = load_repository(root)
        plain = timed(lambda: validate(load_repository(root), synth.TODAY), args.repeat)
        history = timed(lambda: check_history(repo, "HEAD~1", None, synth.TODAY), args.repeat)
        print(f"validate (in-process):              {plain:8.3f} s")
        print(f"history rules against HEAD~1:       {history:8.3f} s  "
              f"({history / plain:.2f}x validate)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
