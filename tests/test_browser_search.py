"""Search in Chromium over a real build, per audience: an exact record id or UPN finds the
placement (the id is split on hyphens by Material's ``search.separator``, in the index and in
the query alike), and results name the pupil only where the audience sees identity.

The index holds one entry per placement (issue 23): tests/test_search_index.py checks its
shape without a browser.
"""

from __future__ import annotations

import re

import pytest

from conftest import TODAY, LoopbackServer, copy_examples, without_policy
from test_browser_site import search

pytestmark = pytest.mark.browser

RECORD, UPN, NAME = "hollybrook-2025-001", "P207000016049", "Tobias Wrenfeather"
NO_IDENTITY = "la-send"
POLICY = (
    "audiences:\n  custom:\n    - name: la-send\n      title: SEND officer\n"
    "      schools: [hollybrook]\n      grants: [send]\n"
)
AUDIENCES = ("hub", "school-hollybrook", NO_IDENTITY)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory):
    """The examples built for the hub, Hollybrook and an audience without identity, served."""
    from aprecords import cli

    root = copy_examples(tmp_path_factory.mktemp("search") / "repo")
    without_policy(root / "aprecords.yml")
    with (root / "aprecords.yml").open("a", encoding="utf-8") as f:
        f.write(POLICY)
    out = root.parent / "site"
    args = ["--root", str(root), "build", "--today", TODAY, "--site-dir", str(out)]
    for name in AUDIENCES:
        args += ["--audience", name]
    assert cli.main(args) == 0, "the search tests' sites did not build"
    started = {name: LoopbackServer(out / name) for name in AUDIENCES}
    yield started
    for server in started.values():
        server.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    yield context.new_page()
    context.close()


def first_result(page, query: str):
    """The first result link once the results settle on the whole query (the worker may still
    show those of the first keystrokes): waits until it is the placement's."""
    from playwright.sync_api import expect

    search(page, query)
    link = page.locator(".md-search-result__item > a").first
    expect(link).to_have_attribute("href", re.compile(rf"placements/{RECORD}\.html"))
    return link


@pytest.mark.parametrize("audience", ["hub", "school-hollybrook"])
@pytest.mark.parametrize("query", [RECORD, UPN])
def test_id_or_upn_finds_the_placement_named_by_its_pupil(
    page, servers, audience: str, query: str
) -> None:
    page.goto(servers[audience].origin + "/")
    link = first_result(page, query)
    assert link.locator("h1").inner_text() == NAME
    link.click()
    page.wait_for_url(f"**/placements/{RECORD}.html*")
    assert page.locator("h1").inner_text() == NAME


def test_without_identity_the_id_finds_the_placement_and_no_name_shows(page, servers) -> None:
    from playwright.sync_api import expect

    page.goto(servers[NO_IDENTITY].origin + "/")
    link = first_result(page, RECORD)
    assert link.locator("h1").inner_text() == f"Placement {RECORD}"
    shown = page.locator(".md-search-result").inner_text()
    for withheld in (*NAME.split(), UPN):
        assert withheld not in shown, withheld
    # Neither the surname nor the UPN is in this audience's index: nothing is found.
    for query in ("Wrenfeather", UPN):
        box = page.locator("input.md-search__input")
        box.fill("")
        box.press_sequentially(query, delay=20)
        meta = page.locator(".md-search-result__meta")
        expect(meta).to_have_text(re.compile("No matching documents", re.I))


@pytest.mark.parametrize(
    ("query", "target"),
    [
        ("Hollybrook Academy", "schools/hollybrook.html"),
        ("Brickworks", "providers/brickworks.html"),
    ],
)
def test_a_school_or_provider_name_finds_its_page_first(page, servers, query, target) -> None:
    """Their placements mention them too, and carry ids that start with the school's: the
    school's or provider's own page still comes first (its id is its entry's tag)."""
    from playwright.sync_api import expect

    page.goto(servers["hub"].origin + "/")
    search(page, query)
    link = page.locator(".md-search-result__item > a").first
    expect(link).to_have_attribute("href", re.compile(re.escape(target)))
