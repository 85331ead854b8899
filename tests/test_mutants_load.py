"""The strict loader's edges: exact messages and places, the scalar table, the cheap pre-scan.

Written to kill the mutants of ``load.py`` that ``test_load.py`` lets survive (README
"Mutation testing"). Some helpers are called directly because their effect is invisible from
outside on this PyYAML: the resolver table is built once at import, the pre-scan only decides
whether the slower event scan runs, and libyaml's own nesting limit (PyYAML 6.0.4) meets
ours first, so the depth counter is checked with PyYAML's pure-Python parser, as on older
PyYAML releases (which pyproject.toml still allows).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from aprecords import load
from aprecords.load import MAX_DEPTH, LoadError, decode, load_file, load_text, parse

BOOL, NULL = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
INT, FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"


def refused(text: str) -> LoadError:
    with pytest.raises(LoadError) as raised:
        parse(text)
    return raised.value


def where(err: LoadError) -> tuple[str, int, int, str]:
    return err.rule, err.line, err.column, err.message


# --- the scalar resolver table ------------------------------------------------------------------


def test_the_resolver_table_is_exactly_the_yaml_1_2_like_one() -> None:
    number = [(INT, load._INT), (FLOAT, load._FLOAT)]
    expected = {
        "t": [(BOOL, load._BOOL)],
        "f": [(BOOL, load._BOOL)],
        "n": [(NULL, load._NULL)],
        "~": [(NULL, load._NULL)],
        "": [(NULL, load._NULL)],
        "-": number,
        **{digit: number for digit in "0123456789"},
    }
    assert load._resolvers() == expected


def test_a_loader_on_a_fresh_table_types_scalars_as_documented() -> None:
    class Fresh(load.StrictLoader):
        yaml_implicit_resolvers = load._resolvers()

    cases = {
        "true": True,
        "false": False,
        "null": None,
        "~": None,
        "": None,
        "12": 12,
        "-3": -3,
        "0": 0,
        "1.5": 1.5,
        "-0.5e3": -500.0,
        "012": "012",
        "1:30": "1:30",
        "yes": "yes",
        "off": "off",
        "2026-01-10": "2026-01-10",
    }
    for text, value in cases.items():
        got = yaml.load(f"k: {text}\n", Loader=Fresh)["k"]
        assert (got, type(got)) == (value, type(value)), text


# --- decode -------------------------------------------------------------------------------------


def test_decode_drops_only_a_leading_byte_order_mark() -> None:
    assert decode(b"\xef\xbb\xbfa: 1\n") == "a: 1\n"
    # one later in the text stays: kept when unseen characters are let through, else refused
    assert decode("a: x\ufeff".encode(), unseen_ok=True) == "a: x\ufeff"
    with pytest.raises(LoadError) as raised:
        decode("a: x\ufeff".encode())
    assert (raised.value.rule, raised.value.line, raised.value.column) == (
        "invisible-character",
        1,
        5,
    )


def test_a_tab_is_reported_at_the_first_one_even_at_the_start() -> None:
    for raw, place in ((b"\ta: 1\n", (1, 1)), (b"a: 1\nb:\t2\tc\n", (2, 3))):
        with pytest.raises(LoadError) as raised:
            decode(raw)
        assert (raised.value.rule, raised.value.line, raised.value.column) == (
            "tab-character",
            *place,
        )
        assert raised.value.message == (
            "a tab character; YAML needs spaces, so replace the tab with spaces"
        )


def test_a_bad_byte_after_a_leading_blank_line_is_placed_exactly() -> None:
    with pytest.raises(LoadError) as raised:
        decode(b"\nx\xff")
    assert where(raised.value) == (
        "encoding",
        2,
        2,
        "the file is not UTF-8 text (byte 0xFF here); save it as UTF-8 in your editor",
    )


def test_the_size_limit_message() -> None:
    with pytest.raises(LoadError) as raised:
        decode(b"a: 12345\n", max_bytes=8)
    assert where(raised.value) == (
        "file-size",
        1,
        1,
        "the file is 9 bytes, over the limit of 8; a record this large is almost certainly "
        "a mistake (split it, or raise max_file_bytes in aprecords.yml)",
    )


# --- load_text, load_file, LoadError ------------------------------------------------------------


def test_documents_keep_the_path_they_were_given(tmp_path: Path) -> None:
    file = tmp_path / "x.yaml"
    file.write_text("id: a\n", "utf-8")
    assert load_file(file, "records/x.yaml").path == "records/x.yaml"
    assert load_text("id: a\n", "records/y.yaml").path == "records/y.yaml"


@pytest.mark.parametrize(
    ("text", "rule", "message"),
    [
        (
            "",
            "empty-file",
            "the file is empty; it should hold one record (see the record format page)",
        ),
        (
            "- a\n",
            "top-level-mapping",
            "the file holds a list; a record must be a mapping of keys such as 'id: ...'",
        ),
        (
            "just text\n",
            "top-level-mapping",
            "the file holds a single value; a record must be a mapping of keys such as 'id: ...'",
        ),
    ],
)
def test_not_a_mapping_messages(text: str, rule: str, message: str) -> None:
    with pytest.raises(LoadError) as raised:
        load_text(text, "x.yaml")
    assert where(raised.value) == (rule, 1, 1, message)


def test_a_load_error_reads_as_its_message() -> None:
    assert str(LoadError("what to do", 3, 4)) == "what to do"


# --- construct_mapping --------------------------------------------------------------------------


def test_key_and_merge_key_messages() -> None:
    assert where(refused("? [a]\n: 1\n")) == (
        "yaml-key",
        1,
        3,
        "a key must be a plain word, not a list or mapping",
    )
    assert where(refused("a:\n  <<: {b: 1}\n")) == (
        "yaml-merge-key",
        2,
        3,
        "merge keys (<<) are not allowed in records; write the keys out in full",
    )


@pytest.fixture
def no_event_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch the event scan off, to reach the constructor's own second line of defence."""
    monkeypatch.setattr(load, "_scan_events", lambda text: None)


def test_a_tag_that_slips_past_the_scan_is_still_refused(no_event_scan: None) -> None:
    assert where(refused("k: 1\nv: !foo x\n")) == (
        "yaml-tag",
        2,
        4,
        "tags (words starting with '!') are not allowed in records; remove the tag",
    )


def test_a_mapping_tag_on_a_scalar_is_a_yaml_problem_at_the_scalar(no_event_scan: None) -> None:
    assert where(refused("k: 1\nv: !!map x\n")) == (
        "yaml-syntax",
        2,
        4,
        "YAML problem: expected a mapping",
    )


def test_recursion_in_the_parser_is_a_load_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def deep(text: str) -> None:
        raise RecursionError

    monkeypatch.setattr(load, "_scan_events", deep)
    assert where(refused("a: 1\n")) == (
        "yaml-syntax",
        1,
        1,
        "the file is nested too deeply to be a record",
    )


# --- the event scan -----------------------------------------------------------------------------


def test_anchor_tag_and_depth_messages() -> None:
    assert where(refused("a: &x 1\n")) == (
        "yaml-anchor",
        1,
        4,
        "anchors (&name) and aliases (*name) are not allowed in records; write the value out "
        "in full (quote text that starts with & or *)",
    )
    assert where(refused("a: !x 1\n")) == (
        "yaml-tag",
        1,
        4,
        "tags (words starting with '!') are not allowed in records; remove the tag (quote "
        "text that starts with !)",
    )
    deep = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    assert refused(deep).message == (
        "lists and mappings are nested more than 1000 deep here; a record is never that deep, "
        "so check the brackets and indentation"
    )


def test_a_syntax_error_found_by_the_scan_stays_a_syntax_error() -> None:
    err = refused("a: '! x'\nb: [1, 2\n")
    assert (err.rule, err.line, err.column) == ("yaml-syntax", 3, 1)
    assert err.message.startswith("YAML syntax error: did not find expected ',' or ']'; ")


@pytest.fixture
def python_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parse events with PyYAML's pure-Python parser, which has no nesting limit of its own."""
    monkeypatch.setattr(yaml, "CSafeLoader", yaml.SafeLoader)


def depth_error(text: str) -> tuple[str, int, int] | None:
    try:
        load._check_events(text)
    except LoadError as err:
        return err.rule, err.line, err.column
    return None


def test_our_depth_limit_counts_open_collections(python_parser: None) -> None:
    # the mapping is one level, so MAX_DEPTH - 1 lists reach the limit exactly
    fits = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert depth_error(fits) is None
    over = "a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"
    assert depth_error(over) == ("yaml-depth", 1, 3 + MAX_DEPTH)


def test_closed_collections_are_counted_off(python_parser: None) -> None:
    # siblings: 600 deep and closed, then MAX_DEPTH deep: only the second is too deep
    siblings = "a: [" + "[" * 599 + "]" * 599 + ", " + "[" * (MAX_DEPTH - 1)
    siblings += "]" * (MAX_DEPTH - 1) + "]\n"
    column = siblings.index(", ") + 2 + MAX_DEPTH - 1
    assert depth_error(siblings) == ("yaml-depth", 1, column)
    # inside MAX_DEPTH - 2 lists: an empty list, then a list in a list reaches MAX_DEPTH + 1
    inner = "a: " + "[" * (MAX_DEPTH - 2) + "[], [[]]" + "]" * (MAX_DEPTH - 2) + "\n"
    assert depth_error(inner) == ("yaml-depth", 1, inner.index("[[]]") + 2)
    many = "a: [" + ", ".join(["[[1]]"] * 600) + "]\n"
    assert depth_error(many) is None


def test_the_pre_scan_counts_every_nesting_indicator() -> None:
    # the top mapping needs no indicator: MAX_DEPTH of them can be one level too deep
    for ch in "[{-?":
        assert load._needs_event_scan(ch * (MAX_DEPTH - 1)) is False, ch
        assert load._needs_event_scan(ch * MAX_DEPTH) is True, ch
    mixed = "[" * 250 + "{" * 250 + "-" * 250 + "?" * 250
    assert load._needs_event_scan(mixed) is True


def test_one_level_too_deep_is_a_depth_finding_at_the_first_level_too_many() -> None:
    """The top mapping and MAX_DEPTH lists: the lists' last bracket is the level too many."""
    over = "a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"
    err = refused(over)
    assert (err.rule, err.line, err.column) == ("yaml-depth", 1, len("a: ") + MAX_DEPTH)
    fits = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert isinstance(parse(fits)["a"], list)


def test_nesting_no_indicator_counts_is_a_depth_finding_too() -> None:
    """Two block mappings (no '[', '{', '-' or '?') and MAX_DEPTH - 1 lists: the scan is not
    triggered, and libyaml's own limit in the main parse becomes the same finding."""
    lists = MAX_DEPTH - 1
    over = "a:\n  b: " + "[" * lists + "]" * lists + "\n"
    assert not load._needs_event_scan(over)
    err = refused(over)
    assert (err.rule, err.line, err.column) == ("yaml-depth", 2, len("  b: ") + lists)
    assert err.message.startswith("lists and mappings are nested more than 1000 deep here")
    fits = "a:\n  b: " + "[" * (lists - 1) + "]" * (lists - 1) + "\n"
    assert isinstance(parse(fits)["a"]["b"], list)


@pytest.mark.parametrize(
    ("text", "needed"),
    [
        ("name: Hollybrook Academy\n", False),
        ("name: Hair & Beauty\n", False),
        ("a: b &\n", False),
        ("a: b *", False),
        ("a: Q&A &x\n", True),
        ("a: x & *y\n", True),
        ("a: &x 1\n", True),
        ("a: ! b\n", True),
        ("a: !b\n", True),
    ],
)
def test_the_pre_scan_flags_only_possible_anchors_aliases_and_tags(text: str, needed: bool) -> None:
    assert load._needs_event_scan(text) is needed


# --- syntax errors ------------------------------------------------------------------------------


def test_a_second_document_message() -> None:
    assert where(refused("a: 1\n---\nb: 2\n")) == (
        "yaml-syntax",
        2,
        1,
        "YAML syntax error: more than one document (a second '---'); keep one record per file",
    )


def test_syntax_errors_without_a_problem_a_hint_or_a_place() -> None:
    bare = load._syntax_error(yaml.MarkedYAMLError())
    assert (bare.message, bare.line, bare.column) == ("YAML syntax error: not valid YAML", 1, 1)
    odd = load._syntax_error(yaml.MarkedYAMLError(problem="something odd"))
    assert odd.message == "YAML syntax error: something odd"
    flow = load._syntax_error(yaml.MarkedYAMLError(problem="did not find expected ','"))
    assert flow.message == (
        "YAML syntax error: did not find expected ','; check the brackets opened at line ?: "
        "items need commas between them and the list its closing bracket"
    )
    assert load._mark(None) == (1, 1)


# --- lone carriage returns, escaped invisible characters, control characters in parse ------


def test_a_lone_carriage_return_is_refused_at_its_place_unless_unseen_ok() -> None:
    with pytest.raises(LoadError) as raised:
        decode(b"a: 1\nb: x\ry\n")
    assert where(raised.value) == (
        "control-character",
        2,
        5,
        "a carriage return (U+000D) that does not end a line; delete it, or save the file "
        "with ordinary line endings",
    )
    assert decode(b"a: 1\nb: x\ry\n", unseen_ok=True) == "a: 1\nb: x\ry\n"
    assert decode(b"a: 1\r\nb: 2\r\n") == "a: 1\r\nb: 2\r\n"


ESCAPED_ZWSP = (
    "an invisible character, U+200B ZERO WIDTH SPACE (written as an escape in quoted text): it "
    "can make text look different from what it holds (letters shown reordered, or two "
    "different words shown the same); delete it, and retype the text around it if unsure"
)


def test_an_invisible_character_written_as_an_escape_is_refused_where_it_is() -> None:
    for text, place in (('a: 1\nb: "x\\u200by"\n', (2, 4)), ('a: 1\n"k\\u200b": 1\n', (2, 1))):
        with pytest.raises(LoadError) as raised:
            load_text(text, "p.yaml")
        assert where(raised.value) == ("invisible-character", *place, ESCAPED_ZWSP)
    assert load_text('a: 1\nb: "x\\u200by"\n', "p.yaml", unseen_ok=True).data["b"] == "x\u200by"
    assert load_text('a: 1\nb: "x\\ty"\n', "p.yaml").data["b"] == "x\ty"


def test_a_control_character_reaching_the_parser_is_placed_by_characters_not_bytes() -> None:
    assert where(refused("a: \u00e9\u00e9\x01\n")) == (
        "encoding",
        1,
        6,
        "an invisible control character (U+0001) that YAML does not allow; delete it",
    )
