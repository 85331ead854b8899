"""When two recorded values are the same, whatever the file's layout.

A record re-laid out (by ``aprecords fmt`` or the web form) holds the same values: ``90.0``
and ``90`` are one number, and quoting, block styles, key order and comments are not values
at all. Nothing here reads text; it compares what the strict loader gave.
"""

from __future__ import annotations

from typing import Any


def same(a: Any, b: Any, final_breaks: bool = False) -> bool:
    """Equal as recorded values: numbers as numbers (``90 == 90.0``, but ``true`` is not
    ``1``), mappings by key whatever their order, lists in order, text exactly; with
    ``final_breaks`` text also when it differs only in line breaks at its very end (the web
    form writes ``|-`` for ``|``)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], final_breaks) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y, final_breaks) for x, y in zip(a, b, strict=True))
    if final_breaks and isinstance(a, str) and isinstance(b, str):
        return a.rstrip("\n") == b.rstrip("\n")
    return type(a) is type(b) and a == b
