"""A school's user in a real browser, behind the generated nginx configuration, can read its own
site (with the security headers, no CSP violation) and reach nothing outside its folder."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from aprecords.access import audiences, select
from aprecords.repository import load_repository
from aprecords.site import hosting
from aprecords.site.parallel import build_many, script_hashes
from conftest import CHROMIUM_ARGS, PROJECT, TODAY, require_tool, www_readable_dir
from test_nginx import PASSWORD, free_port, run_nginx, write_htpasswd

pytestmark = [pytest.mark.browser, pytest.mark.nginx]
NAMES = ["hub", "school-hollybrook", "school-marsh-lane"]


@pytest.fixture(scope="module")
def served(request: pytest.FixtureRequest):
    require_tool("nginx")
    chromium = require_tool("chromium")
    www = www_readable_dir(prefix="aprecords-browser-access-")
    tmp = www.__enter__()  # nginx's www-data workers must traverse it (tmp_path is 0700)
    request.addfinalizer(lambda: www.__exit__(None, None, None))
    root = tmp / "repo"
    root.mkdir()
    for name in ("aprecords.yml", "mkdocs.yml"):
        shutil.copy(PROJECT / name, root / name)
    for name in ("schema", "records", "docs"):
        if (PROJECT / name).is_dir():
            shutil.copytree(PROJECT / name, root / name)
    repo = load_repository(root)
    everyone = audiences(repo)
    site_dir = tmp / "site"
    outcomes = build_many(  # as the deploy builds: pages stored compressed
        repo, select(everyone, NAMES), site_dir, date.fromisoformat(TODAY), compress=True
    )
    assert all(o.built for o in outcomes), [o.error for o in outcomes]
    passwords = tmp / "htpasswd"
    write_htpasswd(passwords / "school-hollybrook.htpasswd", {"school-hollybrook.ann": PASSWORD})
    write_htpasswd(passwords / "hub.htpasswd", {"hub.hana": PASSWORD})
    port = free_port()
    settings = hosting.Hosting(password_dir=str(passwords), listen=f"127.0.0.1:{port}")
    hashes = script_hashes(site_dir, NAMES)
    assert hashes, "the theme's inline scripts are hashed for the CSP"
    conf = hosting.write(settings, select(everyone, NAMES), site_dir, hashes)
    with run_nginx(conf, tmp / "nginx-prefix", port):
        yield f"http://127.0.0.1:{port}", chromium, repo, site_dir


def test_a_school_user_reads_its_site_and_nothing_else(served) -> None:
    from playwright.sync_api import sync_playwright

    base, chromium, repo, site_dir = served
    others = [
        r.data["student"]["name"]
        for r in repo.placements.values()
        if r.data["school"] != "hollybrook"
    ]
    assert others
    requests: list[str] = []
    console: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(
            http_credentials={"username": "school-hollybrook.ann", "password": PASSWORD}
        )
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: console.append(m.text))

        response = page.goto(f"{base}/school-hollybrook/")
        assert response is not None and response.status == 200
        assert response.headers["cache-control"] == "private, no-store"
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp
        script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
        assert "'sha256-" in script_src and "unsafe-inline" not in script_src
        page.wait_for_load_state("networkidle")
        own = page.content()
        assert "Hollybrook" in own

        # An agreement and the search index are stored only as .gz: the browser gets them
        # from nginx's gzip_static, and search finds the pupil.
        agreement = site_dir / "school-hollybrook/placements/hollybrook-2025-001.html"
        assert not agreement.exists() and agreement.with_suffix(".html.gz").is_file()
        response = page.goto(f"{base}/school-hollybrook/placements/hollybrook-2025-001.html")
        assert response is not None and response.status == 200
        assert response.headers.get("content-encoding") == "gzip"
        assert page.locator("h1").first.inner_text() == "Tobias Wrenfeather"
        page.locator("label.md-search__icon, .md-search__input").first.click()
        page.locator("input.md-search__input").press_sequentially("Wrenfeather", delay=20)
        page.locator(".md-search-result__item").first.wait_for(timeout=15000)
        assert "hollybrook-2025-001" in page.locator(".md-search-result").first.inner_html()

        for path in (
            "/hub/",
            "/school-marsh-lane/",
            "/school-marsh-lane/search/search_index.json",
            "/school-marsh-lane/sitemap.xml",
            "/",
            "/nginx/aprecords.conf",
            "/.aprecords/hub.json",
            "/school-hollybrook/../hub/index.html",
        ):
            response = page.goto(f"{base}{path}")
            assert response is not None and response.status in (403, 404), path
            body = page.content()
            assert not any(name in body for name in others), path

        # Script on the school's own pages cannot fetch another audience's files either.
        page.goto(f"{base}/school-hollybrook/")
        statuses = page.evaluate(
            """async () => Promise.all(
                ['/hub/search/search_index.json', '/school-marsh-lane/index.html']
                .map(u => fetch(u).then(r => r.status)))"""
        )
        assert statuses == [403, 403]
        browser.close()

    assert all(url.startswith(base) for url in requests), [u for u in requests if base not in u]
    assert not [m for m in console if "Content Security Policy" in m]
