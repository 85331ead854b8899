"""The web form in Chromium: the hub's built site, /hub/admin/, a local repository in OPFS.

One browser session walks through what a hub mentor does (docs/guide.md, "Using the web
form"): open the form from the built hub site, served with the policies nginx would send;
work with a local repository (the File System Access API's folder picker answers with a
browser-private OPFS folder holding a copy of the example records); change a target of an
agreement and add the overdue termly review; create a new agreement; save. The files are read
back out of the browser and must pass ``aprecords validate``, ``validate --base`` against the
originals and ``fmt --check``; a save changes no line but the ones edited; no request leaves
the origin and nothing is logged as an error. Screenshots go to ``test-artifacts/`` (and to
``docs/img/`` with ``APRECORDS_UPDATE_SCREENSHOTS=1``, for the guide).
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import shutil
import subprocess
import threading
from datetime import date, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from aprecords.load import parse
from conftest import PROJECT, TODAY, copy_examples, git, require_tool, run_module

pytestmark = pytest.mark.browser

EDITED = "records/placements/marsh-lane/marsh-lane-2025-001.yaml"
TEMPLATE = "records/placements/hollybrook/hollybrook-2025-002.yaml"
NEW = "records/placements/hollybrook/hollybrook-2025-004.yaml"
NEW_TARGET = "Arrive at the salon on time on both days each week, and say hello to the team."
SHOTS = PROJECT / "test-artifacts" / "cms"
GUIDE_IMAGES = PROJECT / "docs" / "img"

POPULATE = """async (files) => {
  const root = await navigator.storage.getDirectory();
  try { await root.removeEntry('repo', { recursive: true }); } catch (e) {}
  const repo = await root.getDirectoryHandle('repo', { create: true });
  await repo.getDirectoryHandle('.git', { create: true });
  for (const { path, text } of files) {
    const parts = path.split('/');
    let dir = repo;
    for (const part of parts.slice(0, -1)) {
      dir = await dir.getDirectoryHandle(part, { create: true });
    }
    const file = await dir.getFileHandle(parts[parts.length - 1], { create: true });
    const out = await file.createWritable();
    await out.write(text);
    await out.close();
  }
  return files.length;
}"""
"""Fill the OPFS folder ``repo`` (with the ``.git`` folder the form looks for)."""
READ_BACK = """async () => {
  const found = {};
  const walk = async (dir, prefix) => {
    for await (const [name, handle] of dir.entries()) {
      if (handle.kind === 'directory') await walk(handle, prefix + name + '/');
      else found[prefix + name] = await (await handle.getFile()).text();
    }
  };
  await walk(await (await navigator.storage.getDirectory()).getDirectoryHandle('repo'), '');
  return found;
}"""
PICKER = """window.showDirectoryPicker = async () =>
  (await navigator.storage.getDirectory()).getDirectoryHandle('repo', { create: true });"""
"""The folder picker, answered with the OPFS folder (a test cannot click a native dialog)."""


class PolicyServer:
    """The built sites on 127.0.0.1 with the Content-Security-Policy nginx would send: the
    audience's policy, and the web form's own under ``/hub/admin/`` (site/hosting.py)."""

    def __init__(self, folder: Path, hub_hashes: list[str], origins: list[str]) -> None:
        from aprecords.site import hosting

        site_policy = hosting.CSP.format(scripts=" ".join(hub_hashes))
        site_policy = site_policy.replace("'self' ;", "'self';")
        admin_policy = hosting.admin_csp(origins)

        class Handler(SimpleHTTPRequestHandler):
            extensions_map = {
                **SimpleHTTPRequestHandler.extensions_map,
                ".yml": "application/yaml",
                ".js": "text/javascript",
                ".woff2": "font/woff2",
            }

            def end_headers(self) -> None:
                admin = self.path.startswith(f"/hub/{hosting.ADMIN}/")
                self.send_header("Content-Security-Policy", admin_policy if admin else site_policy)
                super().end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Handler, directory=str(folder))
        )
        self.origin = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def canonical(root: Path) -> None:
    """Put the copy's records in the canonical layout (the examples already are: no change)."""
    done = run_module("--root", root, "fmt", root / "records")
    assert done.code == 0, done.out + done.err


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory):
    """The examples (formatted, in git), their built hub site, served with its policies."""
    from aprecords import cli
    from aprecords.site import cms, hosting

    require_tool("git")
    base = tmp_path_factory.mktemp("cms")
    root = copy_examples(base / "repo")
    canonical(root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Records before the web form")
    site = base / "site"
    args = ["--root", str(root), "build", "--today", TODAY, "--site-dir", str(site)]
    assert cli.main([*args, "--audience", "hub"]) == 0
    assert (site / "hub/admin/index.html").is_file(), "no web form: run `npm ci`"
    settings = yaml.safe_load((root / "aprecords.yml").read_text("utf-8"))["cms"]
    server = PolicyServer(
        site, hosting.inline_script_hashes(site / "hub"), cms.connect_origins(settings)
    )
    yield root, server
    server.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    if os.environ.get("APRECORDS_UPDATE_SCREENSHOTS") == "1":
        GUIDE_IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SHOTS / f"{name}.png", GUIDE_IMAGES / f"{name}.png")


# --- filling the form the way a person does, field by field, from the form's own config ---


def _section(page, key_path: str):
    return page.locator(f'[data-mode="edit"] section[data-key-path="{key_path}"]').first


def _scroll_to(page, section) -> None:
    """Scroll down the form until ``section`` is drawn (fields further down come later)."""
    box = page.locator('[data-mode="edit"]').first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(200):
        if section.count():
            return
        page.mouse.wheel(0, 250)
        page.wait_for_timeout(40)


def reveal(page, key_path: str):
    """The field at ``key_path``, scrolled into view: the form draws list items only when they
    come into view, so each item on the way is scrolled to first."""
    parts = key_path.split(".")
    _scroll_to(page, _section(page, parts[0]))
    for n in range(1, len(parts)):
        if parts[n].isdigit():
            parent = _section(page, ".".join(parts[:n]))
            parent.scroll_into_view_if_needed()
            items = parent.locator('[id$="-item-list"]').first.locator(":scope > div")
            items.nth(int(parts[n])).scroll_into_view_if_needed()
    section = _section(page, key_path)
    _scroll_to(page, section)
    section.scroll_into_view_if_needed()
    return section


def _choose(page, section, value: Any) -> None:
    shown = {True: "Yes", False: "No"}.get(value, str(value)) if isinstance(value, bool) else value
    combo = section.locator('[role="combobox"]')
    if combo.count():
        combo.first.click()
        page.locator('[role="option"]:visible').filter(
            has_text=re.compile(rf"^\W*{re.escape(str(shown))}\W*$")
        ).first.click()
    else:
        section.get_by_role("radio", name=str(shown), exact=True).check()


def fill(page, key_path: str, field: dict[str, Any], value: Any) -> None:
    """Enter ``value`` into the field at ``key_path`` as a user would."""
    widget = field["widget"]
    if widget == "object":  # a list item's object has no field of its own
        if field.get("required") is False:  # an optional group is added first
            reveal(page, key_path).get_by_role("checkbox", name=re.compile("^Add")).first.click()
        for sub in field["fields"]:
            if sub["name"] in value:
                fill(page, f"{key_path}.{sub['name']}", sub, value[sub["name"]])
        return
    section = reveal(page, key_path)
    if widget == "list":
        add = section.locator("button").filter(has_text=re.compile(r"^\s*add\s*Add"))
        for index, item in enumerate(value):
            add.first.click()
            if "fields" in field:
                sub = {"widget": "object", "fields": field["fields"]}
                fill(page, f"{key_path}.{index}", sub, item)
            else:
                fill(page, f"{key_path}.{index}", field["field"], item)
    elif widget == "select" and field.get("multiple"):
        for item in value:
            checkbox = section.get_by_role("checkbox", name=str(item), exact=True)
            if checkbox.count():
                checkbox.check()
            else:
                _choose(page, section, item)
    elif widget == "select":
        _choose(page, section, value)
    elif widget == "boolean":
        switch = section.get_by_role("switch")
        if (switch.get_attribute("aria-checked") == "true") != bool(value):
            switch.click()
    elif widget == "datetime":
        section.locator('input[type="date"]').fill(str(value))
    else:
        _type_into(page, section.locator("input, textarea").first, str(value))


def _type_into(page, box, text: str) -> None:
    """Fill a text or number box and leave it, as a person does (the form commits some values
    on change); fill again if the form had not taken the value yet (seen once under load: a
    review's attendance numbers were missing from the preview, so the save was refused)."""
    for _ in range(3):
        box.fill(text)
        box.evaluate("el => el.blur()")
        page.wait_for_timeout(100)
        if box.input_value() == text:
            return
    assert box.input_value() == text, f"the form did not take {text!r}"


def save(page) -> None:
    page.get_by_role("button", name="Save", exact=True).click()
    saved = page.get_by_text("Entry saved.")
    try:
        saved.wait_for(timeout=20_000)
    except Exception:  # say why the form refused to save, then fail
        shot(page, "cms-save-refused")
        shown = page.locator('[role="alert"], [aria-invalid="true"]').all_inner_texts()
        raise AssertionError(f"the form did not save; it shows: {shown}") from None


def a_review(placement: dict[str, Any]) -> dict[str, Any]:
    """The overdue autumn review of the edited agreement: every target reviewed and kept."""
    when = date.fromisoformat(TODAY) - timedelta(days=1)
    return {
        "date": when.isoformat(),
        "behaviour": "Settled; punctual on both salon days and polite with clients.",
        "attendance": {"summary": "Attended well this half term; one illness absence."},
        "safeguarding": "None raised.",
        "progress": [
            {"target": t["id"], "status": "on-track", "comment": "On track; keep going."}
            for t in placement["targets"]
        ],
        "interventions": "Keep the peer mentor; add a weekly check-in with the salon mentor.",
        "targets": [
            {
                "id": t["id"],
                "target": t["target"],
                "school_support": t["school_support"],
                "provider_support": t["provider_support"],
                "change": "carried",
            }
            for t in placement["targets"]
        ],
        "next_review": {"date": "2026-03-23", "staff": placement["next_review"]["staff"]},
    }


def test_hub_staff_edit_review_and_create_in_the_web_form(chromium, walk) -> None:
    from aprecords.schemas import Schemas
    from aprecords.site import cms

    root, server = walk
    config = cms.cms_config(Schemas(root / "schema"), {"backend": "gitlab", "repo": "a/b",
                                                       "app_id": "x"}, "t")  # fmt: skip
    placement_fields = {"widget": "object", "fields": config["collections"][0]["fields"]}
    targets_field = next(f for f in placement_fields["fields"] if f["name"] == "targets")
    reviews_field = next(f for f in placement_fields["fields"] if f["name"] == "reviews")
    records = sorted(p for p in (root / "records").rglob("*.yaml"))
    files = [{"path": p.relative_to(root).as_posix(), "text": p.read_text("utf-8")}
             for p in records]  # fmt: skip
    original = (root / EDITED).read_text("utf-8")
    edited = parse(original)

    context = chromium.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    failed: list[str] = []  # which URL a "Failed to load resource" error was about
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(PICKER)
    try:
        # The hub's site links nowhere to the form: staff open /hub/admin/ (a bookmark).
        page.goto(f"{server.origin}/hub/admin/")
        assert page.evaluate(POPULATE, files) == len(files)
        page.get_by_role("button", name="Work with Local Repository").wait_for()
        shot(page, "cms-sign-in")
        page.get_by_role("button", name="Work with Local Repository").click()
        page.get_by_text("marsh-lane-2025-001", exact=True).first.wait_for()
        shot(page, "cms-agreements")

        # 1. An agreement: change target T2's wording, add the overdue termly review.
        page.get_by_text("marsh-lane-2025-001", exact=True).first.click()
        # Nothing changed, nothing to save: an untouched record is never rewritten.
        assert page.get_by_role("button", name="Save", exact=True).is_disabled()
        index = next(i for i, t in enumerate(edited["targets"]) if t["id"] == "T2")
        old_target = edited["targets"][index]["target"]
        target = reveal(page, f"targets.{index}.target")
        target.locator("textarea, input").first.fill(NEW_TARGET)
        edited["targets"][index]["target"] = NEW_TARGET
        review = a_review(edited)
        fill(page, "reviews", reviews_field, [review])
        reveal(page, "reviews.0.date")
        shot(page, "cms-review")
        save(page)
        assert targets_field["label"] == "Targets"

        # 2. A new agreement, as a copy of the answers of a similar one (a new pupil).
        page.goto(f"{server.origin}/hub/admin/#/collections/placements/new")
        _section(page, "id").wait_for()
        answers = parse((root / TEMPLATE).read_text("utf-8"))
        answers |= {"id": Path(NEW).stem}
        answers["student"] = {"name": "Nell Quillfeather", "year_group": 10, "ehcp": False,
                              "looked_after": False}  # fmt: skip
        for sub in placement_fields["fields"]:
            if sub["name"] in answers:
                fill(page, sub["name"], sub, answers[sub["name"]])
        reveal(page, "id")
        shot(page, "cms-new-agreement")
        save(page)
        saved = page.evaluate(READ_BACK)
    finally:
        context.close()

    leaving = [u for u in requests if not u.startswith((server.origin, f"blob:{server.origin}"))]
    assert leaving == [], f"requests left the site: {leaving}"
    assert failed == [], f"requests the site answered with an error: {failed}"
    assert errors == [], f"errors in the browser console: {errors}"

    # The saved files, written back into the repository, pass every check CI runs.
    for path in (EDITED, NEW):  # kept for a look at what the form wrote (CI keeps the folder)
        (SHOTS / Path(path).name).write_text(saved.get(path, ""), "utf-8")
    assert saved[EDITED] != original and NEW in saved, sorted(saved)
    for path, text in saved.items():
        if path.startswith("records/") and path.endswith(".yaml"):
            (root / path).write_text(text, "utf-8")
    data = parse(saved[EDITED])
    assert data["reviews"] == [review]
    assert data["targets"][index]["target"] == NEW_TARGET
    assert parse(saved[NEW])["student"]["name"] == "Nell Quillfeather"
    check = run_module("--root", root, "validate", "--today", TODAY)
    assert check.code == 0, check.out + check.err
    history = run_module("--root", root, "validate", "--today", TODAY, "--base", "main")
    assert history.code == 0, history.out + history.err
    # Only the edited lines changed: the target's line, and the review added at the end.
    before = original.replace(old_target, NEW_TARGET)
    changes = "".join(difflib.unified_diff(before.splitlines(True), saved[EDITED].splitlines(True)))
    assert saved[EDITED].startswith(before), f"the save changed lines nobody edited:\n{changes}"
    assert saved[EDITED][len(before) :].startswith("reviews:\n")
    unchanged = [p for p in saved if p not in (EDITED, NEW) and p.startswith("records/")]
    assert all(saved[p] == (root / p).read_text("utf-8") for p in unchanged)
    fmt = run_module("--root", root, "fmt", "--check", root / "records")
    assert fmt.code == 0, fmt.out + fmt.err
    changed = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=all"],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    assert sorted(line[3:] for line in changed) == sorted([EDITED, NEW])
