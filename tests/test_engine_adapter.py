"""The site engine is one replaceable part: ``aprecords.site.engine`` is the only module that
imports MkDocs, and the private MkDocs functions it calls are the ones it was written against.

``engine._build`` repeats the steps of ``mkdocs.commands.build.build`` (MkDocs 1.6.1) and calls
three private functions of that module. A release that changes any of them (a new step, a
changed argument, another order) would not necessarily break a build: it could make page reuse
quietly wrong. So their source is fingerprinted here, and any change fails this test with what
to compare, until someone has read the new code and recorded the new fingerprint.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
from pathlib import Path

import pytest

from conftest import PROJECT

PACKAGE = PROJECT / "scripts" / "aprecords"
ADAPTER = PACKAGE / "site" / "engine.py"
ENGINE_PACKAGES = ("mkdocs",)

# mkdocs.commands.build: SHA-256 of each function's source, as in MkDocs 1.6.1.
FINGERPRINTS = {
    "build": "c476b64474acfaa20c08fdedc074238c6521bf320263065ee7de983ebf2032f9",
    "_build_page": "adcdbd14b236112697cafec9171bd281981f15a776e0d2f941a62e7bffd9a0d5",
    "_populate_page": "31a70ea4caef1e127a9d65a0f346ee322bad00d673ef824d82acf807e61d91c2",
    "_build_theme_template": "628a78f6a129c8a053a2f803990e8102540958d5e880ac0feae6c6c4ef544980",
}
# How engine.py calls them (positional parameters, in order).
PARAMETERS = {
    "_build_page": ["page", "config", "doc_files", "nav", "env", "dirty", "excluded"],
    "_populate_page": ["page", "config", "files", "dirty"],
    "_build_theme_template": ["template_name", "env", "files", "config", "nav"],
}


def imported_modules(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every import in a file, inside functions too."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module, [alias.name for alias in node.names]))
    return found


def engine_imports(path: Path) -> list[str]:
    return [
        f"{path.relative_to(PROJECT)}:{line}: {module}"
        for line, module, _ in imported_modules(path)
        if module.split(".")[0] in ENGINE_PACKAGES
    ]


def test_only_the_adapter_imports_mkdocs() -> None:
    outside = [
        hit for file in sorted(PACKAGE.rglob("*.py")) if file != ADAPTER
        for hit in engine_imports(file)
    ]  # fmt: skip
    assert not outside, "MkDocs imported outside site/engine.py:\n" + "\n".join(outside)
    assert engine_imports(ADAPTER), "site/engine.py no longer imports mkdocs: update this test"


def test_the_import_scan_sees_imports_inside_functions(tmp_path: Path) -> None:
    file = tmp_path / "m.py"
    file.write_text("import os\n\ndef f():\n    from mkdocs.config import load_config\n")
    assert [m for _, m, _ in imported_modules(file)] == ["os", "mkdocs.config"]


def test_the_adapter_uses_only_the_fingerprinted_private_functions() -> None:
    private = {
        f"{module}.{name}"
        for _, module, names in imported_modules(ADAPTER)
        if module.split(".")[0] in ENGINE_PACKAGES
        for name in names
        if name.startswith("_")
    }
    assert private == {f"mkdocs.commands.build.{name}" for name in PARAMETERS}, (
        "site/engine.py imports other private MkDocs names: fingerprint them here"
    )


@pytest.mark.parametrize("name", sorted(FINGERPRINTS))
def test_private_mkdocs_functions_are_the_ones_the_adapter_was_written_for(name: str) -> None:
    import mkdocs
    from mkdocs.commands import build

    function = getattr(build, name, None)
    assert function is not None, f"MkDocs {mkdocs.__version__} has no {name}: see site/engine.py"
    if name in PARAMETERS:
        assert list(inspect.signature(function).parameters) == PARAMETERS[name], (
            f"MkDocs {mkdocs.__version__} changed the parameters of {name}"
        )
    digest = hashlib.sha256(inspect.getsource(function).encode()).hexdigest()
    assert digest == FINGERPRINTS[name], (
        f"MkDocs {mkdocs.__version__} changed mkdocs.commands.build.{name}. site/engine.py's "
        "_build repeats mkdocs.commands.build.build's steps and calls _build_page, "
        "_populate_page and _build_theme_template: read the new code, bring _build in line "
        "(tests/test_incremental.py compares reused builds with builds from nothing), then "
        f"record the new fingerprint {digest} here."
    )
