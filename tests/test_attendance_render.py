"""Attendance renderers: the herringbone table, the key, the SVG chart, the page section."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser

from aprecords.attendance.codes import CODES
from aprecords.attendance.figures import count, weekly
from aprecords.attendance.register import Week
from aprecords.attendance.render import agreement_section, chart_svg, herringbone, legend

SVG = "{http://www.w3.org/2000/svg}"
WEEKS = [
    Week(date(2025, 12, 1), ("/", "\\", "-", "-", "/", "\\", "-", "-", "#", "-")),
    Week(date(2025, 12, 8), ("N", "O", "-", "-", "I", "\\", "-", "-", "D", "Y1")),
    Week(date(2025, 12, 15), ("-",) * 10),
]


class Cells(HTMLParser):
    """Collects each <td>'s visible text, its att class and its screen-reader text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, str, str]]] = []
        self.where: list[str] = []
        self.current: list[str] = ["", "", ""]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "tr":
            self.rows.append([])
        if tag == "td":
            self.current = ["", "", ""]
        if "att-sr" in classes:
            self.where.append("sr")
        elif "att" in classes:
            self.current[1] = next(c for c in classes if c.startswith("att-"))
            self.where.append("code")
        elif tag == "span":
            self.where.append("other")

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self.where:
            self.where.pop()
        if tag == "td":
            self.rows[-1].append(tuple(self.current))  # type: ignore[arg-type]

    def handle_data(self, data: str) -> None:
        if self.where and self.where[-1] == "sr":
            self.current[2] += data.strip()
        elif self.where and self.where[-1] == "code":
            self.current[0] += data


def parse(html: str) -> list[list[tuple[str, str, str]]]:
    parser = Cells()
    parser.feed(html)
    return [row for row in parser.rows if row]


def test_herringbone_shows_each_code_its_category_and_words() -> None:
    rows = parse(herringbone(WEEKS))
    assert len(rows) == 3 and all(len(row) == 11 for row in rows)
    first = rows[0]
    # Numeric references keep \ and # from being read as Markdown; the parser decodes them.
    assert [c[0] for c in first[:10]] == ["/", "\\", "-", "-", "/", "\\", "-", "-", "#", "-"]
    assert first[0][1:] == ("att-present", "present")
    assert first[8][1:] == ("att-not-counted", "not counted")
    second = rows[1]
    assert second[0][1:] == ("att-unauthorised", "unauthorised absence")
    assert second[4][1:] == ("att-authorised", "authorised absence")
    assert second[8][1:] == ("att-not-possible", "not a possible session")
    assert second[9][0] == "Y1"


def test_herringbone_is_inert_html_with_headers() -> None:
    html = herringbone(WEEKS)
    assert "\\" not in html and "#" not in html.replace("&#", "")
    assert "<caption>" in html and html.count('scope="row"') == 3
    assert ">1 of 4 (25.0%)<" in html  # N O I \ : one attended of four possible
    assert ">no sessions<" in html
    assert "\n\n" not in html  # one HTML block for Markdown


def test_key_lists_every_code() -> None:
    text = legend()
    for code in CODES:
        assert code.meaning in text
    # Every code, and the missing mark (a timetabled session left blank).
    assert text.count('class="att ') == len(CODES) + 1
    assert "Missing mark" in text and "att-missing" in text


def test_chart_is_svg_with_title_desc_and_a_bar_per_week_with_sessions() -> None:
    svg = chart_svg(weekly(WEEKS), "p-1", "Weekly attendance <of> A & B")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.get("aria-labelledby") == "att-chart-p-1-title att-chart-p-1-desc"
    assert root.find(f"{SVG}title").text == "Weekly attendance <of> A & B"
    desc = root.find(f"{SVG}desc").text
    assert "2 weeks with sessions, from 1 Dec 2025 to 8 Dec 2025" in desc
    assert "Overall 5 of 8 possible sessions attended (62.5%)" in desc
    assert "Lowest week: 8 Dec 2025, 25.0%" in desc
    bars = [r for r in root.iter(f"{SVG}rect")]
    assert [b.get("class") for b in bars] == ["att-bar", "att-bar-severe"]
    heights = [float(b.get("height")) for b in bars]
    assert heights[0] == 4 * heights[1]  # 100% against 25%
    assert "script" not in svg.lower() and "http" not in svg.replace(SVG[1:-1], "")


def test_chart_of_nothing_says_so() -> None:
    root = ET.fromstring(chart_svg([], "x", "Empty"))
    assert root.find(f"{SVG}desc").text == "No sessions recorded yet."


def test_persistent_week_is_amber() -> None:
    svg = chart_svg([(date(2025, 12, 1), count(["/"] * 9 + ["I"]))], "x", "t")
    assert 'class="att-bar-low"' in svg  # exactly 90% is persistent absence


def test_agreement_section() -> None:
    placement = {"actual_start": "2025-12-01", "reviews": [{"date": "2025-12-08"}]}
    data = {
        "placement": "p",
        "weeks": [{"week": str(w.start), "marks": list(w.marks)} for w in WEEKS],
    }
    text = agreement_section("p", placement, data, date(2026, 1, 10))
    assert text.startswith("## Attendance\n")
    for part in ("### Weekly attendance", "### Herringbone", "<svg", "Key to the codes"):
        assert part in text
    # With no timetable in the data no mark is owed: the Missing marks column is 0.
    assert "| From the start to the review of 8 Dec 2025 | 4 | 4 | 0 | 0 | 0 | 100.0% |" in text
    assert (
        "| Since the review of 8 Dec 2025 &#40;to 10 Jan 2026&#41; | 4 | 1 | 1 | 2 | 0 | 25.0% |"
        in text
    )
    assert agreement_section("p", placement, None, date(2026, 1, 10)).endswith(
        "No attendance recorded yet.\n\n"
    )


def test_the_help_page_documents_every_code_and_rule() -> None:
    from aprecords.validate.rules import attendance as family
    from aprecords.validate.rules.base import Rule
    from conftest import PROJECT

    text = (PROJECT / "docs/attendance.md").read_text("utf-8")
    for code in CODES:
        assert f"`{code.mark}`" in text, code.mark
    rules = [r for r in vars(family).values() if isinstance(r, Rule)]
    assert len(rules) >= 6
    for rule in rules:
        assert f"`{rule.id}`" in text, rule.id


# A return that left Tuesday blank where the timetable owes Mon, Tue and Wed, AM and PM.
TIMETABLED = {
    "actual_start": "2026-01-05",
    "placements": [
        {
            "provider": "brickworks",
            "sessions": {"monday": ["AM", "PM"], "tuesday": ["AM", "PM"]},
        }
    ],
}
BLANK_TUESDAY = {
    "placement": "p",
    "weeks": [{"week": "2026-01-05", "marks": ["/", "\\", "-", "-", "-", "-", "-", "-", "-", "-"]}],
}


def test_a_blank_timetabled_session_is_a_missing_mark_not_no_session() -> None:
    text = agreement_section("p", TIMETABLED, BLANK_TUESDAY, date(2026, 1, 12))
    rows = parse(text.split("### Herringbone")[1])
    (week,) = rows
    assert week[2] == ("?", "att-missing", "missing mark")
    assert week[3] == ("?", "att-missing", "missing mark")
    assert week[4] == ("-", "att-none", "no session")  # Wednesday is not on the timetable
    assert "2 of 2 (100.0%), 2 marks missing" in text
    # The figures table counts the two missing marks on their own, never as attended.
    assert "| Whole placement &#40;from 5 Jan 2026&#41; | 2 | 2 | 0 | 0 | 2 | 100.0% |" in text
    svg = text.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "2 timetabled sessions have no mark" in svg and "att-missing-mark" in svg


def test_marks_not_yet_due_are_not_missing() -> None:
    # On Tue 6 Jan only Monday has passed: Tuesday is not yet owed.
    text = agreement_section("p", TIMETABLED, BLANK_TUESDAY, date(2026, 1, 6))
    assert "att-missing" not in text.split("### Herringbone")[1].split("Key to the codes")[0]
    assert "| 2 | 2 | 0 | 0 | 0 | 100.0% |" in text
