"""Texts and names to measure the guard's false alarms on (``bench/guard_threshold.py`` and
``tests/test_guard_corpus.py``): real English prose, the help pages and the built example sites,
and real forenames and surnames of many origins from Faker's name lists.

Nothing here is used by a build: it only tells how long a distinctive name must be before it is
matched inside words as well (:data:`aprecords.guard.match.MIN_ANYWHERE`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from aprecords.guard.formats import decoded
from aprecords.guard.match import Matcher, Needle, Reach
from aprecords.guard.names import _everyday
from aprecords.guard.normal import words

LOCALES = (
    "en_GB", "en_IE", "en_IN", "pl_PL", "ro_RO", "tr_TR", "fr_FR", "it_IT", "pt_PT", "es_ES",
    "de_DE", "nl_NL", "lt_LT", "cs_CZ", "hu_HU", "sk_SK", "da_DK", "sv_SE",
)  # fmt: skip
"""Faker locales whose names are written in Latin letters, as English schools' pupils' are."""


def english_prose() -> str:
    """Real English prose that ships with Python: the pydoc help topics (about 0.5 MB)."""
    from pydoc_data.topics import topics

    return "\n".join(topics[key] for key in sorted(topics))


def name_words() -> list[str]:
    """Distinct forenames and surnames (single words) of :data:`LOCALES`, sorted."""
    import faker  # a test dependency: lists of real names, no network

    found: set[str] = set()
    for locale in LOCALES:
        provider = faker.Faker(locale).provider("faker.providers.person")
        for attr in ("first_names", "last_names", "first_names_male", "first_names_female"):
            names = getattr(provider, attr, ())
            found.update(n for n in names if n.isalpha())
    return sorted(found)


def distinctive(names: list[str]) -> list[str]:
    """The names the guard would search for on their own (no everyday word, 3 letters or more)."""
    return [n for n in names if not _everyday(n)]


def site_words(site: Path) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(relative path, folded words) of every file of built sites that a scan reads: not the theme's
    own files (skipped by their digest) nor the hub's web form (no pupil is outside the hub)."""
    import hashlib

    from aprecords.guard.scan import theme_digests

    skip = theme_digests()
    for file in sorted(site.rglob("*")):
        rel = file.relative_to(site).as_posix()
        if not file.is_file() or rel.startswith(("hub/admin/", "nginx/", ".aprecords/")):
            continue
        raw = file.read_bytes()
        if hashlib.sha256(raw).hexdigest() not in skip:
            yield rel, words(decoded(raw, file.name))


def found_by_chance(names: list[str], texts: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """For each name, the texts that hold it only inside other words, never as words of its
    own (``texts``: label -> folded words): where matching it anywhere is a false alarm."""
    anywhere = Matcher(Needle(words(name), name, name) for name in names)
    whole = Matcher(Needle(words(name), name, name, Reach.WORDS) for name in names)
    hits: dict[str, list[str]] = {}
    for label, found in texts.items():
        as_words = {n.source for n in whole.find(found)}
        for needle in anywhere.find(found):
            if needle.source not in as_words:
                hits.setdefault(needle.source, []).append(label)
    return hits
