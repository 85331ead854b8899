"""docs/deployment.md, run: every ``sh`` block of the guide, in order, as root.

What cannot happen on a test machine is replaced, and nothing else:

* paths move into a scratch folder under /tmp (``/srv/aprecords``, ``/etc/aprecords``,
  ``/opt/aprecords``, ``/etc/nginx/conf.d``, ``/etc/systemd/system``, and the root step's
  ``/var/lib/aprecords``);
* the service user is ``nobody`` (an existing unprivileged user) instead of a new ``aprecords``;
* ``apt-get``, ``useradd``, ``systemctl`` and ``journalctl`` are stand-ins that record their
  arguments (the packages are installed here already; systemd is not running). The stand-in
  ``systemctl start`` starts the installed units as systemd would (``tests/systemd_standin.py``:
  the build as the records user, then the root step), with the scratch paths;
* the GitHub URL of the records is a bare repository holding this project's files (tool,
  schemas, example records), with ``hosting`` set for plain HTTP on a loopback port and the
  scratch password folder; the tool's URL is another bare repository of this project's files,
  tagged ``v0.1.0`` and ``v0.1.1``; ``htpasswd`` gets the password on its command line
  (``-b``) instead of a prompt;
* nginx is a real one with www-data workers whose ``http { }`` includes the scratch
  ``conf.d/*.conf``, as Debian's does (``APRECORDS_NGINX`` points the deploy at it).

The pinned install is made from the package index (about a minute, twice: the upgrade too).
Then the users the guide made sign in: each sees their own site and gets 403 elsewhere; a
pushed change is served after the next start, and the records' own copy of the tool is
never run.
"""

from __future__ import annotations

import grp
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import PROJECT, TODAY, WEB_USER, require_tool, www_readable_dir
from test_nginx import free_port, run_nginx, set_hosting

pytestmark = pytest.mark.nginx
DOC = PROJECT / "docs" / "deployment.md"
PASSWORD = "guide password 1"
USER = "nobody"
GITCONFIG = "[safe]\n\tdirectory = *\n[user]\n\tname = T\n\temail = t@example.org\n"

STUB = """#!/bin/bash
echo "$(basename "$0") $*" >> "{log}"
"""
SYSTEMCTL = STUB + '[ "$1" != start ] || exec "{python}" "{standin}" {options} "$@"\n'
SYSTEMCTL += 'if [ "$1" = enable ]; then test -f "{units}/${{@: -1}}"; fi\n'
JOURNALCTL = STUB + 'cat "{journal}"/*.log\n'


def guide_commands() -> list[str]:
    """The ``sh`` blocks of docs/deployment.md, in order."""
    return re.findall(r"^```sh\n(.*?)^```", DOC.read_text("utf-8"), re.S | re.M)


def test_the_guide_has_the_whole_setup() -> None:
    text = "\n".join(guide_commands())
    for needed in (
        "apt-get install -y nginx apache2-utils python3-venv git",
        "useradd",
        "git clone --quiet --branch v0.1.0 https://github.com/YOUR-ORG/aprecords.git "
        "/opt/aprecords/src",
        "python3 -m venv /opt/aprecords/venv && ",
        "pip install --require-hashes -r /opt/aprecords/src/requirements/site.lock && ",
        "/opt/aprecords/venv/bin/pip install --no-deps /opt/aprecords/src",
        "git clone --branch main",
        "htpasswd -B",
        "/etc/nginx/conf.d/aprecords.conf",
        "/opt/aprecords/src/deploy/aprecords-build.service",
        "systemctl enable --now aprecords-deploy.timer",
        "git fetch --quiet origin tag v0.1.1",
    ):
        assert needed in text, needed
    assert "-e ." not in text and "/srv/aprecords/records/deploy" not in text  # never the data


def localised(script: str, www: Path, bare: Path, tool: Path) -> str:
    """The guide's commands with the replacements listed in this module's docstring."""
    for real, scratch in (
        ("/srv/aprecords", f"{www}/srv/aprecords"),
        ("/etc/aprecords", f"{www}/etc/aprecords"),
        ("/opt/aprecords", f"{www}/opt/aprecords"),
        ("/etc/nginx/conf.d/", f"{www}/etc/nginx/conf.d/"),
        ("/etc/systemd/system/", f"{www}/etc/systemd/system/"),
        ("git@github.com:YOUR-ORG/ap-records.git", str(bare)),
        ("https://github.com/YOUR-ORG/aprecords.git", str(tool)),
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


def project_files() -> list[str]:
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [f for f in files if (PROJECT / f).is_file() and not f.startswith("node_modules")]


def git(folder: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True)


def repository(www: Path, name: str, env: dict[str, str], port: int | None = None) -> Path:
    """A bare repository with this project's files; with ``port``, hosting set for the test
    server (the records), else tagged v0.1.0 and v0.1.1 (the tool's releases)."""
    source = www / f"{name}-source"
    for rel in project_files():
        (source / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT / rel, source / rel)
    if port is not None:
        set_hosting(
            source / "aprecords.yml",
            f"  mode: basic\n  password_dir: {www}/etc/aprecords/htpasswd\n"
            f"  listen: 127.0.0.1:{port}\n",
        )
    git(source, env, "init", "-q", "-b", "main")
    git(source, env, "add", ".")
    git(source, env, "commit", "-q", "-m", "Records and tool")
    if port is None:
        git(source, env, "tag", "v0.1.0")
        git(source, env, "commit", "-q", "--allow-empty", "-m", "The next release")
        git(source, env, "tag", "v0.1.1")
    bare = www / f"{name}.git"
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
        (www / "gitconfig").write_text(GITCONFIG)
        colleague = {**os.environ, "GIT_CONFIG_GLOBAL": str(www / "gitconfig")}
        bare = repository(www, "ap-records", colleague, port)
        tool = repository(www, "aprecords", colleague)
        subprocess.run(["chown", "-R", USER, str(bare)], check=True)
        for folder in ("bin", "etc/nginx/conf.d", "etc/systemd/system", "journal"):
            (www / folder).mkdir(parents=True)
        prefix = www / "nginx"
        log, journal = www / "commands.log", www / "journal"
        scratch = {"/etc/aprecords": "etc/aprecords", "/opt/aprecords": "opt/aprecords",
                   "/srv/aprecords": "srv/aprecords"}  # fmt: skip
        options = [f"--units {www}/etc/systemd/system", f"--journal {journal}"]
        options += [f"--map {real}={www}/{there}" for real, there in scratch.items()]
        options += [f"--user aprecords={USER}", f"--env APRECORDS_STATE={www}/var/lib/aprecords"]
        options += [f"--env APRECORDS_TOOL={www}/opt/aprecords", f"--env APRECORDS_TODAY={TODAY}"]
        options += [f"--env 'APRECORDS_NGINX=/usr/sbin/nginx -p {prefix} -c {prefix}/nginx.conf'"]
        values = {
            "log": log,
            "journal": journal,
            "units": www / "etc/systemd/system",
            "python": sys.executable,
            "standin": PROJECT / "tests" / "systemd_standin.py",
            "options": " ".join(options),
        }
        stubs = {"apt-get": STUB, "useradd": STUB, "systemctl": SYSTEMCTL, "journalctl": JOURNALCTL}
        for name, text in stubs.items():
            (www / "bin" / name).write_text(text.format(**values))
            (www / "bin" / name).chmod(0o755)
        script = localised("\n".join(guide_commands()), www, bare, tool)
        (www / "guide.sh").write_text("set -euxo pipefail\n" + script)
        with run_nginx(
            Path(f"{www}/etc/nginx/conf.d/*.conf"), prefix, port, listening=False
        ) as nginx:
            env = {
                "PATH": f"{www}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "HOME": "/root",
                "LANG": "C.UTF-8",
                **{k: v for k, v in os.environ.items() if k.startswith(("PIP_", "CI"))},
            }
            done = subprocess.run(
                ["bash", str(www / "guide.sh")],
                cwd=www,
                env=env,
                capture_output=True,
                text=True,
                timeout=1800,
            )
            assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
            calls = log.read_text()
            assert "apt-get install -y nginx apache2-utils python3-venv git" in calls
            assert "systemctl enable --now aprecords-deploy.timer" in calls
            assert "is live" in (journal / "aprecords-deploy.service.log").read_text()

            home = www / "srv/aprecords"
            info = home.stat()
            assert stat.S_IMODE(info.st_mode) == 0o750
            assert grp.getgrgid(info.st_gid).gr_name == WEB_USER
            pinned = www / "opt/aprecords/venv/bin/aprecords"
            assert pinned.is_file() and pinned.stat().st_uid == 0
            assert not (home / "records/.venv").exists()  # nothing installed in the records
            assert (www / "etc/nginx/conf.d/aprecords.conf").stat().st_uid == 0

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

            # After a merge: the timer's next run (the same unit) serves the change. The
            # records' own copy of the tool and its lock file are data: changing them
            # installs nothing and runs nothing.
            work = www / "work"  # a colleague's clone (root's; the shared repository is not)
            subprocess.run(["git", "clone", "-q", str(bare), str(work)], env=colleague, check=True)
            record = work / "records/placements/hollybrook/hollybrook-2025-001.yaml"
            record.write_text(record.read_text().replace("Wrenfeather", "Wrenfeathers", 1))
            lock = work / "requirements/site.lock"
            lock.write_text(lock.read_text() + "# re-locked\n")
            marker = www / "ran"
            (work / "scripts/aprecords/__init__.py").write_text(
                f"open('{marker}', 'w').write('the records copy of the tool ran')\n"
            )
            git(work, colleague, "commit", "-q", "-am", "A merged pull request")
            git(work, colleague, "push", "-q", "origin", "main")
            again = subprocess.run(
                ["systemctl", "start", "aprecords-deploy.service"],
                env=env,
                capture_output=True,
                text=True,
                timeout=900,
            )
            assert again.returncode == 0, again.stdout + again.stderr
            assert not marker.exists()
            page = "/school-hollybrook/placements/hollybrook-2025-001.html"
            deadline = time.monotonic() + 10
            while "Wrenfeathers" not in nginx.get(page, "school-hollybrook.jsmith", PASSWORD)[2]:
                assert time.monotonic() < deadline, "the change is not served"
                time.sleep(0.1)
