"""The confusable skeleton of Unicode TR39 (UTS #39, section 4), from Unicode's own data file.

``skeleton(X)`` is ``NFD(X)``, each character replaced by its prototype from the ``MA`` table of
``confusables.txt``, then ``NFD`` again. The file is vendored, versioned, in ``data/`` (with
Unicode's licence beside it) and is of the same Unicode version as Python's ``unicodedata``,
which does the normalisation, case folding and categories of the rest of the normal form, so
the whole normal form reads one Unicode version. A Python with another Unicode database stops
at import: its NFD and this file's prototypes could disagree (a new character, a changed
decomposition), and the guard must not fold text by two versions at once.

``tests/test_guard_skeleton.py`` checks every entry of the file against ICU's
``SpoofChecker.getSkeleton`` (a test dependency only) and lists the few differences that come
from ICU's newer Unicode data.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

from aprecords.guard.codepoints import UNICODE_VERSION

DATA = Path(__file__).with_name("data") / f"confusables-{UNICODE_VERSION}.txt"
"""Unicode's ``confusables.txt`` of :data:`UNICODE_VERSION`, as published."""
_ENTRY = re.compile(r"^([0-9A-F]+) ;\t([0-9A-F ]+) ;\tMA\t", flags=re.M)
"""A line of the table: the source code point, then the code points of its prototype."""


def check_version(found: str) -> None:
    """Refuse a Unicode database other than the one the vendored data and code points are of."""
    if found != UNICODE_VERSION:
        raise RuntimeError(
            f"Python's Unicode database is {found}, the guard's data is {UNICODE_VERSION}: "
            "vendor confusables.txt of that version and generate guard/codepoints.py again"
        )


check_version(unicodedata.unidata_version)


def parse(text: str) -> dict[int, str]:
    """The prototype of each source character, from the text of a ``confusables.txt``.

    Each line of the table is ``source ;<tab>target ;<tab>MA<tab># comment``: one code point,
    then the code points of its prototype, in hexadecimal (``MA``, the file's only table, is
    the one TR39's skeleton uses). The header's ``Version:`` line must name
    :data:`UNICODE_VERSION`.
    """
    if f"\n# Version: {UNICODE_VERSION}\n" not in text:
        raise ValueError(f"not the confusables.txt of Unicode {UNICODE_VERSION}")
    return {
        int(source, 16): "".join(chr(int(code, 16)) for code in target.split())
        for source, target in _ENTRY.findall(text)
    }


@functools.cache
def prototypes() -> dict[int, str]:
    """The ``str.translate`` table of the vendored file (read once, about 6,300 entries)."""
    return parse(DATA.read_bytes().decode())  # UTF-8


def skeleton(text: str) -> str:
    """The TR39 skeleton of a text: NFD, each character mapped to its prototype, NFD again."""
    mapped = unicodedata.normalize("NFD", text).translate(prototypes())
    return unicodedata.normalize("NFD", mapped)
