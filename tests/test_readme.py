"""README's quick start is exactly two commands, and CI runs the second one as written."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import PROJECT

README = PROJECT / "README.md"
CI_RUN = PROJECT / ".ci" / "run"
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def quick_start(text: str) -> str:
    """The text of the '## Quick start' section, up to the next heading of level 1 or 2."""
    match = re.search(r"^## Quick start[ \t]*\n(.*?)(?=^#{1,2} |\Z)", text, re.M | re.S)
    assert match, "README.md has no '## Quick start' section"
    return match.group(1)


def commands(section: str) -> list[str]:
    """The command of each fenced block; every block must be ```sh with one command line."""
    found = []
    for language, body in FENCE.findall(section):
        lines = [line for line in body.splitlines() if line.strip()]
        assert language.strip() == "sh", f"quick-start block is ```{language}, not ```sh"
        assert len(lines) == 1, f"a quick-start block holds one command line, not: {lines}"
        found.append(lines[0].strip())
    return found


@pytest.fixture
def readme() -> str:
    return README.read_text("utf-8")  # the project has a README: missing is a failure


def test_quick_start_is_exactly_two_sh_commands(readme: str) -> None:
    found = commands(quick_start(readme))
    assert len(found) == 2, f"quick start has {len(found)} commands, not 2: {found}"
    run, test = found
    assert "--require-hashes -r requirements/site.lock" in run and "aprecords build" in run
    # The suite runs in a brand-new virtual environment with the locked versions, never the
    # system site-packages (where other versions may already be installed).
    assert "python3 -m venv --clear .venv" in test
    assert "--require-hashes -r requirements/test.lock" in test
    # The whole suite on every core, each test file on one worker (its module fixtures, such
    # as built sites and browsers, made once); pytest-xdist is locked with the rest.
    assert test.endswith(".venv/bin/python -m pytest -n auto --dist loadfile")
    assert re.search(r"^pytest-xdist==", (PROJECT / "requirements/test.lock").read_text(), re.M)
    assert "apache2-utils" in test, "htpasswd -B must run in CI, not be skipped"


def test_lock_files_pin_every_package_with_hashes() -> None:
    """Each lock line is name==version with at least one sha256, so installs are exact."""
    for lock in ("site.lock", "test.lock"):
        text = (PROJECT / "requirements" / lock).read_text("utf-8")
        pins = re.findall(
            r"^([A-Za-z0-9_.-]+)==(\S+) \\\n((?:    --hash=sha256:[0-9a-f]{64}.*\n)+)", text, re.M
        )
        names = {name.lower() for name, _, _ in pins}
        assert {"pyyaml", "jsonschema", "mkdocs", "mkdocs-material"} <= names, lock
        unpinned = [
            line
            for line in text.splitlines()
            if line and not line.startswith((" ", "#")) and "==" not in line
        ]
        assert not unpinned, f"{lock} has unpinned lines: {unpinned}"
    assert "pytest" in (PROJECT / "requirements" / "test.lock").read_text("utf-8")


def test_ci_runs_the_readme_test_command_verbatim(readme: str) -> None:
    test_command = commands(quick_start(readme))[1]
    ci_lines = [line.strip() for line in CI_RUN.read_text("utf-8").splitlines()]
    assert test_command in ci_lines, f".ci/run does not run {test_command!r} as a line of its own"


def test_ci_run_stops_on_the_first_failure() -> None:
    text = CI_RUN.read_text("utf-8")
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text


STUB = '#!/bin/sh\necho "${0##*/} $* CI=${CI:-}" >> "$LOG"\nexit ${EXIT_CODE:-0}\n'


def run_ci_with_stubs(tmp_path: Path, npm_exit: int) -> tuple[int, list[str]]:
    """Run the real .ci/run with every command it calls replaced by a stub that logs its call.

    apt-get, npm and python3 come first on PATH; a leftover .venv (as on a reused CI machine)
    holds python, pip, ruff and aprecords; .ci/newest-versions is a stub too. ``npm_exit``
    is npm's exit status: a failure in the middle of the README's `&&` list.
    """
    (tmp_path / ".ci").mkdir()
    shutil.copy(CI_RUN, tmp_path / ".ci" / "run")
    log = tmp_path / "log"
    stubs, venv = tmp_path / "stubs", tmp_path / ".venv" / "bin"
    for folder, names in ((stubs, ["apt-get", "python3"]), (venv, ["python", "pip", "ruff",
                          "aprecords"]), (tmp_path / ".ci", ["newest-versions"])):  # fmt: skip
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            (folder / name).write_text(STUB)
            (folder / name).chmod(0o755)
    (stubs / "npm").write_text(STUB.replace("${EXIT_CODE:-0}", str(npm_exit)))
    (stubs / "npm").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env |= {"PATH": f"{stubs}:{env['PATH']}", "LOG": str(log)}
    proc = subprocess.run(["bash", str(tmp_path / ".ci" / "run")], env=env, capture_output=True)
    return proc.returncode, log.read_text().splitlines() if log.exists() else []


def test_ci_run_sets_ci_and_runs_every_step_when_all_pass(tmp_path: Path) -> None:
    code, calls = run_ci_with_stubs(tmp_path, npm_exit=0)
    assert code == 0, calls
    names = [call.split()[0] for call in calls]
    assert names[-5:] == ["python", "ruff", "ruff", "aprecords", "newest-versions"], calls
    assert {"apt-get", "npm", "python3", "pip"} <= set(names)
    # CI=true although the caller's environment had no CI: missing tools fail, not skip.
    assert all(call.endswith(" CI=true") for call in calls), calls


def test_ci_run_stops_when_a_step_before_the_last_and_fails(tmp_path: Path) -> None:
    """A failed `npm ci` with a leftover .venv stops CI: no tests, linters or newest pass."""
    code, calls = run_ci_with_stubs(tmp_path, npm_exit=3)
    assert code != 0
    assert calls and calls[-1].startswith("npm ci"), calls


def test_parsing_helpers_reject_wrong_shapes() -> None:
    """The checks above would catch a third block, a second line or another language."""
    two = "## Quick start\n\n```sh\na\n```\n\ntext\n\n```sh\nb\n```\n\n## Next\n```sh\nc\n```\n"
    assert commands(quick_start(two)) == ["a", "b"]
    with pytest.raises(AssertionError):
        commands(quick_start("## Quick start\n```sh\na\nb\n```\n"))
    with pytest.raises(AssertionError):
        commands(quick_start("## Quick start\n```bash\na\n```\n"))
    with pytest.raises(AssertionError):
        quick_start("# Title\n## Quickstart\n")
