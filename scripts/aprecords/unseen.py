"""Characters no record, configuration or help page may hold: what shows as nothing.

Format characters (Unicode category Cf) change how text is shown without showing
themselves: a right-to-left override shows ``Kayden <RLO>rehtaefnerW<PDF> Mills`` as "Kayden
Wrenfeather Mills"; a zero-width space makes two different words look the same. Default-ignorable
code points (Hangul fillers, variation selectors), unassigned, private-use and surrogate code
points show as nothing, a blank or a box, and could split a name the leak guard looks for; with
control characters, all of them are refused, each named with its code point.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from aprecords.findings import pointer
from aprecords.guard.codepoints import DEFAULT_IGNORABLE, NOT_CHARACTERS, UNICODE_VERSION

# Every Unicode format character (category Cf, Unicode 15.1) as the body of a regex class,
# spelt out: computing it takes a fifth of a second at start-up. tests/test_hardening.py
# checks it against unicodedata.
FORMAT_CHARS = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f"
)
# C0 controls but tab, line feed and carriage return; DEL; C1 controls (NEL included).
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_SHOWN_AS_NOTHING = f"{FORMAT_CHARS}{DEFAULT_IGNORABLE}{NOT_CHARACTERS}"
UNSEEN = re.compile(f"[{_CONTROLS}\u2028\u2029{_SHOWN_AS_NOTHING}]")
"""Characters no record may hold: controls, line/paragraph separators, format characters,
default-ignorable, unassigned, private-use and surrogate code points."""
SUSPECT = re.compile(f"[\t{_CONTROLS}\u2028\u2029{_SHOWN_AS_NOTHING}]")
IN_VALUE = re.compile(f"[\r{_CONTROLS}\u2028\u2029{_SHOWN_AS_NOTHING}]")
"""What a value may not hold after escapes are read: UNSEEN, and a carriage return."""
_CONTROL_NAMES = {
    0x00: "NULL",
    0x07: "BELL",
    0x08: "BACKSPACE",
    0x0B: "LINE TABULATION",
    0x0C: "FORM FEED",
    0x0D: "CARRIAGE RETURN",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
    0x85: "NEXT LINE",
}


def char_name(char: str) -> str:
    """A character as messages name it: ``U+202E RIGHT-TO-LEFT OVERRIDE``."""
    code = ord(char)
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(code, "")
    return f"U+{code:04X} {name}" if name else f"U+{code:04X}"


def unseen_problem(char: str, escaped: bool = False) -> tuple[str, str]:
    """The message and rule id for a character that UNSEEN matches."""
    how = " (written as an escape in quoted text)" if escaped else ""
    category = unicodedata.category(char)
    if category == "Cn":
        return (
            f"U+{ord(char):04X}{how}, a code point Unicode {UNICODE_VERSION} (the version this "
            "tool reads) has not assigned: it shows as nothing or as a box, and could hide a "
            "word; delete it",
            "unassigned-character",
        )
    if category in ("Co", "Cs"):
        kind = "a private-use character" if category == "Co" else "half a character (a surrogate)"
        return (
            f"{kind}, U+{ord(char):04X}{how}: it shows differently on every computer, often as "
            "nothing or a box; delete it, and retype the text around it if unsure",
            "private-use-character" if category == "Co" else "surrogate-character",
        )
    if category == "Cc":
        return (
            f"a control character, {char_name(char)}{how}; records hold plain text only, "
            "so delete it",
            "control-character",
        )
    return (
        f"an invisible character, {char_name(char)}{how}: it can make text look different "
        "from what it holds (letters shown reordered, or two different words shown the "
        "same); delete it, and retype the text around it if unsure",
        "invisible-character",
    )


def escaped_unseen(data: Any) -> tuple[str, bool, str] | None:
    """The first key or text holding an IN_VALUE character, in document order: (pointer, is
    key, char). A loop, not recursion: nesting may be up to MAX_DEPTH deep."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        node, trail = stack.pop()
        if isinstance(node, str):
            if found := IN_VALUE.search(node):
                return pointer(*trail), False, found.group()
        elif isinstance(node, dict):
            for key in node:
                if isinstance(key, str) and (found := IN_VALUE.search(key)):
                    return pointer(*trail, key), True, found.group()
            stack.extend((node[key], (*trail, key)) for key in reversed(node))
        elif isinstance(node, list):
            stack.extend((node[i], (*trail, i)) for i in reversed(range(len(node))))
    return None


def without_unseen(data: Any) -> Any:
    """Loaded data with every unseen character (and carriage return) deleted from its keys and
    texts, in place: how a past version reads once its invisible characters are deleted."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            items = list(node.items())
            node.clear()
            for key, value in items:
                clean = IN_VALUE.sub("", key) if isinstance(key, str) else key
                node[clean] = IN_VALUE.sub("", value) if isinstance(value, str) else value
                stack.append(value)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                if isinstance(value, str):
                    node[i] = IN_VALUE.sub("", value)
                stack.append(value)
    return data
