"""Field labels in the web form's words: one source (the schema's ``title``s) for the form and
for the findings of ``aprecords validate``, so CI names a field the way the form shows it."""

from __future__ import annotations

from typing import Any

SEPARATOR = " > "


def field_label(name: str, node: dict[str, Any]) -> str:
    """The label of the field ``name`` whose schema is ``node`` (its title, else its name)."""
    return str(node.get("title") or name.replace("_", " ").capitalize())


def trail(schema: dict[str, Any], path: list[str | int]) -> str:
    """The form's labels down to ``path`` (``Targets > 2 > Support from school``); list items
    are numbered from 1, as the form counts them. Unknown parts end the trail."""
    labels: list[str] = []
    node: Any = schema
    for token in path:
        if not isinstance(node, dict):
            break
        if isinstance(token, int):
            node = node.get("items")
            labels.append(str(token + 1))
            continue
        node = node.get("properties", {}).get(token)
        if not isinstance(node, dict):
            break
        labels.append(field_label(token, node))
    return SEPARATOR.join(labels)
