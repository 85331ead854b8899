"""The web form (issue 13): its configuration from schema/, the self-contained bundle, who gets it.

The configuration is checked against Sveltia's own JSON schema (shipped in the pinned package)
and against our schemas read here directly; the bundle patch against the real pinned bundle;
the build against the example records (hub with /admin/, a school without).
"""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from aprecords import cli
from aprecords.schemas import Schemas
from aprecords.site import build, cms, cmsassets, hosting
from conftest import PROJECT, TODAY, copy_examples, replace_line, run_module

MODULES = PROJECT / "node_modules"
SVELTIA = MODULES / "@sveltia" / "cms"
SETTINGS = {"backend": "gitlab", "repo": "j16-hub/ap-records", "app_id": "abc123"}


@pytest.fixture(scope="module")
def bundle() -> str:
    path = SVELTIA / "dist" / "sveltia-cms.js"
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `npm ci` (package-lock.json pins it)")
    return path.read_text("utf-8")


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return cms.cms_config(Schemas(PROJECT / "schema"), SETTINGS, "Test site")


def test_the_version_is_pinned_exactly_in_package_json_and_the_lock() -> None:
    package = json.loads((PROJECT / "package.json").read_text("utf-8"))
    lock = json.loads((PROJECT / "package-lock.json").read_text("utf-8"))
    wanted = {**package.get("dependencies", {}), **package.get("devDependencies", {})}
    assert wanted["@sveltia/cms"] == "0.221.1" and wanted["axe-core"] == "4.14.1"
    for name, version in wanted.items():
        assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", version), (name, version)
        assert lock["packages"][f"node_modules/{name}"]["version"] == version


def test_the_config_is_valid_for_sveltia(config: dict[str, Any]) -> None:
    schema = json.loads((SVELTIA / "schema" / "sveltia-cms.json").read_text("utf-8"))
    errors = sorted(Draft7Validator(schema).iter_errors(config), key=str)
    assert not errors, "\n".join(e.message[:300] for e in errors[:5])
    # what a broken config looks like to the same check (so the check can fail)
    broken = {**config, "collections": [{**config["collections"][0], "fields": "x"}]}
    assert list(Draft7Validator(schema).iter_errors(broken))


def _walk(schema: dict[str, Any], fields: list[dict[str, Any]], trail: str) -> int:
    """Compare form fields with the schema node by node; return how many fields were seen."""
    props = schema.get("properties", {})
    assert [f["name"] for f in fields] == list(props), f"{trail}: order or names differ"
    seen = 0
    for form in fields:
        node, where = props[form["name"]], f"{trail}.{form['name']}"
        seen += 1
        assert form["label"] == node.get("title", form["name"].replace("_", " ").capitalize())
        assert form.get("required", True) == (form["name"] in schema.get("required", [])), where
        if node.get("description"):
            assert form["hint"] == node["description"], where
        if "enum" in node:
            assert form["widget"] == "select" and form["options"] == node["enum"], where
        elif node.get("format") == "date":
            assert (form["widget"], form["format"]) == ("datetime", "YYYY-MM-DD"), where
            assert form["time_format"] is False, where
        elif node.get("type") == "boolean":
            yes_no = [o["value"] for o in form.get("options", [])] == [True, False]
            assert form["widget"] == "boolean" or yes_no, where
        elif node.get("type") in ("integer", "number"):
            kind = "int" if node["type"] == "integer" else "float"
            assert (form["widget"], form["value_type"]) == ("number", kind), where
        elif node.get("type") == "object":
            assert form["widget"] == "object", where
            seen += _walk(node, form["fields"], where)
        elif node.get("type") == "array":
            items = node["items"]
            if items.get("type") == "object":
                assert form["widget"] == "list" and form.get("min", 0) == node.get("minItems", 0)
                seen += _walk(items, form["fields"], where + "[]")
            elif "enum" in items and node.get("uniqueItems"):
                assert form["multiple"] is True and form["options"] == items["enum"], where
            else:
                assert form["widget"] == "list" and "field" in form, where
        elif isinstance(node.get("pattern"), str):
            message = node.get("x-hint", "Check the format of this answer.")
            assert form["pattern"] == [node["pattern"], message], where
    return seen


def test_every_schema_field_is_in_the_form_with_its_title_in_order(config) -> None:
    raw = Schemas(PROJECT / "schema")
    kinds = {"placements": "placement", "schools": "school", "providers": "provider",
             "attendance": "attendance"}  # fmt: skip
    counted = {}
    for collection in config["collections"]:
        counted[collection["name"]] = _walk(
            raw.resolved(kinds[collection["name"]]), collection["fields"], collection["name"]
        )
    assert counted["placements"] > 120  # the whole agreement form, nested lists included
    placements = config["collections"][0]
    assert (placements["folder"], placements["path"]) == ("records/placements", "{{school}}/{{id}}")
    assert {c["format"] for c in config["collections"]} == {"yaml"}


def test_output_workflow_and_backend(config: dict[str, Any]) -> None:
    assert config["publish_mode"] == "editorial_workflow"
    assert config["output"] == {
        "omit_empty_optional_fields": True,
        "yaml": {"indent_size": 2, "indent_sequences": True, "quote": "none"},
    }
    assert config["backend"] == {
        "name": "gitlab", "repo": "j16-hub/ap-records", "auth_type": "pkce", "app_id": "abc123"
    }  # fmt: skip
    own = cms.backend({**SETTINGS, "base_url": "https://git.example.org/", "branch": "main"})
    assert own["api_root"] == "https://git.example.org/api/v4" and own["branch"] == "main"
    assert "api_root" not in cms.backend({**SETTINGS, "base_url": "https://gitlab.com"})
    github = cms.backend({"backend": "github", "repo": "o/r", "base_url": "https://auth.x.org"})
    assert github == {"name": "github", "repo": "o/r", "base_url": "https://auth.x.org"}
    assert cms.connect_origins({"backend": "gitlab", "base_url": "https://g.x.org/sub"}) == [
        "https://g.x.org"
    ]
    assert cms.connect_origins({"backend": "github"}) == ["https://api.github.com"]


def test_findings_use_the_forms_labels(tmp_path: Path, config: dict[str, Any]) -> None:
    """CI's finding and the form name the same field the same way (item 4)."""
    root = copy_examples(tmp_path / "repo")
    file = root / "records/placements/hollybrook/hollybrook-2025-001.yaml"
    replace_line(file, "    school_support:", '    school_support: ""')
    result = run_module("--root", root, "validate", "--today", TODAY)
    assert result.code == 1
    fields = {f["name"]: f for f in config["collections"][0]["fields"]}
    targets = fields["targets"]
    support = next(f for f in targets["fields"] if f["name"] == "school_support")
    expected = f"(in the web form: {targets['label']} > 1 > {support['label']})"
    assert expected in result.out, result.out
    assert "targets[1].school_support" in result.out  # and the key path, as before


def test_the_patched_bundle_fetches_nothing_from_other_hosts(bundle: str) -> None:
    patched = cmsassets.patch_bundle(bundle)
    for host in ("unpkg.com", "jsdelivr.net"):
        assert host in bundle and host not in patched
    for url, (_, file) in cmsassets.FONTS.items():
        assert url in bundle and f"url(fonts/{file})" in patched
    assert re.search(r"=`locales`,", patched) and "=`version.json`," in patched
    assert "data:image/svg+xml;base64,${btoa(" not in patched


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b.replace("/locales`", "/i18n`"),  # a release that moves the interface text
        lambda b: b.replace("noto-mono@5.3.0", "noto-mono@5.4.0"),  # a new font version
        lambda b: b + ";fetch(`https://unpkg.com/x`)",  # a new remote fetch
        lambda b: b + ";x=`https://cdn.jsdelivr.net/npm/y`",
    ],
)
def test_an_unexpected_bundle_stops_the_patch(bundle: str, damage) -> None:
    with pytest.raises(cmsassets.CmsAssetError):
        cmsassets.patch_bundle(damage(bundle))


def test_the_fonts_are_the_pinned_woff2_files() -> None:
    for url, (package, file) in cmsassets.FONTS.items():
        version = re.search(r"@([0-9.]+)/", url).group(1)
        meta = json.loads((MODULES / package / "package.json").read_text("utf-8"))
        assert meta["version"] == version, package
        assert (MODULES / package / "files" / file).read_bytes()[:4] == b"wOF2"


def _build(root: Path, site: Path, *audiences: str) -> tuple[int, str]:
    args = ["--root", str(root), "build", "--today", TODAY, "--site-dir", str(site)]
    for name in audiences:
        args += ["--audience", name]
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(args)
    return code, out.getvalue() + err.getvalue()


def test_only_the_hub_gets_the_form_and_it_holds_no_record(tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "repo")
    site = tmp_path / "site"
    code, said = _build(root, site, "hub", "school-hollybrook")
    assert code == 0, said
    admin = site / "hub" / "admin"
    page = (admin / "index.html").read_text("utf-8")
    assert re.findall(r"<script[^>]*>", page) == ['<script src="sveltia-cms.js">']
    assert 'href="config.yml" type="application/yaml" rel="cms-config-url"' in page
    assert not (site / "school-hollybrook" / "admin").exists()
    assert not list((site / "school-hollybrook").rglob("sveltia-cms.js"))
    for name in ("fonts/source-sans-3-latin-wght-normal.woff2", "locales/en-GB.json", "logo.svg"):
        assert (admin / name).is_file(), name
    text = (admin / "config.yml").read_text("utf-8")
    assert yaml.safe_load(text)["backend"]["repo"] == "j16-hub/ap-records"
    for record in (root / "records").rglob("*.yaml"):
        data = yaml.safe_load(record.read_text("utf-8"))
        name = (data.get("student") or {}).get("name") or data.get("name")
        assert not name or name not in text, f"{record.name}: a record value in config.yml"
    conf = (site / "nginx" / "aprecords.conf").read_text("utf-8")
    assert "location /hub/admin/ {" in conf and "location /school-hollybrook/admin/" not in conf
    policy = hosting.admin_csp(["https://gitlab.example.org"])
    assert f'add_header Content-Security-Policy "{policy}" always;' in conf
    assert "script-src 'self';" in policy and "unsafe" not in policy.replace("'unsafe-inline'", "")
    assert "connect-src 'self' https://gitlab.example.org;" in policy


def test_without_npm_ci_the_hub_is_built_without_the_form_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "PROJECT", tmp_path / "no-checkout")
    root = copy_examples(tmp_path / "repo")
    code, said = _build(root, tmp_path / "site", "hub")
    assert code == 0, said
    assert "npm ci" in said and "/hub/admin/" in said
    assert not (tmp_path / "site" / "hub" / "admin").exists()
    assert "admin" not in (tmp_path / "site" / "nginx" / "aprecords.conf").read_text("utf-8")


def test_without_cms_settings_there_is_no_form(tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "repo")
    config = root / "aprecords.yml"
    config.write_text(config.read_text("utf-8").split("\ncms:")[0] + "\n", "utf-8")
    code, said = _build(root, tmp_path / "site", "hub")
    assert code == 0, said
    assert not (tmp_path / "site" / "hub" / "admin").exists() and "npm ci" not in said


def test_the_guide_shows_existing_screenshots_of_the_form() -> None:
    guide = (PROJECT / "docs" / "guide.md").read_text("utf-8")
    assert "## Using the web form" in guide
    images = re.findall(r"!\[[^\]]+\]\((img/cms-[a-z-]+\.png)\)", guide)
    assert len(images) >= 3, images
    for image in images:
        assert (PROJECT / "docs" / image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", image
