"""Find the source line and column of a JSON pointer in a composed YAML node tree."""

from __future__ import annotations

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
