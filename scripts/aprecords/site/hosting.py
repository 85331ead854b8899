"""Web-server configuration for the audience folders: nginx, basic auth or single sign-on.

The build writes ``DIR/nginx/aprecords.conf`` (``map`` blocks and one ``server`` block, to be
included in nginx's ``http`` context) and ``DIR/nginx/README.md``. Everything fails closed:

* ``location /`` and every path outside an audience folder answer 404 without reading a file;
* every audience folder needs authentication; there is no directory listing;
* **basic**: ``/<audience>/`` checks ``<password_dir>/<audience>.htpasswd``. A user whose
  name starts with ``hub.`` is checked against ``hub.htpasswd`` instead, on every folder: the
  hub's people read everything, and nobody can make themselves a hub user by editing a
  school's or provider's file (their ``hub.`` entries are never consulted);
* **sso**: each folder asks oauth2-proxy (``auth_request``) who the user is; the groups it
  reports (``X-Auth-Request-Groups``) must include the group mapped to that audience or to the
  hub in ``hosting.groups``, or the answer is 403. No group header, an unknown group, an auth
  endpoint that is down or answers anything but 2xx: denied. Identity headers sent by the
  client (:data:`IDENTITY_HEADERS`) are cleared before nginx asks, so no client can tell the
  auth endpoint who it is;
* nginx follows no symbolic link in the site folders (``disable_symlinks on``);
* every value of ``aprecords.yml`` that reaches the configuration, every audience name and
  every script hash matches a strict pattern (:func:`problems`, checked again by
  :func:`nginx_config` itself): no setting can add a directive.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aprecords.access import Audience
from aprecords.config import CONFIG_FILE, ConfigError
from aprecords.site import feeds

FOLDER = "nginx"
HUB_PREFIX = "hub."
DENIED = "/.aprecords-denied"
"""A folder that never exists under the site folder: the root an audience location gives a
reader who may not see it (its "not found" is answered 403)."""
CSP = (
    "default-src 'self'; script-src 'self' {scripts}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
"""The Content-Security-Policy; ``{scripts}`` is the hashes of one audience's inline scripts
(each audience folder has its own policy; elsewhere, and for an audience whose hashes are not
known, none: ``script-src 'self'``). There is no 'unsafe-inline' fallback."""
ADMIN = "admin"
"""The web form's folder in the hub's site (``/hub/admin/``, see ``site/cms.py``)."""
_ORIGIN = re.compile(r"^https://[A-Za-z0-9.-]+(:[0-9]+)?$")


def admin_csp(origins: Iterable[str]) -> str:
    """The policy of the web form's folder: the site's own, with no inline script at all, plus
    what a browser-side Git client needs: ``connect-src`` to the Git host's API (its origins
    only) and ``blob:`` images (the form draws its icons from blobs)."""
    kept = sorted({o for o in origins if _ORIGIN.match(o)})
    csp = CSP.format(scripts="").replace("'self' ;", "'self';")
    csp = csp.replace("img-src 'self' data:;", "img-src 'self' data: blob:;")
    return csp.replace("connect-src 'self';", " ".join(["connect-src 'self'", *kept]) + ";")


HEADERS = (
    "add_header X-Content-Type-Options nosniff always;",
    "add_header Referrer-Policy no-referrer always;",
    "add_header X-Frame-Options DENY always;",
    'add_header Cache-Control "private, no-store" always;',
)
HSTS = 'add_header Strict-Transport-Security "max-age=31536000" always;'
CONF_MODE = 0o644
"""The generated files hold no secret; nginx's master (root) reads the configuration."""
_INLINE_SCRIPT = re.compile(
    rb"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", re.S
)
_SAFE_PATH = re.compile(r"^(/(?!\.\.?(?:/|$))[A-Za-z0-9._-]+)+/?$|^/$")
"""An absolute path of letters, digits, '.', '_' and '-': no '.' or '..' part, no empty
part, nothing nginx would read as syntax."""
_SAFE_GROUP = re.compile(r"^[A-Za-z0-9._@-]+$")
_SAFE_HOST = re.compile(r"^(_|[A-Za-z0-9*]([A-Za-z0-9.*-]*[A-Za-z0-9])?)$")
_SAFE_LISTEN = re.compile(
    r"^((\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):)?[0-9]{1,5}"
    r"( (ssl|http2|default_server))*$"
)
"""``[address:]port`` and only the options ``ssl``, ``http2`` and ``default_server``."""
_SAFE_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
"""An audience's folder name (a record id's pattern)."""
_SAFE_HASH = re.compile(r"^'sha256-[A-Za-z0-9+/]{43}='$")
_SAFE_URL_HOST = re.compile(r"^[A-Za-z0-9.:\[\]-]+$")
MODES = ("basic", "sso")
IDENTITY_HEADERS = (
    "X-Auth-Request-User",
    "X-Auth-Request-Email",
    "X-Auth-Request-Groups",
    "X-Auth-Request-Preferred-Username",
    "X-Auth-Request-Access-Token",
    "X-Forwarded-User",
    "X-Forwarded-Email",
    "X-Forwarded-Groups",
    "X-Forwarded-Preferred-Username",
    "X-Forwarded-Access-Token",
    "X-Remote-User",
    "Remote-User",
    "Gap-Auth",
)
"""Headers that say who a user is: the client's are cleared before the auth endpoint is
asked (oauth2-proxy sets its own on its answer; none may come from the browser)."""


@dataclass(frozen=True)
class Hosting:
    """The ``hosting`` settings of aprecords.yml, with defaults."""

    mode: str = "basic"
    server_name: str = "_"
    password_dir: str = "/etc/aprecords/htpasswd"
    calendar_secrets: str = "/etc/aprecords/calendars"
    auth_url: str = "http://127.0.0.1:4180/oauth2/auth"
    groups: dict[str, str] = field(default_factory=dict)
    listen: str = "443 ssl"
    tls_certificate: str = "/etc/ssl/aprecords/fullchain.pem"
    tls_certificate_key: str = "/etc/ssl/aprecords/privkey.pem"

    @classmethod
    def from_config(cls, data: dict[str, Any]) -> Hosting:
        """From the whole aprecords.yml mapping (missing keys take the defaults)."""
        given = data.get("hosting") or {}
        known = {k: v for k, v in given.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    @property
    def tls(self) -> bool:
        """True when nginx terminates TLS itself (``listen ... ssl``)."""
        return isinstance(self.listen, str) and "ssl" in self.listen.split()


def problems(hosting: Hosting, audiences: Iterable[Audience], root: Path | None) -> list[str]:
    """What makes these settings unsafe or unusable, as 'hosting.key: message' lines
    (``root``: the records repository, which may not hold the password files)."""
    found = []
    names = {a.name for a in audiences}
    if hosting.mode not in MODES:
        found.append("hosting.mode: use basic or sso")
    if not isinstance(hosting.server_name, str) or not _SAFE_HOST.match(hosting.server_name):
        found.append("hosting.server_name: use a host name such as records.example.org")
    if not isinstance(hosting.listen, str) or not _SAFE_LISTEN.match(hosting.listen):
        found.append(
            "hosting.listen: use [address:]port and options ssl, http2 or default_server, "
            "for example '443 ssl' or '127.0.0.1:8080'"
        )
    paths = ["password_dir"] if hosting.mode == "basic" else []
    paths += ["tls_certificate", "tls_certificate_key"] if hosting.tls else []
    good = True
    for key in paths:
        value = getattr(hosting, key)
        if not _SAFE_PATH.match(str(value)):
            good = good and key != "password_dir"
            found.append(
                f"hosting.{key}: '{value}' must be an absolute path of letters, digits, "
                "'.', '_', '-' and '/' (no '.' or '..' part)"
            )
    secrets = Path(str(hosting.calendar_secrets)).resolve()
    if root is not None and (secrets == root.resolve() or root.resolve() in secrets.parents):
        found.append(
            f"hosting.calendar_secrets: '{hosting.calendar_secrets}' is inside the records "
            "repository; keep the calendar secrets outside it (for example "
            "/etc/aprecords/calendars)"
        )
    if hosting.mode == "basic" and root is not None and good:
        pw = Path(hosting.password_dir).resolve()
        if pw == root.resolve() or root.resolve() in pw.parents:
            found.append(
                f"hosting.password_dir: '{hosting.password_dir}' is inside the records "
                "repository; password files must be kept outside it (for example "
                "/etc/aprecords/htpasswd)"
            )
    if hosting.mode == "sso":
        url = urlsplit(str(hosting.auth_url))
        if (  # nothing but scheme, host, port and path: no user, query or fragment
            url.scheme not in ("http", "https")
            or not _SAFE_URL_HOST.match(url.netloc)
            or not _SAFE_PATH.match(url.path or "/")
            or hosting.auth_url != f"{url.scheme}://{url.netloc}{url.path}"
        ):
            found.append(
                f"hosting.auth_url: '{hosting.auth_url}' should be oauth2-proxy's auth "
                "endpoint, for example http://127.0.0.1:4180/oauth2/auth"
            )
        groups = hosting.groups if isinstance(hosting.groups, dict) else {}
        if "hub" not in groups:
            found.append("hosting.groups: map the hub to a group, or nobody can read /hub/")
        for name, group in groups.items():
            if name not in names:
                found.append(f"hosting.groups.{name}: not an audience")
            if not _SAFE_GROUP.match(str(group)):
                found.append(
                    f"hosting.groups.{name}: '{group}' is not a usable group id; use the "
                    "group's object id (letters, digits, '-', '.', '_', '@')"
                )
    for name in sorted(names, key=str):
        if not _SAFE_NAME.match(str(name)):
            found.append(f"audiences: '{name}' is not a usable folder name")
    return found


def _refuse_unsafe(
    hosting: Hosting,
    audiences: list[Audience],
    root: str,
    hashes: dict[str, list[str]],
    origins: list[str] | None,
) -> None:
    """ConfigError unless every value the configuration is written from matches its strict
    pattern (the same checks as :func:`problems`, made again where the text is written)."""
    found = problems(hosting, audiences, None)
    if not _SAFE_PATH.match(root):
        found.append(f"{root}: the site folder's path must be letters, digits, '.', '_', '-'")
    for name, given in hashes.items():
        bad = [h for h in given if not isinstance(h, str) or not _SAFE_HASH.match(h)]
        if bad:
            found.append(f"script hashes of {name}: {bad[0]!r} is not a SHA-256 source")
    for origin in origins or []:
        if not isinstance(origin, str) or not _ORIGIN.match(origin):
            found.append(f"cms: {origin!r} is not an https origin")
    if found:
        raise ConfigError("; ".join(found))


def _pattern(groups: list[str]) -> str:
    alternatives = "|".join(re.escape(g) for g in sorted(set(groups)))
    return f'"~(^|,)\\s*({alternatives})\\s*(,|$)"'


def _proxy_headers(indent: str) -> list[str]:
    """What nginx tells oauth2-proxy about a request: its own values, and none of the
    client's identity headers."""
    return [
        f"{indent}proxy_set_header Host $host;",
        f"{indent}proxy_set_header X-Real-IP $remote_addr;",
        f"{indent}proxy_set_header X-Forwarded-For $remote_addr;",
        f"{indent}proxy_set_header X-Forwarded-Host $host;",
        f"{indent}proxy_set_header X-Forwarded-Proto $scheme;",
        *(f'{indent}proxy_set_header {header} "";' for header in IDENTITY_HEADERS),
    ]


def _var(name: str) -> str:
    return name.replace("-", "_")


def inline_script_hashes(folder: Path) -> list[str]:
    """CSP source expressions (``'sha256-...'``) of every inline script in a built site."""
    from aprecords.site.stored import read

    found: set[str] = set()
    files = [*folder.rglob("*.html"), *folder.rglob("*.html.gz")]  # plain or compressed pages
    for file in files:
        for match in _INLINE_SCRIPT.finditer(read(file)):
            digest = base64.b64encode(hashlib.sha256(match.group(1)).digest()).decode()
            found.add(f"'sha256-{digest}'")
    return sorted(found)


def _headers(
    hosting: Hosting, hashes: Iterable[str], indent: str, csp: str | None = None
) -> list[str]:
    """Every security header, with a CSP allowing exactly these inline-script hashes (or the
    policy ``csp`` given).

    nginx inherits ``add_header`` only into locations that have none of their own, so each
    audience location repeats the whole set.
    """
    scripts = " ".join(sorted(set(hashes)))
    csp = csp or CSP.format(scripts=scripts).replace("'self' ;", "'self';")
    lines = [*HEADERS, f'add_header Content-Security-Policy "{csp}" always;']
    if hosting.tls:
        lines.append(HSTS)
    return [indent + line for line in lines]


def nginx_config(
    hosting: Hosting,
    audiences: list[Audience],
    site_dir: Path,
    script_hashes: dict[str, list[str]] | None = None,
    admin_origins: list[str] | None = None,
) -> str:
    """The nginx configuration (http-context include) serving ``site_dir``'s audience folders.

    ``script_hashes`` maps each audience to the inline-script hashes of its built folder; its
    location's CSP allows exactly those (an audience missing from it: no inline script).
    ``admin_origins`` (when the hub's site has the web form): the Git host's origins, which
    only ``/hub/admin/`` may connect to (:func:`admin_csp`).
    """
    hashes = script_hashes or {}
    root = site_dir.resolve().as_posix()
    _refuse_unsafe(hosting, audiences, root, hashes, admin_origins)
    out = [
        "# Written by `aprecords build`; do not edit (it is rewritten on every build).",
        f"# Mode: {hosting.mode}. Include this file in nginx's http {{ }} context.",
        "",
    ]
    if hosting.mode == "basic":
        # Whose password file vouches for a user: the one their name's prefix names.
        out += ["map $remote_user $aprecords_user_file {"]
        out += [
            f'    "~^{re.escape(a.name)}\\."  {hosting.password_dir}/{a.name}.htpasswd;'
            for a in audiences
        ]
        out += [f"    default  {hosting.password_dir}/.no-such-audience;", "}"]
    for a in audiences:
        var = _var(a.name)
        if hosting.mode == "basic":
            key = "$remote_user"
            prefixes = sorted({a.name, "hub"})
            allow = f'"~^({"|".join(re.escape(p) for p in prefixes)})\\."'
        else:
            key = "$aprecords_groups"
            # The hub's group is always there (problems() requires it).
            groups = [g for g in (hosting.groups.get(a.name), hosting.groups["hub"]) if g]
            allow = _pattern(groups)
        out += [f"map {key} $aprecords_gate_{var} {{", f'    default  "{DENIED}";']
        out += [f'    {allow}  "";', "}"]
        out += [
            f"map {key} $aprecords_miss_{var} {{",
            "    default  403;",
            f"    {allow}  404;",
            "}",
        ]
    out += ["", "server {"]
    out += [f"    listen {hosting.listen};", f"    server_name {hosting.server_name};"]
    if hosting.tls:
        out += [
            f"    ssl_certificate {hosting.tls_certificate};",
            f"    ssl_certificate_key {hosting.tls_certificate_key};",
            "    ssl_protocols TLSv1.2 TLSv1.3;",
        ]
    out += [
        f"    root {root};",
        "    # Symbolic links are never followed: a link in a site folder is not served.",
        "    disable_symlinks on;",
        "    autoindex off;",
        "    server_tokens off;",
        "    index index.html;",
        "    # Pages built with --compress are stored only as .gz: sent as they are, unpacked",
        "    # for a client that does not accept gzip. Plain files are served as they are.",
        "    gzip_static always;",
        "    gunzip on;",
        "    gzip_vary on;",
        "    absolute_redirect off;  # /hub/placements -> /hub/placements/, whatever the host",
        "    # Security headers of every answer outside the audience folders (each audience",
        "    # location repeats them with its own Content-Security-Policy).",
        *_headers(hosting, (), "    "),
        "",
        "    # Anything that is not an audience folder: denied, no file is read.",
        "    location / {",
        "        return 404;",
        "    }",
    ]
    if hosting.mode == "sso":
        url = urlsplit(hosting.auth_url)
        base = f"{url.scheme}://{url.netloc}"
        out += [
            "",
            "    # oauth2-proxy: sign-in pages, and the auth endpoint (internal only).",
            "    location /oauth2/ {",
            f"        proxy_pass {base};",
            *_proxy_headers("        "),
            "        proxy_set_header X-Auth-Request-Redirect $request_uri;",
            "    }",
            "    # Who the user is: asked for every request to an audience folder. The client's",
            "    # own identity headers are cleared first: only oauth2-proxy's answer counts.",
            "    location = /_aprecords_auth {",
            "        internal;",
            f"        proxy_pass {hosting.auth_url};",
            "        proxy_pass_request_body off;",
            '        proxy_set_header Content-Length "";',
            *_proxy_headers("        "),
            "        proxy_set_header X-Forwarded-Uri $request_uri;",
            "    }",
            "    location @aprecords_sign_in {",
            "        return 302 /oauth2/start?rd=$request_uri;",
            "    }",
        ]
    out += [
        "    location = /_aprecords_status/403 { internal; return 403; }",
        "    location = /_aprecords_status/404 { internal; return 404; }",
    ]
    out += feeds.nginx_location(_headers(hosting, (), "        "))
    for a in audiences:
        var = _var(a.name)
        out += ["", f"    location /{a.name}/ {{"]
        out += _headers(hosting, hashes.get(a.name, ()), "        ")
        out += ["        location ~ \\.ics$ { types { } default_type text/calendar; }"]
        if hosting.mode == "basic":
            out += [
                '        auth_basic "aprecords";',
                "        auth_basic_user_file $aprecords_user_file;",
            ]
        else:
            out += [
                "        auth_request /_aprecords_auth;",
                "        auth_request_set $aprecords_groups $upstream_http_x_auth_request_groups;",
                "        auth_request_set $aprecords_user $upstream_http_x_auth_request_user;",
            ]
        gate = [
            f"root {root}$aprecords_gate_{var};",
            f"error_page 404 = /_aprecords_status/$aprecords_miss_{var};",
        ]
        if hosting.mode == "sso":  # error_page is not inherited by a block that has its own
            gate.append("error_page 401 = @aprecords_sign_in;")
        out += [
            "        # The audience check runs after authentication (the root is worked out when",
            "        # the file is opened, after the access phase): a user who may not read this",
            "        # folder gets a root that never exists, and its 404 is answered 403.",
            *(f"        {line}" for line in gate),
        ]
        if a.sees_all and admin_origins is not None:
            out += [
                "        # The web form: the same sign-in and gate, its own policy.",
                f"        location /{a.name}/{ADMIN}/ {{",
                *_headers(hosting, (), "            ", admin_csp(admin_origins)),
                *(f"            {line}" for line in gate),
                "        }",
            ]
        out += ["    }"]
    out += ["}", ""]
    return "\n".join(out)


def readme(hosting: Hosting, audiences: list[Audience], site_dir: Path) -> str:
    """How to include the configuration, and which password files or groups it expects."""
    conf = (site_dir / FOLDER / "aprecords.conf").resolve().as_posix()
    lines = [
        "# Serving the audience sites",
        "",
        "Written by `aprecords build`. See docs/deployment.md for the whole guide.",
        "",
        "On a server set up as docs/deployment.md says, the deploy's root step writes the",
        "same configuration from the tool's own template as /etc/nginx/conf.d/aprecords.conf,",
        "checks it and reloads nginx (this file is never installed). By hand:",
        "",
        f"1. Include the configuration in nginx's `http {{ }}` block: `include {conf};`",
        "2. Check and reload: `nginx -t && systemctl reload nginx`.",
        "",
        f"Mode: **{hosting.mode}**.",
        "",
    ]
    if hosting.mode == "basic":
        lines += [
            f"Password files (kept in `{hosting.password_dir}`, never in the repository):",
            "",
        ]
        lines += [f"- `{a.name}.htpasswd`: {a.title}" for a in audiences]
        lines += [
            "",
            f"Hub users are listed in `hub.htpasswd` with names starting `{HUB_PREFIX}` (for",
            f"example `{HUB_PREFIX}alice`): they can read every folder. Add a user with",
            f"`htpasswd -B {hosting.password_dir}/school-<id>.htpasswd NAME`.",
        ]
    else:
        lines += ["Groups (X-Auth-Request-Groups from oauth2-proxy) and the folders they open:", ""]
        for a in audiences:
            group = hosting.groups.get(a.name)
            lines.append(
                f"- `/{a.name}/`: group `{group}`" if group else f"- `/{a.name}/`: hub only"
            )
    return "\n".join(lines) + "\n"


def write(
    hosting: Hosting,
    audiences: list[Audience],
    site_dir: Path,
    script_hashes: dict[str, list[str]] | None = None,
    admin_origins: list[str] | None = None,
) -> Path:
    """Write ``site_dir/nginx/aprecords.conf`` and its README atomically; return the conf."""
    folder = site_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o755)
    conf = folder / "aprecords.conf"
    for target, text in (
        (conf, nginx_config(hosting, audiences, site_dir, script_hashes, admin_origins)),
        (folder / "README.md", readme(hosting, audiences, site_dir)),
    ):
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            os.fchmod(f.fileno(), CONF_MODE)
        os.replace(tmp, target)
    return conf


def checked(data: dict[str, Any], audiences: list[Audience], root: Path) -> Hosting:
    """The hosting settings, or ConfigError naming what to fix at its line of aprecords.yml."""
    from aprecords.findings import pointer
    from aprecords.load import LoadError, load_file

    hosting = Hosting.from_config(data)
    found = problems(hosting, audiences, root)
    if not found:
        return hosting
    try:
        doc = load_file(root / CONFIG_FILE, CONFIG_FILE)
    except LoadError:
        doc = None
    lines = []
    for problem in found:
        where, _, message = problem.partition(": ")
        line, col = doc.locate(pointer(*where.split("."))) if doc is not None else (1, 1)
        lines.append(f"{CONFIG_FILE}:{line}:{col}: error: {where}: {message} [hosting]")
    raise ConfigError("\n".join(lines))
