"""Data Docs that work offline: the stylesheets and scripts Great Expectations' page templates load
from public CDNs are served from npm packages instead, copied into the site's static/vendor/.

package.json pins the packages and `make` installs them (npm ci) into the checkout's node_modules/;
$NEWSFLOW_DOCS_ASSETS names another such folder (an installed wheel has none). GE 1.24 writes the
CDN addresses into its templates and offers no setting for them (a custom views folder is searched
after GE's own templates), so the HTML it built is rewritten. No Great Expectations here: text in,
text out, and file copies.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from flows.core.schemas import CHECKOUT

ASSETS_ENV = "NEWSFLOW_DOCS_ASSETS"
VENDOR_DIR = "static/vendor"  # in the site, beside GE's own static/images and static/styles

# What a page loads, by the last part of its CDN address with any version taken out, and the file
# of an npm package that serves it. The packages are the ones GE's templates name; Bootstrap and
# Popper at their last 4.x and 1.x releases, which bootstrap-dark and Bootstrap 4 ask for.
FILES: dict[str, str] = {
    "bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    "bootstrap.min.js": "bootstrap/dist/js/bootstrap.min.js",
    "popper.min.js": "popper.js/dist/umd/popper.min.js",
    "jquery.min.js": "jquery/dist/jquery.min.js",
    "bootstrap-table.min.css": "bootstrap-table/dist/bootstrap-table.min.css",
    "bootstrap-table.min.js": "bootstrap-table/dist/bootstrap-table.min.js",
    "bootstrap-table-filter-control.css": "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "bootstrap-table-filter-control.min.css": "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "bootstrap-table-filter-control.min.js": "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
    "bootstrap-datepicker.min.css": "bootstrap-datepicker/dist/css/bootstrap-datepicker.min.css",
    "bootstrap-datepicker.min.js": "bootstrap-datepicker/dist/js/bootstrap-datepicker.min.js",
    "bootstrap-prefers-dark.css": "@forevolve/bootstrap-dark/dist/css/bootstrap-prefers-dark.min.css",
    "all.min.css": "@fortawesome/fontawesome-free/css/all.min.css",  # Font Awesome
}
# Folders a copied stylesheet loads from (Font Awesome's ../webfonts/), and each package's licence.
FOLDERS = ("@fortawesome/fontawesome-free/webfonts",)
LICENCES = ("LICENSE", "LICENSE.txt")
# Vega draws the charts of distribution expectations, which no contract makes (the rule kinds of
# flows/validate/declarations.py): its scripts are left out, not served.
DROPPED = frozenset({"vega", "vega-lite", "vega-embed"})
# GE's logo, which its pages load from GE's web bucket: the copy GE puts in static/images.
IMAGES = {"logo-long.png": "static/images/logo-long.png", "full_logo_dark.png": "static/images/logo-long.png"}

log = logging.getLogger(__name__)
_SCRIPT = re.compile(r'<script\b[^>]*?\bsrc="(https?://[^"]+)"[^>]*>\s*</script>')
_STYLESHEET = re.compile(r'<link\b[^>]*?\bhref="(https?://[^"]+)"[^>]*>')
_IMAGE = re.compile(r'(<img\b[^>]*?\bsrc=")(https?://[^"]+)(")')
# GE's validation pages link their icon one folder too high (its favicon.j2 counts 3 levels, the pages are 4 deep).
_FAVICON = re.compile(r'(<link\b[^>]*?\bhref=")([^"]*static/images/favicon\.ico)(")')
_CSS_URL = re.compile(r"""url\((['"]?)(https?://[^'")]+)\1\)""")
_VERSION = re.compile(r"@[^/]*$|-\d+(?:\.\d+)+(?=\.)")


def assets_dir() -> Path | None:
    """The node_modules folder the assets are copied from: $NEWSFLOW_DOCS_ASSETS, else the
    checkout's; None when it lacks one of them (then the pages keep GE's CDN addresses)."""
    chosen = os.environ.get(ASSETS_ENV)
    folder = Path(chosen) if chosen else (CHECKOUT / "node_modules" if CHECKOUT else None)
    if folder is None or not all((folder / f).is_file() for f in FILES.values()):
        return None
    return folder


def asset_name(url: str) -> str:
    """bootstrap-table.min.js, jquery.min.js, vega ...: what an address loads, its version taken out."""
    last = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return _VERSION.sub("", last)


def packages() -> set[str]:
    """The npm packages the assets come from (scoped ones as @scope/name)."""
    return {"/".join(f.split("/")[: 2 if f.startswith("@") else 1]) for f in (*FILES.values(), *FOLDERS)}


def install_assets(site_dir: Path, source: Path) -> None:
    """Copy the assets (and their licences) into the site, each once: a file already there with the
    same size is left alone, so a page build costs a few stat calls."""
    target = site_dir / VENDOR_DIR
    wanted = [*FILES.values(), *(f"{p}/{name}" for p in packages() for name in LICENCES if (source / p / name).is_file())]
    wanted += [str(f.relative_to(source)) for folder in FOLDERS for f in sorted((source / folder).iterdir()) if f.is_file()]
    for relative in dict.fromkeys(wanted):
        src, dst = source / relative, target / relative
        if not dst.is_file() or dst.stat().st_size != src.stat().st_size:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)


def localise(html: str, page_dir: Path, site_dir: Path) -> str:
    """The page with each CDN stylesheet, script and image it loads pointing at the site's copy
    (a script's integrity and crossorigin attributes go with its address: the copy is another
    build, and a file page cannot fetch cross-origin). An address not known here is left alone."""

    def local(relative: str) -> str:
        return Path(os.path.relpath(site_dir / relative, page_dir)).as_posix()

    def vendored(url: str) -> str | None:
        name = asset_name(url)
        return local(f"{VENDOR_DIR}/{FILES[name]}") if name in FILES else None

    def script(match: re.Match[str]) -> str:
        if asset_name(match[1]) in DROPPED:
            return ""
        path = vendored(match[1])
        return f'<script src="{path}"></script>' if path else match[0]

    def stylesheet(match: re.Match[str]) -> str:
        path = vendored(match[1])
        return f'<link rel="stylesheet" href="{path}">' if path else match[0]

    def image(url: str) -> str | None:
        name = asset_name(url)
        return local(IMAGES[name]) if name in IMAGES else None

    html = _SCRIPT.sub(script, html)
    html = _STYLESHEET.sub(stylesheet, html)
    html = _IMAGE.sub(lambda m: m[1] + (image(m[2]) or m[2]) + m[3], html)
    html = _FAVICON.sub(lambda m: m[1] + local("static/images/favicon.ico") + m[3], html)
    return _CSS_URL.sub(lambda m: f"url('{image(m[2]) or m[2]}')", html)


def make_offline(site_dir: Path, pages: Iterable[Path | str]) -> bool:
    """Install the assets into the site and point the pages at them; False (and one warning) when
    the assets are not installed, the pages left as GE wrote them."""
    source = assets_dir()
    if source is None:
        warn_missing_assets()
        return False
    site_dir = site_dir.resolve()
    install_assets(site_dir, source)
    for page in dict.fromkeys(Path(p).resolve() for p in pages):
        html = page.read_text(encoding="utf-8")
        offline = localise(html, page.parent, site_dir)
        if offline != html:
            page.write_text(offline, encoding="utf-8")
    return True


@functools.cache
def warn_missing_assets() -> None:
    log.warning("Data Docs: their stylesheets and scripts are not installed (`make`, or `npm ci` in the checkout; or set %s to a node_modules folder), so the pages load them from the web", ASSETS_ENV)
