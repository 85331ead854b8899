"""Sensitive text in the wrong field: safeguarding words where everyone reads them, and
withheld texts copied word for word into fields that are not withheld.

A field without an ``x-sensitivity`` class reaches every audience that sees the placement
(providers, a local-authority officer). Safeguarding terms typed there are a warning naming
the field; a withheld text repeated verbatim in a visible field is an error, because it
undoes the withholding. Both compare texts in the leak guard's normal form
(:mod:`aprecords.guard.normal`), so a separator, a digit for a letter or an invisible code point
inside the words hides neither: terms as whole words, copies anywhere in the visible text.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from aprecords import model
from aprecords.findings import pointer
from aprecords.guard.match import Matcher, Needle, Reach
from aprecords.guard.normal import stream, words
from aprecords.repository import Record
from aprecords.validate.rules.base import Context, Hit, rule

DEFAULT_TERMS = (
    "social care",
    "child protection",
    "CP plan",
    "child in need",
    "section 47",
    "section 17",
    "strategy meeting",
    "police",
    "LADO",
    "MASH",
    "early help",
    "domestic abuse",
    "domestic violence",
    "sexual abuse",
    "criminal exploitation",
    "county lines",
    "FGM",
    "Prevent referral",
)
"""Words that mark safeguarding information (``safeguarding_terms`` in aprecords.yml
replaces this list)."""

MIN_WORDS, MIN_CHARS = 3, 16
"""A withheld text shorter than this ("None.", "N/A") is not checked for copies."""

Leaf = tuple[tuple[str | int, ...], str]


def schema_path(trail: tuple[str | int, ...]) -> tuple[str, ...]:
    """A field's path as the schema writes it: list items as ``*``."""
    return tuple("*" if isinstance(t, int) else t for t in trail)


def sensitivity(trail: tuple[str | int, ...], marks: dict[tuple[str, ...], str]) -> str | None:
    """The class of the nearest marked ancestor of a path (list items match ``*``)."""
    return _nearest(schema_path(trail), marks)


def _nearest(path: tuple[str, ...], marks: dict[tuple[str, ...], str]) -> str | None:
    for end in range(len(path), 0, -1):
        found = marks.get(path[:end])
        if found is not None:
            return found
    return None


@lru_cache(maxsize=8)
def _terms(terms: tuple[str, ...]) -> Matcher:
    """The terms as needles found where they stand as words (``MASH``, not "smashed")."""
    return Matcher(Needle(words(t), t, t, Reach.WORDS) for t in terms)


SPLIT, CLASSES = "sensitive: split", ("sensitive: classes", None)
"""Keys of the run's memo: a record's split (with its path), and the classes by field shape."""


def _split(record: Record, ctx: Context) -> tuple[list[Leaf], list[tuple[Leaf, str]]]:
    """The record's visible texts, and its withheld ones with their class (worked out once
    per run for the two rules here; each field shape's class once per run)."""
    found = ctx.memo.get((SPLIT, record.path))
    if found is not None:
        return found
    marks = ctx.placement_marks
    classes: dict[tuple[str, ...], str | None] | None = ctx.memo.get(CLASSES)
    if classes is None:
        classes = ctx.memo[CLASSES] = {}
    visible, withheld = [], []
    for trail, text in model.string_leaves(record.data):
        shape = schema_path(trail)
        if shape in classes:
            cls = classes[shape]
        else:
            cls = classes[shape] = _nearest(shape, marks)
        if cls is None:
            visible.append((trail, text))
        else:
            withheld.append(((trail, text), cls))
    found = ctx.memo[SPLIT, record.path] = (visible, withheld)
    return found


def _field(trail: tuple[str | int, ...]) -> str:
    return ".".join(f"[{t}]" if isinstance(t, int) else str(t) for t in trail).replace(".[", "[")


@rule(
    "safeguarding-term",
    "Safeguarding words are written in safeguarding fields, not in fields every audience reads.",
    severity="warning",
)
def safeguarding_term(record: Record, ctx: Context) -> Iterator[Hit]:
    """One warning per field, naming the first term found."""
    terms = tuple(ctx.repo.config.data.get("safeguarding_terms") or DEFAULT_TERMS)
    matcher = _terms(terms)
    visible, _ = _split(record, ctx)
    for trail, text in visible:
        found = matcher.find(words(text))
        if found:
            term = min(found, key=lambda n: terms.index(n.source)).source
            yield Hit(
                record,
                pointer(*trail),
                f"'{term}' in {_field(trail)} reads like safeguarding information, "
                "but this field is shown to every audience that sees the placement (providers "
                "too); move it to a safeguarding field (agreements.safeguarding, or the "
                "review's safeguarding), or reword it",
            )


@rule(
    "withheld-text-copied",
    "A withheld text is not repeated word for word in a field other audiences can read.",
)
def withheld_text_copied(record: Record, ctx: Context) -> Iterator[Hit]:
    """Copying a safeguarding, SEND or wellbeing text into a visible field publishes it."""
    visible, withheld = _split(record, ctx)
    texts = [(stream(v), trail) for trail, v in visible]
    for (trail, text), cls in withheld:
        found = words(text)
        if len(" ".join(found)) < MIN_CHARS or len(found) < MIN_WORDS:
            continue
        needle = stream(text)
        for haystack, where in texts:
            if needle in haystack:
                yield Hit(
                    record,
                    pointer(*where),
                    f"{_field(where)} repeats {_field(trail)} word for word, which is kept "
                    f"from audiences without the '{cls}' class; remove the copy (refer to "
                    "the withheld field instead)",
                )
