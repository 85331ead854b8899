"""Mutation testing of the modules that protect data and history, one module at a time.

    python bench/mutation.py load.py [access.py ...] [--all] [-j 1]

For each MODULE (a path under ``scripts/aprecords/``, with a test list under
``[tool.aprecords.mutation]`` in pyproject.toml) it runs ``mutmut run`` in a staging folder,
``build/mutation/<module>/``, then prints the counts, the survivors, and a README table row.

Why a staging folder: mutmut names a mutant's module after its file path, stripping only a
leading ``src/``. Run from the project root it would call ``scripts/aprecords/load.py``
``scripts.aprecords.load`` while the tests import ``aprecords.load``, and its trampolines
would never switch a mutant on (everything "survives"). The staging folder holds a copy of
``scripts/`` as ``src/``, so the names agree, and ``mutants/scripts`` links to the mutated
``src`` so that tests running ``python -m aprecords`` (PYTHONPATH derived from the test
file) run the mutant too. mutmut skips decorated functions, so in the copy of the module
under test ``@rule(...)``, ``@property`` and ``@functools.cache``/``lru_cache(...)`` are
applied below the function instead
(``unwrap_decorators``), which mutmut does mutate.

Survivors listed in README "Mutation testing" as equivalent (a line starting with
``- `MUTANT-NAME` ``) are reported as such; any other survivor, or a mutant no test reaches,
makes the exit code 1, and so does a score (killed / mutants) under 90%.
Inspect one with ``cd build/mutation/<module> && mutmut show MUTANT-NAME``.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGING = ROOT / "build" / "mutation"
TARGET = 0.90
KILLED = {1, 3, 24, -24, 36, 152, 255}  # mutmut: test failure, pytest error, timeouts
SURVIVED = {0}
NO_TESTS = {5, 33}
# Decorators moved below the function (see unwrap_decorators): names, and module.attribute.
UNWRAP = ("rule", "property", "functools.cache", "functools.lru_cache")


@dataclass
class Outcome:
    """What one module's run gave."""

    module: str
    total: int
    killed: int
    survivors: list[str]
    equivalent: list[str]
    untested: list[str]
    other: dict[str, int]
    seconds: float

    @property
    def score(self) -> float:
        return self.killed / self.total if self.total else 0.0

    @property
    def ok(self) -> bool:
        return (
            self.total > 0
            and self.score >= TARGET
            and not self.untested
            and not self.other
            and set(self.survivors) <= set(self.equivalent)
        )


def config() -> dict:
    """The ``[tool.aprecords.mutation]`` table: module -> test files."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return data["tool"]["aprecords"]["mutation"]


def listed_equivalent() -> set[str]:
    """Mutant names the README lists as equivalent survivors (``- `name`: why``)."""
    text = (ROOT / "README.md").read_text("utf-8")
    return set(re.findall(r"^- `(aprecords\.[^`]+__mutmut_\d+)`", text, flags=re.M))


def slug(module: str) -> str:
    return module.removesuffix(".py").replace("/", "-")


def unwrap_decorators(text: str) -> str:
    """The same module with the decorators of :data:`UNWRAP` applied after the function.

    mutmut leaves decorated functions alone, and every validation rule is ``@rule``-decorated,
    as are the leak check's cached helpers (``@functools.cache``: folding a character, the
    forms of a name). ``f = rule(...)(f)`` right below the function is the same program
    (nothing in between uses ``f``), and mutmut mutates it. A cache is applied through
    ``per_mutant`` (:data:`CACHE_HELPER`): mutmut forks each mutant's run from a process that
    has run the tests already, so a plain cache would hand the mutant the unmutated
    function's results, and hide calls from mutmut's map of tests to functions.
    """
    lines = text.splitlines(keepends=True)
    tree = ast.parse(text)
    edits: list[tuple[int, int, int, str]] = []  # (first decorator line, def line, end, after)
    scopes = [tree.body] + [n.body for n in tree.body if isinstance(n, ast.ClassDef)]
    for body in scopes:
        for node in body:
            if not isinstance(node, ast.FunctionDef) or not node.decorator_list:
                continue
            calls = [d.func if isinstance(d, ast.Call) else d for d in node.decorator_list]
            if not all(ast.unparse(c) in UNWRAP for c in calls):
                continue
            applied = node.name
            for decorator, call in zip(node.decorator_list[::-1], calls[::-1], strict=True):
                source = ast.get_source_segment(text, decorator)
                if ast.unparse(call).startswith("functools."):
                    source = f"_per_mutant({source})"
                applied = f"{source}({applied})"
            indent = " " * node.col_offset
            after = f"{indent}{node.name} = {applied}\n"
            edits.append((node.decorator_list[0].lineno, node.lineno, node.end_lineno, after))
    for first, def_line, end, after in sorted(edits, reverse=True):
        lines[end:end] = [after]
        del lines[first - 1 : def_line - 1]
    if any("_per_mutant(" in e[3] for e in edits):  # imported after the module's imports,
        # which stand above every edit (a first edit inside a class is no place for it)
        imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
        where = max(n.end_lineno or n.lineno for n in imports) if imports else 0
        lines.insert(where, f"from aprecords.{CACHE_HELPER} import per_mutant as _per_mutant\n")
    return "".join(lines)


CACHE_HELPER = "_mutation_cache"
"""A module the stage adds to the package (not mutated: only the module under test is)."""
CACHE_HELPER_TEXT = '''"""Written by bench/mutation.py: caches kept apart per mutant."""

import os


def per_mutant(cache):
    """``cache`` (functools.cache, lru_cache(...)) kept separately for each mutant, and for
    each test while mutmut maps tests to functions (MUTANT_UNDER_TEST=stats)."""

    def decorate(function):
        cached = {}

        def call(*args, **kwargs):
            active = os.environ.get("MUTANT_UNDER_TEST", "")
            if active == "stats":
                active += os.environ.get("PYTEST_CURRENT_TEST", "")
            if active not in cached:
                cached[active] = cache(function)
            return cached[active](*args, **kwargs)

        call.cache_clear = cached.clear
        return call

    return decorate
'''


def stage(module: str, tests: list[str]) -> Path:
    """The staging folder for ``module``: a copy of the package, links to the rest."""
    folder = STAGING / slug(module)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    shutil.copytree(ROOT / "scripts", folder / "src", ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "src" / "aprecords" / f"{CACHE_HELPER}.py").write_text(CACHE_HELPER_TEXT, "utf-8")
    target = folder / "src" / "aprecords" / module
    target.write_text(unwrap_decorators(target.read_text("utf-8")), "utf-8")
    mutmut = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["mutmut"]
    for name in ["tests", *mutmut.get("also_copy", [])]:
        (folder / name).symlink_to(os.path.relpath(ROOT / name, folder))
    # Per-module keys go straight under [tool.mutmut] (JSON string lists are valid TOML).
    extra = (
        f"only_mutate = {json.dumps(['src/aprecords/' + module])}\n"
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
    )
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    text = text.replace("[tool.mutmut]\n", "[tool.mutmut]\n" + extra, 1)
    (folder / "pyproject.toml").write_text(text, "utf-8")
    (folder / "mutants").mkdir()
    (folder / "mutants" / "scripts").symlink_to("src")
    return folder


def run(module: str, tests: list[str], jobs: int) -> Outcome:
    """Stage, run mutmut, and read its verdicts from the module's .meta file."""
    folder = stage(module, tests)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["CI"] = "true"
    mutmut = Path(sys.executable).with_name("mutmut")
    if not mutmut.exists():
        sys.exit(f"mutation.py: no {mutmut}; install the test extra: pip install -e '.[test]'")
    print(f"== {module}: mutmut run in {folder.relative_to(ROOT)} (tests: {' '.join(tests)})")
    start = time.monotonic()
    done = subprocess.run(
        [str(mutmut), "run", "--max-children", str(jobs)], cwd=folder, env=env, check=False
    )
    seconds = time.monotonic() - start
    meta = folder / "mutants" / "src" / "aprecords" / (module + ".meta")
    if done.returncode != 0 or not meta.exists():
        sys.exit(f"mutation.py: mutmut failed for {module} (exit {done.returncode}); see above")
    codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
    equivalent = listed_equivalent()
    survivors = sorted(k for k, c in codes.items() if c in SURVIVED)
    other: dict[str, int] = {}
    for k, c in codes.items():
        if c not in KILLED | SURVIVED | NO_TESTS:
            other[k] = c
    return Outcome(
        module=module,
        total=len(codes),
        killed=sum(c in KILLED for c in codes.values()),
        survivors=survivors,
        equivalent=sorted(k for k in survivors if k in equivalent),
        untested=sorted(k for k, c in codes.items() if c in NO_TESTS),
        other=other,
        seconds=seconds,
    )


def report(o: Outcome) -> None:
    minutes, seconds = divmod(round(o.seconds), 60)
    took = f"{minutes}m{seconds:02d}s"
    print(f"\n== {o.module}: {o.killed}/{o.total} killed ({o.score:.1%}) in {took}")
    for name in o.survivors:
        print(f"  survived{' (listed as equivalent)' if name in o.equivalent else ''}: {name}")
    for name in o.untested:
        print(f"  no test reaches: {name}")
    for name, code in o.other.items():
        print(f"  other outcome (mutmut exit code {code}): {name}")
    survived = len(o.survivors) + len(o.untested)
    print(
        f"README row: | `{o.module}` | {o.total} | {o.killed} | {survived} "
        f"({len(o.equivalent)}) | {o.score:.1%} | {took} |"
    )


def main(argv: list[str] | None = None) -> int:
    table = config()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"under scripts/aprecords/: {', '.join(table)}")
    parser.add_argument("--all", action="store_true", help="every module in the table")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="mutmut --max-children")
    args = parser.parse_args(argv)
    modules = list(table) if args.all else args.modules
    unknown = [m for m in modules if m not in table]
    if not modules or unknown:
        parser.error(
            f"unknown module {', '.join(unknown)}; "
            if unknown
            else f"name a module; choose from {', '.join(table)} (or --all)"
        )
    outcomes = [run(m, table[m], args.jobs) for m in modules]
    for o in outcomes:
        report(o)
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
