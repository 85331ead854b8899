"""Tests that kill mutants of ``aprecords.guard.plan`` (README "Mutation testing"): the reach
each needle is planned with."""

from __future__ import annotations

from pathlib import Path

from aprecords.access import CLASSES, Audience
from aprecords.guard.match import Reach
from aprecords.guard.plan import plan
from aprecords.guard.scan import scan
from aprecords.scope import Scoped

SCHOOL = Audience("school-a", "A", "school", frozenset(CLASSES))
NO_NAMES = Audience("custom", "C", "hub", frozenset(CLASSES) - {"identity"})


def reach(scoped: Scoped, source: str, what: str) -> set[Reach]:
    return {n.reach for n in plan(scoped).needles if n.source == source and n.what.startswith(what)}


def test_a_name_inside_a_longer_word_the_audience_sees_is_searched_as_words(tmp_path: Path):
    own = {"p": {"student": {"name": "Bo Quillfeatherstone"}}}
    scoped = Scoped(SCHOOL, {}, {}, own, {"p": "p.yaml"}, outside=[("Ada Quillfeather", "o.yaml")])
    assert reach(scoped, "o.yaml", "the surname of") == {Reach.WORDS}
    assert reach(scoped, "o.yaml", "the full name of") == {Reach.ANYWHERE}  # not inside a word
    alone = Scoped(SCHOOL, {}, {}, {}, {}, outside=[("Ada Quillfeather", "o.yaml")])
    assert reach(alone, "o.yaml", "the surname of") == {Reach.ANYWHERE}
    site = tmp_path / "site"
    site.mkdir()
    (site / "own.html").write_text("<p>Bo Quillfeatherstone</p>", "utf-8")
    assert scan(site, scoped) == []
    (site / "leak.html").write_text("<p>a friend, Quillfeather</p>", "utf-8")
    assert [leak.file for leak in scan(site, scoped)] == ["leak.html"]


def test_short_ids_and_short_withheld_values_are_searched_as_words() -> None:
    scoped = Scoped(
        SCHOOL,
        {},
        {},
        {},
        {},
        outside=[("ab-12", "o.yaml"), ("P207000016049", "o.yaml")],
        withheld=[("Jo Li", "r.yaml#/carer"), ("Tobias Wrenfeather", "r.yaml#/student/name")],
        classes={"r.yaml#/carer": "identity", "r.yaml#/student/name": "identity"},
    )
    assert reach(scoped, "o.yaml", "the record id of") == {Reach.WORDS}
    assert reach(scoped, "o.yaml", "the UPN of") == {Reach.ANYWHERE}
    assert reach(scoped, "r.yaml#/carer", "a value withheld") == {Reach.WORDS}
    assert reach(scoped, "r.yaml#/student/name", "the forename of") == {Reach.WORDS}
    assert reach(scoped, "r.yaml#/student/name", "the surname of") == {Reach.ANYWHERE}
