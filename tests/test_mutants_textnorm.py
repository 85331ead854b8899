"""Tests that kill mutants of ``aprecords.guard.normal`` (see README "Mutation testing").

The folding is what makes the leak check spelling-proof, and ``everyday`` decides which name
words cannot be searched for alone: both are checked on the characters and words they exist
for.
"""

from __future__ import annotations

import pytest

from aprecords.guard.normal import everyday, fold, plain, words


def test_m_and_rn_fold_the_same_in_ascii_and_in_mixed_text() -> None:
    assert fold("Emma") == fold("Ernrna") == "ernrna"
    assert fold("Emma") != fold("Enna")
    # a text that stays partly non-ASCII takes the other path: the same skeleton
    assert words("T1m \u6771") == words("Tlrn \u6771") == ("tlrn", "\u6771")
    assert fold("Emma \u6771") == "ernrna \u6771"


def test_runs_of_accented_letters_fold_letter_by_letter() -> None:
    assert fold("\u0141\u00f3d\u017a") == fold("Lodz") == "lodz"
    assert words("Zo\u00eb-\u00c5sa") == ("zoe", "asa")


def test_ligatures_fold_to_their_letters() -> None:
    assert fold("\u00c6sa") == fold("Aesa") == "aesa"
    assert fold("\u0153il") == fold("oeil") == "oell"


def test_a_letter_that_decomposes_into_two_letters_keeps_both() -> None:
    """Tamil AU decomposes into two letters; it folds as those two letters written apart."""
    assert fold("\u0b94") == fold("\u0b92\u0bb3")
    assert len(fold("\u0b94")) == 2


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("x\u2014y", "x y"),  # em dash: separates words
        ("\u00abAnn\u00bb", " ann "),  # guillemets: punctuation, no letter in their skeleton
        ("a\u0375b", "a b"),  # Greek lower numeral sign: a symbol, no letter
        ("x\u00a2y", "xcy"),  # cent sign: looks like a c
        ("x\u00d7y", "xxy"),  # multiplication sign: looks like an x
        ("x\u2260y", "x=y"),  # not-equal: its ASCII base, the slash dropped
        ("\u00de\u00f3r", "\u00feor"),  # thorn: a letter of its own, kept
        ("\u00b5m", "\u03bcrn"),  # micro sign: Greek mu, a letter, kept
    ],
)
def test_symbols_separate_words_unless_they_look_like_a_letter(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_plain_keeps_only_ascii_letters_without_accents() -> None:
    assert plain("Zo\u00eb-Ann 2") == "zoeann"
    assert plain("\u00d1u\u00f1ez") == "nunez"
    assert plain("\ufb01sh") == "fish"


@pytest.mark.parametrize(
    "word",
    [
        "Will",
        "June",
        "Baytree",
        "Changed",
        "Reviews",
        "Walked",
        "Cats",
        "Changing",
        "Li",
        "Ng",
        "Bo",
    ],
)
def test_everyday_words(word: str) -> None:
    """Dictionary words (one the dictionary capitalises, one it writes as two), inflected
    forms of them, and words too short to search alone."""
    assert everyday(word) is True


@pytest.mark.parametrize(
    "word", ["Wrenfeather", "Wrenfeathers", "Quickthorpe", "Zob", "Grac", "Dwalk", "Edwalk"]
)
def test_names_that_are_no_everyday_word(word: str) -> None:
    """Not in the dictionary, not a suffix away from a word (``Grac`` + e is ``grace``, but no
    suffix was taken off; ``Dwalk`` is not ``walk``), three letters or more."""
    assert everyday(word) is False
