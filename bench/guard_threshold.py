"""How long must a distinctive name be before the guard may match it inside words too?

Builds the example sites (all audiences), then searches the letters-and-digits stream of
every file, of the help pages and of real English prose (Python's pydoc topics) for every
forename and surname of Faker's name lists (18 locales written in Latin letters) that is no
dictionary word. Prints, per length in letters, how many such names there are and how many
are found by chance: inside other words only, never as a word of its own (the name is in no
record, so every such hit would be a false alarm), and the shortest length from which on
none is: ``aprecords.guard.match.MIN_ANYWHERE``.

    python bench/guard_threshold.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from aprecords.guard import corpus  # noqa: E402
from aprecords.guard.match import MIN_ANYWHERE  # noqa: E402
from aprecords.guard.normal import words  # noqa: E402


def texts(site: Path) -> dict[str, tuple[str, ...]]:
    found = {"english prose (pydoc topics)": words(corpus.english_prose())}
    for page in sorted((ROOT / "docs").rglob("*.md")):
        found[f"docs/{page.relative_to(ROOT / 'docs')}"] = words(page.read_text("utf-8"))
    for rel, text in corpus.site_words(site):
        found[f"site/{rel}"] = text
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="build the sites here and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = args.keep or Path(tmp) / "site"
        subprocess.run(
            [sys.executable, "-m", "aprecords", "--root", str(ROOT), "build", "--today",
             "2026-01-10", "--site-dir", str(site)],
            check=True, capture_output=True, env={"PYTHONPATH": str(ROOT / "scripts")},
        )  # fmt: skip
        corpus_texts = texts(site)
    size = sum(len(w) for found in corpus_texts.values() for w in found)
    names = corpus.distinctive(corpus.name_words())
    hits = corpus.found_by_chance(names, corpus_texts)
    by_length = Counter(len("".join(words(n))) for n in names)
    found = Counter(len("".join(words(n))) for n in hits)
    print(f"corpus: {len(corpus_texts)} texts, {size:,} letters and digits")
    print(f"names: {len(names)} distinctive forenames and surnames\n")
    print("letters  names  found by chance  share")
    for length in sorted(by_length):
        print(f"{length:7}  {by_length[length]:5}  {found[length]:15}  "
              f"{found[length] / by_length[length]:6.1%}")  # fmt: skip
    safe = next(n for n in range(1, 40) if not any(found[m] for m in found if m >= n))
    print(f"\nshortest length from which on no name is found by chance: {safe}")
    print(f"MIN_ANYWHERE in aprecords.guard.match: {MIN_ANYWHERE}")
    longest = sorted((n for n in hits if len(n) >= safe - 2), key=len, reverse=True)[:10]
    for name in longest:
        print(f"  e.g. {name}: {', '.join(hits[name][:3])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
