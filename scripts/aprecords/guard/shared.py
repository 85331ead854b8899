"""Texts every audience is shown: the help pages (``docs/``), ``aprecords.yml`` and ``mkdocs.yml``.

They hold no pupil's name (any form), UPN, record id (but the examples of
:data:`aprecords.guard.plan.EXAMPLE_IDS`) nor any sensitive text, and only what the guard can
read: ``docs/`` accepts Markdown and images without embedded text (PNG, JPEG, WebP without
metadata); anything else, and Markdown holding HTML comments, ``data:`` URIs or tags between
the letters of a word, is refused with a message saying what to do. Every finding names the
file, line and column. A name found here is never an exemption: the scan of every site still
searches for it.
"""

from __future__ import annotations

import ast
import functools
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from aprecords.access import Audience
from aprecords.errors import UsageError
from aprecords.guard import images
from aprecords.guard.formats import decoded
from aprecords.guard.match import Matcher, Needle, locate
from aprecords.guard.normal import words
from aprecords.guard.plan import plan
from aprecords.guard.scan import one_per_source
from aprecords.repository import Repository

MARKDOWN = (".md",)
"""Help pages are Markdown files..."""
_SPLIT_WORD = re.compile(r"[^\W_](?:<[^<>\n]*>)+[^\W_]")
_COMMENT = re.compile(r"<!--")
_DATA_URI = re.compile(r"\bdata:[A-Za-z0-9.+-]*/?[A-Za-z0-9.+-]*[;,]", re.I)
_RAW_WORD = re.compile(r"[^\W_]+")
CONFIG_FILES = ("aprecords.yml", "mkdocs.yml")
HELP_AUDIENCE = Audience("help pages", "help pages", "hub", frozenset({"identity"}))
"""Whom the shared texts are scoped for: it sees every record and only the identity class,
so every other sensitive value is withheld from it (names, UPNs and ids are added as outside
values, in :func:`shared_needles`)."""


class HelpPageLeakError(Exception):
    """A text every audience sees holds pupil data, or what the guard cannot read: no audience
    is built (exit 1)."""


def help_files(docs: Path, skip: Iterable[str] = ()) -> list[str]:
    """Every file of ``docs/`` (relative paths, sorted; hidden ones and ``skip`` left out).

    A symbolic link, or anything that resolves outside ``docs/``, is refused (UsageError,
    exit 2): a link committed there would publish whatever it points at (``/proc/self/environ``,
    a record) to every audience.
    """
    if not docs.exists() and not docs.is_symlink():
        return []
    if docs.is_symlink():
        raise UsageError(
            f"{docs}: is a symbolic link; the help pages folder must be a real folder "
            "inside the repository"
        )
    found: list[str] = []  # os.walk follows no link, and links are refused: all is inside
    for dirpath, dirnames, filenames in os.walk(docs):
        here = Path(dirpath)
        dirnames.sort()
        for name in [*dirnames, *sorted(filenames)]:
            entry = here / name
            rel = entry.relative_to(docs).as_posix()
            if any(part.startswith(".") for part in entry.relative_to(docs).parts):
                continue
            if entry.is_symlink():
                raise UsageError(
                    f"{entry}: is a symbolic link (to {os.readlink(entry)}); help pages are "
                    "published to every audience, so links are refused: replace it with the "
                    "file itself or remove it"
                )
            if entry.is_file() and rel.split("/")[0] not in skip:
                found.append(rel)
    return sorted(found)


@functools.cache
def scaffold_texts() -> frozenset[str]:
    """The placeholders ``aprecords new`` and ``review`` write (``FILL IN: ...``), read from the
    code that writes them: the tool's own words, not pupil data. A record still holding one is
    an error (``placeholder-filled``) and never published; its placeholders may match the help
    pages that explain the same fields."""
    import aprecords.authoring as authoring

    tree = ast.parse(Path(authoring.__file__).read_bytes())  # UTF-8 source
    return frozenset(
        authoring.fill(node.args[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("f", "fill")
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )


def shared_needles(repo: Repository) -> list[Needle]:
    """What no text every audience sees may hold: every pupil's name (each form), UPN and
    record id, and every sensitive value (of every placement file, valid or not)."""
    from aprecords.scope import scope

    scoped = scope(repo, HELP_AUDIENCE)
    # Nothing counts as visible here: the records' own names are no namesakes of anything.
    scoped.placements, scoped.schools, scoped.providers, scoped.attendance = {}, {}, {}, {}
    placeholders = scaffold_texts()
    scoped.withheld = [(v, s) for v, s in scoped.withheld if v.strip() not in placeholders]
    for record in repo.records:
        if record.kind != "placement":
            continue
        student = record.data.get("student")
        student = student if isinstance(student, dict) else {}
        values = [student.get("name"), student.get("upn"), record.data.get("id")]
        scoped.outside.extend((v, record.path) for v in values if isinstance(v, str) and v.strip())
    return [n for n in plan(scoped).needles if n.fails]


def text_findings(label: str, text: str, matcher: Matcher) -> list[str]:
    """``label:line:col: error: ...`` for every pupil datum in one shared text."""
    hits = matcher.find(words(text))
    if not hits:
        return []
    found: list[str] = []
    lines = text.splitlines()
    for leak in sorted(one_per_source(label, hits)):  # one file: by source, then what
        line, column = min(  # where the first of its needles found starts
            locate(lines, n) for n in hits if (n.source, n.what) == (leak.source, leak.what)
        )
        what = leak.what.replace(" outside this audience", "").replace(
            " withheld from this audience", " of a sensitivity class"
        )
        where = (
            "help pages are published to every audience, so they must"
            if label.startswith("docs/")
            else f"{label} is shown on every audience's site, so it must"
        )
        found.append(
            f"{leak.file}:{line}:{column}: error: {what} (source: {leak.source}); {where} hold no "
            "pupil's name, UPN, record id or sensitive text [help-page-leak]"
        )
    return found


def markdown_findings(label: str, text: str) -> Iterator[str]:
    """What the guard cannot read the way a reader does, in a help page's Markdown."""
    checks = (
        (_COMMENT, "an HTML comment: readers do not see it, but it is published; delete it"),
        (
            _DATA_URI,
            "a data: URI, which hides a file inside the page; save the image as a PNG file "
            "in docs/ and link to it",
        ),
        (
            _SPLIT_WORD,
            "HTML tags between the letters of a word; write the word whole (use Markdown "
            "for emphasis)",
        ),
    )
    for number, line in enumerate(text.splitlines(), 1):
        for pattern, message in checks:
            if found := pattern.search(line):
                yield f"{label}:{number}:{found.start() + 1}: error: {message} [help-page-format]"


def shared_text_findings(repo: Repository, skip: Iterable[str] = ()) -> list[str]:
    """Every finding in the help pages, ``aprecords.yml`` and ``mkdocs.yml``."""
    docs = repo.root / "docs"
    files = help_files(docs, skip)
    matcher = Matcher(shared_needles(repo))
    found: list[str] = []
    for name in CONFIG_FILES:
        path = repo.root / name
        if path.is_file():
            text = path.read_bytes().decode(errors="replace")  # UTF-8
            found += _unreadable_characters(name, text)
            found += text_findings(name, text, matcher)
    for rel in files:
        label, raw = f"docs/{rel}", (docs / rel).read_bytes()
        if not rel.endswith(MARKDOWN):
            problem = images.problem(rel, raw)
            if problem:
                found.append(f"{label}:1:1: error: {problem} [help-page-format]")
                continue
        else:
            text = raw.decode(errors="replace")  # UTF-8
            found += markdown_findings(label, text)
            found += _unreadable_characters(label, text)
        found += text_findings(label, decoded(raw, rel), matcher)
    return found


def _unreadable_characters(label: str, text: str) -> Iterator[str]:
    """Characters no help page or configuration file may hold (the same as no record may)."""
    from aprecords.unseen import UNSEEN, unseen_problem

    for number, line in enumerate(text.splitlines(), 1):
        if found := UNSEEN.search(line):
            message, rule = unseen_problem(found.group())
            yield f"{label}:{number}:{found.start() + 1}: error: {message} [{rule}]"


def check_help_pages(repo: Repository, skip: Iterable[str] = ()) -> None:
    """Raise :class:`HelpPageLeakError` when a text every audience sees holds pupil data or
    what the guard cannot read."""
    found = shared_text_findings(repo, skip)
    if found:
        raise HelpPageLeakError(
            "\n".join(found) + f"\naprecords: {len(found)} problem(s) in the help pages or the "
            "configuration every site shows; no site was built (the previous ones are unchanged)"
        )
