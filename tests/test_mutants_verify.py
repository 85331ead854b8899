"""Tests that kill mutants of the leak guard (``aprecords.guard``) (see README "Mutation testing").

The functions a build calls (help pages, one audience's check) are called here directly, in
this process, on the examples and small hand-made sites, so that mutmut can tell which
tests reach them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aprecords.access import CLASSES, Audience
from aprecords.errors import UsageError
from aprecords.guard.scan import LeakError, audience_leaks, audience_plan, check_audience
from aprecords.guard.shared import HelpPageLeakError, check_help_pages, help_files
from aprecords.guard.shared import shared_text_findings as help_page_leaks
from aprecords.repository import Repository, load_repository
from conftest import PROJECT

TOBIAS = "records/placements/hollybrook/hollybrook-2025-001.yaml"  # Tobias Wrenfeather
SAFFRON = "records/placements/marsh-lane/marsh-lane-2025-001.yaml"  # Saffron Quickthorpe


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, "utf-8")
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Repository:
    """The examples, with the repository root (and so ``docs/``) moved to ``tmp_path``."""
    loaded = load_repository(PROJECT)
    loaded.root = tmp_path
    return loaded


def hollybrook(grants: frozenset[str] = frozenset(CLASSES)) -> Audience:
    return Audience(
        "school-hollybrook", "Hollybrook", "school", grants, schools=frozenset({"hollybrook"})
    )


# --- help pages -----------------------------------------------------------------------------


def test_help_files_lists_every_file_but_hidden_and_skipped_ones(tmp_path: Path) -> None:
    docs = write(
        tmp_path / "docs",
        {
            "index.md": "",
            "b/z.md": "",
            "b/a.css": "",
            ".hidden.md": "",
            ".git/config": "",
            "b/.cache/x": "",
            "skipped/s.md": "",
        },
    )
    (docs / "empty").mkdir()
    assert help_files(docs, skip=["skipped"]) == ["b/a.css", "b/z.md", "index.md"]
    assert help_files(docs) == ["b/a.css", "b/z.md", "index.md", "skipped/s.md"]
    assert help_files(tmp_path / "nowhere") == []


def test_a_link_in_the_help_pages_or_as_the_folder_is_refused(tmp_path: Path) -> None:
    docs = write(tmp_path / "docs", {"index.md": ""})
    (docs / "env").symlink_to("/proc/self/environ")
    with pytest.raises(UsageError) as raised:
        help_files(docs)
    assert str(raised.value) == (
        f"{docs / 'env'}: is a symbolic link (to /proc/self/environ); help pages are published "
        "to every audience, so links are refused: replace it with the file itself or remove it"
    )
    (docs / "env").unlink()
    (docs / "sub").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(UsageError, match="sub: is a symbolic link"):
        help_files(docs)
    linked = tmp_path / "linked"
    linked.symlink_to(docs, target_is_directory=True)
    with pytest.raises(UsageError) as raised:
        help_files(linked)
    assert str(raised.value) == (
        f"{linked}: is a symbolic link; the help pages folder must be a real folder inside the "
        "repository"
    )
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "gone")
    with pytest.raises(UsageError):
        help_files(dangling)


def test_help_pages_naming_a_pupil_get_one_line_each_at_the_right_line(repo: Repository) -> None:
    write(
        repo.root / "docs",
        {
            "guide.md": "# Guide\n\nThe example hollybrook-2026-004 is fictional.\n\n"
            "Ask about WRENFEATHER, Tobias.\n",
            "sub/upn.md": "Intro\nUPN P207000016049\nand marsh-lane-2025-001 too\n",
            "skipme/x.md": "Tobias Wrenfeather\n",
            "safe.md": "Nothing to see.\n",
        },
    )
    found = help_page_leaks(repo, skip=["skipme"])
    rule = (
        "; help pages are published to every audience, so they must hold no pupil's name, UPN, "
        "record id or sensitive text [help-page-leak]"
    )
    assert found == [
        f"docs/guide.md:5:11: error: the name in MIS order (surname, forename) of a pupil "
        f"(source: {TOBIAS}){rule}",
        f"docs/sub/upn.md:2:5: error: the UPN of a pupil (source: {TOBIAS}){rule}",
        f"docs/sub/upn.md:3:5: error: the record id of a placement (source: {SAFFRON}){rule}",
    ]
    with pytest.raises(HelpPageLeakError) as raised:
        check_help_pages(repo, skip=["skipme"])
    assert str(raised.value) == "\n".join(found) + (
        "\naprecords: 3 problem(s) in the help pages or the configuration every site shows; no "
        "site was built (the previous ones are unchanged)"
    )


def test_a_sensitive_text_in_a_help_page_is_of_a_sensitivity_class(repo: Repository) -> None:
    """Reported once, though the text is longer than one search window (two needles)."""
    secret = "Older sibling known to youth services; no current plan."
    write(repo.root / "docs", {"a.md": f"x\n{secret}\n"})
    assert help_page_leaks(repo) == [
        f"docs/a.md:2:1: error: a value of a sensitivity class (safeguarding) (source: "
        f"{TOBIAS}#/agreements/safeguarding/information); help pages are published to every "
        "audience, so they must hold no pupil's name, UPN, record id or sensitive text "
        "[help-page-leak]"
    ]


def test_clean_or_missing_help_pages_pass(repo: Repository) -> None:
    assert help_page_leaks(repo) == []
    check_help_pages(repo)
    write(repo.root / "docs", {"index.md": "Records of placements. hollybrook-2026-004\n"})
    assert help_page_leaks(repo) == []
    check_help_pages(repo)


# --- one audience's built site ------------------------------------------------------------


def test_a_pupil_name_in_the_configuration_is_a_located_finding(repo: Repository) -> None:
    """aprecords.yml is shown to every audience: a pupil's name there is a finding naming its
    line and column, whatever the spelling (issue 19)."""
    config = repo.root / "aprecords.yml"
    lines = (PROJECT / "aprecords.yml").read_text("utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("site_name:"))
    lines.insert(at, "# Contact for Wren-feather, T. in an emergency")
    config.write_text("\n".join(lines) + "\n", "utf-8")
    (finding,) = help_page_leaks(repo)
    assert finding.startswith(
        f"aprecords.yml:{at + 1}:15: error: the surname and initial of a pupil"
    )
    assert TOBIAS in finding and "aprecords.yml is shown on every audience's site" in finding


def test_an_audiences_site_is_checked_against_its_own_scope(
    repo: Repository, tmp_path: Path
) -> None:
    site = write(
        tmp_path / "site",
        {
            "index.html": "<p>Tobias Wrenfeather, J16 and the RESPECT Collaboration</p>",
            "p/x.html": "<p>Saffron <em>Quickthorpe</em></p>",
        },
    )
    leaks = audience_leaks(repo, hollybrook(), site)
    assert [str(leak) for leak in leaks] == [
        f"p/x.html: the full name of a pupil outside this audience (source: {SAFFRON})"
    ]
    with pytest.raises(LeakError) as raised:
        check_audience(repo, hollybrook(), site)
    assert raised.value.audience == "school-hollybrook" and raised.value.leaks == leaks
    os.remove(site / "p/x.html")
    assert audience_leaks(repo, hollybrook(), site) == []
    check_audience(repo, hollybrook(), site)


def test_a_pupil_named_like_the_organisation_is_still_searched_for(repo: Repository) -> None:
    """No text of aprecords.yml makes an exemption (issue 19): an outside pupil named like an
    organisation is searched for like any other, and the configuration is a finding."""
    from aprecords.scope import scope

    other = repo.placements["marsh-lane-2025-001"]
    other.data["student"]["name"] = "Respect Collaboration"
    scoped = scope(repo, hollybrook())
    result = audience_plan(repo, scoped)
    assert not any("aprecords.yml" in w for w in result.warnings)
    forms = {n.what for n in result.needles if n.source == SAFFRON}
    assert "the full name of a pupil outside this audience" in forms
    (repo.root / "aprecords.yml").write_bytes((PROJECT / "aprecords.yml").read_bytes())
    assert any(f.startswith("aprecords.yml:") for f in help_page_leaks(repo))


# --- the parts: messages, the search rule, fields, decoding ---------------------------------

import gzip  # noqa: E402
import hashlib  # noqa: E402
from dataclasses import dataclass  # noqa: E402

from aprecords.access import hub  # noqa: E402
from aprecords.guard.formats import decoded  # noqa: E402
from aprecords.guard.match import Matcher, Needle  # noqa: E402
from aprecords.guard.names import outside_what as _outside_what  # noqa: E402
from aprecords.guard.names import searchable  # noqa: E402
from aprecords.guard.normal import words  # noqa: E402
from aprecords.guard.plan import _is_name_field, plan, pointed_leaves, visible_fields  # noqa: E402
from aprecords.guard.scan import Leak, check, scan, theme_digests  # noqa: E402
from aprecords.scope import WITHHELD, Scoped  # noqa: E402


def test_the_leak_error_lists_fifty_and_counts_the_rest() -> None:
    leaks = [Leak(f"p{i:02}.html", "r.yaml", "the UPN") for i in range(51)]
    err = LeakError("hub", leaks)
    assert err.audience == "hub" and err.leaks == leaks
    lines = str(err).split("\n")
    assert lines[0] == (
        "leak check failed for the audience 'hub': 51 value(s) it must not see were found in "
        "its site, which was not published:"
    )
    assert lines[1] == "  hub/p00.html: the UPN (source: r.yaml)"
    assert lines[50] == "  hub/p49.html: the UPN (source: r.yaml)"
    assert lines[51:] == ["  ... and 1 more"]
    assert (
        str(LeakError("hub", leaks[:50])).split("\n")[-1]
        == "  hub/p49.html: the UPN (source: r.yaml)"
    )


def test_searchable_at_its_bounds() -> None:
    assert searchable("ab3defgh") and not searchable("ab3defg")  # 8 characters with a digit
    assert not searchable("12345678") and not searchable("abcdefghij")
    assert searchable("abcde fghij klmn")  # 3 words, 16 characters
    assert not searchable("abcde fghij klm") and not searchable("abcdefghijklmnop qrs")


def test_what_an_outside_value_is() -> None:
    assert _outside_what("P207000016049") == "the UPN of a pupil outside this audience"
    assert _outside_what("hollybrook-2025-001") == (
        "the record id of a placement outside this audience"
    )
    assert _outside_what("Tobias Wrenfeather") == "the name of a pupil outside this audience"


def test_the_matcher_wants_the_words_next_to_each_other() -> None:
    needle = Needle(("ann", "lee"), "s", "w")
    matcher = Matcher([needle])
    assert matcher.find(("lee", "ann")) == set()
    assert matcher.find(("ann", "x", "lee")) == set()
    assert matcher.find(("x", "ann", "lee")) == {needle}


def test_pointed_leaves_name_each_text_by_its_pointer() -> None:
    value = {"a": ["x", {"b": 1}, None, True, WITHHELD], "c~/": "y"}
    assert list(pointed_leaves(value)) == [("/a/0", "x"), ("/a/1/b", "1"), ("/c~0~1", "y")]


def test_name_fields() -> None:
    assert _is_name_field("a.yaml#/student/name") and _is_name_field("a.yaml#/x/staff")
    assert _is_name_field("a.yaml#/contact_name") and _is_name_field("a.yaml#/person")
    assert not _is_name_field("a.yaml#/names") and not _is_name_field("aprecords.yml")


@dataclass
class Commit:
    sha: str
    subject: str


def test_visible_fields_carry_their_record_path_and_commit_messages() -> None:
    audience = Audience("s", "s", "school", frozenset(CLASSES), schools=frozenset({"s"}))
    scoped = Scoped(
        audience,
        schools={"s": {"name": "S School"}},
        providers={"p": {"name": "P Ltd"}},
        placements={"s-1": {"id": "s-1", "n": [WITHHELD, "x"]}},
        paths={
            "s-1": "pl.yaml",
            "school:s": "sc.yaml",
            "provider:p": "pr.yaml",
            "attendance:s-1": "at.yaml",
        },
        attendance={"s-1": {"placement": "s-1"}},
    )
    history = {
        "pl.yaml": [Commit("0123456789abcdef", "Met the pupil")],
        "sc.yaml": [Commit("f" * 16, "no")],
    }
    expected = [
        ("pl.yaml#/id", "s-1"),
        ("pl.yaml#/n/1", "x"),
        ("sc.yaml#/name", "S School"),
        ("pr.yaml#/name", "P Ltd"),
        ("at.yaml#/placement", "s-1"),
    ]
    assert list(visible_fields(scoped, history)) == [
        *expected,
        ("pl.yaml (commit 0123456789 message)", "Met the pupil"),
    ]
    assert list(visible_fields(scoped)) == expected
    scoped.audience = Audience("s", "s", "school", frozenset(CLASSES) - {"send"})
    assert list(visible_fields(scoped, history)) == expected


# --- the plan --------------------------------------------------------------------------------


def bare(outside=(), withheld=(), classes=None, placements=None, paths=None) -> Scoped:
    return Scoped(
        hub(),
        {},
        {},
        placements or {},
        paths or {},
        withheld=list(withheld),
        outside=list(outside),
        classes=classes or {},
    )


def test_an_outside_upn_also_visible_is_warned_about_and_the_next_one_searched() -> None:
    scoped = bare(
        outside=[
            ("P207000016049", "a.yaml"),
            ("Z888100225007", "b.yaml"),
            ("P207000016049", "a.yaml"),
        ],
        placements={"v": {"student": {"upn": "P207000016049"}}},
        paths={"v": "v.yaml"},
    )
    result = plan(scoped)
    assert result.skipped_visible == 2
    assert result.warnings[0] == (
        "a.yaml#/student/upn: the UPN of a pupil outside this audience is also the UPN of a pupil "
        "it sees, in v.yaml#/student/upn (one pupil with two records?), so it is not searched "
        "for in this site"
    )
    assert [(n.words, n.source) for n in result.needles] == [(words("Z888100225007"), "b.yaml")]


def test_the_same_value_from_the_same_place_is_one_needle() -> None:
    scoped = bare(outside=[("hollybrook-2025-009", "a.yaml")] * 2 + [("--", "c.yaml")])
    assert [n.source for n in plan(scoped).needles] == ["a.yaml"]
    text = "Older sibling known to youth services"
    scoped = bare(withheld=[(text, "p#/s")] * 2, classes={"p#/s": "safeguarding"})
    assert len(plan(scoped).needles) == 1


def test_withheld_values_by_class() -> None:
    long = "one two three four five six seven eight nine ten"
    scoped = bare(
        withheld=[
            ("Tobias Wrenfeather", "p#/student/name"),
            ("P207000016049", "p#/student/upn"),
            ("N/A", "p#/a"),
            (long, "p#/b"),
            ("Ann Lee", "p#/c/name"),
        ],
        classes={
            "p#/student/name": "identity",
            "p#/student/upn": "identity",
            "p#/a": "send",
            "p#/c/name": "identity",
        },
    )
    result = plan(scoped)
    assert result.skipped_short == 1
    got = [(n.words, n.source, n.what) for n in result.needles]
    ident = ", withheld from this audience (identity)"
    assert (words("Tobias"), "p#/student/name", f"the forename of a pupil{ident}") in got
    assert (
        words("Tobias Wrenfeather"),
        "p#/student/name",
        f"the full name of a pupil{ident}",
    ) in got
    assert (
        words("P207000016049"),
        "p#/student/upn",
        "a value withheld from this audience (identity)",
    ) in got
    assert (words("Ann Lee"), "p#/c/name", "a value withheld from this audience (identity)") in got
    runs = [n.words for n in result.needles if n.source == "p#/b"]
    assert runs == [words(long)[i : i + 8] for i in range(3)]
    assert {n.what for n in result.needles if n.source == "p#/b"} == {
        "a value withheld from this audience (sensitive)"
    }


def test_namesakes_allow_an_initial_for_any_word_with_that_first_letter() -> None:
    """A visible "Marigold Featherstonehaugh" can rightly appear as "M. Featherstonehaugh" (an
    initial M folds to "rn"), "Tom Wrenfeather" as "T. Wrenfeather"; "Ann Wrenfeather" not."""
    scoped = bare(
        outside=[
            ("Mary Featherstonehaugh", "m.yaml"),
            ("Tobias Wrenfeather", "t.yaml"),
            ("Tobias Quickthorpe", "q.yaml"),
            ("A B", "ab.yaml"),
        ],
        placements={
            "v": {"staff": "Marigold Featherstonehaugh", "other": {"name": "Tom Wrenfeather"}},
            "w": {"contact_name": "Ann Quickthorpe"},
        },
        paths={"v": "v.yaml", "w": "w.yaml"},
    )
    result = plan(scoped)
    forms = {(n.source, n.what.split(" of a pupil")[0]) for n in result.needles}
    assert ("m.yaml", "the initial and surname") not in forms
    assert ("m.yaml", "the full name") in forms
    assert ("t.yaml", "the initial and surname") not in forms
    assert ("q.yaml", "the initial and surname") in forms
    assert ("ab.yaml", "the full name") in forms
    assert result.warnings[0] == (
        "m.yaml#/student/name: the name of a pupil outside this audience is not searched for in "
        "this site as: initial and surname, surname and initial, surname, because it is also a "
        "name this audience sees, in v.yaml#/staff (its other forms, the UPN and the record id "
        "are)"
    )


def test_an_everyday_surname_is_warned_about_with_the_fields_that_hold_it() -> None:
    scoped = bare(
        outside=[("Tobias Brown", "t.yaml"), ("Ann Lee", "a.yaml")],
        placements={"v": {"notes": "He wore brown shoes", "dsl": {"name": "Ann Lee"}}},
        paths={"v": "v.yaml"},
    )
    result = plan(scoped)
    assert result.skipped_visible == 3 + 5
    assert result.warnings == [
        "t.yaml#/student/name: the name of a pupil outside this audience is not searched for in "
        "this site as: initial and surname, surname and initial, surname, because those words "
        "are everyday words (or shorter than 3 letters) (its other forms, the UPN and the record "
        "id are); the word appears in v.yaml#/notes: check that these do not name that pupil",
        "a.yaml#/student/name: the name of a pupil outside this audience is not searched for in "
        "this site as: full name, name in MIS order (surname, forename), initial and surname, "
        "surname and initial, surname, because it is also a name this audience sees, in "
        "v.yaml#/dsl/name (the UPN and the record id still are)",
    ]


def test_commit_messages_are_searched_fields_and_nothing_else_is_a_namesake() -> None:
    scoped = bare(outside=[("Will Brown", "w.yaml"), ("Respect Collaboration", "r.yaml")])
    scoped.placements, scoped.paths = {"v": {"x": "y"}}, {"v": "v.yaml"}
    history = {"v.yaml": [Commit("0123456789abcdef", "Brown folder moved")]}
    result = plan(scoped, history)
    assert not any("aprecords.yml" in w for w in result.warnings)
    assert any(
        w.startswith("w.yaml#/student/name:") and "v.yaml (commit 0123456789 message)" in w
        for w in result.warnings
    )


# --- decoding a file ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a.json", "a.webmanifest", "a.map"])
def test_json_files_are_decoded_even_when_they_hold_one_string(name: str) -> None:
    # a character outside the BMP is two \u escapes in JSON: only JSON joins them
    assert words(decoded(b'"\\ud835\\udc13obias"', name)) == words("Tobias")


@pytest.mark.parametrize(
    "raw", [b'  ["\\ud835\\udc13obias"]', b'{"\\ud835\\udc13obias": true, "b": null}']
)
def test_json_is_recognised_by_its_first_bracket(raw: bytes) -> None:
    assert words(decoded(raw, "a.txt"))[0] == words("Tobias")[0]
    assert words(decoded(raw, "a.txt"))[1:] in ((), ("b",))


def test_json_strings_are_kept_apart_and_bad_json_is_read_as_text() -> None:
    assert words(decoded(b'{"a": "b", "c": 1}', "a.json")) == words("a b c 1")
    assert words(decoded(b'{"Tobias": [Wrenfeather', "a.json")) == words("Tobias Wrenfeather")
    deep = b"[" * 100_000 + b"]" * 100_000
    assert decoded(deep, "a.json") == deep.decode()


def test_a_bad_gzip_or_bad_utf8_file_is_still_read() -> None:
    assert decoded(b"Tobias Wrenfeather", "a.gz") == "Tobias Wrenfeather"
    truncated = gzip.compress(b"Tobias Wrenfeather")[:-6]
    assert decoded(truncated, "b.gz") == truncated.decode("utf-8", "replace")
    assert decoded(b"\xff Tobias", "c.html") == "\ufffd Tobias"


def test_script_escapes_and_entities_at_any_depth() -> None:
    assert words(decoded(b"Ann\\nLee and Ann\\u{110000}Lee", "a.js")) == (
        "ann",
        "lee",
        "and",
        "ann",
        "lee",
    )
    assert decoded(b"&amp;amp;amp;amp;#84;obias & Co", "a.html") == "Tobias & Co"


# --- scanning a site -------------------------------------------------------------------------


def test_theme_files_are_skipped_and_the_scan_goes_on(tmp_path: Path) -> None:
    import material

    assets = Path(material.__file__).parent / "templates" / "assets"
    theme_file = next(f for f in sorted(assets.rglob("*.js")) if f.is_file())
    assert hashlib.sha256(theme_file.read_bytes()).hexdigest() in theme_digests()
    site = write(tmp_path / "site", {"z.html": "Saffron Quickthorpe"})
    (site / "a.js").write_bytes(theme_file.read_bytes() + b"")
    scoped = bare(outside=[("Saffron Quickthorpe", "s.yaml"), ("P207000016049", "s.yaml")])
    assert [leak.file for leak in scan(site, scoped)] == ["z.html"]


def test_a_name_and_a_upn_in_one_file_are_two_leaks_the_longest_form_shown(tmp_path: Path) -> None:
    site = write(tmp_path / "site", {"x.html": "Quickthorpe, P207000016049, Saffron Quickthorpe"})
    scoped = bare(outside=[("Saffron Quickthorpe", "s.yaml"), ("P207000016049", "s.yaml")])
    assert [str(leak) for leak in scan(site, scoped)] == [
        "x.html: the UPN of a pupil outside this audience (source: s.yaml)",
        "x.html: the full name of a pupil outside this audience (source: s.yaml)",
    ]


def test_no_text_outside_the_records_makes_an_exemption(tmp_path: Path) -> None:
    """A name every site shows (an organisation's) is still a leak as an outside pupil's."""
    site = write(tmp_path / "site", {"x.html": "Respect Collaboration"})
    scoped = bare(outside=[("Respect Collaboration", "r.yaml")])
    assert [leak.source for leak in scan(site, scoped)] == ["r.yaml"]
    with pytest.raises(LeakError):
        check(site, scoped)


# --- forms of a name, and more of the help pages and the plan --------------------------------


def forms_of(name: str, forename_alone: bool = False) -> list[tuple[str, tuple[str, ...], bool]]:
    from aprecords.guard.names import name_forms

    return [(f.form, f.words, f.distinct) for f in name_forms(name, forename_alone)]


def test_a_one_word_name_is_one_form_searched_unless_everyday() -> None:
    assert forms_of("Tobias") == [("name", words("Tobias"), True)]
    assert forms_of("Will") == [("name", words("Will"), False)]
    assert forms_of("- --") == []


def test_a_three_part_name_adds_forename_and_surname() -> None:
    t, j, w = words("Tobias"), words("James"), words("Wrenfeather")
    assert forms_of("Tobias James Wrenfeather", forename_alone=True) == [
        ("full name", t + j + w, True),
        ("forename and surname", t + w, True),
        ("name in MIS order (surname, forename)", w + t, True),
        ("initial and surname", words("T") + w, True),
        ("surname and initial", w + words("T"), True),
        ("surname", w, True),
        ("forename", t, True),
    ]


def test_everyday_parts_are_not_searched_alone() -> None:
    b, initial = words("Brown"), words("T")
    assert forms_of("Tobias Brown") == [
        ("full name", words("Tobias Brown"), True),
        ("name in MIS order (surname, forename)", b + words("Tobias"), True),
        ("initial and surname", initial + b, False),
        ("surname and initial", b + initial, False),
        ("surname", b, False),
    ]
    assert forms_of("Will Wrenfeather", forename_alone=True)[-1] == (
        "forename",
        words("Will"),
        False,
    )
    # a part without letters (a digit) is no more distinct than an everyday word
    assert forms_of("Tobias 2")[-1] == ("surname", words("2"), False)


def test_an_initial_that_folds_to_nothing_falls_back_to_the_forenames_first_letter() -> None:
    forms = {f: ws for f, ws, _ in forms_of("\u200bTobias Wrenfeather")}
    assert forms["initial and surname"] == words("T Wrenfeather")


def test_help_pages_report_every_pupil_and_a_name_split_over_lines_at_line_one(
    repo: Repository,
) -> None:
    from aprecords.load import load_text
    from aprecords.repository import Record

    doc = load_text("id: odd-2025-001\nschool: x\nstudent: Ann Lee\n", "records/odd.yaml")
    repo.records.append(Record("placement", doc, valid=False))
    write(repo.root / "docs", {"a.md": "Tobias Wrenfeather\nSaffron\nQuickthorpe\nodd-2025-001\n"})
    found = [line.split(" (source: ")[0] for line in help_page_leaks(repo)]
    assert found == [  # by source: records/odd.yaml, then hollybrook, then marsh-lane
        "docs/a.md:4:1: error: the record id of a placement",
        "docs/a.md:1:1: error: the full name of a pupil",
        "docs/a.md:1:1: error: the full name of a pupil",
    ]


def test_a_withheld_text_a_visible_field_repeats_is_warned_about_once() -> None:
    text = "one two three four five six seven eight nine"
    scoped = bare(
        withheld=[(text, "p#/s")],
        classes={"p#/s": "safeguarding"},
        placements={"v": {f"f{i}": text for i in range(6)}},
        paths={"v": "v.yaml"},
    )
    result = plan(scoped)
    assert result.needles == [] and result.skipped_visible == 2
    assert result.warnings == [
        "p#/s: a value withheld from this audience (safeguarding) is repeated in v.yaml#/f0, "
        "v.yaml#/f1, v.yaml#/f2, v.yaml#/f3, v.yaml#/f4, which this audience sees, so it is not "
        "searched for in this site: move it out of the visible field if it should stay withheld"
    ]


def test_an_audiences_check_and_plan_use_no_configuration_and_the_history(
    repo: Repository, tmp_path: Path
) -> None:
    from aprecords.scope import scope

    repo.placements["marsh-lane-2025-001"].data["student"]["name"] = "Respect Collaboration"
    site = write(tmp_path / "site", {"index.html": "the RESPECT Collaboration"})
    assert [leak.source for leak in audience_leaks(repo, hollybrook(), site)] == [SAFFRON]
    repo.placements["marsh-lane-2025-001"].data["student"]["name"] = "Tobias Brown"
    history = {TOBIAS: [Commit("0123456789abcdef", "Brown folder moved")]}
    result = audience_plan(repo, scope(repo, hollybrook()), history)
    assert any(f"{TOBIAS} (commit 0123456789 message)" in w for w in result.warnings)


def test_an_own_pupils_everyday_forename_is_warned_about_by_its_field() -> None:
    scoped = bare(
        withheld=[("Will Wrenfeather", "q#/student/name")], classes={"q#/student/name": "identity"}
    )
    result = plan(scoped)
    assert not [n for n in result.needles if n.what.startswith("the forename")]
    assert result.warnings == [
        "q#/student/name: the name of a pupil, withheld from this audience (identity) is not "
        "searched for in this site as: forename, because those words are everyday words (or "
        "shorter than 3 letters) (its other forms, the UPN and the record id are)"
    ]


def test_more_than_five_fields_holding_the_word_are_cut_short() -> None:
    fields = {f"f{i}": "brown shoes" for i in range(6)}
    scoped = bare(
        outside=[("Tobias Brown", "t.yaml")], placements={"v": fields}, paths={"v": "v.yaml"}
    )
    (warning,) = plan(scoped).warnings
    shown = ", ".join(f"v.yaml#/f{i}" for i in range(5))
    assert warning.endswith(
        f"; the word appears in {shown} and more: check that these do not name that pupil"
    )
    del fields["f5"]
    (warning,) = plan(scoped).warnings
    assert warning.endswith(
        f"; the word appears in {shown}: check that these do not name that pupil"
    )


def test_a_record_without_a_known_path_is_named_by_its_key() -> None:
    scoped = bare(placements={"x-1": {"a": "b"}})
    assert list(visible_fields(scoped)) == [("x-1#/a", "b")]
