"""Pupil and provider identifiers."""

from __future__ import annotations

from collections.abc import Iterator

from aprecords.findings import pointer
from aprecords.repository import Record
from aprecords.validate.rules.base import Context, Hit, rule

CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # value = index: A0 .. Z22 (no I, O, S)


def upn_check_letter(upn: str) -> str:
    """The check letter for a UPN's last 12 characters (DfE algorithm, weights 2..13)."""
    total = 0
    for weight, ch in enumerate(upn[1:13], start=2):
        total += weight * (int(ch) if ch.isdigit() else CHECK_LETTERS.index(ch))
    return CHECK_LETTERS[total % 23]


@rule("upn-check-letter", "A UPN's first letter matches its check letter.")
def upn_check(record: Record, ctx: Context) -> Iterator[Hit]:
    """A wrong check letter means a mistyped UPN."""
    upn = record.data["student"].get("upn")
    if upn and upn_check_letter(upn) != upn[0]:
        yield Hit(
            record,
            pointer("student", "upn"),
            f"the UPN {upn} fails its check: the check letter should be "
            f"{upn_check_letter(upn)}, not {upn[0]}; copy the UPN again from the MIS",
        )


@rule(
    "upn-la-code",
    "A UPN's local-authority code is in the range English LAs use.",
    severity="warning",
)
def upn_la_code(record: Record, ctx: Context) -> Iterator[Hit]:
    """Only a warning: new councils and pseudo-LA codes exist."""
    upn = record.data["student"].get("upn")
    if upn and not 201 <= int(upn[1:4]) <= 943:
        yield Hit(
            record,
            pointer("student", "upn"),
            f"the UPN's local-authority code {upn[1:4]} is outside the usual range "
            "201-943; check it is right",
        )


@rule(
    "laestab-la-code",
    "A school's LAESTAB begins with a local-authority code.",
    kinds=("school",),
    severity="warning",
)
def laestab_la_code(record: Record, ctx: Context) -> Iterator[Hit]:
    """Only a warning, for the same reason as ``upn-la-code``."""
    laestab = record.data.get("laestab")
    if laestab and not 201 <= int(laestab[:3]) <= 943:
        yield Hit(
            record,
            pointer("laestab"),
            f"the LAESTAB's local-authority code {laestab[:3]} is outside the usual range "
            "201-943; check it is right",
        )
