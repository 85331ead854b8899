"""The web form's files on the hub's site: Sveltia CMS from ``node_modules``, made self-contained.

As published, Sveltia's bundle loads its fonts from jsDelivr and its interface text (any
language but en-US) from unpkg. :func:`patch_bundle` points each of those URLs at a file copied
beside the bundle (``fonts/``, ``locales/``, ``version.json``), and the other unpkg bases
(code highlighting, maps, optional chunks: features this form does not use) at paths of the
site itself, so no request can leave it. Every rewrite must match exactly as expected; an
upgrade that moves or adds a URL fails the build (:class:`CmsAssetError`) instead of quietly
fetching from another host again. The versions are pinned in ``package.json`` and
``package-lock.json`` (``npm ci`` installs them).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import yaml

PACKAGE = "@sveltia/cms"
BUNDLE = "dist/sveltia-cms.js"
FONTS = {
    "https://cdn.jsdelivr.net/fontsource/fonts/material-symbols-outlined:vf@5.3.7/"
    "latin-wght-normal.woff2": (
        "@fontsource-variable/material-symbols-outlined",
        "material-symbols-outlined-latin-wght-normal.woff2",
    ),
    "https://cdn.jsdelivr.net/fontsource/fonts/noto-mono@5.3.0/latin-400-normal.woff2": (
        "@fontsource/noto-mono",
        "noto-mono-latin-400-normal.woff2",
    ),
    "https://cdn.jsdelivr.net/fontsource/fonts/source-sans-3:vf@5.3.0/latin-wght-normal.woff2": (
        "@fontsource-variable/source-sans-3",
        "source-sans-3-latin-wght-normal.woff2",
    ),
}
"""Each font URL in the bundle, and the npm package and file that hold the same font."""
REWRITES = (
    # (what, pattern, replacement): each pattern must match exactly once
    ("interface text", r"(\w+)=`\$\{\w+\}@\$\{\w+\}/locales`", r"\1=`locales`"),
    ("update check", r"(\w+)=`\$\{\w+\}/package\.json`", r"\1=`version.json`"),
    ("package base", r"`https://unpkg\.com/@sveltia/cms`", "`unavailable/sveltia-cms`"),
    ("code highlighting", r"`https://unpkg\.com/@shikijs`", "`unavailable/shikijs`"),
    ("code engine", r"`https://unpkg\.com/@sveltia/ui`", "`unavailable/sveltia-ui`"),
    ("other packages", r"`https://unpkg\.com/\$\{(\w+)\}`", r"`unavailable/${\1}`"),
    # its built-in logo is a data: URL that it fetch()es (refused by connect-src 'self')
    ("default logo", r"`data:image/svg\+xml;base64,\$\{btoa\((\w+)\)\}`", "`logo.svg`"),
)
REMOTE = ("unpkg.com", "cdn.jsdelivr.net", "jsdelivr.net")
"""Hosts that must not remain anywhere in the patched bundle."""
INDEX_HTML = """<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<link href="config.yml" type="application/yaml" rel="cms-config-url">
<link href="logo.svg" type="image/svg+xml" rel="icon">
</head>
<body>
<script src="sveltia-cms.js"></script>
</body>
</html>
"""
"""The form's page: no inline script (the site's CSP allows none), the configuration beside it,
and an icon of its own (without one, Chromium may ask for /favicon.ico before the form adds its
icon, a 404 in the console)."""
LOGO_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
    '<rect width="64" height="64" rx="8" fill="#3f51b5"/>'
    '<path d="M18 14h20l10 10v26H18z" fill="#fff"/><path d="M24 30h18M24 38h18M24 46h12" '
    'stroke="#3f51b5" stroke-width="3"/></svg>\n'
)
"""The form's logo, a file of the site: Sveltia's built-in one is a data: URL it fetches, which
the site's ``connect-src 'self'`` refuses (a console error on every visit)."""


class CmsAssetError(Exception):
    """The CMS files are missing or no longer look as this patch expects: the build stops."""


def package_dir(candidates: list[Path]) -> Path | None:
    """The first ``node_modules`` among ``candidates`` holding the Sveltia package, else None."""
    for base in candidates:
        if (base / PACKAGE / BUNDLE).is_file():
            return base
    return None


def patch_bundle(text: str) -> str:
    """The bundle with every remote URL pointed at the site itself (CmsAssetError otherwise)."""
    for url, (_, file) in FONTS.items():
        found = text.count(url)
        if found != 1:
            raise CmsAssetError(f"the font URL {url} occurs {found} times in {BUNDLE}, not once")
        text = text.replace(url, f"fonts/{file}")
    for what, pattern, replacement in REWRITES:
        text, found = re.subn(pattern, replacement, text)
        if found != 1:
            raise CmsAssetError(
                f"the {what} URL (/{pattern}/) matched {found} times in {BUNDLE}, not once: "
                "this Sveltia version loads its files differently; update site/cmsassets.py"
            )
    left = [host for host in REMOTE if host in text]
    if left:
        raise CmsAssetError(f"{BUNDLE} still names {', '.join(left)} after patching")
    return text


def install(modules: Path, admin: Path, config: dict[str, Any], title: str) -> list[Path]:
    """Write the form into ``admin``: page, configuration, patched bundle, fonts, locales.

    Returns the third-party files written (the patched bundle, fonts, interface text): copies
    of the pinned packages, which hold no record.
    """
    package = modules / PACKAGE
    admin.mkdir(parents=True, exist_ok=True)
    (admin / "index.html").write_text(INDEX_HTML.format(title=_escape(title)), "utf-8")
    (admin / "config.yml").write_text(
        yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=100), "utf-8"
    )
    (admin / "logo.svg").write_text(LOGO_SVG, "utf-8")
    version = json.loads((package / "package.json").read_text("utf-8"))["version"]
    (admin / "version.json").write_text(json.dumps({"version": version}), "utf-8")
    bundle = admin / "sveltia-cms.js"
    bundle.write_text(patch_bundle((package / BUNDLE).read_text("utf-8")), "utf-8")
    copied = [bundle]
    for npm, file in FONTS.values():
        source = modules / npm / "files" / file
        if not source.is_file():
            raise CmsAssetError(f"{source}: missing; run `npm ci` to install the pinned fonts")
        copied.append(Path(shutil.copyfile(source, _mkdir(admin / "fonts") / file)))
    for source in sorted((package / "locales").glob("*.json")):
        copied.append(Path(shutil.copyfile(source, _mkdir(admin / "locales") / source.name)))
    if len(copied) == 1 + len(FONTS):
        raise CmsAssetError(f"{package / 'locales'}: no interface text found")
    return copied


def _mkdir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
