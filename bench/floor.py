"""Shared by the site benchmarks: the engine floor (a bare MkDocs build) and output sizes.

The floor is timed the way ``mkdocs build`` runs: load the configuration, then build. Both
``bench_site.py`` and ``bench_audiences.py`` use this one helper, so their floors agree.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config


def clock() -> tuple[float, float]:
    """(wall, CPU of this process and its finished children) in seconds."""
    t = os.times()
    return time.perf_counter(), t.user + t.system + t.children_user + t.children_system


def since(start: tuple[float, float]) -> tuple[float, float]:
    now = clock()
    return now[0] - start[0], now[1] - start[1]


def mkdocs_floor(
    config_file: Path, docs: Path, site: Path, nav: Any, site_name: str
) -> tuple[float, float]:
    """(wall, CPU) seconds of a bare in-process MkDocs build of prepared Markdown, config
    loading included."""
    started = clock()
    config = load_config(
        str(config_file), docs_dir=str(docs), site_dir=str(site), nav=nav, site_name=site_name
    )
    mkdocs_build(config)
    return since(started)


def disk_bytes(*folders: Path) -> int:
    """Bytes the folders take on disk, each file counted once however many hard links it
    has (as ``du`` counts them in one run): allocated blocks, 512 bytes each."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            for name in [*dirnames, *filenames]:
                st = os.lstat(os.path.join(dirpath, name))
                if (st.st_dev, st.st_ino) not in seen:
                    seen.add((st.st_dev, st.st_ino))
                    total += st.st_blocks * 512
    return total


def change_one_placement(root: Path) -> str:
    """Edit the rationale of one placement (a real change every audience seeing it must show)."""
    record = sorted((root / "records" / "placements").rglob("*.yaml"))[0]
    text = record.read_text("utf-8")
    marker = "\naims:\n  rationale: "
    at = text.index(marker) + len(marker)
    record.write_text(text[:at] + "Changed for the benchmark. " + text[at:], "utf-8")
    return record.stem
