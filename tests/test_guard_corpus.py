"""Issue 19: false alarms stay rare and explained. The help pages, the built example site and
real English prose must stop no build with pupils named after real names or everyday words."""

from __future__ import annotations

import pytest

from aprecords.access import Audience
from aprecords.guard import corpus
from aprecords.guard.formats import decoded
from aprecords.guard.match import MIN_ANYWHERE, Matcher, Reach
from aprecords.guard.names import name_forms
from aprecords.guard.normal import words
from aprecords.guard.plan import plan
from aprecords.scope import Scoped
from conftest import PROJECT, TODAY, copy_examples, run_module


@pytest.fixture(scope="module")
def texts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, ...]]:
    """The folded words of English prose, every help page and every file of the hub's site."""
    root = copy_examples(tmp_path_factory.mktemp("corpus") / "repo")
    site = root / "site"
    result = run_module("--root", root, "build", "--today", TODAY, "--audience", "hub",
                        "--site-dir", site, timeout=600)  # fmt: skip
    assert result.code == 0, result.err
    found = {"english prose": words(corpus.english_prose())}
    for page in sorted((PROJECT / "docs").rglob("*.md")):
        found[page.name] = words(page.read_text("utf-8"))
    found.update(corpus.site_words(site))
    assert sum(len(w) for ws in found.values() for w in ws) > 2_000_000
    return found


def test_no_distinctive_name_of_the_threshold_length_is_found_inside_words(texts) -> None:
    names = corpus.distinctive(corpus.name_words())
    long_ones = [n for n in names if len("".join(words(n))) >= MIN_ANYWHERE]
    assert len(names) > 10_000 and len(long_ones) > 2_000
    assert corpus.found_by_chance(long_ones, texts) == {}
    # below the threshold, chance hits exist: that is why those names need word breaks
    short = [n for n in names if len("".join(words(n))) == MIN_ANYWHERE - 2]
    assert corpus.found_by_chance(short, texts)


def outside(name: str) -> Matcher:
    audience = Audience("school-a", "A", "school", frozenset({"identity"}))
    return Matcher(plan(Scoped(audience, {}, {}, {}, {}, outside=[(name, "r.yaml")])).needles)


def hits(matcher: Matcher, html: str) -> set[str]:
    return {n.what for n in matcher.find(words(decoded(html.encode(), "p.html")))}


def test_a_pupil_surnamed_hall_stops_no_page_about_a_hallway_or_marshall() -> None:
    matcher = outside("Ada Hall")
    assert (
        hits(matcher, "<p>Meet in the hallway by Mr Marshall's office; the hall is open.</p>")
        == set()
    )
    assert "the full name of a pupil outside this audience" in hits(matcher, "<p>Ada-Hall</p>")


@pytest.mark.parametrize("name", ["Ada Okoye", "Li Wei", "Priya Shah"])
def test_a_short_surname_is_found_only_as_a_word(name: str) -> None:
    surname = name.split()[-1]
    form = next(f for f in name_forms(name) if f.form == "surname")
    matcher = outside(name)
    if form.reach is Reach.WARN:  # too short or everyday: warned about, never searched alone
        assert hits(matcher, f"<p>{surname}</p>") == set()
        return
    assert form.reach is Reach.WORDS
    surname_hit = "the surname of a pupil outside this audience"
    assert surname_hit in hits(matcher, f"<p>Ask {surname.upper()}.</p>")
    assert surname_hit in hits(matcher, f"<p>the {surname}s came</p>")
    assert surname_hit not in hits(matcher, f"<p>x{surname.lower()}y</p>")


def test_the_guides_example_placement_is_in_no_help_page(tmp_path) -> None:
    """Issue 21 point 8, the guard's side: following the staff guide's first steps (its
    ``read`` and ``aprecords new`` lines, the name typed in) stops no build at the help-page
    check: the guide names no pupil, so the new pupil is in no help page."""
    import re
    import subprocess
    import sys

    root = copy_examples(tmp_path / "repo")
    guide = (PROJECT / "docs/guide.md").read_text("utf-8")
    block = next(b for b in re.findall(r"```sh\n(.*?)```", guide, re.S) if "aprecords new" in b)
    steps = "\n".join(line for line in block.splitlines() if not line.startswith("git "))
    shim = f'aprecords() {{ "{sys.executable}" -m aprecords "$@"; }}\n'
    done = subprocess.run(
        ["bash", "-c", shim + steps],
        cwd=root,
        input="Zebediah Quillfeatherstone\n",
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT / "scripts")},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    (new,) = [p for p in (root / "records/placements/hollybrook").glob("*.yaml")
              if not (PROJECT / p.relative_to(root)).exists()]  # fmt: skip
    assert "Zebediah Quillfeatherstone" in new.read_text("utf-8")
    from aprecords.guard.shared import shared_text_findings
    from aprecords.repository import load_repository

    assert shared_text_findings(load_repository(root)) == []  # no help page names the pupil
