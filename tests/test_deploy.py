"""deploy/aprecords-deploy against a bare Git repository and a real nginx (www-data workers).

A bare repository holds the example records; the script fetches and fast-forwards a checkout
of it, validates, builds into the spare copy of the sites, installs the configuration, runs
``nginx -t`` and reloads. A pushed change is served after the next deploy; a pushed invalid
record, or settings nginx refuses, fail the deploy with the old sites and configuration still
served. The systemd units are checked with ``systemd-analyze verify``.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import PROJECT, TODAY, copy_examples, git, require_tool, www_readable_dir
from test_nginx import Nginx, free_port, run_nginx, set_hosting, web_group_only, write_htpasswd

pytestmark = pytest.mark.nginx
SCRIPT = PROJECT / "deploy" / "aprecords-deploy"
PASSWORD = "deploy test password"
PAGE = "/school-hollybrook/placements/hollybrook-2025-001.html"
RECORD = "records/placements/hollybrook/hollybrook-2025-001.yaml"


@dataclass
class Server:
    www: Path
    home: Path
    work: Path
    conf: Path
    env: dict[str, str]
    nginx: Nginx

    def deploy(self, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # with the service's umask (UMask=0027): modes are explicit
            [str(SCRIPT)],
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=600,
            preexec_fn=lambda: os.umask(0o027),
        )

    def page(self, path: str = PAGE, user: str = "school-hollybrook.ann") -> tuple[int, str]:
        deadline = time.monotonic() + 10
        while True:  # a reload is asynchronous: the master opens the new port soon after
            try:
                status, _, body = self.nginx.get(path, user, PASSWORD)
                return status, body
            except ConnectionRefusedError:
                assert time.monotonic() < deadline, "nginx does not listen"
                time.sleep(0.05)

    def serves(self, text: str, path: str = PAGE, user: str = "school-hollybrook.ann") -> bool:
        """True once the page (200) holds ``text``: a reload replaces the workers gracefully,
        so an old worker may answer for a moment after the deploy returned."""
        deadline = time.monotonic() + 10
        while True:
            status, body = self.page(path, user)
            words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
            if status == 200 and (text in body or text in words):
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)

    def push(self, message: str) -> None:
        git(self.work, "commit", "-q", "-am", message)
        git(self.work, "push", "-q", "origin", "main")


@pytest.fixture
def server() -> Iterator[Server]:
    require_tool("git")
    require_tool("flock")
    with www_readable_dir("aprecords-deploy-") as www:
        port = free_port()
        source = copy_examples(www / "source")
        passwords = www / "etc" / "htpasswd"
        set_hosting(
            source / "aprecords.yml",
            f"  mode: basic\n  password_dir: {passwords}\n  listen: 127.0.0.1:{port}\n",
        )
        git(source, "init", "-q", "-b", "main")
        git(source, "add", ".")
        git(source, "commit", "-q", "-m", "The example records")
        bare = www / "records.git"
        subprocess.run(["git", "clone", "-q", "--bare", str(source), str(bare)], check=True)
        home = www / "srv"
        home.mkdir()
        web_group_only(home, 0o750)
        subprocess.run(["git", "clone", "-q", str(bare), str(home / "records")], check=True)
        work = www / "work"  # a colleague's clone, who pushes changes
        subprocess.run(["git", "clone", "-q", str(bare), str(work)], check=True)
        write_htpasswd(
            passwords / "school-hollybrook.htpasswd", {"school-hollybrook.ann": PASSWORD}
        )
        write_htpasswd(passwords / "hub.htpasswd", {"hub.hana": PASSWORD})
        conf_d = www / "conf.d"
        conf_d.mkdir()
        prefix = www / "nginx"
        with run_nginx(Path(f"{conf_d}/*.conf"), prefix, port, listening=False) as nginx:
            env = {
                **os.environ,
                "APRECORDS_HOME": str(home),
                "APRECORDS_PYTHON": sys.executable,
                "PYTHONPATH": str(PROJECT / "scripts"),
                "APRECORDS_NGINX_CONF": str(conf_d / "aprecords.conf"),
                "APRECORDS_NGINX": f"{shutil.which('nginx') or '/usr/sbin/nginx'} -p {prefix} "
                f"-c {prefix / 'nginx.conf'}",
                "APRECORDS_TODAY": TODAY,
                "GIT_CONFIG_GLOBAL": os.devnull,
                "GIT_CONFIG_NOSYSTEM": "1",
            }
            yield Server(www, home, work, conf_d / "aprecords.conf", env, nginx)


def test_deploy_serves_pushed_changes_and_keeps_the_old_site_when_a_deploy_fails(
    server: Server,
) -> None:
    with pytest.raises(ConnectionRefusedError):  # nothing deployed yet
        server.nginx.get(PAGE)
    first = server.deploy()
    assert first.returncode == 0, first.stdout + first.stderr
    assert (server.home / "site").resolve() == server.home / "site-a"
    assert server.serves("Tobias Wrenfeather")
    stored = server.home / "site-a" / PAGE.lstrip("/")  # the deploy builds with --compress
    assert stored.with_name(stored.name + ".gz").is_file() and not stored.exists()
    assert server.page("/hub/", "school-hollybrook.ann")[0] == 403
    assert server.page("/hub/", "hub.hana")[0] == 200

    # A colleague's change is merged and pushed: the next deploy serves it.
    record = server.work / RECORD
    record.write_text(record.read_text().replace("Wrenfeather", "Wrenfeathers", 1))
    server.push("Correct the pupil's name")
    second = server.deploy()
    assert second.returncode == 0, second.stdout + second.stderr
    assert (server.home / "site").resolve() == server.home / "site-b"
    assert server.serves("Tobias Wrenfeathers")
    assert "up to date" in server.deploy().stdout  # nothing new: nothing rebuilt or reloaded

    # An invalid record is pushed: the sites that show it keep their last good version, the
    # others are deployed (on another day: every site is rebuilt), and the log and the hub's
    # dashboard say which sites were not updated and why (issue 20).
    text = record.read_text()
    record.write_text(text.replace("Tobias Wrenfeathers", "Tobias Wrenfeathers\n  name: twice", 1))
    server.push("A broken record")
    broken = server.deploy({"APRECORDS_TODAY": "2026-01-12"})
    assert broken.returncode == 0, broken.stdout + broken.stderr
    assert "duplicate" in broken.stdout.lower() or "twice" in broken.stdout
    assert "aprecords: school-hollybrook: not updated (its site of 2026-01-10 stays)" in (
        broken.stderr
    )
    assert "some sites were not updated" in broken.stdout
    assert (server.home / "site").resolve() == server.home / "site-a"
    status, body = server.page()
    assert status == 200 and "Tobias Wrenfeathers" in body and "10 Jan 2026" in body
    assert server.serves("12 Jan 2026", "/school-st-aldric/", "hub.hana")
    assert server.serves("Sites not updated", "/hub/", "hub.hana")
    assert server.serves(f"school-hollybrook 10 Jan 2026 {RECORD}:", "/hub/", "hub.hana")
    conf = server.conf.read_bytes()

    # Fixed, but with settings nginx refuses (a certificate that is not there): nginx -t
    # fails, the configuration is put back, the sites stay as they were.
    record.write_text(text)
    config = server.work / "aprecords.yml"
    config.write_text(
        config.read_text().replace(
            "  listen: 127.0.0.1:",
            f"  tls_certificate: {server.www}/missing.pem\n"
            f"  tls_certificate_key: {server.www}/missing.key\n  listen: 127.0.0.1:",
        )
    )
    config.write_text(
        config.read_text().replace(f"{server.nginx.port}\n", f"{server.nginx.port} ssl\n")
    )
    server.push("Turn on TLS, with a wrong certificate path")
    refused = server.deploy({"APRECORDS_TODAY": "2026-01-12"})
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "nginx refused" in refused.stdout and "nothing deployed" in refused.stdout
    assert server.conf.read_bytes() == conf
    assert not server.conf.with_name("aprecords.conf.previous").exists()
    assert (server.home / "site").resolve() == server.home / "site-a"
    assert not (server.home / "site-b").exists()
    status, body = server.page()
    assert status == 200 and "Tobias Wrenfeathers" in body


def test_deploy_refuses_a_checkout_with_local_changes_to_fast_forward(server: Server) -> None:
    assert server.deploy().returncode == 0
    (server.home / "records" / RECORD).write_text("edited on the server\n")
    record = server.work / RECORD
    record.write_text(record.read_text().replace("Wrenfeather", "Wrenfeathers", 1))
    server.push("A change")
    stopped = server.deploy()
    assert stopped.returncode == 1
    assert "cannot fast-forward" in stopped.stdout
    body = server.page()[1]
    assert "Tobias Wrenfeather" in body and "Wrenfeathers" not in body


def test_the_systemd_units_are_valid_and_run_the_script(tmp_path: Path) -> None:
    analyze = require_tool("systemd-analyze")
    service = (PROJECT / "deploy" / "aprecords-deploy.service").read_text()
    timer = (PROJECT / "deploy" / "aprecords-deploy.timer").read_text()
    assert "ExecStart=/srv/aprecords/records/deploy/aprecords-deploy\n" in service
    assert "EnvironmentFile=/etc/aprecords/deploy.env\n" in service
    assert "Type=oneshot" in service and "WantedBy=timers.target" in timer
    # The same units, with the script where this checkout has it (verify checks it exists).
    (tmp_path / "aprecords-deploy.service").write_text(
        service.replace("/srv/aprecords/records/deploy/aprecords-deploy", str(SCRIPT)).replace(
            "EnvironmentFile=/etc/", "EnvironmentFile=-/etc/"
        )
    )
    (tmp_path / "aprecords-deploy.timer").write_text(timer)
    done = subprocess.run(
        [analyze, "verify", "--man=no", "aprecords-deploy.service", "aprecords-deploy.timer"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    ours = [line for line in done.stderr.splitlines() if "aprecords" in line]
    assert ours == [], ours  # e.g. "Failed to parse service type, ignoring" is only a warning
    assert os.access(SCRIPT, os.X_OK)


def test_a_stopped_deploy_changes_nothing_and_the_next_one_completes(server: Server) -> None:
    assert server.deploy().returncode == 0
    conf = server.conf.read_bytes()
    record = server.work / RECORD
    record.write_text(record.read_text().replace("Wrenfeather", "Wrenfeathers", 1))
    server.push("A change")
    env = {**server.env, "APRECORDS_TODAY": "2026-01-11"}  # another day: every site rebuilds
    proc = subprocess.Popen(
        [str(SCRIPT)], env=env, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    spare = server.home / "site-b"
    deadline = time.monotonic() + 120

    def building() -> bool:  # a temporary folder of the build in the spare copy
        names = [p.name for p in spare.iterdir()] if spare.is_dir() else []
        return any(".new-" in n or ".docs-" in n for n in names)

    while not building():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGTERM)  # what systemctl stop sends to the whole service
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 143, out
    assert "stopped - nothing deployed" in out
    assert server.conf.read_bytes() == conf
    assert (server.home / "site").resolve() == server.home / "site-a"
    body = server.page()[1]
    assert "Tobias Wrenfeather" in body and "Wrenfeathers" not in body
    again = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    assert server.serves("Tobias Wrenfeathers")
