"""What each kind of output file yields as text for the guard: everything a reader could see.

A file is decoded every way a value could be encoded in it: gzip is unpacked, JSON becomes its
strings (keys included), escapes in scripts become characters, HTML entities and URL escapes
are resolved (until nothing changes), ``data:`` URIs in base64 are unpacked, HTML comments are
read apart from the text around them, and markup is reduced to its attribute values (``alt``,
``title`` and ``aria-label`` among them): tag names and brackets become word breaks, which the
letters-and-digits stream then ignores, so ``Wren<b></b>feather`` is read as ``Wrenfeather``.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import html
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_plus

_TAG = re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9:-]*|/?>")
_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
_DATA_URI = re.compile(r"data:[^,\s\"'()]*;base64,([A-Za-z0-9+/=\s]+)", re.I)
_JS_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]{1,6})\}|\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})")
_JS_CONTROL = re.compile(r"\\[nrtfvb]")
_APART = "\n"
"""Between texts that a reader meets apart (a page's text, its data URIs, its comments)."""
_UNNAMED = ""
"""The name of what a ``data:`` URI holds: no file name, so read by its content alone."""


def decoded(raw: bytes, name: str) -> str:
    """The text of one output file to search (see the module docstring)."""
    if name.endswith(".gz"):
        with contextlib.suppress(OSError, EOFError):
            raw = gzip.decompress(raw)
    text = raw.decode(errors="replace")  # UTF-8
    if name.endswith((".json", ".webmanifest", ".map")) or text.lstrip()[:1] in ("{", "["):
        with contextlib.suppress(ValueError, RecursionError):
            text = _APART.join(_json_strings(json.loads(text)))
    if "\\" in text:
        text = _JS_CONTROL.sub(" ", text)
        text = _JS_ESCAPE.sub(_unescape_js, text)
    while "&" in text:  # until nothing changes: each pass shortens the text, so this ends
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    if "%" in text:
        text = unquote_plus(text)
    if inside := list(_data_uris(text)):
        text = _APART.join([text, *inside])
    if "<!--" in text:  # a reader sees the text around a comment joined; the source, both
        comments = _COMMENT.findall(text)
        text = _APART.join([_COMMENT.sub("", text), *comments])
    return _TAG.sub(" ", text)


def _data_uris(text: str) -> Iterator[str]:
    """The contents of the base64 ``data:`` URIs of a text, decoded (and decoded again)."""
    for match in _DATA_URI.finditer(text):
        with contextlib.suppress(ValueError):  # (binascii.Error is one)
            inner = base64.b64decode("".join(match.group(1).split()))
            yield decoded(inner, _UNNAMED)


def _unescape_js(match: re.Match[str]) -> str:
    code = int(next(g for g in match.groups() if g), 16)
    try:
        return chr(code)
    except (ValueError, OverflowError):
        return " "


def _json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)
    elif isinstance(value, str | int | float) and not isinstance(value, bool):
        yield str(value)
