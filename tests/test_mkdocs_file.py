"""The records' mkdocs.yml cannot run code (issue 20, point 2).

Hooks, plugins other than the tool's own, Markdown extensions that run code or read files,
``INHERIT``, ``extra_templates``, a theme's ``custom_dir`` and YAML tags are refused, each at
its line and column, before MkDocs reads the file; the tool's own mkdocs.yml passes. A hook
that MkDocs itself would run (shown first) never runs in ``aprecords build``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from aprecords.config import ConfigError
from aprecords.site import mkdocsfile
from conftest import PROJECT, Result, copy_examples

BASE = (PROJECT / "mkdocs.yml").read_text("utf-8")


def refused(tmp_path: Path, text: str) -> list[str]:
    """The error lines for a mkdocs.yml with ``text`` (none: it passes)."""
    (tmp_path / "mkdocs.yml").write_text(text, "utf-8")
    try:
        mkdocsfile.check(tmp_path)
    except ConfigError as exc:
        return str(exc).splitlines()
    return []


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_tools_own_configuration_passes(tmp_path: Path) -> None:
    assert refused(tmp_path, BASE) == []
    assert mkdocsfile.check(PROJECT) == PROJECT / "mkdocs.yml"


EXTENSIONS = BASE.replace(
    "markdown_extensions:\n",
    "markdown_extensions:\n  - admonition\n  - pymdownx.details\n  - pymdownx.superfences\n"
    "  - attr_list:\n  - md_in_html\n",
)


def test_styling_and_safe_extensions_pass(tmp_path: Path) -> None:
    text = EXTENSIONS.replace("    primary: indigo", "    primary: teal")
    assert refused(tmp_path, text) == []
    assert refused(tmp_path, text.replace("theme:\n  name: material", "theme: material")) != []
    assert refused(tmp_path, "site_name: x\ntheme: material\n") == []


CASES = [
    ("hooks", "hooks:\n  - evil.py\n", "hooks:", 1, "hooks are Python files"),
    ("inherit", "INHERIT: other.yml\n", "INHERIT:", 1, "loads another configuration"),
    ("templates", "extra_templates:\n  - x.html\n", "extra_templates:", 1, "Jinja"),
    ("plugin", "plugins:\n  - search\n  - macros\n", "- macros", 5, "plugin 'macros'"),
    ("plugin with options", "plugins:\n  - exec:\n      x: 1\n", "- exec:", 5, "plugin 'exec'"),
    ("plugins mapping", "plugins:\n  search: {}\n  mkdocs-simple-hooks: {}\n",
     "mkdocs-simple-hooks", 3, "'mkdocs-simple-hooks'"),
    ("snippets", "markdown_extensions:\n  - pymdownx.snippets:\n      base_path: /\n",
     "- pymdownx.snippets", 5, "'pymdownx.snippets'"),
    ("b64", "markdown_extensions:\n  - pymdownx.b64\n", "- pymdownx.b64", 5, "'pymdownx.b64'"),
    ("local module", "markdown_extensions:\n  - evil\n", "- evil", 5, "Markdown extension 'evil'"),
    ("module path", "markdown_extensions:\n  - os:system\n", "- os:system", 5, "'os:system'"),
    ("theme", "theme:\n  name: material\n  custom_dir: overrides\n", "custom_dir:", 3,
     "custom_dir"),
    ("static templates", "theme:\n  name: material\n  static_templates: [x.html]\n",
     "static_templates", 3, "static templates"),
    ("another theme", "theme:\n  name: readthedocs\n", "name: readthedocs", 9, "material theme"),
    ("python tag", "markdown_extensions:\n  - toc:\n      slugify: !!python/name:os.system\n",
     "slugify", 16, "!!python/name"),
    ("env tag", "copyright: !ENV [HOME]\n", "copyright", 12, "!ENV"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("addition", "needle", "column", "why"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_what_could_run_code_is_refused_at_its_line(
    tmp_path: Path, addition: str, needle: str, column: int, why: str
) -> None:
    key = addition.split(":", 1)[0]
    kept = BASE
    if key in ("plugins", "markdown_extensions", "theme"):  # replace the tool's own block
        kept = re.sub(rf"^{key}:\n(  .*\n)+", "", BASE, flags=re.M)
    text = kept + addition
    errors = refused(tmp_path, text)
    assert len(errors) == 1, errors
    line = line_of(text, needle)
    assert errors[0].startswith(f"mkdocs.yml:{line}:{column}: error: "), errors
    assert why in errors[0] and errors[0].endswith("[mkdocs-config]")


def test_every_refusal_is_listed(tmp_path: Path) -> None:
    text = BASE + "hooks:\n  - a.py\nextra_templates: [x.html]\n"
    text = text.replace("  - search\n", "  - search\n  - macros\n")
    assert len(refused(tmp_path, text)) == 3


HOOK = """\
from pathlib import Path
Path(__file__).with_name("hook-ran").write_text("the hook ran")
"""


def test_a_hook_that_mkdocs_would_run_never_runs_in_a_build(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    from mkdocs.config import load_config

    root = copy_examples(tmp_path / "r")
    (root / "hook.py").write_text(HOOK)
    (root / "evil.py").write_text(HOOK.replace("hook-ran", "extension-ran"))
    config = root / "mkdocs.yml"
    config.write_text(config.read_text() + "hooks:\n  - hook.py\n")
    # MkDocs alone runs it as soon as it reads the configuration.
    load_config(config_file=str(config))
    assert (root / "hook-ran").read_text() == "the hook ran"
    (root / "hook-ran").unlink()
    site = tmp_path / "site"
    done = run_cli("--root", root, "build", "--today", "2026-01-10", "--site-dir", site)
    assert done.code == 2, done.out + done.err
    assert f"mkdocs.yml:{line_of(config.read_text(), 'hooks:')}:1: error: hooks:" in done.err
    assert not (root / "hook-ran").exists()
    assert not site.exists() or not [p for p in site.iterdir() if not p.name.startswith(".")]
    # A Markdown extension of the records' own, run from the records' folder.
    config.write_text(BASE.replace("  - tables\n", "  - tables\n  - evil\n"))
    done = run_cli("--root", root, "build", "--today", "2026-01-10", "--site-dir", site)
    assert done.code == 2 and "Markdown extension 'evil'" in done.err
    assert not (root / "extension-ran").exists()
