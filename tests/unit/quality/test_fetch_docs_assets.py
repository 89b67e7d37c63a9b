"""The install-time fetch takes only what the pins name, and refuses bytes that are not what they vouch for."""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile

import pytest

from tasks.quality.fetch_docs_assets import AssetIntegrityError, check_integrity, fetch, members
from tasks.settings import get_settings


def tarball(files: dict[str, bytes]) -> bytes:
    """An npm-style tarball: every file under `package/`."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, body in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
    return buffer.getvalue()


def test_members_takes_the_named_files_and_folders_only() -> None:
    body = tarball(
        {"css/all.min.css": b"a", "webfonts/x.woff2": b"b", "webfonts/y.ttf": b"c", "js/all.js": b"d"}
    )
    assert members(body, ["css/all.min.css", "webfonts/"]) == {
        "css/all.min.css": b"a",
        "webfonts/x.woff2": b"b",
        "webfonts/y.ttf": b"c",
    }
    with pytest.raises(AssetIntegrityError, match=r"not in the tarball: css/missing\.css"):
        members(body, ["css/missing.css"])


def test_integrity_is_checked() -> None:
    body = b"package bytes"
    good = "sha512-" + base64.b64encode(hashlib.sha512(body).digest()).decode()
    check_integrity(body, good, "x")
    with pytest.raises(AssetIntegrityError, match="sha512 is"):
        check_integrity(body + b"!", good, "x")


def test_a_filled_cache_downloads_nothing() -> None:
    lines = fetch(get_settings().docs_assets_dir)  # `make docs-assets` filled it
    assert len(lines) == 11
    assert all(line.endswith(" in place") for line in lines), lines
