"""Tests that kill mutants of the print views (``aprecords.site.printviews``; README "Mutation
testing"): the pages are rendered in this process, without MkDocs, for several audiences of
the examples, and the parents' copy check runs on small hand-made sites.

Expectations come from the YAML records (read here with PyYAML) and from the documented
views (docs/guide.md, "Printing an agreement"), never from the renderer.
"""

from __future__ import annotations

import functools
import gzip
import html
import re
from datetime import date
from pathlib import Path
from typing import Any

import markdown
import pytest
import yaml

from aprecords.access import CLASSES, Audience, audiences
from aprecords.gitlog import Commit
from aprecords.guard.scan import LeakError
from aprecords.repository import Repository, load_repository
from aprecords.scope import scope
from aprecords.site.printviews import check_parents, meeting_audience, parents_audience
from aprecords.site.render import make_site, render_pages
from conftest import PROJECT
from test_guard_planted import emails, planted_texts, records

TODAY = date(2026, 1, 10)
RICH = "hollybrook-2025-001"  # Brickworks only; attendance, reviews
TWO = "marsh-lane-2025-002"  # Brickworks on Mondays, Fenwick Vale on Wednesdays
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


@functools.cache
def withheld(cls: str) -> list[tuple[str, str]]:
    """(record path, text) of every searchable text of class ``cls`` (read once)."""
    return planted_texts(cls)


@functools.cache
def examples() -> dict[str, tuple[str, dict[str, Any]]]:
    return records()


@functools.cache
def yaml_of(rel: str) -> dict[str, Any]:
    return yaml.safe_load((PROJECT / rel).read_text("utf-8"))


def placement(pid: str) -> dict[str, Any]:
    return examples()[pid][1]


def provider(prid: str) -> dict[str, Any]:
    return yaml_of(f"records/providers/{prid}.yaml")


def school(sid: str) -> dict[str, Any]:
    return yaml_of(f"records/schools/{sid}.yaml")


def said(md: str) -> str:
    """What a reader sees: tags and link targets dropped, character references decoded,
    spaces collapsed."""
    text = re.sub(r"\[([^]]*)\]\([^)]*\)", r"\1", re.sub(r"<[^>]+>", " ", md))
    return " ".join(html.unescape(text).split())


@pytest.fixture(scope="module")
def repo() -> Repository:
    return load_repository(PROJECT)


def audience(repo: Repository, name: str) -> Audience:
    return next(a for a in audiences(repo) if a.name == name)


def prints(
    repo: Repository,
    who: Audience,
    *,
    today: date = TODAY,
    history: Any = None,
    parents: Any = "build",
    meeting: Any = "build",
) -> dict[str, str]:
    """The print pages of one audience's site, as the build renders them (site/build.py):
    ``parents`` and ``meeting`` are the narrower scopes ("build": as the build makes them)."""
    site = make_site(scope(repo, who), repo.config, today, history)
    site.parents = scope(repo, parents_audience(who)) if parents == "build" else parents
    site.meeting = scope(repo, meeting_audience(who)) if meeting == "build" else meeting
    return {rel: text for rel, text in render_pages(site) if "/print-" in rel}


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


def all_emails() -> set[str]:
    docs = [yaml.safe_load(p.read_text()) for p in sorted((PROJECT / "records").rglob("*.yaml"))]
    return {value for data in docs for _, value in emails(data)}


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


# --- the check of the built parents' copies -------------------------------------------------


def html_site(root: Path, pages: dict[str, str], view: str = "parents") -> Path:
    """Each placement's ``view`` page as HTML, written where MkDocs writes the parents' copy."""
    for rel, text in pages.items():
        if rel.endswith(f"/print-{view}.md"):
            target = root / rel.rsplit("/", 1)[0] / "print-parents.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(markdown.markdown(text.split("\n---\n", 1)[1], extensions=["tables"]))
    return root


@pytest.mark.parametrize("name", [*WANTED, "provider-fenwick-vale"])
def test_every_rendered_parents_copy_passes_the_check_and_a_staff_copy_does_not(
    repo, tmp_path, name
) -> None:
    who = audience(repo, name)
    pages = prints(repo, who)
    site = html_site(tmp_path / "ok", pages)
    digest = check_parents(repo, who, site)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert len(list(site.glob("placements/*/print-parents.html"))) >= 3
    if "safety" in who.grants:  # the full record holds what the parents' copy must not
        staff = html_site(tmp_path / "staff", pages, view="full")
        with pytest.raises(LeakError) as caught:
            check_parents(repo, who, staff)
        assert caught.value.audience == name
        files = {leak.file for leak in caught.value.leaks}
        assert len(files) >= 2 and all(f.endswith("/print-parents.html") for f in files)


def planted(root: Path, pids: list[str], text: str, name: str = "print-parents.html") -> Path:
    for pid in pids:
        target = root / "placements" / pid / name
        target.parent.mkdir(parents=True, exist_ok=True)
        data = f"<p>Dear parents: {text}</p>".encode()
        target.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return root


def test_a_leak_names_the_copy_where_the_value_came_from_and_what_it_is(repo, tmp_path) -> None:
    hub = audience(repo, "hub")
    path, text = withheld("safeguarding")[0]
    pids = [RICH, TWO, "st-aldric-2025-001"]
    site = planted(tmp_path, pids, text)
    with pytest.raises(LeakError) as caught:
        check_parents(repo, hub, site)
    leaks = caught.value.leaks
    assert caught.value.audience == "hub" and leaks == sorted(leaks)
    assert {leak.file for leak in leaks} == {f"placements/{p}/print-parents.html" for p in pids}
    assert all(leak.source.startswith(path + "#") for leak in leaks)
    assert all(leak.what.endswith(" (parents' copy)") for leak in leaks)
    address = placement(RICH)["hub_mentor"]["email"]
    with pytest.raises(LeakError) as caught:
        check_parents(repo, hub, planted(tmp_path / "mail", [RICH], address.upper()))
    (leak,) = caught.value.leaks
    assert (leak.source, leak.what) == ("staff e-mail", "a staff e-mail address (parents' copy)")


def test_compressed_copies_are_read_and_other_files_are_not(repo, tmp_path) -> None:
    hub = audience(repo, "hub")
    _, text = withheld("safety")[0]
    site = planted(tmp_path / "gz", [RICH], text, "print-parents.html.gz")
    with pytest.raises(LeakError) as caught:
        check_parents(repo, hub, site)
    assert {leak.file for leak in caught.value.leaks} == {
        f"placements/{RICH}/print-parents.html.gz"
    }
    for n, name in enumerate(["print-parents.html.orig", "print-parents.htmlx", "print-full.html"]):
        check_parents(repo, hub, planted(tmp_path / str(n), [RICH], text, name))


def test_another_providers_name_is_a_leak_only_in_its_placements_copy(repo, tmp_path) -> None:
    brickworks = audience(repo, "provider-brickworks")
    fenwick = provider("fenwick-vale")
    names = [fenwick["name"], *(s["name"] for s in fenwick["sites"])]
    for n, name in enumerate(names):
        site = planted(tmp_path / str(n), [TWO, RICH], name)
        with pytest.raises(LeakError) as caught:
            check_parents(repo, brickworks, site)
        (leak,) = caught.value.leaks
        assert leak.file == f"placements/{TWO}/print-parents.html"
        assert (leak.source, leak.what) == ("provider", "another provider (parents' copy)")
        check_parents(repo, audience(repo, "hub"), site)  # the hub's copy names every provider
    own = planted(tmp_path / "own", [TWO], provider("brickworks")["name"])
    check_parents(repo, brickworks, own)


def test_a_copy_of_a_placement_outside_the_scope_is_checked_too(repo, tmp_path) -> None:
    brickworks = audience(repo, "provider-brickworks")
    inside = scope(repo, brickworks).placements
    outside = next(p for p in examples() if p not in inside)
    site = planted(tmp_path, [outside], placement(outside)["student"]["name"])
    with pytest.raises(LeakError) as caught:
        check_parents(repo, brickworks, site)
    assert {leak.file for leak in caught.value.leaks} == {
        f"placements/{outside}/print-parents.html"
    }


def test_unchanged_copies_are_skipped_only_when_checked_with_the_same_needles(
    repo, tmp_path
) -> None:
    hub = audience(repo, "hub")
    _, text = withheld("safeguarding")[0]
    empty = check_parents(repo, hub, tmp_path / "nothing")  # no copies at all: the same digest
    site = planted(tmp_path / "site", [RICH, TWO], text)
    rels = {f"placements/{p}/print-parents.html" for p in (RICH, TWO)}
    assert check_parents(repo, hub, site, unchanged=rels, checked_with=empty) == empty
    with pytest.raises(LeakError) as caught:  # needles changed: read again
        check_parents(repo, hub, site, unchanged=rels, checked_with=empty[::-1])
    assert {leak.file for leak in caught.value.leaks} == rels
    with pytest.raises(LeakError) as caught:  # one copy changed: that one is read
        check_parents(
            repo, hub, site, unchanged={f"placements/{RICH}/print-parents.html"}, checked_with=empty
        )
    assert {leak.file for leak in caught.value.leaks} == {f"placements/{TWO}/print-parents.html"}


def provider_moved(prid: str, to: str) -> Repository:
    """The examples with TWO's placement at ``prid`` moved, in memory, to placement ``to``."""
    repo = load_repository(PROJECT)
    by_id = {r.id: r for r in repo.of_kind("placement")}
    moving = [pl for pl in by_id[TWO].data["placements"] if pl["provider"] == prid]
    by_id[TWO].data["placements"].remove(moving[0])
    by_id[to].data["placements"].append(moving[0])
    return repo


def test_the_digest_follows_every_other_providers_name_and_placement(repo, tmp_path) -> None:
    """The copies of a provider's site are read again when another provider is renamed, or
    moves to another of its placements: its name is then searched for in another copy."""
    brickworks = audience(repo, "provider-brickworks")
    nothing = tmp_path / "nothing"
    before = check_parents(repo, brickworks, nothing)
    assert check_parents(load_repository(PROJECT), brickworks, nothing) == before
    renamed = load_repository(PROJECT)
    (record,) = [r for r in renamed.of_kind("provider") if r.id == "fenwick-vale"]
    record.data["sites"][0]["name"] = "Upper Meadow campus"
    assert check_parents(renamed, brickworks, nothing) != before
    moved = provider_moved("fenwick-vale", RICH)
    after = check_parents(moved, brickworks, nothing)
    assert after != before
    name = provider("fenwick-vale")["name"]
    site = planted(tmp_path / "site", [RICH], name)
    rels = {f"placements/{RICH}/print-parents.html"}
    check_parents(repo, brickworks, site)  # before the move, no leak in that copy
    with pytest.raises(LeakError):
        check_parents(moved, brickworks, site, unchanged=rels, checked_with=before)


# --- what the check searches for ------------------------------------------------------------


def test_every_contact_key_of_the_narrow_scope_is_a_needle(repo) -> None:
    from aprecords.guard.normal import words
    from aprecords.site.printviews import parents_needles

    narrow = scope(repo, parents_audience(audience(repo, "hub")))
    needles = parents_needles(narrow)
    mail = [n for n in needles if n.source == "staff e-mail"]
    assert {n.words for n in mail} == {words(a) for a in all_emails()}
    assert len(mail) == len(all_emails())
    assert all(n.what == "a staff e-mail address" for n in mail)
    assert all(n.words for n in needles)
    assert {n.source.split("#")[0] for n in needles} >= {examples()[RICH][0], "staff e-mail"}


def test_e_mail_addresses_are_found_under_email_and_every_key_ending_in_email() -> None:
    from aprecords.site.printviews import _emails

    data = {
        "email": "a@x",
        "school_email": "b@x",
        "emails": "not@one",
        "email_note": "not@two",
        "people": [{"name": "P", "email": "c@x"}, {"contact": {"work_email": "d@x"}}],
        "dsl": {"email": 7, "phone": "01632 960000"},
        "other_email": {"email": "e@x"},
    }
    assert list(_emails(data)) == ["a@x", "b@x", "c@x", "d@x", "e@x"]
    assert list(_emails(["f@x", {"email": "g@x"}])) == ["g@x"]


def narrow_of(providers: dict[str, Any], *order: str) -> Any:
    from types import SimpleNamespace

    return SimpleNamespace(
        placements={"p-1": {"placements": [{"provider": p} for p in order]}},
        providers=providers,
    )


PROVIDERS = {
    "own": {"name": "Own Garage", "sites": [{"name": "Main site"}]},
    "other": {
        "name": "Other Salon",
        "sites": [{"name": "Main Site"}, {"name": "Annexe"}, {"id": "unnamed"}],
    },
    "bare": {"name": "Bare College"},
}


@pytest.mark.parametrize("order", [("own", "other"), ("other", "own")])
def test_other_providers_are_every_other_providers_names_but_shared_ones(order) -> None:
    from aprecords.guard.match import Reach
    from aprecords.site.printviews import other_providers

    own = Audience("provider-own", "Own", "provider", frozenset(), providers=frozenset({"own"}))
    found = other_providers(narrow_of(PROVIDERS, *order, "bare", "unknown"), own, "p-1")
    assert sorted(n.words for n in found) == [("annexe",), ("bare", "college"), ("other", "salon")]
    assert {(n.source, n.what, n.reach) for n in found} == {
        ("provider", "another provider", Reach.WORDS)
    }
    assert other_providers(narrow_of(PROVIDERS, *order), own, "p-2") == []
    for kind in ("hub", "school", "custom"):
        who = Audience("x", "X", kind, frozenset(), providers=frozenset({"own"}))
        assert other_providers(narrow_of(PROVIDERS, *order), who, "p-1") == []
    unnamed = {"own": {"name": "Own"}, "other": {"sites": [{"name": "Annexe"}]}}
    found = other_providers(narrow_of(unnamed, *order), own, "p-1")
    assert [n.words for n in found] == [("annexe",)]
