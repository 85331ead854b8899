"""The records repository's ``mkdocs.yml`` may style the sites; it may not run code.

MkDocs runs Python named by its configuration: ``hooks`` (Python files), plugins (any
installed package's entry point), Markdown extensions (any importable module, including one
committed next to the configuration), a theme's ``custom_dir`` and ``extra_templates``
(Jinja templates, which are not sandboxed), and YAML tags such as ``!!python/name:`` and
``!ENV``. A pushed commit to the records could so run code as the records user during every
build, or read files of the server (``pymdownx.snippets``, ``pymdownx.b64``) into the sites.

So the file is read with the records' own strict loader (tags, anchors and duplicate keys are
refused there) and checked before any build: ``hooks``, ``INHERIT``, ``extra_templates``,
a theme other than Material, ``theme.custom_dir`` and ``theme.static_templates`` are refused;
plugins must be the ones the tool itself uses (``search``) and Markdown extensions one of
:data:`EXTENSIONS`, none of which runs code or reads files. Each refusal names its line and
column: ``mkdocs.yml:12:1: error: ... [mkdocs-config]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aprecords.config import ConfigError
from aprecords.files import LoadError
from aprecords.findings import pointer

FILE = "mkdocs.yml"
RULE = "mkdocs-config"
PLUGINS = frozenset({"search", "material/search"})
"""The plugins the tool's builds use (its own are added in-process, never by name)."""
THEMES = frozenset({"material"})
_BUILT_IN = (
    "abbr", "admonition", "attr_list", "def_list", "fenced_code", "footnotes", "legacy_attrs",
    "legacy_em", "md_in_html", "meta", "nl2br", "sane_lists", "smarty", "tables", "toc",
    "wikilinks", "codehilite",
)  # fmt: skip
_PYMDOWNX = (
    "arithmatex", "betterem", "caret", "critic", "details", "emoji", "escapeall", "highlight",
    "inlinehilite", "keys", "magiclink", "mark", "progressbar", "saneheaders", "smartsymbols",
    "striphtml", "superfences", "tabbed", "tasklist", "tilde", "blocks.admonition",
    "blocks.details", "blocks.definition", "blocks.tab", "blocks.caption",
)  # fmt: skip
EXTENSIONS = frozenset(
    [*_BUILT_IN, *(f"markdown.extensions.{e}" for e in _BUILT_IN)]
    + [f"pymdownx.{e}" for e in _PYMDOWNX]
)
"""Markdown extensions a records repository may turn on: Python-Markdown's own and those of
PyMdown Extensions that neither run code nor read files (``snippets`` and ``b64`` read files
from the server; options that take functions need a YAML tag, which the loader refuses)."""
REFUSED_KEYS = {
    "hooks": "hooks are Python files the build would run",
    "INHERIT": "INHERIT loads another configuration file, which is not checked",
    "extra_templates": "extra templates are Jinja templates, which can run code",
}
REFUSED_THEME_KEYS = {
    "custom_dir": "a theme's custom_dir holds templates, which can run code",
    "static_templates": "static templates are rendered by Jinja, which can run code",
}


def _name_and_options(item: Any) -> tuple[str | None, bool]:
    """A plugin or extension entry's name (``- name`` or ``- name: {options}``)."""
    if isinstance(item, str):
        return item, False
    if isinstance(item, dict) and len(item) == 1:
        (name,) = item
        return (name if isinstance(name, str) else None), True
    return None, False


def problems(data: dict[str, Any]) -> list[tuple[str, bool, str]]:
    """What the configuration may not do, as (JSON pointer, at the key, message)."""
    found: list[tuple[str, bool, str]] = []
    for key, why in REFUSED_KEYS.items():
        if key in data:
            found.append((pointer(key), True, f"{key}: {why}; remove it"))
    theme = data.get("theme")
    if isinstance(theme, str):
        theme = {"name": theme}
        at_name = pointer("theme")
    else:
        at_name = pointer("theme", "name")
    material = "theme: the sites are built with the material theme"
    if isinstance(theme, dict):
        if theme.get("name") not in THEMES:
            found.append((at_name, False, material))
        for key, why in REFUSED_THEME_KEYS.items():
            if key in theme:
                found.append((pointer("theme", key), True, f"theme.{key}: {why}; remove it"))
    elif theme is not None:
        found.append((pointer("theme"), False, material))
    for key, allowed, what in (
        ("plugins", PLUGINS, "plugin"),
        ("markdown_extensions", EXTENSIONS, "Markdown extension"),
    ):
        entries = data.get(key)
        if entries is None:
            continue
        if isinstance(entries, dict):  # MkDocs also takes a mapping of name -> options
            items: list[tuple[Any, str, bool]] = [
                (name, pointer(key, name), True) for name in entries
            ]
        elif isinstance(entries, list):
            items = []
            for i, item in enumerate(entries):
                name, keyed = _name_and_options(item)
                items.append((name, pointer(key, i, name) if keyed else pointer(key, i), keyed))
        else:
            found.append((pointer(key), False, f"{key}: expected a list of names"))
            continue
        for name, at, keyed in items:
            if name not in allowed:
                shown = name if isinstance(name, str) else "this entry"
                found.append(
                    (
                        at,
                        keyed,
                        f"{key}: the {what} '{shown}' is not one the tool allows (it would run "
                        f"code on the server); allowed: {', '.join(sorted(allowed))}",
                    )
                )
    return found


def check(root: Path) -> Path:
    """``root/mkdocs.yml``, checked; ConfigError (exit 2) naming each refusal at its line."""
    from aprecords.load import load_file

    file = root / FILE
    if file.is_symlink() or not file.is_file():
        raise ConfigError(f"{file}: not a file; the site needs the base MkDocs configuration")
    try:
        doc = load_file(file, FILE)
    except LoadError as exc:
        raise ConfigError(
            f"{FILE}:{exc.line}:{exc.column}: error: {exc.message} (MkDocs' YAML tags such as "
            f"!!python/name and !ENV are refused: they run or read what the records cannot "
            f"check) [{RULE}]"
        ) from None
    found = problems(doc.data)
    if found:
        lines = []
        for at, key, message in found:
            line, column = doc.locate(at, key=key)
            lines.append(f"{FILE}:{line}:{column}: error: {message} [{RULE}]")
        raise ConfigError("\n".join(lines))
    return file
