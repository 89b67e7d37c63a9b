"""Pages rewritten to the site's own copies of the pinned assets, at any nesting depth; what cannot be served
locally is removed, never left pointing off the machine; a second pass changes nothing."""

from __future__ import annotations

from pathlib import Path

from tasks.quality.docs_assets import GX_WEB_ASSETS, pinned_hashes
from tasks.quality.offline_docs import VENDOR, OfflineReport, make_offline, rewrite_page
from tasks.settings import get_settings

BOOTSTRAP_CSS = "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css"
BOOTSTRAP_JS = "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js"
LOCAL_CSS = "bootstrap@4.3.1/dist/css/bootstrap.min.css"
LOCAL_JS = "bootstrap@4.3.1/dist/js/bootstrap.min.js"
PAGE = f"""<html><head>
<link rel="stylesheet" href="{BOOTSTRAP_CSS}"/>
<script src="{BOOTSTRAP_JS}" integrity="sha384-abc" crossorigin="anonymous"></script>
<script src="https://cdn.example.org/unknown.js"></script>
<style>.brand {{ background: url('{GX_WEB_ASSETS}full_logo_dark.png') 0 0 no-repeat; }}</style>
</head><body>
<img class="NO-CACHE" src="{GX_WEB_ASSETS}logo-long.png?d=20260101T000000.000000Z&amp;dataContextId=x"/>
<a href="https://greatexpectations.io">Great Expectations</a>
</body></html>"""


def site_with_logo(tmp_path: Path) -> Path:
    (tmp_path / "static" / "images").mkdir(parents=True)
    (tmp_path / "static" / "images" / "logo-long.png").write_bytes(b"png")
    return tmp_path


def test_nested_page_gets_relative_paths_and_loses_what_cannot_be_local(tmp_path: Path) -> None:
    site = site_with_logo(tmp_path)
    report = OfflineReport()
    page = rewrite_page(PAGE, 3, {LOCAL_CSS, LOCAL_JS}, site, report)
    assert f'href="../../../{VENDOR}/{LOCAL_CSS}"' in page
    assert f'<script src="../../../{VENDOR}/{LOCAL_JS}"></script>' in page, "SRI attributes dropped"
    assert 'src="../../../static/images/logo-long.png"' in page, "GX's logo from the site, no tracking query"
    assert "unknown.js" not in page
    assert "background: none 0 0 no-repeat" in page, "the dark-mode logo is in no package: removed"
    assert '<a href="https://greatexpectations.io">' in page, "links are navigation, not loads: kept"
    assert report.removed == {"https://cdn.example.org/unknown.js", f"{GX_WEB_ASSETS}full_logo_dark.png"}
    assert rewrite_page(page, 3, {LOCAL_CSS, LOCAL_JS}, site, OfflineReport()) == page


def test_top_level_page_and_uncached_assets(tmp_path: Path) -> None:
    site = site_with_logo(tmp_path)
    page = rewrite_page(PAGE, 0, {LOCAL_CSS}, site, report := OfflineReport())
    assert f'href="{VENDOR}/{LOCAL_CSS}"' in page
    assert "bootstrap.min.js" not in page, "not in the cache: removed rather than fetched"
    assert BOOTSTRAP_JS in report.removed


def test_make_offline_copies_once_and_keeps_file_times(tmp_path: Path) -> None:
    site = site_with_logo(tmp_path / "site")
    nested = site / "validations" / "suite" / "run" / "page.html"
    nested.parent.mkdir(parents=True)
    nested.write_text(PAGE, encoding="utf-8")
    (site / "index.html").write_text(PAGE, encoding="utf-8")

    first = make_offline(site, get_settings().docs_assets_dir)  # `make docs-assets` filled the cache
    assert first.missing_assets == []
    assert first.copied == len(pinned_hashes()) and first.pages_rewritten == 2
    assert (site / VENDOR / LOCAL_CSS).is_file()
    assert f'href="../../../{VENDOR}/{LOCAL_CSS}"' in nested.read_text(encoding="utf-8")
    times = {path: path.stat().st_mtime_ns for path in site.rglob("*") if path.is_file()}

    second = make_offline(site, get_settings().docs_assets_dir)
    assert (second.copied, second.pages_rewritten) == (0, 0)
    assert {path: path.stat().st_mtime_ns for path in site.rglob("*") if path.is_file()} == times


def test_without_the_cache_nothing_points_off_the_machine(tmp_path: Path) -> None:
    site = site_with_logo(tmp_path / "site")
    (site / "index.html").write_text(PAGE, encoding="utf-8")
    report = make_offline(site, tmp_path / "empty-cache")
    assert len(report.missing_assets) == len(pinned_hashes())
    text = (site / "index.html").read_text(encoding="utf-8")
    assert "bootstrapcdn" not in text and "s3.us-east-2" not in text
