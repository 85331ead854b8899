"""The leak check: scan every file of one audience's built site for what it must not hold.

After an audience's site is built (and before it is swapped in), every output file is read and
searched for

* the names, UPNs and record ids of pupils **outside** the audience's scope, always;
* the texts its scope **withheld** (:attr:`Scoped.withheld`), when they can be searched
  meaningfully: at least :data:`MIN_WORDS` words and :data:`MIN_CHARS` characters, or a value of
  the ``identity`` class, or one identifier-like word (letters and digits, 8 or more characters,
  such as a UPN). Short or generic answers ("None.", "N/A", "Yes") are skipped, because they
  appear everywhere and say nothing. A text longer than :data:`WINDOW` words is searched as
  each run of that many words, so an excerpt is found too. A withheld text (or run) that the
  audience can see anyway in one of its own visible values is skipped too, and so is an
  outside pupil's name that equals a visible value (a member of staff of the same name).

Matching is on words: text is decoded (gzip, JSON strings, JavaScript ``\\u`` escapes, HTML
entities, URL escapes), case-folded and split into runs of letters and digits, so punctuation,
markup between words, entities and spacing cannot hide a value. Tag names are dropped and
attributes kept, so ``Ann <em>Lee</em>`` and ``alt="Ann Lee"`` are both found.

A hit names the output file and the value's source (``record path#pointer``) and never the
value itself: build logs are read by more people than the records are.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from aprecords.access import Audience
from aprecords.repository import Repository
from aprecords.scope import Scoped, leaf_texts

MIN_WORDS = 3
"""A withheld free text is searched when it has at least this many words..."""
MIN_CHARS = 16
"""...and at least this many characters (words joined by single spaces)."""
WINDOW = 8
"""A longer withheld text is also searched as every run of this many consecutive words, so a
truncated excerpt (a preview, a search snippet) is found too."""

_WORD = re.compile(r"[^\W_]+")
_TAG = re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9:-]*|/?>")
_JS_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]{1,6})\}|\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})")
_JS_CONTROL = re.compile(r"\\[nrtfvb]")
_UPN = re.compile(r"^[A-Z][0-9]{11}[0-9A-Z]$")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")


def words(text: str) -> tuple[str, ...]:
    """The case-folded words (runs of letters and digits) of a text."""
    return tuple(_WORD.findall(text.casefold()))


@dataclass(frozen=True)
class Needle:
    """One value to look for: its words, where it comes from, and what it is (never the value)."""

    words: tuple[str, ...]
    source: str
    what: str


@dataclass(frozen=True, order=True)
class Leak:
    """A value found in a file it must not be in."""

    file: str
    source: str
    what: str

    def __str__(self) -> str:
        return f"{self.file}: {self.what} (source: {self.source})"


@dataclass
class Plan:
    """What the check looks for in one audience's site, and what it chose not to look for."""

    needles: list[Needle] = field(default_factory=list)
    skipped_short: int = 0
    skipped_visible: int = 0


class LeakError(Exception):
    """An audience's site holds values it must not: the build fails (exit 1)."""

    def __init__(self, audience: str, leaks: list[Leak]):
        self.audience = audience
        self.leaks = leaks
        shown = "\n".join(f"  {audience}/{leak}" for leak in leaks[:50])
        more = f"\n  ... and {len(leaks) - 50} more" if len(leaks) > 50 else ""
        super().__init__(
            f"leak check failed for the audience '{audience}': {len(leaks)} value(s) it must "
            f"not see were found in its site, which was not published:\n{shown}{more}"
        )


def searchable(text: str) -> bool:
    """True when a withheld text is specific enough to search for without false alarms."""
    found = words(text)
    if len(found) == 1:
        token = found[0]
        return len(token) >= 8 and any(c.isdigit() for c in token) and not token.isdigit()
    return len(found) >= MIN_WORDS and len(" ".join(found)) >= MIN_CHARS


def _outside_what(value: str) -> str:
    if _UPN.match(value):
        return "the UPN of a pupil outside this audience"
    if _ID.match(value):
        return "the record id of a placement outside this audience"
    return "the name of a pupil outside this audience"


class Matcher:
    """Finds any of many word sequences in a text (indexed by first word, checked in C)."""

    def __init__(self, needles: Iterable[Needle]):
        self.index: dict[str, list[tuple[Needle, frozenset[str], str]]] = {}
        for needle in needles:
            if needle.words:
                entry = (needle, frozenset(needle.words), f" {' '.join(needle.words)} ")
                self.index.setdefault(needle.words[0], []).append(entry)

    def find(self, tokens: tuple[str, ...] | list[str]) -> set[Needle]:
        """Every needle whose words occur consecutively in ``tokens``."""
        present = set(tokens)
        firsts = self.index.keys() & present
        if not firsts:
            return set()
        joined = f" {' '.join(tokens)} "
        return {
            needle
            for first in firsts
            for needle, needed, phrase in self.index[first]
            if needed <= present and phrase in joined
        }


def plan(scoped: Scoped, visible_extra: Iterable[str] = ()) -> Plan:
    """The needles for one audience: outside pupils always, withheld texts when searchable."""
    result = Plan()
    extra = list(visible_extra)
    seen: set[tuple[tuple[str, ...], str]] = set()
    ids: list[Needle] = []
    for value, source in scoped.outside:
        needle = Needle(words(value), source, _outside_what(value))
        if needle.words and (needle.words, source) not in seen:
            seen.add((needle.words, source))
            (ids if "record id" in needle.what else result.needles).append(needle)
    # A record id quoted as an example in the help pages or the configuration is not a leak
    # (ids name no pupil); names and UPNs are searched whatever the help pages say.
    quoted: set[Needle] = set()
    id_matcher = Matcher(ids)
    for text in extra:
        quoted |= id_matcher.find(words(text))
    outside = [*result.needles, *(n for n in ids if n not in quoted)]
    # An outside pupil's name that the audience sees in its own records (a member of staff
    # with the same name, a mention in a record it may read) cannot be told from that
    # visible value: it is not searched for in this audience's site.
    own = Matcher(outside)
    mine: set[Needle] = set()
    for text in _visible_texts(scoped, ()) if outside else ():
        mine |= own.find(words(text))
    result.skipped_visible += len(mine)
    result.needles = [n for n in outside if n not in mine]
    candidates: list[Needle] = []
    for value, source in scoped.withheld:
        cls = scoped.classes.get(source, "")
        if cls != "identity" and not searchable(value):
            result.skipped_short += 1
            continue
        what = f"a value withheld from this audience ({cls or 'sensitive'})"
        found = words(value)
        runs = [found[i : i + WINDOW] for i in range(max(1, len(found) - WINDOW + 1))]
        for run in runs:
            if run and (run, source) not in seen:
                seen.add((run, source))
                candidates.append(Needle(run, source, what))
    # A withheld text the audience sees anyway, in one of its own visible values, would be a
    # false alarm: drop it (it is not a secret from this audience).
    visible = Matcher(candidates)
    shown: set[Needle] = set()
    for text in _visible_texts(scoped, extra) if candidates else ():
        shown |= visible.find(words(text))
    result.skipped_visible += len(shown)
    result.needles.extend(n for n in candidates if n not in shown)
    return result


def _visible_texts(scoped: Scoped, extra: Iterable[str]) -> Iterator[str]:
    for group in (scoped.placements, scoped.schools, scoped.providers, scoped.attendance):
        for data in group.values():
            for text in leaf_texts(data):
                if text != "WITHHELD":
                    yield text
    yield from extra


def decoded(raw: bytes, name: str) -> str:
    """The text of one output file to search, decoded every way a value could be encoded.

    JSON becomes its strings (keys included), escapes in scripts become characters, HTML
    entities and URL escapes are resolved, and markup is reduced to its attributes: tag names
    and brackets become spaces, so words separated only by tags are found as a phrase.
    """
    if name.endswith(".gz"):
        with contextlib.suppress(OSError, EOFError):
            raw = gzip.decompress(raw)
    text = raw.decode("utf-8", errors="replace")
    if name.endswith((".json", ".webmanifest", ".map")) or text.lstrip()[:1] in ("{", "["):
        with contextlib.suppress(ValueError, RecursionError):
            text = "\n".join(_json_strings(json.loads(text)))
    if "\\" in text:
        text = _JS_CONTROL.sub(" ", text)
        text = _JS_ESCAPE.sub(_unescape_js, text)
    for _ in range(3):
        if "&" not in text:
            break
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    if "%" in text:
        text = unquote_plus(text)
    return _TAG.sub(" ", text)


def _unescape_js(match: re.Match[str]) -> str:
    code = int(next(g for g in match.groups() if g), 16)
    try:
        return chr(code)
    except (ValueError, OverflowError):
        return " "


def _json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)
    elif isinstance(value, str | int | float) and not isinstance(value, bool):
        yield str(value)


@functools.lru_cache(maxsize=1)
def theme_digests() -> frozenset[str]:
    """SHA-256 of every file shipped with the MkDocs Material theme (they hold no records)."""
    try:
        import material
    except ImportError:  # pragma: no cover - Material is a dependency
        return frozenset()
    base = Path(material.__file__).parent / "templates" / "assets"  # what MkDocs copies
    return frozenset(
        hashlib.sha256(file.read_bytes()).hexdigest() for file in base.rglob("*") if file.is_file()
    )


def scan(site_dir: Path, scoped: Scoped, visible_extra: Iterable[str] = ()) -> list[Leak]:
    """Every leak in the files under ``site_dir`` (paths in the result relative to it)."""
    needles = plan(scoped, visible_extra).needles
    if not needles:
        return []
    matcher = Matcher(needles)
    skip = theme_digests()
    leaks: set[Leak] = set()
    for file in sorted(site_dir.rglob("*")):
        if not file.is_file():
            continue
        raw = file.read_bytes()
        if hashlib.sha256(raw).hexdigest() in skip:
            continue
        rel = file.relative_to(site_dir).as_posix()
        for needle in matcher.find(words(decoded(raw, file.name))):
            leaks.add(Leak(rel, needle.source, needle.what))
    return sorted(leaks)


def check(site_dir: Path, scoped: Scoped, visible_extra: Iterable[str] = ()) -> None:
    """Raise :class:`LeakError` when the site under ``site_dir`` holds anything it must not."""
    leaks = scan(site_dir, scoped, visible_extra)
    if leaks:
        raise LeakError(scoped.audience.name, leaks)


def audience_leaks(repo: Repository, audience: Audience, site_dir: Path) -> list[Leak]:
    """The leaks in one audience's built site, against a scope computed here, independently.

    The scope is worked out again rather than taken from the renderer, so a fault in what the
    renderer was given (or in how it was filtered) cannot also blind the check. Texts of
    aprecords.yml (organisation names, fixed arrangements) and the help pages in ``docs/``
    count as visible to every audience.
    """
    from aprecords.scope import scope

    visible = [*leaf_texts(repo.config.data), *repo.config.arrangements.values()]
    docs = repo.root / "docs"
    if docs.is_dir():
        visible += [f.read_text("utf-8", errors="replace") for f in sorted(docs.rglob("*.md"))]
    return scan(site_dir, scope(repo, audience), visible)


def check_audience(repo: Repository, audience: Audience, site_dir: Path) -> None:
    """Raise :class:`LeakError` when one audience's built site holds anything it must not."""
    leaks = audience_leaks(repo, audience, site_dir)
    if leaks:
        raise LeakError(audience.name, leaks)
