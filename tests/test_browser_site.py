"""The built hub site in Chromium: navigation, search, print, and hostile record text.

One site is built per module and served on loopback; every request must stay on its origin.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import TODAY, LoopbackServer, copy_examples, require_tool

pytestmark = pytest.mark.browser

HOSTILE_ID = "hollybrook-2025-099"
HOSTILE_NAME = "<img src=x onerror=alert(1)> Zebedee"
HOSTILE_LINES = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "{{ 7*7 }} {% raw %}",
    "# heading",
    "| a | b |",
    "*emph* `code` &amp;",
    "<!-- comment",
]


def add_hostile_record(root: Path) -> None:
    """A copy of the complete example placement whose free text is hostile."""
    source = root / "records/placements/hollybrook/hollybrook-2025-001.yaml"
    data = yaml.safe_load(source.read_text("utf-8"))
    data["id"] = HOSTILE_ID
    data["student"]["name"] = HOSTILE_NAME
    data["student"].pop("upn", None)
    data["aims"]["rationale"] = "\n".join(HOSTILE_LINES)
    data["reviews"][0]["behaviour"] = "<script>alert(2)</script> settled in well"
    target = source.with_name(f"{HOSTILE_ID}.yaml")
    target.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")


def search(page, words: str) -> None:
    """Type ``words`` in Material's search box until results show (its index loads in a worker
    that may not be ready for the first keystrokes)."""
    box = page.locator("input.md-search__input")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    items = page.locator(".md-search-result__item")
    for _ in range(20):
        box.fill("")
        box.press_sequentially(words, delay=20)
        try:
            items.first.wait_for(timeout=1500)
            return
        except Exception:  # noqa: BLE001 - the worker was not ready: type again
            continue
    raise AssertionError(f"no search results for {words!r}")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    """The examples plus one hostile record, built once and served on 127.0.0.1."""
    from aprecords import cli

    root = copy_examples(tmp_path_factory.mktemp("browser") / "repo")
    add_hostile_record(root)
    out = root.parent / "site"
    code = cli.main(["--root", str(root), "build", "--today", TODAY, "--site-dir", str(out)])
    assert code == 0, "the browser tests' site did not build"
    server = LoopbackServer(out / "hub")
    yield server
    server.close()


@pytest.fixture
def page(chromium, site):
    """A fresh page that records requests to other origins and any JavaScript dialog."""
    context = chromium.new_context()
    tab = context.new_page()
    foreign: list[str] = []
    dialogs: list[str] = []
    tab.on(
        "request",
        lambda r: None if r.url.startswith(site.origin + "/") else foreign.append(r.url),
    )
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tab.foreign, tab.dialogs = foreign, dialogs
    yield tab
    context.close()
    assert foreign == [], f"requests left the site's origin: {foreign}"
    assert dialogs == [], f"a dialog opened: {dialogs}"


def test_dashboard_school_agreement_history_and_matrix(page, site) -> None:
    page.goto(site.origin + "/")
    assert page.locator("h1").inner_text() == "Dashboard"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('md-skip')")
    page.locator(".md-tabs").get_by_role("link", name="Schools").click()
    page.get_by_role("link", name="Hollybrook Academy").first.click()
    assert page.locator("h1").inner_text() == "Hollybrook Academy"
    page.get_by_role("link", name="Tobias Wrenfeather").click()
    assert page.url.endswith("/placements/hollybrook-2025-001.html")
    assert page.locator("h1").inner_text() == "Tobias Wrenfeather"
    history = page.locator("#review-history ~ *").all_inner_texts()
    joined = "\n".join(history)
    assert "Good; one warning for using a phone in the workshop." in joined
    matrix = page.locator("#target-progress + p + div table, #target-progress ~ div table").first
    assert matrix.locator("th").first.inner_text() == "Target"
    cells = matrix.locator("td span.status")
    assert cells.count() >= 2
    assert {cells.nth(i).inner_text() for i in range(cells.count())} <= {
        "met",
        "partly met",
        "not met",
        "on track",
        "not reviewed",
    }
    assert "status-met" in (cells.first.get_attribute("class") or "")


def test_search_finds_a_pupil_by_name(page, site) -> None:
    page.goto(site.origin + "/")
    search(page, "Wrenfeather")
    page.locator(".md-search-result__item a").first.click()
    page.wait_for_url("**/placements/hollybrook-2025-001.html*")
    assert page.locator("h1").inner_text() == "Tobias Wrenfeather"


def test_agreement_prints_without_navigation(page, site, tmp_path) -> None:
    page.goto(site.origin + "/placements/hollybrook-2025-001.html")
    page.emulate_media(media="print")
    for chrome in (".md-header", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-footer"):
        assert not page.locator(chrome).first.is_visible(), chrome
    assert page.locator("#review-history").is_visible()
    printed = page.evaluate("document.body.innerText")  # what is laid out for print
    for words in ("Review history", "Review 1", "Target progress"):
        assert words in printed, words
    # Commit hashes and authors never print: the change history is in the full record's
    # print view, without them (tests/test_print.py).
    assert "Change history" not in printed
    for chrome in ("Search", "Skip to content", "Table of contents"):
        assert chrome not in printed, chrome
    pdf = tmp_path / "agreement.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_printed_agreement_holds_the_review_history(page, site, tmp_path) -> None:
    pdftotext = require_tool("pdftotext")
    page.goto(site.origin + "/placements/hollybrook-2025-001.html")
    pdf = tmp_path / "agreement.pdf"
    page.pdf(path=str(pdf), format="A4")
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for words in ("Review history", "Review 1", "Target progress", "Search"):
        assert (words in text) == (words != "Search"), words


def test_hostile_record_text_is_inert_on_the_page_and_in_search(page, site) -> None:
    page.goto(f"{site.origin}/placements/{HOSTILE_ID}.html")
    assert page.locator("h1").inner_text() == HOSTILE_NAME
    body = page.locator("article").inner_text()
    for line in HOSTILE_LINES:
        assert line in body, line
    assert "<script>alert(2)</script> settled in well" in body
    assert page.locator("article img, article script").count() == 0
    assert page.locator("a[href^='javascript:']").count() == 0
    assert page.evaluate("[...document.scripts].every(s => !s.text.includes('alert('))")
    assert page.locator("article h1").count() == 1
    search(page, "Zebedee")
    results = page.locator(".md-search-result")
    assert HOSTILE_NAME in results.inner_text()
    assert results.locator("img, script").count() == 0
    hit = page.locator(f".md-search-result__item a[href*='{HOSTILE_ID}']").first
    hit.click()  # search.highlight marks the words on the page it opens
    page.wait_for_url(f"**/placements/{HOSTILE_ID}.html*")
    page.wait_for_timeout(300)
    assert page.locator("article img, article script").count() == 0
    assert page.dialogs == []


@pytest.mark.parametrize("query", ["hollybrook-2025-001", "P207000016049"])
def test_an_exact_record_id_or_upn_puts_the_agreement_first(page, site, query: str) -> None:
    """The id is split on hyphens by the search; the agreement's one search entry holds the
    id and the UPN (tests/test_browser_search.py checks what each audience's results show)."""
    page.goto(site.origin + "/")
    search(page, query)
    # Results for the first keystrokes may still be on screen while the worker answers the
    # whole query: wait (up to 10 s) for the list to settle on the agreement.
    link = page.locator(".md-search-result__item > a").first
    first = ""
    for _ in range(50):
        first = link.get_attribute("href") or ""
        if "/placements/hollybrook-2025-001.html" in first:
            break
        page.wait_for_timeout(200)
    assert "/placements/hollybrook-2025-001.html" in first, first
