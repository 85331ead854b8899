"""The canonical layout of a record: what the web form (Sveltia CMS) writes, comments kept.

A record is first read with the strict loader (``load.py``), so bad input fails as it does
everywhere else. It is then written out again: keys in the order of the schema's
``properties`` (unknown keys after them, as they were), block mappings indented by 2, block
lists indented under their key (``- item``), empty ones as ``[]`` and ``{}``, scalars as the
form's YAML package writes them (``yamlscalar.py``), no blank lines, no ``---``.

Comments are kept, found between PyYAML's scanner tokens (a ``#`` there always starts one):
notes before the first key stay at the top; a comment on a line of its own goes before the
key or list item that follows it, or, when it is indented deeper than what follows, after the
one before it (at the end of its list or mapping, if that was the last); a comment at the end
of a line
stays at the end of the first line of the key or item that starts on that line. The result is
read back and must hold exactly the same values, or nothing is written.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import yaml

from aprecords.files import LoadError
from aprecords.load import load_text, parse
from aprecords.values import same
from aprecords.yamlscalar import number, string

Path_ = tuple[str | int, ...]


@dataclass
class Comments:
    """Comments by the path of the key or list item they belong to."""

    before: dict[Path_, list[str]] = field(default_factory=lambda: defaultdict(list))
    eol: dict[Path_, list[str]] = field(default_factory=lambda: defaultdict(list))
    after: dict[Path_, list[str]] = field(default_factory=lambda: defaultdict(list))
    tail: dict[Path_, list[str]] = field(default_factory=lambda: defaultdict(list))
    head: list[str] = field(default_factory=list)
    end: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any((self.before, self.eol, self.after, self.tail, self.head, self.end))


@dataclass(frozen=True)
class _Anchor:
    line: int
    column: int
    path: Path_


def _anchors(node: yaml.Node, path: Path_, out: list[_Anchor]) -> None:
    """Every key and list item with the line and column where it starts (0-based)."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            here = (*path, key.value)
            out.append(_Anchor(key.start_mark.line, key.start_mark.column, here))
            _anchors(value, here, out)
    elif isinstance(node, yaml.SequenceNode):
        dash = node.start_mark.column if not node.flow_style else None
        for i, item in enumerate(node.value):
            column = dash if dash is not None else item.start_mark.column
            out.append(_Anchor(item.start_mark.line, column, (*path, i)))
            _anchors(item, (*path, i), out)


def _comment_spans(text: str) -> list[tuple[int, int, str, bool]]:
    """(line, column, text, own line) of each comment, from the gaps between tokens."""
    lines = text.split("\n")
    found = []
    seen: set[tuple[int, int]] = set()
    tokens = list(yaml.scan(text, Loader=yaml.CSafeLoader))
    for prev, nxt in zip(tokens, tokens[1:], strict=False):
        a, b = prev.end_mark, nxt.start_mark
        line, col = a.line, a.column
        while (line, col) < (b.line, b.column) and line < len(lines):
            row = lines[line]
            stop = b.column if line == b.line else len(row)
            at = row.find("#", col, stop)
            if at != -1 and (line, at) not in seen:
                seen.add((line, at))
                own = not row[:at].strip()
                found.append((line, at, row[at:].rstrip(), own))
            line, col = line + 1, 0
    return found


def comments_of(text: str) -> Comments:
    """Where each comment of ``text`` (already loaded strictly) belongs."""
    found = Comments()
    spans = _comment_spans(text) if "#" in text else []
    if not spans:
        return found
    anchors: list[_Anchor] = []
    root = yaml.compose(text, Loader=yaml.CSafeLoader)
    if root is not None:
        _anchors(root, (), anchors)
    anchors.sort(key=lambda a: (a.line, a.column))
    for line, column, body, own in spans:
        if not own:
            on_line = [a for a in anchors if a.line == line]
            before = [a for a in anchors if a.line < line]
            target = on_line[0] if on_line else (before[-1] if before else None)
            if target is None:
                found.end.append(body)
            else:
                found.eol[target.path].append(body)
            continue
        nxt = next((a for a in anchors if a.line > line), None)
        if anchors and line < anchors[0].line:
            found.head.append(body)  # the file's opening notes stay at the top
        elif nxt is not None and nxt.column >= column:
            found.before[nxt.path].append(body)
        elif prev := [a for a in anchors if a.line < line and a.column <= column]:
            last = prev[-1]
            if nxt is not None and nxt.path[:-1] == last.path[:-1]:
                found.after[last.path].append(body)
            else:  # after the last entry of a list or mapping: it stays at the end of it
                found.tail[last.path[:-1]].append(body)
        elif nxt is not None:
            found.before[nxt.path].append(body)
        else:
            found.end.append(body)
    return found


def key_order(schema: dict[str, Any] | None) -> list[str]:
    """Property names in the schema's order (also those only named under allOf, if, then...)."""
    names: list[str] = []

    def visit(node: Any) -> None:
        if not isinstance(node, dict):
            return
        for name in node.get("properties", {}) or {}:
            if name not in names:
                names.append(name)
        for word in ("allOf", "anyOf", "oneOf"):
            for sub in node.get(word, []) or []:
                visit(sub)
        for word in ("if", "then", "else"):
            visit(node.get(word))

    visit(schema)
    return names


def _child(schema: dict[str, Any] | None, key: str | int) -> dict[str, Any] | None:
    if not isinstance(schema, dict):
        return None
    if isinstance(key, int):
        items = schema.get("items")
        return items if isinstance(items, dict) else None
    found = (schema.get("properties") or {}).get(key)
    if isinstance(found, dict):
        return found
    for word in ("allOf", "anyOf", "oneOf", "then", "else"):
        subs = schema.get(word)
        for sub in subs if isinstance(subs, list) else [subs]:
            got = _child(sub, key)
            if got is not None:
                return got
    return None


class _Writer:
    def __init__(self, comments: Comments):
        self.comments = comments

    def scalar(self, value: Any, indent: str) -> str:
        if value is None:
            return "null"
        if value is True or value is False:
            return "true" if value else "false"
        if isinstance(value, int | float):
            return number(value)
        return string(str(value), indent)

    def node(self, path: Path_, head: str, value: Any, col: int, schema: Any) -> list[str]:
        """Lines of one key or list item: ``head`` is ``"key:"`` or ``"-"``."""
        pad = " " * col
        eol = list(self.comments.eol.get(path, []))
        lines = [pad + c for c in self.comments.before.get(path, [])]
        if isinstance(value, dict | list) and value:
            if isinstance(value, dict):
                body = self.mapping(path, value, col + 2, schema)
            else:
                body = self.sequence(path, value, col + 2, schema)
            if head == "-":
                # Comments above the item's first key go above its "- " line.
                lead = next(i for i, b in enumerate(body) if not b.lstrip().startswith("#"))
                lines += [pad + b.strip() for b in body[:lead]]
                first = len(lines)
                lines.append(f"{pad}- {body[lead][col + 2 :]}")
                lines += body[lead + 1 :]
            else:
                first = len(lines)
                lines.append(pad + head)
                lines += body
        else:
            text = "[]" if value == [] else "{}" if value == {} else None
            top, *rest = (text or self.scalar(value, " " * (col + 2))).split("\n")
            if eol and rest and not top.startswith("|"):
                lines += [pad + c for c in eol]  # a comment cannot go inside quoted text
                eol = []
            first = len(lines)
            lines.append(f"{pad}{head} {top}")
            lines += rest
        if eol:
            lines[first] += "  " + " ".join(eol)
        lines += [pad + c for c in self.comments.after.get(path, [])]
        return lines

    def mapping(self, path: Path_, data: dict[str, Any], col: int, schema: Any) -> list[str]:
        order = key_order(schema)
        keys = [k for k in order if k in data] + [k for k in data if k not in order]
        lines: list[str] = []
        for key in keys:
            head = string(str(key), " " * col, implicit_key=True) + ":"
            lines += self.node((*path, key), head, data[key], col, _child(schema, key))
        return lines + [" " * col + c for c in self.comments.tail.get(path, [])]

    def sequence(self, path: Path_, data: list[Any], col: int, schema: Any) -> list[str]:
        lines: list[str] = []
        for i, item in enumerate(data):
            lines += self.node((*path, i), "-", item, col, _child(schema, i))
        return lines + [" " * col + c for c in self.comments.tail.get(path, [])]


def layout(data: dict[str, Any], schema: dict[str, Any] | None, comments: Comments) -> str:
    """The canonical text of ``data`` with ``comments`` in place."""
    lines = comments.head + _Writer(comments).mapping((), data, 0, schema) + comments.end
    return "\n".join(lines) + "\n"


def canonical(text: str, path: str, schema: dict[str, Any] | None) -> str:
    """The canonical layout of a record's text; LoadError when it does not load strictly,
    or when the canonical text would not read back as the same values."""
    doc = load_text(text, path)
    text = doc.text.replace("\r\n", "\n")
    out = layout(doc.data, schema, comments_of(text))
    try:
        again = parse(out)
    except LoadError as exc:
        again = exc
    if not same(doc.data, again):
        raise LoadError(
            "this record holds a value the canonical layout cannot write so that it reads "
            "back the same (such as a number too large or small for the web form, or text "
            "ending in line breaks at the end of the file); the file was left as it was",
            rule="fmt",
        )
    return out
