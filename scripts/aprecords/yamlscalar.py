"""Scalars written exactly as the web form writes them.

Sveltia CMS saves records with the npm package ``yaml`` 2.9.1 (``stringify`` with
``lineWidth: 0``, ``defaultStringType: 'PLAIN'``, ``singleQuote: true``). This module is a port
of that package's scalar rules (``stringify/stringifyString.js``, ``stringifyNumber.js``), so a
record written by ``aprecords fmt`` and one saved by the form are the same bytes;
``tests/test_fmt_node.py`` runs the package itself over tricky values to keep the two equal.

In short: text stays plain unless it would read as something else (a number, ``true``, ``null``
in YAML 1.2), starts with an indicator, has ``': '`` or ``' #'``, or starts or ends with a
space; then it is single-quoted, or double-quoted when it holds a ``'`` and no ``"``. Text of
several lines is a literal block (``|`` keeps one final line break, ``|-`` none, ``|+`` more),
with an indentation indicator when it starts with a space.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal

# YAML 1.2 core schema: plain text matching one of these would not read back as text.
_CORE = re.compile(
    r"^(?:~|[Nn]ull|NULL)?$|^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$|^0o[0-7]+$|^[-+]?[0-9]+$"
    r"|^0x[0-9a-fA-F]+$|^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$"
    r"|^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$|^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$"
)
_NOT_PLAIN = re.compile(
    r"^[\n\t ,\[\]{}#&*!|>'\"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]\Z"
)
_FORCE_DOUBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_DOC_MARKER = re.compile(r"^(?:%|---|\.\.\.)", re.M)
_ESCAPES = {
    "0000": "\\0",
    "0007": "\\a",
    "000b": "\\v",
    "001b": "\\e",
    "0085": "\\N",
    "00a0": "\\_",
    "2028": "\\L",
    "2029": "\\P",
}
DOUBLE_QUOTED_MIN_MULTILINE = 40


def _js_length(text: str) -> int:
    """The length JavaScript gives a string (UTF-16 code units)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def double_quoted(value: str, indent: str, implicit_key: bool = False) -> str:
    """``doubleQuotedString``: JSON escapes, line breaks written as folded breaks when long."""
    js = json.dumps(value, ensure_ascii=False)
    indent = indent or ("  " if _DOC_MARKER.search(value) else "")
    out = ""
    start = 0
    i = 0
    n = len(js)
    while i < n:
        ch = js[i]
        if ch == " " and js[i + 1 : i + 3] == "\\n":
            out += js[start:i] + "\\ "
            i += 1
            start = i
            ch = "\\"
        if ch == "\\":
            nxt = js[i + 1] if i + 1 < n else ""
            if nxt == "u":
                out += js[start:i]
                code = js[i + 2 : i + 6]
                if code in _ESCAPES:
                    out += _ESCAPES[code]
                elif code.startswith("00"):
                    out += "\\x" + code[2:]
                else:
                    out += js[i : i + 6]
                i += 5
                start = i + 1
            elif nxt == "n":
                if (
                    implicit_key
                    or js[i + 2 : i + 3] == '"'
                    or _js_length(js) < DOUBLE_QUOTED_MIN_MULTILINE
                ):
                    i += 1
                else:
                    out += js[start:i] + "\n\n"
                    while js[i + 2 : i + 4] == "\\n" and js[i + 4 : i + 5] != '"':
                        out += "\n"
                        i += 2
                    out += indent
                    if js[i + 2 : i + 3] == " ":
                        out += "\\"
                    i += 1
                    start = i + 1
            else:
                i += 1
        i += 1
    return out + js[start:] if start else js


def single_quoted(value: str, indent: str, implicit_key: bool = False) -> str:
    """``singleQuotedString``, or double quotes where single quotes cannot hold the text."""
    if (implicit_key and "\n" in value) or re.search(r"[ \t]\n|\n[ \t]", value):
        return double_quoted(value, indent, implicit_key)
    indent = indent or ("  " if _DOC_MARKER.search(value) else "")
    body = re.sub(r"\n+", lambda m: m.group() + "\n" + indent, value.replace("'", "''"))
    return "'" + body + "'"


def quoted(value: str, indent: str, implicit_key: bool = False) -> str:
    """Single quotes, unless the text holds a ``'`` and no ``"``."""
    if "'" in value and '"' not in value:
        return double_quoted(value, indent, implicit_key)
    return single_quoted(value, indent, implicit_key)


def block(value: str, indent: str) -> str:
    """``blockString`` with ``lineWidth: 0``: always a literal block (``|``)."""
    if re.search(r"\n[\t ]+\Z", value):
        return quoted(value, indent)
    if not value:
        return "|\n"
    end_start = len(value)
    while end_start > 0 and value[end_start - 1] in "\n\t ":
        end_start -= 1
    end = value[end_start:]
    nl = end.find("\n")
    if nl == -1:
        chomp = "-"
    elif value == end or nl != len(end) - 1:
        chomp = "+"
    else:
        chomp = ""
    if end:
        value = value[: -len(end)]
        if end.endswith("\n"):
            end = end[:-1]
        # JavaScript's `$` without the m flag matches only at the very end.
        end = re.sub(r"(^|(?<!\n))\n+(?!\n|\Z)", lambda m: m.group() + indent, end)
    starts_with_space = False
    start_end = 0
    start_nl = -1
    while start_end < len(value):
        ch = value[start_end]
        if ch == " ":
            starts_with_space = True
        elif ch == "\n":
            start_nl = start_end
        else:
            break
        start_end += 1
    start = value[: start_nl + 1 if start_nl < start_end else start_end]
    if start:
        value = value[len(start) :]
        start = re.sub(r"\n+", lambda m: m.group() + indent, start)
    header = ("2" if indent else "1") if starts_with_space else ""
    header += chomp
    value = re.sub(r"\n+", lambda m: m.group() + indent, value)
    return f"|{header}\n{indent}{start}{value}{end}"


def string(value: str, indent: str, implicit_key: bool = False) -> str:
    """Text as ``stringifyString`` writes it (plain by default), at block indentation
    ``indent`` (the indentation of the value's own content, as the package counts it)."""
    if _FORCE_DOUBLE.search(value):
        return double_quoted(value, indent, implicit_key)
    if implicit_key and "\n" in value:
        return quoted(value, indent, implicit_key)
    if _NOT_PLAIN.search(value):
        if implicit_key or "\n" not in value:
            return quoted(value, indent, implicit_key)
        return block(value, indent)
    if not implicit_key and "\n" in value:
        return block(value, indent)
    if _DOC_MARKER.search(value) and implicit_key and indent == "  ":
        return quoted(value, indent, implicit_key)
    if _CORE.search(value):
        return quoted(value, indent, implicit_key)
    return value


def number(value: int | float) -> str:
    """A number as JavaScript prints it (``90.0`` is ``90``; ``1e-7``, ``1e+21``)."""
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return "-.inf" if value < 0 else ".inf"
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    sign = "-" if value < 0 else ""
    # repr gives the shortest digits that read back as the same number, as JavaScript does.
    _, figures, exponent = Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, figures)).lstrip("0")
    k = len(digits.rstrip("0"))
    n = len(digits) + int(exponent)
    digits = digits[:k]
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        text = digits[0] + ("." + digits[1:] if k > 1 else "") + ("e+" if e >= 0 else "e-")
        text += str(abs(e))
    return sign + text
