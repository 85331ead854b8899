"""Tests that kill mutants of the parents' copy check (``printviews.check_parents`` and what
it searches for; README "Mutation testing"): rendered copies and small hand-made sites, checked
in this process.

Expectations come from the YAML records (read here with PyYAML), never from the check.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

import markdown
import pytest

from aprecords.access import Audience
from aprecords.guard.scan import LeakError
from aprecords.repository import Repository, load_repository
from aprecords.scope import scope
from aprecords.site.printviews import check_parents, parents_audience
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
    withheld,
)

AUDIENCES = (
    "hub",
    "school-hollybrook",
    "provider-brickworks",
    "provider-fenwick-vale",
    "la-inclusion",
)


@pytest.fixture(scope="module")
def repo() -> Repository:
    return load_repository(PROJECT)


# --- the check of the built parents' copies -------------------------------------------------


def html_site(root: Path, pages: dict[str, str], view: str = "parents") -> Path:
    """Each placement's ``view`` page as HTML, written where MkDocs writes the parents' copy."""
    for rel, text in pages.items():
        if rel.endswith(f"/print-{view}.md"):
            target = root / rel.rsplit("/", 1)[0] / "print-parents.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(markdown.markdown(text.split("\n---\n", 1)[1], extensions=["tables"]))
    return root


@pytest.mark.parametrize("name", AUDIENCES)
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
