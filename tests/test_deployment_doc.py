"""docs/deployment.md, run: every ``sh`` block of the guide, in order, as root.

What cannot happen on a test machine is replaced, and nothing else:

* paths move into a scratch folder under /tmp (``/srv/aprecords``, ``/etc/aprecords``,
  ``/etc/nginx/conf.d``, ``/etc/systemd/system``);
* the service user is ``nobody`` (an existing unprivileged user) instead of a new ``aprecords``;
* ``apt-get``, ``useradd``, ``systemctl`` and ``journalctl`` are stand-ins that record their
  arguments (the packages are installed here already; systemd is not running). The stand-in
  ``systemctl start`` runs the installed unit's ``ExecStart`` with its ``EnvironmentFile``;
* the GitHub URL is a bare repository holding this project's files (tool, schemas, example
  records), with ``hosting`` set for plain HTTP on a loopback port and the scratch password
  folder; ``htpasswd`` gets the password on its command line (``-b``) instead of a prompt;
* nginx is a real one with www-data workers whose ``http { }`` includes the scratch
  ``conf.d/*.conf``, as Debian's does (``APRECORDS_NGINX`` points the deploy at it).

The venv step installs ``requirements/site.lock`` from the package index (about a minute).
Then the users the guide made sign in: each sees their own site and gets 403 elsewhere.
"""

from __future__ import annotations

import grp
import os
import re
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pytest

from conftest import PROJECT, TODAY, WEB_USER, git, require_tool, www_readable_dir
from test_nginx import free_port, run_nginx, set_hosting

pytestmark = pytest.mark.nginx
DOC = PROJECT / "docs" / "deployment.md"
PASSWORD = "guide password 1"
USER = "nobody"

STUB = """#!/bin/bash
echo "$(basename "$0") $*" >> "{log}"
"""
SYSTEMCTL = (
    STUB
    + r"""
if [ "$1" = start ]; then
    unit="{units}/$2"
    env_file=$(sed -n 's/^EnvironmentFile=-\?//p' "$unit")
    exec_start=$(sed -n 's/^ExecStart=//p' "$unit" | sed 's#/srv/aprecords#{home}#g')
    set -a; . "$(echo "$env_file" | sed 's#/etc/aprecords#{etc}#')"; set +a
    "$exec_start" > "{journal}" 2>&1 || {{ cat "{journal}"; exit 1; }}
fi
if [ "$1" = enable ]; then test -f "{units}/${{@: -1}}"; fi
"""
)
JOURNALCTL = STUB + 'cat "{journal}"\n'


def guide_commands() -> list[str]:
    """The ``sh`` blocks of docs/deployment.md, in order."""
    return re.findall(r"^```sh\n(.*?)^```", DOC.read_text("utf-8"), re.S | re.M)


def test_the_guide_has_the_whole_setup() -> None:
    text = "\n".join(guide_commands())
    for needed in (
        "apt-get install -y nginx apache2-utils python3-venv git",
        "useradd",
        "git clone",
        "python3 -m venv .venv && ",
        ".venv/bin/pip install --require-hashes -r requirements/site.lock && ",
        ".venv/bin/pip install --no-deps -e .",
        "htpasswd -B",
        "/etc/nginx/conf.d/aprecords.conf",
        "systemctl enable --now aprecords-deploy.timer",
    ):
        assert needed in text, needed


def localised(script: str, www: Path, bare: Path) -> str:
    """The guide's commands with the replacements listed in this module's docstring."""
    for real, scratch in (
        ("/srv/aprecords", f"{www}/srv/aprecords"),
        ("/etc/aprecords", f"{www}/etc/aprecords"),
        ("/etc/nginx/conf.d/", f"{www}/etc/nginx/conf.d/"),
        ("/etc/systemd/system/", f"{www}/etc/systemd/system/"),
        ("git@github.com:YOUR-ORG/ap-records.git", str(bare)),
        ("-u aprecords ", f"-u {USER} "),
        ("-o aprecords ", f"-o {USER} "),
        ("APRECORDS_USER=aprecords", f"APRECORDS_USER={USER}"),
    ):
        assert real in script, real
        script = script.replace(real, scratch)
    script, count = re.subn(
        r"htpasswd -B( -c)? (\S+) (\S+)", rf"htpasswd -b -B\1 \2 \3 '{PASSWORD}'", script
    )
    assert count >= 3
    return script


def records_repository(www: Path, port: int) -> Path:
    """A bare repository with this project's files, hosting set for the test server."""
    source = www / "source"
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for rel in files:
        if (PROJECT / rel).is_file():
            (source / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT / rel, source / rel)
    set_hosting(
        source / "aprecords.yml",
        f"  mode: basic\n  password_dir: {www}/etc/aprecords/htpasswd\n"
        f"  listen: 127.0.0.1:{port}\n",
    )
    git(source, "init", "-q", "-b", "main")
    git(source, "add", ".")
    git(source, "commit", "-q", "-m", "Records and tool")
    bare = www / "ap-records.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(source), str(bare)], check=True)
    return bare


def test_the_guide_takes_a_fresh_server_to_signed_in_users() -> None:
    if os.geteuid() != 0:
        reason = "the guide is run as root (runuser, chown); run the tests as root"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: CI must")
        pytest.skip(reason)
    for tool in ("nginx", "htpasswd", "git", "ssh-keygen", "runuser", "flock", "python3"):
        require_tool(tool)
    with www_readable_dir("aprecords-guide-") as www:
        port = free_port()
        bare = records_repository(www, port)
        subprocess.run(["chown", "-R", USER, str(bare)], check=True)
        for folder in ("bin", "etc/nginx/conf.d", "etc/systemd/system"):
            (www / folder).mkdir(parents=True)
        log, journal = www / "commands.log", www / "journal.log"
        values = {
            "log": log,
            "journal": journal,
            "units": www / "etc/systemd/system",
            "home": www / "srv/aprecords",
            "etc": www / "etc/aprecords",
        }
        stubs = {"apt-get": STUB, "useradd": STUB, "systemctl": SYSTEMCTL, "journalctl": JOURNALCTL}
        for name, text in stubs.items():
            (www / "bin" / name).write_text(text.format(**values))
            (www / "bin" / name).chmod(0o755)
        script = localised("\n".join(guide_commands()), www, bare)
        (www / "guide.sh").write_text("set -euxo pipefail\n" + script)
        prefix = www / "nginx"
        with run_nginx(
            Path(f"{www}/etc/nginx/conf.d/*.conf"), prefix, port, listening=False
        ) as nginx:
            env = {
                "PATH": f"{www}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "HOME": "/root",
                "LANG": "C.UTF-8",
                "APRECORDS_NGINX": f"/usr/sbin/nginx -p {prefix} -c {prefix}/nginx.conf",
                "APRECORDS_TODAY": TODAY,  # the example records are written for this date
                **{k: v for k, v in os.environ.items() if k.startswith(("PIP_", "CI"))},
            }
            done = subprocess.run(
                ["bash", str(www / "guide.sh")],
                cwd=www,
                env=env,
                capture_output=True,
                text=True,
                timeout=1200,
            )
            assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
            calls = log.read_text()
            assert "apt-get install -y nginx apache2-utils python3-venv git" in calls
            assert "systemctl enable --now aprecords-deploy.timer" in calls
            assert "is live" in journal.read_text()

            home = www / "srv/aprecords"
            info = home.stat()
            assert stat.S_IMODE(info.st_mode) == 0o750
            assert os.path.exists(home / "records/.venv/bin/aprecords")
            assert grp.getgrgid(info.st_gid).gr_name == WEB_USER

            def get(path: str, user: str | None = None) -> int:
                deadline = time.monotonic() + 10
                while True:
                    try:
                        return nginx.get(path, user, PASSWORD)[0]
                    except ConnectionRefusedError:
                        assert time.monotonic() < deadline
                        time.sleep(0.05)

            assert get("/hub/") == 401
            assert get("/hub/", "hub.alice") == 200
            assert get("/school-hollybrook/", "hub.alice") == 200
            assert get("/school-hollybrook/", "school-hollybrook.jsmith") == 200
            for other in ("/hub/", "/school-marsh-lane/", "/provider-brickworks/"):
                assert get(other, "school-hollybrook.jsmith") == 403, other
            assert get("/school-hollybrook/", "school-hollybrook.asmith") == 401  # removed
            assert get("/provider-brickworks/", "provider-brickworks.ops") == 200
            assert "Permission denied" not in nginx.error_log.read_text()

            # After a merge: the timer's next run (the same unit) serves the change, and
            # reinstalls the locked versions because requirements/site.lock changed.
            work = www / "work"  # a colleague's clone (root's; the shared repository is not)
            (www / "gitconfig").write_text(
                "[safe]\n\tdirectory = *\n[user]\n\tname = T\n\temail = t@example.org\n"
            )
            colleague = {**os.environ, "GIT_CONFIG_GLOBAL": str(www / "gitconfig")}

            def as_colleague(*args: str) -> None:
                subprocess.run(["git", *args], cwd=www, env=colleague, check=True)

            as_colleague("clone", "-q", str(bare), str(work))
            record = work / "records/placements/hollybrook/hollybrook-2025-001.yaml"
            record.write_text(record.read_text().replace("Wrenfeather", "Wrenfeathers", 1))
            lock = work / "requirements/site.lock"
            lock.write_text(lock.read_text() + "# re-locked\n")
            as_colleague("-C", str(work), "commit", "-q", "-am", "A merged pull request")
            as_colleague("-C", str(work), "push", "-q", "origin", "main")
            again = subprocess.run(
                ["systemctl", "start", "aprecords-deploy.service"],
                env=env,
                capture_output=True,
                text=True,
                timeout=900,
            )
            assert again.returncode == 0, again.stdout + again.stderr
            assert "installing the locked versions" in journal.read_text()
            page = "/school-hollybrook/placements/hollybrook-2025-001.html"
            deadline = time.monotonic() + 10
            while "Wrenfeathers" not in nginx.get(page, "school-hollybrook.jsmith", PASSWORD)[2]:
                assert time.monotonic() < deadline, "the change is not served"
                time.sleep(0.1)
