"""Images a help page may show: PNG, JPEG and WebP files without text inside them.

The guard cannot read the pixels of an image, so an image may hold no text it could read
either: metadata (EXIF, XMP, IPTC, PNG text chunks, JPEG comments) is refused, and so is a file
whose bytes are not the format its name says (an SVG, which holds text, renamed ``.png``), or
that is cut short, or has bytes after its end: anything the guard cannot read whole.
"""

from __future__ import annotations

import struct

IMAGES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WebP"}
_STRIP = (
    "save the image again without its metadata (for example `exiftool -all= FILE` or "
    "`mogrify -strip FILE`), then commit it again"
)
_PNG_TEXT = {b"tEXt", b"zTXt", b"iTXt", b"eXIf"}
_JPEG_TEXT = {0xE1: "EXIF or XMP", 0xED: "IPTC", 0xFE: "a comment"}
_WEBP_TEXT = {b"EXIF", b"XMP "}


def problem(rel: str, raw: bytes) -> str | None:
    """Why the help-page file ``rel`` is refused, in words for staff; None if it is accepted."""
    suffix = "." + rel.rsplit(".", 1)[-1].lower() if "." in rel else ""
    kind = IMAGES.get(suffix)
    if kind is None:
        return (
            f"a {suffix or 'file without an ending'} file; help pages hold only Markdown "
            "(.md) and images without text (PNG, JPEG, WebP), because the leak check cannot "
            "read what other files show: put its text in a Markdown page (and pictures as "
            "PNG), or share the file some other way than the site"
        )
    found = {"PNG": _png, "JPEG": _jpeg, "WebP": _webp}[kind](raw)
    if found is None:
        return (
            f"this file is not a whole {kind} image, although its name says so: save it again "
            f"as {kind}"
        )
    if found:
        return f"this {kind} image holds {found}, which the leak check cannot read; {_STRIP}"
    return None


def _png(raw: bytes) -> str | None:
    """None if not a whole PNG, else the text it holds (empty: none). Every chunk must fit in
    the file, the last be IEND, and nothing follow it."""
    if not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    at, found = 8, []
    while True:
        if at + 12 > len(raw):
            return None  # cut short: no IEND
        length, kind = struct.unpack(">I4s", raw[at : at + 8])
        if at + 12 + length > len(raw):
            return None
        if kind in _PNG_TEXT:
            found.append(kind.decode("ascii"))
        at += 12 + length
        if kind == b"IEND":
            break
    if at < len(raw):
        found.append("bytes after its end")
    return f"metadata ({', '.join(found)})" if found else ""


def _jpeg(raw: bytes) -> str | None:
    """None if not a JPEG whose segments lead to its pixels, else the metadata segments it
    holds (empty: none)."""
    if not raw.startswith(b"\xff\xd8"):
        return None
    at, found = 2, []
    while True:
        if at + 4 > len(raw) or raw[at] != 0xFF:
            return None
        marker = raw[at + 1]
        if marker == 0xDA:  # start of scan: compressed pixels follow
            break
        (length,) = struct.unpack(">H", raw[at + 2 : at + 4])
        if length < 2:  # (a segment longer than the file ends the walk at the next step)
            return None
        if marker in _JPEG_TEXT:
            found.append(_JPEG_TEXT[marker])
        at += 2 + length
    return f"metadata ({', '.join(sorted(set(found)))})" if found else ""


def _webp(raw: bytes) -> str | None:
    """None if not a whole WebP (its RIFF size the file's, every chunk inside it), else the
    metadata chunks it holds (empty: none)."""
    if not (raw.startswith(b"RIFF") and raw[8:12] == b"WEBP"):
        return None
    if struct.unpack("<I", raw[4:8])[0] != len(raw) - 8:
        return None
    at, found = 12, []
    while at < len(raw):
        if at + 8 > len(raw):
            return None
        kind, length = raw[at : at + 4], struct.unpack("<I", raw[at + 4 : at + 8])[0]
        if kind in _WEBP_TEXT:
            found.append(kind.decode().strip())  # ASCII chunk names
        at += 8 + length + (length & 1)
    if at > len(raw) + 1:  # the last chunk longer than the file (its padding byte may be left out)
        return None
    return f"metadata ({', '.join(found)})" if found else ""
