"""Hardening (issue 10, items 7 and 11): invisible and control characters, trailing line breaks
in patterned fields, and what may sit under records/ (folders, pipes, sockets, links, huge
files). Every finding is checked through ``aprecords validate`` in text, json and github form.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sys
import tracemalloc
import unicodedata
from pathlib import Path

import pytest

from aprecords.load import DEFAULT_MAX_BYTES, LoadError, decode, load_text
from aprecords.unseen import UNSEEN
from conftest import PLACEMENT, PROJECT, SCHOOL, TODAY, line_of, replace_line, run_module

NAME_LINE = "name: Tobias Wrenfeather"
UPN_LINE = "upn: P207000016049"


def refused(text: str) -> LoadError:
    with pytest.raises(LoadError) as info:
        load_text(decode(text.encode("utf-8")), "x.yaml")
    return info.value


def validate_all_formats(run_cli, root: Path, *paths: str) -> dict[str, object]:
    """Run validate in the three formats; each must exit 1. Returns the three outputs."""
    out: dict[str, object] = {}
    for fmt in ("text", "json", "github"):
        result = run_cli("--root", root, "validate", "--today", TODAY, "--format", fmt, *paths)
        assert result.code == 1, (fmt, result.out, result.err)
        assert "Traceback" not in result.err
        out[fmt] = json.loads(result.out) if fmt == "json" else result.out
    return out


def assert_one_finding(
    outputs: dict[str, object], path: str, line: int, column: int, rule: str, words: str
) -> None:
    """The finding is in every format, at its place, with its rule and words."""
    text = outputs["text"]
    assert isinstance(text, str)
    assert f"{path}:{line}:{column}: error: " in text and f"[{rule}]" in text, text
    assert words in text
    found = [
        f
        for f in outputs["json"]["findings"]  # type: ignore[index]
        if (f["path"], f["line"], f["column"], f["rule"]) == (path, line, column, rule)
    ]
    assert found and words in found[0]["message"], outputs["json"]
    github = outputs["github"]
    assert isinstance(github, str)
    assert f"::error file={path},line={line},col={column},title={rule}::" in github, github


# --- item 7: invisible (Cf) and control characters -------------------------------------------


def test_every_format_character_of_this_python_is_refused() -> None:
    every_cf = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
    assert len(every_cf) > 150
    assert [c for c in every_cf if not UNSEEN.match(c)] == []


def test_nothing_visible_is_refused() -> None:
    """UNSEEN holds controls, separators, format characters, unassigned, private-use and
    surrogate code points and the default-ignorable ones (Hangul fillers, variation selectors):
    nothing a person can see."""
    from aprecords.guard.codepoints import DEFAULT_IGNORABLE

    ignorable = re.compile(f"[{DEFAULT_IGNORABLE}]")
    matched = [chr(c) for c in range(sys.maxunicode + 1) if UNSEEN.match(chr(c))]
    shown = {"Cc", "Cf", "Zl", "Zp", "Cn", "Co", "Cs"}
    assert [c for c in matched if unicodedata.category(c) not in shown] == [
        c for c in matched if unicodedata.category(c) not in shown and ignorable.match(c)
    ]
    for char in "ㅤᅟᅠﾠ⁥￰󰀀️":
        assert UNSEEN.match(char), f"U+{ord(char):04X}"
    for allowed in "\t\n\r é€ \u00a0ŵ😀":
        assert not UNSEEN.match(allowed), repr(allowed)


@pytest.mark.parametrize(
    ("char", "named", "rule"),
    [
        ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE", "invisible-character"),
        ("\u202a", "U+202A LEFT-TO-RIGHT EMBEDDING", "invisible-character"),
        ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE", "invisible-character"),
        ("\u2069", "U+2069 POP DIRECTIONAL ISOLATE", "invisible-character"),
        ("\u200b", "U+200B ZERO WIDTH SPACE", "invisible-character"),
        ("\u200d", "U+200D ZERO WIDTH JOINER", "invisible-character"),
        ("\u00ad", "U+00AD SOFT HYPHEN", "invisible-character"),
        ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE", "invisible-character"),
        ("\U000e0041", "U+E0041 TAG LATIN CAPITAL LETTER A", "invisible-character"),
        ("\u2028", "U+2028 LINE SEPARATOR", "invisible-character"),
        ("\x1b", "U+001B ESCAPE", "control-character"),
        ("\x85", "U+0085 NEXT LINE", "control-character"),
        ("\x9b", "U+009B", "control-character"),
        ("\x7f", "U+007F DELETE", "control-character"),
    ],
)
def test_an_unseen_character_is_refused_where_it_is(char: str, named: str, rule: str) -> None:
    err = refused(f"id: x\nname: Kayden Wrenfeather é{char}Mills\n")
    assert (err.rule, err.line, err.column) == (rule, 2, 27)
    assert named in err.message and "delete it" in err.message


def test_in_a_key_and_in_a_comment_too() -> None:
    err = refused("id: x\nst\u200budent: y\n")
    assert (err.rule, err.line, err.column) == ("invisible-character", 2, 3)
    err = refused("id: x  # ok \u2067\nname: y\n")
    assert (err.rule, err.line, err.column) == ("invisible-character", 1, 13)


def test_the_first_of_several_is_reported() -> None:
    err = refused("id: x\nname: a\u200cb\nschool: \u202ey\n")
    assert (err.line, err.column) == (2, 8) and "U+200C ZERO WIDTH NON-JOINER" in err.message


@pytest.mark.parametrize(
    ("text", "line", "column", "named", "rule"),
    [
        ('id: x\nname: "Kayden \\u202erehtaefnerW\\u202c Mills"\n', 2, 7, "U+202E", "invisible"),
        ('id: x\nlist:\n  - ok\n  - "\\x07"\n', 4, 5, "U+0007 BELL", "control"),
        ('id: x\n"na\\u200Bme": y\n', 2, 1, "U+200B ZERO WIDTH SPACE", "invisible"),
        ('id: x\nname: "a\\rb"\n', 2, 7, "U+000D CARRIAGE RETURN", "control"),
        ('id: x\nname: "a\\Lb"\n', 2, 7, "U+2028 LINE SEPARATOR", "invisible"),
        ('id: x\nname: "a\\Nb"\n', 2, 7, "U+0085 NEXT LINE", "control"),
    ],
)
def test_an_escape_in_double_quotes_is_refused_at_its_value(
    text: str, line: int, column: int, named: str, rule: str
) -> None:
    err = refused(text)
    assert (err.rule, err.line, err.column) == (f"{rule}-character", line, column)
    assert named in err.message and "escape" in err.message


def test_ordinary_escapes_and_characters_still_load() -> None:
    data = load_text(decode('a: "x\\ny\\t\\u00e9"\nb: caf\u00e9 \u2014 ok\n'.encode()), "x").data
    assert data == {"a": "x\ny\t\u00e9", "b": "caf\u00e9 \u2014 ok"}
    assert load_text(decode(b"\xef\xbb\xbfa: b\r\nc: d\r\n"), "x").data == {"a": "b", "c": "d"}


def test_a_clean_file_costs_one_search_and_no_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    import aprecords.load as load

    def walked(*args: object) -> None:
        raise AssertionError("the data of a file without escapes was walked")

    monkeypatch.setattr(load, "escaped_unseen", walked)
    for rel in (PLACEMENT, SCHOOL, "records/attendance/hollybrook-2025-001.yaml"):
        load.load_file(PROJECT / rel, rel)


@pytest.mark.parametrize("escaped", [False, True], ids=["typed", "escaped"])
def test_a_reordered_name_does_not_validate_in_any_format(
    repo: Path, run_cli, escaped: bool
) -> None:
    """Chromium shows 'Kayden <RLO>rehtaefnerW<PDF> Mills' as 'Kayden Wrenfeather Mills'."""
    name = (
        'name: "Kayden \\u202erehtaefnerW\\u202c Mills"'
        if escaped
        else "name: Kayden \u202erehtaefnerW\u202c Mills"
    )
    line = replace_line(repo / PLACEMENT, NAME_LINE, name)
    column = 9 if escaped else 16
    outputs = validate_all_formats(run_cli, repo)
    assert_one_finding(
        outputs, PLACEMENT, line, column, "invisible-character", "U+202E RIGHT-TO-LEFT OVERRIDE"
    )
    assert "\u202e" not in str(outputs["text"])


# --- item 7: a trailing line break in a patterned field ----------------------------------------


@pytest.mark.parametrize(
    "value", ['"P207000016049\\n"', "|\n    P207000016049"], ids=["quoted", "block"]
)
def test_a_trailing_line_break_fails_the_pattern_in_both_validators(
    repo: Path, run_cli, value: str
) -> None:
    from aprecords.repository import load_repository

    line = replace_line(repo / PLACEMENT, UPN_LINE, f"upn: {value}")
    repo_ = load_repository(repo)
    (record,) = [r for r in repo_.records if r.path == PLACEMENT]
    assert record.data["student"]["upn"] == "P207000016049\n"
    schemas = repo_.schemas
    assert schemas._validators["placement"].is_valid(record.data) is False
    assert schemas._surely_valid("placement", record.data) is False
    outputs = validate_all_formats(run_cli, repo)
    assert_one_finding(
        outputs, PLACEMENT, line, 8, "schema-pattern", "student.upn ends with a line break"
    )


def test_a_wrong_value_with_a_line_break_keeps_the_usual_explanation(repo: Path, run_cli) -> None:
    line = replace_line(repo / PLACEMENT, UPN_LINE, 'upn: "P20700001604\\n"')  # a digit short
    outputs = validate_all_formats(run_cli, repo)
    text = str(outputs["text"])
    assert f"{PLACEMENT}:{line}:8: error: student.upn 'P20700001604\\n'" in text
    assert "ends with a line break" not in text


def test_dollar_means_the_very_end_in_every_pattern() -> None:
    from aprecords.schemas import ecma_pattern

    assert ecma_pattern("^[0-9]{6}$").search("123456")
    assert not ecma_pattern("^[0-9]{6}$").search("123456\n")
    assert ecma_pattern("^a[$]$").search("a$") and not ecma_pattern("^a[$]$").search("a$\n")
    assert ecma_pattern(r"^a\$$").search("a$") and not ecma_pattern(r"^a\$$").search("a\n")


# --- item 11: the size limit, folders, pipes, sockets and links under records/ ----------------


def test_a_huge_record_is_refused_without_being_read(repo: Path, run_cli) -> None:
    huge = repo / "records/schools/huge.yaml"
    with huge.open("wb") as out:  # sparse: 4 GiB on paper, nothing on disk
        out.truncate(4 * 1024**3)
    tracemalloc.start()
    try:
        result = run_cli("--root", repo, "validate", "--today", TODAY, "--format", "json")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * DEFAULT_MAX_BYTES, peak
    assert result.code == 1
    (finding,) = json.loads(result.out)["findings"]
    assert (finding["path"], finding["line"], finding["rule"]) == (
        "records/schools/huge.yaml",
        1,
        "file-size",
    )
    assert "4,294,967,296 bytes" in finding["message"]


def test_a_file_that_grows_past_the_limit_while_read_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aprecords import files

    file = tmp_path / "x.yaml"
    file.write_text("id: x\n", "utf-8")
    real = os.fstat

    def small(fd: int) -> os.stat_result:  # the stat saw a small file; then it grew
        info = real(fd)
        return os.stat_result((info.st_mode, *info[1:6], 6, *info[7:]))

    file.write_text("id: x\n" + "#" * 100, "utf-8")
    monkeypatch.setattr(files.os, "fstat", small)
    with pytest.raises(LoadError) as info:
        files.read_limited(file, 50)
    assert info.value.rule == "file-size"


def _fifo(path: Path) -> str:
    os.mkfifo(path)
    return "a named pipe (FIFO)"


def _folder(path: Path) -> str:
    path.mkdir()
    (path / "inside.yaml").write_text("id: x\n", "utf-8")
    return "a folder"


def _socket(path: Path) -> str:
    """Bound by its name from its folder: a socket's whole path may hold only 107 bytes, and
    parallel test runs nest their temporary folders deeper."""
    sock = socket.socket(socket.AF_UNIX)
    here = os.getcwd()
    os.chdir(path.parent)
    try:
        sock.bind(path.name)
    finally:
        os.chdir(here)
        sock.close()
    return "a socket"


@pytest.mark.parametrize("make", [_fifo, _folder, _socket], ids=["fifo", "folder", "socket"])
def test_something_not_a_file_named_like_a_record_is_a_finding(repo: Path, run_cli, make) -> None:
    rel = "records/placements/hollybrook/odd.yaml"
    what = make(repo / rel)
    outputs = validate_all_formats(run_cli, repo)
    assert_one_finding(outputs, rel, 1, 1, "not-a-file", f"this is {what}, not a file")
    assert "delete it" in str(outputs["text"]) or "rename it" in str(outputs["text"])


def test_a_pipe_never_makes_validate_wait(repo: Path) -> None:
    """In a subprocess with a timeout: a reader that opened the pipe would wait for ever."""
    os.mkfifo(repo / SCHOOL.replace("hollybrook", "piped"))
    result = run_module("--root", repo, "validate", "--today", TODAY, timeout=60)
    assert result.code == 1
    assert "records/schools/piped.yaml:1:1: error: this is a named pipe" in result.out


def test_a_pipe_as_the_config_file_is_a_usage_error_not_a_hang(tmp_path: Path) -> None:
    from conftest import make_repo

    root = make_repo(tmp_path / "r")
    (root / "aprecords.yml").unlink()
    os.mkfifo(root / "aprecords.yml")
    result = run_module("--root", root, "validate", timeout=60)
    assert result.code == 2 and "aprecords.yml" in result.err and "Traceback" not in result.err


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("/etc/hostname", "a link to a file outside the records repository"),
        ("../../../aprecords.yml", "a link to the file aprecords.yml"),
        ("../../schools/hollybrook.yaml", "a link to the file records/schools/hollybrook.yaml"),
        ("nowhere.yaml", "a link that leads nowhere"),
    ],
    ids=["outside", "inside-not-a-record", "inside-a-record", "dangling"],
)
def test_a_link_under_records_is_an_error(repo: Path, run_cli, target: str, words: str) -> None:
    rel = "records/placements/hollybrook/linked.yaml"
    (repo / rel).symlink_to(target)
    outputs = validate_all_formats(run_cli, repo)
    assert_one_finding(outputs, rel, 1, 1, "record-symlink", words)
    # Named as a PATH argument, the link is still reported where it is.
    outputs = validate_all_formats(run_cli, repo, str(repo / rel))
    assert_one_finding(outputs, rel, 1, 1, "record-symlink", words)


def test_a_linked_folder_is_reported_not_followed(repo: Path, tmp_path: Path, run_cli) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.yaml").write_text("id: secret\n", "utf-8")
    (repo / "records/placements/linked").symlink_to(outside)
    outputs = validate_all_formats(run_cli, repo)
    assert_one_finding(
        outputs, "records/placements/linked", 1, 1, "record-symlink", "a link to a folder outside"
    )
    assert "secret" not in json.dumps(outputs["json"])


def test_a_plain_repository_still_validates_with_its_files_counted(repo: Path, run_cli) -> None:
    result = run_cli("--root", repo, "validate", "--today", TODAY)
    assert result.code == 0 and "4 records checked: 0 errors" in result.err
    assert line_of(repo / PLACEMENT, NAME_LINE) > 0


# --- history: a past version holding invisible characters is still protected -----------------


def test_a_past_review_with_an_invisible_character_stays_protected(git_repo: Path, run_cli) -> None:
    """Recorded before such characters were refused: deleting the character is allowed (and
    required), while any other change to that review is still caught."""
    from conftest import git

    file = git_repo / PLACEMENT
    clean = file.read_text("utf-8")
    file.write_text(clean.replace("one warning", "one war\u00adning"), "utf-8")
    git(git_repo, "commit", "-q", "-am", "A review pasted from a word processor")

    def history(*args: str):  # noqa: ANN202
        return run_cli("--root", git_repo, "validate", "--base", "main", "--today", TODAY, *args)

    result = history()
    assert result.code == 1 and "U+00AD SOFT HYPHEN" in result.out
    file.write_text(clean, "utf-8")  # the character deleted, nothing else changed
    result = history()
    assert result.code == 0, result.out
    line = replace_line(file, "behaviour: Good; one warning", "behaviour: Good; no warning")
    result = history("--format", "json")
    assert [(f["line"], f["rule"]) for f in json.loads(result.out)["findings"]] == [
        (line, "review-unchanged")
    ]


def test_escapes_are_found_at_any_depth_without_recursion() -> None:
    from aprecords.load import MAX_DEPTH
    from aprecords.unseen import without_unseen

    depth = MAX_DEPTH - 1
    err = refused("a: " + "[" * depth + '"x\\u202e"' + "]" * depth + "\n")
    assert (err.rule, err.line, err.column) == ("invisible-character", 1, 4 + depth)
    assert refused('a: [[1, "ok"], {b: ["\\x1b"]}]\n').column == 21  # document order
    nested: list = ["a\u00adb"]
    for _ in range(depth * 3):
        nested = [nested]
    cleaned = without_unseen({"k\u200b": nested})
    inner = cleaned["k"]
    while isinstance(inner, list) and isinstance(inner[0], list):
        inner = inner[0]
    assert inner == ["ab"]


def test_a_folder_given_as_path_reports_what_is_not_a_file_under_it(
    repo: Path, tmp_path: Path, run_cli
) -> None:
    (tmp_path / "elsewhere").mkdir()
    (repo / "records/placements/linked").symlink_to(tmp_path / "elsewhere")
    os.mkfifo(repo / "records/placements/hollybrook/piped.yaml")
    (repo / "records/schools/odd.yaml").mkdir()
    outputs = validate_all_formats(run_cli, repo, str(repo / "records/placements"))
    found = {(f["path"], f["rule"]) for f in outputs["json"]["findings"]}  # type: ignore[index]
    assert found == {
        ("records/placements/linked", "record-symlink"),
        ("records/placements/hollybrook/piped.yaml", "not-a-file"),
    }
    outputs = validate_all_formats(run_cli, repo, str(repo / "records/schools/odd.yaml"))
    assert_one_finding(outputs, "records/schools/odd.yaml", 1, 1, "not-a-file", "a folder")


def test_history_leaves_huge_blobs_and_links_at_the_base_unread(git_repo: Path) -> None:
    from aprecords.gitlog import read_tree
    from conftest import git

    folder = git_repo / "records/placements/hollybrook"
    (folder / "huge.yaml").write_bytes(b"# " + b"x" * (DEFAULT_MAX_BYTES + 10) + b"\n")
    (folder / "linked.yaml").symlink_to("hollybrook-2025-001.yaml")
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "A huge file and a link")
    assert set(read_tree(git_repo, "HEAD", "records/placements")) == {
        PLACEMENT,
        "records/placements/hollybrook/huge.yaml",
    }
    assert set(read_tree(git_repo, "HEAD", "records/placements", DEFAULT_MAX_BYTES)) == {PLACEMENT}


def test_a_pipe_where_the_base_had_a_record_does_not_hang_validate_base(git_repo: Path) -> None:
    (git_repo / PLACEMENT).unlink()
    os.mkfifo(git_repo / PLACEMENT)
    result = run_module(
        "--root", git_repo, "validate", "--base", "main", "--today", TODAY, timeout=60
    )
    assert result.code == 1, result.err
    assert f"{PLACEMENT}:1:1: error: this is a named pipe" in result.out


def test_a_carriage_return_that_ends_no_line_is_refused() -> None:
    """A terminal prints 'name: Kayden\\rEvil' as 'Evil: Kayden'; YAML sees a line break."""
    err = refused("id: x\r\nname: Kayden\rEvil\r\n")
    assert (err.rule, err.line, err.column) == ("control-character", 2, 13)
    assert "U+000D" in err.message
    assert load_text(decode(b"id: x\r\nname: y\r\n"), "x").data == {"id": "x", "name": "y"}
