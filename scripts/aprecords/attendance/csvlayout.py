"""Reading the attendance CSV as people and spreadsheets write it.

Headings are matched whatever their case, spacing, punctuation or order, with the usual
variants (``Week Commencing``, ``W/C``, ``Mon AM``, ``Monday PM``, ``Pupil``, ``UPN``,
``Record id``). Text is UTF-8 with or without a byte-order mark, or Windows-1252 (what Excel
saves as plain "CSV") when the bytes are not UTF-8. Dates are ``YYYY-MM-DD``, ``DD/MM/YYYY``
or ``DD/MM/YY``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from aprecords.attendance.codes import SESSION_KEYS

_DAYS = {
    "mon": 0,
    "monday": 0,
    "tue": 1,
    "tues": 1,
    "tuesday": 1,
    "wed": 2,
    "weds": 2,
    "wednesday": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thursday": 3,
    "fri": 4,
    "friday": 4,
}
_SESSION = re.compile(r"^([a-z]+?)(am|pm)$")
PUPIL = {"pupil", "pupilid", "record", "recordid", "id", "upn", "student", "placement"}
"""Headings of the column naming the pupil: record id, UPN or exact name."""
NAME = {"name", "pupilname", "studentname", "fullname"}
"""A name column beside a pupil column is for the reader of the sheet, not imported."""
WEEK = {"weekcommencing", "wc", "weekbeginning", "wb", "week", "weekstarting", "weekstart"}
DATE_FORMS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y")


def key(heading: str) -> str:
    """A heading reduced to lower-case letters and digits: ``Mon AM`` -> ``monam``."""
    return re.sub(r"[^a-z0-9]", "", heading.casefold())


def session_of(heading: str) -> int | None:
    """The session index (0 = Mon AM .. 9 = Fri PM) a heading names, if it names one."""
    found = _SESSION.match(key(heading).replace("session", ""))
    if found is None or found.group(1) not in _DAYS:
        return None
    return _DAYS[found.group(1)] * 2 + (0 if found.group(2) == "am" else 1)


@dataclass
class Layout:
    """Which column holds what; problems and notes about the header row."""

    pupil: int | None = None
    week: int | None = None
    sessions: dict[int, int] = field(default_factory=dict)  # session index -> column
    ignored: list[tuple[int, str]] = field(default_factory=list)  # (column, heading)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (column, message)

    @property
    def width(self) -> int:
        """The number of columns the header row has."""
        return 1 + max([self.pupil or 0, self.week or 0, *self.sessions.values()])


def layout(header: list[str]) -> Layout:
    """Find the pupil, week and ten session columns of a header row, in any order."""
    found = Layout()
    names: list[int] = []
    for column, heading in enumerate(header):
        k, session = key(heading), session_of(heading)
        if session is not None:
            if session in found.sessions:
                found.problems.append(
                    (column + 1, f"'{heading}' is a second column for {SESSION_KEYS[session]}")
                )
            found.sessions[session] = column
        elif k in PUPIL and found.pupil is None:
            found.pupil = column
        elif k in NAME:
            names.append(column)
        elif k in WEEK and found.week is None:
            found.week = column
        elif k:
            found.ignored.append((column + 1, heading.strip()))
    if found.pupil is None and names:  # a name column alone names the pupil
        found.pupil = names.pop(0)
    found.ignored += [(c + 1, header[c].strip()) for c in names]
    # A missing column is most likely the unrecognised heading: point at that one.
    at = found.ignored[0][0] if found.ignored else 1
    if found.pupil is None:
        found.problems.append((at, "no pupil column; add one headed 'pupil' (record id or UPN)"))
    if found.week is None:
        found.problems.append((at, "no week column; add one headed 'week_commencing'"))
    missing = [SESSION_KEYS[s] for s in range(10) if s not in found.sessions]
    if missing:
        found.problems.append(
            (at, f"no column for {', '.join(missing)}; the header needs all ten sessions, "
             "mon_am to fri_pm (or Mon AM to Fri PM)")
        )  # fmt: skip
    return found


def decode_csv(raw: bytes) -> tuple[str, str | None]:
    """The text of a CSV file, and a note when it was not UTF-8.

    Raises UnicodeDecodeError when the bytes are neither UTF-8 nor Windows-1252.
    """
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    return text, "the file is not UTF-8; it was read as Windows-1252 (Excel's plain CSV)"


def parse_week(text: str) -> date | None:
    """A date in one of :data:`DATE_FORMS`, or None."""
    forms = ("%d/%m/%y",) if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{2}", text) else DATE_FORMS
    for form in forms:
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None
