"""What the guard looks for of a pupil: the forms of a name, and which withheld texts say enough.

A pupil's name is looked for as the full name in order, in MIS order (surname first), the
forename and surname without middle names, the surname next to the forename's initial (either
side), the surname alone and, where the audience must not see its own pupils' names, the
forename alone. Each form is matched in the letters-and-digits
stream (:mod:`aprecords.guard.match`), so ``T. Wrenfeather``, ``Wren-feather`` and
``TobiasWrenfeather`` are all found through the surname.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from aprecords.guard.match import Reach, reach_of
from aprecords.guard.normal import everyday, words

MIN_WORDS = 3
"""A withheld free text is searched when it has at least this many words..."""
MIN_CHARS = 16
"""...and at least this many characters (words joined by single spaces)."""
_UPN = re.compile(r"^[A-Z][0-9]{11}[0-9A-Z]$")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")


@dataclass(frozen=True)
class NameForm:
    """One way of writing a pupil's name: its folded words, what it is, and its reach
    (``Reach.WARN`` for a single everyday word, which a hit only warns about)."""

    words: tuple[str, ...]
    form: str
    reach: Reach

    @property
    def distinct(self) -> bool:
        """True when a hit of this form fails the build."""
        return self.reach is not Reach.WARN


@functools.lru_cache(maxsize=1 << 16)
def name_forms(name: str, forename_alone: bool = False) -> tuple[NameForm, ...]:
    """The forms of a pupil's name the guard looks for (see the module docstring).

    The first whitespace-separated part is the forename and the last the surname (a
    hyphenated or apostrophised surname stays one part: ``O'Rourke-Mills``).
    """
    parts = [(raw, words(raw)) for raw in name.split()]
    parts = [(raw, found) for raw, found in parts if found]
    if not parts:
        return ()
    full = tuple(w for _, found in parts for w in found)
    if len(parts) == 1:
        raw, _ = parts[0]
        return (NameForm(full, "name", reach_of(full, _everyday(raw))),)
    (fore_raw, fore), (sur_raw, sur) = parts[0], parts[-1]
    fore_common, sur_common = _everyday(fore_raw), _everyday(sur_raw)
    both_common = fore_common and sur_common
    initial = words(fore_raw[0]) or (fore[0][0],)
    forms = [
        NameForm(full, "full name", reach_of(full, False, whole_words=both_common)),
        NameForm(
            sur + fore,
            "name in MIS order (surname, forename)",
            reach_of(sur + fore, False, whole_words=both_common),
        ),
        # (an initial is a form of its own only as a word next to the surname)
        NameForm(
            initial + sur,
            "initial and surname",
            reach_of(initial + sur, sur_common, whole_words=True),
        ),
        NameForm(
            sur + initial,
            "surname and initial",
            reach_of(sur + initial, sur_common, whole_words=True),
        ),
        NameForm(sur, "surname", reach_of(sur, sur_common)),
    ]
    if len(parts) > 2:
        forms.insert(
            1,
            NameForm(
                fore + sur,
                "forename and surname",
                reach_of(fore + sur, False, whole_words=both_common),
            ),
        )
    if forename_alone:
        forms.append(NameForm(fore, "forename", reach_of(fore, fore_common)))
    return tuple(forms)


@functools.lru_cache(maxsize=1 << 16)
def _everyday(raw: str) -> bool:
    """True when every word of a name part is an everyday word (``Will``, ``Brown-Smith``)."""
    pieces = re.findall(r"[^\W_\d]+", raw)
    return all(everyday(p) for p in pieces) if pieces else True


def searchable(text: str) -> bool:
    """True when a withheld text is specific enough to search for without false alarms."""
    found = re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", text).casefold())
    if len(found) == 1:
        token = found[0]
        return len(token) >= 8 and any(c.isdigit() for c in token) and not token.isdigit()
    return len(found) >= MIN_WORDS and len(" ".join(found)) >= MIN_CHARS


def outside_what(value: str) -> str:
    """What an outside value is, by its shape: a UPN, a record id or a name."""
    if _UPN.match(value):
        return "the UPN of a pupil outside this audience"
    if _ID.match(value):
        return "the record id of a placement outside this audience"
    return "the name of a pupil outside this audience"
