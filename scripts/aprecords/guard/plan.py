"""What one audience's guard looks for: a plan of needles, and a warning for each value it can't.

For an audience the plan holds

* pupils **outside** its scope: each one's UPN, record id and the forms of their name
  (:func:`aprecords.guard.names.name_forms`);
* for an audience without the ``identity`` class, the same forms and the forename alone of its
  own pupils (their names are replaced by initials before rendering: none may remain);
* the texts its scope **withheld** (:attr:`Scoped.withheld`) that say enough to be searched
  (:func:`aprecords.guard.names.searchable`), or any value of the ``identity`` class; a text
  longer than :data:`WINDOW` words is searched as each run of that many words, so an excerpt
  is found too.

Nothing is left out silently. A form of a name that cannot be told apart from what the
audience rightly sees (a single everyday word such as ``Will``, a name shared with one of its
own pupils or staff, in its records) and a withheld text that one of its visible fields repeats
are not searched for in files, and :attr:`Plan.warnings` says so, naming the record and field
and every field of its own records (commit messages included) where the word appears as a word.
Nothing outside the records makes an exception: a name in ``aprecords.yml`` or a help page is
never a namesake (it is a finding of its own: :mod:`aprecords.guard.texts`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from aprecords.findings import escape_pointer_token
from aprecords.guard.match import Matcher, Needle, Reach, reach_of
from aprecords.guard.names import NameForm, name_forms, outside_what, searchable
from aprecords.guard.normal import words
from aprecords.scope import WITHHELD, Scoped

WINDOW = 8
"""A longer withheld text is also searched as every run of this many consecutive words, so a
truncated excerpt (a preview, a search snippet) is found too."""
EXAMPLE_IDS = frozenset({"hollybrook-2026-004", "exampleton-2025-001"})
"""The fictional record ids the help pages quote as examples (``docs/guide.md``,
``docs/attendance.md``). If a real record ever has one of these ids, it is not reported where
it appears: an id names no pupil. Names and UPNs have no allow-list."""
NAME_KEYS = frozenset({"name", "staff", "person"})
"""Keys whose values are people's names: an outside pupil's name equal to one is a namesake."""


@dataclass
class Plan:
    """What the guard looks for in one audience's site, and what it could not look for."""

    needles: list[Needle] = field(default_factory=list)
    skipped_short: int = 0
    skipped_visible: int = 0
    warnings: list[str] = field(default_factory=list)
    """One line per value not searched (or searched with a caveat), naming record and field."""


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
    history: dict[str, list[Any]] | None = None,
    example_ids: Iterable[str] = EXAMPLE_IDS,
) -> Plan:
    """The needles for one audience, and a warning for every value it could not search for.

    Only the audience's own records make a namesake or a repeat: no configuration or help-page
    text does. ``history`` (commits per record path) only adds the commit messages where an
    unsearchable word appears to the warnings.
    """
    result = Plan()
    fields = list(visible_fields(scoped, history))
    names = [(src, _words(text)) for src, text in fields if _is_name_field(src)]
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
        what = outside_what(value)
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
            add(Needle(_words(value), source, what, reach_of(_words(value), False)))
            continue
        for form in name_forms(value):
            what = f"the {form.form} of a pupil outside this audience"
            add(Needle(form.words, source, what, form.reach), form)
    candidates: list[Needle] = []
    for value, source in scoped.withheld:
        cls = scoped.classes.get(source)
        if cls == "identity" and source.endswith("/student/name"):
            for form in name_forms(value, forename_alone=True):
                what = f"the {form.form} of a pupil, withheld from this audience (identity)"
                add(Needle(form.words, source, what, form.reach), form)
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
                candidates.append(Needle(run, source, what, reach_of(run, False)))
    _sort_names(result, forms, names, fields)
    _sort_withheld(result, candidates, fields)
    return result


def _sort_names(
    result: Plan,
    forms: list[tuple[Needle, NameForm]],
    names: list[tuple[str, tuple[str, ...]]],
    fields: list[tuple[str, str]],
) -> None:
    """Search the forms of names that fail when found; warn about the others (a single
    everyday word, found in the audience's own fields only where it stands as a word; names
    the audience rightly sees)."""
    if not forms:
        return
    # A form found inside a longer word this audience sees ("Roberts" in "Robertson") is
    # looked for as whole words only: matched anywhere, it would stop every page with that word.
    inside = _occurrences([n for n, _ in forms if n.reach is Reach.ANYWHERE], fields)
    if inside:
        forms = [(replace(n, reach=Reach.WORDS) if n in inside else n, f) for n, f in forms]
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
