"""The DfE attendance codes (2024) and what each means for the figures.

A week holds ten sessions, Monday AM to Friday PM. Each session carries one code, or
``-`` where no session was planned at the provision (the pupil was in school, or it was
not a placement day). The categories follow the DfE guidance:

- ``present``: at the provision (``/`` AM, ``\\`` PM, ``L`` late before the register closed);
- ``activity``: approved educational activity away from school (``K V P W B``), counts as
  attendance;
- ``authorised`` and ``unauthorised`` absence: possible sessions missed;
- ``not-possible``: ``D`` (dual registration), ``Q`` and ``Y1``..``Y7`` (unable to attend for
  exceptional reasons): not counted as possible sessions;
- ``not-counted``: ``X`` (not of compulsory school age), ``Z`` and ``#`` (administrative);
- ``none``: ``-``, no session planned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Category = Literal[
    "present", "activity", "authorised", "unauthorised", "not-possible", "not-counted", "none"
]

SESSIONS_PER_WEEK = 10
SESSION_NAMES = (
    "Mon AM", "Mon PM", "Tue AM", "Tue PM", "Wed AM",
    "Wed PM", "Thu AM", "Thu PM", "Fri AM", "Fri PM",
)  # fmt: skip
# Column names of the CSV layout, in the same order.
SESSION_KEYS = (
    "mon_am", "mon_pm", "tue_am", "tue_pm", "wed_am",
    "wed_pm", "thu_am", "thu_pm", "fri_am", "fri_pm",
)  # fmt: skip
NO_SESSION = "-"


@dataclass(frozen=True)
class Code:
    """One attendance code: the mark, its category and what it means in words."""

    mark: str
    category: Category
    meaning: str


CODES: tuple[Code, ...] = (
    Code("/", "present", "present (morning)"),
    Code("\\", "present", "present (afternoon)"),
    Code("L", "present", "late, before the register closed"),
    Code("K", "activity", "education arranged by the local authority"),
    Code("V", "activity", "educational visit or trip"),
    Code("P", "activity", "approved sporting activity"),
    Code("W", "activity", "work experience"),
    Code("B", "activity", "other approved off-site educational activity"),
    Code("C1", "authorised", "leave for a regulated performance or employment"),
    Code("C2", "authorised", "leave for part-time timetable (compulsory school age)"),
    Code("C", "authorised", "leave for exceptional circumstances"),
    Code("M", "authorised", "medical or dental appointment"),
    Code("J1", "authorised", "interview"),
    Code("S", "authorised", "study leave"),
    Code("E", "authorised", "suspended or excluded, no alternative provision"),
    Code("I", "authorised", "illness"),
    Code("R", "authorised", "religious observance"),
    Code("T", "authorised", "mobile child travelling"),
    Code("G", "unauthorised", "holiday not granted by the school"),
    Code("N", "unauthorised", "reason not yet given"),
    Code("O", "unauthorised", "absent in other or unknown circumstances"),
    Code("U", "unauthorised", "arrived after the register closed"),
    Code("D", "not-possible", "dual registered, at another school"),
    Code("Q", "not-possible", "unable to attend: lack of access arrangements"),
    Code("Y1", "not-possible", "unable to attend: transport not available"),
    Code("Y2", "not-possible", "unable to attend: widespread disruption to travel"),
    Code("Y3", "not-possible", "unable to attend: part of school premises closed"),
    Code("Y4", "not-possible", "unable to attend: whole school site closed"),
    Code("Y5", "not-possible", "unable to attend: criminal justice detention"),
    Code("Y6", "not-possible", "unable to attend: public health guidance or law"),
    Code("Y7", "not-possible", "unable to attend: other exceptional circumstances"),
    Code("X", "not-counted", "not of compulsory school age"),
    Code("Z", "not-counted", "pupil not yet on roll"),
    Code("#", "not-counted", "planned whole-school closure"),
    Code(NO_SESSION, "none", "no session planned at the provision"),
)

BY_MARK: dict[str, Code] = {code.mark: code for code in CODES}
MARKS: tuple[str, ...] = tuple(code.mark for code in CODES)

CATEGORY_WORDS: dict[Category, str] = {
    "present": "present",
    "activity": "approved educational activity",
    "authorised": "authorised absence",
    "unauthorised": "unauthorised absence",
    "not-possible": "not a possible session",
    "not-counted": "not counted",
    "none": "no session",
}


def category(mark: str) -> Category:
    """The category of a mark; KeyError for a mark that is not a code."""
    return BY_MARK[mark].category


def is_code(mark: str) -> bool:
    """True for one of the codes (including ``-``)."""
    return mark in BY_MARK
