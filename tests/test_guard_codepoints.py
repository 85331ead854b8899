"""The code point classes the guard removes and the loader refuses match Unicode's data: the
unassigned, private-use and surrogate code points of Python's own database, and the
Default_Ignorable_Code_Point property as ICU reports it (issue 19)."""

from __future__ import annotations

import re
import sys
import unicodedata

from aprecords.guard.codepoints import DEFAULT_IGNORABLE, NOT_CHARACTERS, UNICODE_VERSION


def ranges(pattern: str) -> list[tuple[int, int]]:
    found = re.compile(f"[{pattern}]")
    out: list[list[int]] = []
    for code in range(sys.maxunicode + 1):
        if found.match(chr(code)):
            if out and out[-1][1] == code - 1:
                out[-1][1] = code
            else:
                out.append([code, code])
    return [(a, b) for a, b in out]


def test_not_characters_are_this_pythons_unassigned_private_and_surrogates() -> None:
    assert unicodedata.unidata_version == UNICODE_VERSION, (
        "Python's Unicode database changed: generate scripts/aprecords/guard/codepoints.py again"
    )
    expected = [
        c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) in ("Cn", "Co", "Cs")
    ]
    found = re.compile(f"[{NOT_CHARACTERS}]")
    assert [c for c in range(sys.maxunicode + 1) if found.match(chr(c))] == expected


def test_default_ignorables_are_unicodes() -> None:
    import icu

    unicode_set = icu.UnicodeSet("[:Default_Ignorable_Code_Point:]")
    expected = [
        (ord(unicode_set.getRangeStart(i)), ord(unicode_set.getRangeEnd(i)))
        for i in range(unicode_set.getRangeCount())
    ]
    assert ranges(DEFAULT_IGNORABLE) == expected
