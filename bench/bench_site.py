"""Benchmark of the hub site build against the engine's floor.

    python bench/bench_site.py [--sizes 250 1000] [--repeat 2]

For each size N, synthetic placements (``bench/synth.py``) are built the way ``aprecords
build --audience hub`` does it (load, validate, scope, render, MkDocs, leak check, swap, into
an empty site folder), and the very same generated Markdown is built by a bare in-process
MkDocs build (the floor, ``floor.mkdocs_floor``: configuration loading included, as in
``bench_audiences.py``) in the same run. Then one placement is changed and the hub rebuilt
(page-level incremental: only the pages showing it are rendered); its time is printed as a
share of the full build. Times are
CPU seconds (best of ``--repeat``), which a busy shared machine disturbs far less than the
wall clock (also printed). Prints the
ratio to the floor (target at most 1.25x at 1,000 records) and time and bytes per record
(target: flat within 20% from the smallest to the largest size). Bytes exclude the theme's
fixed ``assets/`` folder (the same few MB whatever the number of records).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(PROJECT / "scripts"), str(PROJECT / "bench")]

from aprecords.access import hub  # noqa: E402
from aprecords.repository import load_repository  # noqa: E402
from aprecords.site.build import write_docs  # noqa: E402
from aprecords.site.parallel import build_many  # noqa: E402
from aprecords.validate import validate  # noqa: E402
from floor import change_one_placement, clock, mkdocs_floor, since  # noqa: E402
from synth import generate  # noqa: E402

TODAY = date(2026, 1, 10)


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def full_build(root: Path, site: Path) -> tuple[tuple[float, float], tuple[float, float]]:
    """What `aprecords build` does: (load + validate) then (scope, render, MkDocs, swap)."""
    started = clock()
    repo = load_repository(root)
    validate(repo, TODAY)
    checked = since(started)
    started = clock()
    outcomes = build_many(repo, [hub(repo.config.hub)], site, TODAY, workers=1)
    if any(o.error for o in outcomes):
        raise SystemExit("\n".join(o.error or "" for o in outcomes))
    return checked, since(started)


def floor_build(root: Path, work: Path) -> tuple[float, float]:
    """A bare MkDocs build of the same Markdown (generated beforehand, not timed)."""
    repo = load_repository(root)
    validate(repo, TODAY)
    docs, site = work / "docs", work / "site"
    shutil.rmtree(work, ignore_errors=True)
    docs.mkdir(parents=True)
    _, nav = write_docs(repo, hub(repo.config.hub), docs, TODAY, None)
    return mkdocs_floor(root / "mkdocs.yml", docs, site, nav, repo.config.site_name)


def measure(n: int, repeat: int, tmp: Path) -> dict[str, float]:
    root = tmp / f"repo-{n}"
    generate(root, n)
    shutil.copy(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(PROJECT / "docs", root / "docs")
    full, floor, checks, sites = [], [], [], []
    for _ in range(repeat):
        floor.append(floor_build(root, tmp / f"floor-{n}"))
        shutil.rmtree(tmp / f"site-{n}", ignore_errors=True)  # a cold build each time
        check, site_only = full_build(root, tmp / f"site-{n}")
        checks.append(check)
        sites.append(site_only)
        full.append((check[0] + site_only[0], check[1] + site_only[1]))
    change_one_placement(root)
    one = full_build(root, tmp / f"site-{n}")  # reuses the pages of the last full build
    site = tmp / f"site-{n}" / "hub"
    pages = [p for p in (site / "placements").glob("*.html") if p.name != "index.html"]
    return {
        "n": n,
        "full": min(c for _, c in full),
        "site": min(c for _, c in sites),
        "floor": min(c for _, c in floor),
        "full_wall": min(w for w, _ in full),
        "floor_wall": min(w for w, _ in floor),
        "one": one[0][1] + one[1][1],
        "bytes": folder_bytes(site) - folder_bytes(site / "assets"),
        "page": sum(p.stat().st_size for p in pages) / len(pages),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 1000])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        rows = [measure(n, args.repeat, Path(tmp)) for n in args.sizes]
    print("times are CPU seconds (the machine is shared; wall-clock in brackets)")
    print(
        f"{'records':>8} {'build s':>8} {'floor s':>8} {'ratio':>6} {'site s':>7} {'ratio':>6} "
        f"{'ms/rec':>7} {'KB/rec':>7} {'record page KB':>14} {'(wall build/floor s)':>21}"
    )
    for r in rows:
        print(
            f"{r['n']:>8} {r['full']:>8.2f} {r['floor']:>8.2f} {r['full'] / r['floor']:>6.2f} "
            f"{r['site']:>7.2f} {r['site'] / r['floor']:>6.2f} "
            f"{1000 * r['full'] / r['n']:>7.1f} {r['bytes'] / r['n'] / 1024:>7.1f} "
            f"{r['page'] / 1024:>14.1f} {r['full_wall']:>10.2f}/{r['floor_wall']:<.2f}"
        )
    for r in rows:
        print(
            f"{r['n']:>8} records, one placement changed: {r['one']:.2f} s CPU, "
            f"{r['one'] / r['full']:.0%} of the full build (page-level incremental)"
        )
    small, large = rows[0], rows[-1]
    time_drift = (large["full"] / large["n"]) / (small["full"] / small["n"])
    size_drift = (large["bytes"] / large["n"]) / (small["bytes"] / small["n"])
    page_drift = large["page"] / small["page"]
    print(
        "build = aprecords build (load, validate, then the site step); site = the site step "
        "alone (scope, render, MkDocs, leak check, swap); floor = bare MkDocs, same Markdown"
    )
    print(
        f"ratio to floor at {large['n']}: {large['full'] / large['floor']:.2f}x for the whole "
        f"command, {large['site'] / large['floor']:.2f}x for the site step (target <= 1.25x); "
        f"per-record time {small['n']}->{large['n']}: {time_drift:.2f}x, "
        f"per-record bytes (site without the theme's assets): {size_drift:.2f}x, "
        f"record page size: {page_drift:.2f}x (targets within 0.80-1.20x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
