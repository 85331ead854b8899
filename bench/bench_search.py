"""Benchmark of search on the hub site: the example hub against a large synthetic one.

    python bench/bench_search.py [--records 1000] [--repeat 3] [--keep DIR]

Builds the hub site of the 12 example placements (the baseline) and of ``--records``
synthetic placements (``bench/synth.py``), each in up to three forms, **in the same run**:

* ``entries``: the site as built now, one search entry per generated page (issue 23);
* ``sections``: the same Markdown with Material's own index, one entry per heading section
  (as before issue 23; built by turning the summaries off);
* ``pagefind``: the ``entries`` site with Pagefind run over it and its default UI put on the
  dashboard (``pip install pagefind-bin==1.5.2``, an optional benchmark dependency; without
  it that column is skipped and the benchmark says so).

Each is served by a local HTTP server that counts the bytes of every response body it sends
(search workers' requests included), and opened in Chromium (``/usr/bin/chromium``) at
390 px wide with the CPU throttled 4x (CDP ``Emulation.setCPUThrottlingRate``), with a fresh
cache each time. The timer starts with the first keystroke of a pupil's surname (read from
the records) and stops when the first result is visible (Material's
``.md-search-result__item``, Pagefind's ``.pagefind-ui__result``); when no result has come
after a second, the query is nudged (a space typed or removed), as a user would, since a
query typed before the index is ready is answered with nothing. Bytes are the sum of the
response bodies for loading the dashboard and the search; for Pagefind, whose index files
are gzip, also unpacked (what its code must parse). Prints the median of ``--repeat`` runs
and the ratios of the large site to the example site (targets: time at most 1.5x, bytes at
most 1.5 MB).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(PROJECT / "scripts"), str(PROJECT / "bench")]

from aprecords.access import hub  # noqa: E402
from aprecords.repository import load_repository  # noqa: E402
from aprecords.site import searchtext  # noqa: E402
from aprecords.site.parallel import build_many  # noqa: E402
from synth import generate  # noqa: E402

TODAY = date(2026, 1, 10)
CHROMIUM = "/usr/bin/chromium"
WIDTH, HEIGHT, THROTTLE = 390, 844, 4
SELECTORS = {
    "material": ("input.md-search__input", ".md-search-result__item"),
    "pagefind": ("input.pagefind-ui__search-input", ".pagefind-ui__result"),
}
PAGEFIND_UI = (
    '<link href="pagefind/pagefind-ui.css" rel="stylesheet">'
    '<script src="pagefind/pagefind-ui.js"></script>'
    '<div id="pagefind-search" style="position:fixed;top:0;left:0;right:0;z-index:100;'
    'background:#fff;max-height:100vh;overflow:auto"></div>'
    "<script>window.addEventListener('DOMContentLoaded',()=>new PagefindUI("
    "{element:'#pagefind-search',showSubResults:false}));</script>"
)


class Counting(ThreadingHTTPServer):
    """Serves one folder and counts the response bodies it sends (and, gzip ones, unpacked)."""

    def __init__(self, folder: Path) -> None:
        self.sent = self.unpacked = 0
        self.lock = threading.Lock()
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def copyfile(self, source: Any, outputfile: Any) -> None:
                data = source.read()
                server.count(data)
                outputfile.write(data)

        super().__init__(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
        self.origin = f"http://127.0.0.1:{self.server_port}"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def count(self, data: bytes) -> None:
        size = len(data)
        if data[:2] == b"\x1f\x8b":
            with contextlib.suppress(OSError, EOFError):
                size = len(gzip.decompress(data))
        with self.lock:
            self.sent += len(data)
            self.unpacked += size

    def reset(self) -> None:
        with self.lock:
            self.sent = self.unpacked = 0

    def close(self) -> None:
        self.shutdown()
        self.server_close()


@contextlib.contextmanager
def per_section_index() -> Iterator[None]:
    """Builds inside get Material's index of every section (no page summaries)."""
    real = searchtext.summaries
    searchtext.summaries = lambda site: {}  # type: ignore[assignment]
    try:
        yield
    finally:
        searchtext.summaries = real  # type: ignore[assignment]


def examples(root: Path) -> Path:
    """A copy of the project's example repository (records, schemas, config, docs)."""
    root.mkdir(parents=True)
    for name in ("aprecords.yml", "mkdocs.yml"):
        shutil.copy(PROJECT / name, root / name)
    for name in ("schema", "records", "docs"):
        shutil.copytree(PROJECT / name, root / name)
    return root


def synthetic(root: Path, records: int) -> Path:
    generate(root, records)
    shutil.copy(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(PROJECT / "docs", root / "docs")
    return root


def build_hub(root: Path, site: Path) -> tuple[Path, str]:
    """The hub site of ``root`` in ``site``; (its folder, a pupil surname to search for)."""
    repo = load_repository(root)
    audience = hub(repo.config.hub)
    outcomes = build_many(repo, [audience], site, TODAY, workers=1)
    if any(o.error for o in outcomes):
        raise SystemExit("\n".join(o.error or "" for o in outcomes))
    ids = sorted(repo.placements)
    record = repo.placements[ids[len(ids) // 2]]
    return site / audience.name, record.data["student"]["name"].split()[-1]


def pagefind_binary() -> Path | None:
    try:
        import pagefind_bin  # type: ignore[import-not-found]
    except ImportError:
        return None
    return Path(pagefind_bin.get_executable())


def with_pagefind(binary: Path, folder: Path, target: Path) -> Path:
    """A hard-linked copy of a built site with a Pagefind index and UI on the dashboard."""
    shutil.copytree(folder, target, copy_function=os.link)
    subprocess.run([str(binary), "--site", str(target)], check=True, capture_output=True)
    dashboard = target / "index.html"
    text = dashboard.read_text("utf-8")
    dashboard.unlink()  # a hard link: write a new file, not through the link
    dashboard.write_text(text.replace("</body>", PAGEFIND_UI + "</body>", 1), "utf-8")
    return target


def search_once(browser: Any, server: Counting, query: str, ui: str) -> tuple[float, int, int]:
    """(seconds from the first keystroke to the first result, bytes sent, bytes unpacked)."""
    box_selector, result_selector = SELECTORS[ui]
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
        server.reset()
        page.goto(server.origin + "/index.html", wait_until="load")
        box = page.locator(box_selector)
        if ui == "material":
            page.locator("label.md-header__button[for='__search']").click()  # the phone layout
        box.click()
        started = time.perf_counter()
        box.press_sequentially(query, delay=30)
        result = page.locator(result_selector).first
        for nudge in range(120):
            try:
                result.wait_for(state="visible", timeout=1000)
                break
            except Exception:  # noqa: BLE001 - no result yet: nudge the query, as a user would
                box.press("Backspace" if nudge % 2 else "Space")
        else:
            raise SystemExit(f"no search result for {query!r} after two minutes")
        elapsed = time.perf_counter() - started
        page.wait_for_load_state("networkidle")  # the result's own requests are counted too
        return elapsed, server.sent, server.unpacked
    finally:
        context.close()


def measure(browser: Any, sites: dict[tuple[str, str], tuple[Path, str]], repeat: int) -> dict:
    """Median time and bytes per (site, means), runs interleaved so load hits all alike."""
    runs: dict[tuple[str, str], list[tuple[float, int, int]]] = {key: [] for key in sites}
    servers = {key: Counting(folder) for key, (folder, _) in sites.items()}
    try:
        for _ in range(repeat):
            for key, (_, query) in sites.items():
                ui = "pagefind" if key[1] == "pagefind" else "material"
                runs[key].append(search_once(browser, servers[key], query, ui))
    finally:
        for server in servers.values():
            server.close()
    return {
        key: (
            statistics.median(r[0] for r in got),
            statistics.median(r[1] for r in got),
            statistics.median(r[2] for r in got),
        )
        for key, got in runs.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build in this new folder and keep it")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    binary = pagefind_binary()
    with contextlib.ExitStack() as stack:
        if args.keep:
            tmp = args.keep
            tmp.mkdir(parents=True)
        else:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-search-")))
        repos = {
            "examples": examples(tmp / "repo-examples"),
            str(args.records): synthetic(tmp / f"repo-{args.records}", args.records),
        }
        sites: dict[tuple[str, str], tuple[Path, str]] = {}
        for name, root in repos.items():
            started = time.perf_counter()
            sites[name, "entries"] = build_hub(root, tmp / f"site-{name}")
            with per_section_index():
                sites[name, "sections"] = build_hub(root, tmp / f"sections-{name}")
            if binary is not None:
                folder, query = sites[name, "entries"]
                sites[name, "pagefind"] = (
                    with_pagefind(binary, folder, tmp / f"pagefind-{name}"),
                    query,
                )
            print(f"built {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                results = measure(browser, sites, args.repeat)
            finally:
                browser.close()
    report(results, sites, args.records, args.repeat, binary is not None)
    return 0


def report(results: dict, sites: dict, records: int, repeat: int, pagefind: bool) -> None:
    big = str(records)
    print(
        f"Chromium {WIDTH} px, CPU throttled {THROTTLE}x, median of {repeat}; time from the "
        "first keystroke to the first result; bytes = response bodies for the dashboard and "
        "one search (unpacked: gzip bodies counted unpacked)"
    )
    print(
        f"{'site':>9} {'means':>9} {'query':>14} {'first result s':>14} {'MB':>7} "
        f"{'MB unpacked':>11} {'index MB on disk':>16}"
    )
    for (name, means), (seconds, sent, unpacked) in results.items():
        folder, query = sites[name, means]
        index = folder / ("pagefind" if means == "pagefind" else "search/search_index.json")
        files = [index] if index.is_file() else [f for f in index.rglob("*") if f.is_file()]
        size = sum(f.stat().st_size for f in files) / 1e6  # Pagefind's: its whole folder
        print(
            f"{name:>9} {means:>9} {query:>14} {seconds:>14.2f} {sent / 1e6:>7.2f} "
            f"{unpacked / 1e6:>11.2f} {size:>16.2f}"
        )
    if not pagefind:
        print("pagefind: skipped (not installed: pip install pagefind-bin==1.5.2)")
    for means in ("entries", "sections", "pagefind"):
        if (big, means) not in results:
            continue
        small_s, _, _ = results["examples", means]
        big_s, big_b, big_u = results[big, means]
        print(
            f"{means}: {records} placements / examples: time {big_s / small_s:.2f}x "
            f"(target <= 1.5x), {big_u / 1e6:.2f} MB unpacked (target <= 1.5 MB)"
        )
    if (big, "pagefind") in results:
        ratio = results[big, "pagefind"][0] / results[big, "entries"][0]
        print(f"pagefind / entries at {records} placements: time {ratio:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
