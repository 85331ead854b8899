"""The audience gate tried as an attacker would: every location as every kind of user.

Two hand-made mutations of the gate once passed the whole suite and were proven on a real
nginx (issue 20): the gate's expression without its ``^`` let a user named
``school-a.hub.x`` (kept in school-a's password file) read the hub's site, and a
``/hub/admin/`` block without the gate served the web form to a school user. So here:

* the locations are read from the generated configuration itself, and every one is asked
  for by every kind of user (nobody, a wrong password, each audience's user, the hub's, and
  names built to fool the gate), in basic mode and with single sign-on; a location the
  matrix does not know fails the test, so a new one cannot go unchecked;
* identity headers sent by the client never reach the auth endpoint (a stand-in that would
  believe them shows they would have let a school user in);
* a symbolic link in a site folder is not followed;
* every value of aprecords.yml that reaches the configuration is refused when it could add
  a directive, and the configuration itself refuses such values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from aprecords.access import Audience
from aprecords.config import ConfigError
from aprecords.site import hosting
from test_nginx import (
    PASSWORD,
    AuthStandIn,
    Nginx,
    free_port,
    run_nginx,
    static_sites,
    write_htpasswd,
)

pytestmark = pytest.mark.nginx

AUDIENCES = [
    Audience("hub", "The hub", "hub", frozenset()),
    Audience("school-a", "School A", "school", frozenset(), schools=frozenset({"a"})),
    Audience("school-ab", "School AB", "school", frozenset(), schools=frozenset({"ab"})),
    Audience("school-b", "School B", "school", frozenset(), schools=frozenset({"b"})),
    Audience("provider-p", "Provider P", "provider", frozenset(), providers=frozenset({"p"})),
]
FOLDERS = [a.name for a in AUDIENCES]
ORIGINS = ["https://gitlab.example.org"]

# Basic mode: (user, the password file it is written in) -> the folders it may read.
BASIC_USERS: dict[tuple[str, str], set[str]] = {
    ("hub.hana", "hub"): set(FOLDERS),
    ("school-a.ann", "school-a"): {"school-a"},
    ("school-ab.abe", "school-ab"): {"school-ab"},
    ("school-b.bob", "school-b"): {"school-b"},
    ("provider-p.pat", "provider-p"): {"provider-p"},
    # Names a school's administrator could write into the school's own file to fool the gate:
    ("school-a.hub.x", "school-a"): {"school-a"},
    ("school-a.hub", "school-a"): {"school-a"},
    ("school-a.school-b.x", "school-a"): {"school-a"},
    ("school-a.provider-p", "school-a"): {"school-a"},
    ("school-a..hub.", "school-a"): {"school-a"},
    # ... and names of other audiences in a school's file, which is never asked about them:
    ("hub.eve", "school-a"): set(),
    ("school-b.eve", "school-a"): set(),
    ("school-ab.eve", "school-a"): set(),
    ("hub", "school-a"): set(),
    ("xhub.eve", "school-a"): set(),
    ("school-a", "school-a"): set(),
}


def static_with_form(site_dir: Path) -> Path:
    """The stand-in folders, with the hub's web form and a page under it."""
    static_sites(site_dir, AUDIENCES)
    for a in AUDIENCES:  # served by a nested location (text/calendar): it must keep the gate
        (site_dir / a.name / "reviews.ics").write_text(
            f"BEGIN:VCALENDAR\nX-NOTE:site of {a.name}\n"
        )
    admin = site_dir / "hub" / hosting.ADMIN
    admin.mkdir()
    (admin / "index.html").write_text("<h1>web form of hub</h1>")
    (admin / "config.yml").write_text("backend: gitlab\n")
    return site_dir


def locations(conf: str) -> list[str]:
    """Every ``location`` of the configuration, as written after the word."""
    return re.findall(r"^\s*location (.+?) \{", conf, re.M)


def probes(location: str) -> list[str]:
    """Paths to ask for that land in ``location`` (and nowhere more specific)."""
    if location == "/":
        return ["/", "/secret.txt", "/nginx/aprecords.conf", "/.aprecords/hub.json", "/x/"]
    if location.startswith("= "):
        return [location[2:]]
    if location == f"/hub/{hosting.ADMIN}/":
        return ["/hub/admin/", "/hub/admin/index.html", "/hub/admin/config.yml"]
    if location.startswith("@"):
        return []  # a named location: no request can name it
    if location == "/oauth2/":
        return ["/oauth2/start?rd=/hub/", "/oauth2/sign_in"]
    if location == "~ \\.ics$":
        return []  # nested in each folder's location: asked there as /<folder>/reviews.ics
    if location.startswith('~ "^/_calendars/'):  # public feeds by secret: none published here
        return ["/_calendars/" + "A" * 43 + ".ics", "/_calendars/short.ics"]
    name = location.strip("/")
    assert name in FOLDERS, f"a location the matrix does not know: {location}"
    return [
        f"/{name}/",
        f"/{name}/placements/x.html",
        f"/{name}/search/search_index.json",
        f"/{name}/reviews.ics",
    ]


def folder_of(path: str) -> str | None:
    first = path.split("/")[1]
    return first if first in FOLDERS else None


def body_owner(body: str) -> str | None:
    """Whose page a body is (each stand-in page names its audience), or None."""
    found = re.search(r"(?:site|record page|web form) of ([a-z-]+)|\"docs\": \[\"([a-z-]+)", body)
    if found is None:
        return None
    return found.group(1) or found.group(2)


@pytest.fixture
def basic_gate(www_tmp: Path) -> Iterator[tuple[Nginx, str]]:
    passwords = www_tmp / "htpasswd"
    files: dict[str, dict[str, str]] = {}
    for user, file in BASIC_USERS:
        files.setdefault(file, {})[user] = PASSWORD
    for file, users in files.items():
        write_htpasswd(passwords / f"{file}.htpasswd", users)
    settings = hosting.Hosting(
        mode="basic", password_dir=str(passwords), listen=f"127.0.0.1:{free_port()}"
    )
    site = static_with_form(www_tmp / "site")
    conf = hosting.write(settings, AUDIENCES, site, {}, ORIGINS)
    port = int(settings.listen.rsplit(":", 1)[1])
    with run_nginx(conf, www_tmp / "nginx", port) as server:
        yield server, conf.read_text()


def test_basic_every_location_as_every_user(basic_gate: tuple[Nginx, str]) -> None:
    server, conf = basic_gate
    found = locations(conf)
    assert "/hub/admin/" in found and {f"/{n}/" for n in FOLDERS} <= set(found)
    asked = 0
    for location in found:
        for path in probes(location):
            folder = folder_of(path)
            status, _, body = server.get(path)
            assert status == (401 if folder else 404), (path, status)
            assert server.get(path, "school-a.ann", "wrong password")[0] in (401, 404)
            for (user, _file), readable in BASIC_USERS.items():
                status, _, body = server.get(path, user)
                asked += 1
                if folder is None:
                    expected = {404}
                elif folder in readable:
                    expected = {200}
                elif readable:  # a real user of another folder: authenticated, not allowed
                    expected = {403}
                else:  # vouched for by no file (the file its prefix names does not list it)
                    expected = {401, 403}
                assert status in expected, (path, user, status)
                owner = body_owner(body)
                assert owner is None or owner in readable, (path, user, owner)
                assert status != 200 or owner in (folder, None), (path, user, body)
    assert asked >= 400


@contextmanager
def trusting_auth() -> Iterator[tuple[int, list[dict[str, str]]]]:
    """A stand-in auth endpoint that would believe a client's identity headers (as a badly
    set up proxy would), and records the headers of every request it gets."""
    import http.server
    import threading

    seen: list[dict[str, str]] = []

    class Trusting(AuthStandIn):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            seen.append({k.lower(): v for k, v in self.headers.items()})
            claimed = self.headers.get("X-Forwarded-Groups") or self.headers.get(
                "X-Auth-Request-Groups"
            )
            if self.path.startswith("/oauth2/auth") and claimed:
                self.send_response(202)
                self.send_header("X-Auth-Request-User", "whoever@example.org")
                self.send_header("X-Auth-Request-Groups", claimed)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            super().do_GET()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trusting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()


SSO_GROUPS = {
    "hub": "g-hub",
    "school-a": "11111111-aaaa",
    "school-ab": "11111111-aaaab",
    "school-b": "22222222-bbbb",
}
# cookie -> the folders it may read (test_nginx.USERS says who each cookie is)
SSO_USERS: dict[str, set[str]] = {
    "hana": set(FOLDERS),
    "ann": {"school-a"},
    "bob": {"school-b"},
    "nogroups": set(),
    "lookalike": set(),
    "banned": set(),
}


@pytest.fixture
def sso_gate(www_tmp: Path) -> Iterator[tuple[Nginx, str, list[dict[str, str]]]]:
    with trusting_auth() as (auth_port, seen):
        settings = hosting.Hosting(
            mode="sso",
            auth_url=f"http://127.0.0.1:{auth_port}/oauth2/auth",
            groups=SSO_GROUPS,
            listen=f"127.0.0.1:{free_port()}",
        )
        site = static_with_form(www_tmp / "site")
        conf = hosting.write(settings, AUDIENCES, site, {}, ORIGINS)
        port = int(settings.listen.rsplit(":", 1)[1])
        with run_nginx(conf, www_tmp / "nginx", port) as server:
            yield server, conf.read_text(), seen


SPOOFED = {header: "g-hub" for header in ("X-Forwarded-Groups", "X-Auth-Request-Groups")}


def test_sso_every_location_as_every_user_and_forged_identities(
    sso_gate: tuple[Nginx, str, list[dict[str, str]]],
) -> None:
    server, conf, seen = sso_gate
    found = locations(conf)
    assert {"/hub/admin/", "= /_aprecords_auth", "/oauth2/"} <= set(found)
    for location in found:
        for path in probes(location):
            folder = folder_of(path)
            if location == "/oauth2/":  # oauth2-proxy's own pages: open, nothing of ours
                status, _, body = server.get(path, Cookie="_oauth2_proxy=ann", **SPOOFED)
                assert status == 200 and body == "oauth2-proxy sign-in page"
                continue
            status, headers, body = server.get(path)
            if folder is None:
                assert status == 404, (path, status)
            else:
                assert status == 302 and "/oauth2/start" in headers["location"], (path, status)
            for name, readable in SSO_USERS.items():
                for forged in ({}, SPOOFED, {"X-Forwarded-User": "hana@hub.example.org"}):
                    status, _, body = server.get(path, Cookie=f"_oauth2_proxy={name}", **forged)
                    expected = 404 if folder is None else 200 if folder in readable else 403
                    assert status == expected, (path, name, forged, status)
                    owner = body_owner(body)
                    assert owner is None or owner in readable, (path, name, owner)
            # Nobody signed in, but claiming the hub's group in every way a client could.
            status, _, body = server.get(path, **SPOOFED)
            assert status == (404 if folder is None else 302), (path, status)
    # The auth endpoint never saw a client's identity header, on any request.
    identity = {h.lower() for h in hosting.IDENTITY_HEADERS}
    assert len(seen) > 100
    assert [sorted(identity & set(r)) for r in seen if identity & set(r)] == []


def test_the_stand_in_would_have_believed_a_forged_group(
    sso_gate: tuple[Nginx, str, list[dict[str, str]]], www_tmp: Path
) -> None:
    """The same configuration without the clearing: a school user reads the hub's site."""
    server, conf, _ = sso_gate
    naive = "\n".join(
        line for line in conf.splitlines() if not re.search(r'proxy_set_header \S+ "";', line)
    )
    (www_tmp / "naive.conf").write_text(naive.replace(f":{server.port};", f":{free_port()};", 1))
    port = int(re.search(r"listen 127\.0\.0\.1:(\d+);", (www_tmp / "naive.conf").read_text())[1])
    with run_nginx(www_tmp / "naive.conf", www_tmp / "nginx-naive", port) as open_server:
        status, _, body = open_server.get("/hub/", Cookie="_oauth2_proxy=ann", **SPOOFED)
    assert (status, body_owner(body)) == (200, "hub")
    status, _, _ = server.get("/hub/", Cookie="_oauth2_proxy=ann", **SPOOFED)
    assert status == 403


def test_a_symbolic_link_in_a_site_folder_is_not_followed(basic_gate: tuple[Nginx, str]) -> None:
    server, conf = basic_gate
    assert "    disable_symlinks on;\n" in conf
    site = Path(re.search(r"^    root (\S+);", conf, re.M)[1])
    folder = site / "school-a"
    (folder / "hub-page.html").symlink_to(site / "hub" / "index.html")
    (folder / "hub-folder").symlink_to(site / "hub")
    (folder / "passwd.html").symlink_to("/etc/passwd")
    for path in ("/school-a/hub-page.html", "/school-a/hub-folder/index.html",
                 "/school-a/passwd.html", "/school-a/hub-folder/"):  # fmt: skip
        for user in ("school-a.ann", "hub.hana"):
            status, _, body = server.get(path, user)
            assert status in (403, 404), (path, user, status)
            assert "site of hub" not in body and "root:" not in body
    assert server.get("/school-a/", "school-a.ann")[0] == 200  # the folder itself still is


# --- every value that reaches the configuration ---------------------------------------------

INJECTIONS = [
    ("server_name", "records.example.org; include /etc/passwd"),
    ("server_name", "records.example.org\n    error_log /etc/cron.d/x"),
    ("server_name", "-bad.example.org"),
    ("listen", "80; error_log /etc/cron.d/x debug"),
    ("listen", "443 ssl proxy_protocol"),
    ("listen", "unix:/tmp/x.sock"),
    ("listen", "127.0.0.1:8080 backlog=1"),
    ("password_dir", "/etc/aprecords/../../tmp"),
    ("password_dir", "/etc/aprecords/htpasswd;"),
    ("password_dir", "/etc/aprecords/./x"),
    ("password_dir", "/etc//aprecords"),
    ("password_dir", "etc/aprecords"),
    ("password_dir", "/etc/apr ecords"),
    ("tls_certificate", "/etc/ssl/x.pem;error_log /x"),
    ("tls_certificate_key", "/etc/ssl/../shadow"),
    ("mode", "basic;"),
]
SSO_INJECTIONS = [
    ("auth_url", "http://127.0.0.1:4180/oauth2/auth; error_log /x"),
    ("auth_url", "http://127.0.0.1:4180/oauth2/auth?x=1"),
    ("auth_url", "http://127.0.0.1:4180/oauth2/../auth"),
    ("auth_url", "http://user@127.0.0.1:4180/oauth2/auth"),
    ("auth_url", "file:///etc/passwd"),
    ("auth_url", "http://127.0.0.1:4180/oauth2/auth#x"),
    ("groups", {"hub": 'x" ; allow all; "'}),
    ("groups", {"hub": "g-hub", "school-a": "a b"}),
]


@pytest.mark.parametrize(("key", "value"), INJECTIONS + SSO_INJECTIONS)
def test_a_value_that_could_add_a_directive_is_refused(
    tmp_path: Path, key: str, value: object
) -> None:
    base: dict[str, object] = {
        "mode": "basic",
        "listen": "443 ssl",
        "server_name": "records.example.org",
    }
    if (key, value) in SSO_INJECTIONS:
        base.update(mode="sso", groups={"hub": "g-hub"})
    settings = hosting.Hosting(**{**base, key: value})  # type: ignore[arg-type]
    assert hosting.problems(settings, AUDIENCES, tmp_path), (key, value)
    with pytest.raises(ConfigError):
        hosting.nginx_config(settings, AUDIENCES, tmp_path / "site")


def test_good_values_pass_and_the_configuration_itself_refuses_bad_names(tmp_path: Path) -> None:
    for listen in ("443 ssl", "443 ssl http2", "127.0.0.1:8080", "[::1]:8080", "8443 ssl"):
        settings = hosting.Hosting(listen=listen, server_name="*.records.example.org")
        assert hosting.problems(settings, AUDIENCES, tmp_path) == [], listen
        assert f"listen {listen};" in hosting.nginx_config(settings, AUDIENCES, tmp_path)
    server = hosting.Hosting(server_name="_")
    for bad in ("a b", "hub/../x", "Hub", "x;", "-x", "a--b"):
        with pytest.raises(ConfigError):
            hosting.nginx_config(server, [*AUDIENCES, Audience(bad, "x", "custom", frozenset())],
                                 tmp_path)  # fmt: skip
    for hashes in ({"hub": ["'sha256-x'; evil"]}, {"hub": ["'unsafe-inline'"]}):
        with pytest.raises(ConfigError):
            hosting.nginx_config(server, AUDIENCES, tmp_path, hashes)
    with pytest.raises(ConfigError):
        hosting.nginx_config(server, AUDIENCES, tmp_path, {}, ["http://evil.example.org"])
    assert hosting.problems(hosting.Hosting(password_dir="/etc/.x/pw"), AUDIENCES, None) == []
    good = "'sha256-" + "A" * 43 + "='"
    assert good in hosting.nginx_config(server, AUDIENCES, tmp_path, {"hub": [good]})
