"""Phone and desktop widths (issue 12): no page scrolls sideways, wide tables scroll in their
own box with the first column in view, and the columns that carry the action are visible."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import LoopbackServer
from printsite import PAGE_TYPES, RICH, build_examples, help_pages

pytestmark = pytest.mark.browser

SIZES = [(390, 844), (1280, 800)]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_examples(tmp_path_factory.mktemp("phone"), "hub")


@pytest.fixture(scope="module")
def hub(built: Path):
    server = LoopbackServer(built / "hub")
    yield server
    server.close()


def all_pages(built: Path) -> dict[str, str]:
    return {**PAGE_TYPES, **help_pages(built / "hub")}


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_no_page_scrolls_sideways(chromium, hub, built, width, height) -> None:
    page = chromium.new_page(viewport={"width": width, "height": height})
    wide = {}
    for kind, path in all_pages(built).items():
        page.goto(f"{hub.origin}/{path}")
        page.wait_for_load_state("load")
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll != inner or inner != width:
            wide[kind] = (scroll, inner)
    page.close()
    assert wide == {}, f"pages wider than the {width} px viewport: {wide}"


ACTION_COLUMNS = {
    "index.html": ("Due", "Overdue by", "In", "Level"),
    "placements/index.html": ("Status", "Next review"),
    "schools/hollybrook.html": ("Status", "Next review"),
}


@pytest.mark.parametrize("path", sorted(ACTION_COLUMNS))
def test_action_columns_are_visible_on_a_phone_without_scrolling(chromium, hub, path) -> None:
    page = chromium.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{hub.origin}/{path}")
    found = page.evaluate(
        """() => [...document.querySelectorAll('article th')].map(th => {
             const r = th.getBoundingClientRect();
             return [th.innerText.trim(), r.left, r.right]; })"""
    )
    page.close()
    shown = {name for name, left, right in found if left >= 0 and right <= 390}
    wanted = set(ACTION_COLUMNS[path])
    present = {name for name, _, _ in found} & wanted
    assert present, f"none of {wanted} on {path}"
    assert present <= shown, f"off-screen on a phone: {present - shown}"


def test_the_herringbone_fits_a_phone_with_every_session_in_view(chromium, hub) -> None:
    """Issue 21: the herringbone needs no sideways scrolling at 390 px: Fri PM and the
    week's attendance are on screen, and the week column is first."""
    page = chromium.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{hub.origin}/placements/{RICH}.html")
    box = page.locator(".att-scroll")
    box.scroll_into_view_if_needed()
    sizes = box.evaluate("b => [b.scrollWidth, b.clientWidth]")
    assert sizes[0] <= sizes[1], f"the herringbone scrolls sideways: {sizes}"
    heads = box.evaluate(
        """b => [...b.querySelectorAll('thead th')].map(th => {
             const r = th.getBoundingClientRect();
             return [th.innerText.replace(/\\s+/g, ' ').trim(), r.left, r.right]; })"""
    )
    assert heads[0][0] == "Week commencing" and heads[-2][0] == "Fri PM"
    assert all(left >= 0 and right <= 390 for _, left, right in heads), heads
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    page.close()


def test_a_plain_table_is_stacked_on_a_phone_each_cell_under_its_heading(chromium, hub) -> None:
    """The action list at 390 px: one block per item, every cell labelled, nothing cut."""
    page = chromium.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{hub.origin}/index.html")
    cells = page.evaluate(
        """() => { const t = document.querySelector('article table');
             return [...t.querySelectorAll('tbody tr:first-child td')].map(td => {
               const r = td.getBoundingClientRect();
               return [td.dataset.label, getComputedStyle(td, '::before').content, r.left,
                       r.right, td.scrollWidth <= td.clientWidth + 1]; }); }"""
    )
    page.close()
    assert [c[0] for c in cells] == ["Pupil", "Due", "What to do", "Who"]
    for label, before, left, right, fits in cells:
        assert before == f'"{label}"' and left >= 0 and right <= 390 and fits, (label, left, right)


def test_no_cell_is_cut_on_a_desktop(chromium, hub) -> None:
    """At 1280 px the placements list fits: no scroll box, no cell narrower than its text."""
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{hub.origin}/placements/index.html")
    cut = page.evaluate(
        """() => [...document.querySelectorAll('article td, article th')]
             .filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.innerText)"""
    )
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('article .md-typeset__scrollwrap')]
             .filter(b => b.scrollWidth > b.clientWidth + 1).length"""
    )
    page.close()
    assert cut == [] and boxes == 0, (cut, boxes)
