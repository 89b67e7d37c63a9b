"""Pages rewritten to the site's own copies of the pinned assets, at any nesting depth; what cannot be served
locally is removed, never left pointing off the machine; a second pass changes nothing, and a pass reads only the
pages written since the last one completed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tasks.quality import offline_docs
from tasks.quality.docs_assets import GX_WEB_ASSETS, pinned_hashes
from tasks.quality.offline_docs import PASS_MARKER, VENDOR, OfflineReport, make_offline, rewrite_page
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
    times = file_times(site)

    second = make_offline(site, get_settings().docs_assets_dir)
    assert (second.copied, second.pages_rewritten) == (0, 0)
    assert file_times(site) == times


def file_times(site: Path) -> dict[Path, int]:
    """Every file's time but the pass marker's (each pass writes it)."""
    return {
        path: path.stat().st_mtime_ns
        for path in site.rglob("*")
        if path.is_file() and path != site / PASS_MARKER
    }


def age(path: Path, seconds: int) -> None:
    """Set the file's time `seconds` into the past, as if written by an earlier run."""
    past = path.stat().st_mtime_ns - seconds * 1_000_000_000
    os.utime(path, ns=(past, past))


def test_a_pass_reads_only_the_pages_written_since_the_last_completed_pass(tmp_path: Path) -> None:
    site = site_with_logo(tmp_path / "site")
    (site / "index.html").write_text(PAGE, encoding="utf-8")
    assets = get_settings().docs_assets_dir
    assert make_offline(site, assets).pages_read == 1
    history = [site / "validations" / f"run-{n}" / "page.html" for n in range(50)]
    for page in history:
        page.parent.mkdir(parents=True)
        page.write_text("<html>an earlier run's page, already offline</html>", encoding="utf-8")
        age(page, 3600)
    age(site / "index.html", 3600)
    (site / "validations" / "today.html").write_text(PAGE, encoding="utf-8")  # this run's page

    report = make_offline(site, assets)
    assert report.pages_read == 1, "the history's 50 pages and the untouched index are not read again"
    assert report.pages_rewritten == 1
    assert "bootstrapcdn" not in (site / "validations" / "today.html").read_text(encoding="utf-8")


def test_a_pass_cut_off_is_redone_by_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = site_with_logo(tmp_path / "site")
    assets = get_settings().docs_assets_dir
    make_offline(site, assets)
    for page in (site / "index.html", site / "late.html"):  # written after the last completed pass
        page.write_text(PAGE, encoding="utf-8")
    calls = 0
    real = offline_docs.rewrite_page

    def cut_off(*args: object, **kwargs: object) -> str:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError("planted: the process dies mid-pass")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(offline_docs, "rewrite_page", cut_off)
    with pytest.raises(OSError, match="planted"):
        make_offline(site, assets)
    assert calls == 2, "the planted fault happened during the pass"
    assert "bootstrapcdn" in (site / "late.html").read_text(encoding="utf-8"), "cut off before this page"

    monkeypatch.setattr(offline_docs, "rewrite_page", real)
    report = make_offline(site, assets)
    assert report.pages_read == 2, "the marker of the cut-off pass was never written: both pages read again"
    for page in (site / "index.html", site / "late.html"):
        assert "bootstrapcdn" not in page.read_text(encoding="utf-8")


def test_without_the_cache_nothing_points_off_the_machine(tmp_path: Path) -> None:
    site = site_with_logo(tmp_path / "site")
    (site / "index.html").write_text(PAGE, encoding="utf-8")
    report = make_offline(site, tmp_path / "empty-cache")
    assert len(report.missing_assets) == len(pinned_hashes())
    text = (site / "index.html").read_text(encoding="utf-8")
    assert "bootstrapcdn" not in text and "s3.us-east-2" not in text
