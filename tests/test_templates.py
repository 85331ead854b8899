"""CI, pre-commit and editor templates: valid files that call commands that exist."""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

from aprecords import cli
from conftest import PROJECT

WORKFLOW = PROJECT / ".github/workflows/records.yml"
GITLAB = PROJECT / ".gitlab-ci.yml"
HOOKS = PROJECT / ".pre-commit-hooks.yaml"
PRE_COMMIT = PROJECT / ".pre-commit-config.yaml"
YAML_FILES = (WORKFLOW, GITLAB, HOOKS, PRE_COMMIT)


def load(file: Path):
    return yaml.safe_load(file.read_text("utf-8"))


def aprecords_commands(text: str) -> list[list[str]]:
    """Every `aprecords ...` command line in a shell script, variables replaced by a value."""
    text = re.sub(r"\$\{\{[^}]*\}\}", "x", text)
    found = []
    for line in text.splitlines():
        for part in re.split(r"&&|;|\|", line):
            words = shlex.split(re.sub(r"\$\{?\w+\}?", "x", part), comments=True)
            if words[:1] == ["aprecords"]:
                found.append(words[1:])
    return found


def steps_scripts() -> list[str]:
    workflow = load(WORKFLOW)
    scripts = [s["run"] for job in workflow["jobs"].values() for s in job["steps"] if "run" in s]
    gitlab = load(GITLAB)
    scripts += [line for job in gitlab.values() if isinstance(job, dict)
                for line in job.get("script", []) + job.get("before_script", [])]  # fmt: skip
    scripts += [hook["entry"] for hook in load(HOOKS)]
    scripts += [h["entry"] for repo in load(PRE_COMMIT)["repos"] for h in repo["hooks"]
                if "entry" in h]  # fmt: skip
    return scripts


@pytest.mark.parametrize("file", YAML_FILES, ids=lambda f: f.name)
def test_yaml_templates_are_valid_yaml(file):
    assert isinstance(load(file), dict | list)


def test_every_aprecords_command_in_the_templates_exists_with_its_options():
    commands = [c for script in steps_scripts() for c in aprecords_commands(script)]
    assert {c[0] for c in commands} >= {"validate", "build"}
    parser = cli.build_parser()
    for argv in commands:
        parser.parse_args(argv)  # SystemExit (a failure) for an unknown command or option


def test_the_command_extractor_would_catch_an_unknown_command():
    [argv] = aprecords_commands('aprecords publish --everywhere "$X"')
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(argv)


def test_github_workflow_validates_pull_requests_with_the_base_and_builds_main():
    workflow = load(WORKFLOW)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    jobs = workflow["jobs"]
    validate = jobs["validate"]
    assert "pull_request" in validate["if"]
    checkout = next(
        s for s in validate["steps"] if s.get("uses", "").startswith("actions/checkout")
    )
    assert checkout["with"]["fetch-depth"] == 0
    run = next(s for s in validate["steps"] if "aprecords validate" in s.get("run", ""))
    [argv] = aprecords_commands(run["run"])
    assert "--base" in argv and argv[argv.index("--format") + 1] == "github"
    assert run["env"]["BASE_REF"] == "${{ github.base_ref }}"
    assert '"origin/$BASE_REF"' in run["run"]
    build = jobs["build"]
    assert "push" in build["if"]
    assert any("aprecords build" in s.get("run", "") for s in build["steps"])
    upload = next(s for s in build["steps"] if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["path"].startswith("site")
    text = WORKFLOW.read_text("utf-8")
    assert "deploy-pages" not in text and "gh-pages" not in text  # never published publicly
    assert workflow["permissions"] == {"contents": "read"}


def test_gitlab_ci_is_equivalent():
    gitlab = load(GITLAB)
    assert gitlab["variables"]["GIT_DEPTH"] == "0"
    assert "pages" not in gitlab
    validate = " ".join(gitlab["validate"]["script"])
    assert "merge_request_event" in gitlab["validate"]["rules"][0]["if"]
    assert "--base" in validate and "CI_MERGE_REQUEST_TARGET_BRANCH_NAME" in validate
    assert "aprecords build" in " ".join(gitlab["build"]["script"])
    assert gitlab["build"]["artifacts"]["paths"] == ["site/"]


def test_pre_commit_hooks_for_other_repositories():
    hooks = {hook["id"]: hook for hook in load(HOOKS)}
    assert set(hooks) == {"aprecords-validate", "aprecords-fmt"}
    assert hooks["aprecords-validate"]["entry"] == "aprecords validate"
    assert hooks["aprecords-fmt"]["entry"] == "aprecords fmt --check"  # checks, never rewrites
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["files"] == "^records/"
        assert re.search(hook["files"], "records/placements/hollybrook/hollybrook-2025-001.yaml")
        assert not re.search(hook["files"], "schema/placement.schema.json")


def test_pre_commit_config_of_this_repository_uses_the_hooks_and_ruff():
    config = load(PRE_COMMIT)
    hooks = {h["id"]: (repo["repo"], h) for repo in config["repos"] for h in repo["hooks"]}
    for template in load(HOOKS):
        repo, local = hooks[template["id"]]
        assert repo == "local" and local["entry"] == template["entry"]
        assert local["files"] == template["files"]
    assert hooks["ruff-check"][0].endswith("ruff-pre-commit") and "ruff-format" in hooks


def test_codeowners_example_routes_school_folders_and_providers():
    lines = [line.split() for line in (PROJECT / "CODEOWNERS.example").read_text().splitlines()
             if line.strip() and not line.startswith("#")]  # fmt: skip
    owners = {parts[0]: parts[1:] for parts in lines}
    assert all(all(o.startswith("@") for o in found) and found for found in owners.values())
    placements = {p: o for p, o in owners.items() if p.startswith("/records/placements/")}
    assert placements
    for pattern, found in placements.items():
        school = pattern.strip("/").split("/")[-1]
        assert (PROJECT / "records/schools" / f"{school}.yaml").is_file(), pattern
        assert any(school in o for o in found)  # that school's own team
    assert owners["/records/providers/"] == ["@example-org/hub"]


def test_pull_request_template_follows_the_form():
    text = (PROJECT / ".github/pull_request_template.md").read_text("utf-8")
    for section in ("Header", "Commissioning aims", "Targets", "assessed", "Set-up agreements",
                    "Next review", "Progress", "amendments", "FILL IN", "aprecords validate",
                    "aprecords retention"):  # fmt: skip
        assert section in text, section
    assert text.count("- [ ]") >= 15


def test_vscode_maps_every_record_folder_to_an_existing_schema():
    settings = json.loads((PROJECT / ".vscode/settings.json").read_text("utf-8"))
    schemas = settings["yaml.schemas"]
    for schema in schemas:
        assert (PROJECT / schema).is_file(), schema
    records = [p.relative_to(PROJECT).as_posix() for p in (PROJECT / "records").rglob("*.yaml")]
    assert records
    for record in records:
        kinds = [
            s for s, globs in schemas.items() if any(fnmatch.fnmatch(record, g) for g in globs)
        ]
        assert len(kinds) == 1, record
    placement = next(s for s, g in schemas.items() if "placement" in s)
    assert fnmatch.fnmatch("records/placements/hollybrook/hollybrook-2025-001.yaml",
                           schemas[placement][0])  # fmt: skip
