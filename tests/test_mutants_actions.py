"""actions.py case by case: every item, its date, who does it and who sees it.

Companion of ``bench/mutation.py actions.py`` (README "Mutation testing"). Dates are worked
out by hand (January 2026: Monday 5, 12, 19, 26; March: Monday 2, 9, 16, 23).
"""

from __future__ import annotations

from datetime import date

import pytest

from aprecords.access import Audience
from aprecords.actions import (
    SETUP_ITEMS,
    Action,
    next_review_pointer,
    placement_actions,
    returns_to,
    school_days_after,
    setup_missing,
)
from aprecords.config import Config

D = date.fromisoformat
CONFIG = Config.from_data(
    {
        "organisation": {"hub": "J16", "collaboration": "C", "mis": "M"},
        "review": {"due_soon_days": 14},
        "setup": {"grace_school_days": 5},
        "attendance": {
            "returns_to": {"name": "Attendance team", "email": "att@hub.example.org"},
            "holidays": [{"start": "2026-01-19", "end": "2026-01-23"}],
        },
    }
)
CONFIRMED = {
    "rationale_and_targets_agreed": {"agreed": True},
    "attendance": {"contacts_shared": True},
    "safeguarding": {"dsl_details_shared": True, "responsibilities_understood": True},
    "risks": {"risk_assessment_shared": True, "covers_offsite": True},
}
TUE = {"tuesday": ["AM", "PM"]}


def placement(**change: object) -> dict:
    data = {
        "school": "s",
        "actual_start": "2026-01-06",
        "placements": [
            {"provider": "a", "sessions": TUE},
            {"provider": "b", "sessions": {"friday": ["AM"]}},
        ],
        "agreements": CONFIRMED,
        "next_review": {"date": "2026-04-20", "staff": "A Mentor"},
    }
    data.update(change)
    return data


def marks(*pairs: tuple[int, str]) -> list[str]:
    out = ["-"] * 10
    for i, mark in pairs:
        out[i] = mark
    return out


def items(data: dict, today: str, register: dict | None = None, names=None) -> list[Action]:
    found = list(placement_actions("p", data, D(today), CONFIG, register, names=names))
    assert all(a.placement == "p" for a in found)  # every item names its placement
    return found


def test_nothing_for_an_ended_placement_or_one_fully_in_order() -> None:
    full = {
        "placement": "p",
        "weeks": [{"week": "2026-01-05", "marks": marks((2, "/"), (3, "\\"), (8, "/"))}],
    }
    assert items(placement(), "2026-01-12", full) == []
    assert items(placement(ended={"date": "2026-01-07"}), "2026-03-02") == []


def test_a_start_that_has_passed_is_overdue_for_hub_and_school() -> None:
    data = placement(requested_start="2026-01-05")
    del data["actual_start"]
    assert items(data, "2026-01-05") == []  # on the day itself, not yet
    (late,) = items(data, "2026-01-06")
    assert (late.rule, late.since, late.overdue, late.who) == (
        "start-overdue",
        D("2026-01-05"),
        True,
        ("hub", "school"),
    )
    assert late.pointer == "/requested_start"
    assert late.what == (
        "the requested start (2026-01-05) has passed and the placement has not started: "
        "record the date it started, or agree a new start date"
    )
    assert late.how == "the start date goes in actual_start, a new date in requested_start"
    assert late.for_hub == f"{late.what}; {late.how}"


def test_setup_items_warn_until_the_deadline_then_are_overdue() -> None:
    data = placement(agreements={**CONFIRMED, "risks": {"covers_offsite": True}})
    # Started Tue 6 Jan; five school days later is Tue 13 Jan.
    (early,) = [a for a in items(data, "2026-01-13") if a.rule.startswith("setup")]
    assert (early.rule, early.since, early.overdue) == ("setup-incomplete", D("2026-01-13"), False)
    assert early.pointer == "/agreements/risks/risk_assessment_shared"
    assert early.who == ("school",) and "(due by 2026-01-13)" in early.what
    (late,) = [a for a in items(data, "2026-01-14") if a.rule.startswith("setup")]
    assert (late.rule, late.overdue) == ("setup-overdue", True)
    assert "(was due by 2026-01-13)" in late.what


def test_setup_items_name_every_provider_where_providers_do_it() -> None:
    data = placement(agreements={**CONFIRMED, "safeguarding": {"dsl_details_shared": True}})
    (item,) = [a for a in items(data, "2026-01-07") if a.rule.startswith("setup")]
    assert item.who == ("hub", "provider:a", "provider:b")


def test_setup_missing_counts_false_and_absent_but_not_true() -> None:
    assert setup_missing({"agreements": CONFIRMED}) == []
    assert len(setup_missing({})) == len(SETUP_ITEMS) == 6
    unsure = {**CONFIRMED, "attendance": {"contacts_shared": False}}
    assert [path[-1] for path, _, _ in setup_missing({"agreements": unsure})] == ["contacts_shared"]
    assert len(setup_missing({"agreements": {"risks": "yes"}})) == 6


@pytest.mark.parametrize(
    ("review", "rule", "overdue"),
    [
        ("2026-03-24", "review-overdue", True),
        ("2026-03-25", "review-due", False),
        ("2026-04-08", "review-due", False),
        ("2026-04-09", None, False),
    ],
)
def test_review_due_and_overdue_around_today(review: str, rule: str | None, overdue: bool) -> None:
    data = placement(next_review={"date": review, "staff": "A Mentor"})
    found = [a for a in items(data, "2026-03-25") if a.rule.startswith("review")]
    assert [a.rule for a in found] == ([rule] if rule else [])
    if rule:
        (item,) = found
        assert (item.since, item.overdue) == (D(review), overdue)
        assert item.who == ("hub", "school", "provider:a", "provider:b")
        assert item.pointer == "/next_review/date" and review in item.what
        if overdue:
            assert item.what == f"hold the review that was due on {review}, and record it"
            assert item.how == "add it with `aprecords review`"
        else:
            assert item.what == f"the review is due on {review}: arrange the meeting"
            assert item.how == ""


def test_a_review_not_yet_started_placement_is_not_chased() -> None:
    data = placement(next_review={"date": "2026-01-01", "staff": "A Mentor"})
    del data["actual_start"]
    assert [a.rule for a in items(data, "2026-03-25")] == []


def test_the_next_review_is_agreed_at_the_latest_review() -> None:
    assert next_review_pointer({}) == "/next_review/date"
    two = {"reviews": [{"date": "2026-01-01"}, {"date": "2026-02-01"}]}
    assert next_review_pointer(two) == "/reviews/1/next_review/date"


def test_a_review_whose_figures_differ_from_the_register_is_the_hubs() -> None:
    register = {
        "placement": "p",
        "weeks": [{"week": "2026-01-05", "marks": marks((2, "/"), (3, "N"), (8, "/"))}],
    }
    typed = {"sessions_possible": 3, "sessions_attended": 3}
    review = {
        "date": "2026-01-12",
        "attendance": typed,
        "next_review": {"date": "2026-04-20", "staff": "A Mentor"},
    }
    (item,) = [
        a
        for a in items(placement(reviews=[review]), "2026-01-12", register)
        if a.rule == "review-attendance-register"
    ]
    assert item.who == ("hub",) and item.since == D("2026-01-12")
    assert item.pointer == "/reviews/0/attendance"
    assert item.what == (
        "the review of 2026-01-12 gives sessions_attended 3 (register: 2): add an amendment "
        "with the register's figures (or correct the register)"
    )
    # Once the placement has ended, nothing is asked about it, not even this.
    ended = placement(reviews=[review], ended={"date": "2026-01-12"})
    assert items(ended, "2026-01-12", register) == []
    agreed = {**review, "attendance": {"sessions_possible": 3, "sessions_attended": 2}}
    assert not [
        a
        for a in items(placement(reviews=[agreed]), "2026-01-12", register)
        if a.rule == "review-attendance-register"
    ]


def test_each_provider_is_chased_for_its_own_weeks_from_the_monday_after() -> None:
    # w/c 5 and 12 Jan due by 26 Jan; w/c 19 Jan is a holiday. Provider a sent w/c 5 Jan.
    register = {
        "placement": "p",
        "weeks": [{"week": "2026-01-05", "marks": marks((2, "/"), (3, "/"))}],
    }
    found = items(placement(), "2026-01-26", register, {"a": "Alpha", "b": "Beta"})
    returns = {a.who: a for a in found if a.rule == "attendance-return-missing"}
    assert set(returns) == {("provider:a",), ("provider:b",)}
    alpha, beta = returns[("provider:a",)], returns[("provider:b",)]
    assert alpha.since == D("2026-01-19") and beta.since == D("2026-01-12")
    assert alpha.overdue and beta.overdue
    assert "from Alpha for w/c 2026-01-12 (1 week)" in alpha.what
    assert "of that week to Attendance team (att@hub.example.org)" in alpha.what
    assert "from Beta for w/c 2026-01-05, 2026-01-12 (2 weeks)" in beta.what
    assert "of those weeks to" in beta.what and "partly" not in beta.what
    assert alpha.pointer == "/placements/0/provider" and beta.pointer == "/placements/1/provider"
    assert alpha.how == (
        "import it with `aprecords attendance import`; weeks in a school holiday "
        "go in attendance.holidays of aprecords.yml"
    )
    # Without names, the id is all there is.
    assert (
        "from a for w/c"
        in next(
            a for a in items(placement(), "2026-01-26", register) if a.who == ("provider:a",)
        ).what
    )


def test_who_sees_an_action() -> None:
    action = Action("r", "p", "/x", "do", ("hub", "provider:a"))
    hub = Audience("hub", "Hub", "hub", frozenset())
    school = Audience("s", "S", "school", frozenset(), schools=frozenset({"s"}))
    other = Audience("t", "T", "school", frozenset(), schools=frozenset({"t"}))
    a = Audience("a", "A", "provider", frozenset(), providers=frozenset({"a"}))
    b = Audience("b", "B", "provider", frozenset(), providers=frozenset({"b"}))
    assert action.concerns(hub, "s") and action.concerns(school, "s") and action.concerns(a, "s")
    assert not action.concerns(other, "s") and not action.concerns(b, "s")
    assert action.for_hub == "do"


def test_returns_go_to_the_configured_contact_else_the_hub() -> None:
    assert returns_to(CONFIG) == "Attendance team (att@hub.example.org)"
    bare = Config.from_data({"organisation": {"hub": "J16", "collaboration": "C", "mis": "M"}})
    assert returns_to(bare) == "the J16 hub"
    unnamed = Config.from_data(
        {
            "organisation": {"hub": "J16", "collaboration": "C", "mis": "M"},
            "attendance": {"returns_to": {"email": "x@y.org"}},
        }
    )
    assert returns_to(unnamed) == "J16 (x@y.org)"


def test_school_days_after_a_friday_and_none() -> None:
    assert school_days_after(D("2026-01-09"), 1) == D("2026-01-12")
    assert school_days_after(D("2026-01-05"), 4) == D("2026-01-09")
    assert school_days_after(D("2026-01-05"), 5) == D("2026-01-12")
    assert school_days_after(D("2026-01-10"), 0) == D("2026-01-10")
