"""README's quick start is exactly two commands, and CI runs the second one as written."""

from __future__ import annotations

import re

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
    assert test.endswith(".venv/bin/python -m pytest")
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
