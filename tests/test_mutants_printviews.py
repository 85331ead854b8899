"""Tests that kill mutants of the print views (``aprecords.site.printviews``; README "Mutation
testing"): the pages are rendered in this process, without MkDocs, for several audiences of
the examples (tests/printpages.py); the parents' copy check is tested in
tests/test_mutants_printcheck.py.

Expectations come from the YAML records (read here with PyYAML) and from the documented
views (docs/guide.md, "Printing an agreement"), never from the renderer.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
import yaml

from aprecords.access import CLASSES, Audience
from aprecords.gitlog import Commit
from aprecords.repository import Repository, load_repository
from aprecords.scope import scope
from aprecords.site.printviews import meeting_audience, parents_audience
from conftest import PROJECT
from printpages import (
    RICH,
    TWO,
    all_emails,
    audience,
    examples,
    placement,
    prints,
    provider,
    said,
    school,
    withheld,
)

WANTED = ("hub", "school-hollybrook", "provider-brickworks", "la-inclusion")
FRONT = {"search": {"exclude": True}, "hide": ["navigation", "toc"]}
TITLES = {
    "full": "Full record (with attendance and change history)",
    "agreement": "Agreement (the form and its reviews)",
    "parents": "Copy for parents and carers",
}
SECTIONS = [  # the form, in its order, in every view
    "## Header: record",
    "## Placements",
    "## Commissioning aims",
    "## Targets",
    "## How will this be assessed?",
    "## Set-up communications and agreements",
    "### Timetable",
    "### Attendance reporting",
    "### Access arrangements",
    "### Personal, social and wellbeing",
    "### SEND",
    "### Risks",
    "## Next review",
    "## Review history",
]
FULL_ONLY = ["## Attendance", "## Target progress", "## Change history"]
SUBJECT = "Pseudo commit subject nobody else writes"


@pytest.fixture(scope="module")
def repo() -> Repository:
    return load_repository(PROJECT)


class Built(dict):
    """Audience name -> its print pages, with a change history for every record, rendered
    when first asked for: inside the test, so that mutmut sees which test renders them (a
    module fixture would be set up in the first test only)."""

    def __init__(self, repo: Repository) -> None:
        super().__init__()
        self.repo = repo

    def __missing__(self, name: str) -> dict[str, str]:
        commit = Commit("f" * 40, "2026-01-05", "A Author", SUBJECT)
        history = {r.path: [commit] for r in self.repo.records}
        self[name] = prints(self.repo, audience(self.repo, name), history=history)
        return self[name]


@pytest.fixture
def built(repo: Repository) -> Built:
    return Built(repo)


def page(built: dict[str, dict[str, str]], name: str, pid: str, view: str) -> str:
    return built[name][f"placements/{pid}/print-{view}.md"]


# --- the pages, their front matter and sections ---------------------------------------------


@pytest.mark.parametrize("name", WANTED)
def test_every_placement_has_three_print_pages_opened_by_their_front_matter(
    repo, built, name
) -> None:
    pids = scope(repo, audience(repo, name)).placements
    views = ("full", "agreement", "parents")
    assert len(pids) >= 3
    assert set(built[name]) == {f"placements/{p}/print-{v}.md" for p in pids for v in views}
    for rel, text in built[name].items():
        assert text.startswith("---\n"), rel
        front, body = text[4:].split("\n---\n", 1)
        assert yaml.safe_load(front) == FRONT, rel
        view = rel.rsplit("print-", 1)[1].removesuffix(".md")
        assert f"| This copy | **{TITLES[view]}**" in body, rel
        assert f'data-view="{view}"' in body and body.count("data-view=") == 1, rel
        pid = rel.split("/")[1]
        assert f"| Record id | {pid} |" in body and f"\n## Header: record {pid}\n" in body
        assert f'<a href="../{pid}.html">Back to the agreement on screen</a>' in body, rel


@pytest.mark.parametrize("name", WANTED)
def test_each_view_shows_the_form_and_only_the_full_record_attendance_and_history(
    repo, built, name
) -> None:
    every = audience(repo, name).grants >= set(CLASSES)
    for rel, text in built[name].items():
        pid = rel.split("/")[1]
        where = [text.find(f"\n{s}") for s in SECTIONS]
        assert -1 not in where and where == sorted(where), (rel, where)
        full = rel.endswith("print-full.md")
        for heading in FULL_ONLY:
            assert (f"\n{heading}\n" in text) is full, (rel, heading)
        history = SUBJECT in said(text)
        assert history is (full and every), rel  # commit messages: every class only
        assert ("f" * 10) not in text  # never a commit hash
        assert ("### Safeguarding" in text) is not rel.endswith("print-parents.md"), rel
        data = placement(pid)
        assert data["aims"]["rationale"].split(".")[0] in said(text), rel


def test_only_the_full_record_is_restricted_and_only_where_the_class_is_granted(built) -> None:
    mark = "CONFIDENTIAL, RESTRICTED: holds the safeguarding background (DSLs only)"
    for name in WANTED:
        granted = name in ("hub", "school-hollybrook")
        for rel, text in built[name].items():
            restricted = granted and rel.endswith("print-full.md")
            boxes = margin_boxes(text)
            assert (boxes["top-right"] == mark) is restricted, rel
            if not restricted:
                assert boxes["top-right"] == "CONFIDENTIAL: personal data about a child"
            note = "restricted</strong>, it holds the safeguarding background"
            assert (note in text) is restricted, rel


# --- the page style -------------------------------------------------------------------------

STYLE = re.compile(
    r':root\{--printed:("[^"]*")\}'
    r"@page\{size:A4 portrait;margin:14mm 12mm;"
    r'@top-left\{content:("[^"]*")\}'
    r'@top-right\{content:("[^"]*")\}'
    r'@bottom-left\{content:("[^"]*")\}'
    r"@bottom-center\{content:var\(--printed\)\}"
    r'@bottom-right\{content:"Page " counter\(page\) " of " counter\(pages\)\}\}'
)


def css_text(literal: str) -> str:
    """A CSS string literal read back: hexadecimal escapes (with their one space) decoded."""
    assert literal[0] == literal[-1] == '"'
    inner = literal[1:-1]
    assert re.fullmatch(r"(?:[A-Za-z0-9 ]|\\[0-9a-f]+ )*", inner), inner
    return re.sub(r"\\([0-9a-f]+) ", lambda m: chr(int(m.group(1), 16)), inner)


def margin_boxes(text: str) -> dict[str, str]:
    (style,) = re.findall(r"<style>(.*?)</style>", text)
    found = STYLE.fullmatch(style)
    assert found, style
    names = ("printed", "top-left", "top-right", "bottom-left")
    return {n: css_text(v) for n, v in zip(names, found.groups(), strict=True)}


KINDS = {"hub": "the hub's site", "school": "a school's site", "provider": "a provider's site"}
VIEW_WORDS = {
    "full": "full record",
    "agreement": "agreement",
    "parents": "copy for parents and carers",
}


@pytest.mark.parametrize("name", WANTED)
def test_every_page_carries_its_audience_record_view_and_date_in_its_margins(
    repo, built, name
) -> None:
    who = audience(repo, name)
    for rel, text in built[name].items():
        pid, view = rel.split("/")[1], rel.rsplit("print-", 1)[1].removesuffix(".md")
        boxes = margin_boxes(text)
        kind = KINDS.get(who.kind, "a restricted site")
        expected = f"Built for: {who.title} ({kind})"
        if view == "parents":
            expected = "A copy for the pupil's parents and carers"
        assert boxes["top-left"] == expected, rel
        assert boxes["bottom-left"] == f"Record {pid}: {VIEW_WORDS[view]}", rel
        assert boxes["printed"] == "Site of 10 Jan 2026", rel


def test_the_date_printed_has_no_leading_zero(repo) -> None:
    pages = prints(repo, audience(repo, "provider-brickworks"), today=date(2026, 3, 5))
    assert {margin_boxes(t)["printed"] for t in pages.values()} == {"Site of 5 Mar 2026"}


def test_a_css_string_keeps_only_ascii_letters_digits_and_spaces() -> None:
    from aprecords.site.printviews import css_string

    assert css_string("Ab 9") == '"Ab 9"'
    assert css_string('é_"}\n') == '"\\e9 \\5f \\22 \\7d \\a "'
    text = 'Zoë\'s site: {x}; "q" \\ 10%\t'
    assert css_text(css_string(text)) == text


# --- the narrower audiences -----------------------------------------------------------------


@pytest.mark.parametrize("name", WANTED)
def test_the_narrower_audiences_lose_only_their_classes(repo, name) -> None:
    from aprecords.site.printviews import restricted

    who = audience(repo, name)
    meeting, parents = meeting_audience(who), parents_audience(who)
    assert meeting.grants == who.grants - {"safeguarding"}
    assert parents.grants == who.grants - {"safeguarding", "safety"}
    for narrow in (meeting, parents):
        assert (narrow.name, narrow.title, narrow.kind) == (who.name, who.title, who.kind)
        assert (narrow.schools, narrow.providers) == (who.schools, who.providers)
    sees = "safeguarding" in who.grants
    assert [restricted(who, v) for v in ("full", "agreement", "parents")] == [sees, False, False]
    assert not restricted(meeting, "full") and not restricted(parents, "full")


def test_own_placements_keeps_a_providers_own_and_leaves_the_record_alone() -> None:
    from aprecords.site.printviews import own_placements

    data = {"id": "p", "placements": [{"provider": "a"}, {"provider": "b"}, {"provider": "c"}]}
    mine = Audience("provider-a", "A", "provider", frozenset(), providers=frozenset({"a", "c"}))
    kept = own_placements(data, mine)
    assert kept["placements"] == [{"provider": "a"}, {"provider": "c"}] and kept["id"] == "p"
    assert len(data["placements"]) == 3  # the scoped record itself is not changed
    for other in (
        Audience("hub", "Hub", "hub", frozenset()),
        Audience("s", "S", "school", frozenset()),
    ):
        assert own_placements(data, other) == data
    assert own_placements({"id": "p"}, mine)["placements"] == []
    assert own_placements({"id": "p", "placements": None}, mine)["placements"] == []


# --- the meeting print ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["hub", "school-hollybrook"])
def test_the_meeting_print_has_no_restricted_background_and_says_who_holds_it(
    repo, built, name
) -> None:
    pids = scope(repo, audience(repo, name)).placements
    shown = 0
    for pid in pids:
        path = examples()[pid][0]
        texts = [t for p, t in withheld("safeguarding") if p == path]
        agreement = said(page(built, name, pid, "agreement"))
        assert not any(t in agreement for t in texts), pid
        full = said(page(built, name, pid, "full"))
        assert all(t in full for t in texts), pid
        shown += bool(texts)
        held = agreement.split("Restricted background: not in this print", 1)[1]
        dsl = school(placement(pid)["school"])["dsl"]["name"]
        assert dsl in held.split("the full record")[0], pid
    assert shown >= 2


def test_a_provider_prints_its_agreement_from_its_own_scope(repo, built) -> None:
    needs = [(p, t) for p, t in withheld("safety")]
    pids = scope(repo, audience(repo, "provider-brickworks")).placements
    found = 0
    for pid in pids:
        for path, text in needs:
            if path == examples()[pid][0]:
                assert text in said(page(built, "provider-brickworks", pid, "agreement"))
                found += 1
    assert found >= 2
    # No meeting scope is needed: the provider has no restricted class to leave out.
    brickworks = audience(repo, "provider-brickworks")
    assert prints(repo, brickworks, meeting=None) == prints(repo, brickworks)


def test_the_meeting_print_takes_the_school_from_the_meeting_scope(repo) -> None:
    """The school of the meeting print (whose DSL holds the background) comes from the
    meeting's own scope, not the site's: a DSL only that scope has is the one named."""
    hub = audience(repo, "hub")
    meeting = scope(repo, meeting_audience(hub))
    meeting.schools["hollybrook"] = dict(
        meeting.schools["hollybrook"], dsl={"name": "Ms Meeting Scope Only"}
    )
    pages = prints(repo, hub, meeting=meeting)
    agreement = said(pages[f"placements/{RICH}/print-agreement.md"])
    held = agreement.split("Restricted background: not in this print", 1)[1]
    assert "Ms Meeting Scope Only" in held
    assert school("hollybrook")["dsl"]["name"] not in held.split("the full record")[0]


def test_no_meeting_print_without_the_narrower_scope(repo) -> None:
    hub = audience(repo, "hub")
    pids = scope(repo, hub).placements
    pages = prints(repo, hub, meeting=None)
    assert set(pages) == {f"placements/{p}/print-{v}.md" for p in pids for v in ("full", "parents")}
    # A meeting scope without some placements (another audience's): those have no meeting
    # print, and their other views are still there.
    school_only = scope(repo, meeting_audience(audience(repo, "school-hollybrook")))
    pages = prints(repo, hub, meeting=school_only)
    agreements = {rel.split("/")[1] for rel in pages if rel.endswith("print-agreement.md")}
    assert agreements == set(school_only.placements) and len(agreements) < len(pids)
    assert sum(rel.endswith("print-parents.md") for rel in pages) == len(pids)


# --- the parents' copy ----------------------------------------------------------------------


@pytest.mark.parametrize("name", WANTED)
def test_the_parents_copy_holds_no_safeguarding_safety_or_staff_email(repo, built, name) -> None:
    addresses = all_emails()
    secret = [t for cls in ("safeguarding", "safety") for _, t in withheld(cls)]
    assert len(addresses) >= 10 and len(secret) >= 10
    for pid in scope(repo, audience(repo, name)).placements:
        copy = page(built, name, pid, "parents")
        text = said(copy)
        assert not [a for a in addresses if a in text], pid
        assert not [t for t in secret if t in text], pid
        assert "Safeguarding queries" not in text and "safeguarding email" not in text
        assert "For the pupil's parents and carers." in text and "Built for" not in text
        assert placement(pid)["student"]["name"] in text
        # What parents may read: the school's attendance contacts (without their e-mail).
        for contact in school(placement(pid)["school"])["attendance_contacts"]:
            assert contact["name"] in text, pid
        if name == "hub":  # the same pages for staff hold the addresses
            full = said(page(built, name, pid, "full"))
            assert [a for a in addresses if a in full], pid


def test_the_parents_copy_of_an_audience_without_a_class_holds_none_of_it(repo, built) -> None:
    """la-inclusion has no wellbeing class: no page of its site has its text."""
    texts = [t for _, t in withheld("wellbeing")]
    pids = scope(repo, audience(repo, "la-inclusion")).placements
    for pid in pids:
        for view in ("full", "agreement", "parents"):
            shown = said(page(built, "la-inclusion", pid, view))
            assert not [t for t in texts if t in shown], (pid, view)
    hub = said(page(built, "hub", RICH, "parents"))
    assert [t for t in texts if t in hub]


def providers_row(text: str) -> str:
    return said(re.search(r"\| Providers \|(.*)\|", text).group(1))


def test_a_providers_parents_copy_shows_other_provisions_days_but_not_the_provider(
    repo, built
) -> None:
    data = placement(TWO)
    by = {pl["provider"]: pl for pl in data["placements"]}
    brickworks, fenwick = provider("brickworks")["name"], provider("fenwick-vale")["name"]

    def days(pl: dict[str, Any]) -> str:
        return "; ".join(f"{d.capitalize()} {' and '.join(h)}" for d, h in pl["sessions"].items())

    mine = page(built, "provider-brickworks", TWO, "parents")
    text = said(mine)
    other = f"Another provision (the school can tell you more) | {days(by['fenwick-vale'])} |"
    assert other in said(mine.replace("|", " | "))
    assert "Fenwick" not in text and by["fenwick-vale"]["course"] not in text
    assert providers_row(mine) == brickworks
    assert by["brickworks"]["course"] in text and days(by["brickworks"]) in text
    assert text.count("Another provision") == 1
    # Its other views, and the hub's copy, hold both; a placement at Brickworks only has no
    # other provision.
    assert fenwick in said(page(built, "provider-brickworks", TWO, "full"))
    hub = page(built, "hub", TWO, "parents")
    assert providers_row(hub) == f"{brickworks}, {fenwick}" and "Another provision" not in hub
    assert "Another provision" not in page(built, "provider-brickworks", RICH, "parents")
    # And the other way round, from Fenwick Vale's site.
    theirs = prints(repo, audience(repo, "provider-fenwick-vale"))[
        f"placements/{TWO}/print-parents.md"
    ]
    # Its name (the reviews' free text may say "at Brickworks": that the check does not see).
    assert brickworks not in said(theirs) and providers_row(theirs) == fenwick
    assert f"| {days(by['brickworks'])} |" in said(theirs.replace("|", " | "))


def test_the_parents_copy_is_rendered_from_the_narrow_scope_the_site_carries(repo) -> None:
    """From ``site.parents`` when set (here narrower still: no send class), from the site's
    own scope when not; never from the wider scope for a placement the narrow one lacks."""
    hub = audience(repo, "hub")
    send = [t for p, t in withheld("send") if p == examples()[RICH][0]]
    contacts = [c["name"] for c in school("hollybrook")["attendance_contacts"]]
    assert send and contacts
    narrow = Audience(
        "hub", hub.title, "hub", frozenset(CLASSES) - {"send", "safety", "safeguarding"}
    )
    pages = prints(repo, hub, parents=scope(repo, narrow))
    copy = said(pages[f"placements/{RICH}/print-parents.md"])
    assert not [t for t in send if t in copy] and all(c in copy for c in contacts)
    assert all(t in said(pages[f"placements/{RICH}/print-agreement.md"]) for t in send)
    plain = said(prints(repo, hub, parents=None)[f"placements/{RICH}/print-parents.md"])
    assert all(t in plain for t in send) and all(c in plain for c in contacts)
    assert "### Safeguarding" not in plain and "Safeguarding queries" not in plain
    elsewhere = scope(repo, parents_audience(audience(repo, "school-hollybrook")))
    with pytest.raises(KeyError):
        prints(repo, hub, parents=elsewhere)


def test_the_parents_copy_takes_the_school_from_the_narrow_scope(repo) -> None:
    """The school's attendance contacts in the parents' copy are those of the narrow scope."""
    hub = audience(repo, "hub")
    narrow = scope(repo, parents_audience(hub))
    narrow.schools["hollybrook"] = dict(
        narrow.schools["hollybrook"], attendance_contacts=[{"name": "Mx Narrow Scope Only"}]
    )
    copy = said(prints(repo, hub, parents=narrow)[f"placements/{RICH}/print-parents.md"])
    assert "School attendance contacts: Mx Narrow Scope Only." in copy
    for contact in school("hollybrook")["attendance_contacts"]:
        assert contact["name"] not in copy
