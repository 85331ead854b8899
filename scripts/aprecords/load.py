"""The one strict YAML loader every part of aprecords uses.

Rules (each gives a clear error with line and column):
- UTF-8 only (a leading byte-order mark is allowed); no tab characters; a size limit checked
  before reading; only regular files (never a folder, pipe or socket);
- no invisible format characters (Unicode category Cf: bidi controls, zero-width spaces and
  joiners, soft hyphens, a byte-order mark inside the text) and no control characters, neither
  typed nor written as escapes in double-quoted text;
- exactly one document, a mapping, not empty;
- duplicate keys are errors; keys are plain text;
- dates stay strings; only ``true``/``false`` are booleans (``yes``, ``no``, ``on``, ``off``
  stay text); numbers are plain decimal (``012`` and ``1:30`` stay text), integers at most
  100 digits;
- anchors, aliases, merge keys and tags are refused, and so is very deep nesting.

Parsing runs in libyaml (``yaml.CSafeLoader``); only the small constructor runs in Python.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from aprecords.files import DEFAULT_MAX_BYTES, LoadError, read_limited, size_error
from aprecords.unseen import SUSPECT, escaped_unseen, unseen_problem

# Integers of more than 100 digits stay text: Python refuses to convert over 4300 digits.
_INT = re.compile(r"^-?(?:0|[1-9][0-9]{0,99})$")
_FLOAT = re.compile(r"^-?(?:0|[1-9][0-9]*)\.[0-9]+(?:[eE][-+]?[0-9]+)?$")
_BOOL = re.compile(r"^(?:true|false)$")
_NULL = re.compile(r"^(?:null|~|)$")


def _resolvers() -> dict[str | None, list[tuple[str, re.Pattern[str]]]]:
    table: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}

    def add(tag: str, pattern: re.Pattern[str], first: str) -> None:
        for ch in first:
            table.setdefault(ch, []).append((tag, pattern))

    add("tag:yaml.org,2002:bool", _BOOL, "tf")
    add("tag:yaml.org,2002:null", _NULL, "n~")
    table.setdefault("", []).append(("tag:yaml.org,2002:null", _NULL))
    add("tag:yaml.org,2002:int", _INT, "-0123456789")
    add("tag:yaml.org,2002:float", _FLOAT, "-0123456789")
    return table


class _Problem(Exception):
    """Raised inside construction; turned into a LoadError with the node's mark."""

    def __init__(self, message: str, node: Node, rule: str):
        super().__init__(message)
        self.message, self.node, self.rule = message, node, rule


class StrictLoader(yaml.CSafeLoader):
    """``CSafeLoader`` with YAML-1.2-like scalars, no tags, and duplicate keys refused."""

    yaml_implicit_resolvers = _resolvers()
    yaml_constructors = {
        tag: SafeConstructor.yaml_constructors[tag]
        for tag in (
            "tag:yaml.org,2002:null",
            "tag:yaml.org,2002:bool",
            "tag:yaml.org,2002:int",
            "tag:yaml.org,2002:float",
            "tag:yaml.org,2002:str",
            "tag:yaml.org,2002:seq",
            "tag:yaml.org,2002:map",
        )
    }

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[str, Any]:  # noqa: D102
        if not isinstance(node, MappingNode):
            raise ConstructorError(None, None, "expected a mapping", node.start_mark)
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise _Problem(
                    "a key must be a plain word, not a list or mapping", key_node, "yaml-key"
                )
            key = key_node.value
            if key == "<<" and not key_node.style:
                raise _Problem(
                    "merge keys (<<) are not allowed in records; write the keys out in full",
                    key_node,
                    "yaml-merge-key",
                )
            if key in mapping:
                first = next(k for k, _ in node.value if k.value == key)
                raise _Problem(
                    f"the key '{key}' appears twice in this mapping (first at line "
                    f"{first.start_mark.line + 1}); keep one and delete the other",
                    key_node,
                    "duplicate-key",
                )
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


StrictLoader.add_constructor(None, SafeConstructor.construct_undefined)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _mark(mark: yaml.Mark | None) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


_TAB = re.compile("\t")
_LONE_CR = re.compile("\r(?!\n)")
_PLAIN = bytes(range(0x20, 0x7F)) + b"\n\r"
"""Printable ASCII and line breaks: the bytes of most records, and never suspect."""


def decode(raw: bytes, max_bytes: int = DEFAULT_MAX_BYTES, unseen_ok: bool = False) -> str:
    """Check size, encoding, tabs and unseen characters; return the text without a BOM.

    A clean file costs one ``bytes.translate``; a regular expression searches only the
    characters that are not plain ASCII. ``unseen_ok`` lets format characters through (for
    reading a past version, which is not being checked).
    """
    if len(raw) > max_bytes:
        raise size_error(len(raw), max_bytes)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8", "replace")
        line, col = _line_col(good, len(good))
        raise LoadError(
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02X} here); "
            "save it as UTF-8 in your editor",
            line,
            col,
            "encoding",
        ) from None
    text = text.removeprefix("\ufeff")
    # Only the bytes that are not printable ASCII or line breaks (a fast C loop): none at all
    # in most files; else they form the text's other characters, searched for the suspects.
    rest = raw.removeprefix(b"\xef\xbb\xbf").translate(None, _PLAIN)
    suspect = _TAB if unseen_ok else SUSPECT
    found = suspect.search(text) if rest and suspect.search(rest.decode("utf-8")) else None
    if found is not None:
        line, col = _line_col(text, found.start())
        if found.group() == "\t":
            raise LoadError(
                "a tab character; YAML needs spaces, so replace the tab with spaces",
                line,
                col,
                "tab-character",
            )
        message, rule = unseen_problem(found.group())
        raise LoadError(message, line, col, rule)
    if not unseen_ok and "\r" in text and (cr := _LONE_CR.search(text)):
        # YAML reads it as a line break, a terminal as "back to the start of the line".
        line, col = _line_col(text, cr.start())
        raise LoadError(
            "a carriage return (U+000D) that does not end a line; delete it, or save the "
            "file with ordinary line endings",
            line,
            col,
            "control-character",
        )
    return text


_EVENT_CHARS = re.compile(r"[!&*]")
MAX_DEPTH = 1000
"""Deeper nesting is refused: no record needs it, and libyaml's composer recurses in C (it
crashes the interpreter somewhere past 20,000 levels)."""


def _needs_event_scan(text: str) -> bool:
    """True when the text may hold an anchor, alias, tag or very deep nesting.

    Cheap checks first: '&', '*' or '!' not after a letter or digit (a token starts only
    after a space, line break, flow bracket or ':'; and '&' or '*' before a name, not
    before a space), or at least MAX_DEPTH brackets and '-'/'?' indicators (the top mapping
    needs none, so MAX_DEPTH of them can open level MAX_DEPTH + 1; indentation alone cannot
    nest dangerously deep within any plausible size limit: depth d needs about d*d/2
    leading spaces, and :func:`parse` turns libyaml's own limit into the same finding).
    """
    if text.count("[") + text.count("{") + text.count("-") + text.count("?") >= MAX_DEPTH:
        return True
    if "&" not in text and "*" not in text and "!" not in text:
        return False
    for m in _EVENT_CHARS.finditer(text):
        at = m.start()
        if at and text[at - 1].isalnum():
            continue
        # An anchor or alias name follows its '&' or '*' at once: "Hair & Beauty" is text.
        if m.group() != "!" and (at + 1 == len(text) or text[at + 1].isspace()):
            continue
        return True
    return False


def _scan_events(text: str) -> None:
    """Refuse anchors, aliases, explicit tags and nesting deeper than MAX_DEPTH."""
    if _needs_event_scan(text):
        _check_events(text)  # a YAML error here goes to parse(), as one in the main parse


def _too_deep(mark: yaml.Mark) -> LoadError:
    line, col = _mark(mark)
    return LoadError(
        f"lists and mappings are nested more than {MAX_DEPTH} deep here; "
        "a record is never that deep, so check the brackets and indentation",
        line,
        col,
        "yaml-depth",
    )


def _check_events(text: str) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            line, col = _mark(event.start_mark)
            raise LoadError(
                "anchors (&name) and aliases (*name) are not allowed in records; "
                "write the value out in full (quote text that starts with & or *)",
                line,
                col,
                "yaml-anchor",
            )
        if getattr(event, "tag", None):
            line, col = _mark(event.start_mark)
            raise LoadError(
                "tags (words starting with '!') are not allowed in records; remove the tag "
                "(quote text that starts with !)",
                line,
                col,
                "yaml-tag",
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(event.start_mark)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


_SYNTAX_HINTS = (
    (
        "mapping values are not allowed",
        "a ': ' inside a value; put the whole value in quotes, or check this line's indentation",
    ),
    (
        "could not find expected ':'",
        "this line is not 'key: value'; add the ':', or indent the line to continue the text "
        "above it",
    ),
    (
        "did not find expected key",
        "this line does not line up with the keys or '- ' items above it; check its "
        "indentation, and that nothing follows a closing quote",
    ),
    ("did not find expected '-'", "this line does not line up with the '- ' items above it"),
    ("cannot start any token", "a value cannot start with this character; put it in quotes"),
    ("unexpected end of stream", "this quote is never closed; add the closing quote"),
    (
        "block sequence entries are not allowed",
        "a '- ' list cannot start on the line of its key; start it on the next line, indented",
    ),
    (
        "did not find expected ','",
        "check the brackets opened at line {context}: items need commas between them and the "
        "list its closing bracket",
    ),
    ("expected comment or line break", "something follows the value; put it all in quotes"),
    ("expected a single document", "keep one record per file"),
)
_AT_CONTEXT = ("while scanning a simple key", "while scanning a quoted scalar")
"""Errors libyaml finds only later (a line on): where the trouble starts is the context."""


def _syntax_error(exc: yaml.MarkedYAMLError) -> LoadError:
    """A YAML syntax error in plain words: libyaml's problem, a hint, the best position."""
    what = exc.problem or "not valid YAML"
    context = exc.context_mark
    mark = context if exc.context in _AT_CONTEXT and context else exc.problem_mark or context
    hint = next((h for key, h in _SYNTAX_HINTS if key in str(exc)), "")
    hint = hint.replace("{context}", str(context.line + 1) if context else "?")
    if "a single document" in str(exc):
        what = "more than one document (a second '---')"
    line, col = _mark(mark)
    return LoadError(f"YAML syntax error: {what}" + (f"; {hint}" if hint else ""), line, col)


class _Irregular(Exception):
    """Something the fast builder leaves to the constructor (which explains it, if wrong)."""


_STR, _INT_TAG, _FLOAT_TAG = (
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
)
_BOOL_TAG, _NULL_TAG = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
_MAP_TAG, _SEQ_TAG = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


def _build(node: Node, marks: list[int]) -> Any:
    """The data of a composed node, as ``StrictLoader`` constructs it, and the marks.

    Each node's start (0-based line, column) is appended to ``marks`` in document order; a
    mapping's entries as key, then value. Scalars are made as the strict resolvers allow
    (plain decimal numbers, ``true``/``false``, ``null``): the same values the constructor
    makes. Anything else (a tag, a duplicate, merge or non-text key) raises ``_Irregular``.
    """
    mark = node.start_mark
    marks.append(mark.line)
    marks.append(mark.column)
    kind = type(node)
    tag = node.tag
    if kind is ScalarNode:
        value = node.value
        if tag == _STR:
            return value
        if tag == _NULL_TAG:
            return None
        if tag == _BOOL_TAG:
            return value == "true"
        if tag == _INT_TAG:
            return int(value)
        if tag == _FLOAT_TAG:
            return float(value)
        raise _Irregular
    if kind is MappingNode and tag == _MAP_TAG:
        data: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not ScalarNode:
                raise _Irregular
            key = key_node.value
            if key in data or (key == "<<" and not key_node.style):
                raise _Irregular
            mark = key_node.start_mark
            marks.append(mark.line)
            marks.append(mark.column)
            data[key] = _build(value_node, marks)
        return data
    if kind is SequenceNode and tag == _SEQ_TAG:
        return [_build(item, marks) for item in node.value]
    raise _Irregular


def parse(text: str) -> Any:
    """Parse one YAML document strictly; raise LoadError with a 1-based position."""
    return parse_marked(text)[0]


def parse_marked(text: str) -> tuple[Any, array[int] | None]:
    """Parse strictly, keeping every node's position (see :func:`_build`) for locating
    findings without parsing again; the positions are None where the fast path was left."""
    try:
        _scan_events(text)
        loader = StrictLoader(text)
        try:
            root = loader.get_single_node()
            if root is None:
                return None, None
            marks: list[int] = []
            try:
                return _build(root, marks), array("I", marks)
            except (_Irregular, RecursionError):
                return loader.construct_document(root), None
        finally:
            loader.dispose()
    except _Problem as exc:
        line, col = _mark(exc.node.start_mark)
        raise LoadError(exc.message, line, col, exc.rule) from None
    except ConstructorError as exc:
        line, col = _mark(exc.problem_mark)
        tag = getattr(exc, "problem", "") or ""
        raise LoadError(
            "tags (words starting with '!') are not allowed in records; remove the tag"
            if "constructor" in tag
            else f"YAML problem: {tag}",
            line,
            col,
            "yaml-tag" if "constructor" in tag else "yaml-syntax",
        ) from None
    except yaml.MarkedYAMLError as exc:
        # PyYAML 6.0.4's bundled libyaml has its own nesting limit, the same as MAX_DEPTH
        # (met at the same place), reached before ours, or where no indicator was counted.
        if "nesting depth" in str(exc.problem) and exc.problem_mark is not None:
            raise _too_deep(exc.problem_mark) from None
        raise _syntax_error(exc) from None
    except yaml.reader.ReaderError as exc:
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        # libyaml counts bytes of the UTF-8 text, not characters.
        before = text.encode("utf-8")[: exc.position].decode("utf-8", "replace")
        line, col = _line_col(before, len(before))
        raise LoadError(
            f"an invisible control character (U+{code:04X}) that YAML does not allow; delete it",
            line,
            col,
            "encoding",
        ) from None
    except RecursionError:
        raise LoadError("the file is nested too deeply to be a record") from None


@dataclass
class Document:
    """One loaded file: its data, its text, and a lazily built map to source positions."""

    path: str
    data: dict[str, Any]
    text: str
    marks: array[int] | None = field(default=None, repr=False)
    """Every node's position from the parse (see :func:`_build`), if kept."""
    _root: Node | None = field(default=None, repr=False)
    _fits: bool = field(default=False, repr=False)

    def locate(self, pointer: str, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the value at a JSON pointer, or of its key.

        From the positions kept by the parse where they still fit the data; else the text is
        composed again (once) and the pointer walked there.
        """
        from aprecords.sourcemap import locate, locate_marked

        if self.marks is not None:
            if self._fits or len(self.marks) == 2 * marked_size(self.data):
                self._fits = True  # checked once: nothing in aprecords changes loaded data
                return locate_marked(self.data, self.marks, pointer, key=key)
            self.marks = None  # the data was changed: its positions no longer fit
        if self._root is None:
            self._root = yaml.compose(self.text, Loader=yaml.CSafeLoader)
        return locate(self._root, pointer, key=key)


def marked_size(value: Any) -> int:
    """How many positions :func:`_build` keeps for a value: one per node and per key."""
    if type(value) is dict:
        return 1 + sum(1 + marked_size(v) for v in value.values())
    if type(value) is list:
        return 1 + sum(marked_size(v) for v in value)
    return 1


def load_text(text: str, path: str, unseen_ok: bool = False) -> Document:
    """Parse text already decoded; the top level must be a mapping."""
    data, marks = parse_marked(text)
    if data is None:
        raise LoadError(
            "the file is empty; it should hold one record (see the record format page)",
            rule="empty-file",
        )
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise LoadError(
            f"the file holds {kind}; a record must be a mapping of keys such as 'id: ...'",
            rule="top-level-mapping",
        )
    doc = Document(path=path, data=data, text=text, marks=marks)
    # decode() saw every typed character; only escapes in double quotes ("\u202e") add more.
    if not unseen_ok and '"' in text and "\\" in text and (found := escaped_unseen(data)):
        ptr, key, char = found
        message, rule = unseen_problem(char, escaped=True)
        raise LoadError(message, *doc.locate(ptr, key=key), rule)
    return doc


def load_file(file: Path, path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read, decode and parse one record file. ``path`` is how findings name it."""
    return load_text(decode(read_limited(file, max_bytes), max_bytes), path)
