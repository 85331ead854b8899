"""Issue 21: the agreement print goes to review meetings, so it never carries the restricted
safeguarding background, and says where that is held and by whom; the one restricted print
(the full record, where the class is granted) says so on every page; the parents' copy
speaks to parents."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml

from aprecords.site.printviews import RESTRICTED_MARK, css_string
from printsite import RICH, build_examples


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_examples(
        tmp_path_factory.mktemp("meeting"), "hub", "school-hollybrook", "provider-brickworks"
    )


def background(site: Path) -> str:
    """The restricted background of the rich example, read from its record."""
    record = next((site.parent / "repo/records/placements").glob(f"*/{RICH}.yaml"))
    return yaml.safe_load(record.read_text("utf-8"))["agreements"]["safeguarding"]["information"]


def page(site: Path, audience: str, view: str) -> str:
    """The printed page's HTML with character references decoded (as a reader sees it)."""
    raw = (site / audience / "placements" / RICH / f"print-{view}.html").read_text("utf-8")
    return html.unescape(raw)


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("audience", ["hub", "school-hollybrook"])
def test_the_meeting_print_never_carries_the_restricted_background(site, audience) -> None:
    secret = background(site)
    assert secret in page(site, audience, "full")  # the audience may see it: it is there
    meeting = page(site, audience, "agreement")
    assert secret not in meeting
    said = words(meeting)
    assert "Restricted background: not in this print" in said
    assert "Mrs Petronella Quill" in said.split("not in this print")[1]  # who holds it
    assert css_string(RESTRICTED_MARK) not in meeting


@pytest.mark.parametrize("audience", ["hub", "school-hollybrook"])
def test_the_restricted_print_is_marked_on_every_page(site, audience) -> None:
    full = page(site, audience, "full")
    # The running header of every printed page (CSS paged media), and the first page's table.
    assert f"@top-right{{content:{html.unescape(css_string(RESTRICTED_MARK))}}}" in full
    assert "restricted</strong>, it holds the safeguarding background" in full


def test_a_provider_has_no_restricted_print(site) -> None:
    for view in ("full", "agreement", "parents"):
        text = page(site, "provider-brickworks", view)
        assert css_string(RESTRICTED_MARK) not in text and background(site) not in text
    assert "CONFIDENTIAL" in page(site, "provider-brickworks", "full")


@pytest.mark.parametrize("audience", ["hub", "provider-brickworks"])
def test_the_parents_copy_speaks_to_parents(site, audience) -> None:
    copy = page(site, audience, "parents")
    said = words(copy)
    assert "For the pupil's parents and carers." in said and "Built for" not in said
    assert "beyond this audience" not in said
    assert css_string("A copy for the pupil's parents and carers") in copy


def test_a_providers_parents_copy_shows_the_whole_week_without_the_other_provider(site) -> None:
    """marsh-lane-2025-002 is at Brickworks and at Fenwick Vale on Wednesdays: Brickworks's
    parents' copy marks Wednesday as another provision and does not name it."""
    record = next((site.parent / "repo/records/placements").glob("*/marsh-lane-2025-002.yaml"))
    data = yaml.safe_load(record.read_text("utf-8"))
    (other,) = [pl for pl in data["placements"] if pl["provider"] != "brickworks"]
    days = "; ".join(f"{d.capitalize()} {' and '.join(h)}" for d, h in other["sessions"].items())
    raw = site / "provider-brickworks/placements/marsh-lane-2025-002/print-parents.html"
    said = words(html.unescape(raw.read_text("utf-8")))
    assert f"Another provision (the school can tell you more) {days}" in said
    assert "Fenwick" not in said and other["course"] not in said
    hub = words(page(site, "hub", "parents"))
    assert "Another provision" not in hub  # the hub's copy names every provider itself
