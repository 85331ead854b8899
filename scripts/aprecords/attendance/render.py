"""Attendance on the site: the herringbone grid as Markdown and a weekly chart as inline SVG.

Both are plain strings built at build time: no JavaScript, nothing fetched. Every text is
escaped (the grid turns punctuation into numeric references so Markdown cannot read ``\\``
or ``#`` as syntax; the SVG escapes ``& < > "``). Colour is never the only signal: each
cell carries its code and, for screen readers, the category in words; the chart has a
``<title>`` and a ``<desc>`` giving the figures in words. A ``-`` where the timetable owes
a session is shown as a missing mark (``?``), never as "no session".
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from typing import Any

from aprecords import model
from aprecords.attendance.codes import (
    BY_MARK,
    CATEGORY_WORDS,
    CODES,
    NO_SESSION,
    SESSION_NAMES,
    Category,
)
from aprecords.attendance.figures import (
    HALF_TERM_WEEKS,
    RECENT_WEEKS,
    Figures,
    Flag,
    Period,
    between,
    count,
    flags_for,
    review_periods,
    schools_for,
    weekly,
    window,
)
from aprecords.attendance.register import Week, weeks_of
from aprecords.attendance.returns import Holidays, Owed, owed_by

_REFS = {ord(c): f"&#{ord(c)};" for c in string.punctuation}
LEGEND_ORDER: tuple[Category, ...] = (
    "present",
    "activity",
    "authorised",
    "unauthorised",
    "not-possible",
    "not-counted",
    "none",
)


def short_date(day: date) -> str:
    """'15 Sep 2025'."""
    return f"{day.day} {day:%b %Y}"


def percent(value: float | None) -> str:
    """'92.3%' or an em dash when there were no possible sessions."""
    return "\u2014" if value is None else f"{value:.1f}%"


def inert(text: str) -> str:
    """Text with every ASCII punctuation character as a numeric reference."""
    return text.translate(_REFS)


MISSING_MARK = "?"
MISSING_WORDS = "missing mark"


def missing_cell(session: str) -> str:
    """A timetabled session with no mark: shown as ``?`` and named in words."""
    title = inert(f"{session}: no mark given for a timetabled session")
    return (
        f'<span class="att att-missing" title="{title}">{inert(MISSING_MARK)}'
        f'<span class="att-sr"> {MISSING_WORDS}</span></span>'
    )


def cell(mark: str, session: str) -> str:
    """One session: the code, coloured by category, with the category in words for all."""
    code = BY_MARK.get(mark)
    kind = code.category if code else "none"
    meaning = code.meaning if code else "unknown code"
    shown = inert(mark)
    title = inert(f"{session}: {mark} {meaning}")
    return (
        f'<span class="att att-{kind}" title="{title}">{shown}'
        f'<span class="att-sr"> {escape(CATEGORY_WORDS[kind])}</span></span>'
    )


def _none(week: date) -> frozenset[int]:
    return frozenset()


def herringbone(weeks: Sequence[Week], owed: Owed = _none) -> str:
    """The grid as an HTML table (a row per week, Mon AM..Fri PM, the week's attendance).

    Raw HTML rather than a Markdown table, for a caption, row and column headers, and a
    compact layout; Markdown passes an HTML block through as it is.
    """
    if not weeks:
        return "No attendance recorded yet.\n"
    head = "".join(f'<th scope="col">{name}</th>' for name in SESSION_NAMES)
    lines = [
        '<div class="att-scroll"><table class="att-herringbone">',
        "<caption>Session marks, one row per week commencing Monday</caption>",
        f'<thead><tr><th scope="col">Week commencing</th>{head}'
        '<th scope="col">Attended</th></tr></thead><tbody>',
    ]
    for week in sorted(weeks, key=lambda w: w.start):
        due = owed(week.start)
        cells = "".join(
            f"<td>{missing_cell(SESSION_NAMES[i]) if i in due and m == NO_SESSION else cell(m, SESSION_NAMES[i])}</td>"  # noqa: E501
            for i, m in enumerate(week.marks)
        )
        lines.append(
            f'<tr><th scope="row">{short_date(week.start)}</th>{cells}'
            f"<td>{_fraction(count(week.marks, due))}</td></tr>"
        )
    lines.append("</tbody></table></div>")
    return "\n".join(lines) + "\n"


def missing_words(figures: Figures) -> str:
    """'2 marks missing' ('' when none is)."""
    n = figures.missing
    return f"{n} mark{'s' * (n != 1)} missing" if n else ""


def _fraction(figures: Figures) -> str:
    missing = missing_words(figures)
    if not figures.possible:
        return f"no marks, {missing}" if missing else "no sessions"
    shown = f"{figures.attended} of {figures.possible} ({percent(figures.rate)})"
    return f"{shown}, {missing}" if missing else shown


def legend() -> str:
    """The key to the grid's colours: each category with its codes, in words."""
    lines = ["Key to the codes:\n\n"]
    for kind in LEGEND_ORDER:
        codes = [c for c in CODES if c.category == kind]
        marks = " ".join(cell(c.mark, "key") for c in codes)
        meanings = "; ".join(f"{inert(c.mark)} {escape(c.meaning)}" for c in codes)
        lines.append(f"- **{CATEGORY_WORDS[kind].capitalize()}**: {marks} ({meanings})\n")
    lines.append(
        f"- **{MISSING_WORDS.capitalize()}**: {missing_cell('key')} (a session on the "
        "timetable with no mark yet; not counted as attended or as possible)\n"
    )
    return "".join(lines)


def figures_table(rows: Sequence[tuple[str, Figures]]) -> str:
    """Sessions possible, attended, absences and rate for labelled periods, with flags."""
    out = [
        "| Period | Possible sessions | Attended | Authorised absence | "
        "Unauthorised absence | Missing marks | Rate | Level |\n",
        "|---|---|---|---|---|---|---|---|\n",
    ]
    for label, f in rows:
        out.append(
            f"| {inert(label)} | {f.possible} | {f.attended} | {f.authorised} | "
            f"{f.unauthorised} | {f.missing} | {percent(f.rate)} | {level_badge(f)} |\n"
        )
    return "".join(out)


def level_badge(figures: Figures) -> str:
    """'severe absence', 'persistent absence' or 'below 10% absence', as a word in a span."""
    if figures.level == "severe":
        return '<span class="status status-severe">severe absence</span>'
    if figures.level == "persistent":
        return '<span class="status status-low">persistent absence</span>'
    if not figures.possible:
        return "\u2014"
    return "below 10%"


def periods_rows(periods: Sequence[Period]) -> list[tuple[str, Figures]]:
    """Review periods as (label, figures) rows."""
    return [(p.label, p.figures) for p in periods]


# The chart -----------------------------------------------------------------------------

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 48


def _bar_class(figures: Figures) -> str:
    level = figures.level
    return {"severe": "att-bar-severe", "persistent": "att-bar-low"}.get(level or "", "att-bar")


def chart_description(weekly: Sequence[tuple[date, Figures]]) -> str:
    """The chart's figures in words, for screen readers and for anyone without the picture."""
    marked = [(w, f) for w, f in weekly if f.possible]
    total = Figures()
    for _, f in weekly:
        total = total + f
    gaps = [(w, f) for w, f in weekly if f.missing]
    missing = (
        [
            f"{total.missing} timetabled session{'s' * (total.missing != 1)} "
            f"{'have' if total.missing != 1 else 'has'} no mark and "
            f"{'are' if total.missing != 1 else 'is'} left out of the figures, in "
            + "; ".join(f"{short_date(w)} ({f.missing})" for w, f in gaps)
            + "."
        ]
        if gaps
        else []
    )
    if not marked:
        return " ".join(["No sessions recorded yet.", *missing])
    lowest = min(marked, key=lambda wf: (wf[1].rate or 0.0, wf[0]))
    parts = [
        f"{len(marked)} weeks with sessions, from {short_date(marked[0][0])} to "
        f"{short_date(marked[-1][0])}.",
        f"Overall {total.attended} of {total.possible} possible sessions attended "
        f"({percent(total.rate)}).",
        f"Lowest week: {short_date(lowest[0])}, {percent(lowest[1].rate)}.",
        "Week by week: " + "; ".join(f"{short_date(w)} {percent(f.rate)}" for w, f in marked) + ".",
        *missing,
    ]
    return " ".join(parts)


def chart_svg(weekly: Sequence[tuple[date, Figures]], ident: str, title: str) -> str:
    """A bar per week (height = attendance rate), a dashed line at 90%; one line of SVG."""
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(weekly), 1)
    slot = inner_w / n
    bar = max(min(slot * 0.7, 40), 2)
    ids = escape(f"att-chart-{ident}", quote=True)

    def y(rate: float) -> float:
        return TOP + inner_h * (1 - rate / 100)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="att-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'aria-labelledby="{ids}-title {ids}-desc">',
        f'<title id="{ids}-title">{escape(title)}</title>',
        f'<desc id="{ids}-desc">{escape(chart_description(weekly))}</desc>',
    ]
    for rate in (0, 50, 100):
        parts.append(
            f'<line class="att-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(rate):.1f}" '
            f'y2="{y(rate):.1f}"/>'
            f'<text class="att-axis" x="{LEFT - 6}" y="{y(rate) + 4:.1f}" '
            f'text-anchor="end">{rate}%</text>'
        )
    parts.append(
        f'<line class="att-threshold" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(90):.1f}" '
        f'y2="{y(90):.1f}"/><text class="att-axis" x="{LEFT - 6}" y="{y(90) + 4:.1f}" '
        'text-anchor="end">90%</text>'
    )
    every = max(1, -(-n // 8))  # at most about eight date labels
    for i, (week, figures) in enumerate(weekly):
        x = LEFT + slot * i + (slot - bar) / 2
        label = escape(f"Week of {short_date(week)}: {_fraction(figures)}")
        if figures.missing:
            # An incomplete week: a '?' above the bar (or in its place), never a full bar.
            parts.append(
                f'<text class="att-axis att-missing-mark" x="{x + bar / 2:.1f}" '
                f'y="{TOP + 10}" text-anchor="middle">?<title>{label}</title></text>'
            )
        if figures.possible and figures.rate is not None:
            top = y(figures.rate)
            height = max(TOP + inner_h - top, 1.5)
            parts.append(
                f'<rect class="{_bar_class(figures)}" x="{x:.1f}" y="{TOP + inner_h - height:.1f}" '
                f'width="{bar:.1f}" height="{height:.1f}"><title>{label}</title></rect>'
            )
        elif not figures.missing:
            parts.append(
                f'<text class="att-axis" x="{x + bar / 2:.1f}" y="{TOP + inner_h - 4:.1f}" '
                f'text-anchor="middle">\u2013<title>{label}</title></text>'
            )
        if i % every == 0:
            parts.append(
                f'<text class="att-axis" x="{x + bar / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                f'text-anchor="middle">{escape(f"{week.day} {week:%b}")}</text>'
            )
    parts.append(
        f'<text class="att-axis" x="{LEFT + inner_w / 2:.1f}" y="{HEIGHT - 8}" '
        'text-anchor="middle">week commencing</text></svg>'
    )
    return "".join(parts)


def chart_figure(weekly: Sequence[tuple[date, Figures]], ident: str, title: str) -> str:
    """The chart inside a ``<figure>`` block, which Markdown passes through untouched."""
    caption = escape(title)
    return (
        f'<figure class="att-figure">{chart_svg(weekly, ident, title)}'
        f"<figcaption>{caption}. The dashed line is 90%: below it is persistent absence. "
        "A question mark is a week with timetabled sessions not yet marked."
        "</figcaption></figure>\n"
    )


# Page sections ---------------------------------------------------------------------------


def agreement_section(
    pid: str,
    placement: dict[str, Any],
    attendance: dict[str, Any] | None,
    today: date,
    lengths: tuple[int, int] = (RECENT_WEEKS, HALF_TERM_WEEKS),
    holidays: Holidays = (),
) -> str:
    """The agreement page's '## Attendance' section: figures, chart, herringbone, key."""
    out = ["## Attendance\n\n"]
    weeks = weeks_of(attendance) if isinstance(attendance, dict) else []
    if not weeks:
        out.append("No attendance recorded yet.\n\n")
        return "".join(out)
    assert isinstance(attendance, dict)
    owed = owed_by(placement, holidays, today, model.parse_date(attendance.get("kept_from")))
    start = model.parse_date(placement.get("actual_start"))
    whole = between(weeks, None, None, owed)
    rows = [("Whole placement" + (f" (from {short_date(start)})" if start else ""), whole)]
    periods = review_periods(placement, weeks, today, owed)
    if len(periods) > 1:  # with no review yet, the one period is the whole placement
        rows += [(p.label, p.figures) for p in periods]
    for length in dict.fromkeys(lengths):
        rows.append(
            (
                f"Last {length} weeks (before {short_date(today)})",
                window(weeks, today, length, owed),
            )
        )
    out.append(
        "Sessions at the provision from the weekly herringbone reports. Persistent absence "
        "is absence from 10% or more of possible sessions, severe absence from 50% or more; "
        "sessions that were not possible (D, Q, Y1 to Y7) and those not counted (X, Z, #) "
        "are left out. A missing mark (a timetabled session the return left blank) is neither "
        "attended nor possible: it is counted on its own until the provider sends it.\n\n"
    )
    out.append(figures_table(rows) + "\n")
    out.append("### Weekly attendance\n\n")
    out.append(chart_figure(weekly(weeks, owed), pid, "Weekly attendance at the provision") + "\n")
    out.append("### Herringbone\n\n")
    out.append(herringbone(weeks, owed) + "\n")
    out.append(legend() + "\n")
    return "".join(out)


@dataclass(frozen=True)
class Dashboard:
    """What the dashboard shows about attendance: flags and each school's figures."""

    weeks: tuple[int, ...]
    flags: list[Flag]
    per_school: dict[str, dict[str, Figures]]  # column label -> school id -> figures


def dashboard(
    placements: dict[str, dict[str, Any]],
    attendance: dict[str, dict[str, Any]],
    today: date,
    lengths: tuple[int, int] = (RECENT_WEEKS, HALF_TERM_WEEKS),
    holidays: Holidays = (),
) -> Dashboard:
    """Flags and per-school figures from an audience's scoped placements and attendance."""
    weeks = {pid: weeks_of(data) for pid, data in attendance.items()}
    distinct = tuple(dict.fromkeys(lengths))
    columns: list[tuple[str, date | None]] = [
        (f"Last {n} weeks", today - timedelta(weeks=n)) for n in distinct
    ]
    columns.append(("Whole record", None))
    per_school = {
        label: schools_for(placements, weeks, start, today, holidays) for label, start in columns
    }
    return Dashboard(distinct, flags_for(placements, weeks, today, lengths, holidays), per_school)
