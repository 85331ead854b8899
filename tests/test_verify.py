"""The leak check finds outside pupils and withheld texts however a file encodes them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from aprecords.access import audiences
from aprecords.guard.names import MIN_CHARS, MIN_WORDS, searchable
from aprecords.guard.normal import words
from aprecords.guard.plan import WINDOW, plan
from aprecords.guard.scan import LeakError, check, scan
from aprecords.repository import load_repository
from aprecords.scope import Scoped, scope
from conftest import PROJECT


@pytest.fixture(scope="module")
def provider_scope() -> Scoped:
    """A provider's scope from the examples: has outside pupils and withheld safeguarding."""
    repo = load_repository(PROJECT)
    for audience in audiences(repo):
        scoped = scope(repo, audience)
        searchable_text = any(searchable(text) for text, _ in scoped.withheld)
        if audience.kind == "provider" and scoped.outside and searchable_text:
            return scoped
    raise AssertionError("the examples need a provider with withheld safeguarding text")


def outside_name(scoped: Scoped) -> tuple[str, str]:
    return next((v, p) for v, p in scoped.outside if " " in v)


def long_withheld(scoped: Scoped) -> tuple[str, str]:
    return next((t, s) for t, s in scoped.withheld if searchable(t))


def site(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    root = tmp_path / "site"
    for name, content in files.items():
        file = root / name
        file.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            file.write_bytes(content)
        else:
            file.write_text(content, "utf-8")
    return root


def test_a_clean_site_passes(tmp_path: Path, provider_scope: Scoped) -> None:
    root = site(tmp_path, {"index.html": "<h1>Placements</h1><p>Nothing to see.</p>"})
    assert scan(root, provider_scope) == []
    check(root, provider_scope)


def _entity(text: str) -> str:
    return "".join(f"&#{ord(c)};" if c.isalpha() and i % 2 else c for i, c in enumerate(text))


def _json_escaped(text: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in text)


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("page.html", lambda v: f"<p>{v}</p>"),
        ("page.html", lambda v: f"<p>{v.upper()}</p>"),
        ("page.html", lambda v: "<p>" + v.replace(" ", " \n\t  ") + "</p>"),
        ("page.html", lambda v: f"<p>{_entity(v)}</p>"),
        ("page.html", lambda v: "<td>" + v.replace(" ", "</td> <td><em>", 1) + "</em></td>"),
        # Words separated only by tags (no space): a tag must count as a word break.
        ("page.html", lambda v: "<tr><td>10</td><td>" + v + "</td></tr>"),
        ("page.html", lambda v: "<td>" + v.replace(" ", "</td><td>") + "</td>"),
        ("page.html", lambda v: v.replace(" ", "<br>")),
        ("page.html", lambda v: f'<img alt="{v}" src="x.png">'),
        ("search/search_index.json", lambda v: json.dumps({"docs": [{"text": f"<p>{v}</p>"}]})),
        ("search/search_index.json", lambda v: '{"docs":[{"title":"' + _json_escaped(v) + '"}]}'),
        ("assets/app.js", lambda v: f'var x = "{_json_escaped(v)}";'),
        ("sitemap.xml", lambda v: f"<loc>https://x/{v.replace(' ', '%20')}.html</loc>"),
        ("sitemap.xml.gz", lambda v: gzip.compress(f"<loc>{v}</loc>".encode())),
        ("feeds/reviews.ics", lambda v: f"BEGIN:VEVENT\r\nSUMMARY:Review: {v}\r\nEND:VEVENT"),
        ("chart.svg", lambda v: f"<svg><title>{v}</title></svg>"),
        ("404.html", lambda v: f"<p>{v.replace(' ', '&nbsp;')}</p>"),
    ],
)
def test_an_outside_pupil_is_found_however_encoded(
    tmp_path: Path, provider_scope: Scoped, name: str, encode
) -> None:
    value, source = outside_name(provider_scope)
    root = site(tmp_path, {name: encode(value), "index.html": "<p>fine</p>"})
    leaks = scan(root, provider_scope)
    assert [(leak.file, leak.source) for leak in leaks] == [(name, source)]
    assert "outside this audience" in leaks[0].what


def test_an_outside_upn_and_an_outside_record_id_are_found_alone(tmp_path: Path) -> None:
    repo = load_repository(PROJECT)
    hollybrook = next(a for a in audiences(repo) if a.name == "school-hollybrook")
    scoped = scope(repo, hollybrook)
    # records/placements/marsh-lane/marsh-lane-2025-001.yaml, read by hand.
    source = "records/placements/marsh-lane/marsh-lane-2025-001.yaml"
    root = site(
        tmp_path,
        {
            "a.html": "<td>Z888100225007</td>",
            "b.json": json.dumps({"docs": [{"location": "placements/marsh-lane-2025-001/"}]}),
        },
    )
    leaks = [(leak.file, leak.source, leak.what) for leak in scan(root, scoped)]
    assert leaks == [
        ("a.html", source, "the UPN of a pupil outside this audience"),
        ("b.json", source, "the record id of a placement outside this audience"),
    ]


def test_a_withheld_text_and_an_excerpt_of_it_are_found(
    tmp_path: Path, provider_scope: Scoped
) -> None:
    text, source = long_withheld(provider_scope)
    excerpt = " ".join(text.split()[:WINDOW]) if len(words(text)) > WINDOW else text
    root = site(tmp_path, {"a.html": f"<p>{text}</p>", "b.json": json.dumps([excerpt + "…"])})
    leaks = scan(root, provider_scope)
    assert {(leak.file, leak.source) for leak in leaks} == {("a.html", source), ("b.json", source)}
    assert all("withheld" in leak.what and "safeguarding" in leak.what for leak in leaks)


def test_the_failure_names_file_and_source_but_not_the_value(
    tmp_path: Path, provider_scope: Scoped
) -> None:
    text, source = long_withheld(provider_scope)
    name, name_source = outside_name(provider_scope)
    root = site(tmp_path, {"p/x.html": f"<p>{text}</p><p>{name}</p>"})
    with pytest.raises(LeakError) as caught:
        check(root, provider_scope)
    message = str(caught.value)
    assert f"{provider_scope.audience.name}/p/x.html" in message
    assert source in message and name_source in message
    for secret in (text, name, *words(text)[1:3]):
        if len(secret) > 4:
            assert secret.casefold() not in message.casefold()


def test_short_and_generic_withheld_answers_are_not_searched(
    tmp_path: Path, provider_scope: Scoped
) -> None:
    scoped = Scoped(
        provider_scope.audience,
        {},
        {},
        {},
        {},
        withheld=[
            ("None.", "r.yaml#/a"),
            ("N/A", "r.yaml#/b"),
            ("Yes", "r.yaml#/c"),
            ("None needed", "r.yaml#/d"),
            ("No concerns raised this term", "r.yaml#/e"),
        ],
        classes={f"r.yaml#/{k}": "safeguarding" for k in "abcde"},
    )
    result = plan(scoped)
    assert result.skipped_short == 4
    assert [n.source for n in result.needles] == ["r.yaml#/e"]
    root = site(tmp_path, {"x.html": "<p>None. N/A Yes None needed</p>"})
    assert scan(root, scoped) == []


def test_the_searchable_rule() -> None:
    assert MIN_WORDS == 3 and MIN_CHARS == 16
    assert not searchable("None.")
    assert not searchable("Not at present")  # 3 words, 14 characters
    assert searchable("Known to youth services")
    assert searchable("P207000016049")  # identifier-like: a UPN
    assert not searchable("20250101")  # digits alone: a date, a count
    assert not searchable("safeguarding")  # a common word


def test_identity_values_are_always_searched(tmp_path: Path, provider_scope: Scoped) -> None:
    scoped = Scoped(
        provider_scope.audience,
        {},
        {},
        {},
        {},
        withheld=[("Al Bo", "r.yaml#/student/name")],
        classes={"r.yaml#/student/name": "identity"},
    )
    root = site(tmp_path, {"x.html": "<p>AL   BO</p>"})
    assert [leak.source for leak in scan(root, scoped)] == ["r.yaml#/student/name"]


def test_a_withheld_text_visible_elsewhere_in_scope_is_not_an_alarm(
    tmp_path: Path, provider_scope: Scoped
) -> None:
    sentence = "Keep the current timetable and review in spring"
    scoped = Scoped(
        provider_scope.audience,
        {},
        {},
        {"p1": {"interventions": sentence + "."}},
        {},
        withheld=[(sentence, "r.yaml#/reviews/0/safeguarding")],
        classes={"r.yaml#/reviews/0/safeguarding": "safeguarding"},
    )
    assert plan(scoped).skipped_visible == 1
    root = site(tmp_path, {"x.html": f"<p>{sentence}</p>"})
    assert scan(root, scoped) == []


def test_a_distinct_name_is_found_inside_joined_and_inflected_words(
    tmp_path: Path, provider_scope: Scoped
) -> None:
    """Issue 19: the letters-and-digits stream has no word breaks a distinct name needs."""
    value, _ = outside_name(provider_scope)
    surname = value.split()[-1]
    for text in (f"the {surname}s'", f"x{surname}", "-".join(surname)):
        root = site(tmp_path / str(abs(hash(text))), {"x.html": f"<p>{text}</p>"})
        assert [leak.what for leak in scan(root, provider_scope)] == [
            "the surname of a pupil outside this audience"
        ]


def test_a_forename_alone_is_not_an_outside_pupils_name(
    tmp_path: Path, provider_scope: Scoped
) -> None:
    value, _ = outside_name(provider_scope)
    first, *rest = value.split()
    root = site(tmp_path, {"x.html": f"<p>{first}s and {first}</p>"})
    assert scan(root, provider_scope) == []


def test_an_outside_name_equal_to_a_visible_staff_name_is_not_an_alarm(
    tmp_path: Path, provider_scope: Scoped
) -> None:
    value, source = outside_name(provider_scope)
    scoped = Scoped(
        provider_scope.audience,
        {},
        {},
        {"p1": {"hub_mentor": {"name": f"Mr {value}"}}},
        {},
        outside=[(value, source), ("Zebedee Quockerwodger", "other.yaml")],
    )
    result = plan(scoped)
    full = words(value)
    assert not [n for n in result.needles if n.source == source and n.words == full]
    assert [n for n in result.needles if n.source == "other.yaml" and len(n.words) == 2]
    # Not silently: the warning names the outside record and the visible field.
    (warning,) = [w for w in result.warnings if w.startswith(source)]
    assert "/hub_mentor/name" in warning and value.split()[-1] not in warning
    root = site(tmp_path, {"x.html": f"<p>Mentor: Mr {value}</p>"})
    assert scan(root, scoped) == []
