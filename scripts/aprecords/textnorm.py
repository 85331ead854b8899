"""Text folded so that spelling tricks cannot hide a name: the leak check's one normal form.

:func:`fold` applies, in order: Unicode NFKC (full-width and styled letters become plain),
case folding, removal of invisible format characters (category Cf: zero-width spaces and
joiners, bidi controls, soft hyphens), canonical decomposition with every combining mark
dropped (``é`` and ``e`` + U+0301 both become ``e``), and the confusable skeleton of Unicode
TR39 as ICU computes it (``SpoofChecker.getSkeleton``: Cyrillic ``о`` and Greek ``ο`` become
Latin ``o``; ``0`` becomes ``o``, ``1`` becomes ``l``, ``m`` becomes ``rn``). Because case is
folded first, ``i`` is also folded to ``l``, so a lower-case ``l`` standing for a capital ``I``
(``TOBlAS``) is caught. Both the built pages and the values searched for are folded the same
way, so only equality of the folded forms matters, never how a folded word reads.

Non-ASCII characters are mapped one at a time through a cache and ASCII text takes a few
``str.replace`` passes, so a page is folded about as fast as it is read.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_ASCII_SKELETON = (("0", "o"), ("1", "l"), ("i", "l"), ("m", "rn"))
"""TR39's skeleton of the ASCII letters and digits left after case folding (``0``, ``1``,
``m``; ``I`` is already ``i``), and ``i`` -> ``l`` (see the module docstring)."""
_DROPPED = frozenset({"Cf", "Mn", "Me"})
"""Format characters (invisible) and combining marks (accents) are dropped."""
_SUFFIXES = ("s", "es", "ed", "d", "ing", "er", "ers", "ly")
_ASCII_BYTES = bytes.maketrans(b"01i", b"oll")
"""The one-to-one part of :data:`_ASCII_SKELETON`, for ``bytes.translate``."""
MIN_DISTINCT = 3
"""A single name word shorter than this (``Li``, ``Ng``) is too short to search on its own."""


@functools.cache
def _spoof_checker():  # type: ignore[no-untyped-def]
    import icu  # PyICU: ICU's implementation of Unicode TR39

    return icu.SpoofChecker()


@functools.cache
def _fold_char(char: str) -> str:
    """One non-ASCII character folded: nothing for a format character or a combining mark,
    else its decomposition without marks, through the TR39 skeleton. A space when the result
    is no letter or digit, or when a symbol or punctuation mark looks like no ASCII letter
    (an em dash): it separates words, as it did before, and most pages fold to ASCII."""
    category = unicodedata.category(char)
    if category in _DROPPED:
        return ""
    base = "".join(
        c for c in unicodedata.normalize("NFD", char) if unicodedata.category(c) not in _DROPPED
    )
    if not base or base.isascii():
        return base
    skeleton = unicodedata.normalize("NFKC", _spoof_checker().getSkeleton(0, base)).casefold()
    skeleton = "".join(
        c for c in unicodedata.normalize("NFD", skeleton) if unicodedata.category(c) not in _DROPPED
    )
    if not any(c.isalnum() for c in skeleton):
        return " "
    if category[0] not in "LN" and not skeleton.isascii():
        return " "
    return skeleton


def fold(text: str) -> str:
    """The text in the leak check's normal form (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        text = _NON_ASCII.sub(lambda m: "".join(map(_fold_char, m.group())), text)
    if text.isascii():  # the usual case: one pass in C over bytes
        return text.encode("ascii").translate(_ASCII_BYTES).decode("ascii").replace("m", "rn")
    for old, new in _ASCII_SKELETON:
        text = text.replace(old, new)
    return text


def words(text: str) -> tuple[str, ...]:
    """The folded words (runs of letters and digits) of a text."""
    return tuple(_WORD.findall(fold(text)))


def warm() -> None:
    """Load ICU and the dictionary now (before worker processes fork, so they share them)."""
    _spoof_checker()
    _dictionary()


@functools.cache
def _dictionary() -> frozenset[str]:
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(["gcide"], alpha=True, lower=True))


def plain(text: str) -> str:
    """Lower-case ASCII letters of a text, accents dropped (for dictionary look-ups)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed.casefold() if c.isascii() and c.isalpha())


def everyday(word: str) -> bool:
    """True when one name word cannot be searched for on its own without false alarms.

    That is a word of the English dictionary (GCIDE, from the ``english-words`` package:
    ``Will``, ``Brown``, ``Marsh``), an inflected form of one (``Changed``, ``Reviews``), or a
    word shorter than :data:`MIN_DISTINCT` letters.
    """
    letters = plain(word)
    if len(letters) < MIN_DISTINCT:
        return True
    known = _dictionary()
    if letters in known:
        return True
    # The dictionary lists head words: an inflected form (changed, reviews) is everyday too.
    for suffix in _SUFFIXES:
        stem = letters.removesuffix(suffix)
        if stem != letters and len(stem) >= MIN_DISTINCT and (stem in known or stem + "e" in known):
            return True
    return False
