"""WCAG 2.2 AA (issue 12): axe-core 4, from node_modules (pinned in package-lock.json), run in
Chromium over every page type, the print views and the open search dialog: no violation of any
impact. And a keyboard-only walk from the dashboard to an agreement's print view."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import LoopbackServer
from printsite import PAGE_TYPES, RICH, axe_script, build_examples, help_pages

pytestmark = pytest.mark.browser

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_examples(tmp_path_factory.mktemp("a11y"), "hub")


@pytest.fixture(scope="module")
def hub(built: Path):
    server = LoopbackServer(built / "hub")
    yield server
    server.close()


def axe(page) -> list[dict]:
    """axe-core's violations on the page as it is now (the script injected from disk)."""
    page.add_script_tag(path=str(axe_script()))
    return page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                 resultTypes: ['violations']})).violations
             .map(v => ({id: v.id, impact: v.impact,
                         nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))""",
        TAGS,
    )


@pytest.mark.parametrize("width", [390, 1280])
def test_every_page_type_has_no_axe_violation(chromium, hub, built, width) -> None:
    axe_script()
    page = chromium.new_page(viewport={"width": width, "height": 844 if width < 500 else 800})
    found = {}
    for kind, path in {**PAGE_TYPES, **help_pages(built / "hub")}.items():
        page.goto(f"{hub.origin}/{path}")
        page.wait_for_load_state("load")
        violations = axe(page)
        if violations:
            found[kind] = violations
    page.close()
    assert found == {}, json.dumps(found, indent=1)


def test_the_open_search_dialog_has_no_axe_violation(chromium, hub) -> None:
    axe_script()
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{hub.origin}/index.html")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially("Wrenfeather", delay=20)
    page.locator(".md-search-result__item").first.wait_for(timeout=15000)
    dialog = page.locator(".md-search[role=dialog]")
    assert dialog.get_attribute("aria-label"), "the search dialog needs an accessible name"
    violations = axe(page)
    page.close()
    assert violations == [], json.dumps(violations, indent=1)


def test_axe_finds_a_planted_violation(chromium, hub) -> None:
    """The check can fail: an unlabelled input and grey-on-white text are reported."""
    axe_script()
    page = chromium.new_page()
    page.goto(f"{hub.origin}/index.html")
    page.evaluate(
        """() => { const a = document.querySelector('article');
                   a.insertAdjacentHTML('beforeend',
                     '<input type=text><p style="color:#bbb;background:#fff">faint</p>'); }"""
    )
    ids = {v["id"] for v in axe(page)}
    page.close()
    assert {"label", "color-contrast"} <= ids, ids


def _focus(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement; const s = getComputedStyle(e);
                   return {tag: e.tagName, text: (e.innerText || '').trim(),
                           href: e.getAttribute('href') || '',
                           ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2
                                 || s.boxShadow !== 'none'}; }"""
    )


def _tab_to(page, match, limit: int = 400) -> dict:
    """Press Tab until the focused element satisfies ``match``; every stop shows a ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = _focus(page)
        if now["tag"] in ("A", "BUTTON", "INPUT", "LABEL"):
            assert now["ring"], f"no visible focus ring on {now}"
        if match(now):
            return now
    raise AssertionError("not reached by keyboard")


def test_keyboard_only_from_the_dashboard_to_the_print_view(chromium, hub) -> None:
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{hub.origin}/index.html")
    _tab_to(page, lambda f: f["href"] == "placements/index.html" and f["text"] == "Placements")
    page.keyboard.press("Enter")
    page.wait_for_url("**/placements/index.html")
    _tab_to(page, lambda f: f["href"] == f"{RICH}.html")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/placements/{RICH}.html")
    # The table of contents leads through the agreement's sections.
    for section in ("Commissioning aims", "Targets", "Review history"):
        _tab_to(page, lambda f, s=section: f["text"] == s and f["href"].startswith("#"))
        page.keyboard.press("Enter")
        anchor = page.evaluate("location.hash")
        assert anchor and page.locator(anchor).is_visible()
    page.keyboard.press("Home")
    page.evaluate("document.activeElement.blur()")
    page.goto(page.url.split("#")[0])
    _tab_to(page, lambda f: f["href"] == f"{RICH}/print-agreement.html")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/placements/{RICH}/print-agreement.html")
    assert page.locator("h1").inner_text() == "Alternative provision commissioning agreement"
    page.close()


def test_status_is_never_told_by_colour_alone(chromium, hub) -> None:
    """Every coloured status badge and attendance cell carries its meaning in words."""
    page = chromium.new_page()
    words = {}
    for path in ("index.html", "placements/index.html", f"placements/{RICH}.html"):
        page.goto(f"{hub.origin}/{path}")
        words[path] = page.evaluate(
            """() => [...document.querySelectorAll('article .status, article .att')]
                 .map(e => e.textContent.trim())"""
        )
    page.close()
    assert all(words.values()), "each page should show statuses"
    assert all(w for found in words.values() for w in found), words
    statuses = {w for found in words.values() for w in found}
    assert {"active", "met"} <= statuses
