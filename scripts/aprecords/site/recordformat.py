"""The "Record format" page, generated from the schemas' titles and descriptions.

One source for the validator and the help: every field with its path, title, description,
type or choices, whether it is required, and its sensitivity class. ``python -m
aprecords.site.recordformat ROOT`` rewrites ``docs/record-format.md`` from the schemas.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aprecords.schemas import Schemas

KINDS = (
    ("placement", "Placement agreement", "records/placements/<school-id>/<id>.yaml"),
    ("school", "School", "records/schools/<id>.yaml"),
    ("provider", "Provider", "records/providers/<id>.yaml"),
    ("attendance", "Attendance", "records/attendance/<placement-id>.yaml"),
    ("config", "Settings", "aprecords.yml"),
)
_TYPES = {
    "string": "text",
    "integer": "whole number",
    "number": "number",
    "boolean": "true or false",
    "object": "mapping",
    "array": "list",
}
_FORMATS = {"date": "date (YYYY-MM-DD)", "email": "email address"}


@dataclass(frozen=True)
class Field:
    """One documented field of a record kind."""

    path: str
    title: str
    description: str
    kind: str
    required: bool
    sensitivity: str


def _cell(text: str) -> str:
    """Schema text in a table cell: escape what Markdown or HTML would read."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("|", "&#124;")
        .replace("*", "&#42;")
        .replace("_", "&#95;")
        .replace("`", "&#96;")
        .replace("[", "&#91;")
        .replace("\n", " ")
    )


class _Walker:
    """Walks a schema, following ``$ref`` across the schema files, collecting fields."""

    def __init__(self, schemas: Schemas) -> None:
        self.schemas = schemas

    def resolve(self, node: dict[str, Any], doc: str) -> tuple[dict[str, Any], str]:
        """Merge a node with what its ``$ref`` points to (the node's own keys win)."""
        seen = 0
        while "$ref" in node and seen < 20:
            seen += 1
            target_doc, _, frag = node["$ref"].partition("#")
            target_doc = target_doc.removesuffix(".schema.json") or doc
            target: Any = self.schemas.schema(target_doc)
            for token in [t for t in frag.split("/") if t]:
                target = target[token]
            merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            if "$ref" in target:
                merged["$ref"] = target["$ref"]
            node, doc = merged, target_doc
        return node, doc

    def kind_of(self, node: dict[str, Any], doc: str) -> str:
        """Type or choices in words."""
        if "enum" in node:
            return "one of: " + ", ".join(
                f"`{v}`" if not isinstance(v, bool) else str(v).lower() for v in node["enum"]
            )
        if "const" in node:
            return f"`{node['const']}`"
        kind = node.get("type", "")
        words = _FORMATS.get(node.get("format", ""), _TYPES.get(kind, kind or "any"))
        if kind == "array":
            item = node.get("items")
            if isinstance(item, dict):
                item, item_doc = self.resolve(item, doc)
                if item.get("type") not in ("object", None) or "enum" in item:
                    words = f"list of {self.kind_of(item, item_doc)}"
        return words

    def walk(
        self, node: dict[str, Any], doc: str, path: str, required: bool, sens: str, depth: int = 0
    ) -> Iterator[Field]:
        node, doc = self.resolve(node, doc)
        sens = node.get("x-sensitivity", sens)
        if path:
            yield Field(
                path,
                node.get("title", path.rsplit(".", 1)[-1]),
                node.get("description", ""),
                self.kind_of(node, doc),
                required,
                sens,
            )
        if depth > 12:
            return
        needed = set(node.get("required", []))
        for name, sub in node.get("properties", {}).items():
            sub_path = f"{path}.{name}" if path else name
            yield from self.walk(sub, doc, sub_path, name in needed, sens, depth + 1)
        items = node.get("items")
        if isinstance(items, dict):
            resolved, item_doc = self.resolve(items, doc)
            if resolved.get("properties"):
                yield from self.walk_items(resolved, item_doc, f"{path}[]", sens, depth + 1)

    def walk_items(
        self, node: dict[str, Any], doc: str, path: str, sens: str, depth: int
    ) -> Iterator[Field]:
        needed = set(node.get("required", []))
        sens = node.get("x-sensitivity", sens)
        for name, sub in node.get("properties", {}).items():
            yield from self.walk(sub, doc, f"{path}.{name}", name in needed, sens, depth + 1)


def fields(schemas: Schemas, kind: str) -> list[Field]:
    """Every field of one record kind, in schema order."""
    return list(_Walker(schemas).walk(schemas.schema(kind), kind, "", True, ""))


def markdown(schemas: Schemas) -> str:
    """The whole Record format page."""
    out = [
        "# Record format",
        "",
        "Every field of every record, generated from the schemas in `schema/` (the same ones "
        "the validator uses). *Required* fields must be present when their section is. "
        "*Sensitivity* says which audiences may see a field: an audience that is not granted "
        'the class sees "withheld for this audience" instead.',
        "",
    ]
    available = set(schemas.documents)
    for kind, heading, where in KINDS:
        if kind not in available:
            continue
        schema = schemas.schema(kind)
        out += [
            f"## {heading}",
            "",
            f"File: `{where}`. {_cell(schema.get('description', ''))}",
            "",
            "| Field | Title | Description | Type or choices | Required | Sensitivity |",
            "|---|---|---|---|---|---|",
        ]
        for f in fields(schemas, kind):
            out.append(
                f"| `{f.path}` | {_cell(f.title)} | {_cell(f.description)} | {f.kind} | "
                f"{'required' if f.required else 'optional'} | {f.sensitivity or 'none'} |"
            )
        out.append("")
    return "\n".join(out)


def write(root: Path) -> Path:
    """Regenerate ``docs/record-format.md`` under ``root`` atomically; return its path."""
    target = root / "docs" / "record-format.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".record-format.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(markdown(Schemas(root / "schema")))
    os.replace(tmp, target)
    return target


if __name__ == "__main__":
    print(write(Path(sys.argv[1] if len(sys.argv) > 1 else ".")))
