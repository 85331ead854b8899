"""The Content-Security-Policy a real nginx sends allows exactly the inline scripts it serves.

A real build (hub, one school, one provider) is served by a real nginx with the configuration
the build wrote (basic auth; workers as www-data when run as root). Every HTML page of every
audience is fetched; the inline scripts of the responses are found with the standard library's
HTML parser (not the build's own regular expression) and hashed here; the script-src of the
Content-Security-Policy header must list exactly those hashes. A wrong hash blocks a script in
the browser (the site half-works); an extra one allows a script that is not ours.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import io
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from aprecords import cli
from conftest import PROJECT, TODAY, make_repo, require_tool, without_policy

pytestmark = pytest.mark.nginx

USER, PASSWORD = "hub.csp", "a password for the CSP test"
AUDIENCES = ("hub", "school-hollybrook", "provider-brickworks")
JAVASCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module"}
"""<script> types a browser runs (and CSP governs); JSON data blocks are not scripts."""


class InlineScripts(HTMLParser):
    """The bodies of the inline scripts a browser would run, exactly as served."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.bodies: list[str] = []
        self._current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "script":
            return
        found = dict(attrs)
        kind = (found.get("type") or "").strip().lower()
        if "src" not in found and kind in JAVASCRIPT_TYPES:
            self._current = []

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._current is not None:
            self.bodies.append("".join(self._current))
            self._current = None


def csp_hash(body: str) -> str:
    """A CSP source expression for a script body (sha256 of its UTF-8 bytes, base64)."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    """A built site behind a running nginx."""

    site: Path
    port: int

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        conn.request("GET", path, headers={"Authorization": f"Basic {token}"})
        response = conn.getresponse()
        body = response.read().decode("utf-8")
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def _build(base: Path, port: int) -> Path:
    """Build the small fixture repository for every audience; return the site folder."""
    root = make_repo(base / "repo")
    shutil.copy(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(PROJECT / "docs", root / "docs", ignore=shutil.ignore_patterns(".*"))
    without_policy(root / "aprecords.yml")  # its custom audiences name schools not here
    with (root / "aprecords.yml").open("a", encoding="utf-8") as f:
        f.write(
            f"hosting:\n  mode: basic\n  server_name: _\n  listen: 127.0.0.1:{port}\n"
            f"  password_dir: {base}/htpasswd\n"
        )
    site = base / "site"
    out, err = io.StringIO(), io.StringIO()
    args = ["--root", str(root), "build", "--today", TODAY, "--site-dir", str(site)]
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(args)
    assert code == 0, out.getvalue() + err.getvalue()
    assert sorted(p.name for p in site.iterdir() if not p.name.startswith(".")) == sorted(
        [*AUDIENCES, "nginx"]
    )
    return site


def _password_file(folder: Path) -> None:
    """hub.htpasswd with one salted-SHA-1 ({SSHA}) entry, which nginx reads without htpasswd."""
    folder.mkdir()
    salt = os.urandom(8)
    digest = hashlib.sha1(PASSWORD.encode() + salt).digest()
    entry = base64.b64encode(digest + salt).decode()
    (folder / "hub.htpasswd").write_text(f"{USER}:{{SSHA}}{entry}\n", "utf-8")


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    nginx = "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else require_tool("nginx")
    # Not under pytest's private temporary folder: www-data workers must read the site.
    base = Path(tempfile.mkdtemp(prefix="aprecords-csp-"))
    try:
        base.chmod(0o755)
        port = free_port()
        site = _build(base, port)
        _password_file(base / "htpasswd")
        prefix = base / "nginx"
        prefix.mkdir()
        user = "user www-data;\n" if os.geteuid() == 0 else ""
        temp = "".join(
            f"    {kind}_temp_path {prefix}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        main = prefix / "nginx.conf"
        main.write_text(
            f"{user}worker_processes 1;\npid {prefix}/nginx.pid;\n"
            f"error_log {prefix}/error.log info;\nevents {{ worker_connections 64; }}\n"
            f"http {{\n    include /etc/nginx/mime.types;\n    access_log off;\n{temp}"
            f"    include {site}/nginx/aprecords.conf;\n}}\n",
            "utf-8",
        )
        command = [nginx, "-p", str(prefix), "-c", str(main), "-g", "daemon off;"]
        check = subprocess.run([*command[:-2], "-t"], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 10
            while True:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline, "nginx did not start"
                    time.sleep(0.05)
            yield Served(site, port)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def script_src(header: str) -> list[str]:
    directive = next(d.split() for d in header.split(";") if d.split()[:1] == ["script-src"])
    return directive[1:]


def test_the_csp_lists_exactly_the_inline_scripts_served(served: Served) -> None:
    pages = sorted(
        f"/{p.relative_to(served.site).as_posix()}"
        for name in AUDIENCES
        for p in (served.site / name).rglob("*.html")
        if "admin" not in p.relative_to(served.site / name).parts[:1]  # the web form: below
    )
    assert len(pages) > 3 * 5
    headers_seen: set[str] = set()
    hashes_served: set[str] = set()
    scripts = 0
    for path in pages:
        status, headers, body = served.get(path)
        assert status == 200, (path, body[:300], headers)
        headers_seen.add(headers["content-security-policy"])
        parser = InlineScripts()
        parser.feed(body)
        parser.close()
        scripts += len(parser.bodies)
        hashes_served |= {csp_hash(b) for b in parser.bodies}
    assert scripts >= len(pages)  # the theme puts inline scripts on every page
    [header] = headers_seen  # one policy for every page
    sources = script_src(header)
    assert sources[0] == "'self'"
    assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
    assert sorted(sources[1:]) == sorted(hashes_served)


def test_the_parser_finds_inline_scripts_only() -> None:
    parser = InlineScripts()
    parser.feed(
        '<script>a()</script><script src="x.js"></script>'
        '<script type="application/json">{"b": 1}</script>'
        '<script type="module">\nc("</p>")\n</script><p>d</p>'
    )
    assert parser.bodies == ["a()", '\nc("</p>")\n']
    # Worked out with `printf 'a()' | openssl dgst -sha256 -binary | base64`.
    assert csp_hash("a()") == "'sha256-qVpDBgj7bpq5hMAcGp3AOc79J3Y1Z4HvySTwKrWDoy4='"


def test_the_web_form_has_the_sites_policy_plus_its_git_host_only(served: Served) -> None:
    """/hub/admin/: no inline script at all, the same sign-in, and only connect-src to the Git
    host (from aprecords.yml's cms.base_url) and blob: images added to the site's policy."""
    status, headers, body = served.get("/hub/admin/")
    assert status == 200 and 'src="sveltia-cms.js"' in body
    parser = InlineScripts()
    parser.feed(body)
    assert parser.bodies == []
    policy = {d.split()[0]: d.split()[1:] for d in headers["content-security-policy"].split(";")}
    assert policy["script-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'", "https://gitlab.example.org"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    _, site_headers, _ = served.get("/hub/")
    site = {d.split()[0]: d.split()[1:] for d in site_headers["content-security-policy"].split(";")}
    changed = {k for k in site if site[k] != policy.get(k)}
    assert changed == {"script-src", "connect-src", "img-src"}  # script-src: no hashes needed
    assert served.get("/school-hollybrook/admin/")[0] == 404
