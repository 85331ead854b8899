"""The guard's one normal form: text as a stream of letters and digits that spelling cannot hide in.

:func:`words` applies, in order, alike to what is searched for and to what is searched:

1. a change from a lower-case to a capital letter (``TobiasWrenfeather``) marks a word break;
2. Unicode NFKC (full-width and styled letters become plain) and case folding;
3. every default-ignorable (zero-width characters, Hangul fillers), unassigned, private-use,
   surrogate and format code point removed, and every non-spacing mark (``é`` becomes ``e``);
4. the confusable skeleton of Unicode TR39 (:mod:`aprecords.guard.skeleton`, from Unicode's
   ``confusables.txt`` of the same version as Python's ``unicodedata``, 14.0.0: Cyrillic ``о``
   and Greek ``ο`` become Latin ``o``; ``0`` becomes ``o``, ``1`` becomes ``l``, ``m`` becomes
   ``rn``); case is folded first, so ``i`` also becomes ``l`` (a lower-case ``l`` for a capital
   ``I``);
5. digits that stand for letters mapped (``3`` to ``e``, ``4`` to ``a``, ``5`` to ``s``...);
6. every character that is not a letter or digit removed: it only marks a word break.

The result is the list of words between breaks; the *stream* is those words joined, so that a
hyphen, a dot, a space between letters, a line break or a tag cannot split a name. Only
equality in this form matters, never how a folded word reads. Non-ASCII characters are mapped
one at a time through a cache and ASCII text takes one ``bytes.translate``.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from aprecords.guard.codepoints import DEFAULT_IGNORABLE, NOT_CHARACTERS
from aprecords.guard.skeleton import prototypes, skeleton

_WORD = re.compile(r"[^\W_]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_CASE_BREAK = re.compile(r"(?<=[a-z])(?=[A-Z])")
_REMOVED = re.compile(f"[{DEFAULT_IGNORABLE}{NOT_CHARACTERS}]")
"""Code points removed before anything else is looked at (they show as nothing)."""
DIGITS_AS_LETTERS = {"2": "z", "3": "e", "4": "a", "5": "s", "6": "b", "7": "t", "8": "b", "9": "g"}
"""Digits read as the letters they stand for (``0`` and ``1`` are TR39's own ``o`` and ``l``)."""
_ASCII = bytes.maketrans(
    b"01i" + "".join(DIGITS_AS_LETTERS).encode(),
    b"oll" + "".join(DIGITS_AS_LETTERS.values()).encode(),
)
"""The one-to-one part of the ASCII skeleton and the digits, for ``bytes.translate``."""
_TABLE = str.maketrans({"0": "o", "1": "l", "i": "l", **DIGITS_AS_LETTERS})
"""The same for ``str.translate`` (text that keeps non-ASCII letters)."""
_DROPPED = frozenset({"Cf", "Mn", "Me"})
"""Format characters (invisible) and non-spacing marks (accents) are dropped; a spacing mark
(Tamil's AU length mark) is written beside its letter and read as the letter it looks like."""
_SUFFIXES = ("s", "es", "ed", "d", "ing", "er", "ers", "ly")
MIN_DISTINCT = 3
"""A single name word shorter than this (``Li``, ``Ng``) is too short to search on its own."""


def _unmarked(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not _hidden(c))


def _hidden(char: str) -> bool:
    """A code point shown as nothing: removed, never a word break."""
    category = unicodedata.category(char)
    return category in _DROPPED or _REMOVED.match(char) is not None


@functools.cache
def _fold_char(char: str) -> str:
    """One non-ASCII character folded: nothing for what shows as nothing (step 3), else its
    TR39 skeleton; a space (a word break) for a symbol, punctuation or a blank."""
    if _hidden(char):
        return ""
    base = _unmarked(char)
    if not base or base.isascii():
        return base
    folded = _unmarked(unicodedata.normalize("NFKC", skeleton(base)).casefold())
    if not any(c.isalnum() for c in folded):
        return " "
    if unicodedata.category(char)[0] not in "LN" and not folded.isascii():
        return " "
    return folded


def fold(text: str) -> str:
    """The text in the guard's normal form, word breaks still in it (steps 1 to 5)."""
    text = _CASE_BREAK.sub(" ", text)
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        text = _NON_ASCII.sub(lambda m: "".join(map(_fold_char, m.group())), text)
    if text.isascii():  # the usual case: one pass in C over bytes
        return text.encode("ascii").translate(_ASCII).decode("ascii").replace("m", "rn")
    return text.translate(_TABLE).replace("m", "rn")


def words(text: str) -> tuple[str, ...]:
    """The folded words of a text: its runs of letters and digits in the normal form."""
    return tuple(_WORD.findall(fold(text)))


def stream(text: str) -> str:
    """The text's letters and digits in the normal form, with nothing between them."""
    return "".join(words(text))


def warm() -> None:
    """Read the confusables and the dictionary now (before worker processes fork, so they share
    them)."""
    prototypes()
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
