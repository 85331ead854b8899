"""Is the guard's own TR39 skeleton as fast as ICU's? (issue 23)

Times, ours against ICU's ``SpoofChecker.getSkeleton`` (``pyicu-wheels``, the test extra):

- the skeleton of each of the 6,311 source characters of ``confusables.txt``, one call each;
- the guard's normal form (``normal.words``) of the help pages (``docs/*.md``), as written
  and with every Latin ``a``, ``e``, ``o``, ``p`` and ``c`` swapped for its Cyrillic look-alike,
  each time with the per-character cache emptied (the cold path: every distinct non-ASCII
  character goes through the skeleton once) and with it full (the usual path, where neither
  skeleton is called: the same code twice, so a ratio away from 1 there is the machine's noise);
- the start-up: reading the vendored file against importing ICU and making a checker.

    python bench/guard_skeleton.py [--rounds 20]

Prints the best time of the rounds for each and the ratio ours / ICU (under 1: ours faster).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from aprecords.guard import normal, skeleton  # noqa: E402

LOOKALIKES = str.maketrans("aeopc", "аеорс")  # Cyrillic


def best(
    ours: Callable[[], object], icus: Callable[[], object], rounds: int
) -> tuple[float, float]:
    """The shortest of ``rounds`` timings of one call of each, taken in turn (so that a busy
    machine slows both alike), in seconds."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        for function, timed in zip((ours, icus), times, strict=True):
            start = time.perf_counter()
            function()
            timed.append(time.perf_counter() - start)
    return min(times[0]), min(times[1])


def folding(text: str, ours: Callable[[str], str], cold: bool) -> Callable[[], object]:
    """One normalisation of ``text`` through the skeleton ``ours`` (caches emptied if cold)."""

    def run() -> object:
        normal.skeleton = ours
        if cold:
            normal._fold_char.cache_clear()
        return normal.words(text)

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    skeleton.prototypes.cache_clear()
    skeleton.prototypes()
    load_ours = time.perf_counter() - start
    start = time.perf_counter()
    import icu

    checker = icu.SpoofChecker()
    load_icu = time.perf_counter() - start

    def theirs(text: str) -> str:
        return checker.getSkeleton(0, text)

    ours = skeleton.skeleton
    sources = [chr(code) for code in skeleton.prototypes()]
    docs = "\n".join(p.read_text("utf-8") for p in sorted((ROOT / "docs").glob("*.md")))
    spoofed = docs.translate(LOOKALIKES)
    rows = [
        ("start-up (read the data / import ICU)", load_ours, load_icu),
        (
            f"skeleton of each of {len(sources)} sources",
            *best(
                lambda: [ours(c) for c in sources],
                lambda: [theirs(c) for c in sources],
                args.rounds,
            ),
        ),
    ]
    for label, text in (("help pages", docs), ("Cyrillic-spoofed help pages", spoofed)):
        for cold in (True, False):
            state = "cold cache" if cold else "warm cache"
            rows.append(
                (
                    f"normal form, {label} ({len(text):,} chars), {state}",
                    *best(folding(text, ours, cold), folding(text, theirs, cold), args.rounds),
                )
            )
    normal.skeleton = ours
    print(f"{'':70} {'ours ms':>8} {'ICU ms':>8} {'ratio':>6}")
    for label, mine, icus in rows:
        print(f"{label:70} {mine * 1000:8.2f} {icus * 1000:8.2f} {mine / icus:6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
