"""Tests that kill mutants of ``aprecords.guard.images`` (README "Mutation testing"): which
files a help page may show, read whole, and the words staff are told."""

from __future__ import annotations

import struct
import zlib

import pytest

from aprecords.guard.images import problem


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(*extra: bytes, tail: bytes = b"") -> bytes:
    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    body = header + b"".join(extra) + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"") + tail


def jpeg(*segments: tuple[int, bytes]) -> bytes:
    parts = b"".join(bytes([0xFF, m]) + struct.pack(">H", len(d) + 2) + d for m, d in segments)
    return b"\xff\xd8" + parts + b"\xff\xda\x00\x02pixels"


def webp(*chunks: tuple[bytes, bytes]) -> bytes:
    body = b"WEBP" + b"".join(
        k + struct.pack("<I", len(d)) + d + (b"\x00" if len(d) % 2 else b"") for k, d in chunks
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


def test_clean_images_of_each_kind_are_accepted_whatever_the_case_of_their_ending() -> None:
    assert problem("a.png", png()) is None
    assert problem("a.jpg", b"\xff\xd8\xff\xda\x00\x02") is None  # pixels at once
    assert problem("a.jpg", jpeg((0xE0, b""))) is None  # a segment of its length alone
    assert problem("a.jpg", jpeg((0xE2, b"\0" * 40_000))) is None  # a colour profile: > 32 KiB
    assert problem("a.webp", webp((b"VP8 ", b"ab"), (b"XYZW", b""))) is None  # an empty chunk
    assert problem("a.webp", webp((b"VP8 ", b"abc"))[:-1]) is not None
    assert problem("docs/v1.2/shot.PNG", png()) is None
    assert problem("a.jpg", jpeg((0xE0, b"JFIF\x00"))) is None
    assert problem("a.JPEG", jpeg()) is None
    assert problem("a.webp", webp((b"VP8 ", b"abc"), (b"ALPH", b"de"))) is None


def test_a_file_of_another_kind_is_refused_with_what_to_do() -> None:
    text = problem("notes.pdf", b"%PDF")
    assert text == (
        "a .pdf file; help pages hold only Markdown (.md) and images without text (PNG, JPEG, "
        "WebP), because the leak check cannot read what other files show: put its text in a "
        "Markdown page (and pictures as PNG), or share the file some other way than the site"
    )
    assert (problem("Makefile", b"x") or "").startswith("a file without an ending file;")
    assert (problem("archive.png.zip", png()) or "").startswith("a .zip file;")


@pytest.mark.parametrize(
    ("name", "raw", "says"),
    [
        ("a.png", png(chunk(b"tEXt", b"k\x00v"), chunk(b"zTXt", b"k")), "(tEXt, zTXt)"),
        ("a.png", png(chunk(b"iTXt", b"k"), chunk(b"eXIf", b"MM")), "(iTXt, eXIf)"),
        ("a.png", png(tail=b"Tobias"), "(bytes after its end)"),
        ("a.jpg", jpeg((0xE1, b"Exif"), (0xFE, b"x"), (0xE1, b"XMP")), "(EXIF or XMP, a comment)"),
        ("a.jpg", jpeg((0xED, b"8BIM")), "(IPTC)"),
        ("a.webp", webp((b"VP8 ", b"ab"), (b"EXIF", b"x"), (b"XMP ", b"yz")), "(EXIF, XMP)"),
    ],
)
def test_metadata_is_named_and_refused(name: str, raw: bytes, says: str) -> None:
    kind = {"png": "PNG", "jpg": "JPEG", "webp": "WebP"}[name.rsplit(".", 1)[1]]
    assert problem(name, raw) == (
        f"this {kind} image holds metadata {says}, which the leak check cannot read; save the "
        "image again without its metadata (for example `exiftool -all= FILE` or `mogrify "
        "-strip FILE`), then commit it again"
    )


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("a.png", b"<svg><text>x</text></svg>"),
        ("a.png", png()[:-12]),  # no IEND
        ("a.png", png()[:20]),  # a chunk longer than the file
        ("a.png", png()[:-3]),
        ("a.png", b"\x89PNG\r\n\x1a\n" + struct.pack(">I4s", 0xFFFFFFF0, b"IHDR") + b"x" * 8),
        ("a.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF"),  # a segment longer than the file
        ("a.jpg", b"\xff\xd8\xff\xe0\x00\x01\xff\xda"),  # a length below 2
        ("a.jpg", b"\xff\xd8\x00\xe0\x00\x04ab\xff\xda"),  # no marker where one must be
        ("a.jpg", b"\xff\xd8\xff\xe0\x00\x04ab"),  # no pixels
        ("a.webp", webp((b"VP8 ", b"ab"))[:-1]),  # RIFF size not the file's
        ("a.webp", b"RIFF" + struct.pack("<I", 10) + b"WEBPVP8 "),  # a chunk cut short
        ("a.webp", b"RIFF" + struct.pack("<I", 16) + b"WEBPVP8 " + struct.pack("<I", 9) + b"abcd"),
        ("a.webp", b"RIFF\x04\x00\x00\x00WEBQ"),
        ("a.webp", b"RIFF" + struct.pack("<I", 8) + b"WEBPVP8 "),  # a header cut short
        ("a.webp", b"RIFF" + struct.pack("<I", 16) + b"WEBPVP8 " + struct.pack("<I", 99) + b"abcd"),
        ("a.png", png()[:-12] + struct.pack(">I4s", 5, b"IEND") + b"\0\0\0\0"),  # IEND too long
        ("a.png", b"\x89PNG\r\n\x1a\n" + struct.pack(">I4s", 0x80000000, b"tEXt") + b"x" * 8),
    ],
)
def test_an_image_that_cannot_be_read_whole_is_refused(name: str, raw: bytes) -> None:
    kind = {"png": "PNG", "jpg": "JPEG", "webp": "WebP"}[name.rsplit(".", 1)[1]]
    assert problem(name, raw) == (
        f"this file is not a whole {kind} image, although its name says so: save it again as {kind}"
    )


def test_a_webps_last_chunk_may_leave_out_its_padding_byte_and_nothing_more() -> None:
    """An odd-length last chunk without its padding byte is whole; a chunk two bytes longer
    than the file is not."""
    unpadded = b"WEBP" + b"VP8 " + struct.pack("<I", 3) + b"abc"
    assert problem("a.webp", b"RIFF" + struct.pack("<I", len(unpadded)) + unpadded) is None
    short = b"WEBP" + b"VP8 " + struct.pack("<I", 4) + b"ab"
    assert problem("a.webp", b"RIFF" + struct.pack("<I", len(short)) + short) == (
        "this file is not a whole WebP image, although its name says so: save it again as WebP"
    )
