"""The generated nginx configuration, served by a real nginx on loopback: fail closed.

nginx runs as Debian runs it: a root master and workers as ``www-data`` (``user www-data;``
when the tests run as root), so every folder served must be readable by that user; the files
live in a folder directly under /tmp (pytest's own tmp_path is 0700). Password files are made
by ``htpasswd -B`` (a failure in CI when it is missing).

Basic mode: password files per audience, a school's user reads only its folder, the hub's user
reads all. SSO mode: a stand-in for oauth2-proxy's auth endpoint (202 with the groups header,
401 or 403) decides who the user is; the groups decide which folders they may read. The first
part uses small hand-made folders for the edge cases; ``test_real_build_*`` serve a real
``aprecords build`` of the example records.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import http.client
import http.server
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from aprecords.access import Audience, audiences
from aprecords.repository import load_repository
from aprecords.site import hosting, stored
from aprecords.site.parallel import script_hashes
from conftest import (
    PROJECT,
    TODAY,
    WEB_USER,
    copy_examples,
    require_tool,
    www_readable_dir,
)

pytestmark = pytest.mark.nginx

AUDIENCES = [
    Audience("hub", "The hub", "hub", frozenset()),
    Audience("school-a", "School A", "school", frozenset(), schools=frozenset({"a"})),
    Audience("school-b", "School B", "school", frozenset(), schools=frozenset({"b"})),
    Audience("provider-p", "Provider P", "provider", frozenset(), providers=frozenset({"p"})),
]
PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def static_sites(site_dir: Path, audiences: list[Audience] = AUDIENCES) -> Path:
    """Small stand-ins for built audience folders, each page naming its audience."""
    for a in audiences:
        folder = site_dir / a.name
        (folder / "search").mkdir(parents=True)
        (folder / "index.html").write_text(f"<h1>site of {a.name}</h1>", "utf-8")
        (folder / "search" / "search_index.json").write_text(f'{{"docs": ["{a.name}"]}}')
        (folder / "placements").mkdir()
        (folder / "placements" / "x.html").write_text(f"<p>record page of {a.name}</p>")
    (site_dir / "secret.txt").write_text("not in any audience folder")
    (site_dir / ".aprecords").mkdir()
    (site_dir / ".aprecords" / "hub.json").write_text("{}")
    return site_dir


def web_group_only(path: Path, mode: int) -> None:
    """``chmod mode`` and, as root, group www-data (as docs/deployment.md sets them up)."""
    os.chmod(path, mode)
    if os.geteuid() == 0:
        shutil.chown(path, group=WEB_USER)


def write_htpasswd(file: Path, users: dict[str, str], scheme: str = "bcrypt") -> None:
    """A password file made by ``htpasswd -B`` (or {SSHA} in Python for that variant), in a
    folder 0750 and file 0640 of group www-data: readable by the workers, nobody else."""
    file.parent.mkdir(parents=True, exist_ok=True)
    web_group_only(file.parent, 0o750)
    if scheme == "ssha":
        lines = []
        for user, password in users.items():
            salt = os.urandom(8)
            digest = hashlib.sha1(password.encode() + salt).digest()
            lines.append(f"{user}:{{SSHA}}{base64.b64encode(digest + salt).decode()}\n")
        file.write_text("".join(lines))
    else:
        htpasswd = require_tool("htpasswd")
        for i, (user, password) in enumerate(users.items()):
            flags = "-bBc" if i == 0 else "-bB"
            subprocess.run(
                [htpasswd, flags, str(file), user, password], check=True, capture_output=True
            )
    web_group_only(file, 0o640)


@dataclass
class Nginx:
    """A running nginx: its port and a GET helper."""

    port: int
    error_log: Path

    def get(
        self, path: str, user: str | None = None, password: str = PASSWORD, **headers: str
    ) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        if user is not None:
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        conn.request("GET", path, headers={k.replace("_", "-"): v for k, v in headers.items()})
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def worker_users(master: int) -> set[str]:
    """The user names nginx's worker processes (children of ``master``) run as."""
    import pwd

    users = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines())
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(master):
            users.add(pwd.getpwuid(int(fields["Uid"].split()[1])).pw_name)
    return users


@contextmanager
def run_nginx(conf: Path, prefix: Path, port: int, listening: bool = True) -> Iterator[Nginx]:
    """Start nginx (foreground, its own prefix and pid) with ``conf`` included in http{}.

    ``listening=False``: nothing listens yet (an empty include); wait for the pid file only.
    """
    nginx = require_tool("nginx") if not Path("/usr/sbin/nginx").exists() else "/usr/sbin/nginx"
    prefix.mkdir(parents=True, exist_ok=True)
    # As Debian runs it: workers as www-data (as another user, nginx keeps its own user).
    user = f"user {WEB_USER};\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix}/{kind};" for kind in ("client_body", "proxy", "fastcgi")
    )
    main = prefix / "nginx.conf"
    main.write_text(
        f"""{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log {prefix}/access.log;
{temp}
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {conf};
}}
"""
    )
    check = subprocess.run(
        [nginx, "-t", "-p", str(prefix), "-c", str(main), "-g", "daemon off;"],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen(
        [nginx, "-p", str(prefix), "-c", str(main), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        users: set[str] = set()
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                if listening:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                # The master listens before it forks its workers, and a worker is root for a
                # moment before it switches user: wait for every worker to have switched.
                users = worker_users(proc.pid)
                if not (prefix / "nginx.pid").is_file() or not users or "root" in users:
                    raise OSError("not started yet")
                break
            except OSError:
                assert time.monotonic() < deadline, f"nginx did not start (workers: {users})"
                time.sleep(0.05)
        if os.geteuid() == 0:
            assert worker_users(proc.pid) == {WEB_USER}
        yield Nginx(port, prefix / "error.log")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def serve(www: Path, settings: hosting.Hosting, audiences: list[Audience] = AUDIENCES):
    site_dir = static_sites(www / "site", audiences)
    conf = hosting.write(settings, audiences, site_dir)
    return run_nginx(conf, www / "nginx-prefix", int(settings.listen.rsplit(":", 1)[1]))


# --- basic mode ----------------------------------------------------------------------------


@pytest.fixture(params=["bcrypt", "ssha"])
def basic(www_tmp: Path, request: pytest.FixtureRequest) -> Iterator[Nginx]:
    """nginx in basic mode, with password files made by htpasswd -B, or in Python ({SSHA})."""
    passwords = www_tmp / "htpasswd"
    write_htpasswd(passwords / "hub.htpasswd", {"hub.hana": PASSWORD}, request.param)
    write_htpasswd(
        passwords / "school-a.htpasswd",
        # A school admin cannot make anyone a hub user or a user of another audience: only
        # names starting 'school-a.' are ever checked against this file.
        {"school-a.ann": PASSWORD, "hub.eve": PASSWORD, "school-b.eve": PASSWORD},
        request.param,
    )
    write_htpasswd(passwords / "school-b.htpasswd", {"school-b.bob": PASSWORD}, request.param)
    settings = hosting.Hosting(
        mode="basic", password_dir=str(passwords), listen=f"127.0.0.1:{free_port()}"
    )
    with serve(www_tmp, settings) as server:
        yield server


def test_basic_a_school_user_reads_only_its_own_folder(basic: Nginx) -> None:
    status, _, body = basic.get("/school-a/", "school-a.ann")
    assert (status, body) == (200, "<h1>site of school-a</h1>")
    assert basic.get("/school-a/placements/x.html", "school-a.ann")[0] == 200
    assert basic.get("/school-a/search/search_index.json", "school-a.ann")[0] == 200
    for other in ("/school-b/", "/hub/", "/provider-p/", "/school-b/search/search_index.json"):
        status, _, body = basic.get(other, "school-a.ann")
        assert status == 403, other
        assert "site of" not in body


def test_basic_without_or_with_wrong_credentials_is_401(basic: Nginx) -> None:
    for path in ("/school-a/", "/hub/", "/school-a/index.html"):
        assert basic.get(path)[0] == 401
        assert basic.get(path, "school-a.ann", "wrong password")[0] == 401
    assert basic.get("/school-a/", "ann")[0] in (401, 403)  # no audience prefix: no file


def test_basic_the_hub_user_reads_every_folder(basic: Nginx) -> None:
    for a in AUDIENCES:
        status, _, body = basic.get(f"/{a.name}/", "hub.hana")
        assert (status, body) == (200, f"<h1>site of {a.name}</h1>")


def test_basic_names_vouched_for_by_the_wrong_file_are_refused(basic: Nginx) -> None:
    """hub.eve and school-b.eve are in school-a's file, which is never asked about them."""
    assert basic.get("/hub/", "hub.eve")[0] == 401
    assert basic.get("/school-a/", "hub.eve")[0] == 401
    assert basic.get("/school-b/", "school-b.eve")[0] == 401


def test_basic_unknown_paths_are_denied(basic: Nginx) -> None:
    for path in (
        "/",
        "/secret.txt",
        "/.aprecords/hub.json",
        "/nginx/aprecords.conf",
        "/school-c/",
        "/school-a",
        "/school-a/../secret.txt",
        "/school-a/%2e%2e/secret.txt",
        "/.aprecords-denied/school-a/index.html",
    ):
        status, _, body = basic.get(path, "hub.hana")
        assert status in (400, 403, 404), path
        assert "not in any audience folder" not in body
    # Climbing out of one's own folder lands in another folder's check.
    for path in ("/school-a/../school-b/index.html", "/school-a/%2e%2e/school-b/index.html"):
        status, _, body = basic.get(path, "school-a.ann")
        assert status in (400, 403), path
        assert "site of school-b" not in body
    # A missing page inside an allowed folder is a plain 404.
    assert basic.get("/school-a/nope.html", "school-a.ann")[0] == 404


def test_basic_no_directory_listing_and_security_headers(basic: Nginx) -> None:
    status, headers, body = basic.get("/school-a/placements/", "school-a.ann")
    assert status in (403, 404) and "x.html" not in body
    status, headers, _ = basic.get("/school-a/", "school-a.ann")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "private, no-store"
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    # Denials carry them too.
    assert basic.get("/school-b/", "school-a.ann")[1]["cache-control"] == "private, no-store"


# --- SSO mode ------------------------------------------------------------------------------

GROUPS = {"hub": "g-hub", "school-a": "11111111-aaaa", "school-b": "22222222-bbbb"}
USERS = {
    # cookie value -> (status, user, groups header)
    "ann": (202, "ann@a.example.org", "99-unrelated, 11111111-aaaa"),
    "bob": (202, "bob@b.example.org", "22222222-bbbb"),
    "hana": (202, "hana@hub.example.org", "g-hub"),
    "nogroups": (202, "x@example.org", None),
    "lookalike": (202, "y@example.org", "11111111-aaaa-extra,x11111111-aaaa"),
    "banned": (403, None, None),
}


class AuthStandIn(http.server.BaseHTTPRequestHandler):
    """Plays oauth2-proxy: /oauth2/auth answers by the test cookie; other /oauth2/ pages."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path.startswith("/oauth2/auth"):
            cookie = self.headers.get("Cookie", "")
            name = cookie.removeprefix("_oauth2_proxy=") if cookie else ""
            status, user, groups = USERS.get(name, (401, None, None))
            self.send_response(status)
            if user:
                self.send_header("X-Auth-Request-User", user)
            if groups:
                self.send_header("X-Auth-Request-Groups", groups)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"oauth2-proxy sign-in page"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def auth_stand_in() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), AuthStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def sso(www_tmp: Path) -> Iterator[Nginx]:
    with auth_stand_in() as auth_port:
        settings = hosting.Hosting(
            mode="sso",
            auth_url=f"http://127.0.0.1:{auth_port}/oauth2/auth",
            groups=GROUPS,
            listen=f"127.0.0.1:{free_port()}",
        )
        with serve(www_tmp, settings) as server:
            yield server


def cookie(name: str) -> str:
    return f"_oauth2_proxy={name}"


def test_sso_a_school_group_reads_only_its_folder(sso: Nginx) -> None:
    status, _, body = sso.get("/school-a/", Cookie=cookie("ann"))
    assert (status, body) == (200, "<h1>site of school-a</h1>")
    for other in ("/school-b/", "/hub/", "/provider-p/", "/school-b/search/search_index.json"):
        status, _, body = sso.get(other, Cookie=cookie("ann"))
        assert status == 403, other
        assert "site of" not in body
    assert sso.get("/school-b/", Cookie=cookie("bob"))[0] == 200
    assert sso.get("/school-a/", Cookie=cookie("bob"))[0] == 403


def test_sso_the_hub_group_reads_every_folder(sso: Nginx) -> None:
    for a in AUDIENCES:
        status, _, body = sso.get(f"/{a.name}/", Cookie=cookie("hana"))
        assert (status, body) == (200, f"<h1>site of {a.name}</h1>")


def test_sso_an_audience_with_no_group_is_hub_only(sso: Nginx) -> None:
    assert sso.get("/provider-p/", Cookie=cookie("hana"))[0] == 200
    for name in ("ann", "bob", "nogroups"):
        assert sso.get("/provider-p/", Cookie=cookie(name))[0] == 403


def test_sso_unauthenticated_is_sent_to_sign_in_and_sees_nothing(sso: Nginx) -> None:
    status, headers, body = sso.get("/school-a/")
    assert status == 302
    assert headers["location"].endswith("/oauth2/start?rd=/school-a/")
    assert "site of" not in body
    assert sso.get("/oauth2/start?rd=/school-a/")[2] == "oauth2-proxy sign-in page"


def test_sso_refused_or_groupless_or_lookalike_users_are_denied(sso: Nginx) -> None:
    assert sso.get("/school-a/", Cookie=cookie("banned"))[0] == 403
    assert sso.get("/school-a/", Cookie=cookie("nogroups"))[0] == 403
    assert sso.get("/school-a/", Cookie=cookie("lookalike"))[0] == 403


def test_sso_auth_endpoint_down_is_a_deny(www_tmp: Path) -> None:
    settings = hosting.Hosting(
        mode="sso",
        auth_url=f"http://127.0.0.1:{free_port()}/oauth2/auth",  # nothing listens there
        groups=GROUPS,
        listen=f"127.0.0.1:{free_port()}",
    )
    with serve(www_tmp, settings) as server:
        status, _, body = server.get("/school-a/", Cookie=cookie("ann"))
        assert status >= 500 and "site of" not in body


def test_sso_unknown_paths_and_internal_locations_are_denied(sso: Nginx) -> None:
    for path in ("/", "/secret.txt", "/_aprecords_auth", "/_aprecords_status/404", "/school-c/"):
        status, _, body = sso.get(path, Cookie=cookie("hana"))
        assert status in (403, 404), path
        assert "not in any audience folder" not in body
    assert sso.get("/school-a/nope.html", Cookie=cookie("ann"))[0] == 404
    status, headers, _ = sso.get("/school-a/", Cookie=cookie("ann"))
    assert headers["cache-control"] == "private, no-store"


# --- the settings themselves ---------------------------------------------------------------


def test_unsafe_settings_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    inside = hosting.Hosting(mode="basic", password_dir=str(root / "secrets"))
    assert any("inside the records repository" in p for p in hosting.problems(inside, [], root))
    injected = hosting.Hosting(mode="sso", groups={"hub": 'x" ; allow all; "'})
    assert any("not a usable group id" in p for p in hosting.problems(injected, AUDIENCES, root))
    assert any(
        "map the hub" in p
        for p in hosting.problems(hosting.Hosting(mode="sso", groups={}), AUDIENCES, root)
    )
    bad_url = hosting.Hosting(mode="sso", auth_url="file:///etc/passwd", groups={"hub": "g"})
    assert any("auth_url" in p for p in hosting.problems(bad_url, AUDIENCES, root))
    assert hosting.problems(hosting.Hosting(), AUDIENCES, root) == []


# --- a real build of the example records, served by nginx with www-data workers -------------

E2E_PASSWORD = "a real bcrypt password"


def set_hosting(config: Path, block: str) -> None:
    """Replace the top-level ``hosting:`` block of an aprecords.yml copy by ``block``."""
    kept, skipping = [], False
    for line in config.read_text("utf-8").splitlines(keepends=True):
        if line[:1] not in (" ", "#", "\n", ""):
            skipping = line.startswith("hosting:")
        if not skipping:
            kept.append(line)
    config.write_text("".join(kept) + "hosting:\n" + block, "utf-8")


def build_as_technician(root: Path, site_dir: Path, *extra: str) -> subprocess.CompletedProcess:
    """``aprecords build`` in a subprocess with umask 077: the modes must not come from it."""
    return subprocess.run(
        [sys.executable, "-m", "aprecords", "--root", str(root), "build", "--today", TODAY]
        + ["--site-dir", str(site_dir), *extra],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(PROJECT / "scripts")},
        preexec_fn=lambda: os.umask(0o077),
    )


@dataclass
class RealBuild:
    root: Path
    site: Path
    www: Path
    names: list[str]


@pytest.fixture(scope="module")
def real_build() -> Iterator[RealBuild]:
    """The example records built by ``aprecords build`` into a folder www-data can traverse."""
    require_tool("nginx")
    with www_readable_dir("aprecords-e2e-") as www:
        root = copy_examples(www / "records")
        passwords = www / "htpasswd"
        set_hosting(
            root / "aprecords.yml",
            f"  mode: basic\n  password_dir: {passwords}\n  listen: 127.0.0.1:{free_port()}\n",
        )
        done = build_as_technician(root, www / "site", "--compress")  # as deployed
        assert done.returncode == 0, done.stdout + done.stderr
        names = [a.name for a in audiences(load_repository(root))]
        assert "hub" in names and len(names) >= 5
        for name in names:
            write_htpasswd(passwords / f"{name}.htpasswd", {f"{name}.user": E2E_PASSWORD})
        yield RealBuild(root, www / "site", www, names)


def pages_of(site: Path, name: str) -> list[str]:
    """A few real pages of an audience's folder: home, search index, a record page (as
    browsers ask for them; the real build stores the last two only compressed)."""
    folder = site / name
    pages = ["index.html", "search/search_index.json", "placements/index.html"]
    records = sorted((folder / "placements").glob("*-*.html*"))
    pages += [records[0].relative_to(folder).as_posix().removesuffix(".gz")] if records else []
    assert all(stored.stored_path(folder, p) for p in pages), pages
    return pages


def content(folder: Path, page: str) -> str:
    """A page's text as MkDocs wrote it, whether stored plain or compressed."""
    return stored.read(stored.stored_path(folder, page)).decode("utf-8")


def test_real_build_folders_are_readable_by_the_web_server(real_build: RealBuild) -> None:
    site = real_build.site
    assert stat.S_IMODE(site.stat().st_mode) == 0o755
    for name in real_build.names:
        for path in [site / name, *(site / name).rglob("*")]:
            mode = stat.S_IMODE(path.lstat().st_mode)
            assert mode == (0o755 if path.is_dir() else 0o644), (path, oct(mode))
    assert stat.S_IMODE((site / "nginx" / "aprecords.conf").stat().st_mode) == 0o644
    store = site / ".aprecords"
    assert stat.S_IMODE(store.stat().st_mode) == 0o700
    for path in store.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    assert [p.name for p in site.iterdir() if p.name.startswith(".") and p != store] == []


@pytest.fixture(scope="module")
def real_basic(real_build: RealBuild) -> Iterator[Nginx]:
    conf = real_build.site / "nginx" / "aprecords.conf"
    port = int(re.search(r"listen 127\.0\.0\.1:(\d+);", conf.read_text()).group(1))
    with run_nginx(conf, real_build.www / "nginx-basic", port) as server:
        yield server


def test_real_build_anonymous_or_wrong_password_is_401(real_basic: Nginx, real_build) -> None:
    for name in real_build.names:
        status, _, body = real_basic.get(f"/{name}/")
        assert status == 401 and "placements" not in body, name
        assert real_basic.get(f"/{name}/", f"{name}.user", "wrong")[0] == 401


def test_real_build_each_audience_reads_its_own_pages_only(real_basic: Nginx, real_build) -> None:
    site = real_build.site
    for name in real_build.names:
        for page in pages_of(site, name):
            status, _, body = real_basic.get(f"/{name}/{page}", f"{name}.user", E2E_PASSWORD)
            assert status == 200, (name, page, status, real_basic.error_log.read_text()[-500:])
            assert body == content(site / name, page), (name, page)
        if name == "hub":
            continue
        for other in real_build.names:
            if other == name:
                continue
            for page in pages_of(site, other):
                status, _, body = real_basic.get(f"/{other}/{page}", f"{name}.user", E2E_PASSWORD)
                assert status == 403, (name, other, page, status)
                assert body != content(site / other, page)
    kinds = {n.split("-")[0] for n in real_build.names}
    assert {"hub", "school", "provider"} <= kinds  # another school's, a provider's, the hub's
    assert "Permission denied" not in real_basic.error_log.read_text()


def test_real_build_the_hub_user_reads_everything(real_basic: Nginx, real_build) -> None:
    for name in real_build.names:
        for page in pages_of(real_build.site, name):
            status, headers, _ = real_basic.get(f"/{name}/{page}", "hub.user", E2E_PASSWORD)
            assert status == 200, (name, page)
            script_src = headers["content-security-policy"].split("script-src", 1)[1]
            script_src = script_src.split(";", 1)[0]
            assert "'sha256-" in script_src and "unsafe-inline" not in script_src


def test_real_build_pages_are_stored_compressed_and_served_either_way(
    real_basic: Nginx, real_build: RealBuild
) -> None:
    """--compress keeps pages only as .gz; nginx sends the stored bytes to a client that
    accepts gzip and the page itself, unpacked, to one that does not."""
    folder = real_build.site / "hub"
    assert (folder / "index.html").is_file(), "index pages stay plain (nginx's index module)"
    records = sorted((folder / "placements").glob("*-*.html.gz"))
    assert records and not list((folder / "placements").glob("*-*.html"))
    assert (folder / "search" / "search_index.json.gz").is_file()
    assert not (folder / "search" / "search_index.json").exists()
    page = records[0].relative_to(folder).as_posix().removesuffix(".gz")
    login = ("hub.user", E2E_PASSWORD)
    conn = http.client.HTTPConnection("127.0.0.1", real_basic.port, timeout=10)
    token = base64.b64encode(":".join(login).encode()).decode()
    conn.request(
        "GET",
        f"/hub/{page}",
        headers={"Authorization": f"Basic {token}", "Accept-Encoding": "gzip"},
    )
    response = conn.getresponse()
    raw = response.read()
    conn.close()
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert response.getheader("Content-Type", "").startswith("text/html")
    assert "Accept-Encoding" in response.getheader("Vary", "")
    assert raw == records[0].read_bytes()
    status, headers, body = real_basic.get(f"/hub/{page}", *login)
    assert status == 200 and "content-encoding" not in headers
    assert body == gzip.decompress(raw).decode("utf-8") and "<html" in body
    # A page that does not exist, and another audience's compressed page: still 404 and 403.
    assert real_basic.get("/hub/placements/no-such-record.html", *login)[0] == 404
    school = next(n for n in real_build.names if n.startswith("school-"))
    assert real_basic.get(f"/hub/{page}", f"{school}.user", E2E_PASSWORD)[0] == 403


@pytest.fixture(scope="module")
def real_sso(real_build: RealBuild) -> Iterator[Nginx]:
    """The same folders in SSO mode: one group per audience, a stand-in auth endpoint."""
    groups = {name: f"group-{name}" for name in real_build.names}
    saved = dict(USERS)
    USERS.update({name: (202, f"{name}@example.org", groups[name]) for name in groups})
    try:
        with auth_stand_in() as auth_port:
            port = free_port()
            settings = hosting.Hosting(
                mode="sso",
                auth_url=f"http://127.0.0.1:{auth_port}/oauth2/auth",
                groups=groups,
                listen=f"127.0.0.1:{port}",
            )
            everyone = audiences(load_repository(real_build.root))
            hashes = script_hashes(real_build.site, real_build.names)
            conf = real_build.www / "sso.conf"
            conf.write_text(hosting.nginx_config(settings, everyone, real_build.site, hashes))
            with run_nginx(conf, real_build.www / "nginx-sso", port) as server:
                yield server
    finally:
        USERS.clear()
        USERS.update(saved)


def test_real_build_sso_each_group_reads_its_own_pages_only(real_sso: Nginx, real_build) -> None:
    site = real_build.site
    for name in real_build.names:
        assert real_sso.get(f"/{name}/")[0] == 302  # not signed in: sent to sign in
        for page in pages_of(site, name):
            status, _, body = real_sso.get(f"/{name}/{page}", Cookie=cookie(name))
            assert status == 200, (name, page, status)
            assert body == content(site / name, page)
        for other in real_build.names:
            if other == name:
                continue
            status, _, body = real_sso.get(f"/{other}/", Cookie=cookie(name))
            assert status == (200 if name == "hub" else 403), (name, other)


def test_a_rebuild_keeps_the_folders_readable(www_tmp: Path) -> None:
    """Each rebuild swaps in a new folder: it must be as readable as the first one."""
    root = copy_examples(www_tmp / "records")
    port = free_port()
    set_hosting(
        root / "aprecords.yml",
        f"  mode: basic\n  password_dir: {www_tmp / 'pw'}\n  listen: 127.0.0.1:{port}\n",
    )
    site = www_tmp / "site"
    args = ("--audience", "school-hollybrook")
    assert build_as_technician(root, site, *args).returncode == 0
    first = (site / "school-hollybrook").stat().st_ino
    record = root / "records/placements/hollybrook/hollybrook-2025-001.yaml"
    text = record.read_text("utf-8")
    record.write_text(text.replace("Wrenfeather", "Wrenfeathers", 1), "utf-8")
    assert text != record.read_text("utf-8")
    done = build_as_technician(root, site, *args)
    assert done.returncode == 0, done.stderr
    assert (site / "school-hollybrook").stat().st_ino != first  # really swapped
    for path in [site / "school-hollybrook", *(site / "school-hollybrook").rglob("*")]:
        assert stat.S_IMODE(path.stat().st_mode) == (0o755 if path.is_dir() else 0o644), path
    user = {"school-hollybrook.ann": E2E_PASSWORD}
    write_htpasswd(www_tmp / "pw" / "school-hollybrook.htpasswd", user)
    page = "placements/hollybrook-2025-001.html"
    with run_nginx(site / "nginx" / "aprecords.conf", www_tmp / "nginx", port) as server:
        status, _, body = server.get(f"/school-hollybrook/{page}", *user.popitem())
    assert status == 200 and "Wrenfeathers" in body


# --- subscribable calendars (site/feeds.py) ------------------------------------------------


def test_calendar_feeds_need_only_the_secret_and_are_text_calendar(www_tmp: Path) -> None:
    """A feed at its secret address is served without a login as text/calendar; nothing else
    under /_calendars/ is; an audience's own reviews.ics is text/calendar behind its login."""
    from aprecords.site import feeds

    passwords = www_tmp / "htpasswd"
    write_htpasswd(passwords / "school-a.htpasswd", {"school-a.ann": PASSWORD}, "ssha")
    settings = hosting.Hosting(
        mode="basic", password_dir=str(passwords), listen=f"127.0.0.1:{free_port()}"
    )
    secret = "A" * 20 + "-_" + "b" * 21  # 43 characters, as secrets.token_urlsafe(32) gives
    with serve(www_tmp, settings) as server:
        site = www_tmp / "site"
        (site / feeds.FOLDER).mkdir()
        (site / feeds.FOLDER / f"{secret}.ics").write_text("BEGIN:VCALENDAR\r\n", "utf-8")
        (site / feeds.FOLDER / "short.ics").write_text("BEGIN:VCALENDAR\r\n", "utf-8")
        (site / "school-a" / "reviews.ics").write_text("BEGIN:VCALENDAR\r\n", "utf-8")
        status, headers, body = server.get(f"/{feeds.FOLDER}/{secret}.ics")
        assert (status, body) == (200, "BEGIN:VCALENDAR\r\n")
        assert headers["content-type"] == "text/calendar; charset=utf-8"
        assert headers["x-content-type-options"] == "nosniff"
        for path in (
            f"/{feeds.FOLDER}/",
            f"/{feeds.FOLDER}/short.ics",
            f"/{feeds.FOLDER}/{secret[:-1]}.ics",
            f"/{feeds.FOLDER}/{secret}.ics.gz",
            f"/{feeds.FOLDER}/../secret.txt",
        ):
            status, _, body = server.get(path)
            assert status in (400, 404), path
            assert "BEGIN:VCALENDAR" not in body and "not in any audience" not in body
        assert server.get("/school-a/reviews.ics")[0] == 401
        status, headers, _ = server.get("/school-a/reviews.ics", "school-a.ann")
        assert status == 200 and headers["content-type"].startswith("text/calendar")
        assert server.get("/school-b/reviews.ics", "school-a.ann")[0] == 403
