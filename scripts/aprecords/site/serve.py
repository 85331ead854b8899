"""Live preview: rebuild the site whenever a record, template, doc, schema or setting changes.

Uses MkDocs' own live-reload server (through ``engine.live_server``) with our build as the
builder, so the preview is exactly what ``aprecords build`` makes.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

from aprecords.access import checked_audiences, select
from aprecords.errors import UsageError
from aprecords.guard import shared
from aprecords.site import build as site_build
from aprecords.site import engine
from aprecords.site.render import TEMPLATES


def watched(root: Path) -> list[Path]:
    """Everything a change to which must rebuild the preview."""
    paths = [
        root / "records",
        root / "docs",
        root / "schema",
        root / "aprecords.yml",
        root / site_build.BASE_CONFIG,
        TEMPLATES,
        site_build.ASSETS,
    ]
    return [p for p in paths if p.exists()]


def rebuild(root: Path, site_dir: Path, today: date | None, audience: str = "hub") -> bool:
    """One preview build; findings or build errors are printed and the old preview stays."""
    from aprecords.commands.site import validated

    day = today or date.today()
    try:
        repo = validated(root, day)
        if repo is None:
            return False
        history = site_build.change_history(root)
        (chosen,) = select(checked_audiences(repo), [audience])
        shared.check_help_pages(repo, [g for g in site_build.GENERATED if g != "index.md"])
        site_build.build_audience(repo, chosen, site_dir, day, history)
    except (site_build.BuildError, UsageError, shared.HelpPageLeakError) as exc:
        print(f"aprecords: {exc}", file=sys.stderr)
        return False
    except Exception as exc:  # a preview must survive a half-saved file
        print(f"aprecords: preview not rebuilt: {exc}", file=sys.stderr)
        return False
    return True


def parse_addr(addr: str) -> tuple[str, int]:
    """'host:port' as a pair (usage error otherwise)."""
    host, _, port = addr.rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(f"--dev-addr '{addr}' is not host:port, for example 127.0.0.1:8000")
    return host, int(port)


def serve(root: Path, addr: str, today: date | None = None, audience: str = "hub") -> None:
    """Serve one audience's preview (the hub's by default) on ``addr`` until interrupted."""
    from aprecords.repository import load_repository

    host, port = parse_addr(addr)
    select(checked_audiences(load_repository(root)), [audience])  # unknown name: exit 2 now
    work = Path(tempfile.mkdtemp(prefix="aprecords-serve-"))
    site_dir = work / audience
    try:
        rebuild(root, site_dir, today, audience)
        site_dir.mkdir(exist_ok=True)
        server = engine.live_server(
            lambda: rebuild(root, site_dir, today, audience), host, port, site_dir, watched(root)
        )
        print(f"serving the {audience} preview on http://{host}:{port}/ (Ctrl+C stops)", flush=True)
        try:
            server.serve()
        except KeyboardInterrupt:
            pass
        finally:
            server.shutdown()
    finally:
        shutil.rmtree(work, ignore_errors=True)
