"""`aprecords new` and `aprecords review`: what they write, and what they refuse."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from aprecords import authoring
from aprecords.authoring import NewPlacement, create_file, scalar
from aprecords.load import load_file, parse
from aprecords.model import ASSESSMENT_METHODS
from aprecords.repository import load_repository
from aprecords.validate import validate
from conftest import PLACEMENT, replace_line

NEW_FLAGS = (
    "--school", "hollybrook", "--provider", "brickworks", "--pupil", "Ada O'Neil",
    "--year", "9", "--requested-start", "2026-02-02", "--completed-by", "Ms Juniper Hale",
    "--completed-by-email", "j.hale@hollybrook.example.org", "--no-ehcp",
)  # fmt: skip
FOLDER = "records/placements/hollybrook"


def canonical_file(run_cli, root: Path, file: Path) -> bool:
    """The file is in the canonical layout (`aprecords fmt --check` passes on it)."""
    return run_cli("--root", root, "fmt", "--check", file).code == 0


def validate_json(run_cli, root: Path, today: str) -> list[dict]:
    result = run_cli("--root", root, "validate", "--format", "json", "--today", today)
    return json.loads(result.out)["findings"]


def no_temp_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.startswith(".")]


# --- new ----------------------------------------------------------------------------------


def test_new_writes_a_record_that_fails_only_on_placeholders(repo, run_cli):
    result = run_cli("--root", repo, "new", *NEW_FLAGS)
    assert result.code == 0, result.err
    rel = f"{FOLDER}/hollybrook-2026-001.yaml"
    assert rel in result.out and "aprecords validate" in result.out
    file = repo / rel
    text = file.read_text("utf-8")
    assert text.startswith("# Commissioning agreement made with `aprecords new` on ")
    assert canonical_file(run_cli, repo, file)
    data = load_file(file, rel).data
    assert data["id"] == "hollybrook-2026-001" and data["school"] == "hollybrook"
    assert data["student"] == {"name": "Ada O'Neil", "year_group": 9, "ehcp": False}
    assert data["assessment"]["methods"] == list(ASSESSMENT_METHODS)
    assert len(ASSESSMENT_METHODS) == 6
    assert data["placements"][0]["provider"] == "brickworks"
    assert data["placements"][0]["sites"] == ["yard"]  # the provider's first site
    assert data["completed_by"]["email"] == "j.hale@hollybrook.example.org"

    found = [f for f in validate_json(run_cli, repo, "2026-01-10") if f["path"] == rel]
    assert found and {f["rule"] for f in found} == {"placeholder-filled"}
    lines = text.splitlines()
    assert len(found) == sum("FILL IN: " in line and "#" not in line for line in lines)
    assert all("FILL IN" in lines[f["line"] - 1] for f in found)


def test_new_once_filled_in_is_valid(repo, run_cli):
    run_cli("--root", repo, "new", *NEW_FLAGS)
    file = repo / FOLDER / "hollybrook-2026-001.yaml"
    text = file.read_text("utf-8")
    # The timetable is the one answer that is not free text: the days and sessions agreed.
    sessions = re.compile(r"^      monday:\n        - .*FILL IN.*$", re.M)
    assert len(sessions.findall(text)) == 1
    text = sessions.sub("      tuesday:\n        - AM", text)
    file.write_text(text.replace("FILL IN: ", "Answer: "), "utf-8")
    found = [f for f in validate_json(run_cli, repo, "2026-01-10") if "2026-001" in f["path"]]
    assert found == []


def test_new_invents_no_session(repo, run_cli):
    """A made-up Monday would clash with another provider and hide a return never sent."""
    run_cli("--root", repo, "new", *NEW_FLAGS)
    data = load_file(repo / FOLDER / "hollybrook-2026-001.yaml", "x").data
    (item,) = data["placements"]
    assert [h for halves in item["sessions"].values() for h in halves if h in ("AM", "PM")] == []
    found = validate_json(run_cli, repo, "2026-01-10")
    assert any(f["pointer"] == "/placements/0/sessions/monday/0" for f in found)


def test_new_numbers_ids_after_the_highest_and_never_overwrites(repo, run_cli):
    (repo / FOLDER / "hollybrook-2026-007.yaml").write_text("keep: me\n", "utf-8")
    first = run_cli("--root", repo, "new", *NEW_FLAGS)
    second = run_cli("--root", repo, "new", *NEW_FLAGS)
    assert "hollybrook-2026-008" in first.out and "hollybrook-2026-009" in second.out
    assert (repo / FOLDER / "hollybrook-2026-007.yaml").read_text("utf-8") == "keep: me\n"
    assert no_temp_files(repo / FOLDER)


def test_create_file_refuses_to_overwrite(tmp_path):
    target = tmp_path / "a.yaml"
    target.write_text("old\n", "utf-8")
    with pytest.raises(FileExistsError):
        create_file(target, "new\n")
    assert target.read_text("utf-8") == "old\n" and no_temp_files(tmp_path)
    create_file(tmp_path / "b.yaml", "new\n")
    assert (tmp_path / "b.yaml").read_text("utf-8") == "new\n" and no_temp_files(tmp_path)


def test_new_with_an_id_already_taken_tries_the_next(repo, monkeypatch):
    monkeypatch.setattr(authoring, "next_id", lambda *a: "hollybrook-2025-001")
    before = (repo / PLACEMENT).read_bytes()
    with pytest.raises(authoring.UsageError, match="free id"):
        authoring.new_placement(repo, _answers(), date(2026, 1, 1))
    assert (repo / PLACEMENT).read_bytes() == before


def _answers(**change) -> NewPlacement:
    values = dict(school="hollybrook", providers=["brickworks"], pupil="Ada", year=9,
                  requested_start=date(2026, 2, 2), completed_by="Ms Hale",
                  completed_by_email="h@hollybrook.example.org", ehcp=True)  # fmt: skip
    values.update(change)
    return NewPlacement(**values)


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--school", "nowhere", "no school 'nowhere' in records/schools/ (known: hollybrook)"),
        ("--provider", "nobody", "no provider 'nobody' in records/providers/ (known: brickworks)"),
        ("--completed-by-email", "not-an-email", "is not an email address"),
        ("--year", "5", "from 7 to 13"),
        ("--school", "../schools/hollybrook", "no school"),
    ],
)
def test_new_bad_input_exits_2_with_a_clear_message(repo, run_cli, flag, value, message):
    args = list(NEW_FLAGS)
    args[args.index(flag) + 1] = value
    result = run_cli("--root", repo, "new", *args)
    assert result.code == 2 and message in result.err and "Traceback" not in result.err
    assert sorted(p.name for p in (repo / FOLDER).iterdir()) == ["hollybrook-2025-001.yaml"]


def test_new_missing_flags_without_a_terminal_is_a_usage_error(repo, run_cli):
    result = run_cli("--root", repo, "new", "--school", "hollybrook", "--no-ehcp")
    assert result.code == 2
    for flag in ("--provider", "--pupil", "--year", "--requested-start", "--completed-by"):
        assert flag in result.err


def test_new_checks_each_answer_as_it_is_given(repo, run_cli, monkeypatch):
    """An unknown school is refused at once, before the other questions."""
    answers = iter(["nowhere", "hollybrook", "nobody", "brickworks", "Ada Lovelace", "9",
                    "2026-03-02", "Mr Test", "t@hollybrook.example.org", "no"])  # fmt: skip
    asked: list[str] = []

    def fake_input(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", fake_input)
    result = run_cli("--root", repo, "new")
    assert result.code == 0, result.err
    assert asked[:4] == [asked[0], asked[0], asked[2], asked[2]]
    assert asked[0].startswith("School") and asked[2].startswith("Provider")
    first, second = (result.out.index(s) for s in ("no school 'nowhere'", "no provider 'nobody'"))
    assert first < second


def test_new_asks_on_a_terminal_for_what_is_missing(repo, run_cli, monkeypatch):
    answers = iter(["brickworks", "Ada Lovelace", "14", "9", "2026-02-30", "2026-03-02",
                    "Mr Test", "t@hollybrook.example.org", "maybe", "yes"])  # fmt: skip
    asked: list[str] = []

    def fake_input(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", fake_input)
    result = run_cli("--root", repo, "new", "--school", "hollybrook")
    assert result.code == 0, result.err
    assert len(asked) == 10  # bad year, date and yes/no answers were asked again
    assert "not a year group" in result.out and "not a date" in result.out
    data = load_file(repo / FOLDER / "hollybrook-2026-001.yaml", "x").data
    assert data["student"]["ehcp"] is True and data["requested_start"] == "2026-03-02"


@pytest.mark.parametrize(
    "text",
    ["plain words", 'a "quoted": colon # hash', "it's", "- dash", "yes", "012", "1:30", "true",
     "", " padded ", "line\nbreak", "@at", "%percent", "null", "2025-01-01", "é ünïcode"],
)  # fmt: skip
def test_scalar_round_trips_through_the_strict_loader(text):
    assert parse(f"k: {scalar(text)}\n") == {"k": text}


# --- review -------------------------------------------------------------------------------


def review(run_cli, root: Path, when: str):
    return run_cli("--root", root, "review", "hollybrook-2025-001", "--date", when)


def _reviews(file: Path) -> list[dict]:
    return load_file(file, "x").data.get("reviews", [])


def test_review_appends_one_review_and_keeps_every_line(git_repo, run_cli):
    file = git_repo / PLACEMENT
    replace_line(file, "safeguarding: None.", "safeguarding: None.  # a comment kept as is")
    before = file.read_bytes()
    old = _reviews(file)
    result = run_cli("--root", git_repo, "review", "hollybrook-2025-001", "--date", "2026-03-17")
    assert result.code == 0, result.err
    after = file.read_bytes()
    assert after.startswith(before)  # reviews: is the last key here: pure append
    new = _reviews(file)
    assert new[:-1] == old and len(new) == len(old) + 1
    added = new[-1]
    assert added["date"] == "2026-03-17"
    assert [p["target"] for p in added["progress"]] == ["T1", "T2"]
    assert [t["change"] for t in added["targets"]] == ["carried", "carried"]
    carried = [{k: v for k, v in t.items() if k != "change"} for t in added["targets"]]
    assert carried == [{k: v for k, v in t.items() if k != "change"} for t in old[-1]["targets"]]
    assert added["next_review"] == {"date": "2026-07-07", "staff": "Ms Harriet Ambleside"}
    assert no_temp_files(file.parent)

    second = run_cli("--root", git_repo, "review", "hollybrook-2025-001", "--date", "2026-03-18",
                     "--staff", "Mr Quentin Ashdown")  # fmt: skip
    assert second.code == 0, second.err
    assert file.read_bytes().startswith(after)
    again = _reviews(file)
    assert again[:-1] == new and len(again) == len(new) + 1
    assert again[-1]["next_review"]["staff"] == "Mr Quentin Ashdown"

    found = validate_json(run_cli, git_repo, "2026-03-20")
    rules = {f["rule"] for f in found}
    assert rules == {
        "placeholder-filled",
        "attendance-return-missing",
    }  # the fixture's register ends w/c 5 Jan 2026: later weeks are not received
    history = run_cli("--root", git_repo, "validate", "--base", "main", "--today", "2026-03-20",
                      "--format", "json")  # fmt: skip
    assert "review-unchanged" not in history.out


def test_review_inserts_before_later_keys_and_keeps_comments(repo, run_cli):
    file = repo / PLACEMENT
    text = file.read_text("utf-8")
    head, reviews = text.split("reviews:\n")
    tail = "# A closing comment about the record.\nreason: engagement\n"
    head = head.replace("reason: engagement\n", "")
    file.write_text(head + "reviews:\n" + reviews + "  # trailing note in the list\n" + tail)
    old = load_file(file, "x").data
    assert (
        run_cli("--root", repo, "review", "hollybrook-2025-001", "--date", "2026-03-17").code == 0
    )
    after = file.read_text("utf-8")
    # The file is laid out canonically (reason: goes to its place in the schema's order);
    # both comments are kept, every value recorded before is still there.
    assert canonical_file(run_cli, repo, file)
    new = load_file(file, "x").data
    assert new["reviews"][:-1] == old["reviews"] and new["reviews"][-1]["date"] == "2026-03-17"
    assert {k: v for k, v in new.items() if k != "reviews"} == {
        k: v for k, v in old.items() if k != "reviews"
    }
    assert "\n# A closing comment about the record.\nreason: engagement\n" in after
    assert "\n  # trailing note in the list\n" in after
    assert after.index("- date: 2026-03-17") < after.index("trailing note")  # the list's end


def test_review_creates_the_reviews_list_when_there_is_none(repo, run_cli):
    file = repo / PLACEMENT
    text = file.read_text("utf-8")
    file.write_text(text[: text.index("reviews:")].rstrip("\n"), "utf-8")  # no final newline
    before = file.read_text("utf-8")
    assert (
        run_cli("--root", repo, "review", "hollybrook-2025-001", "--date", "2025-12-09").code == 0
    )
    after = file.read_text("utf-8")
    assert after.startswith(before + "\n") and "\nreviews:\n" in after
    [review] = _reviews(file)
    assert [t["id"] for t in review["targets"]] == ["T1", "T2"]


def test_review_of_a_crlf_file_writes_the_canonical_line_endings(repo, run_cli):
    file = repo / PLACEMENT
    canonical_bytes = file.read_bytes()
    file.write_bytes(canonical_bytes.replace(b"\n", b"\r\n"))
    assert (
        run_cli("--root", repo, "review", "hollybrook-2025-001", "--date", "2026-03-17").code == 0
    )
    after = file.read_bytes()
    assert after.startswith(canonical_bytes) and b"\r" not in after


def test_review_copies_free_text_exactly(repo, run_cli):
    file = repo / PLACEMENT
    tricky = "Attend 90%: \"really\" # every 'session'"
    text = file.read_text("utf-8").replace(
        "target: Attend at least 90% of placement sessions.", f"target: {scalar(tricky)}"
    )
    file.write_text(text, "utf-8")
    assert (
        run_cli("--root", repo, "review", "hollybrook-2025-001", "--date", "2026-03-17").code == 0
    )
    assert _reviews(file)[-1]["targets"][0]["target"] == tricky


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (None, ("no-such-record",), "no placement record 'no-such-record'"),
        (None, ("hollybrook-2025-001", "--date", "2025-11-01"), "before the latest review"),
        (("year_group: 10", "year_group: 5"), ("hollybrook-2025-001",), "not a valid record"),
        (("actual_start: 2025-09-16", "# no start"), ("hollybrook-2025-001",), "actual_start"),
        (("year_group: 10", "year_group: 10\n  year_group: 10"), ("hollybrook-2025-001",),
         "appears twice"),
    ],
)  # fmt: skip
def test_review_refuses_and_leaves_the_file_alone(repo, run_cli, setup, args, message):
    file = repo / PLACEMENT
    if setup:
        file.write_text(file.read_text("utf-8").replace(*setup), "utf-8")
    before = file.read_bytes()
    result = run_cli("--root", repo, "review", *args)
    assert result.code == 2 and message in result.err and "Traceback" not in result.err
    assert file.read_bytes() == before and no_temp_files(file.parent)


def test_review_refuses_a_flow_style_reviews_list(repo, run_cli):
    file = repo / PLACEMENT
    text = file.read_text("utf-8")
    file.write_text(text[: text.index("reviews:")] + "reviews: []\n", "utf-8")
    before = file.read_bytes()
    result = run_cli("--root", repo, "review", "hollybrook-2025-001", "--date", "2025-12-09")
    assert result.code == 2 and "one entry per line" in result.err
    assert file.read_bytes() == before


def test_review_refuses_when_the_file_changes_meanwhile(repo, monkeypatch):
    file = repo / PLACEMENT
    real = authoring._check_appended

    def meddle(*args):
        real(*args)
        file.write_text(file.read_text("utf-8") + "# edited meanwhile\n", "utf-8")

    monkeypatch.setattr(authoring, "_check_appended", meddle)
    with pytest.raises(authoring.UsageError, match="changed while"):
        authoring.add_review(repo, "hollybrook-2025-001", date(2026, 3, 17))
    assert file.read_text("utf-8").endswith("# edited meanwhile\n")


def test_review_result_passes_every_rule_but_placeholders(repo):
    authoring.add_review(repo, "hollybrook-2025-001", date(2026, 3, 17))
    findings = validate(load_repository(repo), date(2026, 3, 20))
    rules = {f.rule for f in findings}
    assert rules == {
        "placeholder-filled",
        "attendance-return-missing",
    }  # the fixture's register ends w/c 5 Jan 2026: later weeks are not received


def _indentless(text: str) -> str:
    head, tail = text.split("reviews:\n")
    return head + "reviews:\n" + "\n".join(line[2:] for line in tail.splitlines()) + "\n"


@pytest.mark.parametrize(
    "layout",
    [
        lambda t: t.split("    amendments:\n")[0].replace(  # (the amendment would follow)
            "staff: Ms Harriet Ambleside\n", "staff: >-\n        Ms Harriet\n"
            "        Ambleside\n\n\n")[:-1],  # folded text at the very end
        _indentless,  # `- date:` at the same indent as `reviews:`
        lambda t: t + "\n# closing comment\n\n",
        lambda t: "\ufeff" + t,  # byte-order mark
        lambda t: t.rstrip("\n"),  # no final newline
    ],
    ids=["folded-end", "indentless", "trailing-comment", "bom", "no-final-newline"],
)  # fmt: skip
def test_review_handles_other_layouts(repo, run_cli, layout):
    """Whatever the layout, the review is added and the file is written canonically."""
    file = repo / PLACEMENT
    canonical_text = file.read_text("utf-8")
    file.write_bytes(layout(canonical_text).encode("utf-8"))
    closing = "# closing comment" in file.read_text("utf-8")
    old = _reviews(file)
    authoring.add_review(repo, "hollybrook-2025-001", date(2026, 3, 17))
    after = file.read_text("utf-8")
    assert canonical_file(run_cli, repo, file)
    if closing:
        assert after.endswith("\n# closing comment\n")
        after = after.removesuffix("# closing comment\n")
    cut = "    amendments:\n" if "    amendments:\n" not in layout(canonical_text) else None
    prefix = canonical_text.split(cut)[0] if cut else canonical_text  # (without the amendment)
    assert after.startswith(prefix)
    new = _reviews(file)
    assert new[:-1] == old and new[-1]["date"] == "2026-03-17"


def test_a_next_review_one_term_on_is_moved_back_out_of_a_holiday(repo, run_cli):
    """16 weeks after Mon 2 Feb 2026 is Mon 25 May, in the summer half term (25 to 29 May in
    aprecords.yml): the latest school day before it is Fri 22 May."""
    run_cli("--root", repo, "new", *NEW_FLAGS)
    data = load_file(repo / FOLDER / "hollybrook-2026-001.yaml", "x").data
    assert data["next_review"]["date"] == "2026-05-22"
    result = run_cli("--root", repo, "review", "hollybrook-2025-001", "--date", "2026-02-03")
    assert result.code == 0, result.err
    reviews = load_file(repo / PLACEMENT, "x").data["reviews"]
    assert reviews[-1]["next_review"]["date"] == "2026-05-22"  # 26 May is in the half term
    assert authoring.school_day_by(date(2026, 5, 24), []) == date(2026, 5, 22)  # a Sunday
    assert authoring.school_day_by(date(2026, 5, 21), []) == date(2026, 5, 21)


def test_a_fill_in_outside_the_timetable_is_still_a_schema_error(repo, run_cli):
    """Only the timetable's FILL IN is left to placeholder-filled alone: elsewhere a rule
    could meet text where it expects a number, so the schema reports it first."""
    run_cli("--root", repo, "new", *NEW_FLAGS)
    file = repo / FOLDER / "hollybrook-2026-001.yaml"
    text = file.read_text("utf-8")
    assert "hours_per_week: 5" in text
    file.write_text(text.replace("hours_per_week: 5", "hours_per_week: 'FILL IN: hours'"))
    found = [f for f in validate_json(run_cli, repo, "2026-01-10") if "2026-001" in f["path"]]
    assert any(f["rule"].startswith("schema-") and "hours_per_week" in f["pointer"] for f in found)
