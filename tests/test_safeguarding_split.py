"""Safeguarding information goes where the form sends it, and every page says whose it is."""

from __future__ import annotations

import html
from datetime import date

import pytest

from aprecords.access import audiences
from aprecords.repository import load_repository
from aprecords.scope import scope
from aprecords.site.render import make_site, render_pages
from conftest import PROJECT

PID = "hollybrook-2025-001"
NEEDS = "Only his mother or his grandmother may collect him"
BACKGROUND = "Older sibling known to youth services"
DSL = "Mrs Petronella Quill"  # records/schools/hollybrook.yaml


@pytest.fixture(scope="module")
def pages() -> dict[str, dict[str, str]]:
    repo = load_repository(PROJECT)
    wanted = ("hub", "school-hollybrook", "provider-brickworks", "la-inclusion")
    found = {}
    for audience in audiences(repo):
        if audience.name in wanted:
            site = make_site(scope(repo, audience), repo.config, date(2026, 1, 10))
            found[audience.name] = dict(render_pages(site))
    return found


def safeguarding(page: str) -> str:
    """The section as a reader sees its text (record values are character references)."""
    return html.unescape(page.split("### Safeguarding")[1].split("\n### ")[0])


def test_the_provider_reads_what_it_needs_and_whom_to_ask(pages) -> None:
    section = safeguarding(pages["provider-brickworks"][f"placements/{PID}.md"])
    assert NEEDS in section and BACKGROUND not in section
    assert "ask the school's designated safeguarding lead" in section
    assert DSL in section and "not shown to" not in section


def test_the_la_officer_without_safety_or_safeguarding_sees_neither_but_whom_to_ask(pages) -> None:
    section = safeguarding(pages["la-inclusion"][f"placements/{PID}.md"])
    assert NEEDS not in section and BACKGROUND not in section
    assert section.count("withheld for this audience") == 2 and DSL in section


@pytest.mark.parametrize("audience", ["hub", "school-hollybrook"])
def test_hub_and_school_pages_say_who_cannot_see_each_part(pages, audience: str) -> None:
    section = safeguarding(pages[audience][f"placements/{PID}.md"])
    assert NEEDS in section and BACKGROUND in section
    # Brickworks teaches Tobias and lacks 'safeguarding'; the LA officer lacks both classes.
    assert (
        "Restricted background: not shown to Brickworks Construction Skills, "
        "Local-authority inclusion officer (Hollybrook and Marsh Lane)." in section
    )
    assert (
        "What the provider must know: not shown to Local-authority inclusion officer "
        "(Hollybrook and Marsh Lane)." in section
    )


@pytest.mark.parametrize(
    ("audience", "title"),
    [
        ("hub", "J16"),
        ("school-hollybrook", "Hollybrook Academy"),
        ("provider-brickworks", "Brickworks Construction Skills"),
        ("la-inclusion", "Local-authority inclusion officer (Hollybrook and Marsh Lane)"),
    ],
)
def test_every_page_opens_with_the_audience_banner(pages, audience: str, title: str) -> None:
    for rel, text in pages[audience].items():
        if text.startswith("---\n"):  # a print view's front matter comes first (issue 12)
            text = text.split("\n---\n", 1)[1]
        first = html.unescape(text.splitlines()[0])
        assert first.startswith('<p class="audience-banner" role="note">'), rel
        if rel.endswith("/print-parents.md"):  # read by parents: it speaks to them (issue 21)
            assert "For the pupil's parents and carers." in first and "Built for" not in first
            continue
        assert f"Built for: {title}</strong>" in first.replace("&#40;", "(").replace(
            "&#41;", ")"
        ), rel
