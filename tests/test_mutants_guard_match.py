"""Tests that kill mutants of ``aprecords.guard.match`` (README "Mutation testing")."""

from __future__ import annotations

import pytest

from aprecords.guard.match import MIN_ANYWHERE, Matcher, Needle, Reach, reach_of
from aprecords.guard.names import name_forms
from aprecords.guard.normal import words

WREN = Needle(("wren",), "w.yaml", "a short name", Reach.WORDS)


@pytest.mark.parametrize(
    ("tokens", "found"),
    [
        (("the", "wren", "came"), True),
        (("the", "wrens", "came"), True),  # a plural s
        (("wrenes",), True),  # a plural es
        (("wrenx", "y"), False),  # a letter after it, then a break
        (("sa", "wrenx", "y"), False),  # the text starts with s: no plural of this one
        (("wre", "nsq"), False),  # a break before the s is no break after it
        (("wrensx",), False),
        (("xwren",), False),
    ],
)
def test_a_whole_words_needle_may_carry_a_plural_only(tokens, found) -> None:
    assert (WREN in Matcher([WREN]).find(tokens)) is found


def test_a_needle_found_anywhere_is_not_hidden_by_a_whole_words_one_of_the_same_text() -> None:
    anywhere = Needle(("wren",), "a.yaml", "a withheld text", Reach.ANYWHERE)
    assert Matcher([WREN, anywhere]).find(("xwreny",)) == {anywhere}


def test_the_reach_follows_the_length_and_the_words() -> None:
    assert reach_of(("a" * MIN_ANYWHERE,), False) is Reach.ANYWHERE
    assert reach_of(("a" * (MIN_ANYWHERE - 1),), False) is Reach.WORDS
    assert reach_of(("a" * MIN_ANYWHERE,), False, whole_words=True) is Reach.WORDS
    assert reach_of(("a" * MIN_ANYWHERE,), True) is Reach.WARN
    full = next(f for f in name_forms("Will Brown") if f.form == "full name")
    assert len("".join(full.words)) >= MIN_ANYWHERE and full.reach is Reach.WORDS


def test_upns_and_withheld_texts_are_found_inside_joined_words() -> None:
    from aprecords.access import hub
    from aprecords.guard.plan import plan
    from aprecords.scope import Scoped

    scoped = Scoped(
        hub(),
        {},
        {},
        {},
        {},
        outside=[("P207000016049", "r.yaml")],
        withheld=[("Older sibling known to youth services", "r.yaml#/x")],
        classes={"r.yaml#/x": "safeguarding"},
    )
    needles = plan(scoped).needles
    assert needles and all(n.reach is Reach.ANYWHERE for n in needles)
    found = Matcher(needles).find(
        words("xP207000016049y and zzOlder-sibling-known-to-youth servicesx")
    )
    assert {n.what.split(" (")[0] for n in found} == {
        "the UPN of a pupil outside this audience",
        "a value withheld from this audience",
    }
