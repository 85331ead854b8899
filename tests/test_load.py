"""The strict loader: every bad input is refused at its exact line and column, with a rule id."""

from __future__ import annotations

from pathlib import Path

import pytest

from aprecords.load import DEFAULT_MAX_BYTES, MAX_DEPTH, LoadError, decode, load_file, load_text


def refused(text: str) -> LoadError:
    """The LoadError that loading ``text`` raises (fails the test if it loads)."""
    with pytest.raises(LoadError) as info:
        load_text(decode(text.encode("utf-8")), "x.yaml")
    return info.value


def refused_bytes(raw: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadError:
    with pytest.raises(LoadError) as info:
        load_text(decode(raw, max_bytes), "x.yaml")
    return info.value


def loaded(text: str) -> dict:
    return load_text(decode(text.encode("utf-8")), "x.yaml").data


# --- duplicate keys ---------------------------------------------------------------------------


def test_duplicate_top_level_key_is_reported_at_the_second_key() -> None:
    err = refused("id: a\nname: b\nid: c\n")
    assert (err.rule, err.line, err.column) == ("duplicate-key", 3, 1)
    assert "'id' appears twice" in err.message
    assert "first at line 1" in err.message


def test_duplicate_nested_key_is_reported_where_it_repeats() -> None:
    err = refused("student:\n  name: A\n  year_group: 10\n  name: B\n")
    assert (err.rule, err.line, err.column) == ("duplicate-key", 4, 3)
    assert "'name' appears twice" in err.message and "first at line 2" in err.message


def test_duplicate_key_inside_a_list_item() -> None:
    err = refused("reviews:\n  - date: 2025-01-01\n    behaviour: ok\n    date: 2025-02-01\n")
    assert (err.rule, err.line, err.column) == ("duplicate-key", 4, 5)


def test_duplicate_key_in_a_flow_mapping() -> None:
    err = refused("a: {b: 1, b: 2}\n")
    assert (err.rule, err.line, err.column) == ("duplicate-key", 1, 11)


def test_same_key_in_different_mappings_is_fine() -> None:
    assert loaded("a:\n  name: x\nb:\n  name: y\n") == {"a": {"name": "x"}, "b": {"name": "y"}}


# --- scalars ----------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "Yes", "NO", "True", "FALSE"])
def test_yaml_1_1_booleans_stay_text(word: str) -> None:
    assert loaded(f"a: {word}\n") == {"a": word}


def test_only_true_and_false_are_booleans() -> None:
    assert loaded("a: true\nb: false\n") == {"a": True, "b": False}


@pytest.mark.parametrize("value", ["2025-09-08", "2025-02-30", "2025-09-08T10:00:00"])
def test_dates_stay_text(value: str) -> None:
    assert loaded(f"a: {value}\n") == {"a": value}


NOT_NUMBERS = ["012", "1:30", "0x1F", "0o17", "1_000", "+1", ".5", "1e3", "inf", ".nan"]


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_numbers_that_are_not_plain_decimal_stay_text(value: str) -> None:
    assert loaded(f"a: {value}\n") == {"a": value}


def test_plain_decimal_numbers_are_numbers() -> None:
    assert loaded("a: 12\nb: -3\nc: 94.4\nd: 0\n") == {"a": 12, "b": -3, "c": 94.4, "d": 0}


def test_huge_integer_stays_text_instead_of_crashing() -> None:
    """Python refuses to convert integers of more than 4300 digits (a ValueError escaped)."""
    assert loaded("a: " + "1" * 5000 + "\n") == {"a": "1" * 5000}
    assert loaded("a: " + "9" * 100 + "\n") == {"a": int("9" * 100)}


def test_null_forms() -> None:
    assert loaded("a:\nb: null\nc: ~\n") == {"a": None, "b": None, "c": None}


# --- anchors, aliases, merge keys, tags -------------------------------------------------------


def test_anchor_and_alias_are_refused_at_the_anchor() -> None:
    err = refused("a: 1\nb: &x {c: 1}\nd: *x\n")
    assert (err.rule, err.line, err.column) == ("yaml-anchor", 2, 4)
    assert "anchors" in err.message and "write the value out in full" in err.message


def test_bare_anchor_without_alias_is_refused() -> None:
    err = refused("a: 1\nb: &lonely\n")
    assert (err.rule, err.line, err.column) == ("yaml-anchor", 2, 4)


def test_anchor_on_a_list_item() -> None:
    err = refused("a:\n  - &x one\n")
    assert (err.rule, err.line, err.column) == ("yaml-anchor", 2, 5)


def test_merge_key_with_alias_is_refused() -> None:
    err = refused("base: &b {x: 1}\nother:\n  <<: *b\n")
    assert (err.rule, err.line) == ("yaml-anchor", 1)


def test_merge_key_without_alias_is_refused() -> None:
    err = refused("a: 1\nb:\n  <<: {x: 1}\n  y: 2\n")
    assert (err.rule, err.line, err.column) == ("yaml-merge-key", 3, 3)
    assert "merge keys" in err.message


def test_quoted_merge_word_is_an_ordinary_key() -> None:
    assert loaded('"<<": 1\n') == {"<<": 1}


def test_ampersand_and_star_in_text_are_fine() -> None:
    text = "a: Hair & beauty, 5* rating\nb: 'R&D'\nc: Great!\nd: \"*starred*\"\n"
    assert loaded(text) == {
        "a": "Hair & beauty, 5* rating",
        "b": "R&D",
        "c": "Great!",
        "d": "*starred*",
    }


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("a: 1\nb: !!python/object:os.system x\n", 2, 4),
        ("a: !!timestamp 2025-01-01\n", 1, 4),
        ("a: !local thing\n", 1, 4),
        ("a:\n  - !!binary aGVsbG8=\n", 2, 5),
        ("!!map\na: 1\n", 1, 1),
    ],
)
def test_tags_are_refused(text: str, line: int, column: int) -> None:
    err = refused(text)
    assert (err.rule, err.line, err.column) == ("yaml-tag", line, column)
    assert "tags" in err.message and "remove the tag" in err.message


@pytest.mark.parametrize("text", ["a: !!bool yes\n", "a: !!int 012\n", "a: !!float 1\n"])
def test_standard_tags_cannot_smuggle_in_yaml_1_1_values(text: str) -> None:
    """`!!bool yes` would otherwise become true, and `!!int 012` the number 10."""
    err = refused(text)
    assert (err.rule, err.line, err.column) == ("yaml-tag", 1, 4)


# --- encoding, tabs, size ---------------------------------------------------------------------


def test_non_utf8_byte_is_located_by_character_column() -> None:
    raw = "id: x\nname: Zoë \xa0".encode() + b"\xff more\n"
    err = refused_bytes(raw)
    assert (err.rule, err.line, err.column) == ("encoding", 2, 12)
    assert "0xFF" in err.message and "UTF-8" in err.message


def test_latin1_file_is_refused_at_the_first_bad_byte() -> None:
    err = refused_bytes("id: x\nname: Zoë\n".encode("latin-1"))
    assert (err.rule, err.line, err.column) == ("encoding", 2, 9)


def test_utf8_byte_order_mark_is_accepted() -> None:
    doc = load_text(decode(b"\xef\xbb\xbfid: x\nname: y\n"), "x.yaml")
    assert doc.data == {"id": "x", "name": "y"}
    assert doc.locate("/name") == (2, 7)


def test_control_character_is_located_after_multibyte_text() -> None:
    err = refused("a: 1\nb: éé\x07\n")
    assert (err.rule, err.line, err.column) == ("control-character", 2, 6)
    assert "U+0007 BELL" in err.message


def test_tab_is_refused_where_it_is() -> None:
    err = refused("id: x\nstudent:\n\tname: y\n")
    assert (err.rule, err.line, err.column) == ("tab-character", 3, 1)
    assert "spaces" in err.message


def test_tab_inside_text_is_refused_too() -> None:
    err = refused("id: x\nname: a\tb\n")
    assert (err.rule, err.line, err.column) == ("tab-character", 2, 8)


def test_size_limit() -> None:
    raw = b"a: " + b"x" * 2000 + b"\n"
    err = refused_bytes(raw, max_bytes=1024)
    assert (err.rule, err.line, err.column) == ("file-size", 1, 1)
    assert "2,004 bytes" in err.message and "1,024" in err.message
    assert "max_file_bytes" in err.message


def test_size_limit_allows_a_file_of_exactly_the_limit() -> None:
    raw = b"a: " + b"x" * (1024 - 4) + b"\n"
    assert len(raw) == 1024
    assert load_text(decode(raw, 1024), "x.yaml").data["a"] == "x" * 1020


def test_load_file_applies_the_size_limit(tmp_path: Path) -> None:
    file = tmp_path / "big.yaml"
    file.write_bytes(b"a: " + b"x" * 5000 + b"\n")
    with pytest.raises(LoadError) as info:
        load_file(file, "big.yaml", max_bytes=1024)
    assert info.value.rule == "file-size"


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as info:
        load_file(tmp_path / "missing.yaml", "missing.yaml")
    assert info.value.rule == "unreadable" and "cannot read" in info.value.message


# --- shape of the document --------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "---\n", "null\n", "~\n"])
def test_empty_file(text: str) -> None:
    err = refused(text)
    assert (err.rule, err.line, err.column) == ("empty-file", 1, 1)
    assert "empty" in err.message


def test_comment_only_file() -> None:
    err = refused("# yaml-language-server: $schema=x\n# nothing else\n")
    assert (err.rule, err.line, err.column) == ("empty-file", 1, 1)


def test_top_level_list() -> None:
    err = refused("- id: x\n- id: y\n")
    assert (err.rule, err.line, err.column) == ("top-level-mapping", 1, 1)
    assert "a list" in err.message and "mapping" in err.message


@pytest.mark.parametrize("text", ["just words\n", "42\n", "true\n", '"quoted"\n'])
def test_top_level_scalar(text: str) -> None:
    err = refused(text)
    assert err.rule == "top-level-mapping"
    assert "a single value" in err.message


def test_two_documents() -> None:
    err = refused("id: a\n---\nid: b\n")
    assert (err.rule, err.line, err.column) == ("yaml-syntax", 2, 1)
    assert "more than one document" in err.message and "one record per file" in err.message


def test_document_end_marker_alone_is_fine() -> None:
    assert loaded("---\nid: a\n...\n") == {"id": "a"}


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("? [a, b]\n: 1\n", 1, 3),
        ("a: 1\n? {k: v}\n: 2\n", 2, 3),
    ],
)
def test_non_scalar_keys(text: str, line: int, column: int) -> None:
    err = refused(text)
    assert (err.rule, err.line, err.column) == ("yaml-key", line, column)
    assert "plain word" in err.message


def test_numeric_and_boolean_keys_become_text() -> None:
    assert loaded("1: a\ntrue: b\n") == {"1": "a", "true": "b"}


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("a: [1, 2\nb: 3\n", 2, 2),
        ("a: 1\n b: 2\n", 2, 3),
        ("a: 'open\n", 1, 4),  # at the quote that is never closed
        ("a:\n  - x\n  y: 1\n", 3, 3),
    ],
)
def test_syntax_errors_are_located(text: str, line: int, column: int) -> None:
    err = refused(text)
    assert (err.rule, err.line, err.column) == ("yaml-syntax", line, column)
    assert err.message.startswith("YAML syntax error")


@pytest.mark.parametrize(
    ("text", "line", "column", "hint"),
    [
        ("id: x\nbehaviour: Good: one warning\n", 2, 16, "put the whole value in quotes"),
        ("id: x\nstudent:\n  name: A\n year: 10\n", 4, 2, "check its indentation"),
        # the line without a key, not the next line where libyaml notices
        ("id: x\nrationale: Tobias is\ndisengaged\nnext: 1\n", 3, 1, "add the ':'"),
        ("id: x\nname: `quoted`\n", 2, 7, "put it in quotes"),
        # the opening quote, not the end of the file
        ("id: x\nname: 'Tobias\nnext: 1\n", 2, 7, "add the closing quote"),
        ("id: x\nname: 'Tobias' Wren\n", 2, 16, "nothing follows a closing quote"),
        ("id: x\nsites: - yard\n", 2, 8, "start it on the next line"),
        ("id: x\nsites: [yard\nnext: 1\n", 3, 5, "brackets opened at line 2"),
    ],
)
def test_common_syntax_mistakes_get_a_hint(text: str, line: int, column: int, hint: str) -> None:
    err = refused(text)
    assert (err.rule, err.line, err.column) == ("yaml-syntax", line, column)
    assert err.message.startswith("YAML syntax error: ")
    assert hint in err.message, err.message


def test_very_deep_nesting_is_refused_not_a_crash() -> None:
    """libyaml's composer recurses in C: 100,000 brackets used to kill the interpreter."""
    depth = 100_000
    err = refused("a: " + "[" * depth + "]" * depth + "\n")
    assert (err.rule, err.line, err.column) == ("yaml-depth", 1, 3 + MAX_DEPTH)
    assert "nested" in err.message


def test_deep_compact_sequences_are_refused() -> None:
    err = refused("- " * 50_000 + "x\n")
    assert err.rule == "yaml-depth" and err.line == 1


def test_moderate_nesting_is_fine() -> None:
    assert loaded("a: " + "[" * 50 + "]" * 50 + "\n")["a"] is not None


# --- locating pointers ------------------------------------------------------------------------

SAMPLE = """\
# a comment line
id: x
student:
  name: Ann
  year_group: 10
aims:
  rationale:
  profile:
    strengths: ''
    barriers: "quoted"
reviews:
  - date: 2025-12-09
    progress:
      - target: T1
        status: met
  - date: 2026-03-01
tags: [a, b]
"""


@pytest.mark.parametrize(
    ("pointer", "key", "expected"),
    [
        ("/id", False, (2, 5)),
        ("/id", True, (2, 1)),
        ("/student/name", False, (4, 9)),
        ("/student/name", True, (4, 3)),
        ("/student", True, (3, 1)),
        ("/aims/rationale", False, (7, 13)),  # an empty value: on its own line, not the next
        ("/aims/rationale", True, (7, 3)),
        ("/aims/profile/strengths", False, (9, 16)),
        ("/aims/profile/barriers", False, (10, 15)),
        ("/reviews/0", False, (12, 5)),
        ("/reviews/1/date", False, (16, 11)),
        ("/reviews/0/progress/0/status", False, (15, 17)),
        ("/reviews/0/progress/0/status", True, (15, 9)),
        ("/tags/1", False, (17, 11)),
        ("", False, (2, 1)),
    ],
)
def test_locate_keys_and_values(pointer: str, key: bool, expected: tuple[int, int]) -> None:
    doc = load_text(SAMPLE, "x.yaml")
    assert doc.locate(pointer, key=key) == expected


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [
        ("/student/upn", (4, 3)),  # the mapping that lacks it starts at its first key
        ("/aims/profile/what_works", (9, 5)),
        ("/reviews/1/behaviour", (16, 5)),
        ("/reviews/5/date", (12, 3)),  # no such item: the list, at its first dash
        ("/missing/deeper", (2, 1)),
    ],
)
def test_locate_missing_property_gives_the_mapping_that_lacks_it(
    pointer: str, expected: tuple[int, int]
) -> None:
    doc = load_text(SAMPLE, "x.yaml")
    assert doc.locate(pointer) == expected


def test_locate_escaped_pointer_tokens() -> None:
    doc = load_text("a/b: 1\nc~d: 2\n", "x.yaml")
    assert doc.locate("/a~1b") == (1, 6)
    assert doc.locate("/c~0d", key=True) == (2, 1)


@pytest.mark.parametrize(
    ("text", "scan"),
    [
        ("a: Hair & Beauty\n", False),
        ("a: 2 * 3\n", False),
        ("a: B&Q\n", False),
        ("a: &x 1\n", True),
        ("a: [*b]\n", True),
        ("a: !!str 1\n", True),
    ],
)
def test_event_scan_only_where_an_anchor_alias_or_tag_may_be(text: str, scan: bool) -> None:
    """The second (event) parse is skipped for text that cannot hold one: an ampersand or
    asterisk before a space is prose, an anchor or alias name follows its sign at once."""
    from aprecords.load import _needs_event_scan

    assert _needs_event_scan(text) is scan
