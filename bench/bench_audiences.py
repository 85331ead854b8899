"""Benchmark of building every audience: full build, one-record rebuild, and the engine floors.

    python bench/bench_audiences.py [--records 1000] [--schools 20] [--providers 15] [--plain]

Synthetic placements (``bench/synth.py``) are built the way ``aprecords build`` does it (load,
validate, then every audience: scope, render, MkDocs, leak check, swap, in parallel across the
CPU cores). Then one placement's text is changed and the build runs again (only the audiences
that see that placement are rebuilt, and in them only the pages that show it). In the same run,
each audience's generated Markdown is built by a bare in-process MkDocs build (its floor,
``floor.mkdocs_floor``: configuration loading included), one after another; their sum is the
floor of the full build, and the floors' own output (every audience a whole MkDocs site, theme
files included: what the build wrote before issue 14) is the size baseline. Sizes are bytes
on disk with each hard-linked file counted once (as ``du -s`` counts), the build records and
stored theme files in ``DIR/.aprecords`` included. The builds store pages compressed, as the
deploy does (``--compress``; ``--plain`` to measure without). Targets: the one-record rebuild
at most 20% of the full build; the full build at most 1.05x the sum of the floors; the output
at most 40% of the floors' output.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
# The fingerprints include the package's own code: run a snapshot of it, so that edits made
# to the working tree while the benchmark runs cannot turn an incremental build into a full one.
SNAPSHOT = Path(tempfile.mkdtemp(prefix="bench-audiences-code-"))
shutil.copytree(
    PROJECT / "scripts" / "aprecords",
    SNAPSHOT / "aprecords",
    ignore=shutil.ignore_patterns("__pycache__"),
)
sys.path[:0] = [str(SNAPSHOT), str(PROJECT / "bench")]

from aprecords.access import checked_audiences  # noqa: E402
from aprecords.repository import load_repository  # noqa: E402
from aprecords.site.build import write_docs  # noqa: E402
from aprecords.site.parallel import build_many  # noqa: E402
from aprecords.validate import validate  # noqa: E402
from floor import change_one_placement, disk_bytes, mkdocs_floor  # noqa: E402
from synth import generate  # noqa: E402

TODAY = date(2026, 1, 10)


def build(
    root: Path, site: Path, only: set[str] | None = None, compress: bool = True
) -> tuple[float, int, list[str]]:
    """What `aprecords build [--compress]` does, timed from loading the records: (seconds,
    audiences built, audiences that failed). ``only``: build just these audiences."""
    started = time.perf_counter()
    repo = load_repository(root)
    validate(repo, TODAY)
    chosen = [a for a in checked_audiences(repo) if only is None or a.name in only]
    outcomes = build_many(repo, chosen, site, TODAY, compress=compress)
    elapsed = time.perf_counter() - started
    return elapsed, sum(o.built for o in outcomes), [o.audience for o in outcomes if o.error]


def floors(root: Path, work: Path) -> tuple[float, int, int]:
    """Sum of bare MkDocs builds of every audience's Markdown (generated beforehand, untimed):
    (wall seconds, pages, bytes on disk of their output)."""
    repo = load_repository(root)
    total, pages, size = 0.0, 0, 0
    for audience in checked_audiences(repo):
        docs, site = work / audience.name / "docs", work / audience.name / "site"
        docs.mkdir(parents=True)
        count, nav = write_docs(repo, audience, docs, TODAY, None)
        pages += count
        wall, _ = mkdocs_floor(root / "mkdocs.yml", docs, site, nav, repo.config.site_name)
        total += wall
        size += disk_bytes(site)
        shutil.rmtree(work / audience.name)
    return total, pages, size


def html_inodes(site: Path) -> dict[str, int]:
    """Inode of every page in the audience folders (a page reused keeps its inode)."""
    return {
        p.relative_to(site).as_posix(): p.stat().st_ino
        for p in site.glob("*/**/*.html*")
        if not p.relative_to(site).as_posix().startswith(".")
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--providers", type=int, default=15)
    parser.add_argument(
        "--plain",
        action="store_true",
        help="build without --compress (the deploy compresses; default: as deployed)",
    )
    args = parser.parse_args(argv)
    compress = not args.plain
    with tempfile.TemporaryDirectory(prefix="bench-audiences-") as tmp:
        root = Path(tmp) / "repo"
        generate(root, args.records, schools=args.schools, providers=args.providers)
        shutil.copy(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
        shutil.copytree(PROJECT / "docs", root / "docs")
        site = Path(tmp) / "site"

        say = functools.partial(print, flush=True)  # each figure as soon as it is measured
        say(
            f"{args.records} placements, {args.schools} schools, {args.providers} providers, "
            f"{os.cpu_count()} CPU cores"
        )
        floor, pages, before = floors(root, Path(tmp) / "floor")
        say(f"sum of the audiences' bare MkDocs floors: {floor:8.2f} s  ({pages} pages)")
        full, built, failed = build(root, site, compress=compress)
        kept = None
        if failed:  # synthetic names can meet by chance: say so, measure the others
            kept = {a.name for a in checked_audiences(load_repository(root))} - set(failed)
            say(f"{len(failed)} audiences failed their leak check; left out below: {failed}")
        how = "--compress" if compress else "plain"
        say(f"full build of {built} audiences ({how}): {full:8.2f} s  ({full / floor:.2f}x floors)")
        size = disk_bytes(site)
        say(
            f"output on disk: {size / 2**20:.1f} MiB (hard links counted once), floors' output "
            f"(every audience a whole MkDocs site): {before / 2**20:.1f} MiB: {size / before:.0%}"
        )
        unchanged, none_built, _ = build(root, site, kept, compress)
        say(f"nothing changed:                          {unchanged:8.2f} s  ({none_built} rebuilt)")
        changed = change_one_placement(root)
        pages_before = html_inodes(site)
        one, rebuilt, _ = build(root, site, kept, compress)
        pages_after = html_inodes(site)
        rendered = sum(pages_before.get(k) != v for k, v in pages_after.items())
        say(
            f"one placement changed ({changed}): {one:8.2f} s  ({rebuilt} audiences rebuilt, "
            f"{rendered} of {len(pages_after)} pages written anew, {one / full:.0%} of the full "
            "build)"
        )
    shutil.rmtree(SNAPSHOT, ignore_errors=True)
    print(
        f"targets: one-record rebuild <= 20% of the full build: {one / full:.0%}; "
        f"full build <= 1.05x the floors: {full / floor:.2f}x; "
        f"output <= 40% of the floors' output: {size / before:.0%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
