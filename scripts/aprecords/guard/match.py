"""Needles and the matcher: many values found at once in a text's letters-and-digits stream.

A needle is matched in the *stream* of a text (its words in the normal form, joined: see
:mod:`aprecords.guard.normal`), so no separator, tag or invisible character between its letters
stops it. How strictly depends on how specific it is (:class:`Reach`):

* ``ANYWHERE``: long and distinctive (a surname of :data:`MIN_ANYWHERE` letters or more that is
  no dictionary word, a full name, a UPN, a record id, a withheld text): found inside joined or
  inflected words too (``TobiasWrenfeather``, ``the Wrenfeathers'``);
* ``WORDS``: distinctive but short, or a full name made of everyday words (``Will Brown``):
  found only where its first letter starts a word and its last letter ends one in the text
  (``Will-Brown`` and ``W i l l B r o w n`` too), or ends one but for an ``s`` or ``es``
  (``the Okoyes``), so "swill brownie" is not a hit;
* ``WARN``: a single everyday or very short word (``Hall``, ``Li``): found as ``WORDS`` is, and
  a hit is a warning to check, never a failure, so "hallway" and "Marshall" stop nothing.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MIN_ANYWHERE = 9
"""The fewest letters a distinctive needle needs to be matched inside words as well.

Measured (``bench/guard_threshold.py``, README "Leak guard"): 14,824 forenames and surnames of
18 Faker locales that are no dictionary word, searched in the letters-and-digits stream of the
help pages, the built example sites and real English prose (9 million letters): inside other
words 1.5% of the 7-letter names are found by chance, 0.1% of the 8-letter ones, and from 9
letters on none."""
_SUFFIXES = ("s", "es")
"""An inflection a whole-words needle may carry (``the Okoyes``): its end may be a break or
one of these followed by a break."""


class Reach(enum.Enum):
    """Where a needle counts as found, and whether a hit fails the build."""

    ANYWHERE = "anywhere"
    WORDS = "words"
    WARN = "warn"


@dataclass(frozen=True, eq=False)
class Needle:
    """One value to look for: its folded words, where it comes from, what it is (never the
    value), and its reach. Compared by identity (each plan makes each needle once)."""

    words: tuple[str, ...]
    source: str
    what: str
    reach: Reach = Reach.ANYWHERE

    @property
    def text(self) -> str:
        """The needle's stream: its words joined."""
        return "".join(self.words)

    @property
    def fails(self) -> bool:
        """True when a hit fails the build (False: a warning)."""
        return self.reach is not Reach.WARN


def reach_of(words: Sequence[str], everyday: bool, *, whole_words: bool = False) -> Reach:
    """The reach of a needle of these folded ``words``: ``everyday`` when it says nothing on
    its own (a single everyday or short word); ``whole_words`` forces at least ``WORDS``."""
    if everyday:
        return Reach.WARN
    if whole_words or sum(map(len, words)) < MIN_ANYWHERE:
        return Reach.WORDS
    return Reach.ANYWHERE


def _trie_pattern(texts: Iterable[str]) -> str:
    """A regular expression matching any of ``texts``, the longest at each position."""
    trie: dict[str, dict] = {}
    for text in texts:
        node = trie
        for char in text:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [re.escape(c) + emit(node[c]) for c in sorted(node) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


class Matcher:
    """Finds any of many needles in a text's stream (one regular expression, run in C)."""

    def __init__(self, needles: Iterable[Needle]):
        self.by_text: dict[str, list[Needle]] = {}
        for needle in needles:
            if needle.text:
                self.by_text.setdefault(needle.text, []).append(needle)
        self.lengths = sorted({len(t) for t in self.by_text})
        self.pattern = re.compile(f"(?=({_trie_pattern(self.by_text)}))") if self.by_text else None

    def find(self, tokens: Sequence[str]) -> set[Needle]:
        """Every needle found in the words ``tokens`` (as :func:`normal.words` gives them)."""
        if self.pattern is None:
            return set()
        text = "".join(tokens)
        breaks: set[int] | None = None
        hits: set[Needle] = set()
        for match in self.pattern.finditer(text):
            start, longest = match.start(), match.group(1)
            for length in self.lengths:
                if length > len(longest):
                    break
                for needle in self.by_text.get(longest[:length], ()):
                    if needle.reach is not Reach.ANYWHERE:
                        if breaks is None:
                            breaks = _breaks(tokens)
                        if start not in breaks or not _ends_word(text, start + length, breaks):
                            continue
                    hits.add(needle)
        return hits


def _ends_word(text: str, end: int, breaks: set[int]) -> bool:
    """True when a word ends at ``end``, or after a plural ``s`` or ``es`` there."""
    return end in breaks or any(
        text.startswith(suffix, end) and end + len(suffix) in breaks for suffix in _SUFFIXES
    )


def _breaks(tokens: Sequence[str]) -> set[int]:
    """The offsets in the stream where a word starts or ends."""
    found, at = {0}, 0
    for token in tokens:
        at += len(token)
        found.add(at)
    return found


_RAW_WORD = re.compile(r"[^\W_]+")


def locate(lines: Sequence[str], needle: Needle) -> tuple[int, int]:
    """Line and column where ``needle`` starts: the first line whose stream holds it, and the
    last word of that line from which on it still does (line 1, column 1 if split over lines)."""
    from aprecords.guard.normal import stream

    for number, line in enumerate(lines, 1):
        if needle.text not in stream(line):
            continue
        column = 1
        for match in _RAW_WORD.finditer(line):
            if needle.text not in stream(line[match.start() :]):
                break
            column = match.start() + 1
        return number, column
    return 1, 1
