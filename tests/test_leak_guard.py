"""The leak guard (issue 10): spelling tricks, the build cache, help pages and audiences
without names. Every test here runs real builds of a copy of the examples."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aprecords.guard.names import name_forms
from aprecords.guard.normal import fold, words
from aprecords.guard.plan import plan
from conftest import TODAY, copy_examples, git, insert_after, replace_line, require_tool

HOLLYBROOK = "records/placements/hollybrook/hollybrook-2025-001.yaml"  # Tobias Wrenfeather
HOLLYBROOK_3 = "records/placements/hollybrook/hollybrook-2025-003.yaml"  # Ezekiel Harrowgate
MARSH = "records/placements/marsh-lane/marsh-lane-2025-001.yaml"
MARSH_4 = "records/placements/marsh-lane/marsh-lane-2025-004.yaml"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the examples as a git repository, everything in one commit."""
    require_tool("git")
    root = copy_examples(tmp_path / "repo")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Initial records")
    return root


def build(run_cli, root: Path, *audiences: str, site: Path | None = None):
    args: list[str | Path] = ["--root", root, "build", "--today", TODAY]
    args += ["--site-dir", site or root / "site"]
    for name in audiences:
        args += ["--audience", name]
    return run_cli(*args)


def commit_change(root: Path, rel: str, subject: str) -> None:
    """Commit a harmless change to one record with this subject line."""
    with (root / rel).open("a", encoding="utf-8") as f:
        f.write("# reviewed\n")
    git(root, "add", rel)
    git(root, "commit", "-q", "-m", subject)


# --- folding -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        "Tobias Wren\u200bfeather",  # zero-width space
        "Tobias Wrenfeathe\u0301r",  # combining accent
        "T\u043ebias Wrenfeather",  # Cyrillic o
        "TOBIAS WRENFEATHER",
        "\uff34\uff4f\uff42\uff49\uff41\uff53 Wrenfeather",  # full-width
        "T0bias Wren\u00adfeather",  # digit zero, soft hyphen
        "TOBlAS Wrenfeather",  # lower-case l for a capital I
        "\u202eTobias\u202c Wrenfeather",  # bidi override
    ],
)
def test_spelling_tricks_fold_to_the_plain_name(variant: str) -> None:
    assert "".join(words(variant)) == "".join(words("Tobias Wrenfeather"))


def test_different_names_stay_different() -> None:
    assert words("Tobias Wrenfeather") != words("Tobias Wrenfeathers")
    assert words("Ann Lee") != words("Anne Lee")
    assert fold("caf\u00e9") == fold("cafe")


def test_name_forms_cover_mis_order_initial_and_surname() -> None:
    forms = {f.form: f for f in name_forms("Tobias Wrenfeather")}
    assert forms["name in MIS order (surname, forename)"].words == words("Wrenfeather Tobias")
    assert forms["initial and surname"].words == words("T Wrenfeather")
    assert forms["surname and initial"].words == words("Wrenfeather T")
    assert forms["surname"].words == words("Wrenfeather") and forms["surname"].distinct
    assert "forename" not in forms  # outside pupils: a forename alone is not searched
    common = {f.form: f for f in name_forms("Tobias Will")}
    assert not common["surname"].distinct and not common["initial and surname"].distinct
    assert common["full name"].distinct and common["name in MIS order (surname, forename)"].distinct


# --- evasions in a commit message on another school's record ---------------------------------


@pytest.mark.parametrize(
    "subject",
    [
        "Tobias Wren\u200bfeather joins the course",
        "Note from Tobias Wrenfeathe\u0301r's mentor",
        "T\u043ebias Wrenfeather joins the course",
        "WRENFEATHER, Tobias joins the course",
        "Wrenfeather joins the course",
        "T. Wrenfeather joins the course",
        "Wren-feather joins the course",
        "TobiasWrenfeathers' timetable",
    ],
)
def test_a_commit_message_naming_an_outside_pupil_fails_the_build(
    run_cli, repo: Path, subject: str
) -> None:
    commit_change(repo, MARSH, subject)
    result = build(run_cli, repo, "school-marsh-lane")
    assert result.code == 1, result.out + result.err
    assert "leak check failed for the audience 'school-marsh-lane'" in result.err
    assert f"(source: {HOLLYBROOK})" in result.err
    assert "Wrenfeather" not in result.err + result.out
    assert not (repo / "site/school-marsh-lane").exists()
    # located: the commit, its line and column, and what to do
    sha = git(repo, "rev-parse", "HEAD").strip()[:10]
    assert f"commit {sha}:1:" in result.err and "[commit-message-leak]" in result.err


def test_an_outside_name_in_the_audiences_own_free_text_is_reported(run_cli, repo: Path) -> None:
    """It was dropped from the search silently; now the record's own text is a leak."""
    replace_line(repo / MARSH, "  rationale:", "  rationale: Travels with Tobias Wrenfeather.")
    lines = (repo / MARSH).read_text("utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if "Travels with" in line) + 1
    while lines[start].startswith("    "):
        del lines[start]
    (repo / MARSH).write_text("".join(lines), "utf-8")
    result = build(run_cli, repo, "school-marsh-lane")
    assert result.code == 1, result.out + result.err
    assert f"(source: {HOLLYBROOK})" in result.err


def test_a_namesake_on_the_staff_is_warned_about_not_dropped(run_cli, repo: Path) -> None:
    replace_line(repo / MARSH, "name: Mr Leopold Inchcape", "  name: Mr Tobias Wrenfeather")
    result = build(run_cli, repo, "school-marsh-lane")
    assert result.code == 0, result.err
    warning = next(line for line in result.err.splitlines() if f"{HOLLYBROOK}#" in line)
    assert "warning:" in warning and "school-marsh-lane" in warning
    assert f"{MARSH}#/" in warning and "/name" in warning
    assert "Wrenfeather" not in warning


def test_a_namesake_pupil_is_warned_about_and_the_site_published(run_cli, repo: Path) -> None:
    """A brother at Marsh Lane shares Tobias's surname: the surname alone cannot be searched
    in Hollybrook's site, which shows Tobias; the warning says so, by record and field."""
    replace_line(repo / MARSH_4, "  name: ", "  name: Crispin Wrenfeather")
    result = build(run_cli, repo, "school-hollybrook")
    assert result.code == 0, result.err
    (warning,) = [w for w in result.err.splitlines() if f"{MARSH_4}#/student/name" in w]
    assert f"{HOLLYBROOK}#/student/name" in warning and "surname" in warning
    assert "Wrenfeather" not in warning and "Crispin" not in warning
    # The full name is still searched: it leaking into Hollybrook's site fails the build.
    commit_change(repo, HOLLYBROOK, "Crispin Wrenfeather to visit")
    leaked = build(run_cli, repo, "school-hollybrook")
    assert leaked.code == 1 and f"(source: {MARSH_4})" in leaked.err


def test_a_pupil_who_moved_school_is_warned_about_and_both_sites_published(
    run_cli, repo: Path
) -> None:
    """Tobias moved to Marsh Lane: a new record there with his name and UPN. Hollybrook's
    site keeps his old agreement, so his name and UPN cannot be searched for there."""
    text = (repo / HOLLYBROOK).read_text("utf-8")
    upn = next(line.split(":", 1)[1].strip() for line in text.splitlines() if "upn:" in line)
    replace_line(repo / MARSH_4, "  name: ", "  name: Tobias Wrenfeather")
    insert_after(repo / MARSH_4, "  name: Tobias Wrenfeather", f"  upn: {upn}")
    result = build(run_cli, repo, "school-hollybrook", "school-marsh-lane")
    assert result.code == 0, result.err
    upn_warning = next(w for w in result.err.splitlines() if f"{MARSH_4}#/student/upn" in w)
    assert f"{HOLLYBROOK}#/student/upn" in upn_warning and upn not in upn_warning
    assert "school-hollybrook" in upn_warning and "school-marsh-lane" not in upn_warning
    assert any(f"{MARSH_4}#/student/name" in w for w in result.err.splitlines())


# --- the cache -----------------------------------------------------------------------------


def test_the_result_does_not_depend_on_the_cache(run_cli, repo: Path, tmp_path: Path) -> None:
    """A Hollybrook commit names Jasper; later a Marsh Lane record is Jasper's."""
    commit_change(repo, HOLLYBROOK, "Jasper Quillfeather to join the same course")
    first = build(run_cli, repo, "school-hollybrook")
    assert first.code == 0, first.err  # no pupil of that name yet

    replace_line(repo / MARSH_4, "  name: ", "  name: Jasper Quillfeather")
    warm = build(run_cli, repo, "school-hollybrook")
    assert "unchanged" not in warm.out
    assert warm.code == 1, warm.out + warm.err
    assert f"(source: {MARSH_4})" in warm.err

    cold = build(run_cli, repo, "school-hollybrook", site=tmp_path / "cold")
    assert cold.code == 1
    leaks = [line for line in warm.err.splitlines() if line.startswith("  ")]
    assert leaks and leaks == [line for line in cold.err.splitlines() if line.startswith("  ")]


# --- a pupil named with an everyday word ----------------------------------------------------


def test_a_pupil_named_will_warns_and_every_site_is_published(run_cli, repo: Path) -> None:
    replace_line(repo / MARSH_4, "  name: ", "  name: Will")
    result = build(run_cli, repo)
    assert result.code == 0, result.err
    warnings = [line for line in result.err.splitlines() if f"{MARSH_4}#/student/name" in line]
    assert warnings and all("everyday word" in w for w in warnings)
    for audience in ("school-hollybrook", "provider-brickworks", "la-inclusion"):
        assert f"built {repo / 'site' / audience}" in result.out
    # An unchanged build says the same (the warnings are kept with each build).
    again = build(run_cli, repo)
    assert "built" not in again.out and again.err.count(f"{MARSH_4}#/student/name") == len(warnings)
    # Where the word appears in an audience's own records, the warning names the field.
    commit_change(repo, HOLLYBROOK, "Will joins the Tuesday group")
    named = build(run_cli, repo, "school-hollybrook")
    assert named.code == 0, named.err
    (warning,) = [w for w in named.err.splitlines() if f"{MARSH_4}#/student/name" in w]
    assert f"{HOLLYBROOK} (commit " in warning and "check that these do not name" in warning
    # The UPN and the record id are still searched: the record's id leaking still fails.
    commit_change(repo, HOLLYBROOK, "Same course as marsh-lane-2025-004")
    again = build(run_cli, repo, "school-hollybrook")
    assert again.code == 1 and f"(source: {MARSH_4})" in again.err


# --- help pages ----------------------------------------------------------------------------


def test_a_symlink_in_docs_is_refused(run_cli, repo: Path) -> None:
    os.symlink("/proc/self/environ", repo / "docs" / "env.txt")
    result = build(run_cli, repo, "hub")
    assert result.code == 2
    assert "docs/env.txt" in result.err and "symbolic link" in result.err
    assert not (repo / "site" / "hub").exists()


def test_a_symlinked_folder_in_docs_is_refused(run_cli, repo: Path) -> None:
    os.symlink(repo / "records", repo / "docs" / "more")
    result = build(run_cli, repo, "hub")
    assert result.code == 2 and "docs/more" in result.err
    assert not (repo / "site" / "hub").exists()


def test_a_record_pasted_into_docs_fails_every_audience(run_cli, repo: Path) -> None:
    text = (repo / HOLLYBROOK_3).read_text("utf-8")
    (repo / "docs" / "example.md").write_text(f"# Example\n\n```yaml\n{text}```\n", "utf-8")
    result = build(run_cli, repo)
    assert result.code == 1
    assert "docs/example.md:" in result.err and "[help-page-leak]" in result.err
    assert f"(source: {HOLLYBROOK_3}" in result.err
    for what in ("the full name of a pupil", "the UPN of a pupil", "the record id of a placement"):
        assert f"{what} (source: {HOLLYBROOK_3})" in result.err, what
    assert "of a sensitivity class (safeguarding) (source: " in result.err
    assert "Harrowgate" not in result.err + result.out
    assert not (repo / "site").exists() or not any((repo / "site").iterdir())


def test_a_pupils_upn_in_a_help_page_fails(run_cli, repo: Path) -> None:
    upn = next(
        line.split(":", 1)[1].strip()
        for line in (repo / HOLLYBROOK).read_text("utf-8").splitlines()
        if line.strip().startswith("upn:")
    )
    insert_after(repo / "docs/guide.md", "# ", f"\nFor example {upn}.\n")
    result = build(run_cli, repo, "hub")
    assert result.code == 1
    assert "docs/guide.md:" in result.err and "UPN" in result.err and upn not in result.err


def test_only_the_documented_example_ids_are_allowed() -> None:
    from aprecords.access import hub
    from aprecords.guard.plan import EXAMPLE_IDS
    from aprecords.scope import Scoped

    assert "hollybrook-2026-004" in EXAMPLE_IDS
    outside = [("hollybrook-2026-004", "a.yaml"), ("hollybrook-2026-005", "b.yaml")]
    scoped = Scoped(hub(), {}, {}, {}, {}, outside=outside)
    assert [n.source for n in plan(scoped).needles] == ["b.yaml"]


# --- audiences without the identity class ---------------------------------------------------


def _add_audience(root: Path, name: str, grants: str) -> None:
    insert_after(
        root / "aprecords.yml",
        "  custom:",
        f"    - name: {name}\n      title: No names\n      schools: [hollybrook]\n"
        f"      grants: [{grants}]\n",
    )


def _site_words(folder: Path) -> set[str]:
    import html

    found: set[str] = set()
    for file in folder.rglob("*"):
        if file.is_file() and file.suffix in (".html", ".json", ".xml", ".ics", ".svg"):
            found.update(words(html.unescape(file.read_text("utf-8", errors="replace"))))
    return found


def test_an_audience_without_identity_reads_no_names(run_cli, repo: Path) -> None:
    _add_audience(repo, "la-send", "send")
    result = build(run_cli, repo, "la-send")
    assert result.code == 0, result.err
    seen = _site_words(repo / "site/la-send")
    for name in ("Ezekiel Harrowgate", "Tobias Wrenfeather", "Marigold Featherstonehaugh"):
        for word in words(name):
            assert word not in seen, name
    page = (repo / "site/la-send/placements/hollybrook-2025-003.html").read_text("utf-8")
    assert "E.H." in page.replace("&#46;", ".")  # "keeps E.H. engaged"


def test_a_name_that_escapes_replacement_fails_the_build(run_cli, repo: Path) -> None:
    """A Cyrillic letter defeats the replacement (it is plain text matching): the check,
    which folds confusables, still finds the forename and the site is not published."""
    _add_audience(repo, "la-send", "send")
    text = (repo / HOLLYBROOK_3).read_text("utf-8")
    assert "keeps Ezekiel engaged" in text
    text = text.replace("keeps Ezekiel engaged", "keeps Ezek\u0456el engaged")
    (repo / HOLLYBROOK_3).write_text(text, "utf-8")
    result = build(run_cli, repo, "la-send")
    assert result.code == 1, result.out + result.err
    assert f"{HOLLYBROOK_3}#/student/name" in result.err and "forename" in result.err
    assert "Ezek" not in result.err


def test_names_are_replaced_in_every_form_but_everyday_words_stay_words() -> None:
    from aprecords.scope import name_replacer

    replace = name_replacer(["Tobias Wrenfeather", "Tobias Ashe", "Will Brown", "Aoife O'Sullivan"])
    text = (
        "TOBIAS WRENFEATHER; Wrenfeather, Tobias; T. Wrenfeather; Wrenfeather, T.; "
        "Tobias's folder; he will ask Will; O\u2019Sullivan's bus."
    )
    assert replace(text, "Tobias Wrenfeather") == (
        "T.W.; T.W.; T.W.; T.W.; T.W.'s folder; he will ask W.B.; A.O.'s bus."
    )
    # A forename two pupils share, alone, is taken for the record's own pupil.
    assert replace("Tobias came", "Tobias Ashe") == "T.A. came"
    assert replace("Tobiasz and Ashes", "Tobias Ashe") == "Tobiasz and Ashes"


def test_the_preview_refuses_help_pages_naming_a_pupil(repo: Path, tmp_path: Path, capsys) -> None:
    from datetime import date

    from aprecords.site.serve import rebuild

    (repo / "docs" / "notes.md").write_text("# Notes\n\nAsk Ezekiel Harrowgate.\n", "utf-8")
    assert rebuild(repo, tmp_path / "preview", date.fromisoformat(TODAY)) is False
    err = capsys.readouterr().err
    assert "docs/notes.md:3:5:" in err and "[help-page-leak]" in err and "Ezekiel" not in err
    assert not (tmp_path / "preview").exists()
