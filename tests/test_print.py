"""Printing an agreement (issue 12): three print views, A4 paged media, the parents' copy.

The examples are built (in git, so the change history has commits) for the hub and one
provider, served on loopback, and printed by Chromium to PDF; pdfinfo and pdftotext read the
PDFs back. Expectations come from the YAML records, read here, never from the renderer.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import PROJECT, LoopbackServer, git, require_tool
from printsite import ARTIFACTS, RICH, VIEWS, build_examples

pytestmark = pytest.mark.browser

PLACEMENTS = sorted(p.stem for p in (PROJECT / "records/placements").glob("*/*.yaml"))
TWO_PROVIDERS = "marsh-lane-2025-002"  # Brickworks and Fenwick Vale


def record(pid: str) -> dict:
    (path,) = (PROJECT / "records/placements").glob(f"*/{pid}.yaml")
    return yaml.safe_load(path.read_text("utf-8"))


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_tool("git")
    root = tmp_path_factory.mktemp("print")
    return build_examples(root, "hub", "provider-brickworks", with_git=True)


@pytest.fixture(scope="module")
def hub(built: Path):
    server = LoopbackServer(built / "hub")
    yield server
    server.close()


@pytest.fixture(scope="module")
def printer(chromium, hub):
    """print(url, pdf) -> list of page texts (pdftotext -layout, split at form feeds)."""
    pdftotext = require_tool("pdftotext")
    context = chromium.new_context()
    page = context.new_page()

    def print_pdf(url: str, pdf: Path) -> list[str]:
        page.goto(url)
        page.emulate_media(media="print")
        page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
        out = subprocess.run(
            [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        return out.split("\f")[:-1] if out.endswith("\f") else out.split("\f")

    print_pdf.page = page
    yield print_pdf
    context.close()


def pages_of(pdf: Path) -> int:
    info = subprocess.run(
        [require_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


@pytest.mark.parametrize("pid", PLACEMENTS)
def test_every_agreement_prints_in_at_most_four_a4_pages(printer, hub, tmp_path, pid) -> None:
    """The target: the form and its reviews (no attendance grid, no change history)."""
    pdf = tmp_path / f"{pid}.pdf"
    texts = printer(f"{hub.origin}/placements/{pid}/print-agreement.html", pdf)
    assert pages_of(pdf) == len(texts) <= 4, (pid, pages_of(pdf))
    size = subprocess.run(
        [require_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert "(A4)" in size
    whole = flat(" ".join(texts))
    for heading in ("Commissioning aims", "Targets", "Review history"):
        assert heading in whole
    assert "Change history" not in whole and "Herringbone" not in whole


@pytest.mark.parametrize("view", VIEWS)
def test_each_view_has_the_form_header_and_a_running_header_and_footer(
    printer, hub, built, tmp_path, view
) -> None:
    data = record(RICH)
    pdf = tmp_path / f"{view}.pdf"
    texts = printer(f"{hub.origin}/placements/{RICH}/print-{view}.html", pdf)
    total = pages_of(pdf)
    assert total == len(texts) >= 2
    first = flat(texts[0])
    school = yaml.safe_load((PROJECT / f"records/schools/{data['school']}.yaml").read_text())
    hub_name = yaml.safe_load((PROJECT / "aprecords.yml").read_text())["organisation"]["hub"]
    for words in (
        "Alternative provision commissioning agreement",
        school["name"],
        data["student"]["name"],
        RICH,
        f"Hub {hub_name}",
    ):
        assert words in first, words
    printed = re.compile(r"Printed \d{1,2} [A-Z][a-z]{2} \d{4}")
    for number, text in enumerate(texts, start=1):
        lines = [flat(line) for line in text.strip().splitlines() if line.strip()]
        head, foot = lines[0], lines[-1]
        # The parents' copy is read by parents (issue 21): its running head speaks to them.
        who = "A copy for the pupil's parents and carers" if view == "parents" else "Built for:"
        assert who in head and "CONFIDENTIAL" in head, head
        assert view == "parents" or f"Built for: {hub_name}" in head, head
        assert view != "full" or "RESTRICTED" in head, head  # the hub sees the restricted class
        assert f"Page {number} of {total}" in foot, foot
        assert printed.search(foot) and RICH in foot, foot
    whole = flat(" ".join(texts))
    for chrome in ("Skip to content", "Request a change", "Back to the agreement", "Print:"):
        assert chrome not in whole, chrome
    if view == "full":
        assert "Herringbone" in whole and "Change history" in whole and "Fri PM" in whole


def test_no_commit_hash_or_author_is_printed(printer, hub, built, tmp_path) -> None:
    repo = built.parent / "repo"
    sha = git(repo, "rev-parse", "HEAD").strip()
    screen = (built / "hub/placements" / f"{RICH}.html").read_text("utf-8")
    assert sha[:10] in screen, "the screen's change history should name the commit"
    for view in (*VIEWS, None):
        url = f"{hub.origin}/placements/{RICH}" + (f"/print-{view}.html" if view else ".html")
        whole = " ".join(printer(url, tmp_path / f"{view}.pdf"))
        assert sha[:7] not in whole, view
        assert "Test Author" not in whole, view


def _safeguarding_texts(data: dict) -> list[str]:
    """The record's safeguarding section and review safeguarding notes, read from the YAML."""
    found = [
        v
        for v in (data["agreements"].get("safeguarding") or {}).values()
        if isinstance(v, str) and len(v.split()) >= 3
    ]
    found += [r["safeguarding"] for r in data.get("reviews", []) if len(r["safeguarding"]) > 15]
    assert found, "the example should have safeguarding text to test with"
    return [flat(t)[:60] for t in found]


def test_the_parents_copy_has_no_safeguarding_and_no_staff_email(printer, hub, tmp_path) -> None:
    data = record(RICH)
    secrets = _safeguarding_texts(data)
    mentor = data["hub_mentor"]["email"]
    agreement = flat(
        " ".join(
            printer(f"{hub.origin}/placements/{RICH}/print-agreement.html", tmp_path / "a.pdf")
        )
    )
    assert any(s in agreement for s in secrets), "the agreement view should hold them"
    assert mentor in agreement
    parents = flat(
        " ".join(printer(f"{hub.origin}/placements/{RICH}/print-parents.html", tmp_path / "p.pdf"))
    )
    for text in secrets:
        assert text not in parents
    assert "Safeguarding" not in parents
    assert "@" not in parents, "no e-mail address in the parents' copy"
    assert data["student"]["name"] in parents and "Review history" in parents


def test_a_providers_parents_copy_names_no_other_provider(chromium, built, tmp_path) -> None:
    server = LoopbackServer(built / "provider-brickworks")
    try:
        page = chromium.new_page()
        page.goto(f"{server.origin}/placements/{TWO_PROVIDERS}/print-parents.html")
        body = page.locator("article").inner_text()
        page.goto(f"{server.origin}/placements/{TWO_PROVIDERS}/print-agreement.html")
        agreement = page.locator("article").inner_text()
        page.close()
    finally:
        server.close()
    other = yaml.safe_load((PROJECT / "records/providers/fenwick-vale.yaml").read_text())
    assert other["name"] in agreement
    assert other["name"] not in body
    assert "Brickworks" in body


def test_the_views_open_and_print_without_javascript(chromium, hub) -> None:
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{hub.origin}/placements/{RICH}.html")
    names = {
        "full record": "full",
        "agreement": "agreement",
        "copy for parents and carers": "parents",
    }
    for name, view in names.items():
        page.goto(f"{hub.origin}/placements/{RICH}.html")
        page.locator(".print-choices").get_by_role("link", name=name, exact=True).click()
        assert page.url.endswith(f"/placements/{RICH}/print-{view}.html")
        assert page.locator("h1").inner_text() == "Alternative provision commissioning agreement"
    context.close()


@pytest.mark.parametrize("view", VIEWS)
def test_a_screenshot_of_each_print_view_is_kept(printer, hub, tmp_path, view) -> None:
    """CI keeps test-artifacts/ (git-ignored): what each view looks like printed."""
    page = printer.page
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.goto(f"{hub.origin}/placements/{RICH}/print-{view}.html")
    page.emulate_media(media="print")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"print-{view}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 10_000
    page.emulate_media(media="screen")


@pytest.mark.parametrize("form", ["plain", "compressed"])
@pytest.mark.parametrize("planted", ["safeguarding", "email", "other-provider"])
def test_the_leak_check_refuses_a_parents_copy_holding_what_it_must_not(
    built, tmp_path, planted, form
) -> None:
    """The build's check of the parents' copies (printviews.check_parents) finds a planted
    safeguarding note, a staff e-mail address or, on a provider's site, another provider;
    in a copy stored compressed too (``--compress``: a reused page is checked as stored)."""
    import shutil

    from aprecords.access import audiences
    from aprecords.guard.scan import LeakError
    from aprecords.repository import load_repository
    from aprecords.site import stored
    from aprecords.site.printviews import check_parents

    repo = load_repository(built.parent / "repo")
    name = "provider-brickworks" if planted == "other-provider" else "hub"
    audience = next(a for a in audiences(repo) if a.name == name)
    site = tmp_path / name
    shutil.copytree(built / name, site)
    pid = TWO_PROVIDERS if planted == "other-provider" else RICH
    check_parents(repo, audience, site)  # as built: clean
    data = record(pid)
    text = {
        "safeguarding": _safeguarding_texts(data)[0],
        "email": data["hub_mentor"]["email"],
        "other-provider": "Fenwick Vale Land-Based College",
    }[planted]
    page = site / "placements" / pid / "print-parents.html"
    page.write_text(page.read_text("utf-8") + f"<p>{text}</p>", "utf-8")
    if form == "compressed":
        assert stored.compress_site(site) > 0
        page = page.with_name(page.name + ".gz")
        assert page.is_file()
    with pytest.raises(LeakError) as caught:
        check_parents(repo, audience, site)
    assert f"placements/{pid}/{page.name}" in str(caught.value)
    assert text not in str(caught.value), "a leak report never quotes the value"


@pytest.mark.parametrize("view", VIEWS)
def test_no_printed_table_is_wider_than_the_page(chromium, hub, view) -> None:
    """Laid out for print at A4's printable width (210 mm less 2 x 12 mm margins at 96 dpi),
    every table, the herringbone included, fits: no column is cut."""
    page = chromium.new_page(viewport={"width": 703, "height": 1000})
    page.emulate_media(media="print")
    page.goto(f"{hub.origin}/placements/{RICH}/print-{view}.html")
    wide = page.evaluate(
        """() => { const edge = document.documentElement.clientWidth;
             return [...document.querySelectorAll('article table')]
               .filter(t => t.getBoundingClientRect().right > edge + 1
                            || t.scrollWidth > t.clientWidth + 1)
               .map(t => t.innerText.slice(0, 40)); }"""
    )
    tables = page.locator("article table").count()
    page.close()
    assert tables >= 5 and wide == [], wide


def test_margin_box_text_cannot_end_its_css_string() -> None:
    """An audience title is written into the print view's @page rules escaped, character by
    character: quotes, braces, semicolons and line breaks cannot end the string or rule."""
    from aprecords.access import Audience
    from aprecords.site.printviews import css_string, page_style

    hostile = 'Ann"}; @page{content:"x'
    escaped = css_string(hostile)
    assert escaped.startswith('"') and escaped.endswith('"')
    inner = escaped[1:-1]
    assert not any(c in inner for c in '"{};:\n') and "Ann" in inner
    style = page_style(Audience("x", hostile, "hub", frozenset()), RICH, "parents", "1 Jan 2026")
    assert style.count("{") == style.count("}") and "@page{content" not in style


def test_a_site_name_both_providers_share_is_not_another_providers_name() -> None:
    """Two providers' sites may both be called "Main site": on one provider's parents' copy
    that name is its own, so only what tells the other provider apart is searched for."""
    from types import SimpleNamespace

    from aprecords.access import Audience
    from aprecords.site.printviews import other_providers

    narrow = SimpleNamespace(
        placements={"p-1": {"placements": [{"provider": "own"}, {"provider": "other"}]}},
        providers={
            "own": {"name": "Own Garage", "sites": [{"name": "Main site"}]},
            "other": {"name": "Other Salon", "sites": [{"name": "Main Site"}, {"name": "Annexe"}]},
        },
    )
    audience = Audience(
        "provider-own", "Own Garage", "provider", frozenset(), providers=frozenset({"own"})
    )
    found = {" ".join(n.words) for n in other_providers(narrow, audience, "p-1")}
    assert found == {"other salon", "annexe"}
