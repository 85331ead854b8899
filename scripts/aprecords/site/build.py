"""Build one audience's site: scoped records -> Markdown -> MkDocs -> swapped into place.

The site is built into a temporary folder beside its target and renamed into place only when
MkDocs succeeded, so a failed build leaves the previous site exactly as it was. Before the swap
every folder is made 0755 and every file 0644 (whatever the umask), so the web server's
unprivileged workers can read the site; the temporary folders stay 0700 until then. Keep
others out one level up (``/srv/aprecords`` 0750, group ``www-data``: docs/deployment.md).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from aprecords.access import Audience
from aprecords.attendance import template
from aprecords.errors import UsageError
from aprecords.guard import scan as guard_scan
from aprecords.guard import shared as guard_shared
from aprecords.repository import Repository
from aprecords.scope import scope
from aprecords.site import (
    cms,
    cmsassets,
    engine,
    ical,
    incremental,
    mkdocsfile,
    printviews,
    recordformat,
    stored,
)
from aprecords.site.render import audience_banner, make_site, render_pages
from aprecords.site.stale import Status

ASSETS = Path(__file__).parent / "assets"
PROJECT = Path(__file__).resolve().parents[3]
"""The aprecords checkout this code runs from (its node_modules holds the pinned CMS)."""
BASE_CONFIG = "mkdocs.yml"
GENERATED = ("index.md", "schools", "providers", "placements", "record-format.md", "assets")
HELP_ORDER = ("about.md", "guide.md", "glossary.md", "data-protection.md")
"""Help pages first in this order, then the others by name; docs/index.md becomes about.md."""
History = dict[str, list[Any]] | None
DIR_MODE, FILE_MODE = 0o755, 0o644
"""Modes of a published site's folders and files: readable by nginx's workers (www-data)."""
TEMP_KINDS = ("new", "old", "docs")
"""Temporary folders beside the sites: ``.<audience>.<kind>-XXXX`` (see :func:`clean_leftovers`)."""


class BuildError(Exception):
    """The site could not be built; the previous site is untouched."""


def change_history(root: Path) -> History:
    """Commits per record file (``aprecords.gitlog``), once per build; None when unavailable."""
    try:
        from aprecords.gitlog import file_history
    except ImportError:
        return None
    return file_history(root)


def help_pages(docs: Path) -> list[str]:
    """The hand-written pages of ``docs/`` to copy, as paths relative to it (guide first).

    Symbolic links, and anything resolving outside ``docs/``, are refused (UsageError).
    """
    return guard_shared.help_files(docs, [g for g in GENERATED if g != "index.md"])


def write_docs(
    repo: Repository,
    audience: Audience,
    out: Path,
    today: date,
    history: History,
    status: Status | None = None,
) -> tuple[int, list[Any]]:
    """Write the Markdown of one audience's site into ``out``; return (page count, nav).

    ``status``: the records with errors and the sites not updated, for the hub's dashboard."""
    site = make_site(scope(repo, audience), repo.config, today, history)
    site.status = status if audience.sees_all else None
    site.parents = scope(repo, printviews.parents_audience(audience))  # parents' print copies
    site.meeting = scope(repo, printviews.meeting_audience(audience))  # the meeting print
    pages = 0
    made: set[Path] = set()
    for rel, text in render_pages(site):
        target = out / rel
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_text(text, "utf-8")
        pages += 1
    (out / "record-format.md").write_text(recordformat.markdown(repo.schemas), "utf-8")
    scoped = site.scoped
    (out / ical.FEED).write_bytes(
        ical.feed(scoped.placements, scoped.schools, scoped.providers, today, repo.config.site_name)
    )
    if audience.kind == "provider":
        (provider,) = audience.providers
        (out / template.FILE).write_text(
            template.template_csv(
                scoped.placements,
                scoped.attendance,
                provider,
                today,
                repo.config.data,
                with_names="identity" in audience.grants,
            ),
            "utf-8",
        )
    shutil.copytree(ASSETS, out / "assets")
    docs = repo.root / "docs"
    extra = help_pages(docs)
    banner = audience_banner(audience)
    for rel in extra:
        target = out / ("about.md" if rel == "index.md" else rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith(".md"):
            target.write_text(banner + (docs / rel).read_text("utf-8"), "utf-8")
        else:
            shutil.copyfile(docs / rel, target)
    pages += 1 + sum(rel.endswith(".md") for rel in extra)
    top_help = [r for r in extra if r.endswith(".md") and "/" not in r]
    top_help = [("about.md" if r == "index.md" else r) for r in top_help]
    ordered = [r for r in HELP_ORDER if r in top_help] + [
        r for r in top_help if r not in HELP_ORDER
    ]
    nav: list[Any] = [
        {"Dashboard": "index.md"},
        {"Schools": "schools/index.md"},
        {"Providers": "providers/index.md"},
        {"Placements": "placements/index.md"},
        {"Record format": "record-format.md"},
    ]
    if ordered:
        nav.append({"Help": ordered})
    return pages, nav


def _base_config(root: Path) -> Path:
    """The records' mkdocs.yml, checked: it may not run code (:mod:`.mkdocsfile`)."""
    config = root / BASE_CONFIG
    if not config.is_file():
        raise UsageError(f"{root / BASE_CONFIG}: not found; the site needs the base MkDocs file")
    return mkdocsfile.check(root)


def build_docs(
    config_file: Path,
    docs_dir: Path,
    site_dir: Path,
    site_name: str,
    nav: Any,
    pages: int = 0,
    label: str = "",
    **reuse: Any,
) -> engine.Pages:
    """Run MkDocs over a prepared docs folder (the engine's part of a build); ``reuse``: the
    keyword arguments of :func:`aprecords.site.engine.build` for page reuse and theme links."""
    return engine.build(
        config_file,
        {
            "docs_dir": str(docs_dir),
            "site_dir": str(site_dir),
            "site_name": site_name,
            "nav": nav,
        },
        pages=pages,
        label=label,
        **reuse,
    )


def node_modules(root: Path, tool: Path | None = None) -> Path | None:
    """The node_modules holding the pinned web form: the records repository's, else the
    aprecords checkout's; None when neither has it (``npm ci`` installs it). With ``tool``
    (a deployed server's pinned install) only ``tool/node_modules``: never the records'."""
    if tool is not None:
        return cmsassets.package_dir([tool / "node_modules"])
    return cmsassets.package_dir([root / "node_modules", PROJECT / "node_modules"])


def wants_cms(repo: Repository, audience: Audience) -> bool:
    """Only the hub's site gets the web form, and only when aprecords.yml configures it."""
    return audience.kind == "hub" and bool(repo.config.data.get("cms"))


def add_cms(repo: Repository, audience: Audience, site: Path) -> None:
    """Write the web form into ``site/admin/`` (hub only; left out, with the command's
    warning, when the pinned package is not installed)."""
    modules = node_modules(repo.root, repo.tool)
    if not wants_cms(repo, audience) or modules is None:
        return
    config = cms.cms_config(repo.schemas, repo.config.data["cms"], repo.config.site_name)
    try:
        cmsassets.install(modules, site / "admin", config, f"{repo.config.site_name}: web form")
    except cmsassets.CmsAssetError as exc:
        raise BuildError(f"the {audience.name} site was not built: web form: {exc}") from None


def make_readable(folder: Path) -> None:
    """Set every folder under ``folder`` (itself included) to 0755 and every file to 0644."""
    os.chmod(folder, DIR_MODE)
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames:
            os.chmod(os.path.join(dirpath, name), DIR_MODE, follow_symlinks=False)
        for name in filenames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                os.chmod(path, FILE_MODE)


def _temp_parts(name: str) -> tuple[str, str] | None:
    """(audience, kind) of a temporary folder name ``.<audience>.<kind>-XXXX``, else None."""
    if not name.startswith("."):
        return None
    audience, dot, rest = name[1:].rpartition(".")
    kind = rest.split("-", 1)[0]
    if not dot or not audience or kind not in TEMP_KINDS or not rest.startswith(f"{kind}-"):
        return None
    return audience, kind


def clean_leftovers(site_dir: Path) -> list[str]:
    """Remove what a killed build left beside the sites; return the names removed.

    ``.<audience>.new-*`` and ``.<audience>.docs-*`` (unfinished builds) are deleted. An
    ``.<audience>.old-*`` is the previous site caught in the middle of a swap: put back when
    the audience's folder is missing, deleted otherwise. Call only while holding the build lock.
    """
    if not site_dir.is_dir():
        return []
    removed = []
    for entry in sorted(site_dir.iterdir()):
        parts = _temp_parts(entry.name)
        if parts is None or not entry.is_dir() or entry.is_symlink():
            continue
        audience, kind = parts
        live = site_dir / audience
        if kind == "old" and not live.exists():
            os.rename(entry, live)
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry.name)
    return removed


def swap_in(new: Path, target: Path) -> None:
    """Put ``new`` at ``target``: rename the old site away, rename the new in, remove the old."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-"))
        os.rmdir(old)
        os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:  # an error, or SIGTERM between the two renames: put the old back
        if old is not None and not target.exists():
            os.rename(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_audience(
    repo: Repository,
    audience: Audience,
    site_root: Path,
    today: date,
    history: History = None,
    state: Path | None = None,
    shared: str | None = None,
    compress: bool = False,
    status: Status | None = None,
) -> Path:
    """Build one audience's site into ``site_root``; BuildError leaves the old site in place.

    With ``state`` (the build-record folder, ``DIR/.aprecords``) the pages that did not change
    since the last build are reused and theme files are hard-linked from one stored copy
    (:mod:`aprecords.site.incremental`); ``shared`` is the digest of the shared inputs
    (:func:`aprecords.site.parallel.shared_inputs`), worked out here when not given.
    ``compress``: pages stored gzip-compressed once the leak check passed
    (:mod:`aprecords.site.stored`). ``status``: what the hub's dashboard says about the
    records with errors and the other sites (:mod:`aprecords.site.stale`).
    """
    config_file = _base_config(repo.root)
    site_root = site_root.resolve()
    site_root.parent.mkdir(parents=True, exist_ok=True)
    before = incremental.load(state, audience.name) if state is not None else None
    # Beside the sites (not in /tmp), so a later build finds and removes it if this one is
    # killed (clean_leftovers).
    with tempfile.TemporaryDirectory(
        dir=site_root.parent, prefix=f".{site_root.name}.docs-"
    ) as docs:
        pages, nav = write_docs(repo, audience, Path(docs), today, history, status)
        reuse: dict[str, Any] = {}
        if state is not None:
            if shared is None:
                from aprecords.site.parallel import shared_inputs

                shared = shared_inputs(repo.root, today, compress, repo.tool)
            reuse["key"] = incremental.build_key(shared, audience, repo.config.site_name, nav)
            reuse["place_static"] = incremental.ThemeStore(state / incremental.THEME).place
            if before is not None and site_root.is_dir():
                reuse["previous"] = (site_root, before.pages)
        new = Path(tempfile.mkdtemp(dir=site_root.parent, prefix=f".{site_root.name}.new-"))
        try:
            made = build_docs(
                config_file,
                Path(docs),
                new,
                repo.config.site_name,
                nav,
                pages,
                label=f"{audience.name}: ",
                **reuse,
            )
        except engine.EngineError as exc:
            shutil.rmtree(new, ignore_errors=True)
            raise BuildError(
                f"the {audience.name} site was not built (the previous one is unchanged): {exc}"
            ) from None
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
    unchanged = made.reused if "previous" in reuse else frozenset()
    leak_was, parents_was = (before.leak, before.parents) if before else ("", "")
    try:  # the leak check (issue 4): nothing the audience must not see is swapped in
        add_cms(repo, audience, new)
        leak = guard_scan.check_audience(repo, audience, new, unchanged, leak_was)
        # issue 12: the parents' print copies
        parents_was, _, meeting_was = parents_was.partition(" ")
        parents = printviews.check_parents(repo, audience, new, unchanged, parents_was)
        meeting = printviews.check_meeting(repo, audience, new, unchanged, meeting_was)
        parents = f"{parents} {meeting}"  # both digests, kept in the build record's one field
    except guard_scan.LeakError as exc:
        shutil.rmtree(new, ignore_errors=True)
        located = guard_scan.commit_findings(scope(repo, audience), history)
        raise BuildError("\n".join([str(exc), *located])) from None
    except BuildError:
        shutil.rmtree(new, ignore_errors=True)
        raise
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    try:
        if compress:
            stored.compress_site(new)
        make_readable(new)
        swap_in(new, site_root)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    if state is not None:
        incremental.save(state, audience.name, incremental.Record(made, leak, parents))
    return site_root


def build_all(
    repo: Repository, audiences: Iterable[Audience], site_dir: Path, today: date
) -> list[Path]:
    """Build each audience into ``site_dir/<audience name>/``; git history is read once."""
    history = change_history(repo.root)
    return [
        build_audience(repo, audience, site_dir / audience.name, today, history)
        for audience in audiences
    ]
