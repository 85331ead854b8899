"""Tests that kill mutants of ``aprecords.guard.names`` (README "Mutation testing"): the reach
of every form of a name."""

from __future__ import annotations

from aprecords.guard.match import Reach
from aprecords.guard.names import name_forms

A, W, N = Reach.ANYWHERE, Reach.WORDS, Reach.WARN


def reaches(name: str, forename_alone: bool = False) -> dict[str, Reach]:
    return {f.form: f.reach for f in name_forms(name, forename_alone)}


def test_a_distinct_name_is_found_anywhere_but_next_to_an_initial() -> None:
    assert reaches("Tobias Wrenfeather", forename_alone=True) == {
        "full name": A,
        "name in MIS order (surname, forename)": A,
        "initial and surname": W,
        "surname and initial": W,
        "surname": A,
        "forename": W,  # 6 letters: short
    }


def test_one_everyday_part_leaves_the_whole_name_found_anywhere() -> None:
    assert reaches("Tobias Brown") == {
        "full name": A,
        "name in MIS order (surname, forename)": A,
        "initial and surname": N,
        "surname and initial": N,
        "surname": N,
    }


def test_a_name_of_everyday_words_is_found_only_as_words() -> None:
    assert reaches("Will Brown", forename_alone=True) == {
        "full name": W,
        "name in MIS order (surname, forename)": W,
        "initial and surname": N,
        "surname and initial": N,
        "surname": N,
        "forename": N,
    }


def test_three_parts_add_the_forename_and_surname_with_the_same_reach() -> None:
    assert reaches("Annabel Mary Wrenfeather")["forename and surname"] is A
    assert reaches("Will James Brown")["forename and surname"] is W
    assert [
        f.words for f in name_forms("Will James Brown") if f.form == "forename and surname"
    ] == [("wlll", "brown")]
