"""Tests that kill mutants of ``aprecords.guard.formats`` (README "Mutation testing")."""

from __future__ import annotations

import base64

from aprecords.guard.formats import decoded
from aprecords.guard.normal import stream


def has(raw: bytes, name: str = "p.html") -> str:
    return stream(decoded(raw, name))


def test_a_comment_is_read_apart_and_the_text_around_it_joined() -> None:
    assert "wrenfeather" in has(b"<p>Wren<!-- a note -->feather</p>")
    assert "anote" in has(b"<p>Wren<!-- a note -->feather</p>")
    assert "toblaswrenfeather" in has(b"<p>x</p><!--\nTobias\nWrenfeather\n-->")


def test_base64_data_uris_are_read_even_across_lines_and_in_capitals() -> None:
    inside = base64.b64encode(b"Tobias Wrenfeather").decode()
    folded = inside[:8] + "\n  " + inside[8:]
    for uri in (f"data:text/plain;base64,{inside}", f"DATA:TEXT/PLAIN;BASE64,{folded}"):
        read = has(f'<p>Saffron Quickthorpe</p><img src="{uri}">'.encode())
        assert "toblaswrenfeather" in read and "saffronqulckthorpe" in read
    nested = base64.b64encode(f"<a href='data:;base64,{inside}'>x</a>".encode()).decode()
    assert "toblaswrenfeather" in has(f"<img src='data:text/html;base64,{nested}'>".encode())


def test_a_broken_data_uri_is_read_as_text() -> None:
    assert "ab" in has(b"<img src='data:text/plain;base64,abc'>")
    assert decoded(b"data:;base64,QQ", "p.html").startswith("data:;base64,QQ")
