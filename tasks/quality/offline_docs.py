"""Data docs that need no internet: the CDN assets GX's pages link, served from the site itself.

Right after GX builds the site, the pinned npm files (tasks/quality/docs_assets.py, fetched at install time
into the assets cache) are copied into <site>/static/vendor/ and every page's <link>, <script>, <img> and CSS url() that
points off the machine is rewritten to a relative path (one `../` per folder the page is nested in), so a
page opened from disk, a file share or any static server is styled and interactive offline. A reference to
an asset not pinned, or not in the cache, is removed, never left to reach out: the page loses that asset's
looks, not its content, and the report says what was removed. (GX 1.24.1 has one such: its stylesheet's
dark-mode logo, full_logo_dark.png on GX's S3 bucket, in no package; dark mode shows no logo.)

Copies and rewrites only touch files that change, so a site built run after run keeps its file times
(the leak proof searches only files written since the run started). A pass reads only the pages written since
the last pass that completed (a marker file holds its start time), so a daily run costs what its own pages cost,
not what the site's history costs; a pass cut off before its marker is redone by the next one.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tasks.quality.docs_assets import GX_WEB_ASSETS, local_path, pinned_hashes
from tasks.settings import get_settings

VENDOR = "static/vendor"  # the copied assets' folder inside the site
PASS_MARKER = f"{VENDOR}/.offline-pass"  # the start time of the last completed pass, in nanoseconds
# A page written this close before a pass's start is read again by the next pass (coarse file-time clocks).
_MARGIN_NS = 2_000_000_000
_TAG = re.compile(r"<(link|script|img)\b[^>]*>(?:\s*</script>)?", re.IGNORECASE)
_URL_ATTRIBUTE = re.compile(r"""\b(src|href)\s*=\s*(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')]*)\1\s*\)""", re.IGNORECASE)
_SRI = re.compile(r"""\s+(integrity|crossorigin)(\s*=\s*(["']).*?\3)?""", re.IGNORECASE)

logger = logging.getLogger(__name__)


@dataclass
class OfflineReport:
    """What one pass did: assets copied, pages read and rewritten, and references removed (unpinned or
    uncached)."""

    copied: int = 0
    pages_read: int = 0  # written since the last completed pass
    pages_rewritten: int = 0
    removed: set[str] = field(default_factory=set)
    missing_assets: list[str] = field(default_factory=list)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_assets(site: Path, assets: Path, report: OfflineReport) -> set[str]:
    """Copy every pinned file the cache holds (checked against its pin) into the site; returns those present."""
    present: set[str] = set()
    for path, digest in pinned_hashes().items():
        source, target = assets / path, site / VENDOR / path
        if target.is_file() and _sha256(target) == digest:
            present.add(path)
            continue
        if not source.is_file() or _sha256(source) != digest:
            report.missing_assets.append(path)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        report.copied += 1
        present.add(path)
    return present


def _is_external(url: str) -> bool:
    return urlsplit(url).scheme in {"http", "https"} or url.startswith("//")


def rewrite_page(text: str, depth: int, present: set[str], site: Path, report: OfflineReport) -> str:
    """The page (HTML or CSS) with every external asset reference (<link>, <script>, <img>, CSS url()) made
    local, or removed (a CSS url() becomes `none`); `depth`: folders between the site and the page."""
    up = "../" * depth

    def local(url: str) -> str | None:
        plain = html.unescape(url)
        if plain.startswith(GX_WEB_ASSETS):
            image = "static/images/" + urlsplit(plain).path.rsplit("/", 1)[-1]
            return up + image if (site / image).is_file() else None
        path = local_path(plain)
        return up + VENDOR + "/" + path if path is not None and path in present else None

    def css_url(match: re.Match[str]) -> str:
        if not _is_external(match.group(2)):
            return match.group(0)
        replacement = local(match.group(2))
        if replacement is None:
            report.removed.add(html.unescape(match.group(2)))
            return "none"
        return f"url('{replacement}')"

    def tag(match: re.Match[str]) -> str:
        whole = match.group(0)
        found = _URL_ATTRIBUTE.search(whole)
        if found is None or not _is_external(found.group(3)):
            return whole
        replacement = local(found.group(3))
        if replacement is None:
            report.removed.add(html.unescape(found.group(3)))
            return ""
        start, end = found.span(3)
        return _SRI.sub("", whole[:start] + replacement + whole[end:])

    return _CSS_URL.sub(css_url, _TAG.sub(tag, text))


def _last_pass(site: Path) -> int:
    """When the last completed pass started (ns since the epoch), or 0: every page is read."""
    try:
        return int((site / PASS_MARKER).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return 0


def make_offline(site: Path, assets: Path | None = None) -> OfflineReport:
    """Copy the assets into the data docs site and rewrite to them the pages written since the last completed
    pass (idempotent)."""
    report = OfflineReport()
    if not site.is_dir():
        return report
    started = time.time_ns()
    since = _last_pass(site) - _MARGIN_NS
    present = copy_assets(site, assets or get_settings().docs_assets_dir, report)
    pages = [*site.rglob("*.html"), *site.rglob("*.css")]
    for page in sorted(pages):
        relative = page.relative_to(site)
        if relative.as_posix().startswith(VENDOR + "/") or page.stat().st_mtime_ns < since:
            continue
        report.pages_read += 1
        text = page.read_text(encoding="utf-8")
        rewritten = rewrite_page(text, len(relative.parts) - 1, present, site, report)
        if rewritten != text:
            page.write_text(rewritten, encoding="utf-8")
            report.pages_rewritten += 1
    marker = site / PASS_MARKER
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(str(started), encoding="ascii")
    if report.missing_assets:
        logger.warning(
            "data docs: %d pinned assets are not in the cache (run `make docs-assets`); their references "
            "were removed, so the pages are less styled but still load nothing from the internet",
            len(report.missing_assets),
        )
    if report.removed:
        logger.info(
            "data docs: %d external references removed: %s", len(report.removed), sorted(report.removed)
        )
    return report
