"""site/hosting.py, exactly: the generated nginx configuration and README, byte for byte.

test_nginx.py and test_nginx_gate.py prove what the configuration does on a real nginx; this
pins what it says, so that no word of it changes unseen (comments and headers included), and
checks the smaller functions one by one. Together they are the test list of
``bench/mutation.py site/hosting.py``. After a deliberate change of the configuration, look
at the difference and write the new expected files with ``python tests/test_mutants_hosting.py``.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from aprecords.access import Audience
from aprecords.config import ConfigError
from aprecords.site import hosting

DATA = Path(__file__).parent / "data" / "hosting"
SITE = Path("/srv/aprecords/site-a")
AUDIENCES = [
    Audience("hub", "The hub", "hub", frozenset()),
    Audience("school-a", "School A", "school", frozenset(), schools=frozenset({"a"})),
    Audience("provider-p", "Provider P", "provider", frozenset(), providers=frozenset({"p"})),
]
HASH = "'sha256-" + "Q" * 43 + "='"
OTHER = "'sha256-" + "a" * 43 + "='"
CASES = {
    "basic": (
        hosting.Hosting(password_dir="/etc/aprecords/htpasswd", server_name="r.example.org"),
        {"hub": [OTHER, HASH], "school-a": [HASH]},
        ["https://gitlab.example.org", "https://gitlab.example.org"],
    ),
    "sso": (
        hosting.Hosting(
            mode="sso",
            listen="127.0.0.1:8080",
            auth_url="http://127.0.0.1:4180/oauth2/auth",
            groups={"hub": "g-hub", "school-a": "g.a@x"},
        ),
        {"provider-p": [HASH]},
        None,
    ),
}


def generated(case: str) -> dict[str, str]:
    settings, hashes, origins = CASES[case]
    return {
        f"{case}.conf": hosting.nginx_config(settings, AUDIENCES, SITE, hashes, origins),
        f"{case}.md": hosting.readme(settings, AUDIENCES, SITE),
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_configuration_and_readme_are_exactly_as_expected(case: str) -> None:
    for name, text in generated(case).items():
        expected = (DATA / name).read_text("utf-8")
        assert text == expected, f"{name} changed: python tests/test_mutants_hosting.py"


def test_admin_csp_keeps_only_https_origins_once() -> None:
    csp = hosting.admin_csp(["https://b.example.org", "https://a.example.org:8443", "javascript:x",
                             "https://b.example.org", "https://x/y"])  # fmt: skip
    assert "connect-src 'self' https://a.example.org:8443 https://b.example.org;" in csp
    assert "script-src 'self';" in csp and "img-src 'self' data: blob:;" in csp
    assert "'unsafe-eval'" not in csp and csp.count("'unsafe-inline'") == 1  # styles only


def test_settings_from_the_configuration_and_tls() -> None:
    settings = hosting.Hosting.from_config(
        {"hosting": {"mode": "sso", "listen": "8443 ssl", "unknown": 1}}
    )
    assert (settings.mode, settings.listen, settings.tls) == ("sso", "8443 ssl", True)
    assert hosting.Hosting.from_config({}) == hosting.Hosting()
    assert hosting.Hosting.from_config({"hosting": None}) == hosting.Hosting()
    assert not hosting.Hosting(listen="127.0.0.1:8080").tls
    assert not hosting.Hosting(listen="8080 sslx").tls and hosting.Hosting(listen="ssl").tls


def test_inline_script_hashes_of_plain_and_stored_pages(tmp_path: Path) -> None:
    import base64
    import gzip
    import hashlib

    (tmp_path / "a.html").write_bytes(b"<script>x()</script><script src='s.js'></script>")
    (tmp_path / "b.html.gz").write_bytes(gzip.compress(b'<script type="x">y()</script>'))
    (tmp_path / "c.html").write_bytes(b'<script type="application/json">{"a":1}</script>')
    found = hosting.inline_script_hashes(tmp_path)
    assert found == sorted(found) and len(found) == 2
    for script in (b"x()", b"y()"):
        digest = base64.b64encode(hashlib.sha256(script).digest()).decode()
        assert f"'sha256-{digest}'" in found
    assert hosting.inline_script_hashes(tmp_path / "none") == []


def test_write_is_atomic_and_readable(tmp_path: Path) -> None:
    settings, hashes, origins = CASES["basic"]
    conf = hosting.write(settings, AUDIENCES, tmp_path, hashes, origins)
    assert conf == tmp_path / "nginx" / "aprecords.conf"
    folder = tmp_path / "nginx"
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "aprecords.conf"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    for file in folder.iterdir():
        assert stat.S_IMODE(file.stat().st_mode) == 0o644
    text = hosting.nginx_config(settings, AUDIENCES, tmp_path, hashes, origins)
    assert conf.read_text("utf-8") == text
    assert (folder / "README.md").read_text() == hosting.readme(settings, AUDIENCES, tmp_path)


def test_checked_names_the_line_of_each_problem(tmp_path: Path) -> None:
    (tmp_path / "aprecords.yml").write_text(
        "organisation: {}\nhosting:\n  mode: sso\n  server_name: 'a b'\n  groups:\n    hub: 'x y'\n"
    )
    data = {"hosting": {"mode": "sso", "server_name": "a b", "groups": {"hub": "x y"}}}
    with pytest.raises(ConfigError) as caught:
        hosting.checked(data, AUDIENCES, tmp_path)
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("aprecords.yml:4:16: error: hosting.server_name: use a host name")
    assert lines[0].endswith("[hosting]")
    assert lines[1].startswith("aprecords.yml:6:10: error: hosting.groups.hub: 'x y' is not")
    good = {"hosting": {"mode": "basic"}}
    assert hosting.checked(good, AUDIENCES, tmp_path) == hosting.Hosting()
    (tmp_path / "aprecords.yml").write_text("[broken")
    with pytest.raises(ConfigError) as caught:
        hosting.checked(data, AUDIENCES, tmp_path)
    assert str(caught.value).startswith("aprecords.yml:1:1: error: hosting.server_name")


def test_problems_of_each_setting(tmp_path: Path) -> None:
    def found(**settings: object) -> list[str]:
        return hosting.problems(hosting.Hosting(**settings), AUDIENCES, tmp_path)  # type: ignore[arg-type]

    assert found() == []
    assert found(password_dir=str(tmp_path)) == [
        f"hosting.password_dir: '{tmp_path}' is inside the records repository; password files "
        "must be kept outside it (for example /etc/aprecords/htpasswd)"
    ]
    assert found(password_dir=str(tmp_path / "x")) != []
    assert found(password_dir=str(tmp_path.parent)) == []
    assert found(mode="sso", groups={"hub": "g"}, password_dir="x") == []  # basic only
    assert found(listen="8080", tls_certificate="x") == []  # tls only
    assert found(tls_certificate="x") == [
        "hosting.tls_certificate: 'x' must be an absolute path of letters, digits, '.', '_', '-' "
        "and '/' (no '.' or '..' part)"
    ]
    assert found(mode="sso", groups={"hub": "g", "nobody": "h"}) == [
        "hosting.groups.nobody: not an audience"
    ]
    assert found(mode="sso", groups=[]) == [
        "hosting.groups: map the hub to a group, or nobody can read /hub/"
    ]
    assert found(mode="sso", groups={"hub": "g"}, auth_url="https://h:1/a/b") == []
    assert found(mode="ftp") == ["hosting.mode: use basic or sso"]
    assert found(server_name=3) == [
        "hosting.server_name: use a host name such as records.example.org"
    ]
    assert found(listen=443) != [] and found(password_dir=None) != []
    assert found(mode="sso", groups={"hub": "g"}, auth_url=None) != []
    assert hosting.problems(hosting.Hosting(), [Audience("a_b", "x", "custom", frozenset())], None)


if __name__ == "__main__":
    DATA.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        for name, text in generated(case).items():
            (DATA / name).write_text(text, "utf-8")
            print(f"wrote {DATA / name}")


def test_each_problem_says_what_to_write(tmp_path: Path) -> None:
    def found(**settings: object) -> list[str]:
        return hosting.problems(hosting.Hosting(**settings), AUDIENCES, tmp_path)  # type: ignore[arg-type]

    assert found(listen="80;") == [
        "hosting.listen: use [address:]port and options ssl, http2 or default_server, for "
        "example '443 ssl' or '127.0.0.1:8080'"
    ]
    sso = {"mode": "sso", "groups": {"hub": "g"}}
    assert found(**sso, auth_url="ftp://h:1/oauth2/auth") == [
        "hosting.auth_url: 'ftp://h:1/oauth2/auth' should be oauth2-proxy's auth endpoint, for "
        "example http://127.0.0.1:4180/oauth2/auth"
    ]
    assert found(**sso, auth_url="http://127.0.0.1:4180") == []  # no path is a path of /
    for bad in ("http:///oauth2/auth", "http://h/a?b=1", "http://h/a#b", "http://u:p@h/a",
                "https://h/a/../b", None):  # fmt: skip
        assert found(**sso, auth_url=bad) != [], bad
    assert found(mode="sso", groups={"hub": "x y"}) == [
        "hosting.groups.hub: 'x y' is not a usable group id; use the group's object id "
        "(letters, digits, '-', '.', '_', '@')"
    ]
    # A password folder refused for its form is not looked for inside the repository.
    assert len(found(password_dir=f"{tmp_path}/a b")) == 1
    assert len(found(listen="443 ssl", tls_certificate="x", password_dir=str(tmp_path))) == 2


def test_the_configuration_refuses_unsafe_values_saying_each(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        hosting.nginx_config(hosting.Hosting(listen="80;"), AUDIENCES, Path("/a b"))
    assert str(caught.value) == (
        "hosting.listen: use [address:]port and options ssl, http2 or default_server, for "
        "example '443 ssl' or '127.0.0.1:8080'; /a b: the site folder's path must be letters, "
        "digits, '.', '_', '-'"
    )


def test_checked_locates_a_message_with_a_colon_and_the_password_folder(tmp_path: Path) -> None:
    (tmp_path / "aprecords.yml").write_text(
        f"hosting:\n  mode: basic\n  listen: 443 ssl\n  tls_certificate: 'a: b'\n"
        f"  password_dir: {tmp_path}/secrets\n"
    )
    data = {"hosting": {"mode": "basic", "tls_certificate": "a: b",
                        "password_dir": f"{tmp_path}/secrets"}}  # fmt: skip
    with pytest.raises(ConfigError) as caught:
        hosting.checked(data, AUDIENCES, tmp_path)
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("aprecords.yml:4:20: error: hosting.tls_certificate: 'a: b' must")
    assert lines[1].startswith("aprecords.yml:5:17: error: hosting.password_dir: ")
    assert "is inside the records repository" in lines[1] and len(lines) == 2


def test_write_makes_its_folder_and_replaces_files_from_beside_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    settings, hashes, origins = CASES["basic"]
    site = tmp_path / "new" / "site"  # nothing of it there yet
    replaced: list[tuple[str, str]] = []
    real = os.replace

    def spy(src: str, dst: object) -> None:
        replaced.append((str(src), str(dst)))
        real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    for _ in range(2):  # and again, over the first
        conf = hosting.write(settings, AUDIENCES, site, hashes, origins)
    folder = site / "nginx"
    assert conf.is_file() and sorted(p.name for p in folder.iterdir()) == [
        "README.md",
        "aprecords.conf",
    ]
    assert len(replaced) == 4
    for src, dst in replaced:
        assert Path(src).parent == folder and Path(dst).parent == folder
        assert Path(src).name.startswith(f".{Path(dst).name}.")


def test_an_audience_name_of_another_type_is_a_problem_not_a_crash() -> None:
    odd = Audience(3.5, "x", "custom", frozenset())  # type: ignore[arg-type]
    assert hosting.problems(hosting.Hosting(), [odd, *AUDIENCES], None) == [
        "audiences: '3.5' is not a usable folder name"
    ]
