"""The pins cover every asset GX's installed templates load from off the machine, and the npm files are
byte for byte the CDN files GX vouches for (the Subresource Integrity hashes written in its templates)."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import great_expectations

from tasks.quality.docs_assets import CDN_FILES, GX_WEB_ASSETS, local_path, packages, pinned_hashes
from tasks.settings import get_settings

GX_VIEW = Path(great_expectations.__file__).parent / "render" / "view"
ASSET_URL = re.compile(r"""<(?:link|script)\b[^>]*\b(?:href|src)="(https?://[^"]+)"[^>]*>""")


def template_asset_urls() -> set[str]:
    urls: set[str] = set()
    for template in (GX_VIEW / "templates").glob("*.j2"):
        urls |= set(ASSET_URL.findall(template.read_text(encoding="utf-8")))
    return urls


def test_every_asset_gx_templates_load_is_pinned() -> None:
    urls = template_asset_urls()
    assert len(urls) >= 16, "the grep must find GX's CDN links"
    assert urls == set(CDN_FILES), f"pin or drop: {sorted(urls ^ set(CDN_FILES))}"
    # The only other off-machine assets: GX's own images on its S3 bucket (navbar logo, dark-mode logo).
    navbar = (GX_VIEW / "templates" / "top_navbar.j2").read_text(encoding="utf-8")
    css = (GX_VIEW / "static" / "styles" / "data_docs_default_styles.css").read_text(encoding="utf-8")
    assert GX_WEB_ASSETS in navbar and GX_WEB_ASSETS in css


def test_every_file_taken_is_pinned_by_hash() -> None:
    pins = pinned_hashes()
    for package, wanted in packages().items():
        for path in wanted:
            name = f"{package.folder}/{path}"
            assert any(p == name or (name.endswith("/") and p.startswith(name)) for p in pins), name
    assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in pins.values())


def test_npm_files_are_the_cdn_files_gx_vouches_for() -> None:
    """GX's templates pin Bootstrap's and Popper's CDN files with sha384 integrity: our npm copies match."""
    imports = (GX_VIEW / "templates" / "js_script_imports.j2").read_text(encoding="utf-8")
    vouched = re.findall(r'src="(https://[^"]+)" integrity="(sha384-[^"]+)"', imports)
    assert len(vouched) == 2
    assets = get_settings().docs_assets_dir
    for url, integrity in vouched:
        path = local_path(url)
        assert path is not None, url
        body = (assets / path).read_bytes()  # `make docs-assets` (a dependency of make test) fetched it
        assert f"sha384-{base64.b64encode(hashlib.sha384(body).digest()).decode()}" == integrity, url
