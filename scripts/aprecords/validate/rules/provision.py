"""What may be commissioned: registration, EHCP outcomes, attendance figures."""

from __future__ import annotations

from collections.abc import Iterator

from aprecords import model
from aprecords.findings import pointer
from aprecords.repository import Record
from aprecords.validate.rules.base import Context, Hit, rule


@rule(
    "ehcp-outcome-needs-ehcp",
    "A target marked as an EHCP outcome belongs to a pupil with an EHCP.",
    severity="warning",
)
def ehcp_outcome_needs_ehcp(record: Record, ctx: Context) -> Iterator[Hit]:
    """Likely a mistake either in ``student.ehcp`` or in the target."""
    if record.data["student"]["ehcp"]:
        return
    lists = [("targets",)] + [
        ("reviews", r, "targets") for r in range(len(model.reviews(record.data)))
    ]
    for path in lists:
        node = record.data
        for token in path:
            node = node[token]
        for i, target in enumerate(node):
            if target.get("ehcp_outcome"):
                yield Hit(
                    record,
                    pointer(*path, i, "ehcp_outcome"),
                    f"{target['id']} is marked as an EHCP outcome but student.ehcp is "
                    "false; correct one of them",
                )


@rule("attendance-figures", "A review's attendance figures add up and match its percentage.")
def attendance_figures(record: Record, ctx: Context) -> Iterator[Hit]:
    """Attended plus absences cannot exceed the sessions possible."""
    for r, review in enumerate(model.reviews(record.data)):
        figures = review["attendance"]
        possible = figures.get("sessions_possible")
        if possible is None:
            continue
        parts = {
            k: figures.get(k, 0)
            for k in ("sessions_attended", "authorised_absence", "unauthorised_absence")
        }
        attended = parts["sessions_attended"]
        if attended > possible:
            yield Hit(
                record,
                pointer("reviews", r, "attendance", "sessions_attended"),
                f"{attended} sessions attended is more than the {possible} possible",
            )
        elif sum(parts.values()) > possible:
            yield Hit(
                record,
                pointer("reviews", r, "attendance", "sessions_possible"),
                f"attended and absent sessions add up to {sum(parts.values())}, more than "
                f"the {possible} possible; check the figures",
            )
        pct = figures.get("percentage")
        if pct is not None and possible > 0 and "sessions_attended" in figures:
            actual = 100 * attended / possible
            if abs(actual - pct) >= 1:
                yield Hit(
                    record,
                    pointer("reviews", r, "attendance", "percentage"),
                    f"{pct}% does not match {attended} of {possible} sessions "
                    f"({actual:.1f}%); correct the figures or the percentage",
                )


@rule(
    "reason-needs-ehcp",
    "A placement whose census reason is named-in-ehc-plan belongs to a pupil with an EHCP.",
    severity="warning",
)
def reason_needs_ehcp(record: Record, ctx: Context) -> Iterator[Hit]:
    """The school census rejects the pair (DfE error 2363, as Arbor documents it)."""
    if record.data.get("reason") == "named-in-ehc-plan" and not record.data["student"]["ehcp"]:
        yield Hit(
            record,
            pointer("reason"),
            "the census reason is named-in-ehc-plan but student.ehcp is false: the census "
            "rejects the pair; correct the reason or the pupil's EHC plan",
        )
