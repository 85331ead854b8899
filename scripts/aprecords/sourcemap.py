"""Find the source line and column of a JSON pointer: in the positions kept by the parse, or
in a composed YAML node tree."""

from __future__ import annotations

from array import array
from typing import Any

from yaml.nodes import MappingNode, Node, SequenceNode

from aprecords.findings import split_pointer


def locate(root: Node | None, pointer: str, key: bool = False) -> tuple[int, int]:
    """1-based position of the node at ``pointer``.

    With ``key=True`` the position of the mapping key is given instead of its value. Where the
    pointer leads nowhere (a missing property), the deepest node that exists is given: the
    mapping that lacks it.
    """
    if root is None:
        return 1, 1
    node, key_node = root, None
    for token in split_pointer(pointer):
        if isinstance(node, MappingNode):
            found = next(
                ((k, v) for k, v in node.value if getattr(k, "value", None) == token), None
            )
            if found is None:
                break
            key_node, node = found
        elif isinstance(node, SequenceNode) and token.isdigit() and int(token) < len(node.value):
            key_node, node = None, node.value[int(token)]
        else:
            break
    else:
        if key and key_node is not None:
            node = key_node
    mark = node.start_mark
    return mark.line + 1, mark.column + 1


def locate_marked(data: Any, marks: array[int], pointer: str, key: bool = False) -> tuple[int, int]:
    """As :func:`locate`, from ``load.parse_marked``'s positions of ``data``'s nodes.

    The positions are in document order (a mapping, then each key and its value's nodes), so
    the index of a node is found by walking ``data`` and counting the nodes before it.
    """
    from aprecords.load import marked_size

    value, at, key_at = data, 0, None
    for token in split_pointer(pointer):
        if type(value) is dict:
            if token not in value:
                break
            at += 1
            for name, item in value.items():
                if name == token:
                    key_at, at, value = at, at + 1, item
                    break
                at += 1 + marked_size(item)
        elif type(value) is list and token.isdigit() and int(token) < len(value):
            index = int(token)
            at += 1 + sum(marked_size(item) for item in value[:index])
            key_at, value = None, value[index]
        else:
            break
    else:
        if key and key_at is not None:
            at = key_at
    return marks[2 * at] + 1, marks[2 * at + 1] + 1
