"""The deploy's root step: put the records user's build of the sites live, and nothing more.

Run as root by ``aprecords-deploy.service`` from the pinned install
(``/opt/aprecords/venv/bin/python -I -m aprecords.publish``), after
``aprecords-build.service`` built the spare copy of the sites as the records user
(``deploy/aprecords-build``). It:

1. finds the spare copy (``APRECORDS_HOME/site-a`` or ``site-b``: the one the live link in
   its own state folder does not point at) and, in it, the marker of a finished build
   (``.aprecords/ready``: commit and date) and the values the configuration is written from
   (``.aprecords/_serving.json``); nothing new there: nothing to do;
2. checks every value again (:func:`aprecords.site.hosting.problems`, audience names, script
   hashes, origins) and that the password folder is root's, and writes the nginx configuration
   from the tool's own template (:func:`aprecords.site.hosting.nginx_config`) into
   ``APRECORDS_NGINX_CONF``: the text the build wrote is never installed;
3. runs ``nginx -t`` and reloads nginx, putting the previous configuration back if either
   fails (or a SIGTERM comes first);
4. points the live link (``APRECORDS_STATE/live``) at the new copy and remembers the build.

It reads the records user's files only through :func:`read_beneath` (no symbolic link is
followed, the file must be the records user's own, regular and small), writes only in its
own state folder and nginx's configuration folder (both root's), and runs nothing from the
records: no git, no build, no file of the checkout. Settings come from the environment
(``/etc/aprecords/deploy.env``, root's): see docs/deployment.md.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shlex
import signal
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

COPIES = ("site-a", "site-b")
STORE = ".aprecords"
READY = "ready"
SERVING = "_serving.json"
STATUS = "_status.json"
MAX_READ = 4 * 1024 * 1024
KINDS = ("hub", "school", "provider", "custom")
_STAMP = re.compile(r"^[0-9a-f]{7,64} [0-9]{4}-[0-9]{2}-[0-9]{2}$")
KEEP_PUBLISHED = 100
"""How many deployed builds are remembered: a build is never put live twice."""


class Refused(Exception):
    """The build cannot be put live; the live sites and configuration stay as they are."""


@dataclass(frozen=True)
class Settings:
    """The deploy's settings (environment, from /etc/aprecords/deploy.env)."""

    home: Path
    user: str
    checkout: Path
    state: Path
    nginx_conf: Path
    nginx: tuple[str, ...]

    @classmethod
    def from_env(cls, env: dict[str, str]) -> Settings:
        home = Path(env.get("APRECORDS_HOME") or "/srv/aprecords")
        user = env.get("APRECORDS_USER", "")
        if not user:
            raise Refused("APRECORDS_USER is not set: the records user owns the built sites")
        return cls(
            home=home,
            user=user,
            checkout=Path(env.get("APRECORDS_CHECKOUT") or home / "records"),
            state=Path(env.get("APRECORDS_STATE") or "/var/lib/aprecords"),
            nginx_conf=Path(env.get("APRECORDS_NGINX_CONF") or "/etc/nginx/conf.d/aprecords.conf"),
            nginx=tuple(shlex.split(env.get("APRECORDS_NGINX") or "nginx")),
        )


def say(message: str) -> None:
    print(f"aprecords-deploy: {message}", flush=True)


def read_beneath(base: Path, rel: str, owner: int, limit: int = MAX_READ) -> bytes | None:
    """The bytes of ``base/rel``, read without following any symbolic link on the way, when
    it is a regular file of ``owner`` of at most ``limit`` bytes; None when it is missing.

    Refused (:class:`Refused`): a link, a file of anyone else, anything but a regular file,
    a larger file. ``base`` itself is opened without following a link either.
    """
    flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW
    parts = [p for p in rel.split("/") if p]
    if not parts or any(p in (".", "..") for p in parts):
        raise Refused(f"{rel}: not a plain relative path")
    try:
        fd = os.open(base, flags | os.O_DIRECTORY)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise Refused(
            f"{base}: cannot be opened without following a link ({exc.strerror})"
        ) from None
    try:
        for part in parts[:-1]:
            try:
                inner = os.open(part, flags | os.O_DIRECTORY, dir_fd=fd)
            except FileNotFoundError:
                return None
            except OSError as exc:
                raise Refused(
                    f"{base}/{rel}: {part} is not a folder of its own ({exc.strerror})"
                ) from None
            os.close(fd)
            fd = inner
            if os.fstat(fd).st_uid not in (owner, 0):
                raise Refused(f"{base}/{rel}: {part} is not the records user's")
        try:
            file = os.open(parts[-1], flags | os.O_NONBLOCK, dir_fd=fd)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise Refused(f"{base}/{rel}: not a plain file ({exc.strerror})") from None
        try:
            info = os.fstat(file)
            if not stat.S_ISREG(info.st_mode):
                raise Refused(f"{base}/{rel}: not a plain file")
            if info.st_uid != owner:
                raise Refused(f"{base}/{rel}: not the records user's file")
            if info.st_size > limit:
                raise Refused(f"{base}/{rel}: {info.st_size} bytes, more than {limit}")
            data = os.read(file, limit + 1)
            if len(data) > limit:
                raise Refused(f"{base}/{rel}: more than {limit} bytes")
            return data
        finally:
            os.close(file)
    finally:
        os.close(fd)


def _own_folder(path: Path, mode: int = 0o755) -> None:
    """``path`` exists as root's folder that nobody else can write to (made if missing)."""
    path.mkdir(mode=mode, parents=True, exist_ok=True)
    info = path.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise Refused(f"{path}: must be a folder of root's that nobody else can write to")


def _trusted_folder(path: Path, what: str) -> None:
    """``path`` and every folder above it are root's and writable by nobody else (a sticky
    folder such as /tmp excepted), so only root can change what is there."""
    real = Path(os.path.realpath(path))
    for folder in [real, *real.parents]:
        try:
            info = folder.stat()
        except OSError:
            raise Refused(f"{what} {path}: {folder} does not exist") from None
        writable = info.st_mode & 0o022 and not (folder != real and info.st_mode & stat.S_ISVTX)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0 or writable:
            raise Refused(
                f"{what} {path}: {folder} must be a folder of root's that nobody else can write to"
            )


def live_copy(settings: Settings) -> str | None:
    """The copy the live link points at (``site-a`` or ``site-b``), if any."""
    try:
        target = os.readlink(settings.state / "live")
    except OSError:
        return None
    name = Path(target).name
    return name if name in COPIES and Path(target).parent == settings.home else None


def _published(settings: Settings) -> list[str]:
    try:
        lines = (settings.state / "published").read_text("utf-8").splitlines()
    except OSError:
        return []
    return [line for line in lines if _STAMP.match(line)]


def _write_own(path: Path, text: str, mode: int = 0o644) -> None:
    """Write ``text`` to ``path`` (in a folder of root's) atomically."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def configuration(settings: Settings, site: Path, serving: dict[str, Any]) -> str:
    """The nginx configuration for ``site``, from the tool's own template and the build's
    values, every one of them checked again here."""
    from aprecords.access import Audience
    from aprecords.config import ConfigError
    from aprecords.site import hosting

    if not isinstance(serving, dict):
        raise Refused(f"{SERVING}: not a mapping")
    given = serving.get("hosting")
    if not isinstance(given, dict):
        raise Refused(f"{SERVING}: no hosting settings")
    names = {f.name for f in fields(hosting.Hosting)}
    unknown = sorted(set(given) - names)
    if unknown:
        raise Refused(f"{SERVING}: unknown hosting settings {unknown}")
    settings_ = hosting.Hosting(**given)
    audiences = []
    for entry in serving.get("audiences") or []:
        if not isinstance(entry, dict) or entry.get("kind") not in KINDS:
            raise Refused(f"{SERVING}: an audience is not {{name, kind, title}}")
        name, title = entry.get("name"), entry.get("title")
        audiences.append(Audience(str(name), str(title), entry["kind"], frozenset()))
    if [a.kind for a in audiences].count("hub") != 1:
        raise Refused(f"{SERVING}: there must be one hub")
    hashes = serving.get("script_hashes") or {}
    origins = serving.get("admin_origins")
    if not isinstance(hashes, dict) or not all(isinstance(v, list) for v in hashes.values()):
        raise Refused(f"{SERVING}: script_hashes is not a mapping of lists")
    if origins is not None and not isinstance(origins, list):
        raise Refused(f"{SERVING}: admin_origins is not a list")
    found = hosting.problems(settings_, audiences, settings.checkout)
    if found:
        raise Refused("; ".join(found))
    if settings_.mode == "basic":
        _trusted_folder(Path(settings_.password_dir), "hosting.password_dir")
        real = Path(os.path.realpath(settings_.password_dir))
        home = Path(os.path.realpath(settings.home))
        if real == home or home in real.parents:
            raise Refused(f"hosting.password_dir {real}: inside {home}, the records user's")
    try:
        return hosting.nginx_config(settings_, audiences, site, hashes, origins)
    except (ConfigError, TypeError, ValueError) as exc:
        raise Refused(str(exc)) from None


def _stale_lines(settings: Settings, spare: str, owner: int) -> list[str]:
    """What the build says about the sites it did not update (its _status.json)."""
    from aprecords.site.stale import parse

    try:
        return parse(
            read_beneath(settings.home, f"{spare}/{STORE}/{STATUS}", owner) or b"{}"
        ).report()
    except ValueError:
        return ["the build's list of sites not updated cannot be read"]


class _Stopped(Exception):
    pass


_stop: list[int] = []
"""SIGTERM while the configuration is being switched: noted, acted on at a safe point."""


def _note_stop(signum: int, frame: object) -> None:
    _stop.append(signum)


def publish(settings: Settings) -> int:
    """Put the spare copy live when a new build is there; the exit code."""
    try:
        owner = pwd.getpwnam(settings.user).pw_uid
    except KeyError:
        raise Refused(f"APRECORDS_USER {settings.user}: no such user") from None
    if owner == 0:
        raise Refused("APRECORDS_USER is root: the sites must be built by an unprivileged user")
    _own_folder(settings.state)
    _own_folder(settings.nginx_conf.parent)
    import fcntl

    lock = os.open(settings.state / "lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say("another deploy is running; this one does nothing")
            return 0
        return _publish(settings, owner)
    finally:
        os.close(lock)


def _publish(settings: Settings, owner: int) -> int:
    live = live_copy(settings)
    spare = COPIES[1] if live == COPIES[0] else COPIES[0]
    raw = read_beneath(settings.home, f"{spare}/{STORE}/{READY}", owner, 200)
    stamp = (raw or b"").decode("ascii", "replace").strip()
    if not stamp:
        say("nothing new to deploy (no finished build in the spare copy)")
        return 0
    if not _STAMP.match(stamp):
        raise Refused(f"{spare}/{STORE}/{READY}: not 'commit date'")
    published = _published(settings)
    if stamp in published:
        say(f"up to date ({stamp[:12]}{stamp[stamp.index(' ') :]} was deployed already)")
        return 0
    site = settings.home / spare
    info = site.lstat()
    if (
        not stat.S_ISDIR(info.st_mode)
        or info.st_uid != owner
        or os.path.realpath(site) != str(site)
    ):
        raise Refused(f"{site}: not a folder of the records user's (a link, or another's)")
    try:
        serving = json.loads(
            read_beneath(settings.home, f"{spare}/{STORE}/{SERVING}", owner) or b""
        )
    except ValueError:
        raise Refused(f"{spare}/{STORE}/{SERVING}: missing or not JSON") from None
    text = configuration(settings, site, serving)
    commit, day = stamp.split(" ")
    say(f"deploying {commit[:12]} as of {day} from {site}")
    for line in _stale_lines(settings, spare, owner):
        say(f"warning: {line}")
    previous = signal.signal(signal.SIGTERM, _note_stop)
    try:
        _install(settings, text)
        # nginx serves the new copy: the state says so before anything else can happen.
        link = settings.state / ".live.new"
        link.unlink(missing_ok=True)
        os.symlink(site, link)
        os.replace(link, settings.state / "live")
        _write_own(settings.state / "deployed", stamp + "\n")
        kept = [*published, stamp][-KEEP_PUBLISHED:]
        _write_own(settings.state / "published", "\n".join(kept) + "\n")
    finally:
        signal.signal(signal.SIGTERM, previous)
    say(f"deployed {commit[:12]}: {site} is live")
    return 0


def _install(settings: Settings, text: str) -> None:
    """Install the configuration, ``nginx -t``, reload; the previous one back on failure."""
    conf = settings.nginx_conf
    try:
        before = conf.read_bytes() if conf.exists() else None
    except OSError as exc:
        raise Refused(f"{conf}: cannot be read ({exc.strerror})") from None
    try:
        if _stop:
            raise _Stopped
        _write_own(conf, text)
        test = subprocess.run((*settings.nginx, "-t", "-q"), capture_output=True, text=True)
        if test.returncode != 0:
            sys.stdout.write(test.stderr)
            raise Refused("nginx refused the new configuration (nginx -t)")
        if _stop:  # the last moment a stop leaves everything as it was
            raise _Stopped
        reload = subprocess.run((*settings.nginx, "-s", "reload"), capture_output=True, text=True)
        if reload.returncode != 0:
            sys.stdout.write(reload.stderr)
            raise Refused("nginx refused the new configuration (the reload)")
    except BaseException:
        if before is None:
            conf.unlink(missing_ok=True)
        else:
            _write_own(conf, before.decode("utf-8"))
        raise


def main() -> int:
    """Entry point of ``python -m aprecords.publish``."""
    if os.geteuid() != 0:
        say("run as root (aprecords-deploy.service); the build runs as the records user")
        return 2
    try:
        return publish(Settings.from_env(dict(os.environ)))
    except Refused as exc:
        say(f"{exc} - nothing deployed: the live sites and nginx configuration are unchanged")
        return 1
    except _Stopped:
        say("stopped - nothing deployed: the live sites and nginx configuration are unchanged")
        return 143


if __name__ == "__main__":
    sys.exit(main())
