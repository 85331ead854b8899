"""Issue 21: nothing needs sideways scrolling, on every page type and on the dashboard of each
kind of audience (hub, school, provider, custom), at a phone's 390 px and a desktop's 1280 px:
no page is wider than the window and no table scrolls in its own box."""

from __future__ import annotations

import pytest

from conftest import LoopbackServer
from printsite import PAGE_TYPES, build_examples

pytestmark = pytest.mark.browser

AUDIENCES = ("hub", "school-hollybrook", "provider-brickworks", "la-inclusion")
SCREEN_TYPES = PAGE_TYPES  # the print views too: they are opened on screen first


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    built = build_examples(tmp_path_factory.mktemp("sideways"), *AUDIENCES)
    server = LoopbackServer(built)
    yield server
    server.close()


def overflow(page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("load")
    return page.evaluate(
        """() => {
          const found = [];
          const doc = document.documentElement;
          if (doc.scrollWidth > window.innerWidth) found.push(`page ${doc.scrollWidth}px`);
          for (const box of document.querySelectorAll(
              'article .md-typeset__scrollwrap, article .att-scroll')) {
            if (box.scrollWidth > box.clientWidth + 1) {
              const th = box.querySelector('th');
              found.push(`table "${th ? th.innerText.trim() : ''}" ${box.scrollWidth}px`
                         + ` in ${box.clientWidth}px`);
            }
          }
          return found; }"""
    )


@pytest.mark.parametrize("width", [390, 1280])
def test_no_page_type_needs_sideways_scrolling(chromium, site, width: int) -> None:
    page = chromium.new_page(viewport={"width": width, "height": 800})
    wide = {kind: found for kind, path in SCREEN_TYPES.items()
            if (found := overflow(page, f"{site.origin}/hub/{path}"))}  # fmt: skip
    page.close()
    assert wide == {}, f"at {width} px: {wide}"


@pytest.mark.parametrize("width", [390, 1280])
def test_no_dashboard_needs_sideways_scrolling(chromium, site, width: int) -> None:
    page = chromium.new_page(viewport={"width": width, "height": 800})
    wide = {name: found for name in AUDIENCES
            if (found := overflow(page, f"{site.origin}/{name}/index.html"))}  # fmt: skip
    page.close()
    assert wide == {}, f"at {width} px: {wide}"
