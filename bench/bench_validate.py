"""Benchmark: ``aprecords validate`` against merely parsing the same files, and check-jsonschema.

    python bench/bench_validate.py [--records 10000] [--repeat 3] [--seed 1]
        [--late 2026-11-01] [--cjs-files 1000] [--profile]

In one run, on one synthetic repository (``bench/synth.py``), it measures:

1. the baseline: read and parse every record file with ``yaml.CSafeLoader`` in one process;
2. ``aprecords validate`` in-process (``load_repository`` + ``validate``), with a breakdown
   into loading, schema checks and rules; and the whole command line as a subprocess
   (``aprecords --root DIR validate --format json``), interpreter start-up included, four
   ways: as of the date the records are valid (no findings) and as of ``--late`` (most
   placements overdue for a review or an attendance return: findings in about half the
   files, every placement with an action), each on every core (the command's own choice)
   and forced to one process (``APRECORDS_WORKERS=1``); the targets compare the whole
   command's wall-clock time with the one-process parse (<= 1.0x clean, <= 1.5x late);
3. ``check-jsonschema`` on the placement files, when it is installed, two ways: as a user
   would run it (``--base-uri`` points the schema's relative ``$ref`` at the local
   ``schema/`` folder), and with the schemas bundled into one self-contained file (its best
   case). It is ~50x slower per file, so by default it runs on 1,000 placements spread
   evenly (``--cjs-files``) and on 1 file, and its time for all N is estimated from those.

Each is repeated and the median kept. It also checks that line numbers stay exact: errors
injected at known lines of a copy must be reported at exactly those lines and columns.
Nothing here is a pass/fail timing test: it prints times and ratios.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth  # noqa: E402
from aprecords.repository import load_repository  # noqa: E402
from aprecords.validate import check_schemas, run_rules, validate  # noqa: E402
from aprecords.workers import WORKERS_ENV, cpu_count  # noqa: E402

TODAY = synth.TODAY
TARGET = 1.5
"""validate in-process (one process), CPU, against parse."""
TARGET_CLEAN, TARGET_LATE = 1.0, 1.5
"""The whole command (all cores), wall clock, against the one-process parse: no findings, and
as of the late date, when most files have one."""
LATE = date(2026, 11, 1)
"""A date by which most synthetic placements are overdue for a review or an attendance return."""


def record_files(root: Path) -> list[Path]:
    """Every record file, as ``aprecords validate`` finds them."""
    return sorted((root / "records").rglob("*.yaml"))


def parse_all(files: list[Path]) -> int:
    """The baseline: read and parse each file with libyaml, nothing else."""
    for file in files:
        yaml.load(file.read_text("utf-8"), Loader=yaml.CSafeLoader)
    return len(files)


def validate_in_process(root: Path, today: date = TODAY) -> int:
    """What ``aprecords validate`` does, without the process start and the report."""
    findings = validate(load_repository(root), today)
    if findings:
        raise SystemExit(f"the synthetic repository is not clean: {findings[:3]}")
    return len(findings)


def validate_cli(root: Path, today: date = TODAY, workers: int | None = None) -> int:
    """The full command line in a fresh interpreter, JSON report included; returns how many
    files have a finding. ``workers`` forces the process count (None: the command decides).
    As of ``TODAY`` the synthetic repository must be clean."""
    env = dict(os.environ)
    env.pop(WORKERS_ENV, None)
    if workers is not None:
        env[WORKERS_ENV] = str(workers)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "aprecords",
            "--root",
            str(root),
            "validate",
            "--format",
            "json",
            "--today",
            today.isoformat(),
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        raise SystemExit(f"aprecords validate failed: {proc.stderr[-2000:]}") from None
    if today == TODAY and (proc.returncode != 0 or report["findings"]):
        raise SystemExit(f"aprecords validate failed on the synthetic repository: {proc.stderr}")
    return len({f["path"] for f in report["findings"]})


def bundle_placement_schema(schema_dir: Path) -> dict[str, Any]:
    """The placement schema with every ``$ref`` it needs copied into its own ``$defs``: one
    self-contained file, check-jsonschema's best case (no cross-file lookups)."""
    docs = {p.name: json.loads(p.read_text("utf-8")) for p in schema_dir.glob("*.schema.json")}

    def local(name: str, ref: str) -> str:
        file, _, fragment = ref.partition("#")
        owner = file or name
        if owner == "placement.schema.json":
            return "#" + fragment
        return "#/$defs/" + owner.removesuffix(".schema.json") + "--" + fragment.split("/")[-1]

    def rewrite(node: Any, name: str) -> Any:
        if isinstance(node, dict):
            return {k: local(name, v) if k == "$ref" else rewrite(v, name) for k, v in node.items()}
        if isinstance(node, list):
            return [rewrite(v, name) for v in node]
        return node

    bundled = rewrite(docs["placement.schema.json"], "placement.schema.json")
    bundled.pop("$id", None)
    defs = bundled.setdefault("$defs", {})
    for name, doc in docs.items():
        if name != "placement.schema.json":
            for key, value in doc.get("$defs", {}).items():
                defs[name.removesuffix(".schema.json") + "--" + key] = rewrite(value, name)
    return bundled


def placement_sample(root: Path, count: int) -> list[str]:
    """``count`` placement files spread evenly over all of them (paths relative to root)."""
    files = sorted((root / "records" / "placements").rglob("*.yaml"))
    step = max(1, len(files) // max(1, count))
    return [p.relative_to(root).as_posix() for p in files[::step][:count]]


def check_jsonschema_variants(root: Path, work: Path, files: list[str]) -> dict[str, list[str]]:
    """Two ways to run check-jsonschema on ``files``: as a user would, with ``--base-uri``
    so the relative ``$ref`` to common.schema.json resolve to the local schema/ folder; and
    with one bundled, self-contained schema file (its fastest case). Empty if not installed."""
    exe = shutil.which("check-jsonschema")
    if exe is None:
        return {}
    schema = root / "schema" / "placement.schema.json"
    bundled = work / "placement.bundled.schema.json"
    bundled.write_text(json.dumps(bundle_placement_schema(root / "schema")), "utf-8")
    return {
        "--base-uri (schema/ as is)": [
            exe,
            "--schemafile",
            str(schema),
            "--base-uri",
            schema.as_uri(),
            *files,
        ],
        "bundled one-file schema": [exe, "--schemafile", str(bundled), *files],
    }


def run_check_jsonschema(root: Path, command: list[str]) -> None:
    """Run check-jsonschema; it must accept the valid synthetic placements."""
    proc = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(
            f"check-jsonschema rejected the synthetic placements:\n"
            f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
        )


def scaled(one: float, many: float, count: int, target: int) -> float:
    """Estimated seconds for ``target`` files from runs on 1 and on ``count`` files."""
    if count >= target or count < 2:
        return many
    per_file = (many - one) / (count - 1)
    return one - per_file + per_file * target


@dataclass
class Timing:
    """Wall-clock and CPU seconds of each run (CPU includes child processes)."""

    wall: list[float]
    cpu: list[float]

    @property
    def median_wall(self) -> float:
        """Median wall-clock seconds."""
        return statistics.median(self.wall)

    @property
    def median_cpu(self) -> float:
        """Median CPU seconds: steadier than wall time on a machine shared with others."""
        return statistics.median(self.cpu)


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def measure(actions: dict[str, Callable[[], object]], repeat: int) -> dict[str, Timing]:
    """Run every action ``repeat`` times, interleaved (A B C A B C ...) so that a burst of
    load from elsewhere hits all of them alike rather than one."""
    timed = {name: Timing([], []) for name in actions}
    for _ in range(repeat):
        for name, action in actions.items():
            wall, cpu = time.perf_counter(), _cpu()
            action()
            timed[name].wall.append(time.perf_counter() - wall)
            timed[name].cpu.append(_cpu() - cpu)
    return timed


# --- exact line numbers -------------------------------------------------------------------------


@dataclass(frozen=True)
class Injected:
    """An error written at a known line: the line to replace, its new text, the rule that must
    report it, and the text (key or value) whose first character the finding must point at."""

    old: str
    new: str
    rule: str
    at: str


def _inject(file: Path, change: Injected) -> tuple[int, int]:
    """Replace the first line starting (after indent) with ``old``; return the expected
    1-based line and column of ``change.at`` in the new line."""
    lines = file.read_text("utf-8").splitlines(keepends=True)
    for number, line in enumerate(lines, start=1):
        if line.lstrip(" ").startswith(change.old):
            indent = line[: len(line) - len(line.lstrip(" "))]
            lines[number - 1] = indent + change.new + "\n"
            file.write_text("".join(lines), "utf-8")
            return number, len(indent) + change.new.index(change.at) + 1
    raise SystemExit(f"{file}: no line starts with {change.old!r}")


def check_line_numbers(root: Path, work: Path) -> list[str]:
    """Inject errors into a copy; exactly those must be found, at exactly their line and
    column (schema errors at a value and at a key, and two rule errors at values)."""
    copy = work / "copy"
    shutil.copytree(root, copy)
    placements = sorted((copy / "records" / "placements").rglob("*.yaml"))
    with_upn = [p for p in placements if "  upn: " in p.read_text("utf-8")]
    with_review = [p for p in placements if "\nreviews:\n" in p.read_text("utf-8")]
    plans = [
        (
            placements[len(placements) // 2],
            Injected("hours_per_week:", "hours_per_week: lots", "schema-type", "lots"),
        ),
        (
            placements[-1],
            Injected("reason:", "reasn: other", "schema-additionalProperties", "reasn"),
        ),
        (
            with_upn[len(with_upn) // 3],
            Injected("upn:", "upn: A888100125014", "upn-check-letter", "A888"),
        ),
        (
            with_review[len(with_review) // 4],
            Injected("- target: T1", "- target: T99", "target-ids", "T99"),
        ),
    ]
    expected = set()
    for file, change in plans:
        line, column = _inject(file, change)
        expected.add((file.relative_to(copy).as_posix(), line, column, change.rule))
    found = {(f.path, f.line, f.column, f.rule) for f in validate(load_repository(copy), TODAY)}
    if found != expected:
        raise SystemExit(
            f"line numbers are NOT exact: expected {sorted(expected)}, found {sorted(found)}"
        )
    shutil.rmtree(copy)
    return [f"{path}:{line}:{col} [{rule}]" for path, line, col, rule in sorted(expected)]


# --- the report ---------------------------------------------------------------------------------


def profile(root: Path, top: int = 25) -> str:
    """cProfile of one in-process validation, sorted by cumulative time."""
    profiler = cProfile.Profile()
    profiler.runcall(validate_in_process, root)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def breakdown(root: Path) -> dict[str, float]:
    """CPU seconds spent loading, in schema checks and in rules (one run)."""
    started = time.process_time()
    repo = load_repository(root)
    loaded = time.process_time()
    check_schemas(repo)
    schemas = time.process_time()
    run_rules(repo, TODAY)
    done = time.process_time()
    return {
        "load (strict loader)": loaded - started,
        "schema checks": schemas - loaded,
        "rules": done - schemas,
    }


def main(argv: list[str] | None = None) -> int:
    """Generate, measure, print the table; exit 1 if line numbers are not exact."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--records",
        type=int,
        default=10000,
        metavar="N",
        help="placements in the synthetic repository (default 10000)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--late",
        type=date.fromisoformat,
        default=LATE,
        metavar="DATE",
        help=f"the date findings are judged as of in the 'late' runs (default {LATE})",
    )
    parser.add_argument(
        "--profile", action="store_true", help="also print a cProfile of one in-process validation"
    )
    parser.add_argument(
        "--cjs-files",
        type=int,
        default=1000,
        metavar="K",
        help="placement files given to check-jsonschema (default 1000; 0 leaves it out); its "
        "time is scaled up to all placements, as it is roughly 50 times slower per file",
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="aprecords-bench-") as tmp:
        work = Path(tmp)
        made = synth.generate(work / "repo", args.records, seed=args.seed)
        root = made.out
        files = record_files(root)
        size = sum(f.stat().st_size for f in files)
        print(
            f"synthetic repository: {args.records:,} placements, {len(files):,} record files, "
            f"{size / 1e6:.1f} MB (generated in {made.seconds:.1f} s); "
            f"median of {args.repeat} runs; Python {sys.version.split()[0]}, "
            f"{os.cpu_count()} CPUs",
            flush=True,
        )
        sample = placement_sample(root, min(args.cjs_files, args.records))
        variants = check_jsonschema_variants(root, work, sample) if sample else {}
        actions: dict[str, Callable[[], object]] = {
            "parse": lambda: parse_all(files),
            "validate": lambda: validate_in_process(root),
            "CLI": lambda: validate_cli(root),
            "CLI late": lambda: validate_cli(root, args.late),
            "CLI, 1 process": lambda: validate_cli(root, workers=1),
            "CLI late, 1 process": lambda: validate_cli(root, args.late, workers=1),
        }
        for name, command in variants.items():
            actions[name] = lambda c=command: run_check_jsonschema(root, c)
            single = command[: len(command) - len(sample) + 1]
            actions[f"{name}, 1 file"] = lambda c=single: run_check_jsonschema(root, c)
        timed = measure(actions, args.repeat)
        parts = breakdown(root)
        lines = check_line_numbers(root, work)

        def row(label: str, key: str, base: str | None, against: str) -> tuple[str, ...]:
            wall, cpu = timed[key].median_wall, timed[key].median_cpu
            if key in variants:
                one = timed[f"{key}, 1 file"]
                wall = scaled(one.median_wall, wall, len(sample), args.records)
                cpu = scaled(one.median_cpu, cpu, len(sample), args.records)
            if base is None:
                return (label, f"{wall:.2f}", f"{cpu:.2f}", "1.00x", "1.00x", "(baseline)")
            bw, bc = timed[base].median_wall, timed[base].median_cpu
            return (
                label,
                f"{wall:.2f}",
                f"{cpu:.2f}",
                f"{cpu / bc:.2f}x",
                f"{wall / bw:.2f}x",
                against,
            )

        parse_cpu = timed["parse"].median_cpu
        rows = [
            row("parse only: yaml.load(CSafeLoader), in-process", "parse", None, ""),
            row("aprecords validate, in-process", "validate", "parse", "parse"),
            *(
                (
                    f"  of which {name} (one run)",
                    "",
                    f"{secs:.2f}",
                    f"{secs / parse_cpu:.2f}x",
                    "",
                    "parse",
                )
                for name, secs in parts.items()
            ),
            row("aprecords --root DIR validate --format json", "CLI", "parse", "parse"),
            row(
                "  the same, one process (APRECORDS_WORKERS=1)", "CLI, 1 process", "parse", "parse"
            ),
            row(f"  the same, as of {args.late} (findings)", "CLI late", "parse", "parse"),
            row("  as of that date, one process", "CLI late, 1 process", "parse", "parse"),
            *(row(f"check-jsonschema, {name}", name, "CLI", "aprecords CLI") for name in variants),
        ]
        head = ("measurement", "wall s", "CPU s", "CPU ratio", "wall ratio", "against")
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        print()
        for cells in [head, *rows]:
            print(
                "  ".join(
                    c.ljust(w) if i in (0, 5) else c.rjust(w)
                    for i, (c, w) in enumerate(zip(cells, widths, strict=True))
                ).rstrip()
            )
        print("\nruns, wall s: " + "; ".join(f"{k} {_runs(v.wall)}" for k, v in timed.items()))
        if variants and len(sample) < args.records:
            print(
                f"check-jsonschema ran on {len(sample):,} of the {args.records:,} placement "
                "files (spread evenly) and on 1 file; its times above are start-up plus the "
                f"per-file time from those two runs times {args.records:,}"
            )
        elif sample and not variants:
            print("check-jsonschema: not installed, not measured (pip install check-jsonschema)")
        ratio = timed["validate"].median_cpu / parse_cpu
        wall_ratio = timed["validate"].median_wall / timed["parse"].median_wall
        verdict = "met" if ratio <= TARGET else "NOT met"
        print(
            f"target: validate at most {TARGET}x parse -> {ratio:.2f}x CPU "
            f"({wall_ratio:.2f}x wall), {verdict}"
        )
        late_files = validate_cli(root, args.late)
        workers_used = min(cpu_count(), 8)
        for label, key, goal in (
            ("no findings", "CLI", TARGET_CLEAN),
            (
                f"as of {args.late}, {late_files:,} of {len(files):,} files with a finding",
                "CLI late",
                TARGET_LATE,
            ),
        ):
            wall = timed[key].median_wall / timed["parse"].median_wall
            verdict = "met" if wall <= goal else "NOT met"
            print(
                f"target: whole command, {label}, at most {goal}x the one-process parse -> "
                f"{wall:.2f}x wall ({workers_used} worker processes on {cpu_count()} cores), "
                f"{verdict}"
            )
        print(f"line numbers: exact for all {len(lines)} injected errors:")
        for line in lines:
            print(f"  {line}")
        if args.profile:
            print("\n" + profile(root))
    return 0


def _runs(runs: list[float]) -> str:
    return "/".join(f"{r:.2f}" for r in runs)


if __name__ == "__main__":
    sys.exit(main())
