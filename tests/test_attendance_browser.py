"""The herringbone and the attendance chart in Chromium, served on loopback."""

from __future__ import annotations

import pytest

from conftest import TODAY, LoopbackServer, copy_examples

pytestmark = pytest.mark.browser
PUPIL = "st-aldric-2025-001"  # severely absent over the last 4 weeks of the examples


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    """The example hub site, built once and served on 127.0.0.1."""
    from aprecords import cli

    root = copy_examples(tmp_path_factory.mktemp("attendance-browser") / "repo")
    out = root.parent / "site"
    args = ["--root", str(root), "build", "--today", TODAY, "--site-dir", str(out)]
    assert cli.main([*args, "--audience", "hub"]) == 0, "the site did not build"
    server = LoopbackServer(out / "hub")
    yield server
    server.close()


@pytest.fixture
def page(chromium, site):
    """A page that fails the test if anything is fetched from another origin."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    foreign: list[str] = []
    tab.on("request", lambda r: None if r.url.startswith(site.origin) else foreign.append(r.url))
    yield tab
    context.close()
    assert foreign == [], f"requests left the site's origin: {foreign}"


def test_herringbone_codes_colours_and_words(page, site) -> None:
    page.goto(f"{site.origin}/placements/{PUPIL}.html")
    table = page.locator("table.att-herringbone")
    table.scroll_into_view_if_needed()
    assert table.is_visible()
    headers = table.locator("thead th").all_inner_texts()
    assert headers[1:3] == ["Mon AM", "Mon PM"] and headers[-1] == "Attended"
    last_week = table.locator("tbody tr").last
    assert last_week.locator("th").inner_text() == "5 Jan 2026"
    absent = last_week.locator(".att-unauthorised").first
    # The code is shown; the category is there for screen readers but takes no room.
    assert absent.inner_text().strip().startswith("G")
    hidden = absent.locator(".att-sr")
    assert hidden.text_content().strip() == "unauthorised absence"
    box = hidden.bounding_box()
    assert box is not None and box["width"] <= 1 and box["height"] <= 1
    colours = {
        kind: page.locator(f"table.att-herringbone .att-{kind}").first.evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        for kind in ("present", "unauthorised")
    }
    assert colours["present"] != colours["unauthorised"]
    assert "rgba(0, 0, 0, 0)" not in colours.values()
    assert "holiday not granted" in (absent.get_attribute("title") or "")
    key = page.locator("#herringbone ~ ul").first
    assert "Unauthorised absence" in key.inner_text()


def test_chart_is_drawn_and_named_in_words(page, site) -> None:
    page.goto(f"{site.origin}/placements/{PUPIL}.html")
    chart = page.get_by_role("img", name="Weekly attendance at the provision")
    chart.scroll_into_view_if_needed()
    assert chart.count() == 1 and chart.is_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] >= 400 and box["height"] >= 120
    description = chart.locator("desc").text_content()
    assert "Lowest week: 15 Dec 2025" in description
    bars = chart.locator("rect")
    rows = page.locator("table.att-herringbone tbody tr").count()
    assert bars.count() == rows
    fills = {bars.nth(i).evaluate("e => getComputedStyle(e).fill") for i in range(bars.count())}
    assert len(fills) >= 2  # weeks at and below 90% look different
    severe = chart.locator("rect.att-bar-severe")
    assert severe.count() >= 1
    tip = severe.first.locator("title").text_content()
    assert tip.startswith("Week of ") and " of " in tip


def test_dashboard_links_the_flagged_pupil_and_the_calendar(page, site) -> None:
    page.goto(f"{site.origin}/index.html")
    section = page.locator("#absence-over-the-last-4-and-the-last-6-weeks + p + div table")
    assert "severe" in section.inner_text()
    section.locator(f'a[href="placements/{PUPIL}.html"]').first.click()
    page.wait_for_url(f"**/placements/{PUPIL}.html")
    page.go_back()
    response = page.request.get(f"{site.origin}/reviews.ics")
    assert response.ok and response.body().startswith(b"BEGIN:VCALENDAR")
