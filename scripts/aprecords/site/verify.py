"""The leak check: scan every file of one audience's built site for what it must not hold.

After an audience's site is built (and before it is swapped in), every output file is read and
searched for

* pupils **outside** the audience's scope: each one's UPN and record id, and their name as
  the full name in order, the full name in MIS order (``Surname, Forename``), the surname next
  to the forename's initial (``T. Wrenfeather``, ``Wrenfeather T``) and the surname alone;
* for an audience without the ``identity`` class, the same forms and the forename alone of its
  own pupils (their names are replaced by initials before rendering: none may remain);
* the texts its scope **withheld** (:attr:`Scoped.withheld`), when they can be searched
  meaningfully: at least :data:`MIN_WORDS` words and :data:`MIN_CHARS` characters, or a value of
  the ``identity`` class, or one identifier-like word (letters and digits, 8 or more characters,
  such as a UPN). Short or generic answers ("None.", "N/A", "Yes") are skipped, because they
  appear everywhere and say nothing. A text longer than :data:`WINDOW` words is searched as
  each run of that many words, so an excerpt is found too.

Matching is on words of :func:`aprecords.textnorm.fold`: NFKC, case folding, invisible
characters and accents dropped, confusable letters mapped to one TR39 skeleton, so a zero-width
space, a combining accent or a Cyrillic ``о`` cannot hide a name. Files are decoded first (gzip,
JSON strings, JavaScript ``\\u`` escapes, HTML entities, URL escapes); tag names are dropped and
attributes kept, so ``Ann <em>Lee</em>`` and ``alt="Ann Lee"`` are both found.

Nothing is left out silently. A form of a name that cannot be told apart from what the
audience rightly sees (a single everyday word such as ``Will``, a name shared with one of its
own pupils or a member of staff) and a withheld text that one of its visible fields repeats are
not searched, and :attr:`Plan.warnings` says so, naming the record and field, and names every
field of the audience's own records (commit messages included) where the word appears. The
plan is part of each audience's build fingerprint, so the result never depends on the cache.

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
import os
import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from aprecords.access import Audience
from aprecords.errors import UsageError
from aprecords.findings import escape_pointer_token
from aprecords.repository import Repository
from aprecords.scope import WITHHELD, Scoped, leaf_texts
from aprecords.textnorm import everyday
from aprecords.textnorm import words as words

MIN_WORDS = 3
"""A withheld free text is searched when it has at least this many words..."""
MIN_CHARS = 16
"""...and at least this many characters (words joined by single spaces)."""
WINDOW = 8
"""A longer withheld text is also searched as every run of this many consecutive words, so a
truncated excerpt (a preview, a search snippet) is found too."""
EXAMPLE_IDS = frozenset({"hollybrook-2026-004", "exampleton-2025-001"})
"""The fictional record ids the help pages quote as examples (``docs/guide.md``,
``docs/attendance.md``). If a real record ever has one of these ids, it is not reported where
it appears: an id names no pupil. Names and UPNs have no allow-list."""
NAME_KEYS = frozenset({"name", "staff", "person"})
"""Keys whose values are people's names: an outside pupil's name equal to one is a namesake."""

_TAG = re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9:-]*|/?>")
_JS_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]{1,6})\}|\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})")
_JS_CONTROL = re.compile(r"\\[nrtfvb]")
_UPN = re.compile(r"^[A-Z][0-9]{11}[0-9A-Z]$")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")


@dataclass(frozen=True, eq=False)
class Needle:
    """One value to look for: its words, where it comes from, and what it is (never the value).

    Compared by identity (each plan makes each needle once; hashing by value was a third of
    the planning time)."""

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
    """What the check looks for in one audience's site, and what it could not look for."""

    needles: list[Needle] = field(default_factory=list)
    skipped_short: int = 0
    skipped_visible: int = 0
    warnings: list[str] = field(default_factory=list)
    """One line per value not searched (or searched with a caveat), naming record and field."""


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
    found = re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", text).casefold())
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


@dataclass(frozen=True)
class NameForm:
    """One way of writing a pupil's name: its folded words, what it is, whether it is safe
    to search for (False for a single everyday word, or an initial next to one)."""

    words: tuple[str, ...]
    form: str
    distinct: bool


@functools.lru_cache(maxsize=1 << 16)
def name_forms(name: str, forename_alone: bool = False) -> tuple[NameForm, ...]:
    """The forms of a pupil's name the check looks for (see the module docstring).

    The first whitespace-separated part is the forename and the last the surname (a
    hyphenated or apostrophised surname stays one part: ``O'Rourke-Mills``).
    """
    parts = [(raw, words(raw)) for raw in name.split()]
    parts = [(raw, found) for raw, found in parts if found]
    if not parts:
        return []
    full = tuple(w for _, found in parts for w in found)
    if len(parts) == 1:
        raw, _ = parts[0]
        return (NameForm(full, "name", not _everyday(raw)),)
    (fore_raw, fore), (sur_raw, sur) = parts[0], parts[-1]
    fore_common, sur_common = _everyday(fore_raw), _everyday(sur_raw)
    initial = words(fore_raw[0]) or (fore[0][0],)
    forms = [
        NameForm(full, "full name", True),
        NameForm(
            sur + fore, "name in MIS order (surname, forename)", not (fore_common and sur_common)
        ),
        NameForm(initial + sur, "initial and surname", not sur_common),
        NameForm(sur + initial, "surname and initial", not sur_common),
        NameForm(sur, "surname", not sur_common),
    ]
    if len(parts) > 2:
        forms.insert(1, NameForm(fore + sur, "forename and surname", True))
    if forename_alone:
        forms.append(NameForm(fore, "forename", not fore_common))
    return tuple(forms)


@functools.lru_cache(maxsize=1 << 16)
def _everyday(raw: str) -> bool:
    """True when every word of a name part is an everyday word (``Will``, ``Brown-Smith``)."""
    pieces = re.findall(r"[^\W_\d]+", raw)
    return all(everyday(p) for p in pieces) if pieces else True


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


_words = functools.lru_cache(maxsize=1 << 18)(words)
"""``words`` remembered: the same record texts are planned for several audiences."""


def pointed_leaves(value: Any, trail: str = "") -> Iterator[tuple[str, str]]:
    """(JSON pointer, text) of every text or number inside a value (WITHHELD left out)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from pointed_leaves(item, f"{trail}/{escape_pointer_token(str(key))}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from pointed_leaves(item, f"{trail}/{i}")
    elif value is not None and value is not WITHHELD and not isinstance(value, bool):
        yield trail, str(value)


def visible_fields(
    scoped: Scoped, history: dict[str, list[Any]] | None = None
) -> Iterator[tuple[str, str]]:
    """("path#pointer", text) of every value the audience sees in its records.

    Commit messages of its records count when it reads them (audiences granted every class).
    """
    from aprecords.access import CLASSES

    groups = (
        ("", scoped.placements),
        ("school:", scoped.schools),
        ("provider:", scoped.providers),
        ("attendance:", scoped.attendance),
    )
    for prefix, group in groups:
        for key, data in group.items():
            path = scoped.paths.get(f"{prefix}{key}", key)
            for ptr, text in pointed_leaves(data):
                yield f"{path}#{ptr}", text
    if history and scoped.audience.grants >= set(CLASSES):
        for pid in scoped.placements:
            path = scoped.paths.get(pid, "")
            for commit in history.get(path, []):
                yield f"{path} (commit {commit.sha[:10]} message)", commit.subject


def _is_name_field(source: str) -> bool:
    key = source.rsplit("/", 1)[-1]
    return key in NAME_KEYS or key.endswith("_name")


def plan(
    scoped: Scoped,
    visible_extra: Iterable[str] = (),
    history: dict[str, list[Any]] | None = None,
    example_ids: Iterable[str] = EXAMPLE_IDS,
) -> Plan:
    """The needles for one audience, and a warning for every value it could not search for.

    ``visible_extra`` are texts every audience sees (the organisation names of aprecords.yml):
    a name equal to one of them is a namesake. ``history`` (commits per record path) only
    adds the commit messages where an unsearchable word appears to the warnings.
    """
    result = Plan()
    fields = list(visible_fields(scoped, history))
    extra = [("aprecords.yml", text) for text in visible_extra]
    names = [(src, _words(text)) for src, text in [*fields, *extra] if _is_name_field(src)]
    names += [(src, _words(text)) for src, text in extra]
    allowed = {tuple(_words(i)) for i in example_ids}
    # (needle, form description) of every name form, then sorted into searched and not.
    forms: list[tuple[Needle, NameForm]] = []
    seen: set[tuple[tuple[str, ...], str]] = set()

    def add(needle: Needle, form: NameForm | None = None) -> None:
        if needle.words and (needle.words, needle.source + needle.what) not in seen:
            seen.add((needle.words, needle.source + needle.what))
            if form is None:
                result.needles.append(needle)
            else:
                forms.append((needle, form))

    upns = {_words(text): src for src, text in fields if src.endswith("/upn")}
    for value, source in scoped.outside:
        what = _outside_what(value)
        if "name" not in what:
            if "record id" in what and tuple(_words(value)) in allowed:
                continue
            if "UPN" in what and _words(value) in upns:  # one pupil, two records
                result.skipped_visible += 1
                result.warnings.append(
                    f"{source}#/student/upn: the UPN of a pupil outside this audience is also "
                    f"the UPN of a pupil it sees, in {upns[_words(value)]} (one pupil with two "
                    "records?), so it is not searched for in this site"
                )
                continue
            add(Needle(_words(value), source, what))
            continue
        for form in name_forms(value):
            add(
                Needle(form.words, source, f"the {form.form} of a pupil outside this audience"),
                form,
            )
    candidates: list[Needle] = []
    for value, source in scoped.withheld:
        cls = scoped.classes.get(source)
        if cls == "identity" and source.endswith("/student/name"):
            for form in name_forms(value, forename_alone=True):
                what = f"the {form.form} of a pupil, withheld from this audience (identity)"
                add(Needle(form.words, source, what), form)
            continue
        if cls != "identity" and not searchable(value):
            result.skipped_short += 1
            continue
        what = f"a value withheld from this audience ({cls or 'sensitive'})"
        found = _words(value)
        for i in range(max(1, len(found) - WINDOW + 1)):
            run = found[i : i + WINDOW]
            if run and (run, source) not in seen:
                seen.add((run, source))
                candidates.append(Needle(run, source, what))
    _sort_names(result, forms, names, fields)
    _sort_withheld(result, candidates, [*fields, *extra])
    return result


def _sort_names(
    result: Plan,
    forms: list[tuple[Needle, NameForm]],
    names: list[tuple[str, tuple[str, ...]]],
    fields: list[tuple[str, str]],
) -> None:
    """Search the distinct forms of names; warn about the others (everyday words, namesakes)."""
    if not forms:
        return
    # A form is a namesake's when a visible name holds all its words, in any order, an
    # initial standing for any word of that name with that first letter: a pupil of the same
    # name can rightly appear as "Wrenfeather, Tobias" or "T. Wrenfeather" too.
    by_word: dict[str, list[tuple[str, frozenset[str], frozenset[str]]]] = {}
    for src, found in names:
        # (an initial M folds to "rn": two letters)
        entry = (src, frozenset(found), frozenset(w[:n] for w in found for n in (1, 2)))
        for word in set(found):
            by_word.setdefault(word, []).append(entry)
    namesakes: dict[Needle, str] = {}
    for needle, _ in forms:
        full = [w for w in needle.words if len(w) > 1] or list(needle.words)
        for src, have, firsts in by_word.get(max(full, key=len), []):
            if all(w in have or (len(w) <= 2 and w in firsts) for w in needle.words):
                namesakes[needle] = src
                break
    unsearched = [
        (needle, namesakes.get(needle))
        for needle, form in forms
        if needle in namesakes or not form.distinct
    ]
    skip = {needle for needle, _ in unsearched}
    result.needles.extend(needle for needle, _ in forms if needle not in skip)
    if not unsearched:
        return
    where = _occurrences(
        [n for n, _ in unsearched], [f for f in fields if not _is_name_field(f[0])]
    )
    searched = {needle.source for needle, _ in forms if needle not in skip}
    grouped: dict[tuple[str, str, str], list[Needle]] = {}
    for needle, namesake in unsearched:
        whose = needle.what.split(" of a pupil", 1)[1]
        reason = (
            f"it is also a name this audience sees, in {namesake}"
            if namesake
            else "those words are everyday words (or shorter than 3 letters)"
        )
        grouped.setdefault((needle.source, whose, reason), []).append(needle)
    for (source, whose, reason), needles in grouped.items():
        field_ = source if "#" in source else f"{source}#/student/name"
        what = ", ".join(n.what.split(" of a pupil", 1)[0].removeprefix("the ") for n in needles)
        also = sorted({src for n in needles for src in where.get(n, [])})
        still = (
            "its other forms, the UPN and the record id are"
            if source in searched
            else "the UPN and the record id still are"
        )
        seen_in = (
            f"; the word appears in {', '.join(also[:5])}{' and more' if len(also) > 5 else ''}"
            ": check that these do not name that pupil"
            if also
            else ""
        )
        result.skipped_visible += len(needles)
        result.warnings.append(
            f"{field_}: the name of a pupil{whose} is not searched for in this site as: {what}, "
            f"because {reason} ({still}){seen_in}"
        )


def _sort_withheld(result: Plan, candidates: list[Needle], fields: list[tuple[str, str]]) -> None:
    """Search withheld texts, except those a visible field repeats (warned about, by field)."""
    if not candidates:
        return
    where = _occurrences(candidates, fields)
    for needle in candidates:
        if needle in where:
            result.skipped_visible += 1
        else:
            result.needles.append(needle)
    reported: set[str] = set()
    for needle, found in where.items():
        if needle.source not in reported:
            reported.add(needle.source)
            result.warnings.append(
                f"{needle.source}: {needle.what} is repeated in {', '.join(found[:5])}, which "
                "this audience sees, so it is not searched for in this site: move it out of "
                "the visible field if it should stay withheld"
            )


def _occurrences(needles: list[Needle], fields: list[tuple[str, str]]) -> dict[Needle, list[str]]:
    """For each needle, the visible fields whose text holds it."""
    matcher = Matcher(needles)
    found: dict[Needle, list[str]] = {}
    for src, text in fields:
        for needle in matcher.find(_words(text)):
            found.setdefault(needle, []).append(src)
    return found


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
    while "&" in text:  # until nothing changes: each pass shortens the text, so this ends
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


def needles_digest(needles: Iterable[Needle]) -> str:
    """SHA-256 of what a check searches for (words, source and kind of every needle)."""
    rows = sorted((list(n.words), n.source, n.what) for n in needles)
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode("utf-8")).hexdigest()


def scan(site_dir: Path, scoped: Scoped, visible_extra: Iterable[str] = ()) -> list[Leak]:
    """Every leak in the files under ``site_dir`` (paths in the result relative to it)."""
    return scan_changed(site_dir, scoped, visible_extra)[0]


def scan_changed(
    site_dir: Path,
    scoped: Scoped,
    visible_extra: Iterable[str] = (),
    unchanged: Collection[str] = (),
    checked_with: str = "",
) -> tuple[list[Leak], str]:
    """(every leak under ``site_dir``, the digest of what was searched for).

    Files whose relative path is in ``unchanged`` are not read when ``checked_with`` equals
    that digest: the caller vouches that each is byte for byte a file of an earlier build that
    passed a search for exactly these needles (a file's hits depend only on its bytes, its name
    and the needles), so reading it again could find nothing. Otherwise every file is read.
    """
    needles = plan(scoped, visible_extra).needles
    digest = needles_digest(needles)
    if not needles:
        return [], digest
    skip_files = frozenset(unchanged) if checked_with == digest else frozenset()
    matcher = Matcher(needles)
    skip = theme_digests()
    leaks: set[Leak] = set()
    for file in sorted(site_dir.rglob("*")):
        if not file.is_file() or file.relative_to(site_dir).as_posix() in skip_files:
            continue
        raw = file.read_bytes()
        if hashlib.sha256(raw).hexdigest() in skip:
            continue
        rel = file.relative_to(site_dir).as_posix()
        leaks.update(_one_per_source(rel, matcher.find(words(decoded(raw, file.name)))))
    return sorted(leaks), digest


def _one_per_source(rel: str, hits: Iterable[Needle]) -> Iterator[Leak]:
    """One leak per source, kind and file: of several forms of a name found, the longest."""
    best: dict[tuple[str, str], Needle] = {}
    for needle in sorted(hits, key=lambda n: (-len(n.words), n.what)):
        prefix, _, rest = needle.what.partition(" of a pupil")
        name = rest and not prefix.startswith("the UPN")  # a form of a name
        best.setdefault((needle.source, rest if name else needle.what), needle)
    for needle in best.values():
        yield Leak(rel, needle.source, needle.what)


def check(site_dir: Path, scoped: Scoped, visible_extra: Iterable[str] = ()) -> None:
    """Raise :class:`LeakError` when the site under ``site_dir`` holds anything it must not."""
    leaks = scan(site_dir, scoped, visible_extra)
    if leaks:
        raise LeakError(scoped.audience.name, leaks)


def config_texts(repo: Repository) -> list[str]:
    """Texts of aprecords.yml that every audience's site shows (organisation names...)."""
    return [*leaf_texts(repo.config.data), *repo.config.arrangements.values()]


def audience_plan(
    repo: Repository, scoped: Scoped, history: dict[str, list[Any]] | None = None
) -> Plan:
    """The plan of one audience's check (for its fingerprint and its warnings)."""
    return plan(scoped, config_texts(repo), history)


def audience_leaks(repo: Repository, audience: Audience, site_dir: Path) -> list[Leak]:
    """The leaks in one audience's built site, against a scope computed here, independently.

    The scope is worked out again rather than taken from the renderer, so a fault in what the
    renderer was given (or in how it was filtered) cannot also blind the check. Texts of
    aprecords.yml (organisation names, fixed arrangements) count as visible to every audience;
    the help pages do not: they are checked like any page (and once, on their own, by
    :func:`check_help_pages`).
    """
    from aprecords.scope import scope

    return scan(site_dir, scope(repo, audience), config_texts(repo))


def check_audience(
    repo: Repository,
    audience: Audience,
    site_dir: Path,
    unchanged: Collection[str] = (),
    checked_with: str = "",
) -> str:
    """Raise :class:`LeakError` when one audience's built site holds anything it must not;
    return the digest of what was searched for (``unchanged``: see :func:`scan_changed`)."""
    from aprecords.scope import scope

    leaks, digest = scan_changed(
        site_dir, scope(repo, audience), config_texts(repo), unchanged, checked_with
    )
    if leaks:
        raise LeakError(audience.name, leaks)
    return digest


# --- help pages ----------------------------------------------------------------------------


class HelpPageLeakError(Exception):
    """A help page holds pupil data: no audience is built (exit 1)."""


def help_files(docs: Path, skip: Iterable[str] = ()) -> list[str]:
    """Every file of ``docs/`` (relative paths, sorted; hidden ones and ``skip`` left out).

    A symbolic link, or anything that resolves outside ``docs/``, is refused (UsageError,
    exit 2): a link committed there would publish whatever it points at (``/proc/self/environ``,
    a record) to every audience.
    """
    if not docs.exists() and not docs.is_symlink():
        return []
    if docs.is_symlink():
        raise UsageError(
            f"{docs}: is a symbolic link; the help pages folder must be a real folder "
            "inside the repository"
        )
    base = docs.resolve()
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(docs):
        here = Path(dirpath)
        dirnames.sort()
        for name in [*dirnames, *sorted(filenames)]:
            entry = here / name
            rel = entry.relative_to(docs).as_posix()
            if any(part.startswith(".") for part in entry.relative_to(docs).parts):
                continue
            if entry.is_symlink():
                raise UsageError(
                    f"{entry}: is a symbolic link (to {os.readlink(entry)}); help pages are "
                    "published to every audience, so links are refused: replace it with the "
                    "file itself or remove it"
                )
            if not entry.resolve().is_relative_to(base):
                raise UsageError(f"{entry}: resolves outside {docs}; remove it")
            if entry.is_file() and rel.split("/")[0] not in skip:
                found.append(rel)
    return sorted(found)


def _help_audience() -> Audience:
    """Sees every record and only the identity class: every other sensitive value is
    withheld from it (names, UPNs and ids are added as outside values, below)."""
    return Audience("help pages", "help pages", "hub", frozenset({"identity"}))


def help_page_leaks(repo: Repository, skip: Iterable[str] = ()) -> list[str]:
    """``docs/...:line:col: error: ...`` for every pupil datum in a help page.

    Help pages go to every audience, so none may hold any pupil's name (every form above),
    UPN or record id (but :data:`EXAMPLE_IDS`), nor any value of a sensitivity class.
    """
    from aprecords.scope import scope

    docs = repo.root / "docs"
    files = help_files(docs, skip)
    if not files:
        return []
    scoped = scope(repo, _help_audience())
    # Nothing counts as visible to a help page: its own pupils' names are not namesakes.
    scoped.placements, scoped.schools, scoped.providers, scoped.attendance = {}, {}, {}, {}
    for record in repo.records:  # every placement file, valid or not
        if record.kind != "placement":
            continue
        student = record.data.get("student")
        student = student if isinstance(student, dict) else {}
        values = [student.get("name"), student.get("upn"), record.data.get("id")]
        scoped.outside.extend((v, record.path) for v in values if isinstance(v, str) and v.strip())
    result = plan(scoped)
    needles = [*result.needles]
    matcher = Matcher(needles)
    found: list[str] = []
    for rel in files:
        raw = (docs / rel).read_bytes()
        text = decoded(raw, rel)
        hits = matcher.find(words(text))
        if not hits:
            continue
        lines = text.splitlines()
        best = {(leak.source, leak.what) for leak in _one_per_source(rel, hits)}
        for needle in sorted(hits, key=lambda n: (n.source, n.what)):
            if (needle.source, needle.what) not in best:
                continue  # one line per pupil and file: the longest form found
            best.remove((needle.source, needle.what))  # (a long text has several needles)
            line = next((i for i, t in enumerate(lines, 1) if needle in matcher.find(words(t))), 1)
            what = needle.what.replace(" outside this audience", "").replace(
                " withheld from this audience", " of a sensitivity class"
            )  # (names are not withheld from the help pages: they are outside values here)
            found.append(
                f"docs/{rel}:{line}:1: error: {what} (source: {needle.source}); help pages "
                "are published to every audience, so they must hold no pupil's name, UPN, "
                "record id or sensitive text [help-page-leak]"
            )
    return found


def check_help_pages(repo: Repository, skip: Iterable[str] = ()) -> None:
    """Raise :class:`HelpPageLeakError` when a help page holds pupil data."""
    found = help_page_leaks(repo, skip)
    if found:
        raise HelpPageLeakError(
            "\n".join(found) + f"\naprecords: {len(found)} pupil value(s) in the help pages; "
            "no site was built (the previous ones are unchanged)"
        )
