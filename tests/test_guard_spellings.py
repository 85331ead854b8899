"""Issue 19: the guard finds a pupil however the name is spelt (property-based, Hypothesis).

Each test composes a spelling of a generated pupil's name from the tricks a careless typist or
an attacker uses (separators, invisible code points, look-alike letters, case, digits for
letters, order, joins, inflections, markup) and requires the guard to find it in a page, read
the way it reads a built site (:func:`decoded`, then the normal form). A needle that is found
only as whole words (a short or everyday name) must still be found where the spelling keeps
the name's ends at word breaks.
"""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from aprecords.guard.formats import decoded
from aprecords.guard.match import Matcher, Reach
from aprecords.guard.names import name_forms
from aprecords.guard.normal import words
from aprecords.guard.plan import plan
from aprecords.scope import Scoped

SEPARATORS = ["-", ".", " ", "\n", "_", "'", "·", "/", "<b></b>", "<span>", "&nbsp;", "%20"]
INVISIBLE = ["\u200b", "\u2065", "\u3164", "\u115f", "\uffa0", "\ufff0", "\u00ad", "\ue000"]
CONFUSABLE = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "c": "\u0441", "p": "\u0440"}
DIGITS = {"e": "3", "o": "0", "a": "4", "s": "5", "t": "7", "l": "1", "b": "8", "g": "9"}
INFLECTIONS = ["s", "'s", "s'", "es", "ish"]

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True)
syllables = st.sampled_from(["wren", "feath", "er", "quill", "by", "thorpe", "stan", "kov", "ade"])
name_part = st.lists(syllables, min_size=2, max_size=3).map(lambda p: "".join(p).capitalize())


def outside(name: str) -> Scoped:
    """A scope whose only outside pupil is ``name`` (nothing visible)."""
    from aprecords.access import Audience

    audience = Audience("school-a", "A", "school", frozenset({"identity"}))
    return Scoped(audience, {}, {}, {}, {}, outside=[(name, "r.yaml")])


def found(name: str, page: str) -> set[str]:
    """The forms of ``name`` the guard finds in the HTML ``page``."""
    matcher = Matcher(plan(outside(name)).needles)
    return {n.what for n in matcher.find(words(decoded(page.encode("utf-8"), "p.html")))}


@st.composite
def spelt(draw: st.DrawFn, word: str) -> str:
    """``word`` spelt with any mix of the tricks (one draw per letter)."""
    out = []
    for i, char in enumerate(word):
        trick = draw(st.sampled_from(["plain", "case", "confusable", "digit", "invisible"]))
        if trick == "case":
            char = char.swapcase()
        elif trick == "confusable" and char.lower() in CONFUSABLE:
            char = CONFUSABLE[char.lower()]
        elif trick == "digit" and char.lower() in DIGITS:
            char = DIGITS[char.lower()]
        elif trick == "invisible":
            char = draw(st.sampled_from(INVISIBLE)) + char
        out.append(char)
        if 0 < i < len(word) - 1 and draw(st.booleans()) and draw(st.booleans()):
            out.append(draw(st.sampled_from(SEPARATORS)))
    return "".join(out)


@SETTINGS
@given(forename=name_part, surname=name_part, data=st.data())
def test_a_surname_is_found_however_it_is_spelt(forename: str, surname: str, data) -> None:
    name = f"{forename} {surname}"
    inflection = data.draw(st.sampled_from(["", *INFLECTIONS]))
    joined_to = data.draw(st.sampled_from(["", forename, "the", "Mr"]))
    page = f"<p>Notes: {joined_to}{data.draw(spelt(surname))}{inflection} was late.</p>"
    surname_form = next(f for f in name_forms(name) if f.form == "surname")
    assume(surname_form.reach is not Reach.WARN)  # an everyday word: warned about, not searched
    if surname_form.reach is Reach.ANYWHERE or not joined_to and not inflection:
        assert "the surname of a pupil outside this audience" in found(name, page)


@SETTINGS
@given(forename=name_part, surname=name_part, data=st.data())
def test_a_full_name_is_found_in_either_order_and_joined(forename: str, surname: str, data) -> None:
    name = f"{forename} {surname}"
    first, second = data.draw(st.sampled_from([(forename, surname), (surname, forename)]))
    between = data.draw(st.sampled_from(["", " ", ", ", "\n", "-", "\u3164", "<br>"]))
    page = f"<td>{data.draw(spelt(first))}{between}{data.draw(spelt(second))}</td>"
    hits = found(name, page)
    assert hits & {
        "the full name of a pupil outside this audience",
        "the name in MIS order (surname, forename) of a pupil outside this audience",
    }


@SETTINGS
@given(digits=st.text("0123456789", min_size=11, max_size=11), data=st.data())
def test_a_upn_is_found_in_groups_and_with_hyphens(digits: str, data) -> None:
    upn = f"A{digits}B"
    groups = data.draw(st.sampled_from([" ", "-", "", " - ", "\u2065"]))
    written = groups.join([upn[:4], upn[4:8], upn[8:]])
    hits = found(upn, f"<p>UPN {written.lower() if data.draw(st.booleans()) else written}</p>")
    assert "the UPN of a pupil outside this audience" in hits


@SETTINGS
@given(school=st.sampled_from(["hollybrook", "marsh-lane", "st-aldric"]), data=st.data())
def test_a_record_id_is_found_without_its_hyphens(school: str, data) -> None:
    number = data.draw(st.integers(1, 999))
    record = f"{school}-2025-{number:03}"
    written = record.replace("-", data.draw(st.sampled_from(["", " ", "_", ".", "\u200b"])))
    assert "the record id of a placement outside this audience" in found(
        record, f"<a>{written}</a>"
    )


@SETTINGS
@given(data=st.data())
def test_a_withheld_text_is_found_with_invisible_characters_inside_words(data) -> None:
    from aprecords.access import Audience

    text = "Non-molestation order against the father; police informed in March"
    spoilt = "".join(
        c + (data.draw(st.sampled_from(INVISIBLE)) if data.draw(st.booleans()) else "")
        for c in text
    )
    audience = Audience("provider-x", "X", "provider", frozenset({"identity"}))
    scoped = Scoped(
        audience,
        {},
        {},
        {},
        {},
        withheld=[(text, "r.yaml#/agreements/safeguarding")],
        classes={"r.yaml#/agreements/safeguarding": "safeguarding"},
    )
    matcher = Matcher(plan(scoped).needles)
    assert matcher.find(words(decoded(f"<p>{spoilt}</p>".encode(), "p.html")))
